"""Native JSONL: one document per line, lossless.

``{"id", "text", "meta": {...}, "spans": [{"start", "end", "label", "text", "annotator", "note",
"guideline_version"}], "status": {"alice": "done"}}``

``guideline_version`` is the project guideline's version the span was made under (null: made
under no recorded version). A span read without the key records the version in force when it
is imported; with the key, the number (or null) is kept.

``status`` is each annotator's document status (todo, in_progress, done; todo is left
out), filled in by the export service, so a round trip loses nothing the database knows.
``judgements`` (left out when there are none) lists the passages annotators judged:
``{"start", "end", "text", "annotator", "kind"}`` with ``kind`` one of ``none`` (walked
past: no label), ``rejected`` (with the rejected ``label``) or ``skipped``.

``doc_labels`` (``{"alice": ["MILITARY"]}``) are the labels each annotator gave the whole
document; on import, spaCy-style ``cats`` ({label: score}, 0.5 or more a label) give the
default annotator's.

Offsets are code points of ``text`` (Python ``str`` indices). The writer and the
reader both check ``text[start:end] == span["text"]``: a mismatch means the offsets
were computed in another unit (UTF-16, bytes) and is refused, never guessed at.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from annotator.core.errors import InputError
from annotator.core.judgement import JudgementKind, NewJudgement
from annotator.core.model import (
    CURRENT_GUIDELINE,
    AnnotatedDocument,
    Document,
    DocumentStatus,
    GuidelineStamp,
    NewSpan,
    SpanOrigin,
)
from annotator.core.text import normalize_with_offsets
from annotator.formats.base import (
    ExportItem,
    ExportReport,
    FormatBase,
    atomic_write,
)
from annotator.formats.common import (
    build_document,
    cats_labels,
    check_range,
    json_line,
    load_object,
    require,
)
from annotator.formats.decode import check_text

_DOC_META = ("title", "source", "author", "url")
MAX_LINE_BYTES = 256 * 1024 * 1024


def document_meta(doc: Document) -> dict[str, Any]:
    meta: dict[str, Any] = {k: getattr(doc, k) for k in _DOC_META if getattr(doc, k)}
    if doc.published:
        meta["published"] = doc.published.isoformat()
    if doc.source_path:
        meta["source_path"] = doc.source_path
    if doc.source_sha256:
        meta["source_sha256"] = doc.source_sha256
    meta.update(doc.meta)
    return meta


def encode_record(
    doc: Document,
    spans: Iterable[Any],
    report: ExportReport | None = None,
    status: dict[str, str] | None = None,
    judgements: Iterable[Any] = (),
    doc_labels: dict[str, list[str]] | None = None,
) -> str:
    text = doc.text
    out_spans = []
    plain = (SpanOrigin.MANUAL, SpanOrigin.IMPORTED)
    for sp in spans:
        start, end, origin = sp.start, sp.end, sp.origin
        piece = text[start:end]
        if len(piece) != end - start:  # pragma: no cover - storage guarantees the range
            raise ValueError(f"span {start}-{end} outside document {doc.id}")
        item: dict[str, Any] = {
            "start": start,
            "end": end,
            "label": sp.label,
            "text": piece,
            "annotator": sp.annotator,
            "note": sp.note,
        }
        if origin not in plain:
            item["origin"] = origin.value
        if sp.decided_by:
            item["decided_by"] = sp.decided_by
        version = getattr(sp, "guideline_version", CURRENT_GUIDELINE)
        if not isinstance(version, GuidelineStamp):
            item["guideline_version"] = version
        out_spans.append(item)
    if report is not None:  # counted once a document, not once a span
        report.spans_per_label.update(item["label"] for item in out_spans)
    record = {
        "id": doc.external_id or str(doc.id),
        "text": text,
        "meta": document_meta(doc),
        "spans": out_spans,
    }
    if status:
        record["status"] = dict(sorted(status.items()))
    judged = []
    for j in judgements:
        item = {
            "start": j.start,
            "end": j.end,
            "text": text[j.start : j.end],
            "annotator": j.annotator,
            "kind": j.kind.value,
        }
        if j.label:
            item["label"] = j.label
        judged.append(item)
    if judged:
        record["judgements"] = judged
    if doc_labels:
        record["doc_labels"] = {who: sorted(v) for who, v in sorted(doc_labels.items())}
    return json_line(record)


class NativeJsonl(FormatBase):
    NAME: ClassVar[str] = "jsonl"
    TITLE: ClassVar[str] = "Annotator JSONL (lossless)"
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".jsonl", ".ndjson")
    CARRIES_STATUS: ClassVar[bool] = True
    CARRIES_DOC_LABELS: ClassVar[bool] = True
    CARRIES_ORIGIN: ClassVar[bool] = True
    CARRIES_GUIDELINE_VERSION: ClassVar[bool] = True
    CARRIES_JUDGEMENTS: ClassVar[bool] = True

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.statuses: dict[int, dict[str, str]] = {}
        """document id -> {annotator: status}, set by the export service."""
        self.judgements: dict[int, list[Any]] = {}
        """document id -> its judgements (``core.judgement.Judgement``), set by the export
        service."""
        self.doc_labels: dict[int, dict[str, list[str]]] = {}
        """document id -> {annotator: [label]}, labels of whole documents, set likewise."""

    def write(self, items: Iterable[ExportItem], dest: Path, report: ExportReport) -> None:
        with atomic_write(dest) as fh:
            for doc, spans in items:
                status = self.statuses.get(doc.id) if doc.id is not None else None
                judged = self.judgements.get(doc.id, []) if doc.id is not None else []
                whole = self.doc_labels.get(doc.id) if doc.id is not None else None
                fh.write(encode_record(doc, spans, report, status, judged, whole))
                report.doc_labels += sum(len(set(v)) for v in (whole or {}).values())
                fh.write("\n")
                report.documents += 1
        report.paths.append(str(dest))

    def can_read(self, path: Path) -> bool:
        return path.suffix.lower() in self.EXTENSIONS

    def read(
        self, path: Path, *, default_annotator: str = "imported"
    ) -> Iterator[AnnotatedDocument]:
        name = str(path)
        with path.open("rb") as fh:
            lineno = 0
            # readline(limit) so an endless line is refused after MAX_LINE_BYTES, not read whole.
            while raw := fh.readline(MAX_LINE_BYTES + 1):
                lineno += 1
                if len(raw) > MAX_LINE_BYTES:
                    raise InputError(
                        "line is too long to be a document record", path=name, line=lineno
                    )
                if not raw.strip():
                    continue
                try:
                    line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    raise InputError(
                        f"invalid UTF-8 ({exc.reason})", path=name, line=lineno
                    ) from exc
                yield parse_record(line, name, lineno, default_annotator, self.skipped)


def parse_record(
    line: str,
    path: str,
    lineno: int,
    default_annotator: str,
    skipped: Counter[str] | None = None,
) -> AnnotatedDocument:
    rec = load_object(line, path, lineno)
    raw_text = require(rec, "text", str, "record", path, lineno)
    text, shift = normalize_with_offsets(raw_text)
    check_text(text, path, lineno)
    meta = rec.get("meta") or {}
    if not isinstance(meta, dict):
        raise InputError("'meta' must be an object", path=path, line=lineno)
    spans = []
    raw_spans = rec.get("spans") or []
    if not isinstance(raw_spans, list):
        raise InputError("'spans' must be a list", path=path, line=lineno)
    for i, sp in enumerate(raw_spans, 1):
        where = f"span {i}"
        if not isinstance(sp, dict):
            raise InputError(f"{where} must be an object", path=path, line=lineno)
        start = require(sp, "start", int, where, path, lineno)
        end = require(sp, "end", int, where, path, lineno)
        label = require(sp, "label", str, where, path, lineno)
        check_range(raw_text, start, end, where, path, lineno, sp.get("text"))
        # CRLF in the record's text becomes LF; the span moves with its characters.
        start, end = shift.start(start), shift.end(end)
        if start >= end:
            raise InputError(f"{where} covers only a byte-order mark", path=path, line=lineno)
        origin = sp.get("origin", SpanOrigin.IMPORTED.value)
        try:
            origin_value = SpanOrigin(origin)
        except ValueError:
            raise InputError(
                f"{where}: unknown origin {origin!r}", path=path, line=lineno
            ) from None
        spans.append(
            NewSpan(
                start=start,
                end=end,
                label=label.strip(),
                annotator=str(sp.get("annotator") or default_annotator),
                note=str(sp.get("note") or ""),
                origin=origin_value,
                decided_by=str(sp.get("decided_by") or ""),
                guideline_version=_guideline_version(sp, where, path, lineno),
            )
        )
    doc = build_document(text, meta, rec.get("id", ""), path, lineno)
    return AnnotatedDocument(
        doc,
        tuple(spans),
        line=lineno,
        status=_status(rec, path, lineno),
        judgements=_judgements(rec, raw_text, shift, path, lineno, default_annotator),
        doc_labels=_doc_labels(
            rec, path, lineno, default_annotator, Counter() if skipped is None else skipped
        ),
    )


def _judgements(
    rec: dict[str, Any], raw_text: str, shift: Any, path: str, lineno: int, default: str
) -> tuple[NewJudgement, ...]:
    raw = rec.get("judgements") or []
    if not isinstance(raw, list):
        raise InputError("'judgements' must be a list", path=path, line=lineno)
    out = []
    for i, j in enumerate(raw, 1):
        where = f"judgement {i}"
        if not isinstance(j, dict):
            raise InputError(f"{where} must be an object", path=path, line=lineno)
        start = require(j, "start", int, where, path, lineno)
        end = require(j, "end", int, where, path, lineno)
        check_range(raw_text, start, end, where, path, lineno, j.get("text"))
        try:
            kind = JudgementKind(j.get("kind", JudgementKind.NONE.value))
        except ValueError:
            raise InputError(
                f"{where}: kind {j.get('kind')!r} is not none, rejected or skipped",
                path=path,
                line=lineno,
            ) from None
        label = str(j.get("label") or "").strip()
        if kind is JudgementKind.REJECTED and not label:
            raise InputError(f"{where}: a rejection needs its 'label'", path=path, line=lineno)
        start, end = shift.start(start), shift.end(end)
        if start >= end:
            raise InputError(f"{where} covers only a byte-order mark", path=path, line=lineno)
        who = str(j.get("annotator") or default)
        out.append(
            NewJudgement(start, end, who, kind, label if kind is JudgementKind.REJECTED else "")
        )
    return tuple(out)


MAX_GUIDELINE_VERSION = 2**31 - 1


def _guideline_version(
    sp: dict[str, Any], where: str, path: str, lineno: int
) -> int | GuidelineStamp | None:
    if "guideline_version" not in sp:
        return CURRENT_GUIDELINE
    value = sp["guideline_version"]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(
            f"{where}: 'guideline_version' must be a whole number or null, not {value!r}",
            path=path,
            line=lineno,
        )
    if not 1 <= value <= MAX_GUIDELINE_VERSION:
        raise InputError(
            f"{where}: 'guideline_version' {value} is not a guideline version (1 or more)",
            path=path,
            line=lineno,
        )
    return value


def _doc_labels(
    rec: dict[str, Any], path: str, lineno: int, default_annotator: str, skipped: Counter[str]
) -> dict[str, tuple[str, ...]]:
    """``doc_labels``: {annotator: [label, ...]}, labels of the whole document; spaCy-style
    ``cats`` ({label: score}) give the default annotator's."""
    cats = cats_labels(rec.get("cats"), skipped)
    raw = rec.get("doc_labels") or ({default_annotator: list(cats)} if cats else {})
    if not isinstance(raw, dict) or not all(
        isinstance(who, str) and who.strip() and isinstance(v, list) for who, v in raw.items()
    ):
        raise InputError(
            "'doc_labels' must map annotators to lists of labels", path=path, line=lineno
        )
    out: dict[str, tuple[str, ...]] = {}
    for who, names in raw.items():
        if not all(isinstance(n, str) and n.strip() for n in names):
            raise InputError(
                f"document labels of {who!r} must be non-empty names", path=path, line=lineno
            )
        if names:
            out[who.strip()] = tuple(dict.fromkeys(n.strip() for n in names))
    return out


def _status(rec: dict[str, Any], path: str, lineno: int) -> dict[str, DocumentStatus]:
    raw = rec.get("status") or {}
    if not isinstance(raw, dict):
        raise InputError(
            "'status' must map annotators to todo/in_progress/done", path=path, line=lineno
        )
    out = {}
    for who, value in raw.items():
        try:
            out[str(who)] = DocumentStatus(value)
        except ValueError:
            raise InputError(
                f"status of {who!r} is {value!r}, not todo, in_progress or done",
                path=path,
                line=lineno,
            ) from None
    return out
