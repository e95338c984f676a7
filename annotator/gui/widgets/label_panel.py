"""The label dock: colour, key, count in the current document; a click tags like the key."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.models.label_list_model import LabelListModel


class LabelPanel(QWidget):
    labelActivated = Signal(str)
    editRequested = Signal()

    def __init__(self, model: LabelListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.table = QTableView()
        self.table.setModel(model)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a click keeps focus in the text
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(LabelListModel.NAME, QHeaderView.ResizeMode.Stretch)
        # Fixed widths, not ResizeToContents: the count changes with every tag, and a
        # resize-to-contents header re-measured and re-laid the docks out each time (up to
        # 0.1 s beside a 5 MB document). Sized for the header text and a 7-digit count.
        metrics = self.table.fontMetrics()
        for col, sample in ((LabelListModel.KEY, "Key"), (LabelListModel.COUNT, "0000000")):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            hh.resizeSection(col, max(metrics.horizontalAdvance(sample), 28) + 16)
        edit = QPushButton("Edit labels…")
        edit.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.table, 1)
        lay.addWidget(edit)
        self.table.clicked.connect(self._clicked)
        edit.clicked.connect(self.editRequested)

    def _clicked(self, index: QModelIndex) -> None:
        self.labelActivated.emit(index.data(LabelListModel.NameRole))
