"""Exports that are whole or absent: temp file or folder beside the target, then a rename.

Temporary names carry the writer's process id (``.out.jsonl.4242-x1y2.part``), so the
next export to the same place can tell a killed run's leftovers (its process is
gone) from a run still going, and removes only the former. A folder export is
built in a hidden sibling folder and put in place in one step: on Linux by an
atomic exchange with the old folder (``renameat2``), elsewhere by two renames
whose gap the next export repairs.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

from annotator.core.errors import AnnotatorError

MARKER = ".annotator-export"
"""Written into every folder export: such a folder may be replaced by the next export."""
_REPLACEABLE_SUFFIXES = {".ann", ".txt", ".conf"}
LEGACY_AGE_S = 3600.0
"""Leftovers without a process id (older versions) are removed once this old."""


def _prefix(dest: Path) -> str:
    return f".{dest.name}.{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def clean_stale_parts(dest: Path) -> list[Path]:
    """Remove the temp files and folders killed exports to ``dest`` left; return them.

    If a killed folder export left the old folder aside and ``dest`` missing, the old
    folder is put back instead of removed.
    """
    head = f".{dest.name}."
    pattern = re.compile(r"(?:(\d+)-)?([^/]*)\.part")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(dest.parent))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.startswith(head) and entry.name.endswith(".part")):
            continue
        m = pattern.fullmatch(entry.name[len(head) :])
        if m is None:
            continue
        path = Path(entry.path)
        if m.group(1) is not None:
            if _alive(int(m.group(1))):
                continue
        else:
            with contextlib.suppress(OSError):
                if time.time() - entry.stat(follow_symlinks=False).st_mtime < LEGACY_AGE_S:
                    continue
        if m.group(2) == "old" and not os.path.lexists(dest):
            with contextlib.suppress(OSError):
                os.rename(path, dest)
                continue
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                os.unlink(path)
            removed.append(path)
    return removed


def _inside_part_folder(dest: Path) -> bool:
    return dest.parent.name.endswith(".part") and dest.parent.name.startswith(".")


@contextlib.contextmanager
def atomic_write(dest: Path, *, mode: str = "w") -> Iterator[IO[str]]:
    """Write to a temporary file beside ``dest`` and rename it into place on success.

    A crash or error leaves ``dest`` as it was: either the whole new file or the old one.
    """
    if dest.is_dir():
        raise AnnotatorError(f"{dest} is a folder; name the file to write")
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not _inside_part_folder(dest):
        clean_stale_parts(dest)
    fd, tmp = tempfile.mkstemp(prefix=_prefix(dest), suffix=".part", dir=dest.parent)
    try:
        binary = "b" in mode
        encoding = None if binary else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding, newline=None if binary else "") as fh:
            yield fh
            fh.flush()
            # mkstemp makes the file private (0600); an export gets the usual permissions.
            os.fchmod(fh.fileno(), _file_mode(dest))
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_write_bytes(dest: Path) -> Iterator[IO[bytes]]:
    """``atomic_write`` for binary output."""
    with atomic_write(dest, mode="wb") as fh:
        yield cast("IO[bytes]", fh)


def _file_mode(dest: Path) -> int:
    """The replaced file's mode, else what a plain open() would give under the umask."""
    try:
        return dest.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def _check_replaceable(dest: Path) -> None:
    """Refuse to replace a folder that holds anything but an earlier export."""
    if not os.path.lexists(dest):
        return
    if not dest.is_dir():
        raise AnnotatorError(f"{dest} is a file; a folder export needs a folder name")
    if (dest / MARKER).exists():
        return
    for root, _dirs, files in os.walk(dest):
        for f in files:
            if not f.startswith(".") and Path(f).suffix.lower() not in _REPLACEABLE_SUFFIXES:
                raise AnnotatorError(
                    f"{dest} already holds files that are not an export (such as "
                    f"{Path(root, f).relative_to(dest)}); choose a new or empty folder"
                )


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    return int(fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)) == 0


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_folder(dest: Path) -> Iterator[Path]:
    """Build a folder export in a hidden folder beside ``dest``; put it in place on success.

    The previous export stays whole until the new one is complete, then the two are
    swapped in one step. A folder holding anything but an earlier export is refused,
    never replaced.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_parts(dest)
    _check_replaceable(dest)
    tmp = Path(tempfile.mkdtemp(prefix=_prefix(dest), suffix=".part", dir=dest.parent))
    try:
        yield tmp
        with atomic_write(tmp / MARKER) as fh:
            fh.write("Written by Annotator; the next export to this folder replaces it.\n")
        os.chmod(tmp, 0o777 & ~_umask())
        _fsync_dir(tmp)
        if not dest.exists():
            os.rename(tmp, dest)
        elif not _exchange(tmp, dest):
            old = dest.parent / f"{_prefix(dest)}old.part"
            os.rename(dest, old)
            os.rename(tmp, dest)
            tmp = old
        _fsync_dir(dest.parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _umask() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return umask
