"""Is the file at the database path really a healthy Annotator database?

Checked before the engine opens the file, because the engine would write to it
(WAL mode, migrations). Everything here reads only: the header is read as bytes,
and the checks run on a ``mode=ro`` connection, so a damaged file is left exactly
as it was for the user (or a recovery tool) to rescue.

A failure is named by its cause (``FileCheck.kind``): a full disk, a read-only file
system, a missing permission or an I/O error is not damage, and is told apart from it by
SQLite's error code and the free space of the disk before anything says "damaged". An
empty file or another program's SQLite file is not an Annotator project either.

What every open checks costs the same on 1 MB and 1 GB: the header, the schema and a
sample of a few rows' text (``sample_check``). The full ``integrity_check`` plus a UTF-8
scan of every text column (``full_check``) runs on ``annotator check`` and in the window's
background at most daily.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100

# What is wrong with a file, by cause (FileCheck.kind).
DAMAGED = "damaged"
DISK_FULL = "disk-full"
READ_ONLY = "read-only"
PERMISSION = "permission"
IO_ERROR = "io-error"
BUSY = "busy"
EMPTY = "empty"
"""A zero-length file, or an SQLite file without a single table: no project (yet)."""
FOREIGN = "foreign"
"""Another program's SQLite database."""
NOT_DAMAGE = frozenset({DISK_FULL, READ_ONLY, PERMISSION, IO_ERROR, BUSY})

LOW_SPACE_BYTES = 1024 * 1024
"""Below this much free space an I/O error is put down to a full disk."""

# SQLite primary result codes (https://sqlite.org/rescode.html).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 11, 13, 14
_SQLITE_AUTH, _SQLITE_NOTADB = 23, 26

OWN_TABLES = frozenset({"documents", "labels", "spans", "alembic_version"})
"""Tables every Annotator database has: how a file is recognised as one of ours."""


@dataclass(frozen=True, slots=True)
class FileCheck:
    path: Path
    ok: bool
    problem: str = ""
    """Why the file is not usable, in words a user can read; empty when ``ok``."""
    kind: str = ""
    """The cause: DAMAGED, DISK_FULL, READ_ONLY, PERMISSION, IO_ERROR, BUSY, EMPTY, FOREIGN."""

    @property
    def damaged(self) -> bool:
        return not self.ok and self.kind == DAMAGED


def free_bytes(path: Path) -> int | None:
    """Free space on the file system holding ``path`` (None if it cannot be told)."""
    folder = path if path.is_dir() else path.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def read_only_fs(path: Path) -> bool:
    folder = path if path.is_dir() else path.parent
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # pragma: no cover - no statvfs (Windows)
        return False


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1_000_000 else f"{n / 1e3:.0f} KB"


