"""Data functions for agreement studies: project settings, assignments, progress counts.

Same rules as ``repo``: the session comes first, nothing commits. On a team server a
member's session sees only their own assignment rows (row-level security), and in blind
mode not their teammates' spans and status on overlap documents they have not finished.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from annotator.core.model import SPAN_CHANGE_OPS, DocumentStatus
from annotator.core.study import Assignment
from annotator.storage.labels import annotator_id
from annotator.storage.orm import (
    AnnotatorRow,
    AssignmentRow,
    DocumentRow,
    DocumentStatusRow,
    ProjectSettingRow,
    SpanChangeRow,
    SpanRow,
    utcnow,
)

# --- project settings -----------------------------------------------------------------


def get_setting(s: Session, key: str) -> str | None:
    return s.scalar(select(ProjectSettingRow.value).where(ProjectSettingRow.key == key))


def set_setting(s: Session, key: str, value: str) -> None:
    row = s.get(ProjectSettingRow, key)
    if row is None:
        s.add(ProjectSettingRow(key=key, value=value, updated_at=utcnow()))
    else:
        row.value = value
        row.updated_at = utcnow()
    s.flush()


# --- assignments ------------------------------------------------------------------------


def unassigned_documents(s: Session) -> list[tuple[int, int]]:
    """(id, length) of every document nobody is assigned."""
    taken = select(AssignmentRow.document_id)
    q = select(DocumentRow.id, DocumentRow.length).where(DocumentRow.id.not_in(taken))
    return [(i, n) for i, n in s.execute(q.order_by(DocumentRow.id))]


def assigned_count(s: Session) -> tuple[int, int]:
    """(documents assigned, of them in the overlap set)."""
    q = select(
        func.count(func.distinct(AssignmentRow.document_id)),
    )
    docs = s.scalar(q) or 0
    ov = s.scalar(q.where(AssignmentRow.overlap.is_(True))) or 0
    return int(docs), int(ov)


def loads(s: Session) -> dict[str, int]:
    """Annotator -> characters of text assigned."""
    q = (
        select(AnnotatorRow.name, func.sum(DocumentRow.length))
        .join(AssignmentRow, AssignmentRow.annotator_id == AnnotatorRow.id)
        .join(DocumentRow, AssignmentRow.document_id == DocumentRow.id)
        .group_by(AnnotatorRow.name)
    )
    return {name: int(n or 0) for name, n in s.execute(q)}


def add_assignments(s: Session, items: Iterable[Assignment], assigned_by: str = "") -> int:
    n = 0
    ids: dict[str, int] = {}
    for a in items:
        for name in a.annotators:
            if name not in ids:
                ids[name] = annotator_id(s, name)
            s.add(
                AssignmentRow(
                    document_id=a.document_id,
                    annotator_id=ids[name],
                    overlap=a.overlap,
                    position=a.position,
                    assigned_by=assigned_by,
                )
            )
            n += 1
    s.flush()
    return n


@dataclass(frozen=True, slots=True)
class AssignedRow:
    document_id: int
    external_id: str
    title: str
    length: int
    annotator: str
    overlap: bool
    position: int
    status: DocumentStatus
    skip_reason: str


def assigned_rows(
    s: Session, *, annotators: Sequence[str] = (), document_ids: Sequence[int] = ()
) -> list[AssignedRow]:
    """Assignments (those the session may read) with each assignee's status, in queue order."""
    q = (
        select(
            AssignmentRow.document_id,
            DocumentRow.external_id,
            DocumentRow.title,
            DocumentRow.length,
            AnnotatorRow.name,
            AssignmentRow.overlap,
            AssignmentRow.position,
            DocumentStatusRow.status,
            AssignmentRow.skip_reason,
        )
        .join(DocumentRow, AssignmentRow.document_id == DocumentRow.id)
        .join(AnnotatorRow, AssignmentRow.annotator_id == AnnotatorRow.id)
        .outerjoin(
            DocumentStatusRow,
            (DocumentStatusRow.document_id == AssignmentRow.document_id)
            & (DocumentStatusRow.annotator_id == AssignmentRow.annotator_id),
        )
        .order_by(AnnotatorRow.name, AssignmentRow.position, AssignmentRow.document_id)
    )
    if annotators:
        q = q.where(AnnotatorRow.name.in_(list(annotators)))
    if document_ids:
        q = q.where(AssignmentRow.document_id.in_(list(document_ids)))
    return [
        AssignedRow(
            d,
            ext or str(d),
            title or "",
            length,
            name,
            bool(ov),
            pos,
            DocumentStatus(st) if st else DocumentStatus.TODO,
            reason or "",
        )
        for d, ext, title, length, name, ov, pos, st, reason in s.execute(q)
    ]


def remove_assignments(s: Session, annotator: str, document_ids: Sequence[int]) -> int:
    ann = s.scalar(select(AnnotatorRow.id).where(AnnotatorRow.name == annotator))
    if ann is None or not document_ids:
        return 0
    res = s.execute(
        delete(AssignmentRow)
        .where(AssignmentRow.annotator_id == ann)
        .where(AssignmentRow.document_id.in_(list(document_ids)))
    )
    s.flush()
    return int(getattr(res, "rowcount", 0) or 0)


