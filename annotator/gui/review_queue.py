"""The review queue in the window: the next most uncertain passage, and model-label conflicts.

Both lists are computed on a worker thread (the second trains five models); picking an
entry opens its document in passage mode on that passage.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from annotator.gui.suggestions import SuggestionController
from annotator.gui.window_fit import closes_on_keys, fit_window


class ReviewDialog(QDialog):
    """Passages whose label the out-of-fold model contradicts; double-click opens one."""

    def __init__(self, items: list[Any], open_item: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Model and labels disagree")
        self.list = QListWidget()
        for it in items:
            text = " ".join(it.text.split())
            row = QListWidgetItem(f"{it.annotator}: {it.reason}\n    {text[:140]}")
            row.setData(Qt.ItemDataRole.UserRole, it)
            self.list.addItem(row)
        hint = QLabel(
            f"{len(items)} tagged passage(s) where a model trained without them (5-fold) "
            "confidently disagrees with the label. Double-click to open."
            if items
            else "No passage where the model confidently disagrees with the label."
        )
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(hint)
        lay.addWidget(self.list, 1)
        lay.addWidget(buttons)
        self.list.itemActivated.connect(lambda row: open_item(row.data(Qt.ItemDataRole.UserRole)))
        fit_window(self, 760, 480)
        closes_on_keys(self)


class ReviewQueue:
    def __init__(self, window: Any, controller: SuggestionController) -> None:
        self._win = window
        self._ctl = controller
        self.dialog: ReviewDialog | None = None

    def open_passage(self, document_id: int, start: int) -> None:
        win = self._win
        pane = win.reading.current or win.new_pane()
        if not pane.passage_mode:
            pane.set_passage_mode(True)
        win.open_document(document_id, pane=pane, hit=(start, start))
        pane.view.setFocus()

    def next_uncertain(self) -> None:
        win, ctl = self._win, self._ctl
        if not win.require_annotator():
            return
        sug = ctl.suggester
        if sug is None or sug.model is None:
            win.statusBar().showMessage(
                "No model yet: tag a few passages of each label first.", 5000
            )
            return
        me, level, service = win.settings.annotator, ctl.level, win.ws.suggestions

        def work(_progress: Any) -> Any:
            return service.uncertain(sug, annotator=me, level=level, limit=50)

        def done(items: list[Any]) -> None:
            fresh = [
                it for it in items if (it.document_id, it.start, it.end, me) not in ctl.dismissals
            ]
            if not fresh:
                win.statusBar().showMessage("Every passage has been judged.", 5000)
                return
            it = fresh[0]
            win.statusBar().showMessage(
                f"Most uncertain passage (uncertainty {it.priority:.2f})", 5000
            )
            self.open_passage(it.document_id, it.start)

        win.runner.start(work, finished=done, failed=lambda m: win.statusBar().showMessage(m, 5000))

    def disagreements(self) -> None:
        win, level, service = self._win, self._ctl.level, self._win.ws.suggestions
        win.statusBar().showMessage("Checking every label against the model…", 5000)

        def done(items: list[Any]) -> None:
            self.dialog = ReviewDialog(
                items, lambda it: self.open_passage(it.document_id, it.start), win
            )
            self.dialog.setObjectName("reviewDialog")
            self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.dialog.show()

        win.runner.start(
            lambda _p: service.disagreements(level=level),
            finished=done,
            failed=lambda m: win.statusBar().showMessage(m, 5000),
        )


def install_review_queue(window: Any, controller: SuggestionController) -> ReviewQueue:
    queue = ReviewQueue(window, controller)
    menu = next(
        (a.menu() for a in window.menuBar().actions() if a.text() == "&View" and a.menu()), None
    )
    if menu is not None:
        for name, text, slot, key in (
            ("next_uncertain", "Next &uncertain passage", queue.next_uncertain, "Ctrl+U"),
            ("disagreements", "Model and labels &disagree…", queue.disagreements, ""),
        ):
            act = QAction(text, window)
            act.setObjectName(f"action_{name}")
            if key:
                act.setShortcut(QKeySequence(key))
            act.triggered.connect(slot)
            menu.addAction(act)
            window.addAction(act)
            window.actions_by_name[name] = act
    return queue
