"""Per-annotator document status.

Data functions take the session first and never commit: the caller owns the transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core.model import (
    DocumentStatus,
)
from annotator.storage.labels import annotator_id
from annotator.storage.orm import (
    AnnotatorRow,
    DocumentStatusRow,
)
from annotator.storage.rows import _insert_or_find

# --- status ---------------------------------------------------------------------


def status_of(s: Session, document_id: int, annotator: str) -> DocumentStatus:
    q = (
        select(DocumentStatusRow.status)
        .join(AnnotatorRow, DocumentStatusRow.annotator_id == AnnotatorRow.id)
        .where(DocumentStatusRow.document_id == document_id, AnnotatorRow.name == annotator)
    )
    found = s.scalar(q)
    return DocumentStatus(found) if found else DocumentStatus.TODO


def set_status(s: Session, document_id: int, annotator: str, status: DocumentStatus) -> None:
    ann = annotator_id(s, annotator)
    row = s.get(DocumentStatusRow, (document_id, ann))
    if row is None:
        row = _insert_or_find(
            s,
            DocumentStatusRow(document_id=document_id, annotator_id=ann, status=status.value),
            lambda: s.get(DocumentStatusRow, (document_id, ann), populate_existing=True),
        )
    row.status = status.value
    s.flush()
