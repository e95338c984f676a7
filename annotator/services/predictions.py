"""A model's predictions imported with the documents (Label Studio ``predictions``,
schema 0015), offered as suggestions.

They are no one's labels: stored apart from spans, they reach no export of spans, no
agreement and no training. A person decides on each one: accepting it makes a span of
theirs with origin ``predicted`` (``AcceptPredictionsCommand``); rejecting it stores their
rejection of that label on that range, as a rejected suggestion is stored. Pre-annotation
(Accept confident suggestions) leaves them out: no precision is known for an imported
model's scores, so nothing justifies accepting them unseen.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass

from annotator.core.errors import AnnotatorError
from annotator.core.judgement import JudgementKind
from annotator.core.model import Prediction
from annotator.storage import Database, Tx, repo
from annotator.storage import judgements as judgement_store
from annotator.storage import suggestions as suggestion_store

ORIGIN = "predicted"


def source_text(model_version: str) -> str:
    """How a prediction's source is shown: ``predicted · model v3``."""
    return f"predicted · model {model_version}" if model_version else "predicted"


@dataclass(frozen=True, slots=True)
class PredictedSuggestion:
    """One stored prediction as a suggestion of its document (as the CLI prints it)."""

    document_id: int
    document: str
    """The id a native JSONL export writes (the external id, else the database id)."""
    start: int
    end: int
    label: str
    score: float | None
    model_version: str

    @property
    def source(self) -> str:
        return source_text(self.model_version)

    def as_json(self) -> dict[str, object]:
        return {
            "document": self.document,
            "document_id": self.document_id,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "score": None if self.score is None else round(self.score, 4),
            "source": "predicted",
            "model_version": self.model_version or None,
            "origin": ORIGIN,
        }


class PredictionService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def for_documents(self, document_ids: Sequence[int]) -> dict[int, builtins.list[Prediction]]:
        """document id -> its stored predictions (all of them, decided or not)."""
        return self._db.read(lambda s: repo.list_predictions(s, document_ids))

    def pending(self, document_id: int, annotator: str) -> builtins.list[Prediction]:
        """The document's predictions ``annotator`` has not decided on yet: none of their
        spans has its range and label, and they have not rejected that label there."""

        def work(s: Tx) -> builtins.list[Prediction]:
            return _pending(s, document_id, annotator)

        return self._db.read(work)

    def suggestions(
        self,
        *,
        document_ids: Sequence[int] = (),
        annotators: Sequence[str] = (),
        annotator: str = "",
    ) -> builtins.list[PredictedSuggestion]:
        """The predictions of the named documents (else of those ``annotators`` have not
        tagged, as model suggestions go) as suggestions; with ``annotator``, only those they
        have not decided on yet."""

        def work(s: Tx) -> builtins.list[PredictedSuggestion]:
            ids = list(document_ids) or suggestion_store.untagged_document_ids(s, annotators)
            ext = repo.external_ids(s, ids)
            missing = sorted(set(ids) - set(ext))
            if missing:
                raise AnnotatorError(f"No document with id {missing[0]}.")
            stored = repo.list_predictions(s, ids)
            out: builtins.list[PredictedSuggestion] = []
            for doc_id in ids:
                preds = _pending(s, doc_id, annotator) if annotator else stored.get(doc_id, [])
                out += [
                    PredictedSuggestion(
                        doc_id,
                        ext.get(doc_id) or str(doc_id),
                        p.start,
                        p.end,
                        p.label,
                        p.score,
                        p.model_version,
                    )
                    for p in preds
                ]
            return out

        return self._db.read(work)


def _pending(s: Tx, document_id: int, annotator: str) -> builtins.list[Prediction]:
    preds = repo.list_predictions(s, [document_id]).get(document_id, [])
    if not preds or not annotator:
        return preds
    mine = {
        (sp.start, sp.end, sp.label)
        for sp in repo.list_spans(s, document_id, annotators=(annotator,))
    }
    turned_down = {
        (j.start, j.end, j.label)
        for j in judgement_store.list_judgements(
            s, annotators=[annotator], document_ids=[document_id]
        )
        if j.kind is JudgementKind.REJECTED
    }
    return [p for p in preds if (p.start, p.end, p.label) not in mine | turned_down]
