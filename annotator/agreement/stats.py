"""Per-document sufficient statistics of a binary coders x units table, and the coefficients
computed from them: Krippendorff's alpha, Fleiss' kappa and Cohen's kappa.

Each coefficient of a binary table is a function of a few counts that add up over units:

* alpha (nominal): the coincidences ``o_00``, ``o_01`` (= ``o_10``), ``o_11``. A unit with
  ``m >= 2`` values, ``c0`` zeros and ``c1`` ones adds ``c0 (c0 - 1) / (m - 1)``,
  ``c0 c1 / (m - 1)`` and ``c1 (c1 - 1) / (m - 1)``; then with ``n_0 = o_00 + o_01``,
  ``n_1 = o_01 + o_11``, ``n = n_0 + n_1``: ``alpha = 1 - (n - 1) o_01 / (n_0 n_1)``
  (Krippendorff 2011; the same number :func:`coefficients.krippendorff_alpha` gives).
* Fleiss' kappa: how many units *every* annotator rated had ``k`` ones, ``k = 0..R``. Fleiss
  needs the same raters on every item, so units some annotator did not cover are left out
  (their number is reported). ``P(k) = (k^2 + (R - k)^2 - R) / (R (R - 1))``,
  ``p_1 = sum_k h_k k / (N R)``, ``P_e = p_1^2 + (1 - p_1)^2``.
* Cohen's kappa of a pair: the 2 x 2 contingency over units both rated.

Keeping them per document makes the corpus figure a sum and a bootstrap by document a
matrix product (:mod:`annotator.agreement.bootstrap`), with no second pass over units.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt

from annotator.agreement.table import MISSING, UnitTable

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class BinaryStats:
    """Per-document counts of one label; the first axis of every array is the document."""

    annotators: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    coincidence: FloatArray
    """D x 3: o_00, o_01, o_11."""
    fleiss: FloatArray
    """D x (R + 1): units every annotator rated, by their number of ones."""
    contingency: FloatArray
    """D x P x 4: units both of a pair rated, by (x, y) = 00, 01, 10, 11."""

    def total(self, array: FloatArray) -> FloatArray:
        summed: FloatArray = array.sum(axis=0)
        return summed


def _per_document(codes: npt.NDArray[np.integer[Any]], table: UnitTable, width: int) -> FloatArray:
    """D x width histogram of small integer codes, one row per document."""
    n_docs = len(table.doc_keys)
    if n_docs == 1:
        return np.bincount(codes, minlength=width).reshape(1, width).astype(np.float64)
    sizes = np.diff(table.bounds)
    doc = np.repeat(np.arange(n_docs, dtype=np.int64) * width, sizes)
    hist = np.bincount(doc + codes.astype(np.int64), minlength=n_docs * width)
    return hist.reshape(n_docs, width).astype(np.float64)


def table_stats(table: UnitTable) -> BinaryStats:
    """The per-document counts of a table: one histogram of small codes per statistic."""
    values = table.values
    r = len(table.annotators)
    small = np.uint8 if (r + 1) * (r + 1) < 256 else np.int64
    m = (values != MISSING).sum(axis=0, dtype=small)
    ones = (values == 1).sum(axis=0, dtype=small)
    # Each unit is summed up by (m, ones); everything else is arithmetic on the histogram.
    m *= r + 1
    m += ones
    del ones
    hist = _per_document(m, table, (r + 1) * (r + 1))
    del m
    mm, kk = np.divmod(np.arange((r + 1) * (r + 1), dtype=np.float64), r + 1)
    zz = mm - kk
    w = np.where(mm >= 2, 1.0 / np.maximum(mm - 1.0, 1.0), 0.0)
    weights = np.stack([zz * (zz - 1) * w, zz * kk * w, kk * (kk - 1) * w], axis=1)
    coincidence = hist @ weights
    fleiss = hist[:, r * (r + 1) : (r + 1) * (r + 1)]
    pairs = tuple(combinations(table.annotators, 2))
    contingency = np.zeros((len(table.doc_keys), len(pairs), 4), dtype=np.float64)
    for p, (a, b) in enumerate(pairs):
        x = values[table.annotators.index(a)]
        y = values[table.annotators.index(b)]
        code = x * np.int8(3)
        code += y
        code += np.int8(4)  # (x + 1) * 3 + (y + 1); -1 (missing) -> 0
        cells = _per_document(code.view(np.uint8), table, 9)
        contingency[:, p, :] = cells[:, [4, 5, 7, 8]]
    return BinaryStats(
        table.annotators, pairs, coincidence, np.ascontiguousarray(fleiss), contingency
    )


def alpha_of(coincidence: FloatArray) -> FloatArray:
    """Nominal alpha from ``(..., 3)`` coincidences; NaN where undefined."""
    o00, o01, o11 = coincidence[..., 0], coincidence[..., 1], coincidence[..., 2]
    n0, n1 = o00 + o01, o01 + o11
    n = n0 + n1
    den = n0 * n1
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where((n > 1) & (den > 0), 1.0 - (n - 1.0) * o01 / den, np.nan)
    return out


def fleiss_of(hist: FloatArray) -> FloatArray:
    """Fleiss' kappa from ``(..., R + 1)`` histograms of ones per complete unit."""
    r = hist.shape[-1] - 1
    k = np.arange(r + 1, dtype=np.float64)
    agree = (k * k + (r - k) ** 2 - r) / (r * (r - 1.0)) if r >= 2 else np.zeros(r + 1)
    n = hist.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_bar = (hist * agree).sum(axis=-1) / n
        p1 = (hist * k).sum(axis=-1) / (n * r)
        p_e = p1 * p1 + (1.0 - p1) ** 2
        out: FloatArray = np.where((n > 0) & (p_e < 1.0), (p_bar - p_e) / (1.0 - p_e), np.nan)
    return out


