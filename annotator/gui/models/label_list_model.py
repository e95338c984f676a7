"""The label set: colour swatch, name, key, count in the current document, guideline tooltip."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from annotator.core.model import Label
from annotator.gui.models.base import HeaderTableModel
from annotator.services.labels import LabelService

Index = QModelIndex | QPersistentModelIndex


class LabelListModel(HeaderTableModel):
    NAME, KEY, COUNT = range(3)
    HEADERS = ("Label", "Key", "Count")
    NameRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, labels: LabelService, parent=None) -> None:
        super().__init__(parent)
        self._service = labels
        self._labels: list[Label] = []
        self._counts: dict[str, int] = {}

    def reload(self) -> None:
        self.beginResetModel()
        self._labels = self._service.list()
        self.endResetModel()

    def labels(self) -> list[Label]:
        return list(self._labels)

    def set_counts(self, counts: dict[str, int]) -> None:
        if counts == self._counts:
            return
        self._counts = dict(counts)
        if self._labels:
            self.dataChanged.emit(
                self.index(0, self.COUNT),
                self.index(len(self._labels) - 1, self.COUNT),
                [Qt.ItemDataRole.DisplayRole],
            )

    def _row_count(self) -> int:
        return len(self._labels)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._labels)):
            return None
        lab = self._labels[index.row()]
        col = index.column()
        if role == self.NameRole:
            return lab.name
        if role == Qt.ItemDataRole.DisplayRole:
            return (lab.name, lab.shortcut, str(self._counts.get(lab.name, 0)))[col]
        if role == Qt.ItemDataRole.DecorationRole and col == self.NAME:
            return QColor(lab.color)
        if role == Qt.ItemDataRole.ToolTipRole:
            return lab.description or f"{lab.name} (no description yet; see the project guideline)"
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.KEY, self.COUNT):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None
