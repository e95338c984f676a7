"""Krippendorff's unitizing alpha (u-alpha) for two annotators, per label.

Definition from Krippendorff (1995, "On the reliability of unitizing continuous data") as
given in *Content Analysis* (2nd ed., 2004, section 12.4). For one label ``c``, each
annotator's continuum of length ``L`` splits into units of ``c`` (``w = 1``) and the gaps
between them (``w = 0``). With ``b`` a segment's start and ``l`` its length, the distance
between segment ``g`` of annotator ``i`` and segment ``h`` of annotator ``j`` is::

    (b_g - b_h)^2 + (b_g + l_g - b_h - l_h)^2   both units and they overlap
    l_g^2                                       unit g lies inside gap h
    l_h^2                                       unit h lies inside gap g
    0                                           otherwise

    D_o = sum_{i != j} sum_{g, h} delta^2 / (m (m - 1) L^2)
    D_e = (2 / L) * sum_units [ (N - 1) / 3 * (2 l^3 - 3 l^2 + l)
                                + l^2 * sum_{gaps G, l_G >= l} (l_G - l + 1) ]
          / (m L (m L - 1) - sum_units l (l - 1))
    u-alpha = 1 - D_o / D_e

``N`` is the number of units of ``c`` of both annotators; the sums over units and gaps run
over both annotators. Verified against the worked example on p. 254 of the book (continuum
150..450, categories c and k: ``D_o(c) = 0.0144``, ``D_e(c) = 0.0532``, u-alpha(c) =
0.7286, u-alpha(k) = 1), see ``tests/agreement/test_unitizing.py``. Only two annotators:
that is the case the example verifies (the constant ``2 / L`` cannot be told apart from
``m / L`` with ``m = 2``), so more annotators are refused rather than guessed.

A unit must not overlap another unit of the same label by the same annotator (the
definition needs a partition into units and gaps); such input raises ``ValueError``
naming the spans. Several documents are laid end to end as one continuum. NaN when
``D_e == 0`` (no unit of the label at all).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from annotator.agreement.inputs import AgreementDocument

Unit = tuple[int, int]


@dataclass(frozen=True, slots=True)
class UnitizingResult:
    observed: float
    expected: float

    @property
    def alpha(self) -> float:
        if self.expected <= 0.0:
            return float("nan")
        return 1.0 - self.observed / self.expected


def unitizing_disagreement(
    length: int, units_a: Sequence[Unit], units_b: Sequence[Unit]
) -> UnitizingResult:
    """``D_o`` and ``D_e`` of one label on a continuum ``[0, length)`` for two annotators."""
    a, b = _checked(units_a, length, "first"), _checked(units_b, length, "second")
    big_l = float(length)
    if length <= 0:
        return UnitizingResult(0.0, 0.0)
    m = 2.0
    # sum over i != j is twice the sum over (a, b): delta is symmetric.
    observed = 2.0 * (_pair_sum(a, b) + _pair_sum(b, a)) / (m * (m - 1.0) * big_l * big_l)
    lengths = np.array([e - s for s, e in a + b], dtype=np.float64)
    if lengths.size == 0:
        return UnitizingResult(observed, 0.0)
    gaps = np.sort(np.array(_gaps(a, length) + _gaps(b, length), dtype=np.float64))
    suffix_sum = np.concatenate((np.cumsum(gaps[::-1])[::-1], [0.0]))
    first = np.searchsorted(gaps, lengths, side="left")
    count = gaps.size - first
    within = suffix_sum[first] - (lengths - 1.0) * count
    n_units = float(lengths.size)
    total = ((n_units - 1.0) / 3.0 * (2 * lengths**3 - 3 * lengths**2 + lengths)).sum()
    total += (lengths**2 * within).sum()
    denominator = m * big_l * (m * big_l - 1.0) - float((lengths * (lengths - 1.0)).sum())
    expected = (2.0 / big_l) * float(total) / denominator
    return UnitizingResult(observed, expected)


def unitizing_alpha(
    documents: Sequence[AgreementDocument], *, pair: tuple[str, str], label: str
) -> UnitizingResult:
    """u-alpha of ``label`` for two annotators over the documents both annotated."""
    a_name, b_name = pair
    offset = 0
    units_a: list[Unit] = []
    units_b: list[Unit] = []
    for doc in documents:
        if not (doc.annotated_by(a_name) and doc.annotated_by(b_name)):
            continue
        units_a += [(offset + s, offset + e) for s, e, _ in doc.spans_of(a_name, label)]
        units_b += [(offset + s, offset + e) for s, e, _ in doc.spans_of(b_name, label)]
        offset += doc.length
    return unitizing_disagreement(offset, units_a, units_b)


def _checked(units: Sequence[Unit], length: int, who: str) -> list[Unit]:
    out = sorted(units)
    for (s1, e1), (s2, e2) in itertools.pairwise(out):
        if s2 < e1:
            raise ValueError(
                f"u-alpha needs non-overlapping units: the {who} annotator's [{s1}, {e1}) and"
                f" [{s2}, {e2}) overlap"
            )
    if out and (out[0][0] < 0 or out[-1][1] > length or any(s >= e for s, e in out)):
        raise ValueError(f"units must be non-empty and inside [0, {length})")
    return out


def _gaps(units: list[Unit], length: int) -> list[int]:
    out: list[int] = []
    pos = 0
    for s, e in units:
        if s > pos:
            out.append(s - pos)
        pos = e
    if length > pos:
        out.append(length - pos)
    return out


def _pair_sum(mine: list[Unit], theirs: list[Unit]) -> float:
    """Half the unit-unit terms of my units with their overlapping units, plus ``l^2`` for
    each of my units that overlaps none of theirs (it then lies inside one of their gaps).

    ``_pair_sum(a, b) + _pair_sum(b, a)`` is the sum of delta^2 over all segment pairs.
    Their units do not overlap each other, so starts and ends are both sorted.
    """
    starts = [s for s, _ in theirs]
    ends = [e for _, e in theirs]
    total = 0.0
    for s, e in mine:
        first = bisect.bisect_right(ends, s)  # first of theirs ending after my start
        last = bisect.bisect_left(starts, e)  # past the last of theirs starting before my end
        hits = theirs[first:last]
        if not hits:
            total += float(e - s) ** 2
            continue
        for s2, e2 in hits:
            total += ((s - s2) ** 2 + (e - e2) ** 2) / 2.0
    return total
