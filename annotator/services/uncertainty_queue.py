"""The uncertainty queue (Ctrl+U in the window) as one object both the window and scripts use.

It offers the annotator's most uncertain unjudged passage, one at a time. A passage it
offered never comes back: judged (tagged, walked past, rejected) it is no longer a
candidate; left without a judgement (the next one asked for, or skipped) it is stored as
skipped. It counts how many were judged, skipped and are left. Finding the next passage
(:meth:`find`) only reads, so the window runs it on a worker thread; :meth:`leave` and
:meth:`offer` change the queue's state and run where the caller keeps it (the GUI thread).
``benchmarks/bench_suggest.py`` replays active learning through this same object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the window imports this at start-up: no NumPy, no scikit-learn yet
    from annotator.core.segment import PassageKind
    from annotator.services.annotations import AnnotationService
    from annotator.services.judgements import JudgementService
    from annotator.services.suggestions import ReviewItem, SuggestionService
    from annotator.suggest.combine import Suggester


class UncertaintyQueue:
    def __init__(
        self,
        suggestions: SuggestionService,
        judgements: JudgementService,
        annotations: AnnotationService,
    ) -> None:
        self._suggestions = suggestions
        self._judgements = judgements
        self._annotations = annotations
        self.current: ReviewItem | None = None
        """The passage on offer, None before the first or at the end."""
        self.offered: set[tuple[int, int, int]] = set()
        self.judged = 0
        self.skipped = 0
        self.left = 0
        self.annotator = ""
        """Whose queue it is: another annotator starts a queue of their own."""

    def was_judged(self, item: ReviewItem, annotator: str) -> bool:
        """Whether the annotator tagged or judged the offered passage."""
        spans = self._annotations.spans(item.document_id, annotators=(annotator,))
        if any(s.start < item.end and s.end > item.start for s in spans):
            return True
        return any(
            j.start < item.end and j.end > item.start
            for j in self._judgements.list(annotators=[annotator], document_ids=[item.document_id])
        )

    def leave(self, annotator: str, *, skip: bool = False) -> None:
        """Count the passage on offer as judged, or store it as skipped (``skip``, or left
        without a judgement). Another annotator than the queue's starts a fresh queue."""
        if annotator != self.annotator:
            self.annotator, self.current = annotator, None
            self.offered.clear()
            self.judged = self.skipped = 0
            return
        item, self.current = self.current, None
        if item is None:
            return
        if not skip and self.was_judged(item, annotator):
            self.judged += 1
            return
        self._judgements.skip(item.document_id, item.start, item.end, annotator)
        self.skipped += 1

    def find(
        self, suggester: Suggester, annotator: str, level: PassageKind = "sentence"
    ) -> tuple[list[ReviewItem], int]:
        """The next candidates (only reads: safe on a worker thread) and how many are left."""
        return self._suggestions.uncertain_queue(
            suggester, annotator=annotator, level=level, limit=1, exclude=set(self.offered)
        )

    def offer(
        self,
        found: tuple[list[ReviewItem], int],
        dismissed: Callable[[ReviewItem], bool] = lambda _it: False,
    ) -> ReviewItem | None:
        """Put the first of ``found`` (from :meth:`find`) on offer; None: the queue is empty."""
        items, left = found
        fresh = [it for it in items if not dismissed(it)]
        self.left = left
        if not fresh:
            return None
        it = self.current = fresh[0]
        self.offered.add((it.document_id, it.start, it.end))
        self.left = max(0, left - 1)
        return it

    def next(
        self,
        suggester: Suggester,
        annotator: str,
        level: PassageKind = "sentence",
        *,
        skip: bool = False,
    ) -> ReviewItem | None:
        """Leave the passage on offer (judged, or skipped) and offer the next: Ctrl+U
        (``skip``: Ctrl+Shift+U) in one call."""
        self.leave(annotator, skip=skip)
        return self.offer(self.find(suggester, annotator, level))
