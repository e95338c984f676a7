"""One plain-data agreement report that a CLI table and a GUI view render the same way.

:func:`build_report` runs the chosen level over the chosen documents, annotators and labels:

* ``"char"``: units are characters; per label Krippendorff's alpha and Fleiss' kappa over all
  annotators, Cohen's kappa per pair (:mod:`annotator.agreement.character`).
* ``"passage"``: units are sentences, 1 when spans of the label cover more than half of it
  (:mod:`annotator.agreement.passages`); same coefficients.
* ``"document"``: a passage level of one passage per document: the unit is the whole
  document, 1 when the annotator gave it the label as a document label (textcat, choices);
  same coefficients. Default labels are the document labels given.
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
from itertools import combinations

from annotator.agreement._levels import span_level, unit_level
from annotator.agreement.bootstrap import Bootstrap
from annotator.agreement.character import SpanArrays
from annotator.agreement.inputs import (
    AgreementDocument,
    annotators_in,
    doc_labels_in,
    labels_in,
)
from annotator.agreement.rows import (
    MACRO,
    MICRO,
    NAN,
    NO_CI,
    AgreementReport,
    DocumentRow,
    Interval,
    LabelRow,
    PairRow,
    ReportLevel,
    SummaryRow,
)
from annotator.agreement.spans import MatchMode, PairComparison, compare_spans
from annotator.agreement.unitizing import OVERLAP_RULE


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
    if level not in ("char", "span", "passage", "document"):
        raise ValueError(f"unknown level {level!r}; use 'char', 'span', 'passage' or 'document'")
    names = tuple(annotators) if annotators is not None else annotators_in(documents)
    used = doc_labels_in if level == "document" else labels_in
    chosen = tuple(labels) if labels is not None else used(documents)
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
        notes.append(
            "no intervals: they resample documents, and with one document every resample is"
            " that document, so an interval would only repeat the figure; cover a second"
            " document to get them"
        )
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
        "unit": {
            "char": "character",
            "passage": "sentence",
            "span": "span",
            "document": "document (its document labels)",
        }[level],
        "matching": (
            f"{mode}, threshold {threshold:g}, one-to-one, most pairs then largest overlap"
            if matching
            else "not run (char/passage/document level without diagnosis)"
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


__all__ = [
    "MACRO",
    "MICRO",
    "NAN",
    "NO_CI",
    "AgreementReport",
    "DocumentRow",
    "Interval",
    "LabelRow",
    "PairRow",
    "ReportLevel",
    "SummaryRow",
    "build_report",
]
