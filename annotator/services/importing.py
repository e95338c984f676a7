"""Corpus import: files, folders and annotated datasets, atomic per file.

Each file is read, parsed and validated before any transaction starts; only then is
it written, in short write transactions (a group of small files, or bounded batches
of a big one) with a pause between them, so another instance on the same SQLite file
gets the write lock within a fraction of a second. A file is stored whole or not at
all: a bad file is refused alone and the good files of the same import land.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.model import AnnotatedDocument
from annotator.core.validate import display_path
from annotator.formats.base import Importer
from annotator.formats.registry import detect_importer, get_importer, importer_for
from annotator.services.changes import Changes
from annotator.services.import_files import (
    collect_files,
    collect_inputs,
    content_digest,
    file_identity,
    not_regular,
)
from annotator.services.import_parsed import (
    KEEP_ROWS,
    UNPACK_FACTOR,
    FileResult,
    LabelGate,
    ParsedFile,
    UnknownLabelsError,
    checked_records,
)
from annotator.services.import_write import BatchWriter
from annotator.storage import Database

log = logging.getLogger(__name__)
ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]


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
            if f.error is not None or (self.cancelled and f.stayed):
                # Errors are listed by the caller, with file and line; what stayed is not.
                lines += [f"{f.path}: {note}" for note in f.notes]
                continue
            bits = [f"{f.documents_added} new document(s)"]
            if f.documents_matched:
                bits.append(f"{f.documents_matched} matched")
            if f.spans_added:
                bits.append(f"{f.spans_added} span(s)")
            if f.doc_labels_added:
                bits.append(f"{f.doc_labels_added} document label(s)")
            if f.predictions_added:
                bits.append(
                    f"{f.predictions_added} prediction(s) stored as suggestions (origin predicted)"
                )
            if f.labels_created:
                bits.append("new labels: " + ", ".join(f.labels_created))
            lines.append(f"{f.path}: " + ", ".join(bits))
            lines += [f"  duplicate, not stored again: {t}" for t in f.duplicates]
            lines += [f"  skipped {n} {why}" for why, n in sorted(f.skipped.items())]
            lines += [f"  {n} {what}" for what, n in sorted(f.repaired.items())]
        total = f"imported {self.documents_added} document(s), {self.spans_added} span(s)"
        refused = [f for f in self.files if f.error is not None]
        partly = sum(f.stayed for f in refused)
        if refused and not partly:
            total += f"; {len(refused)} file(s) refused, nothing of them stored"
        elif refused:
            total += f"; {len(refused)} file(s) refused, {partly} of them partly stored (see above)"
        return "\n".join([*lines, total])


DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024


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
            parsed.identity = file_identity(path)
            items: list[AnnotatedDocument] | None = []
            for item in checked_records(parsed.importer, path, annotator):
                parsed.rows += 1 + len(item.spans) + len(item.predictions)
                for sp in item.spans:
                    parsed.labels.setdefault(sp.label, item.line)
                for names in item.doc_labels.values():  # labels of the whole document
                    for name in names:
                        parsed.labels.setdefault(name, item.line)
                for pred in item.predictions:  # a model's spans (Label Studio predictions)
                    parsed.labels.setdefault(pred.label, item.line)
                if items is not None:
                    items.append(item)
                    if parsed.rows > KEEP_ROWS:
                        items = None  # read again when writing: memory stays bounded
            parsed.items = items
            if items is None:  # read again to write: remember exactly what was checked
                parsed.digest = content_digest(path)
            if file_identity(path) != parsed.identity:
                raise InputError(
                    "changed while it was being checked; import it again once it is complete",
                    path=display_path(path),
                )
            result.skipped = dict(getattr(parsed.importer, "skipped", {}))
            result.repaired = dict(getattr(parsed.importer, "repaired", {}))
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
        """The file's importer, after ``stat`` alone has checked its kind and size (and those
        of every file a folder format reads): nothing is read before the limits hold."""
        importer = get_importer(format) if format else importer_for(path)
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
                if inner.is_dir():
                    continue
                if (problem := not_regular(inner)) is not None:
                    raise InputError(problem, path=display_path(inner))
                self._check_size(inner)
        else:
            self._check_size(path)
            companion = path.with_suffix(".txt")  # brat: the text beside an .ann
            if path.suffix.lower() == ".ann" and companion.is_file():
                self._check_size(companion)
        if not format:
            importer = detect_importer(path) or importer  # JSON Lines: sniffed, bounded
        if hasattr(importer, "max_unpacked_bytes"):
            importer.max_unpacked_bytes = UNPACK_FACTOR * self.max_file_bytes
        return importer

    def _check_size(self, path: Path) -> None:
        size = path.stat().st_size
        if size > self.max_file_bytes:
            raise InputError(
                f"is {size / 2**20:.0f} MB, more than the {self.max_file_bytes / 2**20:.0f} MB "
                "import limit (settings: max_import_mb); split it or raise the limit",
                path=display_path(path),
            )


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
