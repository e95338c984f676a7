"""Fault injection at open and around backups (issue 21, items 2, 3, 5, 6 and 9; issue 26).

Each test reproduces a fault on a real file system where it can: a small tmpfs mounted
for the test (full disk, read-only remount), so these need root; without it they skip
and say why. What each proves: the message names the cause (a full disk is not
"damage"), nothing stored is lost (counts before and after, ``PRAGMA integrity_check``),
and nothing half-written is left or listed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator import cli
from annotator.app import backup_service, open_workspace
from annotator.core.errors import AnnotatorError, DatabaseError
from annotator.services import health
from annotator.services.opening import (
    CorruptDatabaseError,
    DatabaseUnavailableError,
    NotAProjectError,
)
from annotator.storage import backup as sqlite_backup
from annotator.storage import migrate

pytestmark = pytest.mark.faults


# --- a small disk of our own ---------------------------------------------------------


@contextlib.contextmanager
def tmpfs(where: Path, size: str = "4m") -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (a full or read-only disk)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte; returns the filler (delete it to free the space)."""
    filler = disk / "filler.bin"
    with filler.open("wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            while True:
                fh.write(b"\0" * 512)
    return filler


def remount(disk: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(disk)], check=True)


# --- a project -----------------------------------------------------------------------


def make_project(path: Path, n_docs: int = 5) -> str:
    url = f"sqlite:///{path}"
    src = path.parent / f"{path.stem}-docs.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": i, "text": f"Document number {i}: troops moved east."}) + "\n"
            for i in range(n_docs)
        ),
        encoding="utf-8",
    )
    ws = open_workspace(url)
    ws.importer.import_paths([src])
    for doc in ws.documents.list():
        ws.annotations.add(doc.id, start=0, end=8, label="MILITARY", annotator="ann")
    ws.close()
    src.unlink()
    return url


