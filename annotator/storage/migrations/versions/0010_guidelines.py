"""Project guideline versions, and the version each span was made under.

Revision ID: 0010
Revises: 0009

A new table ``guidelines`` (see ``orm.GuidelineRow``) and a nullable column
``spans.guideline_version``: a plain ADD COLUMN, so no table is rebuilt and existing spans
keep NULL (made before versions were recorded).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guidelines",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_guidelines_version")),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_guidelines")),
    )
    op.add_column("spans", sa.Column("guideline_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("spans", schema=None) as batch_op:
        batch_op.drop_column("guideline_version")
    op.drop_table("guidelines")
