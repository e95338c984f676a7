"""Spans in Qt (UTF-16) positions, bucketed so a text block finds its spans without a scan."""

from __future__ import annotations

from collections import defaultdict

from annotator.core.model import Span

BUCKET = 1024
"""UTF-16 units per bucket: a block of a few hundred characters touches one or two."""


class SpanIndex:
    """An interval index: each span is listed in every bucket its range touches.

    Adding or removing a span costs its length / BUCKET; finding the spans over a
    block costs the spans in the block's buckets. 50,000 spans in a 5 MB text
    build in a few tens of milliseconds.
    """

    def __init__(self) -> None:
        self._ranges: dict[int, tuple[int, int, Span]] = {}
        self._buckets: defaultdict[int, set[int]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self._ranges)

    def clear(self) -> None:
        self._ranges.clear()
        self._buckets.clear()

    def add(self, span: Span, qt_start: int, qt_end: int) -> None:
        self.remove(span.id)
        self._ranges[span.id] = (qt_start, qt_end, span)
        for b in range(qt_start // BUCKET, (max(qt_end, qt_start + 1) - 1) // BUCKET + 1):
            self._buckets[b].add(span.id)

    def remove(self, span_id: int) -> tuple[int, int, Span] | None:
        found = self._ranges.pop(span_id, None)
        if found is None:
            return None
        qs, qe, _ = found
        for b in range(qs // BUCKET, (max(qe, qs + 1) - 1) // BUCKET + 1):
            bucket = self._buckets.get(b)
            if bucket is not None:
                bucket.discard(span_id)
                if not bucket:
                    del self._buckets[b]
        return found

    def get(self, span_id: int) -> tuple[int, int, Span] | None:
        return self._ranges.get(span_id)

    def overlapping(self, lo: int, hi: int) -> list[tuple[int, int, Span]]:
        """Spans with some character in ``[lo, hi)``, ordered by start then longest first."""
        ids: set[int] = set()
        for b in range(lo // BUCKET, (max(hi, lo + 1) - 1) // BUCKET + 1):
            bucket = self._buckets.get(b)
            if bucket:
                ids |= bucket
        out = [r for i in ids if (r := self._ranges[i])[0] < hi and r[1] > lo]
        out.sort(key=lambda r: (r[0], -r[1], r[2].id))
        return out

    def at(self, pos: int) -> list[Span]:
        """Spans covering the character at ``pos``, innermost (shortest) first."""
        hits = self.overlapping(pos, pos + 1)
        hits.sort(key=lambda r: (r[1] - r[0], r[2].id))
        return [r[2] for r in hits]
