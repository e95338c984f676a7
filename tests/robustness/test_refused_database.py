"""A database that will be refused is read without changing a byte, and a permission
problem is reported as one, not as damage."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from annotator import cli
from annotator.services import Workspace


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def _made(tmp_path: Path) -> Path:
    path = tmp_path / "db" / "a.sqlite3"
    path.parent.mkdir()
    ws = Workspace.open(f"sqlite:///{path}")
    ws.close()
    return path


def test_newer_database_in_rollback_journal_mode_keeps_every_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _made(tmp_path)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = _digest(path.parent)
    assert list(before) == ["a.sqlite3"]
    assert cli.main(["--db", f"sqlite:///{path}", "stats"]) == 1
    err = capsys.readouterr().err
    assert "newer version" in err and "nothing was changed" in err
    assert _digest(path.parent) == before  # no WAL switch, no -wal or -shm file
    head = path.read_bytes()[18:20]
    assert head == b"\x01\x01"  # still rollback-journal (WAL would be 2, 2)


def _deny(monkeypatch: pytest.MonkeyPatch, target: Path, mode: int) -> None:
    """What os.access says to a user without ``mode`` on ``target`` (tests run as root,
    whom the kernel lets write anything)."""
    real = os.access

    def access(p: object, m: int, **kw: object) -> bool:
        if Path(str(p)) == target and m & mode:
            return False
        return real(p, m, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)


@pytest.mark.parametrize("where", ["file", "folder"])
def test_permission_problem_is_not_reported_as_damage(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    path = _made(tmp_path)
    before = _digest(path.parent)
    _deny(monkeypatch, path if where == "file" else path.parent, os.W_OK)
    assert cli.main(["--db", f"sqlite:///{path}", "stats"]) == 1
    err = capsys.readouterr().err
    assert "reports it damaged" not in err and "cannot be used" not in err
    assert ("read-only" if where == "file" else "may not write to") in err
    assert "not damaged" in err
    assert _digest(path.parent) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a 0444 file")
def test_read_only_file_for_real(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _made(tmp_path)
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    assert cli.main(["--db", f"sqlite:///{path}", "stats"]) == 1
    assert "read-only" in capsys.readouterr().err
