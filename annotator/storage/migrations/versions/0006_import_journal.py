"""Import journal: what a big file's committed batches stored, until the file is whole.

Revision ID: 0006
Revises: 0005

A new table only (see ``orm.ImportJournalRow``); nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_journal")),
    )
    op.create_index("ix_import_journal_token", "import_journal", ["token"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_import_journal_token", table_name="import_journal")
    op.drop_table("import_journal")
