"""The agreement study in the main window (issue 22): the annotator's queue and the lead's
Team ▸ Assign documents… and Team ▸ Progress.

* Next assigned document (Ctrl+N) opens the next document of my queue in the current pane;
  Skip assigned document… (Ctrl+Shift+K) asks for the reason (the lead sees it) and goes on.
* The status bar shows the queue's progress ("12 of 40 done").
* The corpus can show only my assignments.
* Blind mode: after each edit the window asks the study's one rule what to hide from me;
  a document whose state changed (I marked it done) is reloaded, and the corpus tooltips
  leave out teammates' counts and status there.

``install_study(window)`` is the one call main_window makes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QLabel, QMainWindow, QMenu

from annotator.core.study import BlindRule
from annotator.gui import keymap
from annotator.gui.dialogs.assign_dialog import AssignDialog
from annotator.gui.messages import show_error

if TYPE_CHECKING:
    from annotator.gui.widgets.progress_window import ProgressWindow


class StudyActions(QObject):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.counts: tuple[int, int] = (0, 0)
        self.rule = BlindRule()
        self.mine: set[int] = set()
        self.progress_window: ProgressWindow | None = None
        self.label = QLabel()
        self.label.setObjectName("queueProgress")
        self.label.setToolTip("Your assigned documents done (Ctrl+N: next assigned document)")
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        self._refreshing = False
        self._again = False

    # --- the queue -------------------------------------------------------------------------

    def next_assigned(self) -> None:
        win = self.window
        if not win.require_annotator():
            return
        who = win.settings.annotator
        pane = win.reading.current
        after = pane.document_id if pane is not None else None
        ws = win.ws

        def done(doc_id: int | None) -> None:
            if doc_id is None:
                win.statusBar().showMessage(
                    f"No assigned document left for {who}: your queue is done.", 8000
                )
                return
            win.open_document(doc_id)
            if win.reading.current is not None:
                win.reading.current.view.setFocus()

        win.runner.start(
            lambda _p: ws.study.next_document(who, after),
            finished=done,
            failed=lambda msg: show_error(win, "Next assigned document", msg),
        )

    def skip_current(self) -> QInputDialog | None:
        win = self.window
        pane = win.reading.current
        if pane is None or pane.document_id is None or not win.require_annotator():
            return None
        doc_id = pane.document_id
        dlg = QInputDialog(win)
        dlg.setObjectName("skipDialog")
        dlg.setWindowTitle("Skip document")
        dlg.setLabelText("Why do you skip this document? (your lead sees it)")
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.textValueSelected.connect(lambda reason: self.skip(doc_id, reason))
        dlg.open()
        return dlg

    def skip(self, document_id: int, reason: str) -> bool:
        win = self.window
        try:
            win.ws.study.skip(document_id, win.settings.annotator, reason)
        except Exception as exc:  # AnnotatorError, or the server refusing
            show_error(win, "Cannot skip", str(exc))
            return False
        win.mark_rows_dirty([document_id])
        win.statusBar().showMessage("Skipped; your lead sees the reason.", 5000)
        self.refresh()
        self.next_assigned()
        return True

    # --- status bar, blind rule, corpus filter ----------------------------------------------

    def refresh(self) -> None:
        """Re-read my counts, assignments and what blind mode hides from me (on a worker)."""
        if self._refreshing:
            self._again = True
            return
        win = self.window
        who = win.settings.annotator
        ws = win.ws
        self._refreshing = True

        def work(_p: Any) -> tuple[str, tuple[int, int], set[int], BlindRule]:
            items = ws.study.assignments(who) if who else []
            done = sum(1 for i in items if i.status.value == "done")
            return who, (done, len(items)), {i.document_id for i in items}, ws.study.blind_rule(who)

        win.runner.start(work, finished=self._refreshed, failed=self._failed)

    def _failed(self, msg: str) -> None:
        self._refreshing = False
        self.window.statusBar().showMessage(msg, 5000)

    def _refreshed(self, result: tuple[str, tuple[int, int], set[int], BlindRule]) -> None:
        self._refreshing = False
        who, counts, mine, rule = result
        win = self.window
        self.counts, self.mine = counts, mine
        done, assigned = counts
        self.label.setText(f"{done} of {assigned} done")
        self.label.setVisible(assigned > 0)
        changed = self.rule.documents ^ rule.documents
        self.rule = rule
        win.doc_model.set_blind(rule)
        if win.corpus.only_mine.isChecked():
            win.corpus.set_assigned(mine)
        win.corpus.only_mine.setEnabled(assigned > 0 or win.corpus.only_mine.isChecked())
        for doc_id in changed:
            for pane in win.reading.panes_showing(doc_id):
                win.open_document(doc_id, pane=pane)
        if self._again or who != win.settings.annotator:
            self._again = False
            self.refresh()

    def only_mine(self, on: bool) -> None:
        self.window.corpus.set_assigned(self.mine if on else None)

    # --- the lead's -------------------------------------------------------------------------

    def assign_dialog(self) -> AssignDialog:
        win = self.window
        ws = win.ws
        info = ws.study.show()
        names = [a for a in ws.agreement.annotators()]
        unassigned = int(info["documents"]) - int(info["assigned_documents"])  # type: ignore[call-overload]
        dlg = AssignDialog(
            names, ws.study.plan(), blind=bool(info["blind"]), unassigned=unassigned, parent=win
        )
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.accepted.connect(lambda: self.assign(dlg.plan(), dlg.blind.isChecked()))
        dlg.open()
        return dlg

    def assign(self, plan: Any, blind: bool) -> None:
        win = self.window
        try:
            result = win.ws.study.assign(plan, assigned_by=win.settings.annotator)
            win.ws.study.set_blind(blind)
        except Exception as exc:
            show_error(win, "Cannot assign", str(exc))
            return
        win.statusBar().showMessage(result.summary(), 10_000)
        win.doc_model.reload()
        self.refresh()

    def _handed_over(self, _leaving: str) -> None:
        self.window.doc_model.reload()  # the corpus's assignment columns and my queue
        self.refresh()

    def open_progress(self) -> ProgressWindow:
        from annotator.gui.widgets.progress_window import ProgressWindow

        if self.progress_window is None:
            self.progress_window = ProgressWindow(self.window.ws, self.window)
            self.progress_window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.progress_window.destroyed.connect(lambda: setattr(self, "progress_window", None))
            self.progress_window.handedOver.connect(self._handed_over)
        self.progress_window.show()
        self.progress_window.raise_()
        self.progress_window.refresh()
        return self.progress_window


def _action(window: Any, name: str, text: str, slot: Any, key: str) -> QAction:
    act = QAction(text, window)
    act.setObjectName(f"action_{name}")
    if key:
        act.setShortcut(QKeySequence(key))
    act.triggered.connect(slot)
    window.addAction(act)
    window.actions_by_name[name] = act
    return act


def install_study(window: QMainWindow) -> StudyActions:
    win: Any = window
    study = StudyActions(win)
    edit = next((a.menu() for a in win.menuBar().actions() if a.text() == "&Edit"), None)
    if isinstance(edit, QMenu):
        edit.addSeparator()
        edit.addAction(
            _action(
                win,
                "next_assigned",
                "&Next assigned document",
                study.next_assigned,
                keymap.STUDY["next_assigned"],
            )
        )
        edit.addAction(
            _action(
                win,
                "skip_assigned",
                "S&kip assigned document…",
                study.skip_current,
                keymap.STUDY["skip_assigned"],
            )
        )
    team = win.findChild(QMenu, "menu_team")
    if isinstance(team, QMenu):
        team.addSeparator()
        team.addAction(_action(win, "assign", "A&ssign documents…", study.assign_dialog, ""))
        team.addAction(
            _action(win, "progress", "&Progress…", study.open_progress, keymap.STUDY["progress"])
        )
    win.corpus.only_mine.toggled.connect(study.only_mine)
    win.undo_histories.group.indexChanged.connect(lambda _i: study.refresh())
    study.refresh()
    return study
