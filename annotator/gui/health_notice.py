"""What the window says about its database's health, without a blocking check.

At start the window shows the open's notices (a daily backup that failed on a full disk,
a full check that failed or is old) in a bar above the panes. Then, at most once a day
(services.health.due), the full check (``integrity_check`` and every text cell's UTF-8)
runs on a plain thread in the background, reading the file on a read-only connection
while the user works. Damage it finds is said in the bar with the restore advice and a
button that opens File > Restore from backup; a passing check is only recorded.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QToolBar, QToolButton

from annotator.services import health

if TYPE_CHECKING:
    from annotator.gui.main_window import MainWindow
    from annotator.storage.integrity import FileCheck

log = logging.getLogger(__name__)

CHECK_AFTER_MS = 3_000
"""The background check starts this long after the window shows (start-up stays quick)."""
POLL_MS = 250


def notice_bar(window: MainWindow, text: str, name: str, *, restore: bool = False) -> QToolBar:
    """A dismissable bar above the panes; with ``restore``, a button to restore a backup."""
    bar = QToolBar("Notice", window)
    bar.setObjectName(name)
    bar.setMovable(False)
    bar.setFloatable(False)
    label = QLabel(f"  ⚠  {text}")
    label.setWordWrap(True)
    label.setObjectName(f"{name}Text")
    bar.addWidget(label)
    if restore:
        button = QPushButton("Restore from backup…")
        button.setObjectName(f"{name}Restore")
        button.clicked.connect(lambda: _open_restore(window))
        bar.addWidget(button)
    close = QToolButton(text="Dismiss", autoRaise=True)
    close.clicked.connect(bar.hide)
    bar.addWidget(close)
    bar.setStyleSheet(f"QToolBar#{name} {{ background: #fff4ce; border: 0; }}")
    window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    return bar


def _open_restore(window: MainWindow) -> None:
    from annotator.gui.app_actions import open_restore_dialog

    open_restore_dialog(window)


class BackgroundCheck:
    """The full check on a thread; its answer is picked up on the GUI thread by a timer."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.result: FileCheck | None = None
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        self._timer = QTimer(window)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    def start(self) -> None:
        backups = self.window.ws.backups
        if backups is None or self.thread is not None or not self.window.isVisible():
            return  # e.g. the window was replaced (a restore) before the check began

        def work() -> None:
            try:
                self.result, _record = health.run_full_check(backups)
            except BaseException as exc:  # reported on the GUI thread's log
                self.error = exc

        self.thread = threading.Thread(target=work, name="full-check", daemon=True)
        self.thread.start()
        self._timer.start()

    def _poll(self) -> None:
        if self.thread is None or self.thread.is_alive():
            return
        self._timer.stop()
        if not self.window.isVisible():
            return
        if self.error is not None:
            log.warning("the background check could not run: %s", self.error)
            return
        result = self.result
        if result is None or result.ok:
            return
        if not result.damaged:  # a full disk mid-check says nothing about the file
            log.warning("the background check could not finish: %s", result.problem)
            return
        backups = self.window.ws.backups
        newest = backups.newest() if backups is not None else None
        advice = (
            f" The newest backup is {newest.name}; restore it (your current file is kept)."
            if newest is not None
            else " There is no backup of it: keep the file as it is and export what you can."
        )
        problem = result.problem if len(result.problem) <= 180 else result.problem[:180] + "…"
        text = f"The full check found this database damaged: {problem}.{advice}"
        self.window.health_notice = notice_bar(
            self.window, text, "healthNotice", restore=newest is not None
        )
        self.window.statusBar().showMessage("The database check found damage.", 15_000)


def install(window: MainWindow, *, delay_ms: int = CHECK_AFTER_MS) -> BackgroundCheck | None:
    """Show the open's notices; schedule the background full check when one is due."""
    for i, text in enumerate(window.ws.notices):
        notice_bar(window, text, f"openNotice{i}")
    backups = window.ws.backups
    if backups is None or not health.due(backups):
        return None
    check = BackgroundCheck(window)
    window.background_check = check
    QTimer.singleShot(delay_ms, window, check.start)  # not after the window is gone
    return check
