"""Change feed: a log of span inserts, updates and deletes (tombstones), and role names.

Revision ID: 0003
Revises: 0002

Triggers fill ``span_changes`` on both backends, so every path that touches spans (the
app, a bulk import, a cascade from a deleted document, a raw SQL session) is logged.
On PostgreSQL the trigger function also NOTIFYs ``annotator_spans`` and runs as its
owner (SECURITY DEFINER), so annotators need no write access to the log.
``annotators.role_name`` maps an annotator to the database role that may write their
spans (the row-level security policies of ``annotator server init`` use it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CHANNEL = "annotator_spans"

_SQLITE_TRIGGER = """
CREATE TRIGGER trg_spans_log_{op} AFTER {OP} ON spans BEGIN
  INSERT INTO span_changes (op, span_id, document_id, annotator_id, changed_at)
  VALUES ('{op}', {row}.id, {row}.document_id, {row}.annotator_id, CURRENT_TIMESTAMP);
END
"""

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION annotator_log_span_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  r spans;
  seq integer;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  INSERT INTO span_changes (op, span_id, document_id, annotator_id, changed_at)
  VALUES (lower(TG_OP), r.id, r.document_id, r.annotator_id, now() AT TIME ZONE 'utc')
  RETURNING id INTO seq;
  PERFORM pg_notify('{CHANNEL}', json_build_object(
    'seq', seq, 'op', lower(TG_OP), 'span_id', r.id,
    'document_id', r.document_id, 'annotator_id', r.annotator_id)::text);
  RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "span_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=10), nullable=False),
        sa.Column("span_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_span_changes")),
        sqlite_autoincrement=True,
    )
    # Plain ADD COLUMN + index: a SQLite batch rebuild of annotators would trip its foreign keys.
    op.add_column("annotators", sa.Column("role_name", sa.String(length=100), nullable=True))
    op.create_index("ix_annotators_role_name", "annotators", ["role_name"], unique=True)

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name, row in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
            op.execute(_SQLITE_TRIGGER.format(op=name, OP=name.upper(), row=row))
    elif dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER trg_spans_log AFTER INSERT OR UPDATE OR DELETE ON spans "
            "FOR EACH ROW EXECUTE FUNCTION annotator_log_span_change()"
        )
    else:  # pragma: no cover - other backends are not supported
        raise NotImplementedError(f"no change-feed triggers for {dialect}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_spans_log_{name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_spans_log ON spans")
        op.execute("DROP FUNCTION IF EXISTS annotator_log_span_change()")
    op.drop_index("ix_annotators_role_name", table_name="annotators")
    with op.batch_alter_table("annotators") as batch_op:
        batch_op.drop_column("role_name")
    op.drop_table("span_changes")
