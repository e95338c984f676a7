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
        hh.setSectionResizeMode(LabelListModel.KEY, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(LabelListModel.COUNT, QHeaderView.ResizeMode.ResizeToContents)
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
