"""Suggestions in the window: background training, the passage-mode strip, the keys, faint marks.

A small controller given its collaborators (the workspace, the undo runner, who is
annotating): it trains in a process of its own (``services.model_process``: training on
a thread held the interpreter's lock, and every tag and repaint waited), retrains a
moment after the last edit (debounced on the undo stack), has each shown document scored
there too, and turns Enter or A / X / a label key in passage mode into undoable commands
(``SuggestionKeys``, gui/suggestion_keys.py).
Its waits for the process run on a thread pool of its own, so they never hold up the
window's document loads. It is the only source of suggestions: the strip under the
passage bar is the one place they show.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QSizePolicy
from shiboken6 import isValid

from annotator.core.model import Label
from annotator.core.segment import Passage, passages
from annotator.gui.preannotation import PreAnnotation, install_menu
from annotator.gui.predicted import ImportedPredictions
from annotator.gui.suggestion_keys import SuggestionKeys
from annotator.gui.undo import ServiceCommand
from annotator.gui.widgets.document_pane import DocumentPane
from annotator.gui.workers import TaskRunner
from annotator.services import Workspace, model_process
from annotator.services.suggestion_commands import Dismissals

if TYPE_CHECKING:  # numpy and scikit-learn load in the model process, never at start-up
    from annotator.suggest.combine import LabelScore, Suggester

log = logging.getLogger(__name__)
Scored = list[tuple[Passage, list["LabelScore"]]]


class SuggestionController(QObject):
    trained = Signal()
    """A new model is in place (tests wait for it)."""
    scored = Signal(int)
    """A document's passages were scored (document id)."""
    updated = Signal(int)
    """The model learnt the last edits without a full training (passages it learns from)."""
    message = Signal(str)

    def __init__(
        self,
        *,
        ws: Workspace,
        run: Callable[[ServiceCommand], bool],
        annotator: Callable[[], str],
        labels: Callable[[], list[Label]],
        parent: QObject | None = None,
        delay_ms: int = 1500,
    ) -> None:
        super().__init__(parent)
        self._ws = ws
        # Training and scoring wait on their own pool: a minute of training must not take
        # one of the window's threads (document loads queue behind it on two cores).
        self._runner = TaskRunner(self)
        self._runner.pool.setMaxThreadCount(2)
        self._process = model_process.ModelProcess(ws.db.url) if model_process.available() else None
        self._model_generation = 0
        self.closed = False
        self._run = run
        self._annotator = annotator
        self._labels = labels
        self.enabled = True
        self.show_marks = True
        self.suggester: Suggester | None = None
        self.level = "sentence"
        self.dismissals = Dismissals(ws.judgements)
        self.training = False
        self.unavailable = ""
        """Why suggestions cannot work here (scikit-learn missing); empty when they can."""
        self._again = False
        self._generation = 0
        self._scores: dict[tuple[int, str], Scored] = {}
        self._scoring: set[tuple[int, str]] = set()
        self._panes: dict[DocumentPane, QLabel] = {}
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self.train_now)
        self._updating = False
        self._pending: set[int] = set()
        self.notes: dict[str, str] = {}
        """Labels the model could not learn, and why (shown in the strip and status bar)."""
        self.predicted = ImportedPredictions(
            ws=ws,
            run=run,
            annotator=annotator,
            labels=labels,
            dismissals=self.dismissals,
            runner=self._runner,
            failed=self._failed,
            refresh=self.refresh,
            refresh_all=lambda: self.refresh_all(),
            alive=lambda: isValid(self),
        )
        """A model's spans imported with the documents (Label Studio predictions)."""
        self.preannotation = PreAnnotation(self, ws=ws, run=run, annotator=annotator, labels=labels)
        """Accept confident suggestions, or all of them to review (the Suggestions menu)."""
        self.keys = SuggestionKeys(self, ws=ws, run=run, annotator=annotator, labels=labels)
        """Enter / A, X and label keys on a suggestion; J past an untagged passage."""

    # --- training ------------------------------------------------------------------

    def schedule(self) -> None:
        """Retrain a moment after the last edit: a burst of tags trains once."""
        if self.enabled and not self.unavailable:
            self._timer.start()

    def edited(self) -> None:
        """After each edit (a tag, a judgement, an undo): the model learns the documents on
        screen at once, so the next passage's suggestion already reflects it; the full
        training (new vocabulary, new labels) still follows a moment later."""
        self.predicted.forget(refresh=False)  # an accept or reject decided some
        self.update_now([p.document_id for p in self._panes if p.document_id is not None])
        self.schedule()

    def update_now(self, document_ids: list[int]) -> None:
        process, sug = self._process, self.suggester
        if not self.enabled or process is None or sug is None or sug.model is None:
            return
        self._pending.update(document_ids)
        if self._updating or not self._pending:
            return  # sent when the one in flight is answered
        docs, self._pending = sorted(self._pending), set()
        self._updating = True
        gen, model_gen, level = self._generation, self._model_generation, self.level

        def work(_progress: Callable[[int, int], None]) -> Any:
            return process.update(model_gen, level, docs)  # type: ignore[arg-type]

        def done(result: int | None) -> None:
            if not isValid(self):
                return
            self._updating = False
            if result is not None and gen == self._generation:
                self._generation += 1  # scores of the model before the update are stale
                self._scores.clear()
                self._scoring.clear()
                self.refresh_all()
                self.updated.emit(result)
            if self._pending:
                self.update_now([])

        def failed(msg: str) -> None:
            if isValid(self):
                self._updating = False
                self._failed(msg)

        self._runner.start(work, finished=done, failed=failed)

    @property
    def busy(self) -> bool:
        """Training, or about to retrain (the screenshot scripts wait for it)."""
        return self.training or self._timer.isActive()

    def train_now(self) -> None:
        if self.training:
            self._again = True
            return
        self.training = True
        level = self.level
        service = self._ws.suggestions
        viewer = self._annotator()  # blind mode: no teammate's labels on open overlap work

        process = self._process

        def work(_progress: Callable[[int, int], None]) -> Any:
            if process is not None:
                try:
                    generation, sug = process.train(level, viewer)  # type: ignore[arg-type]
                    return generation, sug, dict(process.notes)
                except model_process.ProcessUnavailable as exc:
                    log.warning("%s; suggestions train on a thread instead", exc)
                    self._process = None
            sug, examples = service.train_with_examples(  # type: ignore[arg-type]
                level=level, viewer=viewer
            )
            return 0, sug, service.label_notes(examples)

        self._runner.start(work, finished=self._trained, failed=self._failed)
        self.refresh_all()

    def _trained(self, result: tuple[int, Suggester, dict[str, str]]) -> None:
        if not isValid(self):  # the window closed while it trained
            return
        self.training = False
        first = self.suggester is None
        self._model_generation, suggester, notes = result
        self.suggester = suggester
        changed, self.notes = notes != self.notes, notes
        if (first or changed) and suggester.model is not None:
            n = suggester.model.trained_on
            self.message.emit(
                f"Suggestions ready: learnt from {n} judged passages." + self._notes_text()
            )
        self._generation += 1
        self._scores.clear()
        self._scoring.clear()
        self.trained.emit()
        self.refresh_all()
        if self._again:
            self._again = False
            self.schedule()

    def _notes_text(self) -> str:
        if not self.notes:
            return ""
        return " Not learnt: " + "; ".join(f"{lab} ({why})" for lab, why in self.notes.items())

    def _failed(self, msg: str) -> None:
        if not isValid(self) or self.closed:
            return
        self.training = False
        if "scikit-learn" in msg:  # not installed (a bundle without the assist extra)
            self.unavailable = msg
            self.refresh_all()
        self.message.emit(f"Suggestions: {msg}")

    @property
    def not_learned(self) -> dict[str, str]:
        """Labels the last model could not learn, and why (the strip's tooltip too)."""
        return self.notes

    @staticmethod
    def not_learned_text(unlearned: dict[str, str]) -> str:
        return "; ".join(f"{lab} not learned ({why})" for lab, why in sorted(unlearned.items()))

    # --- scoring a document in the model process -------------------------------------

    def scores_for(self, pane: DocumentPane) -> Scored | None:
        doc = pane.document
        sug = self.suggester
        if doc is None or doc.id is None or sug is None or not sug.ready:
            return None
        key = (doc.id, pane.passage_kind)
        if key in self._scores:
            return self._scores[key]
        if key not in self._scoring:
            self._scoring.add(key)
            gen, text, kind = self._generation, doc.text, pane.passage_kind
            process, model_gen = self._process, self._model_generation

            def work(_progress: Callable[[int, int], None]) -> Any:
                if process is not None:
                    return process.score(model_gen, text, kind)  # None: a newer model came
                items = passages(text, kind)
                return list(zip(items, sug.score([p.text_in(text) for p in items]), strict=True))

            def done(result: Scored | None, key: tuple[int, str] = key, gen: int = gen) -> None:
                if not isValid(self):  # the window closed while it scored
                    return
                self._scoring.discard(key)
                if result is None:  # the process has no such model (a newer one, or restarted)
                    if gen == self._generation:
                        self.schedule()  # none newer is coming: train one
                elif gen == self._generation:
                    self._scores[key] = result
                    self.refresh_all()
                    self.scored.emit(key[0])

            self._runner.start(work, finished=done, failed=self._failed)
        return None

    def current(self, pane: DocumentPane) -> tuple[Passage, list[LabelScore]] | None:
        """The current passage and what is suggested for it (empty: "none of the labels")."""
        if not pane.passage_mode or pane.current_passage is None:
            return None
        scored = self.scores_for(pane)
        if scored is None or pane.current_passage >= len(scored):
            return None
        passage, row = scored[pane.current_passage]
        if any(s.note for s in row):  # a foreign language: nothing to accept or reject
            return None
        doc_id = pane.document_id
        me = self._annotator()
        if (doc_id, passage.start, passage.end, me) in self.dismissals or self.tagged(
            pane, passage
        ):
            return None
        return passage, [s for s in row if s.shown]

    def _note(self, pane: DocumentPane) -> str:
        """Why the current passage gets no suggestion (a language unlike the training data)."""
        scored = self.scores_for(pane)
        i = pane.current_passage
        if scored is None or i is None or i >= len(scored):
            return ""
        return next((s.note for s in scored[i][1] if s.note), "")

    def tagged(self, pane: DocumentPane, p: Passage) -> bool:
        """Whether I have a span on this passage: asked of the pane's span index, so a
        document with 150,000 spans costs a lookup, not a scan."""
        me = self._annotator()
        qs, qe = pane.positions.range_to_qt(p.start, p.end)
        return any(e[2].annotator == me for e in pane.view.highlighter.index.overlapping(qs, qe))

    @staticmethod
    def _visible(pane: DocumentPane, scored: Scored) -> Scored:
        """The scored passages on screen (faint marks are drawn for these only: extra
        selections get slow by the thousand, and a long document has tens of thousands)."""
        view = pane.view
        vp = view.viewport()
        top = view.cursorForPosition(QPoint(0, 0)).position()
        bottom = view.cursorForPosition(QPoint(vp.width() - 1, vp.height() - 1)).position()
        lo, hi = pane.positions.range_to_cp(top, max(top, bottom))
        first = bisect_left(scored, lo, key=lambda item: item[0].end)
        out: Scored = []
        for item in scored[first:]:
            if item[0].start > hi:
                break
            out.append(item)
        return out

    # --- panes ---------------------------------------------------------------------

    def attach(self, pane: DocumentPane) -> None:
        strip = QLabel(objectName="suggestionStrip")
        strip.setTextFormat(Qt.TextFormat.RichText)
        # Wrapped, the line asks for no width of its own: panes share the window's width
        # (unwrapped, its whole text was the pane's minimum and squeezed the docks).
        strip.setWordWrap(True)
        policy = strip.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        strip.setSizePolicy(policy)
        strip.setContentsMargins(8, 2, 8, 2)
        strip.setVisible(False)
        lay = pane.layout()
        lay.insertWidget(lay.indexOf(pane.passage_bar) + 1, strip)
        self._panes[pane] = strip
        self.keys.attach(pane)
        pane.view.cursorPositionChanged.connect(lambda: self.refresh(pane))
        pane.view.verticalScrollBar().valueChanged.connect(lambda _v: self.refresh(pane))
        pane.passageModeChanged.connect(lambda _on: self.refresh(pane))
        pane.destroyed.connect(lambda *_: self._panes.pop(pane, None))

    def strip(self, pane: DocumentPane) -> QLabel | None:
        """The pane's line that shows the current passage's suggestion."""
        return self._panes.get(pane)

    def refresh_all(self) -> None:
        for pane in list(self._panes):
            self.refresh(pane)

    def refresh(self, pane: DocumentPane) -> None:
        strip = self._panes.get(pane)
        if strip is None:
            return
        if pane.passage_kind != self.level and self.enabled:
            self.level = pane.passage_kind
            self.schedule()
        strip.setVisible(self.enabled and pane.passage_mode and pane.document is not None)
        if self.enabled and pane.passage_mode:
            strip.setText(self._strip_text(pane))
            strip.setToolTip(self.not_learned_text(self.not_learned) if self.not_learned else "")
        marks: list[tuple[int, int, str]] = []
        scored = self.scores_for(pane) if self.enabled and self.show_marks else None
        if scored is not None and not pane.passage_mode:
            colors = {lab.name: lab.color for lab in self._labels()}
            for p, row in self._visible(pane, scored):
                shown = [s for s in row if s.shown]
                if shown and not self.tagged(pane, p):
                    qs, qe = pane.positions.range_to_qt(p.start, p.end)
                    marks.append((qs, qe, colors.get(shown[0].label, "#888888")))
        pane.view.set_faint_marks(marks)

    def _strip_text(self, pane: DocumentPane) -> str:
        preds = self.predicted.here(pane)
        if preds:  # imported predictions first: they need no trained model
            return self.predicted.text(pane, preds)
        if self.unavailable:
            return f"Suggestions: {self.unavailable}"
        if self.training and self.suggester is None:
            return "Suggestions: learning from the team's labels…"
        sug = self.suggester
        if sug is None or not sug.ready:
            return (
                "Suggestions: none yet — tag a few passages, or give labels seed rules "
                "(Edit ▸ Edit labels)." + self._notes_text()
            )
        note = self._note(pane) if pane.passage_mode else ""
        if note:
            return f"Suggestions: none here — {note}"
        cur = self.current(pane)
        if cur is None:
            return "Suggestions: —" if self.scores_for(pane) is not None else "Suggestions: …"
        _p, shown = cur
        colors = {lab.name: lab.color for lab in self._labels()}
        if not shown:
            return (
                "Suggested: <i>no label</i> — <b>Enter</b> or <b>A</b> agree and next"
                " · a label key tags"
            )
        parts = []
        for s in shown:
            how = f"{s.score:.2f}" if s.source == "model" else f"rule “{s.rule}”"
            color = colors.get(s.label, "#888888")
            parts.append(f"<b style='color:{color}'>{s.label}</b> {how}")
        return (
            "Suggested: "
            + " · ".join(parts)
            + " — <b>Enter</b> or <b>A</b> accept and next · <b>X</b> reject and next"
            + " · a label key overrides"
        )

    # --- toggles -------------------------------------------------------------------

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        if on and self.suggester is None:
            self.train_now()
        self.refresh_all()

    def set_show_marks(self, on: bool) -> None:
        self.show_marks = on
        self.refresh_all()

    def close(self) -> None:
        """The window closes: stop the model's process (a training is abandoned) and let
        the threads that waited on it finish."""
        self.closed = True
        self._timer.stop()
        if self._process is not None:
            self._process.close()
        self._runner.wait(5_000)

    @property
    def process_id(self) -> int | None:
        """The model process's id once started (None: training runs on a thread here)."""
        return self._process.pid if self._process is not None else None


