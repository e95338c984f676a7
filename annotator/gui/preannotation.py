"""Pre-annotation in the window: accept a document's confident suggestions (with the
dialog that shows each label's out-of-fold precision), or all of them to review, each in
one undoable step; and the Suggestions menu that offers both.

A small controller given the suggestion controller it reads the model and the scores
from, and what it needs to store (the workspace, the undo runner, who is annotating).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence

from annotator.gui import keymap
from annotator.gui.suggestion_part import ControllerPart
from annotator.gui.widgets.document_pane import DocumentPane

if TYPE_CHECKING:
    from annotator.gui.suggestions import SuggestionController

_NOT_READY = "Suggestions are not ready for this document yet; try again soon."


class PreAnnotation(ControllerPart):
    """Suggestions ▸ Accept confident suggestions / Accept all suggestions."""

    def confident_plan(
        self, pane: DocumentPane, min_precision: float = 0.95
    ) -> tuple[list[Any], dict[str, str], list[tuple[int, int, str]]] | None:
        """(confident labels, labels left out and why, (start, end, label) to tag) for the
        pane's document; None while it is not scored yet. Passages I tagged are left alone."""
        from annotator.suggest.preannotate import absent_cuts, confident_labels, confident_spans

        sug = self._ctl.suggester
        scored = self._ctl.scores_for(pane)
        if sug is None or scored is None:
            return None
        known = [lab.name for lab in self._labels()]
        confident, why = confident_labels(sug, min_precision, known)
        skip = [(p.start, p.end) for p, _row in scored if self._ctl.tagged(pane, p)]
        spans = confident_spans(
            ((p.start, p.end, row) for p, row in scored),
            confident,
            skip=skip,
            absent=absent_cuts(sug, min_precision),
        )
        return confident, why, spans

    def accept_confident(
        self,
        pane: DocumentPane,
        *,
        min_precision: float = 0.95,
        confirm: Callable[[list[Any], dict[str, str], list[tuple[int, int, str]]], bool]
        | None = None,
    ) -> bool:
        """Suggestions ▸ Accept confident suggestions in this document: one undoable step."""
        from annotator.services.suggestion_commands import PreAnnotateCommand

        doc_id = pane.document_id
        if doc_id is None:
            self._ctl.message.emit("Open a document first.")
            return False
        plan = self.confident_plan(pane, min_precision)
        if plan is None:
            self._ctl.message.emit(
                "Suggestions are not ready for this document yet; try again soon."
            )
            return False
        confident, why, spans = plan
        if confirm is not None and not confirm(confident, why, spans):
            return False
        if not spans:
            self._ctl.message.emit("No confident suggestion to accept in this document.")
            return False
        cmd = PreAnnotateCommand(self._ws.annotations, doc_id, spans, self._annotator())
        if not self._run(cmd):
            return False
        n = len({(s, e) for s, e, _lab in spans})
        self._ctl.message.emit(
            f"Tagged {n} passage(s) with confident suggestions (Undo takes them back)."
            + (" J and K walk past them." if pane.skip_pretagged else "")
        )
        if pane.passage_mode:  # on to the first passage that still needs a decision
            pane.move_passage(0)
        self._ctl.refresh_all()
        return True

    def accept_all(self, pane: DocumentPane) -> bool:
        """Suggestions ▸ Accept all suggestions in this document: every shown label becomes
        my span (origin ``suggested``) and every passage with nothing suggested is judged
        "no label", in one undoable step; passages I tagged or judged are left alone. Then
        the document is read and what is wrong fixed: a click on a passage makes it
        current, a label key adds or removes that label."""
        from annotator.services.suggestion_commands import AcceptAllCommand

        doc_id, me, sug = pane.document_id, self._annotator(), self._ctl.suggester
        if doc_id is None:
            self._ctl.message.emit("Open a document first.")
            return False
        if not self._ctl.enabled or self._ctl.unavailable:
            self._ctl.message.emit(
                self._ctl.unavailable or "Suggestions are off: turn them on in View ▸ Suggestions."
            )
            return False
        scored = self._ctl.scores_for(pane)
        if sug is None or scored is None:
            self._ctl.message.emit(
                "Suggestions are not ready for this document yet; try again soon."
            )
            return False
        if not me:
            self._ctl.message.emit("Give your annotator name first: the tags will be yours.")
            return False
        plan = self._ws.suggestions.accept_all_plan(
            sug,
            annotator=me,
            document_id=doc_id,
            level=pane.passage_kind,
            scored=[(p.start, p.end, row) for p, row in scored],
        )
        if not plan.passages:
            self._ctl.message.emit("Every passage of this document is already tagged or judged.")
            return False
        cmd = AcceptAllCommand(
            self._ws.annotations, self._ws.judgements, doc_id, plan.spans, plan.none, me
        )
        if not self._run(cmd):
            return False
        tagged = len({(s, e) for s, e, _lab in plan.spans})
        self._ctl.message.emit(
            f"Accepted the suggestions of {plan.passages} passage(s): {tagged} tagged, "
            f"{len(plan.none)} no label (Undo takes them back). Read them and fix what is "
            "wrong: click a passage, then a label key adds or removes that label."
        )
        if pane.passage_mode:
            pane.move_passage(0)
        self._ctl.refresh_all()
        return True


