"""Document labels: a label one annotator gives a whole document.

Revision ID: 0012
Revises: 0011

A new table only (see ``orm.DocumentLabelRow``); nothing existing changes. Its ids are
64-bit identity columns on PostgreSQL as every id is since 0011 (members insert here, and
hold no sequence). Prodigy
textcat answers, Label Studio choices and native JSONL ``doc_labels`` are stored here on
import instead of being counted as skipped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "document_labels",
        sa.Column("id", Id, sa.Identity(always=False), nullable=False),
        sa.Column("document_id", Id, nullable=False),
        sa.Column("annotator_id", Id, nullable=False),
        sa.Column("label_id", Id, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["annotators.id"],
            name=op.f("fk_document_labels_annotator_id_annotators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_labels_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["labels.id"],
            name=op.f("fk_document_labels_label_id_labels"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_labels")),
        sa.UniqueConstraint(
            "document_id",
            "annotator_id",
            "label_id",
            name=op.f("uq_document_labels_document_id_annotator_id_label_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("document_labels")
