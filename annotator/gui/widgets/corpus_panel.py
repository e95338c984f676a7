"""The corpus dock: filter box, full-text search across documents, table, mark-done button."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.models.document_list_model import DocumentListModel


class CorpusFilterModel(QSortFilterProxyModel):
    """Filters by the text typed (title, date, source, status) and by corpus search hits."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._ids: set[int] | None = None
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self.setSortRole(DocumentListModel.SortRole)

    def set_ids(self, ids: set[int] | None) -> None:
        self.beginFilterChange()
        self._ids = ids
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        if self._ids is not None:
            doc_id = self.sourceModel().index(row, 0, parent).data(DocumentListModel.IdRole)
            if doc_id not in self._ids:
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
        self.search = QLineEdit(placeholderText="Search text in all documents (Enter)")
        self.search.setClearButtonEnabled(True)
        self.search_status = QLabel()
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(DocumentListModel.TITLE, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(DocumentListModel.TITLE, QHeaderView.ResizeMode.Stretch)
        for col in (DocumentListModel.DATE, DocumentListModel.STATUS, DocumentListModel.SPANS):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(DocumentListModel.SOURCE, QHeaderView.ResizeMode.Interactive)
        hh.resizeSection(DocumentListModel.SOURCE, 80)
        self.setMinimumWidth(180)  # narrow screens: the window must still fit
        self.done_button = QPushButton("Mark done")
        self.done_button.setToolTip("Mark the selected document done for you (Ctrl+D toggles)")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.filter)
        lay.addWidget(self.search)
        lay.addWidget(self.search_status)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.done_button)
        lay.addLayout(row)
        self.search_status.hide()
        self._hits: dict[int, int] = {}

        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.search.returnPressed.connect(lambda: self.searchRequested.emit(self.search.text()))
        self.search.textChanged.connect(lambda t: t or self.show_search_hits(None))
        self.table.activated.connect(self._activated)
        self.done_button.clicked.connect(self._mark_done)

    def show_search_hits(self, hits: list[tuple[int, int]] | None) -> None:
        """Show only documents with a hit (None shows all again)."""
        self._hits = dict(hits or [])
        self.proxy.set_ids(set(self._hits) if hits is not None else None)
        self.search_status.setVisible(hits is not None)
        if hits is not None:
            self.search_status.setText(f"{len(hits)} document(s) contain “{self.search.text()}”")

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
