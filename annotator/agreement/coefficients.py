"""Chance-corrected agreement coefficients: Cohen's kappa, Fleiss' kappa, Krippendorff's alpha.

All three compare observed agreement with the agreement expected by chance; they differ in
what "chance" means. They run on tens of millions of units (one unit per character), so every
count is a ``numpy.bincount`` over integer codes: values are first mapped to codes
``0..V-1`` (missing = -1) by :mod:`annotator.agreement._encode`, then pairs of codes become one
integer ``c * V + k`` and a single bincount gives the whole contingency or coincidence table.

Undefined values. When chance agreement is already perfect (every rating falls in one
category) the coefficients are 0/0. We return ``float('nan')`` in that case, as
``sklearn.metrics.cohen_kappa_score`` does by default; the ``krippendorff`` package raises
``ValueError`` instead, but a report must still render a row for a label nobody used, so we
follow scikit-learn and Krippendorff's own reading ("alpha is undefined, the data show no
variation"). Callers can test with ``math.isnan``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from annotator.agreement._encode import Codes, encode

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")

FloatArray = npt.NDArray[np.float64]


def cohen_kappa(a: Sequence[object] | npt.ArrayLike, b: Sequence[object] | npt.ArrayLike) -> float:
    """Cohen's kappa for two coders who each rated the same units.

    ``kappa = (p_o - p_e) / (1 - p_e)`` with ``p_o`` the share of units on which the two agree
    and ``p_e = sum_c p_a(c) * p_b(c)`` from each coder's own marginal distribution. Values are
    any hashable categories; missing values are not allowed (kappa has no notion of them).
    Returns NaN for no units or when ``p_e == 1`` (both coders used one and the same category).
    """
    enc = encode([a, b], allow_missing=False, name="cohen_kappa")
    if enc.codes.shape[0] != 2:
        raise ValueError("cohen_kappa: expected two sequences")
    n = int(enc.codes.shape[1])
    if n == 0:
        return float("nan")
    v = len(enc.domain)
    pair = enc.codes[0].astype(np.intp) * v + enc.codes[1]
    table = np.bincount(pair, minlength=v * v).reshape(v, v)
    p_o = float(np.trace(table)) / n
    p_e = float(table.sum(axis=1) @ table.sum(axis=0)) / (n * n)
    if p_e >= 1.0:
        return float("nan")
    return (p_o - p_e) / (1.0 - p_e)


def fleiss_kappa(counts: Sequence[Sequence[int]] | npt.ArrayLike) -> float:
    """Fleiss' kappa for an items x categories table of how many raters chose each category.

    Every row must sum to the same number of raters ``n >= 2``. With ``N`` items,
    ``P_i = (sum_j n_ij^2 - n) / (n (n - 1))``, ``P_bar = mean(P_i)``,
    ``p_j = sum_i n_ij / (N n)`` and ``P_e = sum_j p_j^2``:
    ``kappa = (P_bar - P_e) / (1 - P_e)``. NaN when ``P_e == 1`` (one category only).
    """
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2 or table.shape[0] == 0:
        raise ValueError("fleiss_kappa: counts must be a non-empty items x categories table")
    if (table < 0).any() or not np.array_equal(table, np.round(table)):
        raise ValueError("fleiss_kappa: counts must be non-negative integers")
    per_item = table.sum(axis=1)
    n = float(per_item[0])
    if not np.all(per_item == n):
        raise ValueError("fleiss_kappa: every item must be rated by the same number of raters")
    if n < 2:
        raise ValueError("fleiss_kappa: needs at least two raters per item")
    p_items = ((table * table).sum(axis=1) - n) / (n * (n - 1.0))
    p_bar = float(p_items.mean())
    p_j = table.sum(axis=0) / (table.shape[0] * n)
    p_e = float(p_j @ p_j)
    if p_e >= 1.0:
        return float("nan")
    return (p_bar - p_e) / (1.0 - p_e)


def krippendorff_alpha(
    data: Sequence[Sequence[object]] | npt.ArrayLike, *, level: Level = "nominal"
) -> float:
    """Krippendorff's alpha for a coders x units table; None or NaN marks a missing value.

    Coincidence-matrix formulation (Krippendorff 2011, "Computing Krippendorff's
    Alpha-Reliability"): a unit with ``m_u >= 2`` values contributes every ordered pair of
    values from different coders with weight ``1 / (m_u - 1)``, giving ``o_ck``; units with
    fewer than two values are not pairable and are dropped. With ``n_c = sum_k o_ck`` and
    ``n = sum_c n_c``::

        alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_ck o_ck d_ck / sum_ck n_c n_k d_ck

    ``d`` is the squared difference function of ``level``: nominal ``[c != k]``, ordinal
    ``(sum_{g=c..k} n_g - (n_c + n_k) / 2)^2``, interval ``(c - k)^2``, ratio
    ``((c - k) / (c + k))^2``. NaN when nothing is pairable or when ``D_e == 0``.
    """
    if level not in LEVELS:
        raise ValueError(f"krippendorff_alpha: unknown level {level!r}; use one of {LEVELS}")
    enc = encode(data, allow_missing=True, name="krippendorff_alpha", numeric=level != "nominal")
    return alpha_from_codes(enc, level=level)


def alpha_from_codes(enc: Codes, *, level: Level = "nominal") -> float:
    """Alpha for data that is already encoded; lets callers skip re-encoding huge tables."""
    o = coincidence_matrix(enc.codes, n_values=len(enc.domain))
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    if n <= 1.0:
        return float("nan")
    d = _distances(enc, n_c, level)
    expected = float(n_c @ d @ n_c)
    if expected <= 0.0:
        return float("nan")
    observed = float((o * d).sum())
    return 1.0 - (n - 1.0) * observed / expected


def coincidence_matrix(codes: npt.NDArray[np.signedinteger[Any]], *, n_values: int) -> FloatArray:
    """The V x V coincidence matrix ``o_ck`` of a coders x units code table (-1 = missing).

    For each pair of coders ``i < j`` the units where both have a value add
    ``1 / (m_u - 1)`` at ``(c, k)`` via one weighted bincount over ``c * V + k``; the matrix
    is then made symmetric, which counts the ordered pairs ``(j, i)`` too.
    """
    v = n_values
    if codes.ndim != 2:
        raise ValueError("coincidence_matrix: codes must be coders x units")
    present = codes >= 0
    m_u = present.sum(axis=0)
    keep = m_u >= 2
    if not keep.all():
        codes, present, m_u = codes[:, keep], present[:, keep], m_u[keep]
    o = np.zeros(v * v, dtype=np.float64)
    if codes.shape[1] == 0 or v == 0:
        return o.reshape(v, v)
    complete = bool(present.all())
    weights = None if complete else 1.0 / (m_u - 1.0)
    for i in range(codes.shape[0]):
        for j in range(i + 1, codes.shape[0]):
            if complete:
                pair = codes[i].astype(np.intp) * v + codes[j]
                o += np.bincount(pair, minlength=v * v)
            else:
                both = present[i] & present[j]
                pair = codes[i, both].astype(np.intp) * v + codes[j, both]
                assert weights is not None
                o += np.bincount(pair, weights=weights[both], minlength=v * v)
    if complete:
        o /= codes.shape[0] - 1.0
    square = o.reshape(v, v)
    return square + square.T


def _distances(enc: Codes, n_c: FloatArray, level: Level) -> FloatArray:
    v = len(enc.domain)
    if level == "nominal":
        return 1.0 - np.eye(v)
    if level == "ordinal":
        # Ranks, not values: sum of the marginals from c to k, minus half of the two ends.
        cum = np.concatenate(([0.0], np.cumsum(n_c)))
        lo = np.minimum.outer(np.arange(v), np.arange(v))
        hi = np.maximum.outer(np.arange(v), np.arange(v))
        between: FloatArray = cum[hi + 1] - cum[lo] - (n_c[:, None] + n_c[None, :]) / 2.0
        return between * between
    values = np.asarray(enc.domain, dtype=np.float64)
    diff = values[:, None] - values[None, :]
    if level == "interval":
        return diff * diff
    total = values[:, None] + values[None, :]
    ratio: FloatArray = np.divide(diff, total, out=np.zeros_like(diff), where=total != 0)
    return ratio * ratio
