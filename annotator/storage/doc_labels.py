"""Document labels: labels one annotator gives a whole document (schema 0012).

Data functions take the session first and never commit: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core.errors import NotFoundError
from annotator.storage.labels import annotator_id
from annotator.storage.orm import AnnotatorRow, DocumentLabelRow, LabelRow
from annotator.storage.rows import _insert_or_find

_IN_CHUNK = 500


def add_document_labels(s: Session, document_id: int, annotator: str, labels: Iterable[str]) -> int:
    """Give the document ``labels`` of ``annotator`` (labels must exist); returns how many
    were new (one already given is kept as it is)."""
    ann = annotator_id(s, annotator)
    added = 0
    for name in sorted(set(labels)):
        label = s.scalar(select(LabelRow.id).where(LabelRow.name == name))
        if label is None:
            raise NotFoundError(f"No label named {name!r}.")
        key = (document_id, ann, label)
        if s.get(DocumentLabelRow, key) is not None:
            continue
        _insert_or_find(
            s,
            DocumentLabelRow(document_id=document_id, annotator_id=ann, label_id=label),
            lambda key=key: s.get(DocumentLabelRow, key, populate_existing=True),  # type: ignore[misc]
        )
        added += 1
    s.flush()
    return added


def document_labels(
    s: Session, document_ids: Sequence[int], annotators: Sequence[str] = ()
) -> dict[int, dict[str, list[str]]]:
    """document id -> {annotator: [label, ...]} (sorted), for ``annotators`` or everyone."""
    out: dict[int, dict[str, list[str]]] = {}
    ids = sorted(set(document_ids))
    for i in range(0, len(ids), _IN_CHUNK):
        q = (
            select(DocumentLabelRow.document_id, AnnotatorRow.name, LabelRow.name)
            .join(AnnotatorRow, DocumentLabelRow.annotator_id == AnnotatorRow.id)
            .join(LabelRow, DocumentLabelRow.label_id == LabelRow.id)
            .where(DocumentLabelRow.document_id.in_(ids[i : i + _IN_CHUNK]))
            .order_by(DocumentLabelRow.document_id, AnnotatorRow.name, LabelRow.name)
        )
        if annotators:
            q = q.where(AnnotatorRow.name.in_(list(annotators)))
        for doc, who, label in s.execute(q):
            out.setdefault(doc, {}).setdefault(who, []).append(label)
    return out
