"""Change log trigger, safe as SECURITY DEFINER: a pinned search_path and qualified names.

Revision ID: 0004
Revises: 0003

0003's trigger function ran as its owner with ``search_path FROM CURRENT``, which still
searches ``pg_temp`` first: a member who could create a temporary ``span_changes`` table
(with a trigger of her own) got her code run as the owner. This revision replaces the
function body, following PostgreSQL's "Writing SECURITY DEFINER Functions Safely":
``search_path = pg_catalog, <schema>, pg_temp`` (pg_temp explicitly last), every table
and function named with its schema, and EXECUTE revoked from PUBLIC (a trigger needs no
EXECUTE privilege to fire). The trigger keeps pointing at the same function. SQLite has
no such function: nothing to do there.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CHANNEL = "annotator_spans"


def safe_log_function(schema: str) -> str:
    """The trigger function, with ``schema`` already quoted as an identifier."""
    return f"""
CREATE OR REPLACE FUNCTION {schema}.annotator_log_span_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, {schema}, pg_temp AS $$
DECLARE
  r {schema}.spans;
  seq integer;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  INSERT INTO {schema}.span_changes (op, span_id, document_id, annotator_id, changed_at)
  VALUES (pg_catalog.lower(TG_OP), r.id, r.document_id, r.annotator_id,
          pg_catalog.timezone('utc', pg_catalog.now()))
  RETURNING id INTO seq;
  PERFORM pg_catalog.pg_notify('{CHANNEL}', pg_catalog.json_build_object(
    'seq', seq, 'op', pg_catalog.lower(TG_OP), 'span_id', r.id,
    'document_id', r.document_id, 'annotator_id', r.annotator_id)::text);
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION {schema}.annotator_log_span_change() FROM PUBLIC;
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    quoted = bind.dialect.identifier_preparer.quote_identifier(schema)
    op.execute(safe_log_function(quoted))


def downgrade() -> None:
    # The safe body works with 0003's schema unchanged; putting the unsafe one back would
    # reopen the hole, so a downgrade keeps it.
    pass
