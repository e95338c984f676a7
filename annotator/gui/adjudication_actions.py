"""Adjudication keys and actions of the comparison window, each one step on its undo stack.

The service commands (``AdjudicateCommand``, ``MergeUnanimousCommand``) are wrapped the way
``undo.py`` wraps the tagging commands: run at once, pushed only when they were stored.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QToolBar

from annotator.gui.keymap import ADJUDICATION
from annotator.gui.messages import show_error
from annotator.gui.undo import Edit, ServiceCommand, execute
from annotator.services.adjudication_commands import AdjudicateCommand, MergeUnanimousCommand

KEYS = ADJUDICATION
"""The comparison window's keys, declared in keymap.py with every other shortcut."""


class AdjudicationMixin:
    """Mixed into ComparisonWindow (panes, panel, model, undo_stack, settings, ws, refresh)."""

    def clear_or_close(self) -> None:
        """Esc clears a text selection in a pane first; with none it closes the window."""
        for pane in self.panes.values():
            cur = pane.view.textCursor()
            if cur.hasSelection() and pane.view.hasFocus():
                cur.clearSelection()
                pane.view.setTextCursor(cur)
                return
        self.close()

    def build_actions(self) -> None:
        self.actions_by_name: dict[str, QAction] = {}
        a, b = self.annotators[0], self.annotators[1]
        specs = [
            ("accept_a", f"Accept {a}", lambda: self.accept(a)),
            ("accept_b", f"Accept {b}", lambda: self.accept(b)),
            ("both", "Both", lambda: self.decide("both")),
            ("neither", "Neither", lambda: self.decide("neither")),
            ("edit", "Edit…", self.edit_gold),
            ("merge", "Merge unanimous", self.merge_unanimous),
            ("prev", "Previous disagreement", lambda: self.step(-1)),
            ("next", "Next disagreement", lambda: self.step(1)),
            ("escape", "Close (or clear the selection)", self.clear_or_close),
            ("close", "Close", self.close),
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
            act = QAction(text, self)
            act.setObjectName(f"action_{name}")
            act.setShortcuts([QKeySequence(k) for k in KEYS[name]])
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.setToolTip(tips.get(name, text))
            act.triggered.connect(slot)
            self.addAction(act)
            self.actions_by_name[name] = act
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        for name, act in (("undo", undo), ("redo", redo)):
            act.setShortcuts([QKeySequence(k) for k in KEYS[name]])
            self.addAction(act)
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
        self.addToolBar(tb)

    # --- running commands -----------------------------------------------------------------

    def run(self, command: ServiceCommand) -> bool:
        self.follow_next = True
        step = execute(command, self._applied, self._failed)
        if step is None:
            self.follow_next = False
            return False
        self.undo_stack.push(step)
        return True

    def _applied(self, edit: Edit) -> None:
        self.refresh()
        main = self.parent()
        if main is not None and hasattr(main, "mark_rows_dirty"):
            main.mark_rows_dirty(edit.changes.document_ids)

    def _failed(self, exc: Exception) -> None:
        show_error(self, "Not saved", f"The decision could not be stored: {exc}")

    def _decider(self) -> str | None:
        if not self.settings.annotator:
            self.statusBar().showMessage("Set your name first (Edit > Switch annotator).", 5000)
            return None
        return self.settings.annotator

    def _item_or_say(self):
        item = self.current_item()
        if item is None:
            self.statusBar().showMessage("Choose a disagreement first (N for the next one).", 4000)
        return item

    # --- actions ---------------------------------------------------------------------------

    def accept(self, annotator: str) -> bool:
        item, by = self._item_or_say(), self._decider()
        if item is None or by is None:
            return False
        if not item.proposed_by(annotator):
            self.statusBar().showMessage(
                f"{annotator} proposed nothing here: press X for neither, or E to draw gold.", 5000
            )
            return False
        return self.run(
            AdjudicateCommand(
                self.ws.adjudication, item, "accept", decided_by=by, annotator=annotator
            )
        )

    def decide(self, action: str) -> bool:
        """``both`` or ``neither`` on the current item."""
        item, by = self._item_or_say(), self._decider()
        if item is None or by is None:
            return False
        return self.run(AdjudicateCommand(self.ws.adjudication, item, action, decided_by=by))

    def selection_in_panes(self) -> tuple[int, int] | None:
        """The selected text of the pane used last, else of any pane (code points)."""
        panes = list(self.panes.values())
        if self.last_pane in panes:
            panes.remove(self.last_pane)
            panes.insert(0, self.last_pane)
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
            self.statusBar().showMessage("Select the gold text in any pane, then press E.", 5000)
            return None
        names = [lab.name for lab in self._labels]
        dlg = QInputDialog(self)
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
                    self.ws.adjudication, item, "edit", decided_by=by, edit=(*rng, label)
                )
            )
        )
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def merge_unanimous(self) -> bool:
        by = self._decider()
        if by is None or self.document_id is None:
            return False
        return self.run(
            MergeUnanimousCommand(
                self.ws.adjudication,
                self.annotators,
                decided_by=by,
                document_ids=(self.document_id,),
            )
        )
