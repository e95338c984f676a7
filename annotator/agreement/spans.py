"""Span-level agreement between two annotators: matching, precision/recall/F1, confusion.

Every number here can be traced back to spans: :func:`compare_spans` returns, besides the
scores, one :class:`SpanMatch` line for every span of either annotator, matched or not, with
a reason in words.

Matching, per document:

1. Same label. In ``"exact"`` mode two spans match when start, end and label are equal. In
   ``"overlap"`` mode they may match when the overlap ratio (Jaccard, intersection over
   union of the two ranges, ``|a & b| / |a | b|``) is at least ``threshold`` and the
   intersection is not empty. Matching is one-to-one and optimal: among all matchings with
   the most pairs, the one with the largest summed overlap ratio (Hungarian method on the
   weights ``K + ratio``, ``K`` larger than any matching's size, per connected group).
2. Different labels, among the spans left over from step 1, by the same rule: these are the
   off-diagonal cells of the confusion matrix ("A says MILITARY, B says ECONOMIC").
3. What remains is unmatched and goes to the ``NO_SPAN`` row or column.

So the confusion matrix's row for label X sums to A's number of X spans and its column to
B's. Precision treats B as the annotator being checked against A: ``P = matched / n_B``,
``R = matched / n_A``, ``F1 = 2 matched / (n_A + n_B)`` (symmetric); NaN where a
denominator is 0. Documents that one of the two did not annotate are listed in
``skipped_documents``, not scored.

Scores come from counts kept per document and label (``per_document``): a span counts
under its own annotator's label, whatever it was matched to, so the corpus figures are
exactly the sums of the per-document ones. The diagnosis lines (one per span, with a reason)
are built only with ``diagnose=True``; matching itself never needs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from annotator.agreement._diagnosis import SpanMatch, Status, describe
from annotator.agreement._spanmatch import IntArray, SpanArrays, match_document, overlaps
from annotator.agreement.inputs import AgreementDocument, SpanIndex, labels_in

MatchMode = Literal["exact", "overlap"]
NO_SPAN = "(none)"
ALL_LABELS = "(all)"


Counts = tuple[int, int, int]
"""(spans of A, spans of B, matched pairs) of one label."""


@dataclass(frozen=True, slots=True)
class LabelScore:
    label: str
    n_a: int
    n_b: int
    matched: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class PairComparison:
    a: str
    b: str
    mode: MatchMode
    threshold: float
    scores: tuple[LabelScore, ...]
    confusion: Mapping[tuple[str, str], int]
    diagnosis: tuple[SpanMatch, ...]
    skipped_documents: tuple[str, ...]
    per_document: Mapping[str, Mapping[str, Counts]] = field(default_factory=dict)
    """Document key -> label -> (n_a, n_b, matched), for every compared document."""
    diagnosed: bool = True
    """False when ``diagnosis`` was not asked for (it is then empty)."""

    def score(self, label: str) -> LabelScore:
        return next(s for s in self.scores if s.label == label)


def compare_spans(
    documents: Sequence[AgreementDocument],
    *,
    a: str,
    b: str,
    labels: Sequence[str] | None = None,
    mode: MatchMode = "overlap",
    threshold: float = 0.5,
    diagnose: bool = True,
    index: SpanIndex | None = None,
) -> PairComparison:
    """Match ``a``'s spans against ``b``'s in each document and score them per label.

    Spans whose label is not in ``labels`` take no part (default: every label used).
    """
    if mode not in ("exact", "overlap"):
        raise ValueError(f"unknown match mode {mode!r}")
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    chosen = tuple(labels) if labels is not None else labels_in(documents)
    idx = index if index is not None else SpanIndex()
    n_lab = len(chosen)
    # (n_lab + 1)^2 confusion counts; index n_lab stands for NO_SPAN.
    confusion = np.zeros((n_lab + 1) * (n_lab + 1), dtype=np.int64)
    diagnosis: list[SpanMatch] = []
    skipped: list[str] = []
    per_document: dict[str, dict[str, Counts]] = {}
    for doc in documents:
        if not (doc.annotated_by(a) and doc.annotated_by(b)):
            skipped.append(doc.key)
            continue
        arr_a, keep_a = _arrays(idx, doc, a, chosen)
        arr_b, keep_b = _arrays(idx, doc, b, chosen)
        ov = overlaps(arr_a, arr_b, mode=mode, threshold=threshold)
        m = match_document(arr_a, arr_b, ov)
        la, lb = arr_a.labels, arr_b.labels
        cells = np.concatenate(
            (
                la[m.same_i] * (n_lab + 1) + lb[m.same_j],
                la[m.cross_i] * (n_lab + 1) + lb[m.cross_j],
                la[m.only_a] * (n_lab + 1) + n_lab,
                n_lab * (n_lab + 1) + lb[m.only_b],
            )
        )
        confusion += np.bincount(cells, minlength=confusion.size)
        n_a = np.bincount(la, minlength=n_lab)
        n_b = np.bincount(lb, minlength=n_lab)
        hits = np.bincount(la[m.same_i], minlength=n_lab)
        per_document[doc.key] = {
            label: (int(n_a[k]), int(n_b[k]), int(hits[k])) for k, label in enumerate(chosen)
        }
        if diagnose:
            spans_a = [doc.spans[a][k] for k in keep_a.tolist()]
            spans_b = [doc.spans[b][k] for k in keep_b.tolist()]
            diagnosis.extend(
                describe(doc.key, spans_a, spans_b, ov, m, a, b, mode=mode, threshold=threshold)
            )
    square = confusion.reshape(n_lab + 1, n_lab + 1)
    names = (*chosen, NO_SPAN)
    conf = {
        (names[r], names[c]): int(square[r, c]) for r, c in zip(*np.nonzero(square), strict=True)
    }
    return PairComparison(
        a,
        b,
        mode,
        threshold,
        scores_from_counts(per_document.values(), chosen),
        conf,
        tuple(diagnosis),
        tuple(skipped),
        per_document,
        diagnose,
    )


def _arrays(
    index: SpanIndex, doc: AgreementDocument, who: str, labels: Sequence[str]
) -> tuple[SpanArrays, IntArray]:
    """The annotator's spans of the chosen labels (codes = positions in ``labels``) and
    their positions in ``doc.spans[who]``."""
    starts, ends, codes = index.arrays(doc, who)
    position = index.positions(labels)[codes]
    keep = np.flatnonzero(position >= 0)
    return SpanArrays(starts[keep], ends[keep], position[keep]), keep


def confusion_from(diagnosis: Sequence[SpanMatch]) -> dict[tuple[str, str], int]:
    """(label by A, label by B) -> count; ``NO_SPAN`` where one side has nothing."""
    out: dict[tuple[str, str], int] = {}
    for line in diagnosis:
        key = (line.a[2] if line.a else NO_SPAN, line.b[2] if line.b else NO_SPAN)
        out[key] = out.get(key, 0) + 1
    return out


def scores_from_counts(
    documents: Iterable[Mapping[str, Counts]], labels: Sequence[str]
) -> tuple[LabelScore, ...]:
    """Per-label scores, then the ``ALL_LABELS`` row, from per-document counts summed."""
    n_a = dict.fromkeys(labels, 0)
    n_b = dict.fromkeys(labels, 0)
    hits = dict.fromkeys(labels, 0)
    for counts in documents:
        for label in labels:
            x, y, z = counts.get(label, (0, 0, 0))
            n_a[label] += x
            n_b[label] += y
            hits[label] += z
    rows = [score_of(lab, n_a[lab], n_b[lab], hits[lab]) for lab in labels]
    total = score_of(ALL_LABELS, sum(n_a.values()), sum(n_b.values()), sum(hits.values()))
    return (*rows, total)


def score_of(label: str, n_a: int, n_b: int, matched: int) -> LabelScore:
    nan = float("nan")
    precision = matched / n_b if n_b else nan
    recall = matched / n_a if n_a else nan
    f1 = 2 * matched / (n_a + n_b) if n_a + n_b else nan
    return LabelScore(label, n_a, n_b, matched, precision, recall, f1)


__all__ = [
    "ALL_LABELS",
    "NO_SPAN",
    "Counts",
    "LabelScore",
    "MatchMode",
    "PairComparison",
    "SpanMatch",
    "Status",
    "compare_spans",
    "confusion_from",
    "score_of",
    "scores_from_counts",
]
