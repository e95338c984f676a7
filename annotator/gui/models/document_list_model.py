"""The corpus as a table: title, date, source, the current annotator's status and span count."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from annotator.core.model import DocumentStatus, DocumentSummary
from annotator.core.study import BlindRule
from annotator.gui.models.base import HeaderTableModel
from annotator.services.documents import DocumentService

_STATUS_TEXT = {
    DocumentStatus.TODO: "todo",
    DocumentStatus.IN_PROGRESS: "in progress",
    DocumentStatus.DONE: "done",
}
_STATUS_ORDER = {DocumentStatus.TODO: 0, DocumentStatus.IN_PROGRESS: 1, DocumentStatus.DONE: 2}

Index = QModelIndex | QPersistentModelIndex


class DocumentListModel(HeaderTableModel):
    """Relays ``DocumentService`` summaries; refreshes only the rows an edit touched."""

    TITLE, DATE, SOURCE, STATUS, SPANS = range(5)
    HEADERS = ("Title", "Date", "Source", "Status", "Spans")
    IdRole = Qt.ItemDataRole.UserRole + 1
    SortRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, documents: DocumentService, annotator: str = "", parent=None) -> None:
        super().__init__(parent)
        self._service = documents
        self._annotator = annotator
        self._rows: list[DocumentSummary] = []
        self._row_of: dict[int, int] = {}
        self._blind = BlindRule()
        """Blind mode: teammates' counts and status on these documents stay out of tooltips."""

    def set_blind(self, rule: BlindRule) -> None:
        if rule != self._blind:
            self._blind = rule
            self.set_annotator(self._annotator)

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = self._service.list()
        self._row_of = {d.id: i for i, d in enumerate(self._rows)}
        self.endResetModel()

    def set_annotator(self, name: str) -> None:
        self._annotator = name
        if self._rows:
            self.dataChanged.emit(
                self.index(0, self.STATUS),
                self.index(len(self._rows) - 1, self.SPANS),
                [Qt.ItemDataRole.DisplayRole, self.SortRole, Qt.ItemDataRole.ToolTipRole],
            )

    def refresh(self, document_ids: Iterable[int]) -> None:
        ids = [i for i in document_ids if i in self._row_of]
        self.update_rows(self._service.summaries(ids))

    def update_rows(self, summaries: list[DocumentSummary]) -> None:
        """Replace rows with fresh summaries (loaded here or on a worker thread)."""
        for summary in summaries:
            row = self._row_of.get(summary.id)
            if row is None:
                continue
            self._rows[row] = summary
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def summary(self, document_id: int) -> DocumentSummary | None:
        row = self._row_of.get(document_id)
        return self._rows[row] if row is not None else None

    def row_of(self, document_id: int) -> int | None:
        return self._row_of.get(document_id)

    # --- QAbstractItemModel ---------------------------------------------------------------

    def _row_count(self) -> int:
        return len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        d = self._rows[index.row()]
        col = index.column()
        if role == self.IdRole:
            return d.id
        status = d.status_for(self._annotator)
        mine = d.span_counts.get(self._annotator, 0)
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                d.title or f"Document {d.id}",
                d.published.isoformat() if d.published else "",
                d.source,
                _STATUS_TEXT[status],
                str(mine),
            )[col]
        if role == self.SortRole:
            return (
                (d.title or "").casefold(),
                d.published.isoformat() if d.published else "",
                d.source.casefold(),
                _STATUS_ORDER[status],
                mine,
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.SPANS:
                counts = {k: v for k, v in d.span_counts.items() if not self._blind.hides(d.id, k)}
                return "\n".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no spans"
            if col == self.STATUS:
                return (
                    "\n".join(
                        f"{k}: {_STATUS_TEXT[v]}"
                        for k, v in sorted(d.status.items())
                        if not self._blind.hides(d.id, k)
                    )
                    or None
                )
            # The whole title, with what a narrow list may have left out (date, source).
            more = [d.published.isoformat() if d.published else "", d.source]
            extra = "  ·  ".join(b for b in more if b)
            return f"{d.title}\n{extra}" if extra else d.title
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.SPANS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
