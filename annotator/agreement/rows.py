"""The plain-data tables of an agreement report: rows per pair, label, summary and document.

Kept apart from :mod:`annotator.agreement.report` (which builds them) so the level functions
in :mod:`annotator.agreement._levels` can make rows without importing the builder back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from annotator.agreement._diagnosis import SpanMatch
from annotator.agreement.spans import PairComparison

ReportLevel = Literal["char", "span", "passage", "document"]
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
