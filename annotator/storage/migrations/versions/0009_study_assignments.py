"""Agreement studies: project settings (blind mode, the plan) and document assignments.

Revision ID: 0009
Revises: 0008

New tables only (see ``orm.ProjectSettingRow`` and ``orm.AssignmentRow``); nothing
existing changes, so a populated database upgrades in place. On a team server
``annotator server init`` adds their grants and row-level security.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "project_settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_project_settings")),
    )
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("overlap", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("skip_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("skipped_at", sa.DateTime(), nullable=True),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_assignments_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["annotators.id"],
            name=op.f("fk_assignments_annotator_id_annotators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint(
            "document_id", "annotator_id", name=op.f("uq_assignments_document_id_annotator_id")
        ),
    )
    op.create_index(
        "ix_assignments_annotator", "assignments", ["annotator_id", "position"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_assignments_annotator", table_name="assignments")
    op.drop_table("assignments")
    op.drop_table("project_settings")
