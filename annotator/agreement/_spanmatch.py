"""The matching step behind :mod:`annotator.agreement.spans`: overlaps, eligibility, assignment.

Overlap ratio of ``[s1, e1)`` and ``[s2, e2)`` is Jaccard on character ranges:
``max(0, min(e1, e2) - max(s1, s2)) / (e1 - s1 + e2 - s2 - intersection)``. A pair is
*eligible* when the labels agree (or, for the confusion step, differ) and either the ranges
are equal (exact mode) or the ratio reaches the threshold with a non-empty intersection.

Cost. Overlapping pairs are found by sorting, never by an all-against-all matrix: ``b``
overlaps ``a`` exactly when ``b`` starts inside ``a`` (``s_a <= s_b < e_a``) or ``a`` starts
strictly inside ``b`` (``s_b < s_a < e_b``). The two cases are disjoint, and each is a
contiguous run of the other side's spans sorted by start, found by two binary searches. So a
document of ``n`` spans costs O(n log n + k) time and O(n + k) memory, ``k`` the number of
overlapping pairs (a few per span in real annotation, so O(n)).

The eligible pairs form a bipartite graph. A pair whose two spans have no other eligible
partner is matched at once (the usual case, done for all such pairs in one array step); the
remaining connected groups are each solved with the Hungarian method on weights
``K + ratio`` with ``K = min(rows, cols) + 1``: any matching with one more pair outweighs
every smaller one, so the result has the most pairs possible and, among those, the largest
total overlap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from annotator.agreement._assignment import max_weight_assignment

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class SpanArrays:
    """One annotator's spans in one document as parallel arrays; labels as integer codes."""

    starts: IntArray
    ends: IntArray
    labels: IntArray

    @property
    def size(self) -> int:
        return int(self.starts.size)


@dataclass(frozen=True, slots=True)
class Overlaps:
    """Every overlapping pair ``(i[k], j[k])`` of span ``i`` of A and span ``j`` of B."""

    i: IntArray
    j: IntArray
    ratio: FloatArray
    same_label: BoolArray
    eligible: BoolArray
    """Geometry allows a match (exact: equal range; overlap: ratio >= threshold)."""


@dataclass(frozen=True, slots=True)
class DocumentMatch:
    """The matching of one document: same-label pairs, then different-label pairs."""

    same_i: IntArray
    same_j: IntArray
    same_ratio: FloatArray
    cross_i: IntArray
    cross_j: IntArray
    cross_ratio: FloatArray
    only_a: IntArray
    only_b: IntArray


def _expand(lo: IntArray, hi: IntArray) -> tuple[IntArray, IntArray]:
    """For each ``r``, the pairs ``(r, k)`` with ``lo[r] <= k < hi[r]``, as two arrays."""
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    owner = np.repeat(np.arange(lo.size, dtype=np.int64), counts)
    if total == 0:
        return owner, owner
    first = np.cumsum(counts) - counts
    pos = np.arange(total, dtype=np.int64) - np.repeat(first, counts) + np.repeat(lo, counts)
    return owner, pos


def overlapping_pairs(a: SpanArrays, b: SpanArrays) -> tuple[IntArray, IntArray]:
    """Indices ``(i, j)`` of every pair of an A span and a B span that share a character."""
    empty = np.zeros(0, dtype=np.int64)
    if a.size == 0 or b.size == 0:
        return empty, empty
    order_a = np.argsort(a.starts, kind="stable")
    order_b = np.argsort(b.starts, kind="stable")
    sa, sb = a.starts[order_a], b.starts[order_b]
    # b starts inside a: s_a <= s_b < e_a
    lo = np.searchsorted(sb, a.starts, side="left")
    hi = np.searchsorted(sb, a.ends, side="left")
    i1, k1 = _expand(lo, hi)
    j1 = order_b[k1]
    # a starts strictly inside b: s_b < s_a < e_b
    lo = np.searchsorted(sa, b.starts, side="right")
    hi = np.searchsorted(sa, b.ends, side="left")
    j2, k2 = _expand(lo, hi)
    i2 = order_a[k2]
    return np.concatenate((i1, i2)), np.concatenate((j1, j2))