def set_skip(s: Session, document_id: int, annotator: str, reason: str) -> bool:
    """Record (or with an empty reason clear) a skip; False if no such assignment is visible."""
    row = s.scalar(
        select(AssignmentRow)
        .join(AnnotatorRow, AssignmentRow.annotator_id == AnnotatorRow.id)
        .where(AssignmentRow.document_id == document_id, AnnotatorRow.name == annotator)
    )
    if row is None:
        return False
    row.skip_reason = reason
    row.skipped_at = utcnow() if reason else None
    s.flush()
    return True


def overlap_document_ids(s: Session) -> list[int]:
    q = (
        select(AssignmentRow.document_id)
        .where(AssignmentRow.overlap.is_(True))
        .distinct()
        .order_by(AssignmentRow.document_id)
    )
    return list(s.scalars(q))


def plan_members(s: Session) -> set[str]:
    """Names of everyone with an assignment the session can see."""
    q = select(AnnotatorRow.name).join(AssignmentRow, AssignmentRow.annotator_id == AnnotatorRow.id)
    return set(s.scalars(q.distinct()))


def overlap_documents_not_done(s: Session, viewer: str) -> set[int]:
    """Overlap documents ``viewer`` has not marked done (blind mode hides others' work there)."""
    done = (
        select(DocumentStatusRow.document_id)
        .join(AnnotatorRow, DocumentStatusRow.annotator_id == AnnotatorRow.id)
        .where(AnnotatorRow.name == viewer)
        .where(DocumentStatusRow.status == DocumentStatus.DONE.value)
    )
    q = (
        select(AssignmentRow.document_id)
        .where(AssignmentRow.overlap.is_(True))
        .where(AssignmentRow.document_id.not_in(done))
        .distinct()
    )
    return set(s.scalars(q))


def spans_by_annotator(s: Session, pairs: Iterable[tuple[int, str]]) -> dict[str, int]:
    """Annotator -> spans they made on the given (document, annotator) assignments."""
    wanted = set(pairs)
    if not wanted:
        return {}
    names = sorted({a for _, a in wanted})
    q = (
        select(SpanRow.document_id, AnnotatorRow.name, func.count())
        .join(AnnotatorRow, SpanRow.annotator_id == AnnotatorRow.id)
        .where(AnnotatorRow.name.in_(names))
        .group_by(SpanRow.document_id, AnnotatorRow.name)
    )
    out: dict[str, int] = {}
    for d, name, n in s.execute(q):
        if (d, name) in wanted:
            out[name] = out.get(name, 0) + int(n)
    return out


def change_times(s: Session, annotators: Sequence[str]) -> dict[str, list[dt.datetime]]:
    """Annotator -> times of their span changes (the change log), oldest first.

    Span ops only: the log also holds labels of whole documents (schema 0017)."""
    q = (
        select(AnnotatorRow.name, SpanChangeRow.changed_at, SpanChangeRow.op)
        .select_from(SpanChangeRow)
        .join(AnnotatorRow, SpanChangeRow.annotator_id == AnnotatorRow.id)
        .where(AnnotatorRow.name.in_(list(annotators)))
        .where(SpanChangeRow.op.in_(SPAN_CHANGE_OPS))
        .order_by(SpanChangeRow.changed_at)
    )
    out: dict[str, list[dt.datetime]] = {a: [] for a in annotators}
    for name, at, _op in s.execute(q):
        out[name].append(at)
    return out


def insert_counts(s: Session, annotators: Sequence[str]) -> dict[str, int]:
    q = (
        select(AnnotatorRow.name, func.count())
        .select_from(SpanChangeRow)
        .join(AnnotatorRow, SpanChangeRow.annotator_id == AnnotatorRow.id)
        .where(AnnotatorRow.name.in_(list(annotators)))
        .where(SpanChangeRow.op == "insert")
        .group_by(AnnotatorRow.name)
    )
    return {name: int(n) for name, n in s.execute(q)}


def done_times(s: Session, document_ids: Sequence[int]) -> dict[int, dict[str, dt.datetime]]:
    """Document -> {annotator: when they marked it done} (last status change)."""
    q = (
        select(DocumentStatusRow.document_id, AnnotatorRow.name, DocumentStatusRow.updated_at)
        .join(AnnotatorRow, DocumentStatusRow.annotator_id == AnnotatorRow.id)
        .where(DocumentStatusRow.document_id.in_(list(document_ids)))
        .where(DocumentStatusRow.status == DocumentStatus.DONE.value)
    )
    out: dict[int, dict[str, dt.datetime]] = {}
    for d, name, at in s.execute(q):
        out.setdefault(d, {})[name] = at
    return out


def find_document(s: Session, ref: str) -> int | None:
    """A document by external id, else by numeric id."""
    found = s.scalar(select(DocumentRow.id).where(DocumentRow.external_id == ref).limit(1))
    if found is None and ref.isdigit():
        found = s.scalar(select(DocumentRow.id).where(DocumentRow.id == int(ref)))
    return found
