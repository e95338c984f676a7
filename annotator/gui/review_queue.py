"""The review queue in the window: the next most uncertain passage, and model-label conflicts.

Both lists are computed on a worker thread (the second trains five models); picking an
entry opens its document in passage mode on that passage (the queue in a pane of its own).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)
from shiboken6 import isValid

from annotator.core.errors import AnnotatorError
from annotator.gui.suggestions import SuggestionController
from annotator.gui.widgets.document_pane import DocumentPane
from annotator.gui.window_fit import closes_on_keys, fit_window
from annotator.services.uncertainty_queue import UncertaintyQueue


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
            f"{len(items)} judged passage(s) where a model trained without them (5-fold) "
            "disagrees with the label; its confidence runs from 0.50 (a coin toss) to 1.00, "
            "as the scores in the suggestion bar do. Double-click to open."
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
    """The uncertainty queue (Ctrl+U) and the model-label conflicts.

    The queue opens its passages in a pane of its own (made the first time, kept while it
    is open; an empty pane is used as it is), so the document being read elsewhere stays.
    A passage it offered never comes back: judged (tagged, walked past, rejected) it is no
    longer a candidate; left without a judgement (Ctrl+U again, or Ctrl+Shift+U) it is
    stored as skipped. A line in its pane shows how far the queue has got.
    """

    def __init__(self, window: Any, controller: SuggestionController) -> None:
        self._win = window
        self._ctl = controller
        self.dialog: ReviewDialog | None = None
        self.pane: DocumentPane | None = None
        self.progress: QLabel | None = None
        self._ws = ws = window.ws
        self.queue = UncertaintyQueue(ws.suggestions, ws.judgements, ws.annotations)
        """The queue itself (services): what was offered, judged, skipped and is left."""
        self._busy = False

    @property
    def current(self) -> Any:
        """The passage on offer (a ``ReviewItem``), None before the first or at the end."""
        return self.queue.current

    @property
    def left(self) -> int:
        return self.queue.left

    @property
    def judged(self) -> int:
        return self.queue.judged

    @property
    def skipped(self) -> int:
        return self.queue.skipped

    def open_passage(self, document_id: int, start: int, pane: DocumentPane | None = None) -> None:
        win = self._win
        pane = pane or win.reading.current or win.new_pane()
        if not pane.passage_mode:
            pane.set_passage_mode(True)
        win.open_document(document_id, pane=pane, hit=(start, start))
        pane.view.setFocus()

    # --- the queue's pane ----------------------------------------------------------

    def queue_pane(self) -> DocumentPane:
        """The pane the queue shows its passages in: its own, never the one being read."""
        win = self._win
        if self.pane is not None and isValid(self.pane) and self.pane in win.reading.panes:
            return self.pane
        empty = [p for p in win.reading.panes if p.document is None]
        cur = win.reading.current
        self.pane = (
            cur if cur in empty else empty[0] if empty else win.new_pane()
        )  # an empty pane serves as it is; else one of its own
        self.progress = QLabel()
        self.progress.setObjectName("queueProgress")
        self.progress.setWordWrap(True)
        self.progress.setContentsMargins(8, 2, 8, 2)
        lay = self.pane.layout()
        if isinstance(lay, QBoxLayout):
            lay.insertWidget(0, self.progress)
        return self.pane

    def _show_progress(self, extra: str = "") -> None:
        text = (
            f"<b>Queue</b>: {self.judged} judged · {self.skipped} skipped · {self.left} left"
            " — <b>Ctrl+U</b> next · <b>Ctrl+Shift+U</b> skip"
        )
        if self.progress is not None and isValid(self.progress):
            self.progress.setText(text + (f"<br>{extra}" if extra else ""))
        self._win.statusBar().showMessage(
            f"Queue: {self.judged} judged, {self.skipped} skipped, {self.left} left", 5000
        )

    # --- moving on -----------------------------------------------------------------

    def skip(self) -> None:
        """Skip the passage on offer (it never comes back) and show the next."""
        self.next_uncertain(skip=True)

    def next_uncertain(self, *, skip: bool = False) -> None:
        win, ctl = self._win, self._ctl
        if not win.require_annotator() or self._busy:
            return
        sug = ctl.suggester
        if sug is None or sug.model is None:
            win.statusBar().showMessage(
                "No model yet: tag a few passages of each label first.", 5000
            )
            return
        if self._ws is not win.ws:  # another database: a queue of its own
            self._ws = win.ws
            self.queue = UncertaintyQueue(win.ws.suggestions, win.ws.judgements, win.ws.annotations)
        me, level, queue = win.settings.annotator, ctl.level, self.queue
        try:
            queue.leave(me, skip=skip)
        except AnnotatorError as exc:
            win.statusBar().showMessage(f"Could not store the skip: {exc}", 5000)
            return
        self._busy = True

        def work(_progress: Any) -> Any:
            return queue.find(sug, me, level)

        def done(result: tuple[list[Any], int]) -> None:
            self._busy = False
            it = queue.offer(
                result, lambda it: (it.document_id, it.start, it.end, me) in ctl.dismissals
            )
            pane = self.queue_pane()
            if it is None:
                self._show_progress("Every passage you may label has been judged or skipped.")
                return
            self._show_progress(f"This passage: uncertainty {it.priority:.2f}")
            self.open_passage(it.document_id, it.start, pane)

        def failed(msg: str) -> None:
            self._busy = False
            win.statusBar().showMessage(msg, 5000)

        win.runner.start(work, finished=done, failed=failed)

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
            ("skip_uncertain", "S&kip uncertain passage", queue.skip, "Ctrl+Shift+U"),
            ("disagreements", "Model and labels &disagree…", queue.disagreements, ""),
        ):
            act = QAction(text, window)
            act.setObjectName(f"action_{name}")
            if key:
                act.setShortcut(QKeySequence(key))
            act.triggered.connect(lambda _checked=False, f=slot: f())
            menu.addAction(act)
            window.addAction(act)
            window.actions_by_name[name] = act
    return queue
