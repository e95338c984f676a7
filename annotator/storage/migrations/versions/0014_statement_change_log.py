"""The change log written once per statement, not once per row (PostgreSQL only).

Revision ID: 0014
Revises: 0013

Until now every inserted, changed or deleted span ran a PL/pgSQL trigger of its own: one
INSERT into ``span_changes``, one look at the notification queue and one ``pg_notify``
per row. A member's 20,000-row insert (rolled back, from psql) then cost the server a core
for most of a second, and the other members' tags waited for it (issue 23's load
benchmark: tag p99 670 ms under attack). Here three statement-level triggers, one per
operation, read the statement's transition table: one ``INSERT ... SELECT`` into the log
and at most one wake-up call per statement, whatever its size. The log rows are the same
as before (one per span changed, in span-id order within a statement), so the change
feed reads them unchanged; the wake-up payload carries the statement's last ``seq``, and
the feed uses a payload only as a hint to look now (storage/notify.py).

PostgreSQL allows a transition table only on a trigger for a single event, hence three
triggers sharing one function; the per-row function is dropped. SQLite keeps its row triggers: it has one writer at a time
and no notifications.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

CHANNEL = "annotator_spans"


def statement_log_function(schema: str) -> str:
    """The trigger function, with ``schema`` already quoted as an identifier.

    SECURITY DEFINER (members hold no privilege on ``span_changes``), so it pins a
    search_path with ``pg_temp`` last and names every object with its schema.
    """
    return f"""
CREATE OR REPLACE FUNCTION {schema}.annotator_log_span_statement() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, {schema}, pg_temp AS $$
DECLARE
  at timestamp := pg_catalog.timezone('utc', pg_catalog.now());
  op text := pg_catalog.lower(TG_OP);
  last bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    WITH logged AS (
      INSERT INTO {schema}.span_changes (op, span_id, document_id, annotator_id, changed_at)
      SELECT op, o.id, o.document_id, o.annotator_id, at FROM old_rows o ORDER BY o.id
      RETURNING id)
    SELECT pg_catalog.max(l.id) INTO last FROM logged l;
  ELSE
    WITH logged AS (
      INSERT INTO {schema}.span_changes (op, span_id, document_id, annotator_id, changed_at)
      SELECT op, n.id, n.document_id, n.annotator_id, at FROM new_rows n ORDER BY n.id
      RETURNING id)
    SELECT pg_catalog.max(l.id) INTO last FROM logged l;
  END IF;
  -- A wake-up call only: when the queue is filling up (someone holds it), skip it rather
  -- than fail this commit; the feeds poll the log anyway.
  IF last IS NOT NULL AND pg_catalog.pg_notification_queue_usage() < coalesce(nullif(
       pg_catalog.current_setting('annotator.notify_queue_limit', true), '')::float8, 0.5)
  THEN
    PERFORM pg_catalog.pg_notify('{CHANNEL}',
      pg_catalog.json_build_object('seq', last, 'op', op)::text);
  END IF;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION {schema}.annotator_log_span_statement() FROM PUBLIC;
DROP TRIGGER IF EXISTS trg_spans_log ON {schema}.spans;
DROP TRIGGER IF EXISTS trg_spans_log_insert ON {schema}.spans;
DROP TRIGGER IF EXISTS trg_spans_log_update ON {schema}.spans;
DROP TRIGGER IF EXISTS trg_spans_log_delete ON {schema}.spans;
CREATE TRIGGER trg_spans_log_insert AFTER INSERT ON {schema}.spans
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION {schema}.annotator_log_span_statement();
CREATE TRIGGER trg_spans_log_update AFTER UPDATE ON {schema}.spans
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION {schema}.annotator_log_span_statement();
CREATE TRIGGER trg_spans_log_delete AFTER DELETE ON {schema}.spans
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION {schema}.annotator_log_span_statement();
DROP FUNCTION IF EXISTS {schema}.annotator_log_span_change();
"""


def _row_log_function(schema: str) -> str:
    """0011's per-row function, for a downgrade."""
    path = Path(__file__).with_name("0011_bigint_ids.py")
    spec = importlib.util.spec_from_file_location("annotator_migration_0011", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module._log_function(schema))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    raw = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    schema = bind.dialect.identifier_preparer.quote_identifier(raw)
    bind.exec_driver_sql(statement_log_function(schema))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    raw = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    schema = bind.dialect.identifier_preparer.quote_identifier(raw)
    for name in ("insert", "update", "delete"):
        bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS trg_spans_log_{name} ON {schema}.spans")
    bind.exec_driver_sql(_row_log_function(schema))
    bind.exec_driver_sql(
        f"CREATE TRIGGER trg_spans_log AFTER INSERT OR UPDATE OR DELETE ON {schema}.spans "
        f"FOR EACH ROW EXECUTE FUNCTION {schema}.annotator_log_span_change()"
    )
    bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {schema}.annotator_log_span_statement()")
