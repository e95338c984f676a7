"""Opening the workspace at start-up without a frozen or blank screen.

The integrity check, migrations and the daily backup run on a plain thread while the
Qt event loop keeps turning; when they take longer than ``SPLASH_AFTER_S`` (a big
database: quick_check reads every page, a backup copies the file) a small splash says
what is happening. On a small database the window simply appears when it is ready.

A damaged file at the database path gets CorruptDatabaseDialog: restore the newest
backup, open another file, or quit; the damaged file is never written to.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QWidget

from annotator import paths
from annotator.core.errors import AnnotatorError
from annotator.services import Workspace
from annotator.services.opening import CorruptDatabaseError, DatabaseUnavailableError
from annotator.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
SPLASH_AFTER_S = 0.3
ENV_EXIT_AFTER_SHOW = "ANNOTATOR_EXIT_AFTER_SHOW"
ENV_T0 = "ANNOTATOR_T0"


def splash(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("startupSplash")
    label.setWindowFlags(Qt.WindowType.SplashScreen | Qt.WindowType.WindowStaysOnTopHint)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setMargin(28)
    label.setStyleSheet("QLabel { background: palette(window); border: 1px solid palette(mid); }")
    return label


def run_off_thread(work: Callable[[], T], *, message: str) -> T:
    """``work()`` on a thread; the event loop keeps running, a splash shows if it is slow."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # re-raised on the GUI thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="open-workspace", daemon=True)
    started = time.perf_counter()
    thread.start()
    shown: QLabel | None = None
    loop = QEventLoop()
    while thread.is_alive():
        thread.join(0.02)
        if shown is None and time.perf_counter() - started > SPLASH_AFTER_S:
            shown = splash(message)
            shown.show()
        loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    if shown is not None:
        shown.close()
        shown.deleteLater()
    log.info("workspace opened in %.3f s", time.perf_counter() - started)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


def open_workspace_gui(db_url: str | None, settings: Settings) -> tuple[Workspace, str | None]:
    """Open the workspace, asking the user what to do about a damaged file.

    Returns the workspace and the URL it was opened with (an "open another database"
    choice changes it for this session only). Raises SystemExit when the user quits.
    """
    from annotator.app import backup_service, open_workspace

    url = db_url
    while True:
        try:
            ws = run_off_thread(
                lambda u=url: open_workspace(u, settings=settings),
                message="Opening the database…\nchecking it and making the daily backup",
            )
            return ws, url
        except DatabaseUnavailableError as exc:
            # A full disk, a read-only file system, a permission: not damage, nothing to
            # restore. Said as it is; the user fixes the cause and starts again.
            from annotator.gui.messages import show_error

            log.error("database unavailable: %s", exc)
            show_error(None, "The database cannot be opened now", str(exc)).exec()
            raise SystemExit(2) from None
        except CorruptDatabaseError as exc:
            choice, other = ask_about_corrupt_database(exc)
            from annotator.gui.dialogs.corrupt_dialog import CorruptChoice

            if choice is CorruptChoice.QUIT:
                raise SystemExit(2) from None
            if choice is CorruptChoice.OPEN_OTHER and other is not None:
                url = paths.sqlite_url(other)
                continue
            if choice is CorruptChoice.RESTORE and exc.newest is not None:
                try:
                    backup_service(url, settings=settings).restore(exc.newest.name)
                except AnnotatorError as err:
                    from annotator.gui.messages import show_error

                    box = show_error(None, "Backup not restored", str(err))
                    box.exec()


def ask_about_corrupt_database(
    exc: CorruptDatabaseError, parent: QWidget | None = None
) -> tuple[object, Path | None]:
    from annotator.gui.dialogs.corrupt_dialog import CorruptChoice, CorruptDatabaseDialog

    log.error("database unusable: %s", exc)
    dlg = CorruptDatabaseDialog(exc, parent)
    dlg.exec()
    other: Path | None = None
    if dlg.choice is CorruptChoice.OPEN_OTHER:
        chosen, _ = QFileDialog.getOpenFileName(
            parent,
            "Open a database",
            str(exc.path.parent),
            "Annotator databases (*.sqlite3 *.db);;All files (*)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if not chosen:
            return CorruptChoice.QUIT, None
        other = Path(chosen)
    return dlg.choice, other


def since_launch() -> float:
    """Seconds since the launcher's ``ANNOTATOR_T0`` (time.time() before it started us),
    else since this process started (Linux /proc), else since the interpreter's clock start."""
    t0 = os.environ.get(ENV_T0)
    if t0:
        return time.time() - float(t0)
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.process_time()


class _FirstPaint(QObject):
    """Reports the first paint of the window, then quits (cold-start benchmark)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.done = False
        window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event) -> bool:
        from PySide6.QtCore import QEvent

        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            print(f"startup: window shown after {since_launch():.3f} s", flush=True)
            QTimer.singleShot(0, QApplication.instance().quit)
        return False


def exit_after_show(window: QWidget) -> None:
    """With ANNOTATOR_EXIT_AFTER_SHOW=1: print the time to the first paint and quit."""
    if os.environ.get(ENV_EXIT_AFTER_SHOW) == "1":
        window._first_paint = _FirstPaint(window)


__all__ = ["exit_after_show", "open_workspace_gui", "run_off_thread"]
