"""Copying SQLite databases safely: the online backup API in, a verified swap out.

A backup is made with ``sqlite3.Connection.backup`` from a read-only connection,
so it is a consistent snapshot even while another instance writes, and includes
what still sits in the ``-wal`` file. It is written to a temporary name, checked,
fsynced and only then renamed into place: a crash leaves no half backup.

The copy goes in steps of a bounded number of pages, so a short backup never blocks
anyone; another instance's commit makes SQLite restart it, so after ``STEP_DEADLINE_S``
the rest is copied in one step under one read transaction (in WAL mode a reader blocks
no writer): a backup always finishes, however busy the database. The temporary ``.part``
file is held with an OS lock while it is written; ``clean_stale_parts`` removes the
ones a killed backup left (their lock is gone).

Restoring replaces the file itself (the current database may be the damaged one)
and deals with the WAL side files: the live WAL is checkpointed into the old file
where possible, then ``-wal`` and ``-shm`` are removed *before* the restored file
is renamed over the old one, so a stale WAL can never be replayed onto it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from annotator.core.errors import DatabaseError
from annotator.storage.integrity import (
    DISK_FULL,
    PERMISSION,
    READ_ONLY,
    check_file,
    classify,
    connect_ro,
    free_bytes,
    run_check,
)

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
STEP_PAGES = 1024
"""Pages per backup step (4 MB at the default page size)."""
STEP_DEADLINE_S = 2.0
"""After this long in bounded steps, the rest is copied in one step (one read transaction)."""
STALE_PART_S = 600.0
"""Without OS locks (Windows), a .part file untouched this long is a killed backup's."""


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


def _lock_part(path: Path) -> IO[bytes] | None:
    """Hold an exclusive lock on a .part file while it is written (None without fcntl)."""
    if fcntl is None:  # pragma: no cover - Windows
        return None
    fh = path.open("rb")
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    return fh


def clean_stale_parts(folder: Path) -> list[Path]:
    """Remove the ``.part`` files killed backups left in ``folder`` (not a running one's)."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for part in folder.glob(".*.part"):
        try:
            if fcntl is not None:
                with part.open("rb") as fh:
                    try:
                        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        continue  # a backup is writing it right now
                    part.unlink()
            elif time.time() - part.stat().st_mtime > STALE_PART_S:  # pragma: no cover
                part.unlink()
            else:  # pragma: no cover
                continue
        except OSError:
            continue
        removed.append(part)
    if removed:
        log.info("removed %d unfinished backup file(s) in %s", len(removed), folder)
    return removed


def copy_pages(
    src: sqlite3.Connection,
    dst: sqlite3.Connection,
    *,
    pages: int = STEP_PAGES,
    deadline_s: float = STEP_DEADLINE_S,
) -> int:
    """Copy ``src`` into ``dst`` with the backup API: steps of ``pages`` pages until
    ``deadline_s``, then the rest in one step. Returns the number of steps taken."""
    steps = 0
    started = time.monotonic()
    done = False

    def progress(_status: int, remaining: int, _total: int) -> None:
        nonlocal steps, done
        steps += 1
        done = remaining == 0
        if not done and time.monotonic() - started > deadline_s:
            # Bounded steps keep restarting while another instance commits: stop them
            # here (Python ends the backup by raising) and copy the rest in one step.
            raise _Overtime

    try:
        src.backup(dst, pages=pages, progress=progress)
    except _Overtime:
        log.info("backup: %d bounded steps in %.1f s; copying the rest in one", steps, deadline_s)
        src.backup(dst, pages=-1)
        steps += 1
    return steps


class _Overtime(Exception):
    pass


def backup_error(exc: BaseException, source: Path, folder: Path) -> DatabaseError:
    """A failed copy named by its cause: the backup folder's disk (full, read-only) or the
    database's."""
    kind, words = classify(exc, folder)
    if kind == DISK_FULL:
        free = free_bytes(folder)
        left = f" ({free // 1024} KB free)" if free is not None else ""
        why = f"the disk holding {folder} is full{left}"
    elif kind in (READ_ONLY, PERMISSION):
        why = f"{folder} cannot be written ({words})"
    else:
        why = classify(exc, source)[1]
    return DatabaseError(
        f"The backup of {source} could not be made: {why}. Nothing was kept, and the "
        "database itself is unchanged."
    )


def _copy_into(tmp: Path, source_connection: Any, *, pages: int, deadline_s: float) -> None:
    with source_connection as src:
        dst = sqlite3.connect(tmp)
        try:
            copy_pages(src, dst, pages=pages, deadline_s=deadline_s)
            # A backup is one plain file: no WAL to lose when it is copied around.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()


def online_backup(
    source: Path, dest: Path, *, pages: int = STEP_PAGES, deadline_s: float = STEP_DEADLINE_S
) -> Path:
    """Snapshot ``source`` into ``dest`` (atomically) and verify the copy; returns ``dest``.

    A failure (a full disk) raises a ``DatabaseError`` naming its cause and leaves nothing
    behind: no ``dest``, no ``.part``.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_beside(dest, "part")
    held = _lock_part(tmp)
    try:
        try:
            _copy_into(tmp, connect_ro(source), pages=pages, deadline_s=deadline_s)
        except sqlite3.Error as exc:
            raise backup_error(exc, source, dest.parent) from exc
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
    finally:
        if held is not None:
            held.close()
    return dest


def raw_copy(source: Path, dest: Path) -> list[Path]:
    """Byte copy of a database and its side files (for a damaged file the API cannot read).

    Each file goes to a temporary name first: a copy cut short (a full disk) leaves
    nothing under the final names."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    done: list[Path] = []
    try:
        for suffix in ("", *SIDE_SUFFIXES):
            src = Path(str(source) + suffix)
            if not src.exists():
                continue
            out = Path(str(dest) + suffix)
            tmp = _tmp_beside(out, "part")
            try:
                shutil.copy2(src, tmp)
                _fsync_file(tmp)
                os.replace(tmp, out)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
                raise
            done.append(out)
        _fsync_dir(dest.parent)
    except BaseException:
        for out in done:
            with contextlib.suppress(FileNotFoundError):
                out.unlink()
        raise
    return done


def keep_copy(db_path: Path, dest: Path) -> list[Path]:
    """Save the current database before it is replaced: a clean snapshot if it is healthy,
    else its exact bytes (and WAL), so nothing the user had is thrown away. A copy that
    cannot be made (a full disk) raises, and leaves no file behind."""
    if check_file(db_path, raw_header=False).ok:  # the database may be open here
        try:
            return [online_backup(db_path, dest)]
        except DatabaseError as exc:  # e.g. damage the open's sample missed: keep the bytes
            log.warning("a clean copy of %s failed (%s); keeping its bytes", db_path, exc)
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
        if db_path.exists() and check_file(db_path, thorough=False, raw_header=False).ok:
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
