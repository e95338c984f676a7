"""GUI tests: offscreen Qt, data and config in tmp folders, a workspace on a tmp SQLite file."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from annotator import paths
from annotator.services import Workspace
from annotator.settings import Settings


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    """Never touch the user's real database, settings or window layout."""
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path / "data"))
    monkeypatch.setenv(paths.ENV_CONFIG_DIR, str(tmp_path / "config"))
    monkeypatch.delenv(paths.ENV_DB, raising=False)


@pytest.fixture
def db_url(tmp_path):
    return paths.sqlite_url(tmp_path / "annotator.sqlite3")


@pytest.fixture
def ws(db_url):
    w = Workspace.open(db_url)
    yield w
    w.close()


@pytest.fixture
def fresh(db_url):
    """Opens a second Workspace on the same file: what is there is what was committed."""
    opened: list[Workspace] = []

    def open_fresh() -> Workspace:
        w = Workspace.open(db_url)
        opened.append(w)
        return w

    yield open_fresh
    for w in opened:
        w.close()


@pytest.fixture
def settings():
    s = Settings(annotator="alice")
    s.save()
    return s


@pytest.fixture
def layout():
    path = paths.config_dir() / "layout.ini"
    path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)


def import_text(ws: Workspace, folder, name: str, raw: bytes) -> int:
    """Import one file through the real importer; returns the new document's id."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(raw)
    before = {d.id for d in ws.documents.list()}
    report = ws.importer.import_paths([path])
    assert not report.errors, report.summary()
    (new,) = {d.id for d in ws.documents.list()} - before
    return new


@pytest.fixture
def import_doc(ws, tmp_path):
    counter = iter(range(1_000_000))

    def _import(raw: bytes | str, name: str | None = None) -> int:
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        return import_text(ws, tmp_path / "incoming", name or f"doc{next(counter)}.txt", data)

    return _import


@pytest.fixture
def make_window(qtbot, ws, settings, layout):
    """A real MainWindow on the tmp workspace; waits until its panes finished loading."""
    from annotator.gui.main_window import MainWindow

    windows = []

    def make(**kw):
        win = MainWindow(kw.get("ws", ws), kw.get("settings", settings), kw.get("layout", layout))
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()  # window shortcuts (Ctrl+Z, F1, ...) need the active window
        qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5_000)
        qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
        windows.append(win)
        return win

    yield make
    for win in windows:
        win.runner.wait(10_000)


def open_in(qtbot, win, doc_id: int, pane=None):
    """Open a document the way a user does (via the pane's document picker) and wait for it."""
    pane = pane or win.reading.current
    row = win.doc_model.row_of(doc_id)
    pane.picker.setCurrentIndex(row)
    pane.picker.activated.emit(row)
    qtbot.waitUntil(lambda: pane.document_id == doc_id and not win.runner.busy, timeout=10_000)
    return pane
