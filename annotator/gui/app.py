"""GUI entry point: application object, first-launch set-up, the main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from annotator import paths
from annotator.app import import_demo_corpus, open_workspace
from annotator.gui.icons import icon
from annotator.gui.main_window import MainWindow
from annotator.services import Workspace
from annotator.settings import Settings


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
    """First launch on an empty database imports the demo corpus; no name yet asks for one."""
    imported = import_demo_corpus(ws)
    window = MainWindow(ws, settings, layout or layout_settings())
    window.show()
    if imported:
        window.statusBar().showMessage(f"Imported the demo corpus ({imported} articles).", 8000)
    if not settings.annotator:
        window.ask_annotator()
    return window


def run(*, db_url: str | None = None) -> int:
    app = application()
    settings = Settings.load()
    ws = open_workspace(db_url, settings=settings)
    window = launch(ws, settings)
    code = app.exec()
    del window
    ws.close()
    return code