def classify(exc: BaseException, path: Path) -> tuple[str, str]:
    """``(kind, words)`` for an SQLite error met while reading ``path``.

    Damage only when SQLite says so (``SQLITE_CORRUPT``, ``SQLITE_NOTADB``) or when the
    error has no other cause; an I/O error on a disk with almost no free space is a full
    disk, on a read-only file system a read-only one.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    low = text.lower()
    free = free_bytes(path)
    if primary == _SQLITE_FULL or "disk is full" in low:
        return DISK_FULL, _full_words(free)
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in low:
        return BUSY, "another program holds a lock on it; try again in a moment"
    if primary in (_SQLITE_IOERR, _SQLITE_CANTOPEN, _SQLITE_READONLY) or "i/o error" in low:
        if free is not None and free < LOW_SPACE_BYTES:
            return DISK_FULL, _full_words(free)
        if read_only_fs(path):
            return READ_ONLY, (
                "it is on a read-only file system, and SQLite needs to create its "
                "journal files (-wal, -shm) beside it"
            )
        problem = permission_problem(path)
        if problem:
            return PERMISSION, f"it {problem}"
        if primary == _SQLITE_READONLY:
            return READ_ONLY, f"SQLite may not write beside it ({text})"
        return IO_ERROR, f"the disk reported an error reading or writing it ({text})"
    if primary in (_SQLITE_PERM, _SQLITE_AUTH):
        return PERMISSION, f"this user may not use it ({text})"
    return DAMAGED, f"SQLite reports it damaged ({text})"


def _full_words(free: int | None) -> str:
    left = f" ({_size(free)} free)" if free is not None else ""
    return (
        f"the disk holding it is full{left}; SQLite needs a little space beside the file "
        "even to read it"
    )


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
    if read_only_fs(path):
        return (
            "is on a read-only file system (SQLite needs to create its journal files "
            "beside the database)"
        )
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


SAMPLE_ROWS = 6
SAMPLE_BYTES = 4096


def _text_columns(con: sqlite3.Connection) -> list[tuple[str, list[str]]]:
    out = []
    tables = con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for (table,) in tables:
        cols = [
            str(r[1])
            for r in con.execute(f'PRAGMA table_info("{table}")')
            if any(t in str(r[2]).upper() for t in ("TEXT", "CHAR", "CLOB"))
        ]
        if cols:
            out.append((str(table), cols))
    return out


def _bad_utf8(value: object, *, final: bool) -> bool:
    if not isinstance(value, bytes):
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(value, final=final)
    except UnicodeDecodeError:
        return True
    return False


def utf8_problem(con: sqlite3.Connection, *, sample: bool) -> str:
    """A text cell that is not UTF-8, named by table, column and rowid, or "".

    ``sample``: the first :data:`SAMPLE_BYTES` of a few rows per table (the first, the
    last and some between, found by rowid: a handful of page reads whatever the size);
    else every cell, whole.
    """
    for table, cols in _text_columns(con):
        exprs = ", ".join(
            f'substr(CAST("{c}" AS BLOB), 1, {SAMPLE_BYTES})' if sample else f'CAST("{c}" AS BLOB)'
            for c in cols
        )
        if sample:
            top = con.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()[0]
            if top is None:
                continue
            step = max(1, int(top) // SAMPLE_ROWS)
            rows: list[tuple[object, ...]] = []
            for at in range(0, int(top) + 1, step):
                rows += con.execute(
                    f'SELECT rowid, {exprs} FROM "{table}" WHERE rowid >= ? ORDER BY rowid LIMIT 1',
                    (at,),
                ).fetchall()
        else:
            rows = con.execute(f'SELECT rowid, {exprs} FROM "{table}"')  # type: ignore[assignment]
        for row in rows:
            for col, value in zip(cols, row[1:], strict=True):
                if _bad_utf8(value, final=not sample):
                    return f"the text of {table}.{col} in row {row[0]} is not valid UTF-8"
    return ""


def full_check(path: Path) -> FileCheck:
    """Everything SQLite can verify (``integrity_check``: pages, indexes, constraints) and
    every text cell's UTF-8. Reads the whole file: seconds per gigabyte. Runs beside open
    connections (the window's background check): only through SQLite, never a plain file
    handle (see :func:`check_file`)."""
    found = check_file(path, thorough=False, raw_header=False)
    if not found.ok:
        return found

    def verdict(con: sqlite3.Connection) -> str:
        rows = con.execute("PRAGMA integrity_check(20)").fetchall()
        result = "; ".join(str(r[0]) for r in rows) or "no result"
        return result if result != "ok" else utf8_problem(con, sample=False) or "ok"

    return _judged(path, verdict)


def _judged(path: Path, verdict: Callable[[sqlite3.Connection], FileCheck | str]) -> FileCheck:
    """``verdict`` run on a read-only connection: "ok", SQLite's words for damage, or a
    ``FileCheck`` of its own; SQLite's errors are named by their cause (``classify``)."""
    try:
        with connect_ro(path) as con:
            result = verdict(con)
    except sqlite3.Error as exc:
        kind, words = classify(exc, path)
        return FileCheck(path, False, words, kind)
    if isinstance(result, FileCheck):
        return result
    if result != "ok":
        return FileCheck(path, False, f"SQLite reports it damaged ({result})", DAMAGED)
    return FileCheck(path, True)


def identify(con: sqlite3.Connection) -> tuple[str, str]:
    """``(kind, words)`` when the database on ``con`` is not an Annotator project (EMPTY,
    FOREIGN), else ``("", "")``."""
    tables = {
        str(r[0])
        for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if not tables:
        return EMPTY, "it is an SQLite file without any tables: no project is stored in it"
    if not tables >= OWN_TABLES:
        shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        return FOREIGN, (
            f"it is another program's SQLite database (tables: {shown}), not an Annotator project"
        )
    return "", ""


def check_file(path: Path, *, thorough: bool = True, raw_header: bool = True) -> FileCheck:
    """Check an existing database file without modifying it.

    The header, that it is an Annotator database, and a sample of rows' text are always
    checked (a few page reads); ``thorough`` adds a ``quick_check`` that reads every page
    (seconds for a database of gigabytes, milliseconds for most).

    ``raw_header=False`` leaves out reading the header bytes with a plain file handle, for a
    process that has the database open: closing any handle on the file drops every POSIX
    lock this process holds on it, SQLite's included, and a connection that then closes
    takes itself for the last one and deletes the -wal and -shm under the others (SQLite's
    "How To Corrupt" 2.2). SQLite's own reading checks the header then.
    """
    try:
        size = path.stat().st_size
        if size == 0:
            return FileCheck(
                path, False, "it is empty (0 bytes): no project is stored in it", EMPTY
            )
        problem = header_problem(path) if raw_header else ""
    except OSError as exc:
        kind = PERMISSION if isinstance(exc, PermissionError) else IO_ERROR
        return FileCheck(path, False, f"it cannot be read ({exc.strerror or exc})", kind)
    if problem:
        return FileCheck(path, False, problem, DAMAGED)

    def verdict(con: sqlite3.Connection) -> FileCheck | str:
        kind, words = identify(con)
        if kind:
            return FileCheck(path, False, words, kind)
        result = "ok"
        if thorough:
            rows = con.execute("PRAGMA quick_check(20)").fetchall()
            result = "; ".join(str(r[0]) for r in rows) or "no result"
        return result if result != "ok" else utf8_problem(con, sample=True) or "ok"

    return _judged(path, verdict)


def verify_backup(path: Path, known: tuple[str, ...], *, full: bool = False) -> str:
    """Why ``path`` is not a backup this version can restore, or "" when it is: an
    Annotator database (not empty, not another program's), of a schema this version knows
    (not newer), healthy (``full``: integrity_check and every text cell's UTF-8; else the
    header, schema and a sample)."""
    found = full_check(path) if full else check_file(path, thorough=False)
    if not found.ok:
        return found.problem
    rev = stored_revision(path)
    if rev is None:
        return "it holds no schema version: not an Annotator database"
    if rev not in known:
        return (
            f"it was written by a newer version of Annotator (schema {rev}; this version "
            f"knows up to {known[-1]})"
        )
    return ""