def settle(db: Path) -> None:
    """Fold the WAL in and drop the side files, as after the last instance closed."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def counts(path: Path) -> tuple[int, int]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return (
            con.execute("SELECT count(*) FROM documents").fetchone()[0],
            con.execute("SELECT count(*) FROM spans").fetchone()[0],
        )
    finally:
        con.close()


def integrity(path: Path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- item 2: a full disk is not damage ------------------------------------------------


def test_full_disk_at_open_is_named_full_not_damaged(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk:
        db = disk / "work.sqlite3"
        url = make_project(db)
        backup_service(url).create()  # a backup exists: the old code offered to restore it
        before = counts(db)
        settle(db)  # closed cleanly: the next open must make its -shm
        filler = fill(disk)
        with pytest.raises(DatabaseError) as info:
            open_workspace(url)
        err = info.value
        assert isinstance(err, DatabaseUnavailableError)
        assert not isinstance(err, CorruptDatabaseError)
        assert err.kind == "disk-full"
        text = str(err)
        assert "full" in text and str(db) in text
        assert "damaged" in text and "not damaged" in text  # says it is NOT damaged
        assert "restore" not in text
        filler.unlink()  # space freed: the same file opens, nothing lost
        ws = open_workspace(url)
        assert (
            ws.documents.count(),
            sum(len(ws.annotations.spans(d.id)) for d in ws.documents.list()),
        ) == before
        ws.close()
        assert integrity(db) == "ok"


def test_read_only_file_system_at_open_is_named_read_only(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk:
        db = disk / "work.sqlite3"
        url = make_project(db)
        before = counts(db)
        remount(disk, "ro")
        try:
            with pytest.raises(DatabaseUnavailableError) as info:
                open_workspace(url)
            assert "read-only file system" in str(info.value)
            assert "not damaged" in str(info.value)
            assert not isinstance(info.value, CorruptDatabaseError)
        finally:
            remount(disk, "rw")
        assert counts(db) == before


# --- item 3: a full backup disk does not stop the app ---------------------------------


def test_full_backup_disk_warns_and_work_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "work.sqlite3"
    url = make_project(db)
    with tmpfs(tmp_path / "backups", size="1m") as disk:
        # Backups go to the small disk (paths.backup_dir() is <data dir>/backups).
        monkeypatch.setenv("ANNOTATOR_DATA_DIR", str(disk))
        fill(disk)
        code, _out, err = run_cli(capsys, "--db", url, "labels", "add", "NEWLABEL")
        assert code == 0, err
        assert "daily backup failed" in err and "full" in err
        assert "Traceback" not in err
        svc = backup_service(url)
        assert svc.list() == []
        assert not list(svc.folder.glob(".*.part")) if svc.folder.exists() else True
        # The window's open too: a workspace, and the warning among its notices.
        ws = open_workspace(url)
        assert any("daily backup failed" in n for n in ws.notices)
        assert "NEWLABEL" in {lab.name for lab in ws.labels.list()}
        ws.close()
        # `backup create` says what happened, with no traceback.
        code, _out, err = run_cli(capsys, "--db", url, "backup", "create")
        assert code == 1 and "full" in err and "Nothing was kept" in err
    assert integrity(db) == "ok"


# --- item 5: only real databases and backups ------------------------------------------


def test_zero_length_database_with_backups_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "work.sqlite3"
    url = make_project(db)
    info = backup_service(url).create()
    db.write_bytes(b"")  # lost its bytes (a bad copy, a truncation)
    with pytest.raises(NotAProjectError) as err:
        open_workspace(url)
    assert "empty" in str(err.value) and info.name in str(err.value)
    assert "--new-project" in str(err.value)
    assert db.stat().st_size == 0  # untouched: no schema written
    code, _out, text = run_cli(capsys, "--db", url, "stats")
    assert code == 1 and "not an Annotator project" in text
    assert db.stat().st_size == 0
    # Saying so makes a new project there, and says the backups are kept.
    code, _out, text = run_cli(capsys, "--db", url, "--new-project", "labels", "list")
    assert code == 0
    assert "Backups of an earlier project" in text and info.name in text
    assert counts(db) == (0, 0)
    assert [b.name for b in backup_service(url).list()] == [info.name]


def test_foreign_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "firefox-places.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    con.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    con.commit()
    con.close()
    before = other.read_bytes()
    url = f"sqlite:///{other}"
    with pytest.raises(NotAProjectError) as err:
        open_workspace(url)
    assert "another program's SQLite database" in str(err.value) and "moz_places" in str(err.value)
    assert other.read_bytes() == before  # no tables added, not switched to WAL
    assert not Path(f"{other}-wal").exists()
    ws = open_workspace(url, new_project=True)
    assert ws.documents.count() == 0
    ws.close()


def _put(folder: Path, name: str, data: bytes | Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(data if isinstance(data, bytes) else data.read_bytes())
    return p


def test_bad_backups_are_not_listed_nor_restored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "work.sqlite3"
    url = make_project(db)
    svc = backup_service(url)
    good = svc.create()
    before = counts(db)
    # A 0-byte backup, another program's database and a newer schema's, all newer than
    # the good one by their names, and a file whose name holds an impossible date.
    empty = _put(svc.folder, "20991231T000000.000000Z-manual.sqlite3", b"")
    foreign_src = tmp_path / "foreign.sqlite3"
    con = sqlite3.connect(foreign_src)
    con.execute("CREATE TABLE t (x TEXT)")
    con.commit()
    con.close()
    foreign = _put(svc.folder, "20991230T000000.000000Z-manual.sqlite3", foreign_src)
    newer_src = tmp_path / "newer.sqlite3"
    newer_src.write_bytes(good.path.read_bytes())
    con = sqlite3.connect(newer_src)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    newer = _put(svc.folder, "20991229T000000.000000Z-manual.sqlite3", newer_src)
    odd = _put(svc.folder, "20261399T256199.000000Z-daily.sqlite3", good.path)
    listed = svc.list()
    assert [b.name for b in listed] == [good.name]
    assert set(svc.skipped) == {empty.name, foreign.name, newer.name, odd.name}
    assert "impossible date" in svc.skipped[odd.name]
    assert "newer version" in svc.skipped[newer.name]
    # Every command still works (the impossible date crashed them all with ValueError).
    code, out, err = run_cli(capsys, "--db", url, "backup", "list")
    assert code == 0 and good.name in out and "impossible date" in err
    assert run_cli(capsys, "--db", url, "stats")[0] == 0
    for bad in (empty, foreign, newer):
        code, _out, err = run_cli(capsys, "--db", url, "backup", "restore", bad.name)
        assert code == 1, bad.name
        assert "cannot be restored" in err, err
        assert svc.skipped[bad.name].split(" (")[0] in err
    assert counts(db) == before and integrity(db) == "ok"
    assert not [b for b in svc.list() if "pre-restore" in b.name]  # nothing was replaced


def test_restore_failing_on_full_disk_leaves_nothing_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "work.sqlite3"
    url = make_project(db, n_docs=200)
    with tmpfs(tmp_path / "backups", size="2m") as disk:
        monkeypatch.setenv("ANNOTATOR_DATA_DIR", str(disk))
        svc = backup_service(url)
        good = svc.create()
        ws = open_workspace(url, read_only=True)
        ws.close()
        before = counts(db)
        fill(disk)
        code, _out, err = run_cli(capsys, "--db", url, "backup", "restore", good.name)
        assert code == 1 and "Traceback" not in err
        assert "nothing was changed" in err.lower()
        names = [b.name for b in svc.list()]
        assert names == [good.name]  # no 0-byte pre-restore copy listed
        assert not [p for p in svc.folder.iterdir() if p.stat().st_size == 0]
    assert counts(db) == before and integrity(db) == "ok"


# --- item 6: backups that finish, and no .part left -----------------------------------


WRITER = r"""
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
con.execute("PRAGMA journal_mode=WAL")
print("ready", flush=True)
i = 0
while True:
    con.execute("BEGIN IMMEDIATE")
    con.execute("UPDATE labels SET description = ? WHERE id = (SELECT min(id) FROM labels)",
                (str(i),))
    con.execute("COMMIT")
    i += 1
    time.sleep(0.002)
