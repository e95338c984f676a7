"""Code point offsets (what we store) versus UTF-16 units (what Qt counts).

Offsets everywhere in the app are code points: Python ``str`` indices, as in
doccano and Prodigy. Qt's text positions count UTF-16 units, so every astral
character (emoji, many CJK extensions) is two units there and one here. The GUI
converts through ``OffsetMap`` and nowhere else.
"""

from __future__ import annotations

import re
from bisect import bisect_left

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class OffsetMap:
    """Converts between code point and UTF-16 offsets of one text in O(log n).

    Only the positions of astral characters are kept, so a text without any
    costs one regex scan and an empty list.
    """

    __slots__ = ("_astral_cp", "_astral_u16", "length", "utf16_length")

    def __init__(self, text: str) -> None:
        self._astral_cp = [m.start() for m in _ASTRAL.finditer(text)]
        # UTF-16 position of the k-th astral character: its code point index plus k.
        self._astral_u16 = [cp + k for k, cp in enumerate(self._astral_cp)]
        self.length = len(text)
        self.utf16_length = self.length + len(self._astral_cp)

    @property
    def is_trivial(self) -> bool:
        return not self._astral_cp

    def to_utf16(self, cp: int) -> int:
        """UTF-16 offset of code point offset ``cp`` (0 <= cp <= len(text))."""
        if not self._astral_cp:
            return cp
        return cp + bisect_left(self._astral_cp, cp)

    def to_cp(self, u16: int) -> int:
        """Code point offset of UTF-16 offset ``u16``.

        A position between the two halves of a surrogate pair maps to the start
        of that character, so a selection can never split an emoji.
        """
        if not self._astral_u16:
            return u16
        # Each astral character starting before u16 took two units for one code
        # point; one that straddles u16 maps to its own start, which is the same sum.
        return u16 - bisect_left(self._astral_u16, u16)

    def many_to_utf16(self, cps: list[int]) -> list[int]:
        """``to_utf16`` for many offsets at once (the GUI converts 50,000 spans on open)."""
        astral = self._astral_cp
        if not astral:
            return list(cps)
        return [cp + bisect_left(astral, cp) for cp in cps]

    def range_to_utf16(self, start: int, end: int) -> tuple[int, int]:
        return self.to_utf16(start), self.to_utf16(end)

    def range_to_cp(self, start: int, end: int) -> tuple[int, int]:
        """Code point range covering UTF-16 range ``[start, end)``; a half emoji is widened."""
        cp_start = self.to_cp(start)
        cp_end = self.to_cp(end)
        if self._astral_u16:
            k = bisect_left(self._astral_u16, end)
            if k and self._astral_u16[k - 1] == end - 1:
                cp_end += 1
        return cp_start, max(cp_start, cp_end)


def utf16_len(text: str) -> int:
    return len(text) + len(_ASTRAL.findall(text))
