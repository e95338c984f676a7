"""Diagnosis lines for one document's matching: every span once, with a reason in words.

Built only on request (a report with diagnosis, the adjudication view): the figures come
from counts, so a character-level run on a long document never pays for these objects.
The reasons read the overlap arrays of :mod:`annotator.agreement._spanmatch`; an unmatched
span's candidates are found by grouping those arrays once (a sort), never by a scan of all
spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from annotator.agreement._spanmatch import DocumentMatch, IntArray, Overlaps
from annotator.agreement.inputs import SpanTuple

HINTS = 3
Status = Literal["matched", "label_differs", "only_a", "only_b"]


@dataclass(frozen=True, slots=True)
class SpanMatch:
    """One diagnosis line: a matched pair, a pair with different labels, or a lone span."""

    document: str
    status: Status
    a: SpanTuple | None
    b: SpanTuple | None
    overlap: float
    reason: str

    @property
    def label(self) -> str:
        span = self.a if self.a is not None else self.b
        assert span is not None
        return span[2]


def fmt_span(span: SpanTuple) -> str:
    return f"[{span[0]}, {span[1]}) {span[2]}"


class _Grouped:
    """Pair indices of ``ov`` grouped by one side's span, via one stable sort."""

    def __init__(self, side: IntArray, n: int) -> None:
        self.order = np.argsort(side, kind="stable")
        self.bounds = np.searchsorted(side[self.order], np.arange(n + 1), side="left")

    def of(self, index: int) -> IntArray:
        lo, hi = int(self.bounds[index]), int(self.bounds[index + 1])
        found: IntArray = self.order[lo:hi]
        return found


def describe(
    key: str,
    spans_a: Sequence[SpanTuple],
    spans_b: Sequence[SpanTuple],
    ov: Overlaps,
    m: DocumentMatch,
    a: str,
    b: str,
    *,
    mode: Literal["exact", "overlap"],
    threshold: float,
) -> list[SpanMatch]:
    out: list[SpanMatch] = []
    for i, j, r in zip(m.same_i.tolist(), m.same_j.tolist(), m.same_ratio.tolist(), strict=True):
        why = "exact match" if mode == "exact" else f"overlap {r:.2f} >= {threshold:.2f}"
        out.append(SpanMatch(key, "matched", spans_a[i], spans_b[j], r, why))
    for i, j, r in zip(m.cross_i.tolist(), m.cross_j.tolist(), m.cross_ratio.tolist(), strict=True):
        sa, sb = spans_a[i], spans_b[j]
        where = (
            "over the same range"
            if sa[:2] == sb[:2]
            else f"over an overlapping range (overlap {r:.2f})"
        )
        why = f"label differs: {a} says {sa[2]}, {b} says {sb[2]} {where}"
        out.append(SpanMatch(key, "label_differs", sa, sb, r, why))
    if m.only_a.size:
        taken = dict(zip(m.same_j.tolist(), m.same_i.tolist(), strict=True))
        by_a = _Grouped(ov.i, len(spans_a))
        for i in m.only_a.tolist():
            best, why = _explain(
                spans_a[i], by_a.of(i), ov.j, ov, spans_b, taken, spans_a, a, b, mode, threshold
            )
            out.append(SpanMatch(key, "only_a", spans_a[i], None, best, why))
    if m.only_b.size:
        taken = dict(zip(m.same_i.tolist(), m.same_j.tolist(), strict=True))
        by_b = _Grouped(ov.j, len(spans_b))
        for j in m.only_b.tolist():
            best, why = _explain(
                spans_b[j], by_b.of(j), ov.i, ov, spans_a, taken, spans_b, b, a, mode, threshold
            )
            out.append(SpanMatch(key, "only_b", None, spans_b[j], best, why))
    out.sort(key=lambda line: (line.a or line.b or (0, 0, ""))[:2])
    return out


def _explain(
    span: SpanTuple,
    pairs: IntArray,
    other_side: IntArray,
    ov: Overlaps,
    others: Sequence[SpanTuple],
    taken: dict[int, int],
    own: Sequence[SpanTuple],
    me: str,
    other: str,
    mode: Literal["exact", "overlap"],
    threshold: float,
) -> tuple[float, str]:
    """Why ``span`` (by ``me``) found no partner among ``other``'s spans."""
    label = span[2]
    same = pairs[ov.same_label[pairs]]
    eligible = same[ov.eligible[same]]
    if eligible.size:
        k = int(eligible[np.argmax(ov.ratio[eligible])])
        partner_index = int(other_side[k])
        partner, ratio = others[partner_index], float(ov.ratio[k])
        rival = own[taken[partner_index]]
        return ratio, (
            f"competing: {other}'s span {fmt_span(partner)} (overlap {ratio:.2f}) is matched to"
            f" another span of {me}, {fmt_span(rival)}"
        )
    if same.size:
        k = int(same[np.argmax(ov.ratio[same])])
        partner, ratio = others[int(other_side[k])], float(ov.ratio[k])
        if mode == "exact":
            return ratio, (
                f"boundary mismatch (exact mode): closest {label} span by {other} is"
                f" {fmt_span(partner)} (overlap {ratio:.2f})"
            )
        return ratio, (
            f"best overlap {ratio:.2f} below threshold {threshold:.2f}"
            f" ({other}'s span {fmt_span(partner)})"
        )
    why = f"no span of label {label} by {other} overlaps"
    hints = sorted(others[int(x)] for x in other_side[pairs])
    if hints:
        why += "; " + other + " has " + ", ".join(fmt_span(o) for o in hints[:HINTS]) + " there"
    return 0.0, why
