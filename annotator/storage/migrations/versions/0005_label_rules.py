"""Seed rules for suggestions, stored with each label.

Revision ID: 0005
Revises: 0004

One text column, a rule a line (see ``annotator.suggest.rules``). A plain ADD COLUMN with
a server default: existing labels get no rules, and no table is rebuilt.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("labels", sa.Column("rules", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.drop_column("rules")
