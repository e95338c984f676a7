"""Adjudication keys and actions of the comparison window, each one step on its undo stack.

The service commands (``AdjudicateCommand``, ``MergeUnanimousCommand``) are wrapped the way
``undo.py`` wraps the tagging commands: run at once, pushed only when they were stored.
A controller object given its collaborators explicitly (it used to be a mixin of the
comparison window, reading whatever attributes the window happened to have).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QInputDialog, QMainWindow, QToolBar

from annotator.core.model import Label
from annotator.gui.keymap import ADJUDICATION
from annotator.gui.messages import show_error
from annotator.gui.undo import Edit, ServiceCommand, execute
from annotator.gui.widgets.adjudication_panel import AdjudicationPanel
from annotator.gui.widgets.document_pane import DocumentPane
from annotator.services.adjudication import AdjudicationService, Disagreement
from annotator.services.adjudication_commands import AdjudicateCommand, MergeUnanimousCommand
from annotator.settings import Settings

KEYS = ADJUDICATION
"""The comparison window's keys, declared in keymap.py with every other shortcut."""


class AdjudicationController(QObject):
    """The comparison window's decisions: accept A or B, both, neither, edit, merge unanimous.

    Owns the window's adjudication actions (``actions_by_name``: the decisions, previous and
    next, Esc, close, undo and redo, with their keys from ``KEYS``), which it creates on
    construction: added to ``window`` (shortcuts), as buttons to ``panel`` and, with
    navigation and undo, on a toolbar of ``window``. It owns no state of the comparison.

    Calls: ``adjudication`` (through ``AdjudicateCommand`` / ``MergeUnanimousCommand``),
    each decision pushed onto ``undo_stack`` once stored; after each step done, undone or
    redone ``refresh`` (reload the document's layers and disagreements) and ``rows_changed``
    (the documents whose corpus rows are stale). ``follow_next(True)`` before a decision
    (the view moves on to the next item once reloaded), ``follow_next(False)`` if it was
    not stored. It reads the decider from ``settings.annotator``, the item from
    ``current_item``, the open document from ``document_id``, label names from ``labels``,
    text selections from ``panes`` (``last_pane`` first); ``step(±1)`` moves to the
    previous or next disagreement. Refusals go to ``status`` (text, timeout in ms); error
    boxes and the gold label dialog are parented to ``window``, which Esc and Close close.

    Slots: ``accept``, ``decide``, ``edit_gold``, ``merge_unanimous``, ``clear_or_close``
    and ``run``. It emits no signals.
    """

    def __init__(
        self,
        *,
        window: QMainWindow,
        adjudication: AdjudicationService,
        settings: Settings,
        annotators: tuple[str, ...],
        panes: Mapping[str, DocumentPane],
        last_pane: Callable[[], DocumentPane | None],
        panel: AdjudicationPanel,
        undo_stack: QUndoStack,
        current_item: Callable[[], Disagreement | None],
        document_id: Callable[[], int | None],
        labels: Callable[[], list[Label]],
        step: Callable[[int], None],
        refresh: Callable[[], None],
        rows_changed: Callable[[Iterable[int]], None],
        follow_next: Callable[[bool], None],
        status: Callable[[str, int], None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.adjudication = adjudication
        self.settings = settings
        self.annotators = annotators
        self.panes = panes
        self._last_pane = last_pane
        self.panel = panel
        self.undo_stack = undo_stack
        self._current_item = current_item
        self._document_id = document_id
        self._labels = labels
        self._step = step
        self._refresh = refresh
        self._rows_changed = rows_changed
        self._follow_next = follow_next
        self._status = status
        self.actions_by_name: dict[str, QAction] = {}
        self._build_actions()

    def clear_or_close(self) -> None:
        """Esc clears a text selection in a pane first; with none it closes the window."""
        for pane in self.panes.values():
            cur = pane.view.textCursor()
            if cur.hasSelection() and pane.view.hasFocus():
                cur.clearSelection()
                pane.view.setTextCursor(cur)
                return
        self.window.close()

    def _build_actions(self) -> None:
        a, b = self.annotators[0], self.annotators[1]
        specs = [
            ("accept_a", f"Accept {a}", lambda: self.accept(a)),
            ("accept_b", f"Accept {b}", lambda: self.accept(b)),
            ("both", "Both", lambda: self.decide("both")),
            ("neither", "Neither", lambda: self.decide("neither")),
            ("edit", "Edit…", self.edit_gold),
            ("merge", "Merge unanimous", self.merge_unanimous),
            ("prev", "Previous disagreement", lambda: self._step(-1)),
            ("next", "Next disagreement", lambda: self._step(1)),
            ("escape", "Close (or clear the selection)", self.clear_or_close),
            ("close", "Close", self.window.close),
        ]
        tips = {
            "accept_a": f"{a}'s span(s) go to gold, the others are rejected",
            "accept_b": f"{b}'s span(s) go to gold, the others are rejected",
            "both": "Every candidate goes to gold",
            "neither": "Nothing goes to gold; the item is closed",
            "edit": "Select text in any pane, then choose the gold label",
            "merge": "Copy every span all compared annotators drew identically into gold",
        }
        for name, text, slot in specs:
            act = QAction(text, self.window)
            act.setObjectName(f"action_{name}")
            act.setShortcuts([QKeySequence(k) for k in KEYS[name]])
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.setToolTip(tips.get(name, text))
            act.triggered.connect(slot)
            self.window.addAction(act)
            self.actions_by_name[name] = act
        undo = self.undo_stack.createUndoAction(self.window, "&Undo")
        redo = self.undo_stack.createRedoAction(self.window, "&Redo")
        for name, act in (("undo", undo), ("redo", redo)):
            act.setShortcuts([QKeySequence(k) for k in KEYS[name]])
            self.window.addAction(act)
            self.actions_by_name[name] = act
        for name in ("accept_a", "accept_b", "both", "neither", "edit"):
            self.panel.add_button(name, self.actions_by_name[name])
        self.panel.add_stretch()
        self.panel.add_button("merge", self.actions_by_name["merge"])
        tb = QToolBar("Compare")
        tb.setObjectName("toolbar_compare")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for name in ("prev", "next", None, "undo", "redo"):
            tb.addSeparator() if name is None else tb.addAction(self.actions_by_name[name])
        self.window.addToolBar(tb)

    # --- running commands -----------------------------------------------------------------

    def run(self, command: ServiceCommand) -> bool:
        self._follow_next(True)
        step = execute(command, self._applied, self._failed)
        if step is None:
            self._follow_next(False)
            return False
        self.undo_stack.push(step)
        return True

    def _applied(self, edit: Edit) -> None:
        self._refresh()
        self._rows_changed(edit.changes.document_ids)

    def _failed(self, exc: Exception) -> None:
        show_error(self.window, "Not saved", f"The decision could not be stored: {exc}")

    def _decider(self) -> str | None:
        if not self.settings.annotator:
            self._status("Set your name first (Edit > Switch annotator).", 5000)
            return None
        return self.settings.annotator

    def _item_or_say(self) -> Disagreement | None:
        item = self._current_item()
        if item is None:
            self._status("Choose a disagreement first (N for the next one).", 4000)
        return item

    # --- actions ---------------------------------------------------------------------------

    def accept(self, annotator: str) -> bool:
        item, by = self._item_or_say(), self._decider()
        if item is None or by is None:
            return False
        if not item.proposed_by(annotator):
            self._status(
                f"{annotator} proposed nothing here: press X for neither, or E to draw gold.", 5000
            )
            return False
        return self.run(
            AdjudicateCommand(self.adjudication, item, "accept", decided_by=by, annotator=annotator)
        )

    def decide(self, action: str) -> bool:
        """``both`` or ``neither`` on the current item."""
        item, by = self._item_or_say(), self._decider()
        if item is None or by is None:
            return False
        return self.run(AdjudicateCommand(self.adjudication, item, action, decided_by=by))

    def selection_in_panes(self) -> tuple[int, int] | None:
        """The selected text of the pane used last, else of any pane (code points)."""
        panes = list(self.panes.values())
        last = self._last_pane()
        if last in panes:
            panes.remove(last)
            panes.insert(0, last)
        for pane in panes:
            if pane.document is not None and (rng := pane.selection_range()) is not None:
                return rng
        return None

    def edit_gold(self) -> QInputDialog | None:
        """E: the selected text becomes the item's gold span, with a label chosen next."""
        item, by = self._item_or_say(), self._decider()
        if item is None or by is None:
            return None
        rng = self.selection_in_panes()
        if rng is None:
            self._status("Select the gold text in any pane, then press E.", 5000)
            return None
        names = [lab.name for lab in self._labels()]
        dlg = QInputDialog(self.window)
        dlg.setObjectName("goldLabelDialog")
        dlg.setWindowTitle("Gold label")
        dlg.setLabelText(f"Label of the gold span [{rng[0]}, {rng[1]}):")
        dlg.setComboBoxItems(names)
        first = item.candidates[0].label
        if first in names:
            dlg.setTextValue(first)
        dlg.textValueSelected.connect(
            lambda label: self.run(
                AdjudicateCommand(
                    self.adjudication, item, "edit", decided_by=by, edit=(*rng, label)
                )
            )
        )
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def merge_unanimous(self) -> bool:
        by = self._decider()
        document_id = self._document_id()
        if by is None or document_id is None:
            return False
        return self.run(
            MergeUnanimousCommand(
                self.adjudication,
                self.annotators,
                decided_by=by,
                document_ids=(document_id,),
            )
        )


__all__ = ["KEYS", "AdjudicationController"]
