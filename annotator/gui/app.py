"""GUI entry point (the full main window is built in main_window.py)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QListWidget, QMainWindow

from annotator.app import import_demo_corpus, open_workspace


def run(*, db_url: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    ws = open_workspace(db_url)
    import_demo_corpus(ws)
    win = QMainWindow()
    win.setWindowTitle("Annotator")
    lst = QListWidget()
    for d in ws.documents.list():
        lst.addItem(d.title)
    win.setCentralWidget(lst)
    win.resize(900, 600)
    win.show()
    return app.exec()
