"""Predictions: a model's spans imported with a document (Label Studio ``predictions``).

Revision ID: 0015
Revises: 0014

A new table only (see ``orm.PredictionRow``); nothing existing changes. Predictions are
suggestions, no annotator's labels: they are shown in the suggestions pane, and a person
who accepts one gets a span of their own with origin ``predicted`` (``spans.origin`` is a
plain string column with no CHECK, so the new value needs no change there). Ids are 64-bit
identity columns on PostgreSQL as every id is since 0011.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "predictions",
        sa.Column("id", Id, sa.Identity(always=False), nullable=False),
        sa.Column("document_id", Id, nullable=False),
        sa.Column("label_id", Id, nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("model_version", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint('"start" >= 0 AND "end" > "start"', name=op.f("ck_predictions_range")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_predictions_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["labels.id"],
            name=op.f("fk_predictions_label_id_labels"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_predictions")),
        sa.UniqueConstraint(
            "document_id",
            "label_id",
            "start",
            "end",
            "model_version",
            name=op.f("uq_predictions_document_id_label_id_start_end_model_version"),
        ),
    )


def downgrade() -> None:
    op.drop_table("predictions")
