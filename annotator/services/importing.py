"""Corpus import: files, folders and annotated datasets, atomic per file.

Each file is read, parsed and validated before any transaction starts; only then is
it written, in short write transactions (a group of small files, or bounded batches
of a big one) with a pause between them, so another instance on the same SQLite file
gets the write lock within a fraction of a second. A file is stored whole or not at
all: a bad file is refused alone and the good files of the same import land.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.model import AnnotatedDocument, Label
from annotator.core.validate import display_path, record_problem
from annotator.formats.base import Importer
from annotator.formats.registry import detect_importer, get_importer
from annotator.services.changes import Changes
from annotator.services.import_files import collect_files, collect_inputs, not_regular
from annotator.services.labels import default_color
from annotator.storage import Database, Tx, repo

log = logging.getLogger(__name__)
ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]


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
    doc_labels_added: int = 0
    """Labels of whole documents (per annotator) newly stored."""
    labels_created: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    """Titles of documents already stored (matched by content hash), not stored twice."""
    skipped: dict[str, int] = field(default_factory=dict)
    """reason -> records the format reader left out on purpose (Prodigy rejects...)."""
    error: AnnotatorError | None = None


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)
    cancelled: bool = False

    @property
    def errors(self) -> list[AnnotatorError]:
        return [f.error for f in self.files if f.error is not None]

    @property
    def documents_added(self) -> int:
        return sum(f.documents_added for f in self.files)

    @property
    def spans_added(self) -> int:
        return sum(f.spans_added for f in self.files)

    @property
    def changes(self) -> Changes:
        touched = any(f.documents_added or f.spans_added or f.labels_created for f in self.files)
        return Changes(
            documents=touched, spans=touched, labels=touched, annotators=touched, status=touched
        )

    def summary(self) -> str:
        lines = []
        for f in self.files:
            if f.error is not None:
                continue  # errors are listed by the caller, with file and line
            bits = [f"{f.documents_added} new document(s)"]
            if f.documents_matched:
                bits.append(f"{f.documents_matched} matched")
            if f.spans_added:
                bits.append(f"{f.spans_added} span(s)")
            if f.doc_labels_added:
                bits.append(f"{f.doc_labels_added} document label(s)")
            if f.labels_created:
                bits.append("new labels: " + ", ".join(f.labels_created))
            lines.append(f"{f.path}: " + ", ".join(bits))
            lines += [f"  duplicate, not stored again: {t}" for t in f.duplicates]
            lines += [f"  skipped {n} {why}" for why, n in sorted(f.skipped.items())]
        total = f"imported {self.documents_added} document(s), {self.spans_added} span(s)"
        if self.errors:
            total += f"; {len(self.errors)} file(s) refused, nothing of them stored"
        return "\n".join([*lines, total])


DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024
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


class ImportService:
    def __init__(self, db: Database, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> None:
        self._db = db
        self.max_file_bytes = max_file_bytes
        """Files larger than this are refused unread (Settings.max_import_mb)."""

    def import_paths(
        self,
        paths: Sequence[Path],
        *,
        annotator: str = "imported",
        format: str | None = None,
        create_labels: bool = False,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
    ) -> ImportReport:
        from annotator.services.import_write import BatchWriter

        files, problems = collect_inputs(paths, format=format)
        report = ImportReport()
        report.files += [FileResult(str(e.path), error=e) for e in problems]
        writer = BatchWriter(self._db, annotator=annotator, create_labels=create_labels)
        for i, path in enumerate(files):
            if cancel is not None and cancel():
                report.cancelled = True
                break
            if progress is not None:
                progress(i, len(files))
            parsed = self.parse(path, format=format, annotator=annotator)
            report.files.append(parsed.result)
            if parsed.result.error is None:
                writer.add(parsed, cancel)
                report.cancelled = writer.cancelled
                if report.cancelled:
                    break
        writer.flush()
        if progress is not None and not report.cancelled:
            progress(len(files), len(files))
        return report

    def parse(self, path: Path, *, format: str | None, annotator: str) -> ParsedFile:
        """Read and validate one file; no transaction is open meanwhile."""
        result = FileResult(display_path(path))
        parsed = ParsedFile(path, _NO_IMPORTER, result, [])
        try:
            parsed.importer = self._importer(path, format)
            items: list[AnnotatedDocument] | None = []
            for item in checked_records(parsed.importer, path, annotator):
                parsed.rows += 1 + len(item.spans)
                for sp in item.spans:
                    parsed.labels.setdefault(sp.label, item.line)
                for names in item.doc_labels.values():  # labels of the whole document
                    for name in names:
                        parsed.labels.setdefault(name, item.line)
                if items is not None:
                    items.append(item)
                    if parsed.rows > KEEP_ROWS:
                        items = None  # read again when writing: memory stays bounded
            parsed.items = items
            result.skipped = dict(getattr(parsed.importer, "skipped", {}))
        except AnnotatorError as exc:
            result.error = exc
        except OSError as exc:
            result.error = InputError(
                f"cannot be read ({exc.strerror or exc})", path=display_path(path)
            )
        except MemoryError:
            result.error = InputError("is too big to read in memory", path=display_path(path))
        return parsed

    def _importer(self, path: Path, format: str | None) -> Importer:
        importer = get_importer(format) if format else detect_importer(path)
        name = display_path(path)
        if importer is None:
            raise InputError(
                "unsupported file type (expected .txt, .md, .jsonl, .json, .ann, .conll "
                "or .spacy; name another format with --format)",
                path=name,
            )
        problem = not_regular(path, folder_ok=importer.READS_FOLDERS)
        if problem is not None:
            raise InputError(problem, path=name)
        if path.is_dir():  # a folder format reads the files inside: each must be regular
            for inner in sorted(path.rglob("*")):
                if not inner.is_dir() and (problem := not_regular(inner)) is not None:
                    raise InputError(problem, path=display_path(inner))
        size = path.stat().st_size
        if size > self.max_file_bytes:
            raise InputError(
                f"is {size / 2**20:.0f} MB, more than the {self.max_file_bytes / 2**20:.0f} MB "
                "import limit (settings: max_import_mb); split it or raise the limit",
                path=name,
            )
        return importer


class _NoImporter:
    NAME = ""
    EXTENSIONS: tuple[str, ...] = ()
    READS_FOLDERS = False

    def can_read(self, path: Path) -> bool:
        return False

    def read(self, path: Path, *, default_annotator: str) -> Iterator[AnnotatedDocument]:
        return iter(())


_NO_IMPORTER: Importer = _NoImporter()  # type: ignore[assignment]

__all__ = [
    "FileResult",
    "ImportReport",
    "ImportService",
    "LabelGate",
    "ParsedFile",
    "UnknownLabelsError",
    "collect_files",
]
