"""File > Database…: shows the open database, refuses URLs with passwords, saves for restart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from annotator.gui.dialogs.database_dialog import DatabaseDialog, url_problem
from annotator.settings import Settings


def open_dialog(qtbot, win) -> DatabaseDialog:
    win.actions_by_name["database"].trigger()
    (dlg,) = [d for d in win.findChildren(DatabaseDialog, "databaseDialog") if d.isVisible()]
    return dlg


def save(qtbot, dlg: DatabaseDialog) -> None:
    qtbot.mouseClick(
        dlg.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )


def test_database_menu_entry_sits_in_the_file_menu(make_window):
    win = make_window()
    file_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&File")
    names = [a.objectName() for a in file_menu.actions()]
    assert names.index("action_database") < names.index("action_quit")
    titles = [a.text() for a in win.menuBar().actions()]
    assert titles.index("&Team") < titles.index("&Help")


def test_refuses_a_password_and_saves_a_url_without(qtbot, make_window, db_url):
    win = make_window()
    dlg = open_dialog(qtbot, win)
    assert dlg.current.text() == win.ws.display_url
    assert db_url.split("///")[1] in dlg.current.text()
    qtbot.keyClicks(dlg.url, "postgresql+psycopg://olena:s3cret@db.example/annotator")
    assert dlg.postgres.isChecked()
    save(qtbot, dlg)
    assert dlg.isVisible()
    assert "~/.pgpass" in dlg.problem.text() and "password" in dlg.problem.text()
    assert Settings.load().db_url == ""
    dlg.url.clear()
    qtbot.keyClicks(dlg.url, "postgresql+psycopg://olena@db.example/annotator")
    save(qtbot, dlg)
    assert not dlg.isVisible()
    assert Settings.load().db_url == "postgresql+psycopg://olena@db.example/annotator"
    assert "restart" in win.statusBar().currentMessage()


def test_switch_to_another_sqlite_file_and_back_to_default(qtbot, make_window, tmp_path):
    win = make_window()
    dlg = open_dialog(qtbot, win)
    qtbot.keyClicks(dlg.path, str(tmp_path / "team.sqlite3"))
    assert dlg.sqlite.isChecked()
    save(qtbot, dlg)
    assert Settings.load().db_url == f"sqlite:///{(tmp_path / 'team.sqlite3').resolve()}"
    dlg = open_dialog(qtbot, win)
    assert dlg.sqlite.isChecked() and dlg.path.text().endswith("team.sqlite3")
    dlg.default.click()
    save(qtbot, dlg)
    assert Settings.load().db_url == ""


def test_url_problems():
    assert url_problem("postgresql+psycopg://u@h/db") is None
    assert "password" in url_problem("postgresql://u:pw@h/db")
    assert "?password=" in url_problem("postgresql+psycopg://u@h/db?password=pw")
    assert "?sslpassword=" in url_problem(
        "postgresql+psycopg://u@h/db?sslmode=require&sslpassword=k"
    )
    assert "host" in url_problem("postgresql+psycopg:///db")
    assert "postgresql" in url_problem("mysql://u@h/db")
