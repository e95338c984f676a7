"""Import leases, and what the journal needs to keep others' work on a take-back.

Revision ID: 0007
Revises: 0006

A new table ``import_leases`` (see ``orm.ImportLeaseRow``) and two nullable columns and
an index on ``import_journal``; nothing existing changes meaning. Journal entries written
before (tokens ``host:pid:...``) have no lease and so count as expired: their imports
are long gone when a newer Annotator opens the file; they get the change log's mark of
the upgrade.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_leases",
        sa.Column("token", sa.String(length=120), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_import_leases")),
    )
    # Plain ADD COLUMN (no batch rebuild): nullable, no default.
    op.add_column("import_journal", sa.Column("ref", sa.Integer(), nullable=True))
    op.add_column("import_journal", sa.Column("mark", sa.BigInteger(), nullable=True))
    # Entries of an import killed under 0006 get today's change-log mark: what happened to
    # their rows before is taken for the import's own, anything after for someone else's.
    op.execute(
        "UPDATE import_journal SET mark = (SELECT coalesce(max(id), 0) FROM span_changes) "
        "WHERE kind IN ('document', 'span')"
    )
    op.create_index(
        "ix_import_journal_token_kind_row",
        "import_journal",
        ["token", "kind", "row_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_import_journal_token_kind_row", table_name="import_journal")
    with op.batch_alter_table("import_journal") as batch:
        batch.drop_column("mark")
        batch.drop_column("ref")
    op.drop_table("import_leases")
