"""Data functions for assisted annotation: labels' seed rules and what the model learns from.

Same rules as ``repo``: the session comes first, nothing commits, core objects come out.
Everything is read through the normal read paths, so on the team server each desktop
learns from exactly the rows its role may read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core.errors import NotFoundError
from annotator.core.model import DocumentStatus
from annotator.core.team import DocumentLayers
from annotator.storage.judgements import readable
from annotator.storage.orm import (
    AnnotatorRow,
    DocumentRow,
    DocumentStatusRow,
    JudgementRow,
    LabelRow,
    SpanRow,
)
from annotator.storage.team import iter_document_layers


def label_rules(s: Session) -> dict[str, str]:
    """Label name -> its rules text (one rule a line); labels without rules are left out."""
    q = select(LabelRow.name, LabelRow.rules).order_by(LabelRow.position, LabelRow.id)
    return {name: rules for name, rules in s.execute(q) if rules and rules.strip()}


def set_label_rules(s: Session, label: str, rules: str) -> str:
    """Replace a label's rules; returns the rules it had."""
    row = s.scalar(select(LabelRow).where(LabelRow.name == label))
    if row is None:
        raise NotFoundError(f"No label named {label!r}.")
    before = row.rules or ""
    row.rules = rules
    s.flush()
    return before


def done_pairs(s: Session, annotators: Sequence[str]) -> set[tuple[int, str]]:
    """(document id, annotator) for each document an annotator marked done."""
    q = (
        select(DocumentStatusRow.document_id, AnnotatorRow.name)
        .join(AnnotatorRow, DocumentStatusRow.annotator_id == AnnotatorRow.id)
        .where(AnnotatorRow.name.in_(list(annotators)))
        .where(DocumentStatusRow.status == DocumentStatus.DONE.value)
    )
    return {(d, a) for d, a in s.execute(q)}


def worked_document_ids(s: Session, annotators: Sequence[str]) -> list[int]:
    """Documents where one of ``annotators`` tagged something, judged a passage or marked
    the document done: the only ones that can hold their examples."""
    names = list(annotators)
    ann = select(AnnotatorRow.id).where(AnnotatorRow.name.in_(names))
    parts = [
        select(DocumentStatusRow.document_id)
        .where(DocumentStatusRow.annotator_id.in_(ann))
        .where(DocumentStatusRow.status == DocumentStatus.DONE.value)
    ]
    if readable(s):
        parts.append(select(JudgementRow.document_id).where(JudgementRow.annotator_id.in_(ann)))
    q = select(SpanRow.document_id).where(SpanRow.annotator_id.in_(ann)).union(*parts)
    return sorted({int(d) for d in s.scalars(q)})


def untagged_document_ids(s: Session, annotators: Sequence[str] = ()) -> list[int]:
    """Documents with no span (by ``annotators``, or by anyone when none are named)."""
    tagged = select(SpanRow.document_id).distinct()
    if annotators:
        tagged = tagged.join(AnnotatorRow, SpanRow.annotator_id == AnnotatorRow.id).where(
            AnnotatorRow.name.in_(list(annotators))
        )
    q = select(DocumentRow.id).where(DocumentRow.id.not_in(tagged)).order_by(DocumentRow.id)
    return list(s.scalars(q))


def iter_labelled_documents(
    s: Session, *, annotators: Sequence[str], document_ids: Sequence[int] = ()
) -> Iterator[DocumentLayers]:
    """Documents with text and the annotators' spans, for training and checking."""
    return iter_document_layers(s, annotators=annotators, document_ids=document_ids, with_text=True)
