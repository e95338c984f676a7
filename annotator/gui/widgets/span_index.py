"""Spans in Qt (UTF-16) positions, indexed so a text block finds its spans without a scan."""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Iterable

from annotator.core.model import Span

LONG = 8192
"""Spans longer than this (UTF-16 units) are kept apart; the rest are found by start."""

Entry = tuple[int, int, Span]


class SpanIndex:
    """Spans sorted by start: those overlapping ``[lo, hi)`` start in ``[lo - LONG, hi)``.

    Building from 50,000 spans is one sort; adding or removing one is a bisect and a
    list insert. The few spans longer than ``LONG`` are checked one by one.
    """

    def __init__(self) -> None:
        self._keys: list[tuple[int, int]] = []  # (qt start, span id), sorted
        self._entries: list[Entry] = []  # parallel to _keys
        self._long: dict[int, Entry] = {}
        self._by_id: dict[int, Entry] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def clear(self) -> None:
        self._keys, self._entries = [], []
        self._long.clear()
        self._by_id.clear()

    def build(self, entries: Iterable[Entry]) -> None:
        self.clear()
        short = []
        for e in entries:
            self._by_id[e[2].id] = e
            if e[1] - e[0] > LONG:
                self._long[e[2].id] = e
            else:
                short.append(e)
        keys = [(e[0], e[2].id) for e in short]
        if any(a > b for a, b in itertools.pairwise(keys)):
            order = sorted(range(len(keys)), key=keys.__getitem__)
            short = [short[i] for i in order]
            keys = [keys[i] for i in order]
        self._entries = short
        self._keys = keys

    def add(self, span: Span, qt_start: int, qt_end: int) -> None:
        self.remove(span.id)
        entry = (qt_start, qt_end, span)
        self._by_id[span.id] = entry
        if qt_end - qt_start > LONG:
            self._long[span.id] = entry
            return
        i = bisect_left(self._keys, (qt_start, span.id))
        self._keys.insert(i, (qt_start, span.id))
        self._entries.insert(i, entry)

    def remove(self, span_id: int) -> Entry | None:
        entry = self._by_id.pop(span_id, None)
        if entry is None:
            return None
        if self._long.pop(span_id, None) is None:
            i = bisect_left(self._keys, (entry[0], span_id))
            del self._keys[i]
            del self._entries[i]
        return entry

    def get(self, span_id: int) -> Entry | None:
        return self._by_id.get(span_id)

    def overlapping(self, lo: int, hi: int) -> list[Entry]:
        """Spans with some character in ``[lo, hi)``, ordered by start then longest first."""
        i0 = bisect_left(self._keys, (lo - LONG, -1))
        i1 = bisect_left(self._keys, (hi, -1))
        out = [e for e in self._entries[i0:i1] if e[1] > lo]
        out += [e for e in self._long.values() if e[0] < hi and e[1] > lo]
        out.sort(key=lambda e: (e[0], -e[1], e[2].id))
        return out

    def at(self, pos: int) -> list[Span]:
        """Spans covering the character at ``pos``, innermost (shortest) first."""
        hits = self.overlapping(pos, pos + 1)
        hits.sort(key=lambda e: (e[1] - e[0], e[2].id))
        return [e[2] for e in hits]