"""


def test_backup_finishes_while_another_process_commits(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "big.sqlite3"
    url = make_project(db, n_docs=10)
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE filler (b BLOB)")  # ~16 MB: thousands of pages to copy
    con.executemany("INSERT INTO filler VALUES (randomblob(4000))", [()] * 4000)
    con.commit()
    con.close()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        dst_path = tmp_path / "copy.sqlite3"
        dst = sqlite3.connect(dst_path)
        # Eight pages a step restart at every commit of the writer: without the deadline
        # this never ends (the old loop ran 280 restarts in 15 s on a 312 MB file).
        with caplog.at_level("INFO", logger="annotator.storage.backup"):
            steps = sqlite_backup.copy_pages(src, dst, pages=8, deadline_s=0.5)
        assert "copying the rest in one" in caplog.text  # the restarts were cut short
        dst.close()
        src.close()
        assert steps < 100_000
        assert integrity(dst_path) == "ok"
        assert counts(dst_path) == counts(db)
        # And the service's own backup, while the writer goes on.
        info = backup_service(url).create()
        assert integrity(info.path) == "ok"
    finally:
        writer.kill()
        writer.wait()
    _ = url


def test_stale_part_files_are_cleaned_but_not_a_running_backups(tmp_path: Path) -> None:
    import fcntl

    db = tmp_path / "work.sqlite3"
    url = make_project(db)
    svc = backup_service(url)
    svc.folder.mkdir(parents=True, exist_ok=True)
    stale = svc.folder / ".20261201T000000.000000Z-daily.sqlite3.abc123.part"
    stale.write_bytes(b"\0" * 100_000)  # a killed backup's
    running = svc.folder / ".20261202T000000.000000Z-daily.sqlite3.def456.part"
    running.write_bytes(b"\0" * 1000)
    with running.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as a backup in progress holds it
        svc.create()
        assert not stale.exists()
        assert running.exists()
    assert [b.kind for b in svc.list()] == ["manual"]


# --- item 9 and issue 26: damage found without reading the whole file every time ------


def _break_an_index(db: Path) -> None:
    """Index damage quick_check cannot see: the index's entries no longer match its rows."""
    con = sqlite3.connect(db)
    con.execute("CREATE INDEX ix_docs_title ON documents(title)")
    con.commit()
    con.execute("PRAGMA writable_schema=ON")
    con.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX ix_docs_title ON documents(source)' "
        "WHERE name = 'ix_docs_title'"
    )
    con.commit()
    con.close()


