"""Span colours plus a red wavy underline where the compared annotators disagree.

The marks go into the same per-block formats as the span colours (not extra selections),
so a long document with many disagreements costs only the blocks on screen. A mark shows
in every pane, also where that pane's annotator drew nothing.
"""

from __future__ import annotations

import itertools

from PySide6.QtGui import QColor, QPalette, QTextCharFormat, QTextLayout
from PySide6.QtWidgets import QPlainTextEdit

from annotator.gui.text_positions import TextPositions
from annotator.gui.widgets.span_highlighter import SpanHighlighter

MARK_COLOUR = QColor("#d32f2f")
MarkProperty = QTextCharFormat.Property.UserProperty + 1
"""Set (True) on the format of text inside a disagreement; tests and tooltips read it."""


class DisagreementHighlighter(SpanHighlighter):
    def __init__(self, view: QPlainTextEdit) -> None:
        super().__init__(view)
        self._marks: list[tuple[int, int]] = []  # Qt ranges, sorted

    def set_marks(self, ranges: list[tuple[int, int]], positions: TextPositions) -> None:
        """Code point ranges to mark (candidates of open disagreements)."""
        self._marks = sorted(positions.range_to_qt(s, e) for s, e in ranges if e > s)
        self.invalidate_all()

    def marked(self, qt_pos: int) -> bool:
        return any(s <= qt_pos < e for s, e in self._marks)

    def block_ranges(self, lo: int, hi: int) -> list[QTextLayout.FormatRange]:
        marks = [(max(lo, s), min(hi, e)) for s, e in self._marks if s < hi and e > lo]
        if not marks:
            return super().block_ranges(lo, hi)
        hits = self.index.overlapping(lo, hi)
        cuts = sorted(
            {lo, hi}
            | {max(lo, s) for s, _, _ in hits}
            | {min(hi, e) for _, e, _ in hits}
            | {p for m in marks for p in m}
        )
        base = self._view.palette().color(QPalette.ColorRole.Base)
        out: list[QTextLayout.FormatRange] = []
        for a, b in itertools.pairwise(cuts):
            active = [sp for s, e, sp in hits if s <= a and e >= b]
            in_mark = any(s <= a and e >= b for s, e in marks)
            if not active and not in_mark:
                continue
            fmt = self.char_format(active, base) if active else QTextCharFormat()
            if in_mark:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                fmt.setUnderlineColor(MARK_COLOUR)
                fmt.setProperty(MarkProperty, True)
            fr = QTextLayout.FormatRange()
            fr.start, fr.length = a - lo, b - a
            fr.format = fmt
            out.append(fr)
        return out
