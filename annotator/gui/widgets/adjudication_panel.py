"""The open disagreements of the compared document and the buttons that decide them."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.models.disagreement_model import DisagreementListModel

_FLAG = QItemSelectionModel.SelectionFlag


class AdjudicationPanel(QWidget):
    currentItemChanged = Signal(int)
    """Row of the selected item, or -1."""

    def __init__(self, model: DisagreementListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.summary = QLabel()
        self.summary.setObjectName("adjudicationSummary")
        self.table = QTableView()
        self.table.setObjectName("disagreementTable")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        head.setStretchLastSection(True)
        for col, width in ((0, 90), (1, 80), (2, 260), (3, 300)):
            self.table.setColumnWidth(col, width)
        self.buttons: dict[str, QPushButton] = {}
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        lay.addLayout(self._row)
        self.table.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self.currentItemChanged.emit(cur.row() if cur.isValid() else -1)
        )
        model.modelReset.connect(self._update_summary)

    def add_button(self, name: str, action: QAction) -> QPushButton:
        """A button that triggers ``action`` and follows its text and enabled state."""
        button = QPushButton()
        button.setObjectName(f"button_{name}")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay in the panes and the list

        def sync() -> None:
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            button.setText(action.text().replace("&", "") + (f"  ({keys})" if keys else ""))
            button.setToolTip(action.toolTip())
            button.setEnabled(action.isEnabled())

        action.changed.connect(sync)
        button.clicked.connect(action.trigger)
        sync()
        self._row.addWidget(button)
        self.buttons[name] = button
        return button

    def add_stretch(self) -> None:
        self._row.addStretch(1)

    def current_row(self) -> int:
        idx = self.table.selectionModel().currentIndex()
        return idx.row() if idx.isValid() else -1

    def select_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            idx = self.model.index(row, 0)
            self.table.selectionModel().setCurrentIndex(
                idx,
                _FLAG.ClearAndSelect | _FLAG.Rows,
            )
            self.table.scrollTo(idx)
        else:
            self.table.selectionModel().setCurrentIndex(QModelIndex(), _FLAG.Clear)

    def _update_summary(self) -> None:
        view = self.model.view
        if view is None:
            self.summary.setText("")
            return
        pending = sum(1 for u in view.unanimous if not u.in_gold)
        self.summary.setText(
            f"{self.model.rowCount()} open disagreement(s) of {len(view.disagreements)} ·"
            f" {pending} unanimous span(s) not yet in gold · {len(view.gold)} gold span(s)"
        )
