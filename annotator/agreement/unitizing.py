"""Krippendorff's unitizing alpha (u-alpha) for any number of annotators, per label and over all.

Definition from Krippendorff (1995, "On the reliability of unitizing continuous data") as
given in *Content Analysis* (2nd ed., 2004, section 12.4) and as DKPro Statistics computes it
(``KrippendorffAlphaUnitizingAgreement``). For one label ``c``, each of the ``m`` annotators'
continuum of length ``L`` splits into units of ``c`` and the gaps between them. With ``b`` a
segment's start and ``l`` its length, the distance between segment ``g`` of one annotator
and segment ``h`` of another is::

    (b_g - b_h)^2 + (b_g + l_g - b_h - l_h)^2   both units and they overlap
    l_g^2                                       unit g lies inside gap h
    l_h^2                                       unit h lies inside gap g
    0                                           otherwise

    D_o(c) = 2 * sum_{annotator pairs i < j} sum_{g, h} delta^2 / (m (m - 1) L^2)
    D_e(c) = (2 / L) * sum_units [ (N - 1) / 3 * (2 l^3 - 3 l^2 + l)
                                   + l^2 * sum_{gaps G, l_G >= l} (l_G - l + 1) ]
             / (m L (m L - 1) - sum_units l (l - 1))
    u-alpha(c) = 1 - D_o(c) / D_e(c)

``N`` is the number of units of ``c`` of all annotators; the sums over units and gaps run
over all annotators. Over all labels (DKPro's all-category alpha) ``D_o`` and ``D_e`` are
each averaged over the labels: ``u-alpha = 1 - mean_c D_o(c) / mean_c D_e(c)``. Verified
against the worked example on p. 254 of the book (``D_o(c) = 0.0144``, ``D_e(c) = 0.0532``,
u-alpha(c) = 0.7286, u-alpha(k) = 1) and, for three or more annotators, against a
segment-by-segment implementation in ``tests/agreement/test_unitizing.py``.

Overlap rule. The definition needs each annotator's units of one label to be a partition
into units and gaps. :func:`unitizing_disagreement` refuses overlapping units;
:func:`unitizing_alpha` first *merges* an annotator's overlapping units of one label into
their union (``[0, 10)`` and ``[5, 20)`` become ``[0, 20)``; touching units such as
``[0, 5)`` and ``[5, 9)`` stay two units), and says how many it merged. Documents are laid
end to end as one continuum; only documents every compared annotator covered take part.
NaN when ``D_e == 0`` (no unit of the label at all); DKPro returns 0 there.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from annotator.agreement.inputs import (
    AgreementDocument,
    IntArray,
    SpanIndex,
    annotators_in,
    labels_in,
)

Unit = tuple[int, int]
OVERLAP_RULE = "merge: an annotator's overlapping units of one label count as their union"


@dataclass(frozen=True, slots=True)
class UnitizingResult:
    observed: float
    expected: float
    merged: int = 0
    """Units that the overlap rule merged into another of the same annotator and label."""

    @property
    def alpha(self) -> float:
        if self.expected <= 0.0:
            return float("nan")
        return 1.0 - self.observed / self.expected


def merge_overlaps(units: Sequence[Unit]) -> tuple[list[Unit], int]:
    """Union of overlapping units (sharing a character); returns the units and how many
    were absorbed into another. Touching units (``[0, 5)``, ``[5, 9)``) stay apart."""
    n = len(units)
    starts = np.fromiter((s for s, _ in units), dtype=np.int64, count=n)
    ends = np.fromiter((e for _, e in units), dtype=np.int64, count=n)
    s, e, merged = _merge(starts, ends)
    return list(zip(s.tolist(), e.tolist(), strict=True)), merged


def _merge(starts: IntArray, ends: IntArray) -> tuple[IntArray, IntArray, int]:
    """Sorted, non-overlapping units: a new run begins at or past the furthest end so far."""
    if starts.size == 0:
        return starts, ends, 0
    order = np.lexsort((ends, starts))
    ss, furthest = starts[order], np.maximum.accumulate(ends[order])
    begins = np.ones(ss.size, dtype=np.bool_)
    begins[1:] = ss[1:] >= furthest[:-1]
    first = np.flatnonzero(begins)
    run_ends = np.append(furthest[first[1:] - 1], furthest[-1])
    return ss[first], run_ends, int(ss.size - first.size)


def unitizing_disagreement(length: int, *units: Sequence[Unit]) -> UnitizingResult:
    """``D_o`` and ``D_e`` of one label on ``[0, length)``; one unit list per annotator."""
    if len(units) < 2:
        raise ValueError("u-alpha needs at least two annotators")
    return _disagreement(length, [_checked(u, length, n) for n, u in enumerate(units, 1)])


def _disagreement(length: int, arrays: list[tuple[IntArray, IntArray]]) -> UnitizingResult:
    """The definition on sorted, non-overlapping units given as start and end arrays."""
    if length <= 0:
        return UnitizingResult(0.0, 0.0)
    m = float(len(arrays))
    big_l = float(length)
    total = 0.0
    for x, y in itertools.combinations(arrays, 2):
        total += _pair_sum(x, y) + _pair_sum(y, x)
    observed = 2.0 * total / (m * (m - 1.0) * big_l * big_l)
    lengths = np.concatenate([e - s for s, e in arrays]).astype(np.float64)
    if lengths.size == 0:
        return UnitizingResult(observed, 0.0)
    gaps = np.sort(np.concatenate([_gaps(s, e, length) for s, e in arrays]).astype(np.float64))
    suffix_sum = np.concatenate((np.cumsum(gaps[::-1])[::-1], [0.0]))
    first = np.searchsorted(gaps, lengths, side="left")
    count = gaps.size - first
    within = suffix_sum[first] - (lengths - 1.0) * count
    n_units = float(lengths.size)
    s = ((n_units - 1.0) / 3.0 * (2 * lengths**3 - 3 * lengths**2 + lengths)).sum()
    s += (lengths**2 * within).sum()
    denominator = m * big_l * (m * big_l - 1.0) - float((lengths * (lengths - 1.0)).sum())
    expected = (2.0 / big_l) * float(s) / denominator
    return UnitizingResult(observed, expected)


def unitizing_alpha(
    documents: Sequence[AgreementDocument],
    *,
    label: str | None = None,
    annotators: Sequence[str] | None = None,
    pair: tuple[str, str] | None = None,
    labels: Sequence[str] | None = None,
    index: SpanIndex | None = None,
) -> UnitizingResult:
    """u-alpha of ``label`` (or, with ``label=None``, over all ``labels``) for the annotators
    (or the ``pair``) over the documents all of them covered, overlaps merged. Pass one
    ``index`` for all calls of a report."""
    names = tuple(pair or annotators or annotators_in(documents))
    chosen = [label] if label is not None else list(labels or labels_in(documents))
    covered = [d for d in documents if all(d.annotated_by(n) for n in names)]
    offsets = np.cumsum([0, *(d.length for d in covered)])
    length = int(offsets[-1])
    spans = index if index is not None else SpanIndex()
    empty = np.zeros(0, dtype=np.int64)
    observed = expected = 0.0
    merged = 0
    for lab in chosen:
        per_annotator: list[tuple[IntArray, IntArray]] = []
        for name in names:
            starts: list[IntArray] = [empty]
            ends: list[IntArray] = [empty]
            for k, doc in enumerate(covered):
                s, e, n_merged = _merge(*spans.of_label(doc, name, lab))
                merged += n_merged
                starts.append(s + offsets[k])
                ends.append(e + offsets[k])
            per_annotator.append((np.concatenate(starts), np.concatenate(ends)))
        r = _disagreement(length, per_annotator)
        observed += r.observed
        expected += r.expected
    n = max(len(chosen), 1)
    return UnitizingResult(observed / n, expected / n, merged)


def _checked(units: Sequence[Unit], length: int, who: int) -> tuple[IntArray, IntArray]:
    n = len(units)
    starts = np.fromiter((s for s, _ in units), dtype=np.int64, count=n)
    ends = np.fromiter((e for _, e in units), dtype=np.int64, count=n)
    order = np.lexsort((ends, starts))
    starts, ends = starts[order], ends[order]
    bad = np.flatnonzero(starts[1:] < ends[:-1])
    if bad.size:
        k = int(bad[0])
        raise ValueError(
            f"u-alpha needs non-overlapping units: annotator {who}'s [{starts[k]}, {ends[k]})"
            f" and [{starts[k + 1]}, {ends[k + 1]}) overlap"
        )
    if n and (starts[0] < 0 or ends[-1] > length or bool((starts >= ends).any())):
        raise ValueError(f"units must be non-empty and inside [0, {length})")
    return starts, ends


def _gaps(starts: IntArray, ends: IntArray, length: int) -> IntArray:
    """Lengths of the gaps around sorted, non-overlapping units; empty gaps left out."""
    before = np.concatenate(([0], ends))
    after = np.concatenate((starts, [length]))
    gaps: IntArray = after - before
    return gaps[gaps > 0]


def _pair_sum(mine: tuple[IntArray, IntArray], theirs: tuple[IntArray, IntArray]) -> float:
    """Half the unit-unit terms of my units with their overlapping units, plus ``l^2`` for
    each of my units that overlaps none of theirs (it then lies inside one of their gaps).

    ``_pair_sum(a, b) + _pair_sum(b, a)`` is the sum of delta^2 over all segment pairs.
    Their units do not overlap each other, so starts and ends are both sorted, and each of my
    units meets a contiguous run of theirs: two binary searches, no loop.
    """
    s, e = mine
    s2, e2 = theirs
    if s.size == 0:
        return 0.0
    first = np.searchsorted(e2, s, side="right")  # first of theirs ending after my start
    last = np.searchsorted(s2, e, side="left")  # past the last of theirs starting before my end
    counts = np.maximum(last - first, 0)
    lonely = counts == 0
    total = float(((e[lonely] - s[lonely]).astype(np.float64) ** 2).sum())
    n = int(counts.sum())
    if n:
        owner = np.repeat(np.arange(s.size), counts)
        offsets = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)
        k = np.repeat(first, counts) + offsets
        ds = (s[owner] - s2[k]).astype(np.float64)
        de = (e[owner] - e2[k]).astype(np.float64)
        total += float((ds * ds + de * de).sum()) / 2.0
    return total
