"""One plain-data agreement report that a CLI table and a GUI view render the same way.

:func:`build_report` runs the chosen level over the chosen documents, annotators and labels:

* ``"char"``: units are characters; per label Krippendorff's alpha over all annotators and
  Cohen's kappa per pair (:mod:`annotator.agreement.character`).
* ``"passage"``: units are sentences, 1 when spans of the label cover more than half of it
  (:mod:`annotator.agreement.passages`); same coefficients.
* ``"span"``: per pair and label precision, recall and F1 of matched spans, plus
  Krippendorff's u-alpha (:mod:`annotator.agreement.spans`, :mod:`.unitizing`).

Whatever the level, every pair also gets the span comparison (confusion matrix and the
diagnosis of every span), so any number can be traced to spans. Nothing is dropped without a
line in ``notes``: documents an annotator did not annotate, and u-alpha left undefined
because an annotator's spans of one label overlap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

from annotator.agreement.character import character_table
from annotator.agreement.inputs import AgreementDocument, annotators_in, labels_in
from annotator.agreement.passages import passage_table
from annotator.agreement.spans import MatchMode, PairComparison, SpanMatch, compare_spans
from annotator.agreement.table import UnitTable
from annotator.agreement.unitizing import unitizing_alpha

ReportLevel = Literal["char", "span", "passage"]
NAN = float("nan")


@dataclass(frozen=True, slots=True)
class PairRow:
    """One cell of the pairs x labels table; unused measures are NaN."""

    a: str
    b: str
    label: str
    kappa: float = NAN
    precision: float = NAN
    recall: float = NAN
    f1: float = NAN
    u_alpha: float = NAN
    units: int = 0
    """Units both annotated (characters or sentences), or spans of both at span level."""


@dataclass(frozen=True, slots=True)
class LabelRow:
    """A label over all chosen annotators: alpha (char/passage level) and each one's share."""

    label: str
    alpha: float
    units: int
    positives: Mapping[str, int]
    """Per annotator: characters or sentences in the label, or spans at span level."""


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """Per-document breakdown: alpha and the pair measure (kappa, or F1 at span level)."""

    document: str
    label: str
    alpha: float
    pairs: Mapping[tuple[str, str], float]


@dataclass(frozen=True, slots=True)
class AgreementReport:
    level: ReportLevel
    annotators: tuple[str, ...]
    labels: tuple[str, ...]
    documents: tuple[str, ...]
    pair_measure: str
    label_rows: tuple[LabelRow, ...]
    pair_rows: tuple[PairRow, ...]
    document_rows: tuple[DocumentRow, ...]
    comparisons: Mapping[tuple[str, str], PairComparison]
    notes: tuple[str, ...] = field(default=())

    def confusion(self, a: str, b: str) -> Mapping[tuple[str, str], int]:
        return self.comparisons[(a, b)].confusion

    def diagnosis(self, a: str, b: str) -> tuple[SpanMatch, ...]:
        return self.comparisons[(a, b)].diagnosis

    def pair(self, a: str, b: str, label: str) -> PairRow:
        return next(r for r in self.pair_rows if (r.a, r.b, r.label) == (a, b, label))

    def label(self, label: str) -> LabelRow:
        return next(r for r in self.label_rows if r.label == label)


