"""Which files an import reads: folders expanded, only regular files, problems named.

Devices, pipes and sockets (and links to them) are refused by name from ``stat``
alone, before anything opens them: reading ``/dev/zero`` never ends and a FIFO with
no writer blocks forever. A folder that cannot be listed is reported, not skipped.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.validate import display_path
from annotator.formats.registry import importer_for, reads_folders

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def not_regular(path: Path, *, folder_ok: bool = False) -> str | None:
    """Why ``path`` is not a file to read (following links), or None."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode) or (folder_ok and stat.S_ISDIR(mode)):
        return None
    for test, kind in _KINDS:
        if test(mode):
            return f"is {kind}, not a regular file; only regular files are imported"
    return "is not a regular file; only regular files are imported"


def _missing(p: Path) -> AnnotatorError:
    return AnnotatorError(f"{display_path(p)}: no such file or folder")


def collect_inputs(
    paths: Iterable[Path], *, format: str | None = None
) -> tuple[list[Path], list[InputError]]:
    """The files to import, in order, and the problems met finding them.

    Folders are expanded recursively (sorted, hidden entries skipped). A format that
    reads whole folders (brat) keeps each folder as one input. In a folder read file
    by file, a ``.txt`` beside a ``.ann`` is the brat text of that annotation file,
    not a document of its own, so it is skipped.
    """
    out: list[Path] = []
    problems: list[InputError] = []
    if format is not None and reads_folders(format):
        for p in paths:
            if not os.path.lexists(p):
                raise _missing(p)
            out.append(p)
        return out, problems
    for p in paths:
        if p.is_dir():
            _walk(p, format, out, problems)
        elif os.path.lexists(p):
            out.append(p)
        else:
            raise _missing(p)
    return out, problems


def _walk(root: Path, format: str | None, out: list[Path], problems: list[InputError]) -> None:
    def onerror(exc: OSError) -> None:
        where = exc.filename if exc.filename is not None else root
        problems.append(
            InputError(
                f"folder cannot be read ({exc.strerror or exc}); its files were not imported",
                path=display_path(where),
            )
        )

    found: list[Path] = []
    for folder, dirs, files in os.walk(root, onerror=onerror, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(folder, f) for f in files if not f.startswith(".")]
    for child in sorted(found):
        if child.suffix.lower() == ".txt" and child.with_suffix(".ann").is_file():
            continue
        if format is None and importer_for(child) is None:
            continue
        out.append(child)  # devices and pipes too: the import names and refuses them


def collect_files(paths: Iterable[Path], *, format: str | None = None) -> list[Path]:
    """``collect_inputs`` without the problems (kept for callers that only list)."""
    return collect_inputs(paths, format=format)[0]


Identity = tuple[tuple[str, int, int, int, int], ...]


def file_identity(path: Path) -> Identity:
    """What ``stat`` says of ``path`` (or of every file in a folder): name, size, inode,
    modification and change time. A file written, truncated or replaced changes it."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    out = []
    for p in files:
        st = os.stat(p)
        out.append((str(p), st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(out)


def content_digest(path: Path) -> str:
    """SHA-256 of the file's bytes (of a folder's files, names included), read in 1 MB
    steps: the identity of what was checked, compared again before writing."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for p in files:
        h.update(str(p.relative_to(path) if p != path else "").encode("utf-8", "replace"))
        with p.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()
