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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from annotator.agreement._spanmatch import Candidate, match
from annotator.agreement.inputs import AgreementDocument, SpanTuple, labels_in

MatchMode = Literal["exact", "overlap"]
Status = Literal["matched", "label_differs", "only_a", "only_b"]
NO_SPAN = "(none)"
ALL_LABELS = "(all)"


@dataclass(frozen=True, slots=True)
class SpanMatch:
    """One diagnosis line: a matched pair, a pair with different labels, or a lone span."""

    document: str
    status: Status
    a: SpanTuple | None
    b: SpanTuple | None
    overlap: float
    reason: str

    @property
    def label(self) -> str:
        span = self.a if self.a is not None else self.b
        assert span is not None
        return span[2]


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
) -> PairComparison:
    """Match ``a``'s spans against ``b``'s in each document and score them per label.

    Spans whose label is not in ``labels`` take no part (default: every label used).
    """
    if mode not in ("exact", "overlap"):
        raise ValueError(f"unknown match mode {mode!r}")
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    chosen = tuple(labels) if labels is not None else labels_in(documents)
    wanted = set(chosen)
    diagnosis: list[SpanMatch] = []
    skipped: list[str] = []
    for doc in documents:
        if not (doc.annotated_by(a) and doc.annotated_by(b)):
            skipped.append(doc.key)
            continue
        spans_a = [s for s in doc.spans_of(a) if s[2] in wanted]
        spans_b = [s for s in doc.spans_of(b) if s[2] in wanted]
        diagnosis.extend(_compare_document(doc.key, spans_a, spans_b, a, b, mode, threshold))
    scores = _scores(diagnosis, chosen)
    confusion = confusion_from(diagnosis)
    return PairComparison(
        a, b, mode, threshold, scores, confusion, tuple(diagnosis), tuple(skipped)
    )


def confusion_from(diagnosis: Sequence[SpanMatch]) -> dict[tuple[str, str], int]:
    """(label by A, label by B) -> count; ``NO_SPAN`` where one side has nothing."""
    out: dict[tuple[str, str], int] = {}
    for line in diagnosis:
        key = (line.a[2] if line.a else NO_SPAN, line.b[2] if line.b else NO_SPAN)
        out[key] = out.get(key, 0) + 1
    return out


def _scores(diagnosis: Sequence[SpanMatch], labels: Sequence[str]) -> tuple[LabelScore, ...]:
    n_a = dict.fromkeys(labels, 0)
    n_b = dict.fromkeys(labels, 0)
    hits = dict.fromkeys(labels, 0)
    for line in diagnosis:
        if line.a is not None:
            n_a[line.a[2]] += 1
        if line.b is not None:
            n_b[line.b[2]] += 1
        if line.status == "matched":
            hits[line.label] += 1
    rows = [_score(lab, n_a[lab], n_b[lab], hits[lab]) for lab in labels]
    total = _score(ALL_LABELS, sum(n_a.values()), sum(n_b.values()), sum(hits.values()))
    return (*rows, total)


def _score(label: str, n_a: int, n_b: int, matched: int) -> LabelScore:
    nan = float("nan")
    precision = matched / n_b if n_b else nan
    recall = matched / n_a if n_a else nan
    f1 = 2 * matched / (n_a + n_b) if n_a + n_b else nan
    return LabelScore(label, n_a, n_b, matched, precision, recall, f1)


def _fmt(span: SpanTuple) -> str:
    return f"[{span[0]}, {span[1]}) {span[2]}"


def _compare_document(
    key: str,
    spans_a: list[SpanTuple],
    spans_b: list[SpanTuple],
    a: str,
    b: str,
    mode: MatchMode,
    threshold: float,
) -> list[SpanMatch]:
    same = match(spans_a, spans_b, mode=mode, threshold=threshold, same_label=True)
    out: list[SpanMatch] = []
    for c in same.pairs:
        why = "exact match" if mode == "exact" else f"overlap {c.ratio:.2f} >= {threshold:.2f}"
        out.append(SpanMatch(key, "matched", spans_a[c.i], spans_b[c.j], c.ratio, why))
    left_a = [i for i in range(len(spans_a)) if i not in same.rows]
    left_b = [j for j in range(len(spans_b)) if j not in same.cols]
    cross = match(
        [spans_a[i] for i in left_a],
        [spans_b[j] for j in left_b],
        mode=mode,
        threshold=threshold,
        same_label=False,
    )
    for c in cross.pairs:
        sa, sb = spans_a[left_a[c.i]], spans_b[left_b[c.j]]
        where = (
            "over the same range"
            if sa[:2] == sb[:2]
            else f"over an overlapping range (overlap {c.ratio:.2f})"
        )
        why = f"label differs: {a} says {sa[2]}, {b} says {sb[2]} {where}"
        out.append(SpanMatch(key, "label_differs", sa, sb, c.ratio, why))
    matched_to_b = {c.j: c.i for c in same.pairs}
    matched_to_a = {c.i: c.j for c in same.pairs}
    for k, i in enumerate(left_a):
        if k in cross.rows:
            continue
        best, why = _explain(
            spans_a[i],
            spans_b,
            same.candidates_of_row(i),
            matched_to_b,
            spans_a,
            a,
            b,
            mode,
            threshold,
        )
        out.append(SpanMatch(key, "only_a", spans_a[i], None, best, why))
    for k, j in enumerate(left_b):
        if k in cross.cols:
            continue
        best, why = _explain(
            spans_b[j],
            spans_a,
            same.candidates_of_col(j),
            matched_to_a,
            spans_b,
            b,
            a,
            mode,
            threshold,
        )
        out.append(SpanMatch(key, "only_b", None, spans_b[j], best, why))
    out.sort(key=lambda m: (m.a or m.b or (0, 0, ""))[:2])
    return out


def _explain(
    span: SpanTuple,
    others: list[SpanTuple],
    candidates: list[Candidate],
    taken: dict[int, int],
    own: list[SpanTuple],
    me: str,
    other: str,
    mode: MatchMode,
    threshold: float,
) -> tuple[float, str]:
    """Why ``span`` (by ``me``) found no partner among ``other``'s spans."""
    label = span[2]
    eligible = [c for c in candidates if c.eligible]
    if eligible:
        c = max(eligible, key=lambda c: c.ratio)
        partner = others[c.other]
        rival = own[taken[c.other]]
        return c.ratio, (
            f"competing: {other}'s span {_fmt(partner)} (overlap {c.ratio:.2f}) is matched to"
            f" another span of {me}, {_fmt(rival)}"
        )
    if candidates:
        c = max(candidates, key=lambda c: c.ratio)
        partner = others[c.other]
        if mode == "exact":
            return c.ratio, (
                f"boundary mismatch (exact mode): closest {label} span by {other} is"
                f" {_fmt(partner)} (overlap {c.ratio:.2f})"
            )
        return c.ratio, (
            f"best overlap {c.ratio:.2f} below threshold {threshold:.2f}"
            f" ({other}'s span {_fmt(partner)})"
        )
    why = f"no span of label {label} by {other} overlaps"
    hints = [o for o in others if o[0] < span[1] and span[0] < o[1]]
    if hints:
        why += "; " + other + " has " + ", ".join(_fmt(o) for o in hints[:3]) + " there"
    return 0.0, why
