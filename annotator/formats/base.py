"""What every format shares: the exporter/importer protocols, reports, atomic output."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, ClassVar, Protocol

from annotator.core.model import AnnotatedDocument, Document, Span

ProgressFn = Callable[[int, int], None]
"""progress(done, total); total is 0 when unknown."""


@dataclass
class ExportReport:
    """What an export wrote and what it could not represent. Nothing is dropped silently."""

    format: str
    paths: list[str] = field(default_factory=list)
    documents: int = 0
    spans_per_label: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    """reason -> number of spans dropped for it."""

    @property
    def spans(self) -> int:
        return sum(self.spans_per_label.values())

    def summary(self) -> str:
        lines = [f"{self.format}: {self.documents} document(s), {self.spans} span(s) written"]
        lines += [f"  {label}: {n}" for label, n in sorted(self.spans_per_label.items())]
        if self.dropped:
            lines.append(f"  dropped {sum(self.dropped.values())} span(s):")
            lines += [f"    {n} × {why}" for why, n in sorted(self.dropped.items())]
        lines += [f"  -> {p}" for p in self.paths]
        return "\n".join(lines)


ExportItem = tuple[Document, list[Span]]


class Exporter(Protocol):
    NAME: ClassVar[str]
    EXTENSIONS: ClassVar[tuple[str, ...]]
    MULTI_FILE: ClassVar[bool]
    """True when ``dest`` is a folder."""

    def write(self, items: Iterable[ExportItem], dest: Path, report: ExportReport) -> None: ...


class Importer(Protocol):
    NAME: ClassVar[str]
    EXTENSIONS: ClassVar[tuple[str, ...]]

    def can_read(self, path: Path) -> bool: ...

    def read(self, path: Path, *, default_annotator: str) -> Iterator[AnnotatedDocument]:
        """Yield documents one at a time (bounded memory); raise InputError naming file and line."""
        ...


@contextlib.contextmanager
def atomic_write(dest: Path, *, mode: str = "w") -> Iterator[IO[str]]:
    """Write to a temporary file beside ``dest`` and rename it into place on success.

    A crash or error leaves ``dest`` as it was: either the whole new file or the old one.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(
            fd,
            mode,
            encoding=None if "b" in mode else "utf-8",
            newline="" if "b" not in mode else None,
        ) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)]
)


def safe_child(folder: Path, name: str) -> Path:
    """A file name inside ``folder`` that cannot escape it, whatever ``name`` holds."""
    cleaned = (
        "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._") or "document"
    )
    cleaned = cleaned[:120].rstrip(".")
    if cleaned.split(".")[0].upper() in _WINDOWS_RESERVED:
        cleaned = "_" + cleaned  # CON, nul.txt, COM1.json... are devices on Windows
    path = (folder / cleaned).resolve()
    if path.parent != folder.resolve():
        raise ValueError(f"refusing file name {name!r}")
    return path
