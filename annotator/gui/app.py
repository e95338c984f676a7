"""GUI entry point: application object, first-launch set-up, the main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from annotator import paths
from annotator.app import import_demo_corpus
from annotator.gui.icons import icon
from annotator.gui.main_window import MainWindow
from annotator.services import Workspace
from annotator.settings import Settings


class Session:
    """The open workspace and its window; a restore from backup replaces both."""

    def __init__(self, ws: Workspace, window: MainWindow) -> None:
        self.ws = ws
        self.window = window


def layout_settings() -> QSettings:
    """Window layout in an ini file beside settings.json (so tests can point it at a tmp dir)."""
    path = paths.config_dir() / "layout.ini"
    path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv)
    app.setApplicationName("Annotator")
    app.setOrganizationName("annotator")
    app.setWindowIcon(icon("app"))
    return app


def launch(ws: Workspace, settings: Settings, layout: QSettings | None = None) -> MainWindow:
    """First launch on an empty database imports the demo corpus, then the welcome (once),
    then the annotator's name if there is none yet."""
    imported = import_demo_corpus(ws)
    window = MainWindow(ws, settings, layout or layout_settings())
    window.show()
    from annotator.gui import health_notice

    health_notice.install(window)  # the open's warnings; the daily full check, off-thread
    if window.reading.current is not None:
        window.reading.current.view.setFocus()  # keys go to the text, not the corpus filter
    if imported:
        window.statusBar().showMessage(f"Imported the demo corpus ({imported} articles).", 8000)
    if not settings.welcome_shown:
        show_welcome(window)
    elif not settings.annotator:
        window.ask_annotator()
    return window


def show_welcome(window: MainWindow):
    """The welcome dialog; closing it marks it shown and asks the name if still unknown."""
    from annotator.gui.dialogs.welcome_dialog import WelcomeDialog

    dlg = WelcomeDialog(window)
    dlg.setObjectName("welcomeDialog")
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.setWindowModality(Qt.WindowModality.WindowModal)

    def finished(_result: int) -> None:
        window.settings.welcome_shown = True
        window.settings.save()
        if not window.settings.annotator:
            window.ask_annotator()

    dlg.finished.connect(finished)
    dlg.open()
    window.welcome_dialog = dlg
    return dlg


def run(*, db_url: str | None = None) -> int:
    from annotator.gui.dialogs.error_dialog import install_excepthook
    from annotator.gui.startup import exit_after_show, open_workspace_gui
    from annotator.gui.xcb_check import xcb_problem

    problem = xcb_problem()
    if problem is not None:  # instead of Qt's misleading "could not load xcb" and an abort
        print(problem, file=sys.stderr, end="")
        return 1
    app = application()
    install_excepthook()
    settings = Settings.load()
    try:
        ws, _url = open_workspace_gui(db_url, settings)
    except SystemExit as exc:
        return int(exc.code or 0)
    window = launch(ws, settings)
    session = Session(ws, window)
    window.session = session
    exit_after_show(window)
    code = app.exec()
    del window
    session.ws.close()
    return code
