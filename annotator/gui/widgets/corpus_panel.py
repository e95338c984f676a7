"""The corpus dock: filter box, full-text search across documents, table, mark-done button."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.models.document_list_model import DocumentListModel
from annotator.gui.widgets.column_fit import SAMPLE_ROWS, Column, ColumnFitter


@dataclass(frozen=True)
class SearchHit:
    document_id: int
    offset: int
    """Code point offset of the hit in the document's text."""
    match: str
    context: str
    """One line: the hit with some words either side, the hit in »…«."""


def hits_in(document_id: int, text: str, needle: str, *, per_document: int = 20) -> list[SearchHit]:
    """Case-insensitive hits of ``needle`` in ``text`` with their context (code points)."""
    out = []
    for m in re.finditer(re.escape(needle), text, re.IGNORECASE):
        a, b = m.start(), m.end()
        lo, hi = max(0, a - CONTEXT), min(len(text), b + CONTEXT)
        # Whole words at the edges of the context.
        if lo > 0 and (cut := text.find(" ", lo, a)) >= 0:
            lo = cut + 1
        if hi < len(text) and (cut := text.rfind(" ", b, hi)) >= 0:
            hi = cut
        before = " ".join(text[lo:a].split())
        after = " ".join(text[b:hi].split())
        lead = "…" if lo > 0 else ""
        tail = "…" if hi < len(text) else ""
        context = f"{lead}{before} »{m.group()}« {after}{tail}".strip()
        out.append(SearchHit(document_id, a, m.group(), context))
        if len(out) >= per_document:
            break
    return out


CONTEXT = 48
"""Characters of context either side of a hit."""


