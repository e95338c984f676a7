"""Corpus import: files, folders and annotated datasets, atomic per file."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.model import AnnotatedDocument, Label
from annotator.formats.base import Importer
from annotator.formats.registry import (
    detect_importer,
    get_importer,
    importer_for,
    reads_folders,
)
from annotator.services.changes import Changes
from annotator.services.labels import default_color
from annotator.storage import Database, Tx, repo

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

    def check(self, path: Path) -> None:
        if self.unknown:
            raise UnknownLabelsError(self.unknown, path=str(path))


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
            if f.labels_created:
                bits.append("new labels: " + ", ".join(f.labels_created))
            lines.append(f"{f.path}: " + ", ".join(bits))
            lines += [f"  duplicate, not stored again: {t}" for t in f.duplicates]
            lines += [f"  skipped {n} {why}" for why, n in sorted(f.skipped.items())]
        total = f"imported {self.documents_added} document(s), {self.spans_added} span(s)"
        if self.errors:
            total += f"; {len(self.errors)} file(s) refused, nothing of them stored"
        return "\n".join([*lines, total])


def collect_files(paths: Iterable[Path], *, format: str | None = None) -> list[Path]:
    """Expand folders (recursively, sorted, hidden files skipped) to the files to import.

    A format that reads whole folders (brat) keeps each folder as one input. In a folder
    read file by file, a ``.txt`` beside a ``.ann`` is the brat text of that annotation
    file, not a document of its own, so it is skipped.
    """
    if format is not None and reads_folders(format):
        for p in paths:
            if not p.exists():
                raise AnnotatorError(f"{p}: no such file or folder")
        return list(paths)
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                rel = child.relative_to(p)
                if not child.is_file() or any(part.startswith(".") for part in rel.parts):
                    continue
                if child.suffix.lower() == ".txt" and child.with_suffix(".ann").is_file():
                    continue
                if format is not None or importer_for(child) is not None:
                    out.append(child)
        elif p.exists():
            out.append(p)
        else:
            raise AnnotatorError(f"{p}: no such file or folder")
    return out


BATCH_FILES = 200
"""Files committed together; each file still sits in its own SAVEPOINT, so a bad one
rolls back alone. Batching turns 10,000 small files into 50 fsyncs, not 10,000."""
BATCH_BYTES = 64 * 1024 * 1024
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
        files = collect_files(paths, format=format)
        report = ImportReport()
        done = 0
        while done < len(files) and not report.cancelled:
            batch = self._next_batch(files, done)
            results, cancelled = self._import_batch(
                batch, done, len(files), annotator, format, create_labels, progress, cancel
            )
            report.files += results
            report.cancelled = cancelled
            done += len(batch)
        if progress is not None and not report.cancelled:
            progress(len(files), len(files))
        return report

    def _next_batch(self, files: list[Path], start: int) -> list[Path]:
        batch: list[Path] = []
        size = 0
        for path in files[start : start + BATCH_FILES]:
            try:
                n = path.stat().st_size
            except OSError:
                n = 0
            if batch and size + n > BATCH_BYTES:
                break
            batch.append(path)
            size += n
        return batch

    def _import_batch(
        self,
        batch: list[Path],
        first: int,
        total: int,
        annotator: str,
        format: str | None,
        create_labels: bool,
        progress: ProgressFn | None,
        cancel: CancelFn | None,
    ) -> tuple[list[FileResult], bool]:
        """One write transaction for the batch, one SAVEPOINT per file inside it."""

        def work(s: Tx) -> tuple[list[FileResult], bool]:
            results: list[FileResult] = []
            for i, path in enumerate(batch, first):
                if cancel is not None and cancel():
                    return results, True
                if progress is not None:
                    progress(i, total)
                result = FileResult(str(path))
                try:
                    importer = self._importer(path, format)
                    with s.begin_nested():
                        result = self._import_file(s, path, importer, annotator, create_labels)
                except AnnotatorError as exc:
                    result.error = exc
                except OSError as exc:
                    result.error = InputError(
                        f"cannot be read ({exc.strerror or exc})", path=str(path)
                    )
                except RecursionError:
                    result.error = InputError("is nested too deeply to read", path=str(path))
                results.append(result)
            return results, False

        return self._db.write(work, retry_integrity=True)

    def _importer(self, path: Path, format: str | None) -> Importer:
        importer = get_importer(format) if format else detect_importer(path)
        if importer is None:
            raise InputError(
                "unsupported file type (expected .txt, .md, .jsonl, .json, .ann, .conll "
                "or .spacy; name another format with --format)",
                path=str(path),
            )
        size = path.stat().st_size
        if size > self.max_file_bytes:
            raise InputError(
                f"is {size / 2**20:.0f} MB, more than the {self.max_file_bytes / 2**20:.0f} MB "
                "import limit (settings: max_import_mb); split it or raise the limit",
                path=str(path),
            )
        return importer

    def _import_file(
        self, s: Tx, path: Path, importer: Importer, annotator: str, create_labels: bool
    ) -> FileResult:
        result = FileResult(str(path))
        gate = LabelGate(s, create=create_labels, created=result.labels_created)
        for item in importer.read(path, default_annotator=annotator):
            if gate.admit(item):
                self._store(s, item, result)
        gate.check(path)
        result.skipped = dict(getattr(importer, "skipped", {}))
        return result

    @staticmethod
    def _store(s: Tx, item: AnnotatedDocument, result: FileResult) -> None:
        doc = item.document
        doc_id = repo.find_document_id_by_hash(s, doc.content_hash)
        if doc_id is None:
            doc_id = repo.add_document(s, doc)
            result.documents_added += 1
        else:
            result.documents_matched += 1
            if not item.spans:
                result.duplicates.append(doc.title or doc.source_path or doc.content_hash[:12])
        if item.spans:
            result.spans_added += repo.add_spans_bulk(s, doc_id, item.spans, len(doc.text))
        for who, status in item.status.items():
            repo.set_status(s, doc_id, who, status)