def overlaps(
    a: SpanArrays, b: SpanArrays, *, mode: Literal["exact", "overlap"], threshold: float
) -> Overlaps:
    i, j = overlapping_pairs(a, b)
    inter = np.minimum(a.ends[i], b.ends[j]) - np.maximum(a.starts[i], b.starts[j])
    union = (a.ends[i] - a.starts[i]) + (b.ends[j] - b.starts[j]) - inter
    ratio = inter / union if i.size else np.zeros(0, dtype=np.float64)
    if mode == "exact":
        eligible = (a.starts[i] == b.starts[j]) & (a.ends[i] == b.ends[j])
    else:
        eligible = ratio >= threshold
    return Overlaps(i, j, ratio, a.labels[i] == b.labels[j], eligible)


def assign(i: IntArray, j: IntArray, ratio: FloatArray) -> BoolArray:
    """Which of the eligible edges ``(i, j)`` a maximum matching of maximum overlap takes."""
    chosen = np.zeros(i.size, dtype=np.bool_)
    if i.size == 0:
        return chosen
    deg_i = np.bincount(i)
    deg_j = np.bincount(j)
    alone = (deg_i[i] == 1) & (deg_j[j] == 1)
    chosen[alone] = True
    rest = np.flatnonzero(~alone)
    if rest.size == 0:
        return chosen
    # Union-find over the rows and columns of the remaining edges (columns offset by n).
    n = int(i.max()) + 1
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:
            parent[x], x = root, parent.get(x, x)
        return root

    ri, rj = i[rest].tolist(), (j[rest] + n).tolist()
    for x, y in zip(ri, rj, strict=True):
        px, py = find(x), find(y)
        if px != py:
            parent[px] = py
    groups: dict[int, list[int]] = {}
    for k, x in zip(rest.tolist(), ri, strict=True):
        groups.setdefault(find(x), []).append(k)
    for edges in groups.values():
        rows = sorted({int(i[k]) for k in edges})
        cols = sorted({int(j[k]) for k in edges})
        row_at = {r: p for p, r in enumerate(rows)}
        col_at = {c: p for p, c in enumerate(cols)}
        bonus = min(len(rows), len(cols)) + 1.0
        weights = [[0.0] * len(cols) for _ in rows]
        where: dict[tuple[int, int], int] = {}
        for k in edges:
            r, c = row_at[int(i[k])], col_at[int(j[k])]
            weights[r][c] = bonus + float(ratio[k])
            where[(r, c)] = k
        for r, c in max_weight_assignment(weights):
            chosen[where[(r, c)]] = True
    return chosen


def match_document(a: SpanArrays, b: SpanArrays, ov: Overlaps) -> DocumentMatch:
    """Same-label matching, then different-label matching among the spans left over."""
    same = np.flatnonzero(ov.eligible & ov.same_label)
    take = assign(ov.i[same], ov.j[same], ov.ratio[same])
    same = same[take]
    used_a = np.zeros(a.size, dtype=np.bool_)
    used_b = np.zeros(b.size, dtype=np.bool_)
    used_a[ov.i[same]] = True
    used_b[ov.j[same]] = True
    cross = np.flatnonzero(ov.eligible & ~ov.same_label & ~used_a[ov.i] & ~used_b[ov.j])
    take = assign(ov.i[cross], ov.j[cross], ov.ratio[cross])
    cross = cross[take]
    used_a[ov.i[cross]] = True
    used_b[ov.j[cross]] = True
    return DocumentMatch(
        same_i=ov.i[same],
        same_j=ov.j[same],
        same_ratio=ov.ratio[same],
        cross_i=ov.i[cross],
        cross_j=ov.j[cross],
        cross_ratio=ov.ratio[cross],
        only_a=np.flatnonzero(~used_a).astype(np.int64),
        only_b=np.flatnonzero(~used_b).astype(np.int64),
    )
