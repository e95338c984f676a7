"""Judgements: an annotator's "no label here" on a passage, and rejected suggestions.

Revision ID: 0008
Revises: 0006

A new table only (see ``orm.JudgementRow``); nothing existing changes. Until now an
untagged passage before the last tagged one of a document counted as "no label"; from this
schema on only a stored judgement (or a document marked done) makes a negative example.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "judgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint('"start" >= 0 AND "end" > "start"', name=op.f("ck_judgements_range")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_judgements_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["annotators.id"],
            name=op.f("fk_judgements_annotator_id_annotators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgements")),
        sa.UniqueConstraint(
            "document_id",
            "annotator_id",
            "start",
            "end",
            "kind",
            "label",
            name=op.f("uq_judgements_document_id_annotator_id_start_end_kind_label"),
        ),
    )
    op.create_index(
        "ix_judgements_annotator_document",
        "judgements",
        ["annotator_id", "document_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_judgements_annotator_document", table_name="judgements")
    op.drop_table("judgements")
