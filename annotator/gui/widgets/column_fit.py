"""Table columns sized to their content within the width there is, the main column first.

A list in a narrow dock has to share its width: fixed pixel widths cut a label to
"MILIT…" and a header to "nnotat", and ResizeToContents beside a Stretch title left the
title five characters wide. :class:`ColumnFitter` gives each side column the width its
text needs (measured on the header and on a bounded sample of rows, never all 50,000),
keeps a share of the width for the main column, and when that is not possible, first
hides the columns marked ``hideable`` (their text stays in the row's tooltip), then
narrows the others, the last listed first, toward their least width (the header's),
where the text elides with "…".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTableView

PAD = 18
"""Cell margins, the sort arrow's room and the grid line, in pixels."""
SAMPLE_ROWS = 500
NARROW_LEAST = 36


@dataclass(frozen=True)
class Column:
    index: int
    texts: Callable[[], Iterable[str]] = lambda: ()
    """The column's texts to measure (a bounded sample; the header is measured anyway)."""
    icon: int = 0
    """Room for a decoration (a label's colour swatch)."""
    most: int = 10_000
    """Never wider than this, whatever its texts (a long source name)."""
    least: int = 0
    """Never narrower than this (beside the header's width): room for a few characters."""
    hideable: bool = False
    """Hidden when the main column would have less than its share (the last such first)."""
    shares_main: float = 0.0
    """Past its least width, at most this share of what the main column would get (a note
    beside the span's text: both elide, neither is cut to a word)."""


def sample(texts: Iterable[str], limit: int = SAMPLE_ROWS) -> list[str]:
    out: list[str] = []
    for t in texts:
        out.append(t)
        if len(out) >= limit:
            break
    return out


class ColumnFitter(QObject):
    """Keeps ``table``'s columns fitted whenever its viewport is resized or :meth:`fit` runs."""

    def __init__(
        self,
        table: QTableView,
        main: int,
        columns: Sequence[Column],
        *,
        share: float = 0.45,
        narrow: tuple[int, float] | None = None,
    ) -> None:
        super().__init__(table)
        self.table = table
        self.main = main
        self.columns = list(columns)
        self.share = share
        self.narrow = narrow
        """(width, share): below that many pixels the main column keeps this larger share."""
        self._fitting = False
        self.auto_hidden: set[int] = set()
        """Columns this fitter hid for room (not the ones hidden by the caller)."""
        hh = table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(main, QHeaderView.ResizeMode.Stretch)
        hh.setMinimumSectionSize(24)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _width(
        self, col: Column, metrics: QFontMetrics, header: QFontMetrics, *, narrow: bool
    ) -> tuple[int, int]:
        """(wanted, least): the width showing every sampled text whole, and the header's
        (in the narrowest docks only a sliver: the main column comes first there)."""
        model = self.table.model()
        title = str(model.headerData(col.index, Qt.Orientation.Horizontal) or "")
        least = max(header.horizontalAdvance(title) + PAD, col.least)
        if narrow:
            least = min(least, NARROW_LEAST)
        texts = sample(col.texts())
        widest = max((metrics.horizontalAdvance(t) for t in texts), default=0) + col.icon + PAD
        return max(least, min(widest, col.most)), least

    def fit(self) -> None:
        if self._fitting:  # hiding a column may resize the viewport again
            return
        self._fitting = True
        try:
            self._fit()
        finally:
            self._fitting = False

    def _fit(self) -> None:
        table = self.table
        room = table.viewport().width()
        if room <= 0:
            return
        metrics = QFontMetrics(table.font())
        header = QFontMetrics(table.horizontalHeader().font())
        for c in self.auto_hidden:
            table.setColumnHidden(c, False)
        self.auto_hidden.clear()
        shown = [c for c in self.columns if not table.isColumnHidden(c.index)]
        narrow = self.narrow is not None and room < self.narrow[0]
        sizes = {c.index: self._width(c, metrics, header, narrow=narrow) for c in shown}
        for c in shown:
            if c.shares_main:
                want, low = sizes[c.index]
                others = sum(sizes[o.index][0] for o in shown if o is not c)
                sizes[c.index] = (max(low, min(want, int((room - others) * c.shares_main))), low)
        share = self.share
        if narrow and self.narrow is not None:
            share = max(share, self.narrow[1])
        keep = int(room * share)
        hideable = [c for c in shown if c.hideable]
        while sum(sizes[c.index][0] for c in shown) > room - keep and hideable:
            gone = hideable.pop()
            shown.remove(gone)
            table.setColumnHidden(gone.index, True)
            self.auto_hidden.add(gone.index)
        # Short of room: the last columns give way first, each down to its least width.
        deficit = sum(sizes[c.index][0] for c in shown) - (room - keep)
        hh = table.horizontalHeader()
        for c in reversed(shown):
            want, low = sizes[c.index]
            cut = min(max(deficit, 0), want - low)
            deficit -= cut
            hh.resizeSection(c.index, want - cut)
