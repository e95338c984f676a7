"""The span change log the live feed reads (document labels are logged there too, 0017).

Data functions take the session first and never commit: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from annotator.core.model import (
    ChangeKind,
    SpanChange,
)
from annotator.storage.orm import (
    AnnotatorRow,
    SpanChangeRow,
)

# --- change feed ----------------------------------------------------------------


def last_change_seq(s: Session) -> int:
    """The newest entry of the span change log (0 when empty): where a new feed starts."""
    return s.scalar(select(func.max(SpanChangeRow.id))) or 0


def changes_after(
    s: Session,
    after: int,
    *,
    gaps: Sequence[tuple[int, int]] = (),
    limit: int = 1000,
) -> list[SpanChange]:
    """Logged span changes with ``seq > after`` or ``lo <= seq <= hi`` for a gap, oldest first.

    ``gaps`` re-asks for ranges below ``after``: on PostgreSQL a sequence number taken by a
    transaction that commits late shows up after higher ones (written by triggers, 0003).
    Ranges, not numbers: one member's burnt million numbers are one range (two parameters).
    """
    if _through_function(s):
        return _changes_through_function(s, after, gaps, limit)
    cond = SpanChangeRow.id > after
    if gaps:
        cond = or_(cond, *(SpanChangeRow.id.between(lo, hi) for lo, hi in gaps))
    c = SpanChangeRow
    q = (
        select(c.id, c.op, c.span_id, c.document_id, AnnotatorRow.name, c.changed_at)
        .outerjoin(AnnotatorRow, c.annotator_id == AnnotatorRow.id)
        .where(cond)
        .order_by(c.id)
        .limit(limit)
    )
    return _changes(s.connection().execute(q))  # Core rows: no ORM objects a change


def _through_function(s: Session) -> bool:
    """On a team server set up with ``server init``, read through its definer function
    ``annotator_changes_after`` (storage/server_security.py): blind mode hides some entries
    from a member, and the function hands over their numbers, so the feed does not watch
    them as gaps. Asked once per server connection."""
    conn = s.connection()
    if conn.dialect.name != "postgresql":
        return False
    key = "annotator.changes_via_function"
    if key not in conn.info:
        conn.info[key] = bool(
            conn.exec_driver_sql(
                "SELECT to_regprocedure("
                "'annotator_changes_after(bigint, bigint[], bigint[], integer)') IS NOT NULL"
            ).scalar()
        )
    return bool(conn.info[key])


def _changes_through_function(
    s: Session, after: int, gaps: Sequence[tuple[int, int]], limit: int
) -> list[SpanChange]:
    rows = s.connection().execute(
        sql_text(
            "SELECT seq, op, span_id, document_id, annotator, changed_at FROM "
            "annotator_changes_after(:after, CAST(:lo AS bigint[]), CAST(:hi AS bigint[]), :lim)"
        ),
        {
            "after": int(after),
            "lo": [int(lo) for lo, _ in gaps],
            "hi": [int(hi) for _, hi in gaps],
            "lim": int(limit),
        },
    )
    return _changes(rows)


def _changes(rows: Any) -> list[SpanChange]:
    """SpanChanges of (seq, op, span_id, document_id, annotator name, changed_at) rows."""
    kinds = {k.value: k for k in ChangeKind}
    return [
        SpanChange(
            seq=seq,
            kind=kinds[op],
            span_id=span_id,
            document_id=document_id,
            annotator=name or "",
            changed_at=changed_at,
        )
        for seq, op, span_id, document_id, name, changed_at in rows
    ]


def prune_changes(s: Session, *, before: Any) -> int:
    """Forget change-log entries older than ``before`` (a naive UTC datetime)."""
    result = s.execute(delete(SpanChangeRow).where(SpanChangeRow.changed_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
