"""Document labels: labels one annotator gives a whole document (schema 0012).

Data functions take the session first and never commit: the caller owns the transaction.
On a team server members hold no DELETE privilege on the table (it would let them lock it);
they take their own labels back through the server's checked function, as for spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core.errors import NotFoundError
from annotator.storage.deleting import delete_rows
from annotator.storage.labels import annotator_id
from annotator.storage.orm import AnnotatorRow, DocumentLabelRow, LabelRow
from annotator.storage.rows import _insert_or_find

_IN_CHUNK = 500


def add_document_labels(
    s: Session, document_id: int, annotator: str, labels: Iterable[str]
) -> list[int]:
    """Give the document ``labels`` of ``annotator`` (labels must exist); returns the ids of
    the rows added (a label already given is kept as it is)."""
    ann = annotator_id(s, annotator)
    added: list[int] = []
    for name in sorted(set(labels)):
        label = s.scalar(select(LabelRow.id).where(LabelRow.name == name))
        if label is None:
            raise NotFoundError(f"No label named {name!r}.")

        def find(label: int = label) -> DocumentLabelRow | None:
            return s.scalar(
                select(DocumentLabelRow).where(
                    DocumentLabelRow.document_id == document_id,
                    DocumentLabelRow.annotator_id == ann,
                    DocumentLabelRow.label_id == label,
                )
            )

        if find() is not None:
            continue
        row = DocumentLabelRow(document_id=document_id, annotator_id=ann, label_id=label)
        if _insert_or_find(s, row, find) is row:
            added.append(row.id)
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


def remove_document_labels(
    s: Session, document_id: int, annotator: str, labels: Iterable[str]
) -> int:
    """Take ``labels`` of ``annotator`` off the document; returns how many rows went (a
    label not given is no error). On a team server a member's call removes only her own
    rows (the server's function checks the login), so 0 is returned for another's."""
    names = sorted(set(labels))
    if not names:
        return 0
    ids = list(
        s.scalars(
            select(DocumentLabelRow.id)
            .join(AnnotatorRow, DocumentLabelRow.annotator_id == AnnotatorRow.id)
            .join(LabelRow, DocumentLabelRow.label_id == LabelRow.id)
            .where(
                DocumentLabelRow.document_id == document_id,
                AnnotatorRow.name == annotator,
                LabelRow.name.in_(names),
            )
        )
    )
    if not ids:
        return 0
    return delete_rows(s, DocumentLabelRow, ids)
