"""Optimal one-to-one assignment (Hungarian method) for span matching, in plain Python.

Span matching needs a maximum-weight bipartite matching; scipy has one but the agreement
package may depend on numpy only. The matrices here are the connected components of
"which spans overlap", a handful of rows each, so the O(n^2 m) shortest-augmenting-path
version with potentials (Kuhn-Munkres as in Jonker & Volgenant) is more than fast enough.
"""

from __future__ import annotations

from collections.abc import Sequence

_INF = float("inf")


def max_weight_assignment(weights: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """Row/column pairs of a maximum-weight assignment; pairs of weight <= 0 are left out.

    Any rectangular matrix: the smaller side is assigned completely, then non-positive
    entries (which stand for "not allowed") are dropped, which turns the assignment into a
    maximum-weight matching over the positive entries.
    """
    n_rows = len(weights)
    n_cols = len(weights[0]) if n_rows else 0
    if n_rows == 0 or n_cols == 0:
        return []
    transposed = n_rows > n_cols
    w = (
        [list(col) for col in zip(*weights, strict=True)]
        if transposed
        else [list(r) for r in weights]
    )
    n, m = len(w), len(w[0])
    cost = [[-x for x in row] for row in w]
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    owner = [0] * (m + 1)  # owner[j] = row (1-based) assigned to column j
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        owner[0] = i
        j0 = 0
        minv = [_INF] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0 = owner[j0]
            delta = _INF
            j1 = 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while True:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
            if j0 == 0:
                break
    pairs = [(owner[j] - 1, j - 1) for j in range(1, m + 1) if owner[j]]
    pairs = [(r, c) for r, c in pairs if w[r][c] > 0]
    if transposed:
        pairs = [(c, r) for r, c in pairs]
    return sorted(pairs)