def kappa_of(contingency: FloatArray) -> FloatArray:
    """Cohen's kappa from ``(..., 4)`` contingencies (00, 01, 10, 11); NaN where undefined."""
    c00, c01, c10, c11 = (contingency[..., i] for i in range(4))
    n = c00 + c01 + c10 + c11
    with np.errstate(divide="ignore", invalid="ignore"):
        p_o = (c00 + c11) / n
        pa, pb = (c10 + c11) / n, (c01 + c11) / n
        p_e = pa * pb + (1.0 - pa) * (1.0 - pb)
        out: FloatArray = np.where((n > 0) & (p_e < 1.0), (p_o - p_e) / (1.0 - p_e), np.nan)
    return out


def f1_of(counts: FloatArray) -> FloatArray:
    """F1 ``2 matched / (n_a + n_b)`` from ``(..., 3)`` counts (n_a, n_b, matched)."""
    n = counts[..., 0] + counts[..., 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where(n > 0, 2.0 * counts[..., 2] / n, np.nan)
    return out


def precision_of(counts: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where(counts[..., 1] > 0, counts[..., 2] / counts[..., 1], np.nan)
    return out


def recall_of(counts: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where(counts[..., 0] > 0, counts[..., 2] / counts[..., 0], np.nan)
    return out


def stats_from_vectors(
    annotators: tuple[str, ...], documents: Iterable[Sequence[BoolArray | None]]
) -> tuple[BinaryStats, list[int]]:
    """:func:`table_stats` without the table: per document, each annotator's 0/1 vector of
    the label (``None`` where they do not cover the document); also each one's positives.

    The number of values per unit is constant within a document (who covers it), so the
    coincidences and Fleiss' histogram come from one histogram of "how many said 1", and a
    pair's 2 x 2 table from three counts: ``n_a``, ``n_b`` and ``n_ab``.
    """
    r = len(annotators)
    pairs = tuple(combinations(range(r), 2))
    coincidence: list[list[float]] = []
    fleiss: list[FloatArray] = []
    contingency: list[FloatArray] = []
    positives = [0] * r
    for vectors in documents:
        given = {k: v for k, v in enumerate(vectors) if v is not None}
        present = list(given)
        m = len(present)
        length = next((int(v.size) for v in given.values()), 0)
        counts = {k: int(np.count_nonzero(v)) for k, v in given.items()}
        for k, c in counts.items():
            positives[k] += c
        ones_hist = np.zeros(r + 1, dtype=np.float64)
        if m:
            total = np.zeros(length, dtype=np.uint8)
            for v in given.values():
                total += v.view(np.uint8)
            # m + 1 comparisons of a uint8 vector beat a bincount that widens it to intp
            ones_hist[: m + 1] = [np.count_nonzero(total == k) for k in range(m + 1)]
        k_ = np.arange(r + 1, dtype=np.float64)
        if m >= 2:
            z_ = m - k_
            row = [
                float((ones_hist * z_ * (z_ - 1)).sum() / (m - 1)),
                float((ones_hist * k_ * z_).sum() / (m - 1)),
                float((ones_hist * k_ * (k_ - 1)).sum() / (m - 1)),
            ]
        else:
            row = [0.0, 0.0, 0.0]
        coincidence.append(row)
        fleiss.append(ones_hist if m == r else np.zeros(r + 1))
        cells = np.zeros((len(pairs), 4), dtype=np.float64)
        for p, (i, j) in enumerate(pairs):
            vi, vj = vectors[i], vectors[j]
            if vi is None or vj is None:
                continue
            both = int(np.count_nonzero(vi & vj))
            ni, nj = counts[i], counts[j]
            cells[p] = (length - ni - nj + both, nj - both, ni - both, both)
        contingency.append(cells)
    n_docs = len(coincidence)
    stats = BinaryStats(
        annotators,
        tuple((annotators[i], annotators[j]) for i, j in pairs),
        np.array(coincidence, dtype=np.float64).reshape(n_docs, 3),
        np.array(fleiss, dtype=np.float64).reshape(n_docs, r + 1),
        np.array(contingency, dtype=np.float64).reshape(n_docs, len(pairs), 4),
    )
    return stats, positives
