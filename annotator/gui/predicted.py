"""Predictions imported with the documents (a model's spans from Label Studio, schema 0015)
in the window's suggestion strip: read per document and annotator on a worker, shown for
the current passage, accepted (my spans, origin ``predicted``) or rejected (stored) in one
undoable step each. Owned by the suggestion controller, which gives it what it needs.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from annotator.core.model import Label, Prediction
from annotator.gui.undo import ServiceCommand
from annotator.gui.widgets.document_pane import DocumentPane
from annotator.gui.workers import TaskRunner
from annotator.services import Workspace
from annotator.services.predictions import source_text
from annotator.services.suggestion_commands import (
    AcceptPredictionsCommand,
    Dismissals,
    RejectPredictionsCommand,
)


class ImportedPredictions:
    def __init__(
        self,
        *,
        ws: Workspace,
        run: Callable[[ServiceCommand], bool],
        annotator: Callable[[], str],
        labels: Callable[[], list[Label]],
        dismissals: Dismissals,
        runner: TaskRunner,
        failed: Callable[[str], None],
        refresh: Callable[[DocumentPane], None],
        refresh_all: Callable[[], None],
        alive: Callable[[], bool],
    ) -> None:
        self._ws = ws
        self._run = run
        self._annotator = annotator
        self._labels = labels
        self.dismissals = dismissals
        self._runner = runner
        self._failed = failed
        self._refresh = refresh
        self._refresh_all = refresh_all
        self._alive = alive
        """False once the controller is gone: a read still under way is then dropped."""
        self._predicted: dict[tuple[int, str], list[Prediction]] = {}
        """(document, annotator) -> imported predictions they have not decided on yet."""
        self._predicting: set[tuple[int, str]] = set()
        self._generation = 0

    def forget(self, *, refresh: bool = True) -> None:
        """Read the open documents' predictions again (after an edit, or an import that
        stored some)."""
        self._generation += 1
        self._predicted.clear()
        self._predicting.clear()
        if refresh:
            self._refresh_all()

    def for_pane(self, pane: DocumentPane) -> list[Prediction] | None:
        """The open document's imported predictions I have not decided on (read on a
        worker thread; None until read)."""
        doc_id, me = pane.document_id, self._annotator()
        if doc_id is None:
            return None
        key = (doc_id, me)
        if key in self._predicted:
            return self._predicted[key]
        if key not in self._predicting:
            self._predicting.add(key)
            service, gen = self._ws.predictions, self._generation

            def work(_progress: Callable[[int, int], None]) -> Any:
                return (
                    service.pending(doc_id, me)
                    if me
                    else service.for_documents([doc_id]).get(doc_id, [])
                )

            def done(result: list[Prediction], key: tuple[int, str] = key) -> None:
                if not self._alive() or gen != self._generation:
                    return
                self._predicting.discard(key)
                self._predicted[key] = result
                self._refresh_all()

            self._runner.start(work, finished=done, failed=self._failed)
        return None

    def here(self, pane: DocumentPane) -> list[Prediction]:
        """The predictions that start in the current passage (passage mode), undecided."""
        if not pane.passage_mode or pane.current_passage is None:
            return []
        preds = self.for_pane(pane)
        items = pane.passages()
        i = pane.current_passage
        if not preds or i >= len(items):
            return []
        p = items[i]
        return [pr for pr in preds if p.start <= pr.start < p.end]

    def text(self, pane: DocumentPane, preds: list[Prediction]) -> str:
        """The strip's line for them: label, words, score and the model's version."""
        colors = {lab.name: lab.color for lab in self._labels()}
        text = pane.document.text if pane.document is not None else ""
        parts = []
        for pr in preds:
            color = colors.get(pr.label, "#888888")
            score = "" if pr.score is None else f" {pr.score:.2f}"
            words = html.escape(text[pr.start : pr.end][:40])
            parts.append(
                f"<b style='color:{color}'>{html.escape(pr.label)}</b> “{words}”{score} "
                f"<i>{html.escape(source_text(pr.model_version))}</i>"
            )
        return (
            "Predicted: "
            + " · ".join(parts)
            + " — <b>Enter</b> or <b>A</b> accept · <b>X</b> reject"
        )

    def accept(self, pane: DocumentPane, preds: list[Prediction]) -> bool:
        """Accept the predictions: my spans at their ranges, origin ``predicted``."""
        doc_id = pane.document_id
        assert doc_id is not None
        spans = [(pr.start, pr.end, pr.label) for pr in preds]
        cmd = AcceptPredictionsCommand(self._ws.annotations, doc_id, spans, self._annotator())
        if not self._run(cmd):
            return False
        pane.move_passage(1)
        self._refresh(pane)
        return True

    def reject(self, pane: DocumentPane, preds: list[Prediction]) -> bool:
        """Reject the predictions: stored as my rejections of their labels on their ranges."""
        doc_id = pane.document_id
        assert doc_id is not None
        spans = [(pr.start, pr.end, pr.label) for pr in preds]
        cmd = RejectPredictionsCommand(self.dismissals, doc_id, spans, self._annotator())
        if not self._run(cmd):
            return False
        self._refresh(pane)  # the passage stays: the model's own suggestion shows next
        return True
