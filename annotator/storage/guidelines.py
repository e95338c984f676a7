"""The project guideline: versions are only ever added, and spans record the one in force.

Data functions take the session first and never commit: the caller owns the transaction.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.core.model import Guideline, GuidelineStamp
from annotator.storage.orm import GuidelineRow, utcnow

CURRENT_VERSION_SQL = "(SELECT max(g.version) FROM guidelines g)"
"""The version in force, as a scalar subquery for statements written as text (the tag path):
read in the inserting statement itself, so a span never records a version other than the
one its own transaction saw."""


def current_version(s: Session) -> int | None:
    """The newest guideline version, None when no guideline was ever set."""
    found = s.scalar(select(func.max(GuidelineRow.version)))
    return None if found is None else int(found)


def resolve_version(wanted: int | GuidelineStamp | None, current: int | None) -> int | None:
    """What a new span stores: ``current`` unless the span says its own version (or None)."""
    return current if isinstance(wanted, GuidelineStamp) else wanted


def _guideline(row: GuidelineRow) -> Guideline:
    return Guideline(
        version=row.version, text=row.text, author=row.author, created_at=row.created_at
    )


def get_guideline(s: Session, version: int | None = None) -> Guideline | None:
    """Version ``version`` (the newest when None); None when there is no such version."""
    if version is None:
        version = current_version(s)
        if version is None:
            return None
    row = s.get(GuidelineRow, version)
    return None if row is None else _guideline(row)


def list_guidelines(s: Session) -> list[Guideline]:
    """Every version, oldest first."""
    return [_guideline(r) for r in s.scalars(select(GuidelineRow).order_by(GuidelineRow.version))]


def add_guideline(s: Session, text: str, author: str) -> Guideline:
    """Store ``text`` as the next version. Two writers racing for the same number collide on
    the primary key; the caller retries (``Database.write(..., retry_integrity=True)``)."""
    version = (current_version(s) or 0) + 1
    row = GuidelineRow(version=version, text=text, author=author, created_at=utcnow())
    s.add(row)
    s.flush()
    return _guideline(row)
