"""One plain-data agreement report that a CLI table and a GUI view render the same way.

:func:`build_report` runs the chosen level over the chosen documents, annotators and labels:

* ``"char"``: units are characters; per label Krippendorff's alpha and Fleiss' kappa over all
  annotators, Cohen's kappa per pair (:mod:`annotator.agreement.character`).
* ``"passage"``: units are sentences, 1 when spans of the label cover more than half of it
  (:mod:`annotator.agreement.passages`); same coefficients.
* ``"span"``: per pair and label precision, recall and F1 of matched spans and Krippendorff's
  u-alpha; per label the mean over pairs, micro and macro summaries across labels, and u-alpha
  over all annotators, per label and over all labels (:mod:`.spans`, :mod:`.unitizing`).

Char and passage level never match spans unless ``diagnose=True``; span level always does,
and keeps the diagnosis lines (one per span, with a reason) only with ``diagnose=True``.
Intervals are percentile bootstraps by document (:mod:`annotator.agreement.bootstrap`).
Nothing is dropped without a line in ``notes``; ``policies`` names every rule that shaped a
number, and ``uncovered`` lists the documents left out for some annotators.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

from annotator.agreement.bootstrap import Bootstrap
from annotator.agreement.character import SpanArrays
from annotator.agreement.inputs import AgreementDocument, annotators_in, labels_in
from annotator.agreement.spans import MatchMode, PairComparison, SpanMatch, compare_spans
from annotator.agreement.unitizing import OVERLAP_RULE

ReportLevel = Literal["char", "span", "passage"]
NAN = float("nan")
Interval = tuple[float, float]
NO_CI: Interval = (NAN, NAN)
MICRO = "(micro)"
MACRO = "(macro)"


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
    ci: Interval = NO_CI
    """Bootstrap interval of the pair measure (kappa, or F1 at span level)."""


@dataclass(frozen=True, slots=True)
class LabelRow:
    """A label over all chosen annotators: alpha and Fleiss' kappa (char/passage level) or
    u-alpha (span level), and what each one marked."""

    label: str
    alpha: float
    units: int
    positives: Mapping[str, int]
    """Per annotator: characters or sentences in the label, or spans at span level."""
    alpha_ci: Interval = NO_CI
    fleiss: float = NAN
    fleiss_ci: Interval = NO_CI
    fleiss_units: int = 0
    """Units every chosen annotator covered: the ones Fleiss' kappa is computed over."""
    u_alpha: float = NAN


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """Span level: the mean over pairs of P, R and F1 of one label, or micro/macro over all."""

    label: str
    precision: float
    recall: float
    f1: float
    f1_ci: Interval = NO_CI
    pairs: int = 0
    """Pairs whose F1 is defined (both used the label somewhere), the mean's denominator."""


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
    summary_rows: tuple[SummaryRow, ...] = ()
    u_alpha: float = NAN
    """Span level: u-alpha over all annotators and all labels."""
    policies: Mapping[str, str] = field(default_factory=dict)
    uncovered: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(document key, annotators who did not cover it): left out of their pairs."""
    names: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Document key -> (the document's own id, title), where known."""
    resamples: int = 0
    diagnosed: bool = False

    def confusion(self, a: str, b: str) -> Mapping[tuple[str, str], int]:
        return self.comparisons[(a, b)].confusion

    def diagnosis(self, a: str, b: str) -> tuple[SpanMatch, ...]:
        return self.comparisons[(a, b)].diagnosis

    def pair(self, a: str, b: str, label: str) -> PairRow:
        return next(r for r in self.pair_rows if (r.a, r.b, r.label) == (a, b, label))

    def label(self, label: str) -> LabelRow:
        return next(r for r in self.label_rows if r.label == label)

    def summary(self, label: str) -> SummaryRow:
        return next(r for r in self.summary_rows if r.label == label)

    def document_name(self, key: str) -> str:
        """The document's own id (and title) when known, else its key."""
        own, title = self.names.get(key, ("", ""))
        name = own or key
        return f"{name}: {title}" if title and title != name else name


def build_report(
    documents: Sequence[AgreementDocument],
    *,
    level: ReportLevel = "char",
    annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    mode: MatchMode = "overlap",
    threshold: float = 0.5,
    diagnose: bool = False,
    bootstrap: Bootstrap | None = None,
    policies: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AgreementReport:
    """Compute every table of the report; defaults take all annotators and labels used.

    ``policies`` adds the caller's rules (the coverage rule) to the ones stated here;
    ``progress(steps done, steps)`` is called after each pair matched and each label.
    """
    from annotator.agreement._levels import span_level, unit_level

    if level not in ("char", "span", "passage"):
        raise ValueError(f"unknown level {level!r}; use 'char', 'span' or 'passage'")
    names = tuple(annotators) if annotators is not None else annotators_in(documents)
    chosen = tuple(labels) if labels is not None else labels_in(documents)
    if len(names) < 2:
        raise ValueError("agreement needs at least two annotators")
    spec = bootstrap if bootstrap is not None else Bootstrap()
    uncovered = tuple(
        (d.key, tuple(missing))
        for d in documents
        if (missing := [n for n in names if not d.annotated_by(n)])
    )
    notes = [
        f"document {d}: not covered by {', '.join(who)}; left out of their pairs"
        for d, who in uncovered
    ]
    if spec.resamples > 0 and len(documents) < 2:
        notes.append("bootstrap by document with one document: intervals are the point itself")
    matching = level == "span" or diagnose
    index = SpanArrays()
    pairs = list(combinations(names, 2)) if matching else []
    steps = len(pairs) + len(chosen)
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], steps)

    comparisons: dict[tuple[str, str], PairComparison] = {}
    for a, b in pairs:
        comparisons[(a, b)] = compare_spans(
            documents,
            a=a,
            b=b,
            labels=chosen,
            mode=mode,
            threshold=threshold,
            diagnose=diagnose,
            index=index,
        )
        tick()
    stated = {
        "level": level,
        "unit": {"char": "character", "passage": "sentence", "span": "span"}[level],
        "matching": (
            f"{mode}, threshold {threshold:g}, one-to-one, most pairs then largest overlap"
            if matching
            else "not run (char/passage level without diagnosis)"
        ),
        "unitizing overlap rule": OVERLAP_RULE,
        "fleiss units": "units every chosen annotator covered",
        "intervals": spec.describe(),
        **(policies or {}),
    }
    if level == "span":
        parts = span_level(documents, names, chosen, comparisons, spec, notes, index, tick)
        measure = "f1"
    else:
        parts = unit_level(documents, names, chosen, level, spec, index, tick)
        measure = "kappa"
    return AgreementReport(
        level=level,
        annotators=names,
        labels=chosen,
        documents=tuple(d.key for d in documents),
        pair_measure=measure,
        label_rows=tuple(parts.label_rows),
        pair_rows=tuple(parts.pair_rows),
        document_rows=tuple(parts.document_rows),
        comparisons=comparisons,
        notes=tuple(notes),
        summary_rows=tuple(parts.summary_rows),
        u_alpha=parts.u_alpha,
        policies=stated,
        uncovered=uncovered,
        names={d.key: (d.name, d.title) for d in documents if d.name or d.title},
        resamples=max(spec.resamples, 0),
        diagnosed=diagnose,
    )
