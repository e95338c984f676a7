"""Character-level agreement per label: every code point is a unit, in or out of the label.

For one label, an annotator's spans of that label are unioned (stacked or overlapping spans
of the same label count once per character; spans of other labels play no part), giving a
boolean vector of the document's length. The vector comes from a difference array over the
union of the spans: +1 where a run of overlapping spans starts, -1 where it ends, cumulative
sum. That is a sort of the spans and one cumsum per annotator and document, never a Python
loop over characters. Offsets are code points, so a
character after an emoji is simply the next ``str`` index.

Kappa (a pair) and nominal alpha (any number of annotators) are then computed over the
documents' vectors concatenated, see :mod:`annotator.agreement.table`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from annotator.agreement.inputs import AgreementDocument, SpanIndex, SpanTuple
from annotator.agreement.table import MISSING, UnitTable, build_table

Covered = npt.NDArray[np.bool_]


def coverage(length: int, spans: Sequence[SpanTuple], label: str) -> npt.NDArray[np.bool_]:
    """``out[i]`` is True when some span of ``label`` covers character ``i``.

    Difference array: ``sum_{s: start_s <= i} 1 - sum_{s: end_s <= i} 1 > 0``.
    """
    starts = np.fromiter((s[0] for s in spans if s[2] == label), dtype=np.int64)
    ends = np.fromiter((s[1] for s in spans if s[2] == label), dtype=np.int64)
    return coverage_from_arrays(length, starts, ends)


class SpanArrays(SpanIndex):
    """A :class:`SpanIndex` that also gives a label's coverage vector."""

    def coverage(self, document: AgreementDocument, annotator: str, label: str) -> Covered:
        starts, ends = self.of_label(document, annotator, label)
        return coverage_from_arrays(document.length, starts, ends)


def coverage_from_arrays(
    length: int, starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """:func:`coverage` for spans already given as start and end arrays (one label)."""
    if starts.size == 0:
        return np.zeros(length, dtype=np.bool_)
    if starts.min() < 0 or ends.max() > length or (ends <= starts).any():
        raise ValueError(f"spans must satisfy 0 <= start < end <= {length}")
    # Union of the spans first (sorted by start, a new run begins past the furthest end so
    # far), then +1/-1 at the runs' bounds: the runs are disjoint, so an int8 cumulative sum
    # is exactly the 0/1 coverage, with no count that could overflow.
    order = np.argsort(starts, kind="stable")
    ss, furthest = starts[order], np.maximum.accumulate(ends[order])
    begins = np.ones(ss.size, dtype=np.bool_)
    begins[1:] = ss[1:] > furthest[:-1]
    first = np.flatnonzero(begins)
    run_ends = np.append(furthest[first[1:] - 1], furthest[-1])
    diff = np.zeros(length + 1, dtype=np.int8)
    diff[ss[first]] = 1
    diff[run_ends] -= 1
    covered: npt.NDArray[np.bool_] = np.cumsum(diff[:length], dtype=np.int8).view(np.bool_)
    return covered


def character_block(
    document: AgreementDocument,
    annotators: Sequence[str],
    label: str,
    cache: SpanArrays | None = None,
) -> npt.NDArray[np.int8]:
    """annotators x characters for one document: 1 in a span of ``label``, 0 not, -1 missing."""
    block = np.full((len(annotators), document.length), MISSING, dtype=np.int8)
    arrays = cache if cache is not None else SpanArrays()
    for i, annotator in enumerate(annotators):
        if document.annotated_by(annotator):
            block[i] = arrays.coverage(document, annotator, label)
    return block


def character_table(
    documents: Sequence[AgreementDocument],
    *,
    annotators: Sequence[str],
    label: str,
    cache: SpanArrays | None = None,
) -> UnitTable:
    """The concatenated character table of ``label`` over ``documents``; pass one ``cache``
    for all labels of a report."""
    names = tuple(annotators)
    blocks = [character_block(d, names, label, cache) for d in documents]
    return build_table(tuple(d.key for d in documents), names, blocks)


def character_alpha(
    documents: Sequence[AgreementDocument], *, annotators: Sequence[str], label: str
) -> float:
    """Nominal Krippendorff alpha of ``label`` over all characters of ``documents``."""
    return character_table(documents, annotators=annotators, label=label).alpha()


def character_kappa(
    documents: Sequence[AgreementDocument], *, pair: tuple[str, str], label: str
) -> float:
    """Cohen's kappa of ``label`` for two annotators over the characters both annotated."""
    table = character_table(documents, annotators=pair, label=label)
    return table.kappa(*pair)
