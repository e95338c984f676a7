"""Span counts kept by triggers, so ``annotator stats`` does not count 800,000 spans (SQLite).

Revision ID: 0016
Revises: 0015

``stats`` lists every document with its number of spans and counts the spans of each
label and annotator. Counted from the indexes that is two passes over every span (0.04 s
each for 800,000 spans, SQLite 3.40): a third of the command on a 350 MB file. Two small
tables keep the counts instead, written by the same triggers that write ``spans``:

* ``span_tally_document`` (document_id, annotator_id, n): one row per document and
  annotator;
* ``span_tally_label`` (label_id, annotator_id, n): one row per label and annotator.

Both are keyed by annotator, so the rows one person's tagging touches are that person's.
A deleted span counts down (rows at zero stay until their document goes); a span moved
to another label or annotator counts down there and up here. Reading them costs 0.01 s
for 8,000 documents.

The triggers add about 3 microseconds to each inserted span once the statement journal is
kept in memory (``PRAGMA temp_store=MEMORY``, set on every connection by storage/engine.py;
on a temporary file each trigger write cost 13 microseconds): measured in
docs/benchmarks.md.

SQLite only. The team server counts live: its statement-level triggers and row-level
security are untouched, and no counter rows are shared between members' transactions.
The tables are not in the ORM (``storage/tallies.py`` reads them).
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLES = ("span_tally_document", "span_tally_label")
TRIGGERS = (
    "trg_spans_tally_insert",
    "trg_spans_tally_delete",
    "trg_spans_tally_update",
    "trg_documents_tally_delete",
)

_UP = (
    """
CREATE TABLE span_tally_document (
  document_id INTEGER NOT NULL, annotator_id INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (document_id, annotator_id)) WITHOUT ROWID
""",
    """
CREATE TABLE span_tally_label (
  label_id INTEGER NOT NULL, annotator_id INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (label_id, annotator_id)) WITHOUT ROWID
""",
    """
INSERT INTO span_tally_document (document_id, annotator_id, n)
  SELECT document_id, annotator_id, count(*) FROM spans GROUP BY document_id, annotator_id
""",
    """
INSERT INTO span_tally_label (label_id, annotator_id, n)
  SELECT label_id, annotator_id, count(*) FROM spans GROUP BY label_id, annotator_id
""",
    """
CREATE TRIGGER trg_spans_tally_insert AFTER INSERT ON spans BEGIN
  INSERT INTO span_tally_document (document_id, annotator_id, n)
    VALUES (NEW.document_id, NEW.annotator_id, 1) ON CONFLICT DO UPDATE SET n = n + 1;
  INSERT INTO span_tally_label (label_id, annotator_id, n)
    VALUES (NEW.label_id, NEW.annotator_id, 1) ON CONFLICT DO UPDATE SET n = n + 1;
END
""",
    """
CREATE TRIGGER trg_spans_tally_delete AFTER DELETE ON spans BEGIN
  UPDATE span_tally_document SET n = n - 1
    WHERE document_id = OLD.document_id AND annotator_id = OLD.annotator_id;
  UPDATE span_tally_label SET n = n - 1
    WHERE label_id = OLD.label_id AND annotator_id = OLD.annotator_id;
END
""",
    """
CREATE TRIGGER trg_spans_tally_update AFTER UPDATE OF document_id, annotator_id, label_id ON spans
WHEN OLD.document_id IS NOT NEW.document_id OR OLD.annotator_id IS NOT NEW.annotator_id
  OR OLD.label_id IS NOT NEW.label_id
BEGIN
  UPDATE span_tally_document SET n = n - 1
    WHERE document_id = OLD.document_id AND annotator_id = OLD.annotator_id;
  UPDATE span_tally_label SET n = n - 1
    WHERE label_id = OLD.label_id AND annotator_id = OLD.annotator_id;
  INSERT INTO span_tally_document (document_id, annotator_id, n)
    VALUES (NEW.document_id, NEW.annotator_id, 1) ON CONFLICT DO UPDATE SET n = n + 1;
  INSERT INTO span_tally_label (label_id, annotator_id, n)
    VALUES (NEW.label_id, NEW.annotator_id, 1) ON CONFLICT DO UPDATE SET n = n + 1;
END
""",
    """
CREATE TRIGGER trg_documents_tally_delete AFTER DELETE ON documents BEGIN
  DELETE FROM span_tally_document WHERE document_id = OLD.id;
END
""",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in _UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for table in TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table}")
