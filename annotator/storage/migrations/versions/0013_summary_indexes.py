"""Indexes that let the corpus list and ``annotator stats`` skip the documents' text.

Revision ID: 0013
Revises: 0012

``ix_documents_sizes`` (id, length, content_hash): on SQLite those two columns come after
the text in each row, and a long text spills into overflow pages that a scan must read to
reach them; with the index the summary of 8,000 documents (300 MB) reads no text at all.
``ix_spans_label_annotator`` replaces ``ix_spans_label``: counts per label and annotator
come from the index alone.
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_documents_sizes", "documents", ["id", "length", "content_hash"])
    op.drop_index("ix_spans_label", table_name="spans")
    op.create_index("ix_spans_label_annotator", "spans", ["label_id", "annotator_id"])


def downgrade() -> None:
    op.drop_index("ix_spans_label_annotator", table_name="spans")
    op.create_index("ix_spans_label", "spans", ["label_id"])
    op.drop_index("ix_documents_sizes", table_name="documents")
