"""Copying SQLite databases safely: the online backup API in, a verified swap out.

A backup is made with ``sqlite3.Connection.backup`` from a read-only connection,
so it is a consistent snapshot even while another instance writes, and includes
what still sits in the ``-wal`` file. It is written to a temporary name, checked,
fsynced and only then renamed into place: a crash leaves no half backup.

Restoring replaces the file itself (the current database may be the damaged one)
and deals with the WAL side files: the live WAL is checkpointed into the old file
where possible, then ``-wal`` and ``-shm`` are removed *before* the restored file
is renamed over the old one, so a stale WAL can never be replayed onto it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from annotator.core.errors import DatabaseError
from annotator.storage.integrity import check_file, connect_ro, run_check

SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be opened on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())


def _tmp_beside(dest: Path, tag: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=f".{tag}", dir=dest.parent)
    os.close(fd)
    return Path(name)


def online_backup(source: Path, dest: Path) -> Path:
    """Snapshot ``source`` into ``dest`` (atomically) and verify the copy; returns ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_beside(dest, "part")
    try:
        with connect_ro(source) as src:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst, pages=4096)
                # A backup is one plain file: no WAL to lose when it is copied around.
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        result = run_check(tmp)
        if result != "ok":
            raise DatabaseError(f"The backup of {source} failed its check ({result}); kept none.")
        _fsync_file(tmp)
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return dest


def raw_copy(source: Path, dest: Path) -> list[Path]:
    """Byte copy of a database and its side files (for a damaged file the API cannot read)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix in ("", *SIDE_SUFFIXES):
        src = Path(str(source) + suffix)
        if src.exists():
            out = Path(str(dest) + suffix)
            shutil.copy2(src, out)
            _fsync_file(out)
            written.append(out)
    _fsync_dir(dest.parent)
    return written


def keep_copy(db_path: Path, dest: Path) -> list[Path]:
    """Save the current database before it is replaced: a clean snapshot if it is healthy,
    else its exact bytes (and WAL), so nothing the user had is thrown away."""
    if check_file(db_path).ok:
        try:
            return [online_backup(db_path, dest)]
        except (sqlite3.DatabaseError, DatabaseError):
            pass
    return raw_copy(db_path, dest)


def checkpoint(db_path: Path) -> None:
    """Fold the WAL into the main file and truncate it; harmless on a damaged file."""
    with contextlib.suppress(sqlite3.DatabaseError):
        con = sqlite3.connect(db_path, timeout=10)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()


def replace_database(backup: Path, db_path: Path) -> None:
    """Put a verified copy of ``backup`` at ``db_path``. The caller has closed every
    connection to ``db_path`` and saved a copy of it (``keep_copy``)."""
    result = run_check(backup, full=True)
    if result != "ok":
        raise DatabaseError(f"The backup {backup.name} is damaged ({result}); nothing was changed.")
    tmp = _tmp_beside(db_path, "restore")
    try:
        shutil.copyfile(backup, tmp)
        _fsync_file(tmp)
        if db_path.exists() and check_file(db_path, thorough=False).ok:
            checkpoint(db_path)
        for suffix in SIDE_SUFFIXES:
            with contextlib.suppress(FileNotFoundError):
                Path(str(db_path) + suffix).unlink()
        os.replace(tmp, db_path)
        _fsync_dir(db_path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
