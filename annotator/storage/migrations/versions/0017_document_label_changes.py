"""Labels of whole documents in the change log, so open windows learn of a teammate's.

Revision ID: 0017
Revises: 0016

Until now only ``spans`` wrote ``span_changes``: a document label added or taken back
(``document_labels``, schema 0012) reached no live feed, and the comparison window and the
document-label line showed them as of their last load. Here triggers on
``document_labels`` write the same log with ``op = 'doclabel'``: ``span_id`` is the
``document_labels`` row's id (not a span's), ``document_id`` and ``annotator_id`` are the
label row's. Inserts, deletes (cascades from a deleted document or annotator included)
and updates (none of the app's, but a raw SQL session's) are logged; an update that moves
a label to another document or annotator logs both ends. Readers of the log that count
span activity (import take-back, Team > Progress) filter on the span ops.

SQLite: row triggers, as 0003's for spans. PostgreSQL: statement-level triggers with
transition tables, as 0014's, through a SECURITY DEFINER function (members hold no
privilege on ``span_changes``) that pins ``search_path = pg_catalog, <schema>, pg_temp``
and names every object with its schema; it sends the same wake-up call as 0014's on
``annotator_spans``. The log's row-level security (``changes_read``) hides a teammate's
entries on a blind document whatever their ``op``. The span triggers and 0016's span
counts are untouched.
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

CHANNEL = "annotator_spans"
OP = "doclabel"

_SQLITE_TRIGGERS = (
    f"""
CREATE TRIGGER trg_doclabels_log_insert AFTER INSERT ON document_labels BEGIN
  INSERT INTO span_changes (op, span_id, document_id, annotator_id, changed_at)
  VALUES ('{OP}', NEW.id, NEW.document_id, NEW.annotator_id, CURRENT_TIMESTAMP);
END
""",
    f"""
CREATE TRIGGER trg_doclabels_log_delete AFTER DELETE ON document_labels BEGIN
  INSERT INTO span_changes (op, span_id, document_id, annotator_id, changed_at)
  VALUES ('{OP}', OLD.id, OLD.document_id, OLD.annotator_id, CURRENT_TIMESTAMP);
END
""",
    f"""
CREATE TRIGGER trg_doclabels_log_update AFTER UPDATE ON document_labels BEGIN
  INSERT INTO span_changes (op, span_id, document_id, annotator_id, changed_at)
  SELECT '{OP}', OLD.id, OLD.document_id, OLD.annotator_id, CURRENT_TIMESTAMP
  WHERE OLD.document_id IS NOT NEW.document_id OR OLD.annotator_id IS NOT NEW.annotator_id;
  INSERT INTO span_changes (op, span_id, document_id, annotator_id, changed_at)
  VALUES ('{OP}', NEW.id, NEW.document_id, NEW.annotator_id, CURRENT_TIMESTAMP);
END
""",
)
SQLITE_TRIGGERS = (
    "trg_doclabels_log_insert",
    "trg_doclabels_log_delete",
    "trg_doclabels_log_update",
)
PG_TRIGGERS = SQLITE_TRIGGERS
FUNCTION = "annotator_log_doclabel_statement"


def statement_log_function(schema: str) -> str:
    """The trigger function and its three triggers, ``schema`` already quoted."""
    return f"""
CREATE OR REPLACE FUNCTION {schema}.{FUNCTION}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, {schema}, pg_temp AS $$
DECLARE
  at timestamp := pg_catalog.timezone('utc', pg_catalog.now());
  last bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    WITH logged AS (
      INSERT INTO {schema}.span_changes (op, span_id, document_id, annotator_id, changed_at)
      SELECT '{OP}', o.id, o.document_id, o.annotator_id, at FROM old_rows o ORDER BY o.id
      RETURNING id)
    SELECT pg_catalog.max(l.id) INTO last FROM logged l;
  ELSIF TG_OP = 'UPDATE' THEN
    -- Both ends of a label moved to another document or annotator (UNION: once if not).
    WITH moved AS (
      SELECT o.id, o.document_id, o.annotator_id FROM old_rows o
      UNION
      SELECT n.id, n.document_id, n.annotator_id FROM new_rows n),
    logged AS (
      INSERT INTO {schema}.span_changes (op, span_id, document_id, annotator_id, changed_at)
      SELECT '{OP}', m.id, m.document_id, m.annotator_id, at FROM moved m
      ORDER BY m.id, m.document_id, m.annotator_id
      RETURNING id)
    SELECT pg_catalog.max(l.id) INTO last FROM logged l;
  ELSE
    WITH logged AS (
      INSERT INTO {schema}.span_changes (op, span_id, document_id, annotator_id, changed_at)
      SELECT '{OP}', n.id, n.document_id, n.annotator_id, at FROM new_rows n ORDER BY n.id
      RETURNING id)
    SELECT pg_catalog.max(l.id) INTO last FROM logged l;
  END IF;
  -- A wake-up call only, as 0014's: skipped when the queue is filling up.
  IF last IS NOT NULL AND pg_catalog.pg_notification_queue_usage() < coalesce(nullif(
       pg_catalog.current_setting('annotator.notify_queue_limit', true), '')::float8, 0.5)
  THEN
    PERFORM pg_catalog.pg_notify('{CHANNEL}',
      pg_catalog.json_build_object('seq', last, 'op', '{OP}')::text);
  END IF;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION {schema}.{FUNCTION}() FROM PUBLIC;
DROP TRIGGER IF EXISTS trg_doclabels_log_insert ON {schema}.document_labels;
DROP TRIGGER IF EXISTS trg_doclabels_log_update ON {schema}.document_labels;
DROP TRIGGER IF EXISTS trg_doclabels_log_delete ON {schema}.document_labels;
CREATE TRIGGER trg_doclabels_log_insert AFTER INSERT ON {schema}.document_labels
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION {schema}.{FUNCTION}();
CREATE TRIGGER trg_doclabels_log_update AFTER UPDATE ON {schema}.document_labels
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION {schema}.{FUNCTION}();
CREATE TRIGGER trg_doclabels_log_delete AFTER DELETE ON {schema}.document_labels
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION {schema}.{FUNCTION}();
"""


def _schema() -> str:
    bind = op.get_bind()
    raw = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(raw))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        bind.exec_driver_sql(statement_log_function(_schema()))
    else:  # pragma: no cover - other backends are not supported
        raise NotImplementedError(f"no change-feed triggers for {bind.dialect.name}")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif bind.dialect.name == "postgresql":
        schema = _schema()
        for name in PG_TRIGGERS:
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {schema}.document_labels")
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {schema}.{FUNCTION}()")
    # The older schema's feed knows span ops only: its entries for labels go with it.
    bind.exec_driver_sql(f"DELETE FROM span_changes WHERE op = '{OP}'")