def install_suggestions(window: Any, *, start_ms: int = 2000) -> SuggestionController:
    """Wire a controller into the main window: its panes, undo stack and View menu."""

    def run(command: ServiceCommand) -> bool:
        return bool(window.require_annotator() and window.run(command))

    ctl = SuggestionController(
        ws=window.ws,
        run=run,
        annotator=lambda: window.settings.annotator,
        labels=window.label_model.labels,
        parent=window,
    )
    ctl.level = "paragraph" if window.settings.passage_kind == "paragraph" else "sentence"
    for pane in window.reading.panes:
        ctl.attach(pane)
    window.reading.paneAdded.connect(ctl.attach)
    window.undo_histories.group.indexChanged.connect(lambda _i: ctl.edited())
    ctl.message.connect(lambda text: window.statusBar().showMessage(text, 5000))
    view = next(
        (a.menu() for a in window.menuBar().actions() if a.text() == "&View" and a.menu()), None
    )
    if view is not None:
        view.addSeparator()
        for name, text, slot in (
            ("suggestions", "Su&ggestions", ctl.set_enabled),
            ("suggestion_marks", "Suggestion &marks in reading mode", ctl.set_show_marks),
        ):
            act = QAction(text, window, checkable=True, checked=True)
            act.setObjectName(f"action_{name}")
            act.toggled.connect(slot)
            view.addAction(act)
            window.actions_by_name[name] = act
    install_menu(window, ctl)
    QTimer.singleShot(start_ms, ctl.train_now)
    return ctl
