"""The one place where Qt's UTF-16 positions become code point offsets and back.

Stored offsets are code points (Python ``str`` indices); QTextCursor and QTextBlock
count UTF-16 units, so an emoji is two units in Qt and one character here. Every
widget converts through a ``TextPositions`` built for its document's text.
"""

from __future__ import annotations

import unicodedata

from annotator.core.offsets import OffsetMap


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")


_JOINERS = frozenset("-\u2010\u2011.'\u2019")
"""Inside a token between two word characters: F-16s, U.S, Kyiv's, Kyiv’s, 2024-25."""
_NUMBER_JOINERS = frozenset(",\u2013/")
"""Only between digits: 1,200, 2024–25, 24/7."""


def _in_token(text: str, i: int) -> bool:
    ch = text[i]
    if _is_word_char(ch):
        return True
    if 0 < i < len(text) - 1:
        before, after = text[i - 1], text[i + 1]
        if ch in _JOINERS:
            return _is_word_char(before) and _is_word_char(after)
        if ch in _NUMBER_JOINERS:
            return before.isdigit() and after.isdigit()
    return False


def snap_to_tokens(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow ``[start, end)`` so no token is cut: hyphenated and dotted tokens stay whole,
    and a dotted abbreviation keeps its final dot (``U.S.``)."""
    while start > 0 and _in_token(text, start - 1) and _in_token(text, start):
        start -= 1
    while end < len(text) and _in_token(text, end) and _in_token(text, end - 1):
        end += 1
    if end < len(text) and text[end] == ".":
        first = end
        while first > start and _in_token(text, first - 1):
            first -= 1
        parts = text[first:end].split(".")
        if len(parts) > 1 and all(len(p) == 1 and p.isalpha() for p in parts):
            end += 1
    return start, end


class TextPositions:
    """Converts positions of one document's text between Qt and storage."""

    __slots__ = ("_map", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._map = OffsetMap(text)

    @property
    def qt_length(self) -> int:
        return self._map.utf16_length

    def to_qt(self, cp: int) -> int:
        return self._map.to_utf16(cp)

    def to_cp(self, qt_pos: int) -> int:
        return self._map.to_cp(qt_pos)

    def many_to_qt(self, cps: list[int]) -> list[int]:
        return self._map.many_to_utf16(cps)

    def range_to_qt(self, start: int, end: int) -> tuple[int, int]:
        return self._map.range_to_utf16(start, end)

    def range_to_cp(self, qt_start: int, qt_end: int) -> tuple[int, int]:
        """Code point range of a Qt selection; a half-selected emoji is widened, never split."""
        lo, hi = sorted((qt_start, qt_end))
        return self._map.range_to_cp(lo, hi)

    def selection_to_span(
        self, qt_start: int, qt_end: int, *, snap: bool
    ) -> tuple[int, int] | None:
        """The code point range a selection tags, or None when it holds only whitespace.

        Surrounding whitespace is always trimmed; with ``snap`` a range that starts or
        ends inside a word grows to take the whole token (see ``snap_to_tokens``).
        """
        start, end = self.range_to_cp(qt_start, qt_end)
        text = self.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            return None
        if snap:
            start, end = snap_to_tokens(text, start, end)
        return start, end
