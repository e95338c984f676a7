"""A file read and validated for import, before any transaction: records, labels, result.

Shared by :mod:`annotator.services.importing` (which reads the files) and
:mod:`annotator.services.import_write` (which stores them), so neither imports the other
back.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.model import AnnotatedDocument, Label
from annotator.core.validate import display_path, record_problem
from annotator.formats.base import Importer
from annotator.services.labels import default_color
from annotator.storage import Tx, repo

log = logging.getLogger(__name__)


class UnknownLabelsError(InputError):
    """The file uses labels the project does not have; the caller may offer to create them."""

    def __init__(self, labels: dict[str, int], *, path: str) -> None:
        self.labels = labels
        first_line = min(labels.values()) if labels else None
        names = ", ".join(sorted(labels))
        super().__init__(
            f"unknown label(s) {names}; add them first (annotator labels add NAME) or "
            "import with --create-labels",
            path=path,
            line=first_line or None,
        )


class LabelGate:
    """The labels a file may use. Missing ones are created when the user asked for it;
    otherwise each is remembered with the first line naming it, and nothing more is
    stored, so the refusal can name every unknown label at once."""

    def __init__(self, s: Tx, *, create: bool, created: list[str]) -> None:
        self._s = s
        self._create = create
        self._created = created
        self._labels = {lab.name for lab in repo.list_labels(s)}
        self.unknown: dict[str, int] = {}

    def admit(self, item: AnnotatedDocument) -> bool:
        """True when ``item`` may be stored (all its labels exist, none missing so far)."""
        for name in sorted({sp.label for sp in item.spans} - self._labels):
            if self._create:
                repo.add_label(self._s, Label(name, default_color(len(self._labels))))
                self._labels.add(name)
                self._created.append(name)
            else:
                self.unknown.setdefault(name, item.line)
        return not self.unknown

    def admit_names(self, first_lines: Mapping[str, int]) -> None:
        """``admit`` for a whole file's labels at once (name -> first line using it)."""
        for name in sorted(set(first_lines) - self._labels):
            if self._create:
                repo.add_label(self._s, Label(name, default_color(len(self._labels))))
                self._labels.add(name)
                self._created.append(name)
            else:
                self.unknown.setdefault(name, first_lines[name])

    def check(self, path: Path | str) -> None:
        if self.unknown:
            raise UnknownLabelsError(self.unknown, path=display_path(path))


@dataclass
class FileResult:
    path: str
    documents_added: int = 0
    documents_matched: int = 0
    spans_added: int = 0
    labels_created: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    """Titles of documents already stored (matched by content hash), not stored twice."""
    skipped: dict[str, int] = field(default_factory=dict)
    """reason -> records the format reader left out on purpose (Prodigy rejects...)."""
    repaired: dict[str, int] = field(default_factory=dict)
    """what -> how often the reader mended the text (lines broken by a page break...)."""
    error: AnnotatorError | None = None


BATCH_FILES = 200
"""Small files written per transaction: 10,000 one-page files cost 50 fsyncs, not 10,000."""


@dataclass
class ParsedFile:
    """A file read and validated outside any transaction, ready to be written."""

    path: Path
    importer: Importer
    result: FileResult
    items: list[AnnotatedDocument] | None
    """The records, or None when the file was too big to keep and is read again."""
    rows: int = 0
    """Documents plus spans: what the write costs."""
    labels: dict[str, int] = field(default_factory=dict)
    """Each label the file uses, with the first line using it."""

    def records(self, annotator: str) -> Iterator[AnnotatedDocument]:
        if self.items is not None:
            yield from self.items
        else:
            yield from checked_records(self.importer, self.path, annotator)


KEEP_ROWS = 300_000
"""Files with more documents plus spans are validated, then read again to write,
instead of being held in memory whole."""


def checked_records(importer: Importer, path: Path, annotator: str) -> Iterator[AnnotatedDocument]:
    """The file's records, each validated (file and line named); a file of none is refused."""
    name = display_path(path)
    fix_names = name != str(path)  # a file name that is not UTF-8
    seen = False
    try:
        for item in importer.read(path, default_annotator=annotator):
            if fix_names:
                item = _displayable_names(item)
            problem = record_problem(item)
            if problem is not None:
                raise InputError(problem, path=name, line=item.line or None)
            seen = True
            yield item
    except InputError as exc:
        if exc.path is not None and exc.path != name and display_path(exc.path) == name:
            raise InputError(exc.reason, path=name, line=exc.line) from exc
        raise
    except RecursionError:
        raise InputError("is nested too deeply to read", path=name) from None
    except (OSError, MemoryError):
        raise
    except Exception as exc:  # a reader's gap: still this file's fault, not a crash
        log.warning("reading %s failed", name, exc_info=True)
        raise InputError(f"cannot be read ({type(exc).__name__}: {exc})", path=name) from exc
    if not seen:
        raise InputError("holds no documents (an empty file is refused)", path=name)


def _displayable_names(item: AnnotatedDocument) -> AnnotatedDocument:
    """Titles and source paths taken from a non-UTF-8 file name, made storable."""
    doc = item.document
    fixed = dataclasses.replace(
        doc,
        title=display_path(doc.title),
        source_path=display_path(doc.source_path),
        external_id=display_path(doc.external_id),
    )
    return dataclasses.replace(item, document=fixed)
