"""Bringing a teammate's work in: their native JSONL export or their Annotator database file
becomes their annotator layer here.

Documents are matched by content hash (the hash of the normalised text, so offsets agree).
Nothing local is ever deleted: an incoming span identical to a stored one (same annotator,
label and range) is counted as identical and skipped; spans the local layer has and the
incoming one lacks are kept and reported. Each file is one transaction: a bad record
anywhere leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.model import (
    GOLD_ANNOTATOR,
    AnnotatedDocument,
    AnnotatorKind,
    DocumentStatus,
)
from annotator.core.validate import label_problem, record_problem
from annotator.formats.registry import get_importer
from annotator.services.changes import Changes
from annotator.services.importing import LabelGate
from annotator.storage import Database, Tx, repo
from annotator.storage.external import is_sqlite_file, read_annotated_documents, read_statuses

ProgressFn = Callable[[int, int], None]
_STATUS_RANK = {DocumentStatus.TODO: 0, DocumentStatus.IN_PROGRESS: 1, DocumentStatus.DONE: 2}


@dataclass
class LayerCount:
    """One incoming annotator layer against what this database already holds."""

    annotator: str
    incoming: int = 0
    identical: int = 0
    """Already stored exactly so (same annotator, label, start, end): skipped."""
    new: int = 0
    kept_local: int = 0
    """Local spans of this annotator, in the matched documents, that the file lacks: kept."""
    documents_with_local: int = 0
    """Matched documents where this annotator already had spans here."""


@dataclass
class LayerFileResult:
    path: str
    source: str = ""
    """``jsonl`` or ``database``."""
    documents_matched: int = 0
    documents_added: int = 0
    documents_skipped: list[str] = field(default_factory=list)
    """Documents not present here and not added (``add_missing=False``): titles."""
    layers: dict[str, LayerCount] = field(default_factory=dict)
    labels_created: list[str] = field(default_factory=list)
    statuses_copied: int = 0
    error: AnnotatorError | None = None

    @property
    def spans_added(self) -> int:
        return sum(c.new for c in self.layers.values())

    def conflicts(self) -> list[str]:
        """Layers that met existing local work, in words."""
        out = []
        for c in self.layers.values():
            if c.documents_with_local:
                out.append(
                    f"{c.annotator} already had spans in {c.documents_with_local} matched"
                    f" document(s): {c.identical} incoming span(s) identical, {c.new} new,"
                    f" {c.kept_local} local span(s) not in the file kept"
                )
        return out


@dataclass
class LayerImportReport:
    files: list[LayerFileResult] = field(default_factory=list)

    @property
    def errors(self) -> list[AnnotatorError]:
        return [f.error for f in self.files if f.error is not None]

    @property
    def changes(self) -> Changes:
        touched = any(
            f.documents_added or f.spans_added or f.labels_created or f.statuses_copied
            for f in self.files
        )
        return Changes(
            documents=touched, spans=touched, labels=touched, annotators=touched, status=touched
        )

    def summary(self) -> str:
        lines = []
        for f in self.files:
            if f.error is not None:
                continue
            lines.append(
                f"{f.path} ({f.source}): {f.documents_matched} document(s) matched,"
                f" {f.documents_added} added, {len(f.documents_skipped)} not present here"
                " (skipped)"
            )
            for c in f.layers.values():
                lines.append(
                    f"  layer {c.annotator}: {c.incoming} span(s) in file, {c.new} new,"
                    f" {c.identical} identical (already here)"
                )
            lines += [f"  conflict: {c}" for c in f.conflicts()]
            lines += [f"  not present here, skipped: {t}" for t in f.documents_skipped]
            if f.labels_created:
                lines.append("  new labels: " + ", ".join(f.labels_created))
            if f.statuses_copied:
                lines.append(f"  document status copied: {f.statuses_copied}")
        total = sum(f.spans_added for f in self.files)
        end = f"imported {total} span(s) from {len(self.files) - len(self.errors)} file(s)"
        if self.errors:
            end += f"; {len(self.errors)} file(s) refused, nothing of them stored"
        return "\n".join([*lines, end])


def _read(path: Path) -> tuple[str, Iterator[AnnotatedDocument]]:
    if is_sqlite_file(path):
        return "database", read_annotated_documents(path)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return "jsonl", get_importer("jsonl").read(path, default_annotator="imported")
    raise InputError(
        "not a native JSONL export (.jsonl) or an Annotator database file", path=str(path)
    )


def checked(items: Iterator[AnnotatedDocument], path: Path) -> Iterator[AnnotatedDocument]:
    """Each record validated by the rule every import uses (file and line named)."""
    for item in items:
        problem = record_problem(item)
        if problem is not None:
            raise InputError(problem, path=str(path), line=item.line or None)
        yield item


class LayerService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def import_layers(
        self,
        paths: Sequence[Path],
        *,
        as_annotator: str | None = None,
        add_missing: bool = True,
        create_labels: bool = False,
        progress: ProgressFn | None = None,
    ) -> LayerImportReport:
        """Import each file as annotator layer(s): all spans as ``as_annotator`` when given,
        else each span under its own annotator. One transaction per file."""
        target = as_annotator.strip() if as_annotator is not None else None
        if target is not None and not target:
            raise AnnotatorError("--as needs an annotator name.")
        if target is not None and (problem := label_problem(target, "annotator")) is not None:
            raise AnnotatorError(f"--as: {problem}.")
        report = LayerImportReport()
        for i, path in enumerate(paths):
            if progress is not None:
                progress(i, len(paths))
            try:
                if not path.is_file():
                    raise InputError("no such file", path=str(path))
                result = self._import_file(path, target, add_missing, create_labels)
            except AnnotatorError as exc:
                result = LayerFileResult(str(path), error=exc)
            except OSError as exc:
                err = InputError(f"cannot be read ({exc.strerror or exc})", path=str(path))
                result = LayerFileResult(str(path), error=err)
            report.files.append(result)
        if progress is not None:
            progress(len(paths), len(paths))
        return report

    def _import_file(
        self, path: Path, target: str | None, add_missing: bool, create_labels: bool
    ) -> LayerFileResult:
        # Read and validate before the write transaction: a teammate's file is untrusted
        # input like any other, and the lock is not held while it is parsed.
        source, stream = _read(path)
        items = list(checked(stream, path))

        def work(s: Tx) -> LayerFileResult:
            result = LayerFileResult(str(path), source)
            gate = LabelGate(s, create=create_labels, created=result.labels_created)
            stored: list[tuple[int, str]] = []  # (local id, content hash)
            for item in items:
                if not gate.admit(item):
                    continue
                doc_id = self._store(s, item, target, add_missing, result)
                if doc_id is not None:
                    stored.append((doc_id, item.document.content_hash))
            gate.check(path)
            if source == "database":
                result.statuses_copied = _copy_statuses(s, path, stored, target)
            return result

        return self._db.write(work, retry_integrity=True)

    @staticmethod
    def _store(
        s: Tx,
        item: AnnotatedDocument,
        target: str | None,
        add_missing: bool,
        result: LayerFileResult,
    ) -> int | None:
        doc = item.document
        doc_id = repo.find_document_id_by_hash(s, doc.content_hash)
        if doc_id is None:
            if not add_missing:
                result.documents_skipped.append(doc.title or doc.external_id or doc.content_hash)
                return None
            doc_id = repo.add_document(s, doc)
            result.documents_added += 1
            local = []
        else:
            result.documents_matched += 1
            local = repo.list_spans(s, doc_id)
        spans = [replace(sp, annotator=target) for sp in item.spans] if target else item.spans
        incoming: dict[str, set[tuple[int, int, str]]] = {}
        for sp in spans:
            incoming.setdefault(sp.annotator, set()).add((sp.start, sp.end, sp.label))
        for name, keys in incoming.items():
            count = result.layers.setdefault(name, LayerCount(name))
            here = {sp.key for sp in local if sp.annotator == name}
            count.incoming += len(keys)
            count.identical += len(keys & here)
            count.new += len(keys - here)
            count.kept_local += len(here - keys)
            count.documents_with_local += bool(here)
            if name == GOLD_ANNOTATOR:
                repo.annotator_id(s, name, kind=AnnotatorKind.GOLD)
        repo.add_spans_bulk(s, doc_id, spans, len(doc.text))
        return doc_id


def _copy_statuses(s: Tx, path: Path, stored: list[tuple[int, str]], target: str | None) -> int:
    """Bring over the teammate's document status (never lowering a local one)."""
    theirs = read_statuses(path)
    copied = 0
    for doc_id, chash in stored:
        for name, status in theirs.get(chash, {}).items():
            who = target or name
            if _STATUS_RANK[status] > _STATUS_RANK[repo.status_of(s, doc_id, who)]:
                repo.set_status(s, doc_id, who, status)
                copied += 1
    return copied