def test_index_damage_found_by_check_and_said_by_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "work.sqlite3"
    url = make_project(db)
    con = sqlite3.connect(db)
    con.execute("UPDATE documents SET title = 'T' || id")
    con.commit()
    con.close()
    svc = backup_service(url)
    good = svc.create()
    _break_an_index(db)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert con.execute("PRAGMA quick_check").fetchone()[0] == "ok"  # what the open ran
    con.close()
    code, _out, err = run_cli(capsys, "--db", url, "check")
    assert code == 1
    assert "damaged" in err and "ix_docs_title" in err
    assert f"backup restore {good.name}" in err
    record = health.last_check(svc)
    assert record is not None and not record.ok
    # Every command now says so, with the restore advice, without reading the whole file.
    code, _out, err = run_cli(capsys, "--db", url, "labels", "list")
    assert code == 0
    assert "found it damaged" in err and good.name in err


def _poke_bad_utf8(db: Path, marker: bytes) -> None:
    data = bytearray(db.read_bytes())
    at = data.find(marker)
    assert at > 0
    data[at : at + 2] = b"\xff\xfe"
    db.write_bytes(bytes(data))


def test_bad_utf8_found_at_open_with_the_restore_advice(tmp_path: Path) -> None:
    db = tmp_path / "work.sqlite3"
    url = make_project(db, n_docs=3)
    svc = backup_service(url)
    good = svc.create()
    ws = open_workspace(url)  # checkpoint the WAL so the text is in the main file
    ws.close()
    _poke_bad_utf8(db, b"troops moved")
    assert integrity(db) == "ok"  # SQLite's own checks see nothing wrong
    with pytest.raises(CorruptDatabaseError) as info:
        open_workspace(url)
    text = str(info.value)
    assert "not valid UTF-8" in text and "documents.text" in text
    assert good.name in text and "restore" in text


def test_check_record_stale_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "work.sqlite3"
    url = make_project(db)
    svc = backup_service(url)
    code, out, _err = run_cli(capsys, "--db", url, "check")
    assert code == 0 and "ok" in out
    record = health.last_check(svc)
    assert record is not None and record.ok
    assert health.stale_note(svc) == ""
    raw = json.loads(health.record_path(svc).read_text())
    raw["when"] = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).isoformat()
    health.record_path(svc).write_text(json.dumps(raw))
    code, _out, err = run_cli(capsys, "--db", url, "stats")
    assert code == 0 and "last full check" in err and "3 days ago" in err


# --- issue 26: read-only commands never make the daily backup nor take a write lock ---


def test_read_only_commands_make_no_backup_and_take_no_write_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator.storage import engine

    db = tmp_path / "work.sqlite3"
    url = make_project(db)
    svc = backup_service(url)
    for b in svc.list():
        b.path.unlink()  # the daily backup is due
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(engine, "MAX_ATTEMPTS", 2)
    holder = sqlite3.connect(db, isolation_level=None, timeout=1)
    holder.execute("BEGIN IMMEDIATE")  # another instance is writing (an import)
    try:
        started = time.monotonic()
        for argv in (
            ("labels", "list"),
            ("stats", "--json"),
            ("export", "-o", str(tmp_path / "out.jsonl")),
        ):
            code, _out, err = run_cli(capsys, "--db", url, *argv)
            assert code == 0, (argv, err)
        elapsed = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert svc.list() == []  # no daily backup made by a read
    assert not Path(f"{db}.lock").exists() or Path(f"{db}.lock").read_text() == ""
    assert elapsed < 60  # generous: not a timing claim, a guard against a hang
    _ = migrate
    _ = AnnotatorError


