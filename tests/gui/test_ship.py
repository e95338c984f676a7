"""First run, Help menu, restore from backup, damaged database, unexpected errors,
a second instance: the GUI half of issues 7 and 8, on real widgets and real files."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox

from annotator import __version__, paths
from annotator.app import backup_service, open_workspace
from annotator.services import Workspace
from annotator.settings import Settings


def _visible(cls_name: str):
    return [
        w for w in QApplication.topLevelWidgets() if w.isVisible() and w.objectName() == cls_name
    ]


def _close_all_dialogs():
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QDialog) and w.isVisible():
            w.close()


# --- first run ---------------------------------------------------------------------------


def test_first_run_shows_welcome_then_name_and_the_welcome_only_once(qtbot, tmp_path):
    from annotator.gui.app import launch, layout_settings

    url = paths.sqlite_url(tmp_path / "first.sqlite3")
    settings = Settings.load()  # nothing saved yet: a first run
    assert not settings.welcome_shown and not settings.annotator
    ws = open_workspace(url, settings=settings)
    win = launch(ws, settings, layout_settings())
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: bool(_visible("welcomeDialog")), timeout=5_000)
    assert ws.documents.count() == 5  # the demo corpus came first
    assert not _visible("annotatorDialog")  # the name is asked after the welcome
    (welcome,) = _visible("welcomeDialog")
    text = welcome.findChild(QLabel).text()
    assert "label" in text and "Export" in text and "1" in text
    welcome.accept()
    qtbot.waitUntil(lambda: bool(_visible("annotatorDialog")), timeout=5_000)
    assert Settings.load().welcome_shown  # saved to disk
    _close_all_dialogs()
    win.close()
    win.runner.wait(10_000)
    ws.close()

    settings2 = Settings.load()
    ws2 = open_workspace(url, settings=settings2)
    win2 = launch(ws2, settings2, layout_settings())
    qtbot.addWidget(win2)
    qtbot.wait(200)
    assert not _visible("welcomeDialog")
    assert _visible("annotatorDialog")  # still no name: asked again, without the welcome
    _close_all_dialogs()
    win2.close()
    win2.runner.wait(10_000)
    ws2.close()


# --- Help menu -----------------------------------------------------------------------------


def test_about_lists_versions_backend_and_masked_url(qtbot, make_window):
    import PySide6
    import sqlalchemy  # the test may import it; the gui may not
    from PySide6.QtCore import qVersion

    win = make_window()
    win.actions_by_name["about"].trigger()
    (dlg,) = _visible("aboutDialog")
    text = dlg.plain
    assert f"Annotator: {__version__}" in text
    assert f"Python: {sys.version.split()[0]}" in text
    assert f"Qt: {qVersion()}" in text
    assert f"PySide6: {PySide6.__version__}" in text
    assert f"SQLAlchemy: {sqlalchemy.__version__}" in text
    assert "Database backend: sqlite" in text
    assert f"Database: {win.ws.display_url}" in text
    dlg._copy()
    assert QGuiApplication.clipboard().text() == text
    dlg.close()


def test_about_masks_a_password_in_the_url():
    from annotator.gui.dialogs.about_dialog import about_text

    class FakeDb:
        backend = "postgresql"

    class FakeWs:
        db = FakeDb()
        display_url = "postgresql+psycopg://alice:***@db.example/annotations"

    text = about_text(FakeWs())
    assert "***" in text and "Database backend: postgresql" in text


def test_user_guide_opens_from_the_help_menu_with_its_text(qtbot, make_window):
    win = make_window()
    win.actions_by_name["user_guide"].trigger()
    (dlg,) = _visible("userGuideDialog")
    body = dlg.browser.toPlainText()
    assert "Annotator user guide" in body and "Restore from backup" in body
    assert not dlg.missing.isVisible()
    dlg.close()


def test_help_and_file_menus_hold_the_new_entries(make_window):
    win = make_window()
    menus = {
        a.text().replace("&", ""): [x.objectName() for x in a.menu().actions()]
        for a in win.menuBar().actions()
        if a.menu()
    }
    assert "action_restore_backup" in menus["File"]
    assert menus["File"].index("action_restore_backup") < menus["File"].index("action_quit")
    assert {"action_help", "action_user_guide", "action_about"} <= set(menus["Help"])


# --- restore from backup -----------------------------------------------------------------


def test_restore_from_backup_dialog_restores_and_reopens(qtbot, tmp_path, settings, layout):
    from annotator.gui.main_window import MainWindow

    url = paths.sqlite_url(tmp_path / "work.sqlite3")
    ws = open_workspace(url, settings=settings)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Kept article\n\nTanks moved north.", encoding="utf-8")
    ws.importer.import_paths([folder / "a.txt"])
    ws.backups.create("manual")  # the backup holds one document
    (folder / "b.txt").write_text("Later article\n\nTalks in Geneva.", encoding="utf-8")
    ws.importer.import_paths([folder / "b.txt"])
    assert ws.documents.count() == 2

    win = MainWindow(ws, settings, layout)  # not qtbot's: the restore deletes it
    win.show()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    assert win.doc_model.rowCount() == 2
    win.actions_by_name["restore_backup"].trigger()
    (dlg,) = _visible("restoreBackupDialog")
    assert dlg.list.count() == 1 and dlg.restore_button.isEnabled()
    replaced = []
    dlg.restoreRequested.connect(lambda name: replaced.append(name))
    qtbot.mouseClick(dlg.restore_button, Qt.MouseButton.LeftButton)
    box = dlg.confirmation
    assert box is not None and box.isVisible()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(replaced), timeout=5_000)

    new = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
    )
    qtbot.addWidget(new)
    assert new is not win and new.ws is not ws
    qtbot.waitUntil(lambda: not new.runner.busy, timeout=10_000)
    assert [d.title for d in new.ws.documents.list()] == ["Kept article"]
    assert new.doc_model.rowCount() == 1
    check = Workspace.open(url)  # what is on disk now
    assert [d.title for d in check.documents.list()] == ["Kept article"]
    check.close()
    kinds = [b.kind for b in backup_service(url).list()]
    assert "pre-restore" in kinds  # the replaced database was kept
    new.close()
    new.runner.wait(10_000)
    new.ws.close()


def test_restore_refused_while_another_instance_holds_the_database(
    qtbot, tmp_path, settings, layout
):
    from annotator.gui import app_actions
    from annotator.gui.main_window import MainWindow
    from annotator.storage.instance import InstanceLock

    url = paths.sqlite_url(tmp_path / "busy.sqlite3")
    ws = open_workspace(url, settings=settings)
    ws.backups.create("manual")
    win = MainWindow(ws, settings, layout)  # replaced (and deleted) by the attempt
    other = InstanceLock(tmp_path / "busy.sqlite3")  # another Annotator opens it meanwhile
    new = None
    try:
        ws.instance.release()
        assert other.acquire() is None
        new = app_actions.restore_backup(win, ws.backups.list()[0].name)
        qtbot.addWidget(new)
        boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "errorBox"]
        assert any("open in another Annotator" in b.text() for b in boxes if b.isVisible())
        assert new.ws.documents.count() == 0  # reopened, unchanged
    finally:
        other.release()
        _close_all_dialogs()
        if new is not None:
            new.runner.wait(10_000)
            new.ws.close()


# --- damaged database at start-up --------------------------------------------------------


def _damaged_db(tmp_path):
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database, just some text\n" * 50)
    return path


def test_corrupt_database_dialog_names_the_file_and_leaves_it_unchanged(qtbot, tmp_path):
    from annotator.gui.dialogs.corrupt_dialog import CorruptChoice, CorruptDatabaseDialog
    from annotator.services.opening import CorruptDatabaseError

    path = _damaged_db(tmp_path)
    before = path.read_bytes()
    with pytest.raises(CorruptDatabaseError) as info:
        open_workspace(paths.sqlite_url(path))
    dlg = CorruptDatabaseDialog(info.value)
    qtbot.addWidget(dlg)
    dlg.show()
    text = dlg.message.text()
    assert str(path) in text and "not changed" in text
    assert dlg.restore_button is None  # no backup to offer
    qtbot.mouseClick(dlg.quit_button, Qt.MouseButton.LeftButton)
    assert dlg.choice is CorruptChoice.QUIT
    assert path.read_bytes() == before


def test_start_up_on_a_damaged_database_offers_the_newest_backup_and_restores_it(
    qtbot, tmp_path, monkeypatch
):
    from annotator.gui import startup
    from annotator.gui.dialogs import corrupt_dialog

    path = tmp_path / "db.sqlite3"
    url = paths.sqlite_url(path)
    settings = Settings(annotator="alice", welcome_shown=True)
    ws = open_workspace(url, settings=settings)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Saved article\n\nText.", encoding="utf-8")
    ws.importer.import_paths([folder / "a.txt"])
    ws.backups.create("manual")
    ws.close()
    path.write_bytes(b"garbage" * 1000)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"db.sqlite3{suffix}").unlink(missing_ok=True)
    damaged = path.read_bytes()

    shown = []

    def fake_exec(dlg):
        shown.append(dlg.message.text())
        assert dlg.restore_button is not None  # the newest backup is offered
        assert damaged == path.read_bytes()  # nothing touched while asking
        dlg._choose(corrupt_dialog.CorruptChoice.RESTORE)
        return 1

    monkeypatch.setattr(corrupt_dialog.CorruptDatabaseDialog, "exec", fake_exec)
    ws2, _ = startup.open_workspace_gui(url, settings)
    try:
        assert shown and str(path) in shown[0]
        assert [d.title for d in ws2.documents.list()] == ["Saved article"]
        kept = [b for b in backup_service(url).list() if b.kind == "pre-restore"]
        assert kept and kept[0].path.read_bytes() == damaged  # the damaged bytes were kept
    finally:
        ws2.close()


def test_start_up_on_a_damaged_database_can_quit_without_touching_it(qtbot, tmp_path, monkeypatch):
    from annotator.gui import startup
    from annotator.gui.dialogs import corrupt_dialog

    path = _damaged_db(tmp_path)
    before = path.read_bytes()
    monkeypatch.setattr(
        corrupt_dialog.CorruptDatabaseDialog,
        "exec",
        lambda dlg: dlg._choose(corrupt_dialog.CorruptChoice.QUIT) or 0,
    )
    with pytest.raises(SystemExit):
        startup.open_workspace_gui(paths.sqlite_url(path), Settings())
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.sqlite3"]


# --- unexpected errors ---------------------------------------------------------------------


def test_error_dialog_copies_a_report_without_secrets(qtbot, monkeypatch):
    from annotator.gui.dialogs import error_dialog
    from annotator.log import log_file, setup_logging, teardown_logging

    monkeypatch.setenv("PGPASSWORD", "hunter2-secret")
    setup_logging()
    try:
        try:
            raise RuntimeError(
                "connect to postgresql+psycopg://bob:s3cr3t-pw@db.example/x failed; "
                "PGPASSWORD=hunter2-secret"
            )
        except RuntimeError as exc:
            dlg = error_dialog.report_exception(type(exc), exc, exc.__traceback__)
        qtbot.addWidget(dlg)
        assert dlg.isVisible() and "unexpected error" in dlg.message.text()
        qtbot.mouseClick(dlg.copy_button, Qt.MouseButton.LeftButton)
        copied = QGuiApplication.clipboard().text()
        assert "RuntimeError" in copied and f"Annotator {__version__}" in copied
        assert "Traceback" in copied and "test_error_dialog_copies" in copied
        for secret in ("s3cr3t-pw", "hunter2-secret"):
            assert secret not in copied
            assert secret not in dlg.message.text()
        logged = log_file().read_text(encoding="utf-8")
        assert "RuntimeError" in logged and "s3cr3t-pw" not in logged
        dlg.close()
    finally:
        teardown_logging()


def test_excepthook_routes_slot_exceptions_to_the_dialog(qtbot, monkeypatch):
    from annotator.gui.dialogs import error_dialog

    seen = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(
        error_dialog, "report_exception", lambda t, e, tb, parent=None: seen.append(e)
    )
    error_dialog.install_excepthook()
    assert sys.excepthook is error_dialog._hook
    exc = ValueError("boom")
    sys.excepthook(ValueError, exc, None)
    assert seen == [exc]


# --- a second instance ---------------------------------------------------------------------


def test_second_instance_shows_a_notice_and_keeps_working(qtbot, tmp_path, settings, layout):
    from annotator.gui.main_window import MainWindow

    url = paths.sqlite_url(tmp_path / "shared.sqlite3")
    first = open_workspace(url, settings=settings)
    second = open_workspace(url, settings=settings)
    try:
        win = MainWindow(second, settings, layout)
        qtbot.addWidget(win)
        win.show()
        bar = win.findChild(type(win.instance_notice), "instanceNotice")
        assert bar is not None and bar.isVisible()
        text = win.findChild(QLabel, "instanceNoticeText").text()
        assert "also open in another Annotator" in text
        assert win.isEnabled()
        # Still works: a tag lands in the database.
        folder = tmp_path / "in"
        folder.mkdir()
        (folder / "a.txt").write_text("Title\n\nTanks moved north.", encoding="utf-8")
        second.importer.import_paths([folder / "a.txt"])
        win.doc_model.reload()
        doc = second.documents.list()[0]
        win.tag(doc.id, 0, 5, "MILITARY")
        assert [s.label for s in first.annotations.spans(doc.id)] == ["MILITARY"]
        win.runner.wait(10_000)
    finally:
        second.close()
        first.close()


def test_alone_no_notice(make_window):
    win = make_window()
    assert win.findChild(QLabel, "instanceNoticeText") is None


# --- opening without freezing ----------------------------------------------------------------


def test_slow_open_runs_off_the_gui_thread_with_a_splash(qtbot, monkeypatch):
    import threading
    import time

    from annotator.gui import startup

    monkeypatch.setattr(startup, "SPLASH_AFTER_S", 0.05)
    seen = {}

    def slow():
        seen["thread"] = threading.current_thread() is not threading.main_thread()
        time.sleep(0.4)
        return 42

    def look():  # on the GUI thread, while the work runs: the event loop is turning
        seen["splash"] = any(
            w.isVisible() and w.objectName() == "startupSplash"
            for w in QApplication.topLevelWidgets()
        )

    QTimer.singleShot(250, look)
    assert startup.run_off_thread(slow, message="Opening…") == 42
    assert seen == {"thread": True, "splash": True}
    qtbot.wait(10)
    assert not any(
        w.isVisible() and w.objectName() == "startupSplash" for w in QApplication.topLevelWidgets()
    )


def test_errors_of_the_open_reach_the_gui_thread():
    from annotator.gui import startup

    def fail():
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        startup.run_off_thread(fail, message="x")
