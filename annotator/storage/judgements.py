"""Judgements: which passages an annotator judged "no label", and suggestions they rejected.

Same rules as ``repo``: the session comes first, nothing commits, core objects come out.
On a team server members may insert and read only their own rows (row-level security in
``server``) and, holding no DELETE privilege (it would let them lock the table), take
their own back through the server's checked function, as for spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from annotator.core.judgement import Judgement, JudgementKind
from annotator.storage.deleting import delete_rows
from annotator.storage.labels import annotator_id
from annotator.storage.orm import AnnotatorRow, DocumentRow, JudgementRow
from annotator.storage.rows import _insert_or_find

_READABLE = "annotator_judgements_readable"


def list_judgements(
    s: Session, *, annotators: Sequence[str] = (), document_ids: Sequence[int] = ()
) -> list[Judgement]:
    """Judgements (of ``annotators``, in ``document_ids``; all when empty) in reading order.

    On a team server a member reads only their own (the server's row-level security); a
    server upgraded without re-running ``annotator server init`` grants members nothing on
    the table yet, and then no judgement is read (none is lost: none could be written).
    """
    if not readable(s):
        return []
    q = select(
        JudgementRow.id,
        JudgementRow.document_id,
        JudgementRow.start,
        JudgementRow.end,
        AnnotatorRow.name,
        JudgementRow.kind,
        JudgementRow.label,
    ).join(AnnotatorRow, JudgementRow.annotator_id == AnnotatorRow.id)
    if annotators:
        q = q.where(AnnotatorRow.name.in_(list(annotators)))
    if document_ids:
        q = q.where(JudgementRow.document_id.in_(list(document_ids)))
    q = q.order_by(JudgementRow.document_id, JudgementRow.start, JudgementRow.end, JudgementRow.id)
    return [
        Judgement(doc, start, end, name, JudgementKind(kind), label or "", jid)
        for jid, doc, start, end, name, kind, label in s.execute(q)
    ]


def has_judgement(
    s: Session, document_id: int, start: int, end: int, annotator: str, kind: JudgementKind
) -> bool:
    """Whether ``annotator`` judged exactly this passage so (one indexed lookup)."""
    if not readable(s):
        return False
    q = (
        select(JudgementRow.id)
        .join(AnnotatorRow, JudgementRow.annotator_id == AnnotatorRow.id)
        .where(AnnotatorRow.name == annotator)
        .where(JudgementRow.document_id == document_id)
        .where(JudgementRow.start == start, JudgementRow.end == end)
        .where(JudgementRow.kind == kind.value)
        .limit(1)
    )
    return s.scalar(q) is not None


def add_judgements(
    s: Session, items: Iterable[Judgement], *, lengths: dict[int, int] | None = None
) -> list[Judgement]:
    """Store judgements not stored yet; returns those this call added (with their ids).

    A judgement already there (the same passage, annotator, kind and label) is left as it
    is and not returned, so undoing this call takes back only what it added.
    """
    added: list[Judgement] = []
    ids: dict[str, int] = {}
    lengths = dict(lengths or {})  # documents whose length the caller knows
    for j in items:
        if j.start < 0 or j.end <= j.start:
            raise ValueError(f"Bad passage range {j.start}-{j.end}.")
        if j.document_id not in lengths:
            length = s.scalar(select(DocumentRow.length).where(DocumentRow.id == j.document_id))
            if length is None:
                raise ValueError(f"No document with id {j.document_id}.")
            lengths[j.document_id] = int(length)
        if j.end > lengths[j.document_id]:
            raise ValueError(
                f"Passage {j.start}-{j.end} is beyond the end of document {j.document_id}."
            )
        if j.annotator not in ids:
            ids[j.annotator] = annotator_id(s, j.annotator)
        ann = ids[j.annotator]
        key = (
            JudgementRow.document_id == j.document_id,
            JudgementRow.annotator_id == ann,
            JudgementRow.start == j.start,
            JudgementRow.end == j.end,
            JudgementRow.kind == j.kind.value,
            JudgementRow.label == j.label,
        )

        def find(key: tuple[ColumnElement[bool], ...] = key) -> JudgementRow | None:
            return s.scalar(select(JudgementRow).where(*key))

        if find() is not None:
            continue
        row = JudgementRow(
            document_id=j.document_id,
            annotator_id=ann,
            start=j.start,
            end=j.end,
            kind=j.kind.value,
            label=j.label,
        )
        got = _insert_or_find(s, row, find)
        if got is row:
            added.append(
                Judgement(j.document_id, j.start, j.end, j.annotator, j.kind, j.label, row.id)
            )
    return added


def readable(s: Session) -> bool:
    """Whether this login may read the judgements table (always, but on a server upgraded
    without re-running ``server init``)."""
    conn = s.connection()
    if conn.dialect.name != "postgresql":
        return True
    if _READABLE not in conn.info:
        conn.info[_READABLE] = bool(
            conn.exec_driver_sql("SELECT has_table_privilege('judgements', 'SELECT')").scalar()
        )
    return bool(conn.info[_READABLE])


def delete_judgements(s: Session, ids: Sequence[int]) -> int:
    """Delete judgements by id; returns how many went (others' rows stay on a team server)."""
    return delete_rows(s, JudgementRow, ids)
