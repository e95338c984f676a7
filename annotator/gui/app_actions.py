"""Menu entries added to the main window from outside it: File > Restore from backup…,
Help > User guide and About, and the notice that another Annotator has the database open.

``install(window)`` is the one hook MainWindow calls; keeping these here keeps
main_window.py small. A restore closes the workspace (a restore is refused while the
database is open anywhere, this window included), restores, reopens the workspace with
the usual checks and replaces the window with a fresh one on it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu, QToolBar, QToolButton

from annotator.core.errors import AnnotatorError
from annotator.gui.dialogs.about_dialog import AboutDialog
from annotator.gui.dialogs.help_dialog import UserGuideDialog
from annotator.gui.dialogs.restore_dialog import RestoreBackupDialog
from annotator.gui.messages import show_error
from annotator.services.opening import other_instance_notice

if TYPE_CHECKING:  # for annotations only; at run time the window is handed in
    from annotator.gui.main_window import MainWindow
    from annotator.services.backups import BackupService

log = logging.getLogger(__name__)


def _menu(window: MainWindow, title: str) -> QMenu | None:
    for act in window.menuBar().actions():
        if act.menu() is not None and act.text().replace("&", "") == title:
            return act.menu()
    return None


def install(window: MainWindow) -> None:
    """Add the actions to the File and Help menus and show the other-instance notice."""
    file_menu, help_menu = _menu(window, "File"), _menu(window, "Help")
    restore = QAction("&Restore from backup…", window)
    restore.setObjectName("action_restore_backup")
    restore.triggered.connect(lambda: open_restore_dialog(window))
    restore.setEnabled(window.ws.db.sqlite_path is not None)
    window.actions_by_name["restore_backup"] = restore
    if file_menu is not None:
        quit_action = window.actions_by_name.get("quit")
        file_menu.insertAction(quit_action, restore)
        file_menu.insertSeparator(quit_action)
    guide = QAction("&User guide", window)
    guide.setObjectName("action_user_guide")
    guide.triggered.connect(lambda: show_user_guide(window))
    about = QAction("&About Annotator", window)
    about.setObjectName("action_about")
    about.triggered.connect(lambda: show_about(window))
    window.actions_by_name.update(user_guide=guide, about=about)
    if help_menu is not None:
        help_menu.addAction(guide)
        help_menu.addSeparator()
        help_menu.addAction(about)
    show_instance_notice(window)


def show_instance_notice(window: MainWindow) -> QToolBar | None:
    """A dismissable bar above the panes; the window keeps working as usual."""
    notice = other_instance_notice(window.ws)
    if not notice:
        return None
    bar = QToolBar("Notice", window)
    bar.setObjectName("instanceNotice")
    bar.setMovable(False)
    bar.setFloatable(False)
    text = QLabel(f"  ⚠  {notice}")
    text.setWordWrap(True)
    text.setObjectName("instanceNoticeText")
    bar.addWidget(text)
    close = QToolButton(text="Dismiss", autoRaise=True)
    close.clicked.connect(bar.hide)
    bar.addWidget(close)
    bar.setStyleSheet("QToolBar#instanceNotice { background: #fff4ce; border: 0; }")
    window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    window.instance_notice = bar
    window.statusBar().showMessage(notice, 15_000)
    return bar


def show_user_guide(window: MainWindow) -> UserGuideDialog:
    dlg = UserGuideDialog(window)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.show()
    return dlg


def show_about(window: MainWindow) -> AboutDialog:
    dlg = AboutDialog(window.ws, window)
    dlg.setObjectName("aboutDialog")
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.open()
    return dlg


def backups_of(window: MainWindow) -> BackupService:
    if window.ws.backups is not None:
        return window.ws.backups
    from annotator.app import backup_service

    return backup_service(window.ws.db.url, settings=window.settings)


def open_restore_dialog(window: MainWindow) -> RestoreBackupDialog | None:
    try:
        service = backups_of(window)
    except AnnotatorError as exc:
        show_error(window, "No backups", str(exc))
        return None
    dlg = RestoreBackupDialog(service, window)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.restoreRequested.connect(lambda name: restore_backup(window, name))
    dlg.open()
    return dlg


def restore_backup(window: MainWindow, name: str) -> MainWindow:
    """Close the workspace, restore ``name``, reopen, and replace ``window`` with a new one.

    Returns the window now showing the database (a new one even when the restore was
    refused: the workspace had to be closed to try it).
    """
    from annotator.app import open_workspace

    service = backups_of(window)
    url = window.ws.db.url
    window.save_layout()
    window.suggestions.close()  # its process reads the database while it trains
    window.runner.wait(10_000)
    window.ws.close()
    error: str | None = None
    try:
        chosen, saved = service.restore(name)
    except (AnnotatorError, OSError) as exc:
        log.warning("restore of %s failed: %s", name, exc)
        error = str(exc)
    ws = open_workspace(url, settings=window.settings)
    new = replace_window(window, ws)
    if error is not None:
        show_error(new, "Backup not restored", error)
    else:
        when = chosen.created.astimezone().strftime("%Y-%m-%d %H:%M")
        kept = f" The previous database was kept as {saved[0].name}." if saved else ""
        new.statusBar().showMessage(f"Restored the backup from {when}.{kept}", 15_000)
    return new


def replace_window(old: MainWindow, ws) -> MainWindow:
    """A fresh window on ``ws`` where ``old`` was; the session (if any) follows it."""
    # type(old), not an import: main_window imports this module (no import cycle).
    new = type(old)(ws, old.settings, old.layout_settings)
    session = getattr(old, "session", None)
    new.session = session
    if session is not None:
        session.ws, session.window = ws, new
    new.setGeometry(old.geometry())
    new.show()
    old.hide()
    old.deleteLater()
    return new
