"""The span dock: spans of the current document; a click jumps to the span and selects it."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.models.span_list_model import SpanListModel
from annotator.gui.widgets.column_fit import SAMPLE_ROWS, Column, ColumnFitter


class SpanList(QWidget):
    spanActivated = Signal(int)
    deleteRequested = Signal(int)
    noteRequested = Signal(int)

    def __init__(self, model: SpanListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.table = QTableView()
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        # Side columns sized to their text (labels, names, the header), measured on a sample
        # of rows, never ResizeToContents (that measures every row of 50,000 spans); the
        # span's text keeps at least 30% of the width (half in the narrowest dock).
        M = SpanListModel
        self.columns = ColumnFitter(
            self.table,
            M.TEXT,
            [
                Column(M.LABEL, lambda: model.label_names(), icon=22),
                Column(M.ANNOTATOR, lambda: self._texts(M.ANNOTATOR), most=140),
                Column(M.NOTE, lambda: self._texts(M.NOTE), least=64, most=180, shares_main=0.4),
            ],
            share=0.3,
            narrow=(260, 0.5),  # the narrowest dock (an 800 px screen): the text keeps half
        )
        for sig in (model.modelReset, model.rowsInserted, model.dataChanged):
            sig.connect(lambda *_: self.columns.fit())
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setMinimumWidth(180)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.table)
        self.table.clicked.connect(self._clicked)
        self.table.activated.connect(self._clicked)
        self.table.customContextMenuRequested.connect(self._menu)
        # A note or label edit replaces the span's row: the selection stays on that span.
        self._selected_id: int | None = None
        self.table.selectionModel().selectionChanged.connect(self._remember_selection)
        for sig in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            sig.connect(self._restore_selection)

    def _texts(self, column: int) -> Iterator[str]:
        for row in range(min(self.model.rowCount(), SAMPLE_ROWS)):
            yield str(self.model.index(row, column).data() or "")

    def show_annotators(self, on: bool) -> None:
        """The annotator column only when others' spans are shown (else it is always me)."""
        self.table.setColumnHidden(SpanListModel.ANNOTATOR, not on)
        self.columns.fit()

    def select_span(self, span_id: int | None) -> None:
        row = self.model.row_of(span_id) if span_id is not None else None
        if row is None:
            self.table.clearSelection()
            self._selected_id = None
            return
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        self._selected_id = span_id

    def _remember_selection(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._selected_id = rows[0].data(SpanListModel.IdRole)

    def _restore_selection(self) -> None:
        wanted = self._selected_id
        row = self.model.row_of(wanted) if wanted is not None else None
        rows = self.table.selectionModel().selectedRows()
        if row is not None and [r.row() for r in rows] != [row]:
            self.table.selectRow(row)
        self._selected_id = wanted

    def _clicked(self, index: QModelIndex) -> None:
        self.spanActivated.emit(index.data(SpanListModel.IdRole))

    def _menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        span_id = index.data(SpanListModel.IdRole)
        menu = QMenu(self)
        menu.addAction("Edit note…", lambda: self.noteRequested.emit(span_id))
        menu.addAction("Delete span", lambda: self.deleteRequested.emit(span_id))
        menu.exec(self.table.viewport().mapToGlobal(pos))
