"""The span counts schema 0016 keeps by triggers (SQLite only; not in the ORM).

``span_tally_document`` (document_id, annotator_id, n) and ``span_tally_label``
(label_id, annotator_id, n); see the migration for why. The team server has no such
tables: its counts are counted live.
"""

from __future__ import annotations

from sqlalchemy import Integer, column, table, text
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


_LIVE = {
    "span_tally_document": ("document_id", "annotator_id"),
    "span_tally_label": ("label_id", "annotator_id"),
}


def differences(s: Session) -> int:
    """How many kept counts differ from a count of the spans themselves (0 when they all
    agree, or when this database keeps none). Reads every span: for ``annotator check``."""
    if not kept(s):
        return 0
    total = 0
    for name, (a, b) in _LIVE.items():
        live = f"SELECT {a}, {b}, count(*) FROM spans GROUP BY {a}, {b}"
        stored = f"SELECT {a}, {b}, n FROM {name} WHERE n != 0"
        total += int(
            s.execute(
                text(
                    f"SELECT count(*) FROM (SELECT * FROM ({stored} EXCEPT {live}) "
                    f"UNION ALL SELECT * FROM ({live} EXCEPT {stored}))"
                )
            ).scalar_one()
        )
    return total


def rebuild(s: Session) -> None:
    """Count every span again into the kept counts (they are derived: nothing is lost)."""
    if not kept(s):
        return
    for name, (a, b) in _LIVE.items():
        s.execute(text(f"DELETE FROM {name}"))
        s.execute(
            text(
                f"INSERT INTO {name} ({a}, {b}, n) "
                f"SELECT {a}, {b}, count(*) FROM spans GROUP BY {a}, {b}"
            )
        )
