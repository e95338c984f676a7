"""Span colours for the blocks on screen only, as QTextLayout formats.

Not QSyntaxHighlighter: its ``setDocument`` schedules a rehighlight of every block
(one Python call per block of a 5 MB text), and QTextEdit.setExtraSelections with
one selection per span took 3.5 s for 50,000 spans. Here the view asks, before it
paints, for the visible blocks to be formatted; each block is formatted once, from
the spans the index finds for it, and a span edit only forgets the blocks it covers.

Overlapping and nested spans stay visible: each span's colour is composited over
the ones under it (so an overlap has its own blend), and where two or more spans
meet the text is underlined in the innermost span's colour. The tooltip lists them.

Teammates' spans (shown with View ▸ Show all annotators) are drawn apart from one's own:
hatched in their label's colour, not filled, and underlined with dashes where they lie
under one's own fill. ``owner`` says whose spans are one's own; without it (the comparison
view, where each pane is one annotator) every span is filled.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor, QPalette, QTextBlock, QTextCharFormat, QTextLayout
from PySide6.QtWidgets import QPlainTextEdit

from annotator.core.model import Span
from annotator.gui.text_positions import TextPositions
from annotator.gui.widgets.span_index import SpanIndex

ALPHA = 0.38
"""Opacity of one span's colour over the page."""
HATCH_ALPHA = 0.85
"""Strength of a teammate's hatch lines (the page shows between them)."""
OTHERS = QTextCharFormat.Property.UserProperty + 1
"""Format property: the annotators of teammates' spans drawn there, comma-joined."""


def blend(under: QColor, over: QColor, alpha: float) -> QColor:
    return QColor(
        round(under.red() * (1 - alpha) + over.red() * alpha),
        round(under.green() * (1 - alpha) + over.green() * alpha),
        round(under.blue() * (1 - alpha) + over.blue() * alpha),
    )


class SpanHighlighter(QObject):
    def __init__(self, view: QPlainTextEdit) -> None:
        super().__init__(view)
        self._view = view
        self.index = SpanIndex()
        self._positions: TextPositions | None = None
        self._colors: dict[str, QColor] = {}
        self._formatted: set[int] = set()
        self.owner: Callable[[], str] | None = None
        """Whose spans are one's own (filled); others' are hatched. None: all filled."""
        self.blocks_formatted = 0
        """How many block formattings ran (tests check that work stays local)."""

    # --- data ------------------------------------------------------------------

    def set_spans(self, spans: Iterable[Span], positions: TextPositions) -> None:
        self._positions = positions
        spans = list(spans)
        starts = positions.many_to_qt([s.start for s in spans])
        ends = positions.many_to_qt([s.end for s in spans])
        # Tens of thousands of new tuples would trigger repeated cyclic GC passes for
        # nothing (they hold no cycles); pause it for the build.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self.index.build(zip(starts, ends, spans, strict=True))
        finally:
            if was_enabled:
                gc.enable()
        self.invalidate_all()

    def set_colors(self, colors: dict[str, str]) -> None:
        self._colors = {name: QColor(c) for name, c in colors.items()}
        self.invalidate_all()

    def add_span(self, span: Span) -> None:
        assert self._positions is not None
        qs, qe = self._positions.range_to_qt(span.start, span.end)
        old = self.index.get(span.id)
        self.index.add(span, qs, qe)
        if old is not None:
            self.invalidate_range(old[0], old[1])
        self.invalidate_range(qs, qe)

    def remove_span(self, span_id: int) -> None:
        found = self.index.remove(span_id)
        if found is not None:
            self.invalidate_range(found[0], found[1])

    def spans_at(self, qt_pos: int) -> list[Span]:
        return self.index.at(qt_pos)

    # --- formatting --------------------------------------------------------------

    def invalidate_all(self) -> None:
        self._formatted.clear()
        self._view.viewport().update()

    def invalidate_range(self, qt_start: int, qt_end: int) -> None:
        doc = self._view.document()
        first = doc.findBlock(qt_start).blockNumber()
        last = doc.findBlock(max(qt_start, qt_end - 1)).blockNumber()
        for n in range(first, last + 1):
            self._formatted.discard(n)
        self._view.viewport().update()

    def format_visible(self) -> None:
        """Format the blocks that the next paint shows, skipping those already done."""
        view = self._view
        block = view.firstVisibleBlock()
        offset = view.contentOffset()
        height = view.viewport().height()
        while block.isValid():
            if block.blockNumber() not in self._formatted:
                self._format_block(block)
            top = view.blockBoundingGeometry(block).translated(offset).top()
            if top > height:
                break
            block = block.next()

    def _format_block(self, block: QTextBlock) -> None:
        self._formatted.add(block.blockNumber())
        self.blocks_formatted += 1
        pos, length = block.position(), block.length()
        ranges = self.block_ranges(pos, pos + length - 1)
        layout = block.layout()
        layout.setFormats(ranges)
        self._view.document().markContentsDirty(pos, length)

    def block_ranges(self, lo: int, hi: int) -> list[QTextLayout.FormatRange]:
        """Format ranges (relative to ``lo``) for the text ``[lo, hi)``."""
        hits = self.index.overlapping(lo, hi)
        if not hits:
            return []
        cuts = sorted(
            {lo, hi, *(max(lo, s) for s, _, _ in hits), *(min(hi, e) for _, e, _ in hits)}
        )
        base = self._view.palette().color(QPalette.ColorRole.Base)
        out: list[QTextLayout.FormatRange] = []
        for a, b in itertools.pairwise(cuts):
            active = [sp for s, e, sp in hits if s <= a and e >= b]
            if not active:
                continue
            fr = QTextLayout.FormatRange()
            fr.start, fr.length = a - lo, b - a
            fr.format = self.char_format(active, base)
            out.append(fr)
        return out

    def char_format(self, active: list[Span], base: QColor) -> QTextCharFormat:
        """Active spans come outermost first; each is composited over the ones before.
        Teammates' spans are hatched, or dash-underlined under one's own fill."""
        fmt = QTextCharFormat()
        me = (self.owner() if self.owner is not None else "") or None  # no name: all mine
        mine = [sp for sp in active if me is None or sp.annotator == me]
        others = [sp for sp in active if me is not None and sp.annotator != me]
        if mine:
            color = base
            for sp in mine:
                color = blend(color, self._color(sp.label), ALPHA)
            fmt.setBackground(color)
        else:
            lines = base
            for sp in others:
                lines = blend(lines, self._color(sp.label), HATCH_ALPHA)
            fmt.setBackground(QBrush(lines, Qt.BrushStyle.BDiagPattern))
        if others:
            fmt.setProperty(OTHERS, ",".join(sorted({sp.annotator for sp in others})))
        if mine and others:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
            fmt.setUnderlineColor(self._color(others[-1].label))
        elif len(active) > 1:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(self._color(active[-1].label))
        fmt.setProperty(QTextCharFormat.Property.UserProperty, ",".join(s.label for s in active))
        return fmt

    def _color(self, label: str) -> QColor:
        return self._colors.get(label) or QColor("#888888")

    def format_at(self, qt_pos: int) -> QTextCharFormat | None:
        """The span format painted at a Qt position (None when no span covers it)."""
        block = self._view.document().findBlock(qt_pos)
        if block.blockNumber() not in self._formatted:
            self._format_block(block)
        rel = qt_pos - block.position()
        for fr in block.layout().formats():
            if fr.start <= rel < fr.start + fr.length:
                return QTextCharFormat(fr.format)  # a copy: the range is a temporary
        return None
