"""Judgements use cases: "no label here" and rejected suggestions, stored per annotator.

A passage counts as a negative example (none of the labels) only when its annotator judged
it: walked past it in passage mode, turned a suggestion down, or marked the document done.
Judgements are the annotator's own: every call names whose they are, and undo takes back
exactly the rows its step added (see ``suggestion_commands.JudgeCommand``).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence

from annotator.core.errors import AnnotatorError
from annotator.core.judgement import Judgement, JudgementKind
from annotator.services.changes import Changes
from annotator.storage import Database
from annotator.storage import judgements as store


class JudgementService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def list(
        self, *, annotators: Sequence[str] = (), document_ids: Sequence[int] = ()
    ) -> builtins.list[Judgement]:
        return self._db.read(
            lambda s: store.list_judgements(s, annotators=annotators, document_ids=document_ids)
        )

    def add(self, items: Iterable[Judgement]) -> tuple[builtins.list[Judgement], Changes]:
        """Store judgements (those already stored are skipped); returns what was added."""
        wanted = list(items)
        for j in wanted:
            if not j.annotator:
                raise AnnotatorError("A judgement needs an annotator: whose it is.")
            if j.kind is JudgementKind.REJECTED and not j.label:
                raise AnnotatorError("A rejected suggestion needs the label that was rejected.")
        try:
            added = self._db.write(lambda s: store.add_judgements(s, wanted), retry_integrity=True)
        except ValueError as exc:
            raise AnnotatorError(str(exc)) from exc
        return added, Changes(document_ids=frozenset(j.document_id for j in wanted))

    def judge_none(
        self, document_id: int, start: int, end: int, annotator: str
    ) -> tuple[builtins.list[Judgement], Changes]:
        """The annotator walked past this passage: none of the labels applies."""
        return self.add([Judgement(document_id, start, end, annotator)])

    def skip(
        self, document_id: int, start: int, end: int, annotator: str
    ) -> tuple[builtins.list[Judgement], Changes]:
        """The annotator skipped this passage in the uncertainty queue: not offered again,
        and not a negative example (it was not judged)."""
        return self.add([Judgement(document_id, start, end, annotator, JudgementKind.SKIPPED)])

    def reject(
        self, document_id: int, start: int, end: int, annotator: str, labels: Sequence[str]
    ) -> tuple[builtins.list[Judgement], Changes]:
        """The annotator turned down the suggestion of ``labels`` for this passage."""
        return self.add(
            Judgement(document_id, start, end, annotator, JudgementKind.REJECTED, lab)
            for lab in labels
        )

    def remove(self, judgements: Sequence[Judgement]) -> Changes:
        """Take judgements back (undo): by id, and only those that were added."""
        ids = [j.id for j in judgements if j.id is not None]
        self._db.write(lambda s: store.delete_judgements(s, ids))
        return Changes(document_ids=frozenset(j.document_id for j in judgements))

    def has_none(self, document_id: int, start: int, end: int, annotator: str) -> bool:
        """Whether the annotator already judged exactly this passage "no label"."""
        return self._db.read(
            lambda s: store.has_judgement(s, document_id, start, end, annotator, JudgementKind.NONE)
        )

    def rejected(self, document_id: int, annotator: str) -> set[tuple[int, int]]:
        """Passages (start, end) of a document where the annotator rejected a suggestion."""
        return {
            (j.start, j.end)
            for j in self.list(annotators=[annotator], document_ids=[document_id])
            if j.kind is JudgementKind.REJECTED
        }
