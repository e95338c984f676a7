"""The window's background full check (issue 21 item 9, issue 26): damage the open's
sample cannot see is found after the window shows, without blocking it, and said with
the restore advice; a failed daily backup is said in a bar, and the window works."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from annotator import paths
from annotator.app import backup_service, open_workspace
from annotator.services import health
from annotator.settings import Settings

pytestmark = pytest.mark.faults


def _project(tmp_path: Path) -> tuple[str, Path]:
    db = tmp_path / "work.sqlite3"
    url = paths.sqlite_url(db)
    src = tmp_path / "docs.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": i, "title": f"T{i}", "text": f"Document {i}: talks resumed."}) + "\n"
            for i in range(5)
        ),
        encoding="utf-8",
    )
    ws = open_workspace(url)
    ws.importer.import_paths([src])
    ws.close()
    return url, db


def _break_an_index(db: Path) -> None:
    con = sqlite3.connect(db)
    con.execute("UPDATE documents SET title = 'T' || id, source = ''")
    con.execute("CREATE INDEX ix_docs_title ON documents(title)")
    con.commit()
    con.execute("PRAGMA writable_schema=ON")
    con.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX ix_docs_title ON documents(source)' "
        "WHERE name = 'ix_docs_title'"
    )
    con.commit()
    con.close()


def _window(qtbot, ws):
    from annotator.gui.app import layout_settings
    from annotator.gui.main_window import MainWindow

    win = MainWindow(ws, Settings.load(), layout_settings())
    qtbot.addWidget(win)
    win.show()
    return win


def test_background_check_finds_index_damage_and_offers_the_restore(qtbot, tmp_path) -> None:
    from annotator.gui import health_notice

    url, db = _project(tmp_path)
    good = backup_service(url).create()
    _break_an_index(db)
    ws = open_workspace(url)  # the open's sample passes: quick and silent
    win = _window(qtbot, ws)
    check = health_notice.install(win, delay_ms=0)
    assert check is not None
    qtbot.waitUntil(lambda: getattr(win, "health_notice", None) is not None, timeout=20_000)
    bar = win.health_notice
    text = bar.findChild(QLabel, "healthNoticeText").text()
    assert "damaged" in text and "ix_docs_title" in text and good.name in text
    assert bar.findChild(QPushButton, "healthNoticeRestore") is not None
    record = health.last_check(ws.backups)
    assert record is not None and not record.ok
    win.grab().save(str(tmp_path / "health_notice.png"))
    win.close()
    win.runner.wait(10_000)
    ws.close()


def test_check_not_due_after_a_pass_and_open_notices_shown(qtbot, tmp_path) -> None:
    from annotator.gui import health_notice

    url, _db = _project(tmp_path)
    ws = open_workspace(url)
    health.run_full_check(ws.backups)
    ws.notices.append("The daily backup failed; work goes on without it. (disk full)")
    win = _window(qtbot, ws)
    assert health_notice.install(win, delay_ms=0) is None  # passed today: no check
    bars = [w for w in win.findChildren(QLabel) if w.objectName() == "openNotice0Text"]
    assert bars and "daily backup failed" in bars[0].text()
    win.close()
    win.runner.wait(10_000)
    ws.close()


def test_start_up_on_a_full_disk_says_full_and_offers_no_restore(qtbot, tmp_path, monkeypatch):
    """The window's start on a full disk: a message naming the full disk, not the
    damaged-file dialog with its offer to restore a backup over a healthy file."""
    import os
    import subprocess

    from PySide6.QtWidgets import QMessageBox

    from annotator.gui import startup
    from annotator.gui.dialogs import corrupt_dialog

    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (a full disk)")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        url, db = _project(disk)
        backup_service(url).create()
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        before = db.read_bytes()
        with (disk / "filler").open("wb", buffering=0) as fh:
            for size in (65536, 512):
                try:
                    while True:
                        fh.write(b"\0" * size)
                except OSError:
                    pass
        shown: list[str] = []
        monkeypatch.setattr(
            corrupt_dialog.CorruptDatabaseDialog,
            "exec",
            lambda dlg: shown.append("corrupt dialog") or 0,
        )
        monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
        with pytest.raises(SystemExit):
            startup.open_workspace_gui(url, Settings(annotator="a", welcome_shown=True))
        assert len(shown) == 1 and "corrupt dialog" not in shown
        assert "full" in shown[0] and "not damaged" in shown[0]
        assert db.read_bytes() == before
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
