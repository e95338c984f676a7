"""Character-level agreement per label: every code point is a unit, in or out of the label.

For one label, an annotator's spans of that label are unioned (stacked or overlapping spans
of the same label count once per character; spans of other labels play no part), giving a
boolean vector of the document's length. The vector comes from a difference array: +1 at
each start, -1 at each end, cumulative sum, ``> 0``. That is two bincounts and a cumsum per
annotator and document, never a Python loop over characters. Offsets are code points, so a
character after an emoji is simply the next ``str`` index.

Kappa (a pair) and nominal alpha (any number of annotators) are then computed over the
documents' vectors concatenated, see :mod:`annotator.agreement.table`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from annotator.agreement.inputs import AgreementDocument, SpanTuple
from annotator.agreement.table import MISSING, UnitTable, build_table


def coverage(length: int, spans: Sequence[SpanTuple], label: str) -> npt.NDArray[np.bool_]:
    """``out[i]`` is True when some span of ``label`` covers character ``i``.

    Difference array: ``sum_{s: start_s <= i} 1 - sum_{s: end_s <= i} 1 > 0``.
    """
    starts = np.fromiter((s[0] for s in spans if s[2] == label), dtype=np.int64)
    ends = np.fromiter((s[1] for s in spans if s[2] == label), dtype=np.int64)
    return coverage_from_arrays(length, starts, ends)


def coverage_from_arrays(
    length: int, starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """:func:`coverage` for spans already given as start and end arrays (one label)."""
    if starts.size == 0:
        return np.zeros(length, dtype=np.bool_)
    if starts.min() < 0 or ends.max() > length or (ends <= starts).any():
        raise ValueError(f"spans must satisfy 0 <= start < end <= {length}")
    diff = np.bincount(starts, minlength=length + 1) - np.bincount(ends, minlength=length + 1)
    covered: npt.NDArray[np.bool_] = np.cumsum(diff[:length]) > 0
    return covered


def character_block(
    document: AgreementDocument, annotators: Sequence[str], label: str
) -> npt.NDArray[np.int8]:
    """annotators x characters for one document: 1 in a span of ``label``, 0 not, -1 missing."""
    block = np.full((len(annotators), document.length), MISSING, dtype=np.int8)
    for i, annotator in enumerate(annotators):
        if document.annotated_by(annotator):
            block[i] = coverage(document.length, document.spans[annotator], label)
    return block


def character_table(
    documents: Sequence[AgreementDocument], *, annotators: Sequence[str], label: str
) -> UnitTable:
    """The concatenated character table of ``label`` over ``documents``."""
    names = tuple(annotators)
    blocks = [character_block(d, names, label) for d in documents]
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
