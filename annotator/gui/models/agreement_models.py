"""Table models over one ``AgreementReport``: they relay its rows, computing nothing new.

Every figure shown comes from ``services.agreement_report`` (``display_tables``, ``fmt``,
``pair_measure``, ``heat_colour``), so the view shows the strings the CLI prints.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from annotator.agreement import AgreementReport
from annotator.agreement.spans import NO_SPAN, SpanMatch
from annotator.core.text import excerpt
from annotator.services.agreement_report import (
    DisplayTable,
    fmt,
    heat_colour,
    pair_measure,
)

Index = QModelIndex | QPersistentModelIndex
_HSL = re.compile(r"hsl\((\d+),(\d+)%,(\d+)%\)")
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def qcolor(css: str) -> QColor:
    """``heat_colour`` speaks CSS (``#rrggbb``, ``hsl(h,s%,l%)``); QColor reads only the first."""
    m = _HSL.fullmatch(css.replace(" ", ""))
    if m is None:
        return QColor(css)
    h, s, lum = (int(g) for g in m.groups())
    return QColor.fromHslF(h / 360, s / 100, lum / 100)


class _Table(QAbstractTableModel):
    """Shared plumbing: ``_cells`` are display strings; subclasses add roles."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._headers: tuple[str, ...] = ()
        self._row_headers: tuple[str, ...] = ()
        self._cells: list[tuple[str, ...]] = []

    def _reset(
        self,
        headers: tuple[str, ...],
        cells: list[tuple[str, ...]],
        row_headers: tuple[str, ...] = (),
    ) -> None:
        self.beginResetModel()
        self._headers, self._cells, self._row_headers = headers, cells, row_headers
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cells)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        names = self._headers if orientation == Qt.Orientation.Horizontal else self._row_headers
        if 0 <= section < len(names):
            return names[section]
        return None if names or orientation == Qt.Orientation.Horizontal else str(section + 1)

    def text(self, row: int, column: int) -> str:
        return self._cells[row][column]

    def rows(self) -> list[tuple[str, ...]]:
        return list(self._cells)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._cells)):
            return None
        cell = self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell
        own = self.extra(index, role)
        if own is None and role == Qt.ItemDataRole.TextAlignmentRole and _numeric(cell):
            return int(_ALIGN_RIGHT.value)
        return own

    def extra(self, index: Index, role: int):
        return None


def _numeric(cell: str) -> bool:
    return cell == "n/a" or cell.lstrip("-").replace(".", "", 1).isdigit()


class DisplayTableModel(_Table):
    """One of ``display_tables(report)`` as it is: same headers, same strings."""

    def set_table(self, table: DisplayTable | None) -> None:
        self.title = table.title if table else ""
        self._reset(table.headers if table else (), list(table.rows) if table else [])


class HeatmapModel(_Table):
    """Pairs (rows) x labels (columns), each cell the pair measure coloured by ``heat_colour``."""

    def set_report(self, report: AgreementReport | None) -> None:
        self._values: list[list[float]] = []
        if report is None:
            self._reset((), [])
            return
        grid = pair_measure(report)
        pairs = list(grid)
        self._values = [[grid[p].get(lab, math.nan) for lab in report.labels] for p in pairs]
        self._reset(
            report.labels,
            [tuple(fmt(v) for v in row) for row in self._values],
            tuple(f"{a} / {b}" for a, b in pairs),
        )

    def value(self, row: int, column: int) -> float:
        return self._values[row][column]

    def extra(self, index: Index, role: int):
        if role == Qt.ItemDataRole.BackgroundRole:
            return qcolor(heat_colour(self._values[index.row()][index.column()]))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#202020")  # the heat colours are light in any palette
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter.value)
        return None


class DocumentBreakdownModel(_Table):
    """Per document and label: alpha (char/passage level) and the measure of every pair."""

    def set_report(self, report: AgreementReport | None, titles: Mapping[str, str]) -> None:
        if report is None:
            self._reset((), [])
            return
        pairs = list(report.comparisons)
        with_alpha = report.level != "span"
        measure = "F1" if report.pair_measure == "f1" else "kappa"
        headers = (
            "document",
            "label",
            *(("alpha",) if with_alpha else ()),
            *(f"{a} / {b} {measure}" for a, b in pairs),
        )
        cells = []
        for r in report.document_rows:
            title = titles.get(r.document, "")
            cells.append(
                (
                    f"{r.document}: {title}" if title else r.document,
                    r.label,
                    *((fmt(r.alpha),) if with_alpha else ()),
                    *(fmt(r.pairs.get(p, math.nan)) for p in pairs),
                )
            )
        self._reset(headers, cells)


class ConfusionModel(_Table):
    """Labels of A (rows) against labels of B (columns), ``(none)`` where one drew nothing."""

    def set_pair(self, report: AgreementReport | None, a: str = "", b: str = "") -> None:
        if report is None or (a, b) not in report.comparisons:
            self._reset((), [])
            return
        names = (*report.labels, NO_SPAN)
        conf = report.confusion(a, b)
        cells = [tuple(str(conf.get((ra, cb), 0)) for cb in names) for ra in names]
        self._reset(tuple(f"{b}: {n}" for n in names), cells, tuple(f"{a}: {n}" for n in names))

    def extra(self, index: Index, role: int):
        if role == Qt.ItemDataRole.FontRole and index.row() == index.column():
            font = QFont()
            font.setBold(True)
            return font
        cell = self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and cell == "0":
            return QColor("#9a9a9a")
        return None


class DiagnosisModel(_Table):
    """Every span of every pair, matched or not, with the matcher's reason.

    Rows are made into strings only when the view asks for them: a long document's
    diagnosis has hundreds of thousands of lines, and building them all on the GUI thread
    would freeze the window.
    """

    HEADERS = ("pair", "document", "status", "A span", "B span", "overlap", "reason", "text")
    MatchRole = Qt.ItemDataRole.UserRole + 1
    """(document id, a, b, SpanMatch) of the row: what the comparison view opens."""

    def set_report(self, report: AgreementReport | None, texts: Mapping[str, str]) -> None:
        self.beginResetModel()
        self._matches: list[tuple[str, str, SpanMatch]] = []
        if report is not None:
            for (a, b), comp in report.comparisons.items():
                self._matches += [(a, b, m) for m in comp.diagnosis]
        self._texts = dict(texts)
        self._headers = self.HEADERS
        self._cells = []
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(getattr(self, "_matches", ()))

    def text(self, row: int, column: int) -> str:
        a, b, m = self._matches[row]
        if column == 0:
            return f"{a} / {b}"
        if column == 1:
            return m.document
        if column == 2:
            return m.status
        if column == 3:
            return _span_text(m.a)
        if column == 4:
            return _span_text(m.b)
        if column == 5:
            return f"{m.overlap:.2f}"
        if column == 6:
            return m.reason
        span = m.a if m.a is not None else m.b
        assert span is not None
        return excerpt(self._texts.get(m.document, "")[span[0] : span[1]], 80)

    def rows(self) -> list[tuple[str, ...]]:
        n = len(self.HEADERS)
        return [tuple(self.text(r, c) for c in range(n)) for r in range(self.rowCount())]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < self.rowCount()):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), index.column())
        return self.extra(index, role)

    def match_at(self, row: int) -> tuple[int, str, str, SpanMatch]:
        """Not ``match``: that name is a QAbstractItemModel virtual (item search)."""
        a, b, m = self._matches[row]
        return int(m.document), a, b, m

    def extra(self, index: Index, role: int):
        if role == self.MatchRole:
            return self.match_at(index.row())
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2:
            status = self._matches[index.row()][2].status
            return QColor("#2e7d32" if status == "matched" else "#c62828")
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 5:
            return int(_ALIGN_RIGHT.value)
        return None


def _span_text(span: tuple[int, int, str] | None) -> str:
    return "" if span is None else f"[{span[0]}, {span[1]}) {span[2]}"
