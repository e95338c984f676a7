"""Percentile bootstrap by document: resample documents with replacement, recompute a figure.

Every figure of a report is a function of counts that add up over documents (see
:mod:`annotator.agreement.stats`), so one resample is a weighted sum of per-document counts
(weights = how often each document was drawn) and a whole run is a matrix product. The
generator is seeded and every figure uses the same resamples, so a report is reproducible
and its intervals are computed on the same draws. A figure informed by one document only
(one document in all, or the only one a pair both covered) gets no interval: every
resample is that document, so the interval would shrink to the point and read as
certainty. Its bounds are NaN ("n/a"), and the report says why.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
CHUNK = 256
MIN_DOCUMENTS = 2
"""An interval needs this many documents with counts for its figure: one says nothing."""


@dataclass(frozen=True, slots=True)
class Bootstrap:
    """How intervals are drawn; ``resamples == 0`` turns them off."""

    resamples: int = 1000
    seed: int = 0
    confidence: float = 0.95

    def describe(self) -> str:
        if self.resamples <= 0:
            return "off"
        return (
            f"{self.confidence:.0%} percentile intervals, {self.resamples} resamples of the"
            f" documents with replacement, seed {self.seed}; none where fewer than"
            f" {MIN_DOCUMENTS} documents inform the figure"
        )


def intervals(
    per_document: FloatArray,
    statistic: Callable[[FloatArray], FloatArray],
    spec: Bootstrap,
) -> FloatArray:
    """Lower and upper bounds (last axis of size 2) of ``statistic`` over resamples.

    ``per_document`` has the document on its first axis; ``statistic`` maps summed counts
    (any leading axes) to figures. NaN bounds where the figure is undefined in most draws,
    and where fewer than :data:`MIN_DOCUMENTS` documents have counts for it. When the
    figures' shape is the leading shape of the counts (a figure per pair, per pair and
    label...), documents are counted per figure; otherwise over the whole array.
    """
    n_docs = per_document.shape[0]
    shape = statistic(per_document.sum(axis=0)).shape
    if spec.resamples <= 0 or n_docs == 0:
        return np.full((*shape, 2), np.nan)
    flat = per_document.reshape(n_docs, -1)
    draws: list[FloatArray] = []
    for weights in _weights(n_docs, spec.resamples, spec.seed):
        b = weights.shape[0]
        summed = (weights @ flat).reshape(b, *per_document.shape[1:])
        draws.append(statistic(summed))
    values = np.concatenate(draws, axis=0)
    tail = (1.0 - spec.confidence) / 2.0 * 100.0
    defined = np.isfinite(values).sum(axis=0) * 2 > values.shape[0]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices are expected here
        lo = np.nanpercentile(values, tail, axis=0)
        hi = np.nanpercentile(values, 100.0 - tail, axis=0)
    defined &= (_informing(per_document, shape) >= MIN_DOCUMENTS).reshape(defined.shape)
    out = np.stack([np.where(defined, lo, np.nan), np.where(defined, hi, np.nan)], axis=-1)
    result: FloatArray = out.reshape(*shape, 2)
    return result


def _informing(per_document: FloatArray, shape: tuple[int, ...]) -> npt.NDArray[np.int64]:
    """How many documents have any count for each figure (of ``shape``)."""
    n_docs = per_document.shape[0]
    has = per_document != 0
    if per_document.shape[1 : 1 + len(shape)] == shape:
        per_figure = has.reshape(n_docs, *shape, -1).any(axis=-1)
        found: npt.NDArray[np.int64] = per_figure.sum(axis=0)
        return found
    return np.full(shape, int(has.reshape(n_docs, -1).any(axis=1).sum()), dtype=np.int64)


KEEP = 10_000_000
"""Resample weights kept between calls up to this many numbers (40 MB as float32); past it they
are drawn again, from the same seed, for every figure."""

Weights = npt.NDArray[np.float32]
_kept: dict[tuple[int, int, int], list[Weights]] = {}


def _weights(n_docs: int, resamples: int, seed: int) -> Iterator[Weights]:
    """Chunks of resamples x documents draw counts, the same for every figure of a report.

    Drawing them costs more than the figures on a corpus of many documents, so the last
    set is kept (when small enough) for the next figure.
    """
    key = (n_docs, resamples, seed)
    if key in _kept:
        yield from _kept[key]
        return
    keep = n_docs * resamples <= KEEP
    chunks: list[Weights] = []
    rng = np.random.default_rng(seed)
    left = resamples
    while left > 0:
        b = min(CHUNK, left)
        left -= b
        chunk = rng.multinomial(n_docs, np.full(n_docs, 1.0 / n_docs), size=b).astype(np.float32)
        if keep:
            chunks.append(chunk)
        yield chunk
    if keep:
        _kept.clear()
        _kept[key] = chunks
