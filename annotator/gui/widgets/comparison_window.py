"""One document, one pane per compared annotator plus the gold layer, and the adjudication panel.

Panes are ordinary ``DocumentPane``s with a fixed annotator each: their label keys are off
(single keys decide disagreements here), their highlighter also draws disagreement marks,
and their scrolling is synchronised; each annotator's labels of the whole document are in
their pane's heading, read-only. Everything is read off the GUI thread; other people's
edits arrive through the change feed and reload only the open document: its spans when
spans changed, only the headings when labels of the whole document did.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from annotator.agreement.spans import MatchMode
from annotator.core.model import GOLD_ANNOTATOR, Document, Label
from annotator.gui.adjudication_actions import AdjudicationController
from annotator.gui.live_updates import (
    LiveRelay,
    document_labels_in,
    documents_in,
    needs_refresh,
)
from annotator.gui.messages import show_error
from annotator.gui.models.disagreement_model import DisagreementListModel, item_range
from annotator.gui.widgets.adjudication_panel import AdjudicationPanel
from annotator.gui.widgets.disagreement_highlighter import DisagreementHighlighter
from annotator.gui.widgets.document_pane import DocumentPane
from annotator.gui.window_fit import fit_window
from annotator.gui.workers import TaskRunner
from annotator.services import Workspace
from annotator.settings import Settings


class ComparisonWindow(QMainWindow):
    def __init__(
        self,
        ws: Workspace,
        settings: Settings,
        documents: QAbstractItemModel,
        *,
        annotators: Sequence[str],
        mode: MatchMode = "overlap",
        threshold: float = 0.5,
        live_interval: float = 1.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("comparisonWindow")
        self.ws, self.settings, self._documents = ws, settings, documents
        self.annotators = tuple(dict.fromkeys(annotators))
        self.mode, self.threshold = mode, threshold
        self.undo_stack = QUndoStack(self)
        self.runner = TaskRunner(self)
        self.document: Document | None = None
        self.panes: dict[str, DocumentPane] = {}
        self.titles: dict[str, QLabel] = {}
        """Each pane's heading: its annotator and their labels of the whole document."""
        self.last_pane: DocumentPane | None = None
        self._labels: list[Label] = []
        self._token = 0
        self._labels_read = 0  # numbers each read of the document labels, newest shown
        self._labels_shown = 0
        self._syncing = False
        self._pending_select: tuple[int, int] | None = None
        self._current_key: str | None = None
        self._restoring = False
        self.follow_next = False
        """After a decision the view moves on to the next item; a live reload stays put."""

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.model = DisagreementListModel(self)
        self.panel = AdjudicationPanel(self.model)
        outer = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(self.splitter)
        outer.addWidget(self.panel)
        outer.setStretchFactor(0, 3)
        outer.setStretchFactor(1, 1)
        self.setCentralWidget(outer)
        for name in (*self.annotators, GOLD_ANNOTATOR):
            self._add_pane(name)
        self.adjudication = AdjudicationController(
            window=self,
            adjudication=ws.adjudication,
            settings=settings,
            annotators=self.annotators,
            panes=self.panes,
            last_pane=lambda: self.last_pane,
            panel=self.panel,
            undo_stack=self.undo_stack,
            current_item=self.current_item,
            document_id=lambda: self.document_id,
            labels=lambda: self._labels,
            step=self.step,
            refresh=self.refresh,
            rows_changed=self._rows_changed,
            follow_next=lambda on: setattr(self, "follow_next", on),
            status=lambda text, ms: self.statusBar().showMessage(text, ms),
        )
        self.actions_by_name = self.adjudication.actions_by_name
        self.panel.currentItemChanged.connect(self._item_chosen)
        self.panel.table.doubleClicked.connect(lambda idx: self.go_to_item(idx.row()))

        self.live = LiveRelay(ws, interval=live_interval, parent=self)
        self.live.changed.connect(self._live_changed)
        self.live.start()
        fit_window(self, 1400, 900)  # Esc / Ctrl+W are its adjudication actions

    def _rows_changed(self, document_ids: Iterable[int]) -> None:
        """The main window's corpus rows of documents decided here are stale."""
        main = self.parent()
        if main is not None and hasattr(main, "mark_rows_dirty"):
            main.mark_rows_dirty(document_ids)

    # --- panes ---------------------------------------------------------------------------

    def _add_pane(self, name: str) -> DocumentPane:
        box = QWidget()
        title = QLabel(name if name != GOLD_ANNOTATOR else "gold (adjudicated)")
        title.setObjectName(f"paneTitle_{name}")
        font = QFont(title.font())
        font.setBold(True)
        title.setFont(font)
        title.setContentsMargins(6, 2, 6, 2)
        # Many document labels must not widen the pane: the heading is cut, whole in its tip.
        title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        pane = DocumentPane(self._documents)
        pane.setObjectName(f"pane_{name}")
        pane.view.highlighter = DisagreementHighlighter(pane.view)
        pane.view.key_handler = lambda ev, p=pane: self._pane_key(ev, p)
        pane.documentRequested.connect(self.open_document)
        pane.activated.connect(lambda p=pane: setattr(self, "last_pane", p))
        pane.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        pane.view.verticalScrollBar().valueChanged.connect(lambda _v, p=pane: self._scrolled(p))
        # Document labels are changed in the main window; here each pane's title shows its
        # annotator's, read-only.
        pane.doc_labels_button.hide()
        self.titles[name] = title
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(title)
        lay.addWidget(pane, 1)
        self.splitter.addWidget(box)
        self.panes[name] = pane
        return pane

    def set_labels(self, labels: list[Label]) -> None:
        """Colours for every pane; label keys are switched off (single keys decide here)."""
        self._labels = labels
        quiet = [dataclasses.replace(lab, shortcut="") for lab in labels]
        for pane in self.panes.values():
            pane.set_labels(quiet)

    @property
    def document_id(self) -> int | None:
        return self.document.id if self.document is not None else None

    def _pane_key(self, event: QKeyEvent, pane: DocumentPane) -> bool:
        """Adjudication keys first (a text view may take plain keys before shortcuts do)."""
        seq = QKeySequence(event.keyCombination())
        for act in self.actions_by_name.values():
            if act.isEnabled() and any(
                seq.matches(s) == QKeySequence.SequenceMatch.ExactMatch for s in act.shortcuts()
            ):
                act.trigger()
                return True
        return pane.handle_key(event)

    def _scrolled(self, source: DocumentPane) -> None:
        """Panes show the same text: keep them at the same fraction of it."""
        if self._syncing:
            return
        bar = source.view.verticalScrollBar()
        frac = bar.value() / bar.maximum() if bar.maximum() else 0.0
        self._syncing = True
        try:
            for p in self.panes.values():
                if p is not source:
                    other = p.view.verticalScrollBar()
                    other.setValue(round(frac * other.maximum()))
        finally:
            self._syncing = False

    # --- loading -------------------------------------------------------------------------

    def open_document(self, document_id: int, select: tuple[int, int] | None = None) -> None:
        self._pending_select = select
        self._current_key = None
        self._load(document_id, with_text=True)

    def refresh(self) -> None:
        """Reload spans, gold and disagreements of the open document (text stays)."""
        if self.document_id is not None:
            self._load(self.document_id, with_text=False)

    def _load(self, document_id: int, *, with_text: bool) -> None:
        self._token += 1
        token, ws, names = self._token, self.ws, self.annotators
        mode, threshold = self.mode, self.threshold
        viewer = self.settings.annotator or None

        def work(_progress):
            doc = ws.documents.get(document_id) if with_text else None
            labels = ws.labels.list() if with_text else None
            spans = {n: ws.annotations.spans(document_id, annotators=(n,)) for n in names}
            view = ws.adjudication.view(
                document_id, annotators=names, mode=mode, threshold=threshold
            )
            whole = ws.annotations.document_labels(document_id, viewer=viewer)
            return doc, labels, spans, view, whole

        read = self._labels_read = self._labels_read + 1

        def done(result) -> None:
            if token == self._token:
                if result[0] is not None:  # another document: its labels, whatever came before
                    self._labels_shown = 0
                self._loaded(*result[:4])
                self._show_doc_labels(read, result[4])

        self.runner.start(
            work, finished=done, failed=lambda msg: show_error(self, "Cannot compare", msg)
        )

    def reload_doc_labels(self) -> None:
        """Read the open document's labels of the whole document again and show them in
        the headings (off the GUI thread); its text and spans stay as they are."""
        document_id = self.document_id
        if document_id is None:
            return
        ws, viewer = self.ws, self.settings.annotator or None
        read = self._labels_read = self._labels_read + 1

        def work(_progress):
            return ws.annotations.document_labels(document_id, viewer=viewer)

        def done(whole) -> None:
            if self.document_id == document_id:
                self._show_doc_labels(read, whole)

        self.runner.start(
            work,
            finished=done,
            failed=lambda msg: self.statusBar().showMessage(
                f"Cannot read the document labels: {msg}", 5000
            ),
        )

    def _show_doc_labels(self, read: int, whole: dict[str, list[str]]) -> None:
        """Each annotator's labels of the whole document in their pane's heading, unless a
        later read (a reload that finished first) is shown already."""
        if read < self._labels_shown:
            return
        self._labels_shown = read
        for name in self.annotators:
            if name == GOLD_ANNOTATOR:
                continue
            given = whole.get(name, [])
            self.titles[name].setText(name + (f"   ◆ {', '.join(given)}" if given else ""))
            self.titles[name].setToolTip(
                f"{name}'s labels of the whole document: {', '.join(given)}"
                if given
                else f"{name} gave the whole document no label"
            )

    def _loaded(self, doc, labels, spans, view) -> None:
        if labels is not None:
            self.set_labels(labels)
        bar = self.panes[self.annotators[0]].view.verticalScrollBar().value()
        for name, pane in self.panes.items():
            layer = list(view.gold) if name == GOLD_ANNOTATOR else spans[name]
            if doc is not None:
                pane.set_document(doc, layer)
            else:
                pane.set_spans(layer)
        if doc is not None:
            self.document = doc
            self.setWindowTitle(f"Compare {' / '.join(self.annotators)} — {doc.title}")
        row, key = max(0, self.panel.current_row()), self._current_key
        self._restoring = True
        self.model.set_view(view)
        marks = [(c.start, c.end) for item in view.open_items for c in item.candidates]
        for name, pane in self.panes.items():
            hl = pane.view.highlighter
            assert isinstance(hl, DisagreementHighlighter)
            hl.set_marks(marks if name != GOLD_ANNOTATOR else [], pane.positions)
        if doc is None:  # a reload keeps the place in the text
            self._syncing = True
            for pane in self.panes.values():
                pane.view.verticalScrollBar().setValue(bar)
            self._syncing = False
        try:
            self._restore_selection(row, key)
        finally:
            self._restoring = False
            self.follow_next = False

    def _restore_selection(self, old_row: int, key: str | None) -> None:
        select, self._pending_select = self._pending_select, None
        if select is not None:
            row = next(
                (
                    i
                    for i, item in enumerate(self.model.items())
                    if item_range(item)[0] < select[1] and select[0] < item_range(item)[1]
                ),
                None,
            )
            self.panel.select_row(row if row is not None else -1)
            self._go_to_range(*select)
            return
        key_row = self.model.row_of(key) if key else None
        if key_row is not None:
            self.panel.select_row(key_row)
        elif self.model.rowCount() and (key or self.follow_next):
            # Decided (here or elsewhere): on to the item that took its place.
            row = min(old_row, self.model.rowCount() - 1)
            self.panel.select_row(row)
            if self.follow_next:
                self._go_to_range(*item_range(self.model.item(row)))

    def _live_changed(self, batch) -> None:
        """Someone's committed changes: reload the open document's spans if theirs
        changed (which reads its labels too), else only its labels if those did."""
        if self.document_id is None:
            return
        if needs_refresh(batch) or self.document_id in documents_in(batch):
            self.refresh()
        elif self.document_id in document_labels_in(batch):
            self.reload_doc_labels()

    # --- navigation ----------------------------------------------------------------------

    def _item_chosen(self, row: int) -> None:
        """A row chosen by the user (click, arrow keys) shows its text in every pane."""
        if self._restoring:
            self._current_key = self.model.item(row).key if row >= 0 else self._current_key
            return
        self._current_key = self.model.item(row).key if row >= 0 else None
        if row >= 0:
            self._go_to_range(*item_range(self.model.item(row)))

    def go_to_item(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.panel.select_row(row)
            self._go_to_range(*item_range(self.model.item(row)))

    def _go_to_range(self, start: int, end: int) -> None:
        self._syncing = True
        try:
            for pane in self.panes.values():
                if pane.document is not None:
                    pane.go_to(start, end)
        finally:
            self._syncing = False

    def step(self, delta: int) -> None:
        """Next (1) or previous (-1) open disagreement, wrapping; scrolls every pane."""
        n = self.model.rowCount()
        if not n:
            self.statusBar().showMessage("No open disagreements in this document.", 4000)
            return
        row = self.panel.current_row()
        if row < 0:
            pane = self.last_pane or self.panes[self.annotators[0]]
            cp = pane.positions.to_cp(pane.view.textCursor().position())
            starts = [item_range(it)[0] for it in self.model.items()]
            row = (
                next((i for i, s in enumerate(starts) if s >= cp), n)
                if delta > 0
                else next((i for i in range(n - 1, -1, -1) if starts[i] < cp), -1)
            )
            row = row % n
        else:
            row = (row + delta) % n
        self.go_to_item(row)

    def current_item(self):
        row = self.panel.current_row()
        return self.model.item(row) if 0 <= row < self.model.rowCount() else None

    # --- closing -------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.live.stop()
        self.runner.wait(10_000)
        super().closeEvent(event)
