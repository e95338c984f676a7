"""The matching step behind :mod:`annotator.agreement.spans`: overlaps, eligibility, assignment.

Overlap ratio of ``[s1, e1)`` and ``[s2, e2)`` is Jaccard on character ranges:
``max(0, min(e1, e2) - max(s1, s2)) / (e1 - s1 + e2 - s2 - intersection)``. A pair is
*eligible* when the labels agree (or, for the confusion step, differ) and either the ranges
are equal (exact mode) or the ratio reaches the threshold with a non-empty intersection.

The eligible pairs form a bipartite graph; each connected group is solved on its own with
the Hungarian method on weights ``K + ratio`` with ``K = min(rows, cols) + 1``: any matching
with one more pair outweighs every smaller one, so the result has the most pairs possible
and, among those, the largest total overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from annotator.agreement._assignment import max_weight_assignment
from annotator.agreement.inputs import SpanTuple


@dataclass(frozen=True, slots=True)
class Pair:
    i: int
    j: int
    ratio: float


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span of the other side that overlaps, seen from one span."""

    other: int
    ratio: float
    eligible: bool


@dataclass(slots=True)
class MatchResult:
    pairs: list[Pair]
    rows: set[int]
    cols: set[int]
    _by_row: dict[int, list[Candidate]] = field(default_factory=dict)
    _by_col: dict[int, list[Candidate]] = field(default_factory=dict)

    def candidates_of_row(self, i: int) -> list[Candidate]:
        return self._by_row.get(i, [])

    def candidates_of_col(self, j: int) -> list[Candidate]:
        return self._by_col.get(j, [])


def match(
    spans_a: Sequence[SpanTuple],
    spans_b: Sequence[SpanTuple],
    *,
    mode: Literal["exact", "overlap"],
    threshold: float,
    same_label: bool,
) -> MatchResult:
    """Optimal one-to-one matching of overlapping spans with equal (or unequal) labels."""
    result = MatchResult([], set(), set())
    if not spans_a or not spans_b:
        return result
    sa = np.array([s[0] for s in spans_a], dtype=np.int64)
    ea = np.array([s[1] for s in spans_a], dtype=np.int64)
    sb = np.array([s[0] for s in spans_b], dtype=np.int64)
    eb = np.array([s[1] for s in spans_b], dtype=np.int64)
    inter = np.minimum(ea[:, None], eb[None, :]) - np.maximum(sa[:, None], sb[None, :])
    inter = np.maximum(inter, 0)
    union = (ea - sa)[:, None] + (eb - sb)[None, :] - inter
    ratio = inter / union
    la = [s[2] for s in spans_a]
    lb = [s[2] for s in spans_b]
    edges: dict[int, dict[int, float]] = {}
    for i, j in zip(*np.nonzero(inter > 0), strict=True):
        i, j = int(i), int(j)
        if (la[i] == lb[j]) != same_label:
            continue
        r = float(ratio[i, j])
        exact = bool(sa[i] == sb[j] and ea[i] == eb[j])
        ok = exact if mode == "exact" else r >= threshold
        result._by_row.setdefault(i, []).append(Candidate(j, r, ok))
        result._by_col.setdefault(j, []).append(Candidate(i, r, ok))
        if ok:
            edges.setdefault(i, {})[j] = r
    for rows, cols in _components(edges):
        k = min(len(rows), len(cols)) + 1.0
        weights = [[k + edges[i][j] if j in edges.get(i, {}) else 0.0 for j in cols] for i in rows]
        for r, c in max_weight_assignment(weights):
            i, j = rows[r], cols[c]
            result.pairs.append(Pair(i, j, edges[i][j]))
            result.rows.add(i)
            result.cols.add(j)
    result.pairs.sort(key=lambda p: (p.i, p.j))
    return result


def _components(edges: dict[int, dict[int, float]]) -> list[tuple[list[int], list[int]]]:
    """Connected groups of the bipartite graph row -> cols, as (rows, cols) index lists."""
    by_col: dict[int, list[int]] = {}
    for i, row in edges.items():
        for j in row:
            by_col.setdefault(j, []).append(i)
    seen_rows: set[int] = set()
    out: list[tuple[list[int], list[int]]] = []
    for start in sorted(edges):
        if start in seen_rows:
            continue
        rows: list[int] = []
        cols: set[int] = set()
        stack = [start]
        seen_rows.add(start)
        while stack:
            i = stack.pop()
            rows.append(i)
            for j in edges[i]:
                if j not in cols:
                    cols.add(j)
                    for i2 in by_col[j]:
                        if i2 not in seen_rows:
                            seen_rows.add(i2)
                            stack.append(i2)
        out.append((sorted(rows), sorted(cols)))
    return out
