"""Data functions for team work: span layers for agreement, adjudication decisions.

Same rules as ``repo``: the session comes first, nothing commits, core objects come out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from annotator.core.errors import PermissionDeniedError
from annotator.core.model import DocumentStatus, Span
from annotator.core.team import Decision, DecisionRecord, DocumentLayers
from annotator.storage.orm import (
    AdjudicationRow,
    AnnotatorRow,
    DocumentRow,
    DocumentStatusRow,
    LabelRow,
    SpanRow,
    utcnow,
)
from annotator.storage.rows import _span, _span_select
from annotator.storage.spans import delete_span_rows

# --- agreement input --------------------------------------------------------------


def documents_done_by_all(s: Session, annotators: Sequence[str]) -> list[int]:
    """Ids of documents that every one of ``annotators`` marked done."""
    names = sorted(set(annotators))
    if not names:
        return []
    q = (
        select(DocumentStatusRow.document_id)
        .join(AnnotatorRow, DocumentStatusRow.annotator_id == AnnotatorRow.id)
        .where(AnnotatorRow.name.in_(names))
        .where(DocumentStatusRow.status == DocumentStatus.DONE.value)
        .group_by(DocumentStatusRow.document_id)
        .having(func.count(distinct(AnnotatorRow.id)) == len(names))
        .order_by(DocumentStatusRow.document_id)
    )
    return list(s.scalars(q))


def iter_document_layers(
    s: Session,
    *,
    annotators: Sequence[str],
    labels: Sequence[str] = (),
    document_ids: Sequence[int] = (),
    only_done: bool = False,
    with_text: bool = False,
    plain: bool = False,
    guideline_version: int | None = None,
    batch: int = 500,
) -> Iterator[DocumentLayers]:
    """Each chosen document with the chosen annotators' spans (of the chosen labels).

    Text is loaded only with ``with_text``: character-level agreement needs lengths, so a
    large corpus streams through in batches without holding its text. With ``plain`` the
    spans come as ``plain_spans`` tuples, read as columns without building ORM rows.

    With ``guideline_version`` an annotator's layer of a document is kept only when it was
    made under that version: at least one span there, and every one of their spans there
    (of any label) records that version. Other layers are left out as if the annotator had
    not worked on the document (see :func:`layers_under_version`).
    """
    ids = list(document_ids) or list(s.scalars(select(DocumentRow.id).order_by(DocumentRow.id)))
    if only_done:
        done = set(documents_done_by_all(s, annotators))
        ids = [i for i in ids if i in done]
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        docs: dict[int, tuple[str, int, str | None, str]] = {}
        text_col = DocumentRow.text if with_text else DocumentRow.external_id
        q_docs = select(
            DocumentRow.id, DocumentRow.title, DocumentRow.length, DocumentRow.external_id, text_col
        )
        for d, title, length, ext, text in s.execute(q_docs.where(DocumentRow.id.in_(chunk))):
            docs[d] = (title, length, text if with_text else None, ext or "")
        annotated: dict[int, set[str]] = {d: set() for d in chunk}
        done_by: dict[int, set[str]] = {d: set() for d in chunk}
        worked = (
            select(DocumentStatusRow.document_id, AnnotatorRow.name, DocumentStatusRow.status)
            .join(AnnotatorRow, DocumentStatusRow.annotator_id == AnnotatorRow.id)
            .where(DocumentStatusRow.document_id.in_(chunk))
            .where(AnnotatorRow.name.in_(annotators))
            .where(DocumentStatusRow.status != DocumentStatus.TODO.value)
        )
        tagged = (
            select(SpanRow.document_id, AnnotatorRow.name)
            .distinct()
            .join(AnnotatorRow, SpanRow.annotator_id == AnnotatorRow.id)
            .where(SpanRow.document_id.in_(chunk))
            .where(AnnotatorRow.name.in_(annotators))
        )
        for doc_id, name, status in s.execute(worked):
            annotated[doc_id].add(name)
            if status == DocumentStatus.DONE.value:
                done_by[doc_id].add(name)
        for doc_id, name in s.execute(tagged):
            annotated[doc_id].add(name)
        if guideline_version is not None:
            under = layers_under_version(s, chunk, annotators, guideline_version)
            for d in chunk:
                annotated[d] &= under[d]
                done_by[d] &= under[d]
        spans: dict[int, list[Span]] = {d: [] for d in chunk}
        plain_spans: dict[int, dict[str, list[tuple[int, int, str]]]] = {d: {} for d in chunk}
        cols = (SpanRow.document_id, SpanRow.start, SpanRow.end, LabelRow.name, AnnotatorRow.name)
        q: Any = (
            select(*cols)
            .join(LabelRow, SpanRow.label_id == LabelRow.id)
            .join(AnnotatorRow, SpanRow.annotator_id == AnnotatorRow.id)
            if plain
            else _span_select()
        )
        q = q.where(SpanRow.document_id.in_(chunk)).where(AnnotatorRow.name.in_(annotators))
        if labels:
            q = q.where(LabelRow.name.in_(labels))
        if plain:
            # Core rows, unordered: no ORM row processing and no sort for 100k spans.
            for d, start, end, label, who in _plain_rows(s, q):
                by_who = plain_spans[d]
                if who not in by_who:
                    by_who[who] = []
                by_who[who].append((start, end, label))
        else:
            q = q.order_by(SpanRow.document_id, SpanRow.start, SpanRow.end)
            for r in s.execute(q):
                spans[r[0].document_id].append(_span(r[0], r[1], r[2]))
        for d in chunk:
            if d not in docs:
                continue
            title, length, maybe_text, external_id = docs[d]
            if guideline_version is not None:
                spans[d] = [sp for sp in spans[d] if sp.annotator in annotated[d]]
                plain_spans[d] = {k: v for k, v in plain_spans[d].items() if k in annotated[d]}
            yield DocumentLayers(
                id=d,
                title=title,
                length=length,
                spans=tuple(spans[d]),
                annotated=frozenset(annotated[d]),
                text=maybe_text,
                done=frozenset(done_by[d]),
                external_id=external_id,
                plain_spans=plain_spans[d],
            )


def layers_under_version(
    s: Session, document_ids: Sequence[int], annotators: Sequence[str], version: int
) -> dict[int, set[str]]:
    """Document id -> the annotators whose spans there were all made under ``version``
    (at least one span; a span of no recorded version counts as another version)."""
    stamp = func.coalesce(SpanRow.guideline_version, 0)
    q = (
        select(SpanRow.document_id, AnnotatorRow.name, func.min(stamp), func.max(stamp))
        .join(AnnotatorRow, SpanRow.annotator_id == AnnotatorRow.id)
        .where(SpanRow.document_id.in_(document_ids))
        .where(AnnotatorRow.name.in_(annotators))
        .group_by(SpanRow.document_id, AnnotatorRow.name)
    )
    out: dict[int, set[str]] = {d: set() for d in document_ids}
    for doc_id, name, low, high in s.execute(q):
        if low == high == version:
            out[doc_id].add(name)
    return out


def _plain_rows(s: Session, q: Any) -> list[Any]:
    """Every row of a select of plain columns. On SQLite straight through the driver's
    cursor: for 100k spans SQLAlchemy's per-row processing costs more than the database
    (0.5 s against 0.25 s of CPU). Elsewhere through a Core result."""
    conn = s.connection()
    if conn.dialect.name != "sqlite":
        return list(conn.execute(q).fetchall())
    compiled = q.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    args = tuple(params[k] for k in compiled.positiontup or ())
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def document_texts(s: Session, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """id -> (title, text) for the given documents."""
    wanted = sorted(set(ids))
    q = select(DocumentRow.id, DocumentRow.title, DocumentRow.text)
    q = q.where(DocumentRow.id.in_(wanted))
    return {r[0]: (r[1], r[2]) for r in s.execute(q)}


# --- adjudication decisions -------------------------------------------------------


def _decision(row: AdjudicationRow) -> DecisionRecord:
    return DecisionRecord(
        document_id=row.document_id,
        start=row.start,
        end=row.end,
        label=row.label,
        decision=Decision(row.decision),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
    )


def list_decisions(s: Session, document_id: int) -> list[DecisionRecord]:
    q = (
        select(AdjudicationRow)
        .where(AdjudicationRow.document_id == document_id)
        .order_by(AdjudicationRow.start, AdjudicationRow.end, AdjudicationRow.label)
    )
    return [_decision(r) for r in s.scalars(q)]


def _decision_row(
    s: Session, document_id: int, key: tuple[int, int, str]
) -> AdjudicationRow | None:
    start, end, label = key
    return s.scalar(
        select(AdjudicationRow).where(
            AdjudicationRow.document_id == document_id,
            AdjudicationRow.start == start,
            AdjudicationRow.end == end,
            AdjudicationRow.label == label,
        )
    )


def set_decision(
    s: Session,
    document_id: int,
    key: tuple[int, int, str],
    decision: Decision,
    decided_by: str,
) -> DecisionRecord | None:
    """Record a decision about the span ``key``; returns the one it replaced, if any."""
    row = _decision_row(s, document_id, key)
    before = _decision(row) if row is not None else None
    if row is None:
        row = AdjudicationRow(document_id=document_id, start=key[0], end=key[1], label=key[2])
        s.add(row)
    row.decision = decision.value
    row.decided_by = decided_by
    row.decided_at = utcnow()
    s.flush()
    return before


def restore_decision(
    s: Session, document_id: int, key: tuple[int, int, str], previous: DecisionRecord | None
) -> None:
    """Put back what :func:`set_decision` replaced (``None``: no decision at all)."""
    row = _decision_row(s, document_id, key)
    if previous is None:
        if row is not None:
            s.delete(row)
        s.flush()
        return
    if row is None:
        row = AdjudicationRow(document_id=document_id, start=key[0], end=key[1], label=key[2])
        s.add(row)
    row.decision = previous.decision.value
    row.decided_by = previous.decided_by
    row.decided_at = previous.decided_at or utcnow()
    s.flush()


def delete_spans(s: Session, span_ids: Iterable[int]) -> int:
    """Delete these spans, all or none: one the server keeps (not ours to delete) refuses all."""
    ids = list(span_ids)
    gone = delete_span_rows(s, ids)
    if gone < len(ids):
        left = s.scalar(select(func.count()).select_from(SpanRow).where(SpanRow.id.in_(ids)))
        if left:
            raise PermissionDeniedError(
                f"The server refused to delete {left} of these spans: they are not yours to "
                "delete. Nothing was changed."
            )
    return gone
