"""A damaged database file is named, never touched, and the newest backup offered;
two instances on one file work side by side and the second is told about the first."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from annotator.app import backup_service, open_workspace
from annotator.services.opening import CorruptDatabaseError, other_instance_notice
from annotator.storage.instance import marker_path

DRIVER = Path(__file__).with_name("driver.py")


def _db(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "work.sqlite3"
    url = f"sqlite:///{path}"
    src = tmp_path / "d.jsonl"
    src.write_text(json.dumps({"id": 1, "text": "A document worth keeping. " * 400}) + "\n")
    ws = open_workspace(url)
    ws.importer.import_paths([src])
    ws.close()
    return url, path


def _damage_pages(data: bytes) -> bytes:
    out = bytearray(data)
    page = int.from_bytes(out[16:18], "big")
    for p in range(1, len(out) // page):  # every page but the first (which holds the header)
        out[p * page : p * page + 64] = b"\xa5" * 64
    return bytes(out)


DAMAGES = {
    "text_file": lambda data: b"Dear diary, this is not a database.\n" * 50,
    "truncated_header": lambda data: data[:40],
    "wrong_magic": lambda data: b"SQLite format 2\x00" + data[16:],
    "damaged_pages": _damage_pages,
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_damaged_file_is_named_left_untouched_and_newest_backup_offered(
    tmp_path: Path, damage: str
) -> None:
    url, path = _db(tmp_path)
    svc = backup_service(url)
    svc.create()
    newest = svc.create()
    path.write_bytes(DAMAGES[damage](path.read_bytes()))
    before = path.read_bytes()
    with pytest.raises(CorruptDatabaseError) as info:
        open_workspace(url)
    msg = str(info.value)
    assert str(path) in msg and "left exactly as it is" in msg
    assert newest.name in msg and f"backup restore {newest.name}" in msg
    assert f"--db {url}" in msg  # the command works as printed for a non-default database
    assert path.read_bytes() == before


def test_damaged_file_without_backups_says_so_and_cli_exits_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"\x00\x01garbage" * 1000)
    before = path.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", f"sqlite:///{path}", "stats"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert proc.returncode == 1
    assert str(path) in proc.stderr and "no backup" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.sqlite3"]  # no -wal, no marker


def test_second_instance_is_told_and_both_write(tmp_path: Path) -> None:
    url, _path = _db(tmp_path)
    first = open_workspace(url)
    second = open_workspace(url)
    assert other_instance_notice(first) == ""
    notice = other_instance_notice(second)
    assert f"process {os.getpid()}" in notice and "also open" in notice
    doc = first.documents.list()[0].id

    def tag(ws: object, who: str) -> None:
        for i in range(60):
            ws.annotations.add(doc, start=i, end=i + 3, label="MILITARY", annotator=who)  # type: ignore[attr-defined]

    threads = [
        threading.Thread(target=tag, args=(ws, n)) for ws, n in ((first, "a"), (second, "b"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(first.annotations.spans(doc)) == 120 == len(second.annotations.spans(doc))
    first.close()
    second.close()
    # Once both are closed, nobody is reported.
    third = open_workspace(url)
    assert other_instance_notice(third) == ""
    third.close()


def test_marker_of_a_killed_process_is_stale(tmp_path: Path) -> None:
    url, path = _db(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), "tag", url, "1", "victim"],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    assert proc.stdout is not None
    proc.stdout.readline()
    ws = open_workspace(url)
    assert f"process {proc.pid}" in other_instance_notice(ws)
    ws.close()
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert str(proc.pid) in marker_path(path).read_text()  # the marker file is still there...
    ws = open_workspace(url)
    assert other_instance_notice(ws) == ""  # ...but nobody holds it
    ws.close()


def test_cli_write_command_warns_on_stderr_when_another_instance_is_open(tmp_path: Path) -> None:
    url, _ = _db(tmp_path)
    src = tmp_path / "more.txt"
    src.write_text("Another article.\n\nWith a body.", encoding="utf-8")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "annotator", "--db", url, *args],
            capture_output=True,
            text=True,
            env=dict(os.environ),
            timeout=60,
        )

    assert "also open" not in cli("import", str(src)).stderr
    ws = open_workspace(url)
    try:
        imported = cli("labels", "add", "ENERGY")
        assert imported.returncode == 0
        assert "warning" in imported.stderr and f"process {os.getpid()}" in imported.stderr
        assert "also open" not in cli("stats").stderr  # read-only commands stay quiet
    finally:
        ws.close()
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    assert ("ENERGY",) in con.execute("SELECT name FROM labels").fetchall()
    con.close()
