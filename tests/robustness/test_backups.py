"""Backups: online copies, daily rotation keeping N, the pre-migration hook, and restore
(verified first, the current database kept, WAL side files handled)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import paths
from annotator.app import backup_service, open_workspace
from annotator.core.errors import AnnotatorError, DatabaseError
from annotator.services.backups import DAILY, PRE_MIGRATION, PRE_RESTORE, BackupService
from annotator.storage import migrate

DRIVER = Path(__file__).with_name("driver.py")


def _db(tmp_path: Path, n_docs: int = 3) -> tuple[str, Path]:
    path = tmp_path / "work.sqlite3"
    url = f"sqlite:///{path}"
    src = tmp_path / "docs.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": i, "text": f"Document number {i}."}) + "\n" for i in range(n_docs)
        ),
        encoding="utf-8",
    )
    ws = open_workspace(url)
    ws.importer.import_paths([src])
    ws.close()
    return url, path


def _titles(path: Path) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in con.execute("SELECT text FROM documents ORDER BY id")]
    finally:
        con.close()


def test_create_list_and_restore_round_trip(tmp_path: Path) -> None:
    url, _path = _db(tmp_path)
    svc = backup_service(url)
    info = svc.create()
    assert info.path.parent.parent == paths.backup_dir()
    assert [b.name for b in svc.list()] == [info.name]
    assert sqlite3.connect(info.path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    ws = open_workspace(url)
    doc = ws.documents.list()[0].id
    ws.annotations.add(doc, start=0, end=8, label="MILITARY", annotator="ann")
    ws.close()
    chosen, saved = svc.restore(info.name[:10])  # a unique prefix is enough
    assert chosen.name == info.name
    ws = open_workspace(url)
    assert ws.annotations.spans(doc) == []  # back to the backup
    ws.close()
    (kept,) = saved
    assert PRE_RESTORE in kept.name
    con = sqlite3.connect(kept)
    assert con.execute("SELECT count(*) FROM spans").fetchone() == (1,)  # the tag is kept
    con.close()


def test_daily_backup_rotation_keeps_n(tmp_path: Path) -> None:
    _, path = _db(tmp_path)
    svc = BackupService(path, backup_root=tmp_path / "bk", keep=3)
    start = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    made = []
    for day in range(8):
        for hour in (0, 5, 23):  # several opens a day: one backup per 24 h
            info = svc.daily_if_due(now=start + dt.timedelta(days=day, hours=hour))
            if info is not None:
                made.append(info.name)
    assert len(made) == 8
    assert [b.name for b in svc.list()] == sorted(made, reverse=True)[:3]
    assert all(b.kind == DAILY for b in svc.list())


def test_open_makes_a_daily_backup_only_when_due(tmp_path: Path) -> None:
    url, _ = _db(tmp_path)
    svc = backup_service(url)
    assert svc.list() == []  # a database created just now needs none
    open_workspace(url).close()
    assert [b.kind for b in svc.list()] == [DAILY]
    open_workspace(url).close()
    assert len(svc.list()) == 1  # not again within 24 h


def test_pre_restore_copy_is_not_rotated_away(tmp_path: Path) -> None:
    _url, path = _db(tmp_path)
    svc = BackupService(path, backup_root=tmp_path / "bk", keep=1)
    first = svc.create()
    svc.restore(first.name)
    for _ in range(3):
        svc.create()
    kinds = [b.kind for b in svc.list()]
    assert kinds.count(PRE_RESTORE) == 1 and len(kinds) == 2


def _migrations_with_a_new_revision(tmp_path: Path) -> Path:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9000_test_only.py").write_text(
        f'revision = "9000"\ndown_revision = "{migrate.HEAD}"\n'
        "branch_labels = None\ndepends_on = None\n"
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        "def upgrade():\n"
        "    op.create_table('added_in_9000', sa.Column('id', sa.Integer, primary_key=True))\n\n"
        "def downgrade():\n    op.drop_table('added_in_9000')\n",
        encoding="utf-8",
    )
    return scripts


def test_migration_of_an_older_database_is_preceded_by_a_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, path = _db(tmp_path)  # at today's head
    old_head = migrate.HEAD
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", _migrations_with_a_new_revision(tmp_path))
    monkeypatch.setattr(migrate, "HEAD", "9000")
    monkeypatch.setattr(migrate, "KNOWN", (*migrate.KNOWN, "9000"))
    open_workspace(url).close()
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("9000",)
    con.close()
    (pre,) = [b for b in backup_service(url).list() if b.kind == PRE_MIGRATION]
    con = sqlite3.connect(pre.path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (old_head,)
    assert con.execute("SELECT count(*) FROM documents").fetchone() == (3,)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "added_in_9000" not in tables
    con.close()


def test_restore_refuses_a_damaged_backup_and_changes_nothing(tmp_path: Path) -> None:
    url, path = _db(tmp_path)
    svc = backup_service(url)
    info = svc.create()
    data = bytearray(info.path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = b"\xff" * 4096
    info.path.write_bytes(bytes(data))
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="damaged"):
        svc.restore(info.name)
    assert path.read_bytes() == before
    # No pre-restore copy either. (Where the flipped bytes land decides whether the cheap
    # check at listing already skips the backup, or the full check before restoring.)
    assert [b.kind for b in svc.list()] in (["manual"], [])


def test_restore_refused_while_another_instance_has_it_open(tmp_path: Path) -> None:
    url, _ = _db(tmp_path)
    svc = backup_service(url)
    info = svc.create()
    ws = open_workspace(url)
    with pytest.raises(DatabaseError, match="open in another Annotator"):
        svc.restore(info.name)
    ws.close()
    svc.restore(info.name)
    with pytest.raises(AnnotatorError, match="not a backup"):
        svc.restore("nope")


def test_restore_over_a_killed_writer_never_replays_its_wal(tmp_path: Path) -> None:
    """A process killed mid-session leaves committed tags in -wal. The pre-restore copy
    must hold them; the restored database must not pick the stale WAL up."""
    url, path = _db(tmp_path)
    svc = backup_service(url)
    info = svc.create()
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), "tag", url, "1", "killed"],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    assert proc.stdout is not None
    ids = [proc.stdout.readline() for _ in range(20)]
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert Path(str(path) + "-wal").stat().st_size > 0
    _, saved = svc.restore(info.name)
    for suffix in ("-wal", "-shm"):
        assert not Path(str(path) + suffix).exists()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("SELECT count(*) FROM spans").fetchone() == (0,)
    con.close()
    con = sqlite3.connect(saved[0])
    kept = {r[0] for r in con.execute("SELECT id FROM spans")}
    assert {int(i) for i in ids} <= kept
    con.close()


def test_restore_replaces_a_garbage_file_and_keeps_its_bytes(tmp_path: Path) -> None:
    url, path = _db(tmp_path)
    svc = backup_service(url)
    info = svc.create()
    path.write_bytes(b"this is not a database at all" * 100)
    _, saved = svc.restore(info.name)
    assert saved[0].read_bytes() == b"this is not a database at all" * 100
    assert _titles(path) == [f"Document number {i}." for i in range(3)]


def test_cli_backup_commands(tmp_path: Path) -> None:
    url, _ = _db(tmp_path)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "annotator", "--db", url, "backup", *args],
            capture_output=True,
            text=True,
            env=dict(os.environ),
            timeout=60,
        )

    assert "no backups" in cli("list").stdout
    made = cli("create")
    assert made.returncode == 0 and "backup written" in made.stdout
    assert "manual" in cli("list").stdout
    restored = cli("restore")
    assert restored.returncode == 0, restored.stderr
    assert "previous database was saved" in restored.stdout
