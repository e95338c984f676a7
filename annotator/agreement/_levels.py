"""The tables of :func:`annotator.agreement.report.build_report`, one function per level kind.

Char, passage and document level: per label and document, each covering annotator's 0/1 vector (the
characters or sentences in the label; at document level one unit, 1 when the annotator gave
the document the label), reduced at once to per-document counts
(:func:`.stats.stats_from_vectors`; no annotators x units table is built). Every coefficient,
per-document figure and interval is arithmetic on those counts. Span level: per pair the
per-document match counts of :func:`compare_spans`, stacked into one documents x pairs x
labels x (n_a, n_b, matched) array for the summaries and intervals.

Summaries at span level, for teams of any size: per label the mean over pairs of precision,
recall and F1 (pairs where the figure is undefined are left out of the mean); micro: per
pair the counts pooled over labels, then the mean over pairs; macro: the mean over labels
of the per-label mean F1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from annotator.agreement.bootstrap import Bootstrap, FloatArray, intervals
from annotator.agreement.character import SpanArrays
from annotator.agreement.inputs import AgreementDocument, SpanIndex
from annotator.agreement.passages import Bounds, cached_bounds, votes_from_coverage
from annotator.agreement.rows import (
    MACRO,
    MICRO,
    DocumentRow,
    Interval,
    LabelRow,
    PairRow,
    SummaryRow,
)
from annotator.agreement.spans import PairComparison
from annotator.agreement.stats import (
    BoolArray,
    alpha_of,
    f1_of,
    fleiss_of,
    kappa_of,
    precision_of,
    recall_of,
    stats_from_vectors,
)
from annotator.agreement.unitizing import unitizing_alpha

NAN = float("nan")


@dataclass(slots=True)
class Parts:
    label_rows: list[LabelRow] = field(default_factory=list)
    pair_rows: list[PairRow] = field(default_factory=list)
    document_rows: list[DocumentRow] = field(default_factory=list)
    summary_rows: list[SummaryRow] = field(default_factory=list)
    u_alpha: float = NAN


def _ci(bounds: FloatArray) -> Interval:
    return (float(bounds[..., 0]), float(bounds[..., 1]))


def nanmean(x: FloatArray, axis: int) -> FloatArray:
    """Mean of the defined values along ``axis``; NaN where none is (no warning)."""
    ok = np.isfinite(x)
    n = ok.sum(axis=axis)
    total = np.where(ok, x, 0.0).sum(axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where(n > 0, total / np.maximum(n, 1), np.nan)
    return out


def unit_level(
    documents: Sequence[AgreementDocument],
    names: tuple[str, ...],
    labels: tuple[str, ...],
    level: Literal["char", "passage", "span", "document"],
    spec: Bootstrap,
    arrays: SpanArrays,
    tick: Callable[[], None],
) -> Parts:
    parts = Parts()
    cache: dict[str, Bounds] = {}
    names_ = tuple(names)

    def vectors(label: str) -> Iterator[list[BoolArray | None]]:
        for doc in documents:
            if level == "document":  # a passage level of one passage: the whole document
                yield [
                    np.array([label in doc.doc_labels.get(n, ())], dtype=np.bool_)
                    if doc.annotated_by(n)
                    else None
                    for n in names_
                ]
                continue
            if level == "char":
                yield [
                    arrays.coverage(doc, n, label) if doc.annotated_by(n) else None for n in names_
                ]
                continue
            starts, ends = cached_bounds(doc, cache)
            yield [
                votes_from_coverage(arrays.coverage(doc, n, label), starts, ends).view(np.bool_)
                if doc.annotated_by(n)
                else None
                for n in names_
            ]

    for label in labels:
        st, counts = stats_from_vectors(names_, vectors(label))
        positives = dict(zip(names_, counts, strict=True))
        if level == "char":
            n_units = sum(d.length for d in documents)
        elif level == "document":
            n_units = len(documents)
        else:
            n_units = sum(int(cached_bounds(d, cache)[0].size) for d in documents)
        coincidence = st.coincidence.sum(axis=0)
        hist = st.fleiss.sum(axis=0)
        contingency = st.contingency.sum(axis=0)
        kappas = kappa_of(contingency)
        kappa_ci = intervals(st.contingency, kappa_of, spec)
        parts.label_rows.append(
            LabelRow(
                label,
                float(alpha_of(coincidence)),
                n_units,
                positives,
                alpha_ci=_ci(intervals(st.coincidence, alpha_of, spec)),
                fleiss=float(fleiss_of(hist)),
                fleiss_ci=_ci(intervals(st.fleiss, fleiss_of, spec)),
                fleiss_units=int(hist.sum()),
            )
        )
        for p, (a, b) in enumerate(st.pairs):
            parts.pair_rows.append(
                PairRow(
                    a,
                    b,
                    label,
                    kappa=float(kappas[p]),
                    units=int(contingency[p].sum()),
                    ci=_ci(kappa_ci[p]),
                )
            )
        doc_alpha = alpha_of(st.coincidence)
        doc_kappa = kappa_of(st.contingency)
        for d, doc in enumerate(documents):
            by_pair = {pair: float(doc_kappa[d, p]) for p, pair in enumerate(st.pairs)}
            parts.document_rows.append(DocumentRow(doc.key, label, float(doc_alpha[d]), by_pair))
        tick()
    return parts


def _mean_f1(s: FloatArray) -> FloatArray:
    return nanmean(f1_of(s), axis=-2)


def _micro_f1(s: FloatArray) -> FloatArray:
    return nanmean(f1_of(s.sum(axis=-2)), axis=-1)


def _macro_f1(s: FloatArray) -> FloatArray:
    return nanmean(nanmean(f1_of(s), axis=-2), axis=-1)


def span_level(
    documents: Sequence[AgreementDocument],
    names: tuple[str, ...],
    labels: tuple[str, ...],
    comparisons: Mapping[tuple[str, str], PairComparison],
    spec: Bootstrap,
    notes: list[str],
    index: SpanIndex,
    tick: Callable[[], None],
) -> Parts:
    parts = Parts()
    pairs = list(comparisons)
    # documents x pairs x labels x (n_a, n_b, matched); zero where a pair skipped a document.
    counts = np.zeros((len(documents), len(pairs), len(labels), 3), dtype=np.float64)
    for d, doc in enumerate(documents):
        for p, pair in enumerate(pairs):
            per_label = comparisons[pair].per_document.get(doc.key)
            if per_label is not None:
                counts[d, p] = [per_label[lab] for lab in labels]
    merged = 0
    for label in labels:
        team = unitizing_alpha(documents, annotators=names, label=label, index=index)
        merged += team.merged
        per = {n: sum(index.count(d, n, label) for d in documents) for n in names}
        parts.label_rows.append(LabelRow(label, NAN, sum(per.values()), per, u_alpha=team.alpha))
    if merged:
        notes.append(
            f"u-alpha: {merged} overlapping unit(s) of one annotator and label merged into"
            " their union (overlap rule)"
        )
    parts.u_alpha = unitizing_alpha(documents, annotators=names, labels=labels, index=index).alpha
    f1_ci = intervals(counts, f1_of, spec)
    for p, (a, b) in enumerate(pairs):
        comp = comparisons[(a, b)]
        for k, label in enumerate(labels):
            s = comp.score(label)
            u = unitizing_alpha(documents, pair=(a, b), label=label, index=index).alpha
            parts.pair_rows.append(
                PairRow(
                    a,
                    b,
                    label,
                    precision=s.precision,
                    recall=s.recall,
                    f1=s.f1,
                    u_alpha=u,
                    units=s.n_a + s.n_b,
                    ci=_ci(f1_ci[p, k]),
                )
            )
    total = counts.sum(axis=0)  # pairs x labels x 3
    f1 = f1_of(total)
    mean_ci = intervals(counts, _mean_f1, spec)
    for k, label in enumerate(labels):
        parts.summary_rows.append(
            SummaryRow(
                label,
                float(nanmean(precision_of(total[:, k]), axis=0)),
                float(nanmean(recall_of(total[:, k]), axis=0)),
                float(nanmean(f1[:, k], axis=0)),
                _ci(mean_ci[k]),
                int(np.isfinite(f1[:, k]).sum()),
            )
        )
    pooled = total.sum(axis=1)  # pairs x 3
    parts.summary_rows.append(
        SummaryRow(
            MICRO,
            float(nanmean(precision_of(pooled), axis=0)),
            float(nanmean(recall_of(pooled), axis=0)),
            float(_micro_f1(total)),
            _ci(intervals(counts, _micro_f1, spec)),
            int(np.isfinite(f1_of(pooled)).sum()),
        )
    )
    parts.summary_rows.append(
        SummaryRow(
            MACRO,
            float(nanmean(nanmean(precision_of(total), axis=-2), axis=-1)),
            float(nanmean(nanmean(recall_of(total), axis=-2), axis=-1)),
            float(_macro_f1(total)),
            _ci(intervals(counts, _macro_f1, spec)),
            len(pairs),
        )
    )
    doc_f1 = f1_of(counts)  # documents x pairs x labels
    for d, doc in enumerate(documents):
        for k, label in enumerate(labels):
            f1s = {
                pair: float(doc_f1[d, p, k])
                for p, pair in enumerate(pairs)
                if doc.key in comparisons[pair].per_document
            }
            parts.document_rows.append(DocumentRow(doc.key, label, NAN, f1s))
    return parts
