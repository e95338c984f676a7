"""The keys that answer a suggestion in passage mode, each an undoable step of the
annotator's: Enter or A accepts (agreeing with "no label" judges the passage), X rejects,
a label key overrides; and J walking past a passage I left untagged judges it "no label".

Owned by the suggestion controller, which shows the suggestion (``current``) and gives
what is needed to store the answers (the workspace, the undo runner, who is annotating).
``attach(pane)`` puts these keys in front of the pane's own.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent

from annotator.core.segment import Passage
from annotator.gui.suggestion_part import ControllerPart
from annotator.gui.widgets.document_pane import DocumentPane
from annotator.services.suggestion_commands import (
    AcceptSuggestionCommand,
    JudgeCommand,
    OverrideSuggestionCommand,
    RejectSuggestionCommand,
)

_ACCEPT = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_A}
_REJECT = Qt.Key.Key_X
_WALK = {Qt.Key.Key_J, Qt.Key.Key_Down}
"""Passage mode's "next passage" keys: leaving an untagged passage so judges it "no label"."""


class SuggestionKeys(ControllerPart):
    def attach(self, pane: DocumentPane) -> None:
        """The pane's keys go here first; the strip follows each key the pane handles."""
        original = pane.view.key_handler
        assert original is not None

        def handle(event: QKeyEvent) -> bool:
            if self.handle_key(pane, event):
                return True
            left = self._walking_past(pane, event)
            handled = original(event)
            if left is not None and handled and pane.current_passage != left[0]:
                self.judge_none(pane, left[1])
            self._ctl.refresh(pane)
            return handled

        pane.view.key_handler = handle

    def handle_key(self, pane: DocumentPane, event: QKeyEvent) -> bool:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if not self._ctl.enabled or mods != Qt.KeyboardModifier.NoModifier:
            return False
        if pane.view.textCursor().hasSelection() or pane.selected_span_id is not None:
            return False
        preds = self._ctl.predicted.here(pane)
        if preds and event.key() in _ACCEPT:
            self._ctl.predicted.accept(pane, preds)
            return True
        if preds and event.key() == _REJECT:
            self._ctl.predicted.reject(pane, preds)
            return True
        cur = self._ctl.current(pane)
        if cur is None:
            return False
        passage, shown = cur
        key = event.key()
        if key in _ACCEPT:
            self.accept(pane, passage, tuple(s.label for s in shown))
            return True
        if key == _REJECT:
            if not shown:
                self._ctl.message.emit(
                    "Nothing to reject: the suggestion is already “no label”. Enter agrees "
                    "and moves on; a label key tags the passage."
                )
                return True
            self.reject(pane, passage, tuple(s.label for s in shown))
            return True
        keys = {lab.shortcut: lab.name for lab in self._labels() if lab.shortcut}
        if event.text() in keys and shown:
            self.override(pane, passage, keys[event.text()], tuple(s.label for s in shown))
            return True
        return False

    def _walking_past(self, pane: DocumentPane, event: QKeyEvent) -> tuple[int, Passage] | None:
        """The passage a "next passage" key is about to leave untagged by me, if any: the
        one place the window turns walking past into a "no label" judgement."""
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if (
            event.key() not in _WALK
            or mods != Qt.KeyboardModifier.NoModifier
            or not pane.passage_mode
            or pane.current_passage is None
            or pane.document_id is None
            or not self._annotator()
            or pane.view.textCursor().hasSelection()
        ):
            return None
        items = pane.passages()
        i = pane.current_passage
        if i >= len(items) - 1 or self._ctl.tagged(pane, items[i]):
            return None
        return i, items[i]

    def judge_none(self, pane: DocumentPane, p: Passage) -> bool:
        """Store "no label here" for the passage as the annotator's undoable step (once:
        a passage judged before is not judged again)."""
        doc_id, me = pane.document_id, self._annotator()
        if doc_id is None or not me:
            return False
        if self._ws.judgements.has_none(doc_id, p.start, p.end, me):
            return False
        return self._run(JudgeCommand(self._ws.judgements, doc_id, p.start, p.end, me))

    def _length(self, pane: DocumentPane) -> int | None:
        return len(pane.document.text) if pane.document else None

    def accept(self, pane: DocumentPane, p: Passage, labels: tuple[str, ...]) -> None:
        doc_id = pane.document_id
        assert doc_id is not None
        if not labels:  # agreeing with "no label" judges the passage
            if not self._annotator():
                self._ctl.message.emit("Give your annotator name first: judgements are yours.")
                return
            self.judge_none(pane, p)
        else:
            cmd = AcceptSuggestionCommand(
                self._ws.annotations,
                doc_id,
                p.start,
                p.end,
                labels,
                self._annotator(),
                document_length=self._length(pane),
            )
            if not self._run(cmd):
                return
        pane.move_passage(1)
        self._ctl.refresh(pane)

    def reject(self, pane: DocumentPane, p: Passage, labels: tuple[str, ...] = ()) -> None:
        doc_id = pane.document_id
        assert doc_id is not None
        cmd = RejectSuggestionCommand(
            self._ctl.dismissals, doc_id, p.start, p.end, self._annotator(), labels
        )
        if self._run(cmd):
            pane.move_passage(1)
            self._ctl.refresh(pane)

    def override(
        self, pane: DocumentPane, p: Passage, label: str, rejected: tuple[str, ...] = ()
    ) -> None:
        doc_id = pane.document_id
        assert doc_id is not None
        cmd = OverrideSuggestionCommand(
            self._ws.annotations,
            self._ctl.dismissals,
            doc_id,
            p.start,
            p.end,
            label,
            self._annotator(),
            document_length=self._length(pane),
            rejected=rejected,
        )
        if self._run(cmd) and pane.tag_and_advance:  # like any tag in passage mode
            pane.move_passage(1)
        self._ctl.refresh(pane)
