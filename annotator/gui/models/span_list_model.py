"""The spans of the current document: label, text excerpt, annotator, note."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from annotator.core.model import Span
from annotator.core.text import excerpt
from annotator.gui.models.base import HeaderTableModel

Index = QModelIndex | QPersistentModelIndex


def _key(s: Span) -> tuple[int, int, int]:
    return (s.start, s.end, s.id)


class SpanListModel(HeaderTableModel):
    """Relays the spans a pane shows; edits arrive as added/removed spans, one row at a time."""

    LABEL, TEXT, ANNOTATOR, NOTE = range(4)
    HEADERS = ("Label", "Text", "By", "Note")
    HEADER_TIPS = ("", "", "The annotator who made the span", "")
    IdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._text = ""
        self._spans: list[Span] = []
        self._keys: list[tuple[int, int, int]] = []
        self._by_id: dict[int, Span] = {}
        self._counts: Counter[str] = Counter()
        self._colors: dict[str, str] = {}
        self.document_id: int | None = None

    def set_colors(self, colors: dict[str, str]) -> None:
        self._colors = dict(colors)
        if self._spans:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self._spans) - 1, 0),
                [Qt.ItemDataRole.DecorationRole],
            )

    def set_document(self, document_id: int | None, text: str, spans: list[Span]) -> None:
        self.beginResetModel()
        self.document_id = document_id
        self._text = text
        self._spans = sorted(spans, key=_key)
        self._keys = [_key(s) for s in self._spans]
        self._by_id = {s.id: s for s in self._spans}
        self._counts = Counter(s.label for s in self._spans)
        self.endResetModel()

    def apply_edit(self, added: tuple[Span, ...], removed: tuple[Span, ...]) -> None:
        for s in removed:
            row = self.row_of(s.id)
            if row is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._spans[row]
                del self._keys[row]
                gone = self._by_id.pop(s.id)
                self._counts[gone.label] -= 1
                self.endRemoveRows()
        for s in added:
            if s.document_id != self.document_id or self.row_of(s.id) is not None:
                continue
            row = bisect_left(self._keys, _key(s))
            self.beginInsertRows(QModelIndex(), row, row)
            self._spans.insert(row, s)
            self._keys.insert(row, _key(s))
            self._by_id[s.id] = s
            self._counts[s.label] += 1
            self.endInsertRows()

    def row_of(self, span_id: int) -> int | None:
        span = self._by_id.get(span_id)
        return None if span is None else bisect_left(self._keys, _key(span))

    def span_at(self, row: int) -> Span:
        """Not ``span``: that name is a QAbstractItemModel virtual (cell spans) and must stay."""
        return self._spans[row]

    def label_names(self) -> list[str]:
        """Every label the list may show: the project's and the shown spans'."""
        return sorted(set(self._colors) | set(self._counts))

    def label_counts(self) -> dict[str, int]:
        return {label: n for label, n in self._counts.items() if n}

    # --- QAbstractItemModel ---------------------------------------------------------------

    def _row_count(self) -> int:
        return len(self._spans)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._spans)):
            return None
        s = self._spans[index.row()]
        col = index.column()
        if role == self.IdRole:
            return s.id
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.LABEL:
                return s.label
            if col == self.TEXT:
                return excerpt(s.text_in(self._text), 90)
            return s.annotator if col == self.ANNOTATOR else s.note
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.TEXT:
                return excerpt(s.text_in(self._text), 400)
            if col == self.LABEL:
                return f"{s.label} ({s.annotator})"
            return (s.annotator if col == self.ANNOTATOR else s.note) or None
        if role == Qt.ItemDataRole.DecorationRole and col == self.LABEL:
            return QColor(self._colors.get(s.label, "#888888"))
        return None
