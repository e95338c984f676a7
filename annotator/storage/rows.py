"""Shared by the data modules: get-or-create in a savepoint, rows to core objects.

Data functions take the session first and never commit: the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from annotator.core.model import (
    Document,
    Label,
    NewSpan,
    Span,
    SpanOrigin,
)
from annotator.storage.guidelines import resolve_version
from annotator.storage.orm import (
    AnnotatorRow,
    DocumentRow,
    LabelRow,
    SpanRow,
)

R = TypeVar("R")


def _insert_or_find(s: Session, row: R, find: Callable[[], R | None]) -> R:
    """Insert ``row`` in a savepoint; if a concurrent writer stored the same key first, return
    what ``find`` finds instead. Only the savepoint rolls back, not the caller's transaction,
    so get-or-create races on PostgreSQL cost no retry (SQLite writers never race: they queue)."""
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
        return row
    except IntegrityError:
        found = find()
        if found is None:
            raise  # not a duplicate: a real constraint violation
        return found


# --- conversion -----------------------------------------------------------------


def _document(row: DocumentRow) -> Document:
    return Document(
        id=row.id,
        external_id=row.external_id,
        text=row.text,
        title=row.title,
        source=row.source,
        author=row.author,
        url=row.url,
        published=row.published,
        content_hash=row.content_hash,
        source_path=row.source_path,
        source_sha256=row.source_sha256,
        meta=dict(row.meta or {}),
    )


def _label(row: LabelRow) -> Label:
    return Label(
        id=row.id,
        name=row.name,
        color=row.color,
        shortcut=row.shortcut,
        description=row.description,
    )


def _span(row: SpanRow, label: str, annotator: str) -> Span:
    return Span(
        id=row.id,
        document_id=row.document_id,
        start=row.start,
        end=row.end,
        label=label,
        annotator=annotator,
        note=row.note,
        origin=SpanOrigin(row.origin),
        decided_by=row.decided_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        guideline_version=row.guideline_version,
    )


_SPAN_COLUMNS = (SpanRow, LabelRow.name, AnnotatorRow.name)


def _span_select() -> Any:
    return (
        select(*_SPAN_COLUMNS)
        .join(LabelRow, SpanRow.label_id == LabelRow.id)
        .join(AnnotatorRow, SpanRow.annotator_id == AnnotatorRow.id)
    )


def span_values(
    document_id: int,
    annotator_id: int,
    label_id: int,
    span: NewSpan,
    now: dt.datetime,
    guideline: int | None,
) -> dict[str, Any]:
    """The column values of one new span row, for Core bulk inserts; ``guideline`` is the
    version in force, recorded unless the span says its own."""
    return {
        "document_id": document_id,
        "annotator_id": annotator_id,
        "label_id": label_id,
        "start": span.start,
        "end": span.end,
        "note": span.note,
        "origin": span.origin.value,
        "decided_by": span.decided_by,
        "created_at": now,
        "updated_at": now,
        "guideline_version": resolve_version(span.guideline_version, guideline),
    }


def sqlite_stamp(when: dt.datetime) -> str:
    """A DateTime as SQLAlchemy stores it in SQLite (for statements sent to the driver)."""
    return when.strftime("%Y-%m-%d %H:%M:%S.%f")
