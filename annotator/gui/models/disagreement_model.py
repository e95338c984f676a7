"""The open disagreements of one document, from ``AdjudicationService.view``."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from annotator.core.text import excerpt
from annotator.gui.models.base import HeaderTableModel
from annotator.services.adjudication import AdjudicationView, Disagreement

Index = QModelIndex | QPersistentModelIndex


def item_range(item: Disagreement) -> tuple[int, int]:
    """The stretch of text an item covers: from its first candidate's start to the last end."""
    return min(c.start for c in item.candidates), max(c.end for c in item.candidates)


class DisagreementListModel(HeaderTableModel):
    """Rows are the view's open items in text order; a new view replaces them all."""

    RANGE, KIND, CANDIDATES, TEXT, REASON = range(5)
    HEADERS = ("Where", "Kind", "Who proposed what", "Text", "Reason")
    KeyRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._view: AdjudicationView | None = None
        self._items: tuple[Disagreement, ...] = ()

    def set_view(self, view: AdjudicationView | None) -> None:
        self.beginResetModel()
        self._view = view
        self._items = view.open_items if view is not None else ()
        self.endResetModel()

    @property
    def view(self) -> AdjudicationView | None:
        return self._view

    def item(self, row: int) -> Disagreement:
        return self._items[row]

    def items(self) -> tuple[Disagreement, ...]:
        return self._items

    def row_of(self, key: str) -> int | None:
        return next((i for i, d in enumerate(self._items) if d.key == key), None)

    # --- QAbstractItemModel -----------------------------------------------------------

    def _row_count(self) -> int:
        return len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._items)):
            return None
        item = self._items[index.row()]
        col = index.column()
        if role == self.KeyRole:
            return item.key
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.TEXT:
                return "\n".join(f"{c.label}: {excerpt(c.text, 400)}" for c in item.candidates)
            if col == self.REASON:
                return "\n".join(item.reasons)
        return None

    def _display(self, item: Disagreement, col: int) -> str:
        if col == self.RANGE:
            start, end = item_range(item)
            return f"{start}–{end}"
        if col == self.KIND:
            return item.kind
        if col == self.CANDIDATES:
            parts = [f"{', '.join(c.annotators)}: {c.label}" for c in item.candidates]
            parts += [f"{name}: nothing" for name in item.missing]
            return " · ".join(parts)
        if col == self.TEXT:
            return excerpt(" / ".join(dict.fromkeys(c.text for c in item.candidates)), 90)
        return item.reason