class CorpusFilterModel(QSortFilterProxyModel):
    """Filters by the text typed (title, date, source, status) and by corpus search hits."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._ids: set[int] | None = None
        self._assigned: set[int] | None = None
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self.setSortRole(DocumentListModel.SortRole)

    def set_assigned(self, ids: set[int] | None) -> None:
        """Only these documents (my assignments), or all again with None."""
        self.beginFilterChange()
        self._assigned = ids
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_ids(self, ids: set[int] | None) -> None:
        self.beginFilterChange()
        self._ids = ids
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        if self._ids is not None or self._assigned is not None:
            doc_id = self.sourceModel().index(row, 0, parent).data(DocumentListModel.IdRole)
            if self._ids is not None and doc_id not in self._ids:
                return False
            if self._assigned is not None and doc_id not in self._assigned:
                return False
        return super().filterAcceptsRow(row, parent)


class CorpusPanel(QWidget):
    documentActivated = Signal(int, int)
    """document id, offset of the search hit to show (-1 for none)."""
    markDoneRequested = Signal(int)
    searchRequested = Signal(str)

    def __init__(self, model: DocumentListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = CorpusFilterModel(self)
        self.proxy.setSourceModel(model)
        self.filter = QLineEdit(placeholderText="Filter by title, date, source, status")
        self.filter.setClearButtonEnabled(True)
        self.search = QLineEdit(
            placeholderText="Search text in all documents (Enter; Down/Up choose a hit)"
        )
        self.search.setClearButtonEnabled(True)
        self.search_status = QLabel()
        self.search_status.setWordWrap(True)
        self.hits = QListWidget()
        self.hits.setObjectName("searchHits")
        self.hits.setWordWrap(True)
        self.hits.setAlternatingRowColors(True)
        self.hits.setToolTip("Enter or double-click opens the document at that hit")
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(DocumentListModel.TITLE, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        # The title keeps half the width; the side columns show their text whole or, in a
        # narrow dock, Source and then Date step aside (the title's tooltip names them).
        M = DocumentListModel
        self.columns = ColumnFitter(
            self.table,
            M.TITLE,
            [
                Column(M.STATUS, lambda: ["in progress"]),
                Column(M.SPANS, lambda: ["9999"]),
                Column(M.DATE, lambda: ["2024-12-06"], hideable=True),
                Column(M.SOURCE, lambda: self._texts(M.SOURCE), most=160, hideable=True),
            ],
            share=0.5,
        )
        for sig in (model.modelReset, model.rowsInserted, model.dataChanged):
            sig.connect(lambda *_: self.columns.fit())
        self.setMinimumWidth(180)  # narrow screens: the window must still fit
        self.only_mine = QCheckBox("My queue")
        self.only_mine.setObjectName("onlyMine")
        self.only_mine.setToolTip("Show only the documents assigned to you (a study plan)")
        self.only_mine.setEnabled(False)
        self.done_button = QPushButton("Mark done")
        self.done_button.setToolTip("Mark the selected document done for you (Ctrl+D toggles)")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.filter)
        lay.addWidget(self.search)
        lay.addWidget(self.search_status)
        lay.addWidget(self.hits, 1)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.only_mine)
        row.addStretch(1)
        row.addWidget(self.done_button)
        lay.addLayout(row)
        self.search_status.hide()
        self.hits.hide()
        self._hits: dict[int, int] = {}
        self._searched: str | None = None
        """The text whose hits are listed: Enter on it opens the current hit."""

        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.search.installEventFilter(self)
        self.search.returnPressed.connect(self._search_entered)
        self.search.textChanged.connect(lambda t: t or self.show_search_hits(None))
        self.table.activated.connect(self._activated)
        self.hits.itemActivated.connect(self._hit_activated)
        self.done_button.clicked.connect(self._mark_done)

    def _texts(self, column: int) -> Iterator[str]:
        """A column's texts, for its width: the first rows only (the corpus may be large)."""
        for row in range(min(self.proxy.rowCount(), SAMPLE_ROWS)):
            yield str(self.proxy.index(row, column).data() or "")

    def show_search_hits(self, hits: list[SearchHit] | list[tuple[int, int]] | None) -> None:
        """Every hit with its context above the table, which keeps only documents with a hit
        (None shows all again)."""
        found = [
            h if isinstance(h, SearchHit) else SearchHit(h[0], h[1], "", "") for h in hits or []
        ]
        self._hits = {}
        for h in found:
            self._hits.setdefault(h.document_id, h.offset)
        self.proxy.set_ids(set(self._hits) if hits is not None else None)
        self.search_status.setVisible(hits is not None)
        self.hits.clear()
        self.hits.setVisible(hits is not None and bool(found))
        self._searched = self.search.text() if hits is not None else None
        if hits is None:
            return
        for h in found:
            summary = self.model.summary(h.document_id)
            title = summary.title if summary is not None else f"#{h.document_id}"
            item = QListWidgetItem(f"{title}\n{h.context}" if h.context else title)
            item.setData(Qt.ItemDataRole.UserRole, (h.document_id, h.offset))
            self.hits.addItem(item)
        if found:
            self.hits.setCurrentRow(0)
        self.search_status.setText(
            f"{len(found)} hit(s) in {len(self._hits)} document(s) for “{self.search.text()}”"
            " — Down/Up choose a hit, Enter opens it"
        )

    # --- keys of the search field: the hits are chosen and opened from it -------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()), 0)
            if step and self.hits.count() and self.hits.isVisible():
                row = max(0, min(self.hits.count() - 1, self.hits.currentRow() + step))
                self.hits.setCurrentRow(row)
                self.hits.scrollToItem(self.hits.item(row))
                return True
        return super().eventFilter(watched, event)

    def _search_entered(self) -> None:
        """Enter: on the text already searched, open the current hit; else search."""
        item = self.hits.currentItem()
        if self._searched == self.search.text() and item is not None and self.hits.isVisible():
            self._hit_activated(item)
        else:
            self.searchRequested.emit(self.search.text())

    def _hit_activated(self, item: QListWidgetItem) -> None:
        doc_id, offset = item.data(Qt.ItemDataRole.UserRole)
        self.documentActivated.emit(doc_id, offset)

    def set_assigned(self, ids: set[int] | None) -> None:
        self.proxy.set_assigned(ids)

    def selected_document(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(DocumentListModel.IdRole) if rows else None

    def select_document(self, document_id: int) -> None:
        row = self.model.row_of(document_id)
        if row is None:
            return
        idx = self.proxy.mapFromSource(self.model.index(row, 0))
        if idx.isValid():
            self.table.selectRow(idx.row())

    def _activated(self, index: QModelIndex) -> None:
        doc_id = index.data(DocumentListModel.IdRole)
        self.documentActivated.emit(doc_id, self._hits.get(doc_id, -1))

    def _mark_done(self) -> None:
        doc_id = self.selected_document()
        if doc_id is not None:
            self.markDoneRequested.emit(doc_id)
