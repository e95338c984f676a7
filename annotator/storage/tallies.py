"""The span counts schema 0016 keeps by triggers (SQLite only; not in the ORM).

``span_tally_document`` (document_id, annotator_id, n) and ``span_tally_label``
(label_id, annotator_id, n); see the migration for why. The team server has no such
tables: its counts are counted live.
"""

from __future__ import annotations

from sqlalchemy import Integer, column, table
from sqlalchemy.orm import Session

BY_DOCUMENT = table(
    "span_tally_document",
    column("document_id", Integer),
    column("annotator_id", Integer),
    column("n", Integer),
)
BY_LABEL = table(
    "span_tally_label",
    column("label_id", Integer),
    column("annotator_id", Integer),
    column("n", Integer),
)
TABLES = ("span_tally_document", "span_tally_label")


def kept(s: Session) -> bool:
    """Whether this database keeps the counts (SQLite, schema 0016 or later)."""
    return s.get_bind().dialect.name == "sqlite"