def build_report(
    documents: Sequence[AgreementDocument],
    *,
    level: ReportLevel = "char",
    annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    mode: MatchMode = "overlap",
    threshold: float = 0.5,
) -> AgreementReport:
    """Compute every table of the report; defaults take all annotators and labels used."""
    if level not in ("char", "span", "passage"):
        raise ValueError(f"unknown level {level!r}; use 'char', 'span' or 'passage'")
    names = tuple(annotators) if annotators is not None else annotators_in(documents)
    chosen = tuple(labels) if labels is not None else labels_in(documents)
    if len(names) < 2:
        raise ValueError("agreement needs at least two annotators")
    pairs = list(combinations(names, 2))
    notes = [
        f"document {d.key}: not annotated by {', '.join(missing)}; left out for them"
        for d in documents
        if (missing := [n for n in names if not d.annotated_by(n)])
    ]
    comparisons = {
        (a, b): compare_spans(documents, a=a, b=b, labels=chosen, mode=mode, threshold=threshold)
        for a, b in pairs
    }
    if level == "span":
        label_rows, pair_rows, doc_rows = _span_level(documents, names, chosen, comparisons, notes)
        measure = "f1"
    else:
        label_rows, pair_rows, doc_rows = _unit_level(documents, names, chosen, level)
        measure = "kappa"
    return AgreementReport(
        level=level,
        annotators=names,
        labels=chosen,
        documents=tuple(d.key for d in documents),
        pair_measure=measure,
        label_rows=tuple(label_rows),
        pair_rows=tuple(pair_rows),
        document_rows=tuple(doc_rows),
        comparisons=comparisons,
        notes=tuple(notes),
    )


def _unit_level(
    documents: Sequence[AgreementDocument],
    names: tuple[str, ...],
    labels: tuple[str, ...],
    level: ReportLevel,
) -> tuple[list[LabelRow], list[PairRow], list[DocumentRow]]:
    build = character_table if level == "char" else passage_table
    label_rows: list[LabelRow] = []
    pair_rows: list[PairRow] = []
    doc_rows: list[DocumentRow] = []
    for label in labels:
        table: UnitTable = build(documents, annotators=names, label=label)
        label_rows.append(
            LabelRow(
                label,
                table.alpha(),
                table.n_units,
                {n: table.positives(n) for n in names},
            )
        )
        for a, b in table.pairs():
            pair_rows.append(
                PairRow(a, b, label, kappa=table.kappa(a, b), units=table.shared_units(a, b))
            )
        for index, key in enumerate(table.doc_keys):
            part = table.document(index)
            kappas = {(a, b): part.kappa(a, b) for a, b in part.pairs()}
            doc_rows.append(DocumentRow(key, label, part.alpha(), kappas))
    return label_rows, pair_rows, doc_rows


def _span_level(
    documents: Sequence[AgreementDocument],
    names: tuple[str, ...],
    labels: tuple[str, ...],
    comparisons: Mapping[tuple[str, str], PairComparison],
    notes: list[str],
) -> tuple[list[LabelRow], list[PairRow], list[DocumentRow]]:
    label_rows = [
        LabelRow(
            label,
            NAN,
            sum(len(d.spans_of(n, label)) for d in documents for n in names),
            {n: sum(len(d.spans_of(n, label)) for d in documents) for n in names},
        )
        for label in labels
    ]
    pair_rows: list[PairRow] = []
    for (a, b), comp in comparisons.items():
        for label in labels:
            s = comp.score(label)
            try:
                u = unitizing_alpha(documents, pair=(a, b), label=label).alpha
            except ValueError as exc:
                u = NAN
                notes.append(f"u-alpha {a}/{b} {label} undefined: {exc}")
            pair_rows.append(
                PairRow(
                    a,
                    b,
                    label,
                    precision=s.precision,
                    recall=s.recall,
                    f1=s.f1,
                    u_alpha=u,
                    units=s.n_a + s.n_b,
                )
            )
    # (pair, document, label) -> [spans of both, matched]; one pass over each diagnosis.
    counts: dict[tuple[tuple[str, str], str, str], list[int]] = {}
    for pair, comp in comparisons.items():
        for m in comp.diagnosis:
            cell = counts.setdefault((pair, m.document, m.label), [0, 0])
            cell[0] += (m.a is not None) + (m.b is not None)
            cell[1] += m.status == "matched"
    doc_rows: list[DocumentRow] = []
    for doc in documents:
        for label in labels:
            f1s: dict[tuple[str, str], float] = {}
            for pair, comp in comparisons.items():
                if doc.key in comp.skipped_documents:
                    continue
                n, hits = counts.get((pair, doc.key, label), [0, 0])
                f1s[pair] = 2 * hits / n if n else math.nan
            doc_rows.append(DocumentRow(doc.key, label, NAN, f1s))
    return label_rows, pair_rows, doc_rows
