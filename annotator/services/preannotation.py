"""Pre-annotation use cases: what accepting the model's confident suggestions would tag
(Suggestions ▸ Accept confident suggestions, ``annotator suggest apply``), and what
"Accept all suggestions in this document" stores. Plans only: the commands in
``services.suggestion_commands`` store them, each in one undoable step.

``SuggestionService.preannotation`` and ``.accept_all_plan`` are the entry points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotator.core.errors import AnnotatorError
from annotator.core.judgement import JudgementKind
from annotator.core.segment import Passage, PassageKind
from annotator.services.document_passages import document_passages
from annotator.storage import Database, Tx, repo
from annotator.storage import judgements as judgement_store
from annotator.storage import suggestions as store
from annotator.suggest.combine import LabelScore as ShownScore
from annotator.suggest.combine import Suggester
from annotator.suggest.data import passage_labels, touched

if TYPE_CHECKING:
    from annotator.suggest.preannotate import ConfidentLabel


def _my_ranges(db: Database, document_id: int, annotator: str) -> list[tuple[int, int, str]]:
    """The annotator's spans on the document, and their judgements ("no label", a
    rejected suggestion) as ranges of a pseudo-label: pre-annotation leaves both alone."""

    def work(s: Tx) -> list[tuple[int, int, str]]:
        spans = repo.list_spans(s, document_id, annotators=(annotator,))
        out = [(sp.start, sp.end, sp.label) for sp in spans]
        out += [
            (j.start, j.end, "\x00judged")
            for j in judgement_store.list_judgements(
                s, annotators=[annotator], document_ids=[document_id]
            )
            if j.kind != JudgementKind.SKIPPED
        ]
        return out

    return db.read(work)


def confident_plan(
    db: Database,
    suggester: Suggester,
    *,
    annotator: str,
    document_ids: Sequence[int] = (),
    level: PassageKind = "sentence",
    min_precision: float = 0.95,
    whole_passages: bool = True,
) -> PreAnnotation:
    """What accepting the confident suggestions would tag: per document, the passages
    and labels (passages the annotator already tagged are left alone), and per label
    its out-of-fold precision, or why it is left out.

    ``whole_passages``: only passages decided for every label the model learned
    (``suggest.preannotate``); False tags every confident label wherever it is (the
    behaviour before passage mode walked past pre-tagged passages; for comparison)."""
    from annotator.suggest.preannotate import absent_cuts, confident_labels, confident_spans

    known = db.read(lambda s: [lab.name for lab in repo.list_labels(s)])
    confident, why = confident_labels(suggester, min_precision, known)
    absent = absent_cuts(suggester, min_precision) if whole_passages else None
    for lab, reason in suggester.not_learned.items():
        why.setdefault(lab, f"not learned: {reason}")
    plan: dict[int, list[tuple[int, int, str]]] = {}
    names: dict[int, str] = {}
    if confident:
        ids = list(document_ids) or db.read(lambda s: store.untagged_document_ids(s, [annotator]))
        for doc_id, name, text, items in document_passages(db, ids, [], level):
            mine = _my_ranges(db, doc_id, annotator)
            labs = passage_labels(text, items, mine)
            skip = [(p.start, p.end) for p, lab in zip(items, labs, strict=True) if lab]
            rows = suggester.score([p.text_in(text) for p in items])
            spans = confident_spans(
                ((p.start, p.end, row) for p, row in zip(items, rows, strict=True)),
                confident,
                skip=skip,
                absent=absent,
            )
            if spans:
                plan[doc_id] = spans
                names[doc_id] = name
    return PreAnnotation(confident, why, plan, names, min_precision)


def accept_all_plan(
    db: Database,
    suggester: Suggester,
    *,
    annotator: str,
    document_id: int,
    level: PassageKind = "sentence",
    scored: Sequence[tuple[int, int, Sequence[ShownScore]]] | None = None,
) -> AcceptAllPlan:
    """What "Accept all suggestions in this document" stores: every shown label of
    every passage the annotator has not tagged or judged yet, and "no label" where
    nothing is shown (``suggest.preannotate.all_suggestions``). ``scored``: the
    document's passages already scored, (start, end, row) in text order (the window
    has them from the model's process); else they are scored here."""
    from annotator.suggest.preannotate import all_suggestions

    rows: Sequence[tuple[int, int, Sequence[ShownScore]]]
    if scored is None:
        doc = next(iter(document_passages(db, [document_id], [], level)), None)
        if doc is None:
            raise AnnotatorError(f"No document with id {document_id}.")
        _id, _name, text, items = doc
        got = suggester.score([p.text_in(text) for p in items])
        rows = [(p.start, p.end, row) for p, row in zip(items, got, strict=True)]
    else:
        rows = scored
    # Any span or judgement of mine in a passage (not only exactly on it) decides it.
    mine = [(s, e) for s, e, _lab in _my_ranges(db, document_id, annotator)]
    items = [Passage(s, e, level) for s, e, _row in rows]
    skip = [(p.start, p.end) for p, t in zip(items, touched(items, mine), strict=True) if t]
    spans, none = all_suggestions(rows, skip=skip)
    return AcceptAllPlan(document_id, spans, none)


@dataclass(frozen=True)
class AcceptAllPlan:
    """One document's suggestions, all accepted in one step (read and fixed after)."""

    document_id: int
    spans: list[tuple[int, int, str]]
    """(start, end, label) to tag, origin ``suggested``."""
    none: list[tuple[int, int]]
    """(start, end) of passages judged "no label" (nothing suggested there)."""

    @property
    def passages(self) -> int:
        return len({(s, e) for s, e, _lab in self.spans}) + len(self.none)


@dataclass(frozen=True)
class PreAnnotation:
    """The confident suggestions of some documents, ready to accept in one step each."""

    labels: list[ConfidentLabel]
    left_out: dict[str, str]
    """Label -> why pre-annotation does not tag it."""
    spans: dict[int, list[tuple[int, int, str]]]
    """Document id -> (start, end, label) to tag."""
    documents: dict[int, str]
    """Document id -> its external id."""
    min_precision: float

    def count(self, label: str | None = None) -> int:
        return sum(
            1 for spans in self.spans.values() for _s, _e, lab in spans if label in (None, lab)
        )

    def passages(self) -> int:
        return sum(len({(s, e) for s, e, _lab in spans}) for spans in self.spans.values())