def test_bad_utf8_past_the_sample_is_named_damage_with_advice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "work.sqlite3"
    url = f"sqlite:///{db}"
    src = tmp_path / "long.jsonl"
    text = "Troops gathered. " * 800 + "The final words: ceasefire agreed."
    src.write_text(json.dumps({"id": "long", "text": text}) + "\n", encoding="utf-8")
    ws = open_workspace(url)
    ws.importer.import_paths([src])
    ws.close()
    settle(db)
    _poke_bad_utf8(db, b"ceasefire")  # far past the sample's first bytes of each row
    code, _out, err = run_cli(capsys, "--db", url, "labels", "list")  # the open's sample
    assert code == 0, err
    code, _out, err = run_cli(capsys, "--db", url, "export", "-o", str(tmp_path / "o.jsonl"))
    assert code == 1
    assert "looks damaged" in err and "annotator check" in err and "backup restore" in err
    assert "Traceback" not in err
    code, _out, err = run_cli(capsys, "--db", url, "check")
    assert code == 1 and "not valid UTF-8" in err and "documents.text" in err


KILLED_BACKUP = r"""
import sys
import time
from annotator.app import backup_service
from annotator.storage import backup
backup.STEP_PAGES, backup.STEP_DEADLINE_S = 1, 1000.0  # a long, slow copy
real = backup.copy_pages
def slow(src, dst, *, pages, deadline_s):
    print("copying", flush=True)
    time.sleep(60)  # killed in here, its .part written and locked (a fast disk copies in ms)
    return real(src, dst, pages=1, deadline_s=1000.0)
backup.copy_pages = slow
backup_service(sys.argv[1]).create()
"""


def test_killed_backups_leave_no_part_files_behind(tmp_path: Path) -> None:
    import signal

    db = tmp_path / "big.sqlite3"
    url = make_project(db)
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE filler (b BLOB)")
    con.executemany("INSERT INTO filler VALUES (randomblob(4000))", [()] * 5000)
    con.commit()
    con.close()
    svc = backup_service(url)
    left = 0
    for _ in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", KILLED_BACKUP, url],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "copying"
        time.sleep(0.2)
        child.send_signal(signal.SIGKILL)
        child.wait()
        left = len(list(svc.folder.glob(".*.part")))
    assert left >= 1  # what a killed backup leaves
    info = svc.create()  # the next backup cleans them up
    assert list(svc.folder.glob(".*.part")) == []
    assert [b.name for b in svc.list()] == [info.name]
    assert integrity(info.path) == "ok"


def test_error_codes_are_told_apart_from_damage(tmp_path: Path) -> None:
    """The causes no tmpfs can inject here (an I/O error on a healthy disk with room,
    a lock): named by SQLite's error code, never "damaged"."""
    from annotator.storage.integrity import classify

    db = tmp_path / "x.sqlite3"
    db.write_bytes(b"")

    def err(code: int, text: str) -> sqlite3.OperationalError:
        exc = sqlite3.OperationalError(text)
        exc.sqlite_errorcode = code  # type: ignore[attr-defined]
        return exc

    assert classify(err(10 | (13 << 8), "disk I/O error"), db)[0] == "io-error"
    assert classify(err(13, "database or disk is full"), db)[0] == "disk-full"
    assert classify(err(5, "database is locked"), db)[0] == "busy"
    assert classify(err(11, "database disk image is malformed"), db)[0] == "damaged"
    assert classify(err(26, "file is not a database"), db)[0] == "damaged"
