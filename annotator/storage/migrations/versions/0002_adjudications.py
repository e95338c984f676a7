"""Adjudication decisions: which proposed spans went into the gold layer, and which did not.

Revision ID: 0002
Revises: 0001

A new table only, so existing rows are untouched. The label is stored by name, not id:
a decision is about what the annotators proposed, and survives a label being removed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "adjudications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_adjudications_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjudications")),
        sa.UniqueConstraint(
            "document_id",
            "start",
            "end",
            "label",
            name=op.f("uq_adjudications_document_id_start_end_label"),
        ),
    )
    with op.batch_alter_table("adjudications", schema=None) as batch_op:
        batch_op.create_index("ix_adjudications_document", ["document_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("adjudications", schema=None) as batch_op:
        batch_op.drop_index("ix_adjudications_document")
    op.drop_table("adjudications")
