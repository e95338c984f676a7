"""Document panes side by side in a splitter; the current pane; optional synced scrolling."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from annotator.gui.widgets.document_pane import DocumentPane


class ReadingArea(QWidget):
    paneAdded = Signal(DocumentPane)
    currentChanged = Signal(DocumentPane)

    def __init__(self, documents: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._documents = documents
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.splitter)
        self.panes: list[DocumentPane] = []
        self.current: DocumentPane | None = None
        self.sync_scroll = False
        self._syncing = False

    def add_pane(self) -> DocumentPane:
        pane = DocumentPane(self._documents)
        self.panes.append(pane)
        self.splitter.addWidget(pane)
        pane.activated.connect(lambda p=pane: self.set_current(p))
        pane.closeRequested.connect(lambda p=pane: self.close_pane(p))
        pane.view.verticalScrollBar().valueChanged.connect(lambda _v, p=pane: self._scrolled(p))
        self.splitter.setSizes([1] * len(self.panes))
        self.paneAdded.emit(pane)
        if self.current is None:
            self.set_current(pane)
        return pane

    def close_pane(self, pane: DocumentPane) -> None:
        if len(self.panes) <= 1:
            return  # always keep one pane to read in
        i = self.panes.index(pane)
        self.panes.remove(pane)
        pane.hide()
        pane.setParent(None)
        pane.deleteLater()
        if self.current is pane:
            self.set_current(self.panes[min(i, len(self.panes) - 1)])
            self.current.view.setFocus()

    def set_current(self, pane: DocumentPane) -> None:
        if pane is self.current:
            return
        self.current = pane
        for p in self.panes:
            p.setProperty("current", p is pane)
            p.setLineWidth(2 if p is pane else 1)
        self.currentChanged.emit(pane)

    def focus_next(self, step: int = 1) -> None:
        if not self.panes:
            return
        i = self.panes.index(self.current) if self.current in self.panes else 0
        nxt = self.panes[(i + step) % len(self.panes)]
        self.set_current(nxt)
        nxt.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def panes_showing(self, document_id: int) -> list[DocumentPane]:
        return [p for p in self.panes if p.document_id == document_id]

    def _scrolled(self, source: DocumentPane) -> None:
        """Synced scrolling keeps the panes at the same fraction of their documents.

        A pane in passage mode leads but is never led: its current passage stays in view
        (it scrolls on with J/K, and the other panes follow it)."""
        if not self.sync_scroll or self._syncing:
            return
        bar = source.view.verticalScrollBar()
        frac = bar.value() / bar.maximum() if bar.maximum() else 0.0
        self._syncing = True
        try:
            for p in self.panes:
                if p is not source and p.current_passage is None:
                    other = p.view.verticalScrollBar()
                    other.setValue(round(frac * other.maximum()))
        finally:
            self._syncing = False