def install_menu(window: Any, ctl: SuggestionController) -> None:
    """A Suggestions menu (before Help): accept the current document's confident suggestions."""
    from PySide6.QtWidgets import QMenu

    from annotator.gui.dialogs.preannotate_dialog import PreAnnotateDialog

    menu = QMenu("&Suggestions", window)
    menu.setObjectName("menu_suggestions")
    act = QAction("&Accept confident suggestions in this document…", window)
    act.setObjectName("action_accept_confident")

    def run() -> None:
        pane = window.reading.current
        if pane is None or pane.document is None:
            ctl.message.emit("Open a document first.")
            return

        def confirm(confident: list[Any], why: dict[str, str], spans: list[Any]) -> bool:
            rows = [
                (c.label, c.precision, c.threshold, sum(1 for sp in spans if sp[2] == c.label))
                for c in confident
            ]
            dlg = PreAnnotateDialog(
                window,
                document=pane.document.title or str(pane.document_id),
                rows=rows,
                left_out=why,
                passages=len({(s, e) for s, e, _lab in spans}),
                min_precision=0.95,
                walk_past=pane.skip_pretagged,
            )
            return bool(dlg.exec())

        ctl.preannotation.accept_confident(pane, confirm=confirm)

    act.triggered.connect(run)
    menu.addAction(act)
    window.actions_by_name["accept_confident"] = act
    every = QAction("Accept a&ll suggestions in this document", window)
    every.setObjectName("action_accept_all")
    every.setShortcut(QKeySequence(keymap.SUGGESTIONS["accept_all"]))
    every.setToolTip(
        "Every suggestion shown becomes your tag, and passages with none are judged "
        "“no label”, in one step (Undo takes it back); then read and fix what is wrong."
    )

    def run_all() -> None:
        pane = window.reading.current
        if pane is None or pane.document is None:
            ctl.message.emit("Open a document first.")
            return
        ctl.preannotation.accept_all(pane)

    every.triggered.connect(run_all)
    menu.addAction(every)
    window.addAction(every)
    window.actions_by_name["accept_all"] = every
    walk = QAction("&Walk past pre-tagged passages", window, checkable=True, checked=True)
    walk.setObjectName("action_skip_pretagged")
    walk.setToolTip(
        "In passage mode J, K and tag-and-advance walk past passages whose only tags of "
        "yours came from suggestions; click one to look at it."
    )

    def set_walk(on: bool) -> None:
        for pane in window.reading.panes:
            pane.skip_pretagged = on

    walk.toggled.connect(set_walk)
    window.reading.paneAdded.connect(lambda pane: setattr(pane, "skip_pretagged", walk.isChecked()))
    menu.addAction(walk)
    window.actions_by_name["skip_pretagged"] = walk
    help_menu = next(
        (a for a in window.menuBar().actions() if a.text().replace("&", "") == "Help"), None
    )
    if help_menu is not None:
        window.menuBar().insertMenu(help_menu, menu)
    else:
        window.menuBar().addMenu(menu)
