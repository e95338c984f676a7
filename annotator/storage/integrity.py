"""Is the file at the database path really a healthy SQLite database?

Checked before the engine opens the file, because the engine would write to it
(WAL mode, migrations). Everything here reads only: the header is read as bytes,
and the checks run on a ``mode=ro`` connection, so a damaged file is left exactly
as it was for the user (or a recovery tool) to rescue.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100


@dataclass(frozen=True, slots=True)
class FileCheck:
    path: Path
    ok: bool
    problem: str = ""
    """Why the file is not usable, in words a user can read; empty when ``ok``."""


def ro_uri(path: Path) -> str:
    return f"file:{quote(str(path.resolve()))}?mode=ro"


@contextlib.contextmanager
def connect_ro(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection: it cannot change the file, whatever runs on it."""
    con = sqlite3.connect(ro_uri(path), uri=True, timeout=10)
    try:
        yield con
    finally:
        con.close()


def stored_revision(path: Path) -> str | None:
    """The schema revision in the file, read on a read-only connection (None if none)."""
    try:
        with connect_ro(path) as con:
            has = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            if not has:
                return None
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None  # the integrity check reports what is wrong
    return str(row[0]) if row else None


def permission_problem(path: Path) -> str:
    """Why this user may not open ``path`` for writing, in words, or "" when it may.

    SQLite needs to write the file and to create its journal files (``-wal``,
    ``-shm``, ``-journal``) beside it; lacking either is a permission problem, not
    damage, and is said so.
    """
    folder = path.parent
    if path.exists():
        if not os.access(path, os.R_OK):
            return "cannot be read: this user has no permission to read it"
        if not os.access(path, os.W_OK):
            return "is read-only: this user has no permission to write it"
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"is in the folder {folder}, which this user may not write to (SQLite needs to "
            "create its journal files beside the database)"
        )
    return ""


def header_problem(path: Path) -> str:
    """What is wrong with the 100-byte SQLite header, or "" when it looks right."""
    with path.open("rb") as fh:
        head = fh.read(HEADER_SIZE)
    if len(head) < HEADER_SIZE:
        return f"it is too short to be a database ({len(head)} bytes)"
    if not head.startswith(SQLITE_MAGIC):
        return "it is not an SQLite database (its first bytes are not the SQLite header)"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return f"its header is damaged (page size {page_size})"
    return ""


def run_check(path: Path, *, full: bool = False) -> str:
    """``PRAGMA quick_check`` (or ``integrity_check``) on a read-only connection.

    Returns "ok" or the first problems SQLite reports.
    """
    pragma = "integrity_check" if full else "quick_check"
    try:
        with connect_ro(path) as con:
            rows = con.execute(f"PRAGMA {pragma}(20)").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    result = "; ".join(str(r[0]) for r in rows)
    return result or "no result"


def check_file(path: Path, *, thorough: bool = True) -> FileCheck:
    """Check an existing database file without modifying it.

    The header is always checked; ``thorough`` adds a ``quick_check`` that reads
    every page (seconds for a database of gigabytes, milliseconds for most).
    """
    if path.stat().st_size == 0:
        return FileCheck(path, True)  # SQLite treats an empty file as a new database
    problem = header_problem(path)
    if problem:
        return FileCheck(path, False, problem)
    if thorough:
        result = run_check(path)
    else:
        try:
            with connect_ro(path) as con:
                con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            result = "ok"
        except sqlite3.DatabaseError as exc:
            result = str(exc)
    if result != "ok":
        return FileCheck(path, False, f"SQLite reports it damaged ({result})")
    return FileCheck(path, True)
