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
from annotator.services.import_files import Identity, content_digest, file_identity
from annotator.services.labels import default_color
from annotator.storage import Tx, repo

log = logging.getLogger(__name__)


SHOWN_NAMES = 5
"""How many unknown label names a refusal lists (then a count): 20,000 new labels made a
10 MB line."""


class UnknownLabelsError(InputError):
    """The file uses labels the project does not have; the caller may offer to create them."""

    def __init__(self, labels: dict[str, int], *, path: str) -> None:
        self.labels = labels
        first_line = min(labels.values()) if labels else None
        names = sorted(labels)
        shown = ", ".join(names[:SHOWN_NAMES])
        if len(names) > SHOWN_NAMES:
            shown += f" and {len(names) - SHOWN_NAMES} more ({len(names)} in all)"
        super().__init__(
            f"unknown label(s) {shown}; add them first (annotator labels add NAME) or "
            "import with --create-labels",
            path=path,
            line=first_line or None,
        )


class LabelGate:
    """The labels a file may use. Missing ones are created when the user asked for it (all
    of a file's in one statement); otherwise each is remembered with the first line naming
    it, and nothing more is stored, so the refusal can name the unknown labels at once."""

    def __init__(self, s: Tx, *, create: bool, created: list[str]) -> None:
        self._s = s
        self._create = create
        self._created = created
        self._labels: set[str] = set()
        self.unknown: dict[str, int] = {}

    def _missing(self, names: Mapping[str, int]) -> list[str]:
        ask = set(names) - self._labels
        if ask:
            self._labels |= repo.existing_label_names(self._s, ask)
        return sorted(ask - self._labels)

    def _add(self, missing: list[str], first_lines: Mapping[str, int]) -> None:
        if self._create and missing:
            start = repo.count_labels(self._s)
            repo.add_labels(
                self._s, [Label(n, default_color(start + i)) for i, n in enumerate(missing)]
            )
            self._labels.update(missing)
            self._created += missing
        else:
            for name in missing:
                self.unknown.setdefault(name, first_lines[name])

    def admit(self, item: AnnotatedDocument) -> bool:
        """True when ``item`` may be stored (all its labels exist, none missing so far)."""
        lines = {sp.label: item.line for sp in item.spans}
        self._add(self._missing(lines), lines)
        return not self.unknown

    def admit_names(self, first_lines: Mapping[str, int]) -> None:
        """``admit`` for a whole file's labels at once (name -> first line using it)."""
        self._add(self._missing(first_lines), first_lines)

    def check(self, path: Path | str) -> None:
        if self.unknown:
            raise UnknownLabelsError(self.unknown, path=display_path(path))


@dataclass
class FileResult:
    path: str
    documents_added: int = 0
    documents_matched: int = 0
    spans_added: int = 0
    doc_labels_added: int = 0
    """Labels of whole documents (per annotator) newly stored."""
    predictions_added: int = 0
    """A model's spans (Label Studio predictions) newly stored as suggestions."""
    labels_created: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    """Titles of documents already stored (matched by content hash), not stored twice."""
    skipped: dict[str, int] = field(default_factory=dict)
    """reason -> records the format reader left out on purpose (Prodigy rejects...)."""
    repaired: dict[str, int] = field(default_factory=dict)
    """what -> how often the reader mended the text (lines broken by a page break...)."""
    error: AnnotatorError | None = None
    notes: list[str] = field(default_factory=list)
    """What a take-back kept, or what stayed when it could not run (shown even on error)."""
    stayed: bool = False
    """Part of the file is in the database although the import of it stopped."""


UNPACK_FACTOR = 2
"""A compressed file (spaCy's DocBin) may unpack to this many times the import limit."""
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
    identity: Identity = ()
    """``stat`` of the file when it was checked (size, inode, times)."""
    digest: str = ""
    """SHA-256 of what was checked, for a file read again to write."""

    def records(self, annotator: str) -> Iterator[AnnotatedDocument]:
        """The records to write: those checked, or the file read again, refused by name
        if it is not what was checked (before reading, and once read to its end)."""
        if self.items is not None:
            yield from self.items
            return
        self._same_as_checked(digest=True)
        try:
            yield from checked_records(self.importer, self.path, annotator)
        except InputError:
            self._same_as_checked(digest=False)  # a file cut short: say so, not "bad JSON"
            raise
        self._same_as_checked(digest=False)

    def _same_as_checked(self, *, digest: bool) -> None:
        if file_identity(self.path) == self.identity and (
            not digest or content_digest(self.path) == self.digest
        ):
            return
        raise InputError(
            "changed after it was checked (its size, time or content differ), so what would "
            "be written is not what was checked; nothing of it is kept: import it again",
            path=display_path(self.path),
        )


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
