"""No interval from fewer than two documents: a bootstrap by document over one document
repeats the figure ("0.201 [0.201, 0.201]"), which reads as certainty. The report leaves
the interval out ("n/a") and says why, in every rendering (text, CSV, JSON, HTML)."""

from __future__ import annotations

import json
import math

import numpy as np

from annotator.agreement import AgreementDocument, build_report
from annotator.agreement.bootstrap import Bootstrap
from annotator.agreement.report import MICRO, AgreementReport
from annotator.services.agreement_html import render_html
from annotator.services.agreement_report import render_csv, render_json, render_text

SPEC = Bootstrap(resamples=200, seed=3)


def _doc(key: str, k: int, names: tuple[str, ...] = ("a", "b")) -> AgreementDocument:
    """Spans that disagree a little, differently per document (``k``), so every figure is
    defined, below 1 and varies between documents."""
    base = [(10, 30, "X"), (50, 70, "Y"), (90, 120, "X"), (150, 160, "Y"), (170, 190, "X")]
    spans = {
        n: [sp for j, sp in enumerate(base) if not i or j not in (k % 5, (k * i) % 3)]
        for i, n in enumerate(names)
    }
    return AgreementDocument(key, 200, spans)


def _all_intervals(report: AgreementReport) -> list[tuple[float, float]]:
    out = [r.ci for r in report.pair_rows]
    out += [r.alpha_ci for r in report.label_rows] + [r.fleiss_ci for r in report.label_rows]
    out += [r.f1_ci for r in report.summary_rows]
    return out


def test_one_document_gives_no_interval_and_says_why() -> None:
    for level in ("char", "span"):
        report = build_report([_doc("d1", 3)], level=level, bootstrap=SPEC)  # type: ignore[arg-type]
        figures = [r.kappa if level == "char" else r.f1 for r in report.pair_rows]
        assert all(0 < f < 1 for f in figures), figures  # the figures themselves are there
        cis = _all_intervals(report)
        assert cis and all(math.isnan(lo) and math.isnan(hi) for lo, hi in cis), cis
        (why,) = [n for n in report.notes if "no intervals" in n]
        assert "one document" in why and "second document" in why
        text = render_text(report)
        assert why in text
        # No zero-width interval anywhere in what people read.
        assert not [w for w in text.split() if w.startswith("[") and w.count(",") == 1]
        assert why in render_html(report)
        assert why in json.loads(render_json(report))["notes"]
        assert "n/a" in render_csv(report) or ",," in render_csv(report)


def test_a_pair_that_shares_one_document_gets_no_interval_others_do() -> None:
    # a and b both cover d1..d4; c covers only d1 (with a and b), so the pairs with c rest
    # on one document.
    docs = [_doc("d1", 3, ("a", "b", "c"))]
    docs += [_doc(f"d{k}", k, ("a", "b")) for k in range(2, 6)]
    report = build_report(docs, level="span", bootstrap=SPEC)
    ab = report.pair("a", "b", "X").ci
    assert ab[0] < ab[1]
    for other in (("a", "c"), ("b", "c")):
        lo, hi = report.pair(*other, "X").ci
        assert math.isnan(lo) and math.isnan(hi), (other, lo, hi)
    lo, hi = report.summary(MICRO).f1_ci
    assert lo < hi
    assert "fewer than 2 documents inform the figure" in report.policies["intervals"]


def test_two_documents_are_enough() -> None:
    report = build_report([_doc("d1", 3), _doc("d2", 5)], level="char", bootstrap=SPEC)
    assert not [n for n in report.notes if "no intervals" in n]
    lo, hi = report.pair_rows[0].ci
    assert np.isfinite([lo, hi]).all()
