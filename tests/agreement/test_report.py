"""The report: one object with the same numbers the level functions give, nothing left out."""

from __future__ import annotations

import math

import pytest

from annotator.agreement import (
    AgreementDocument,
    build_report,
    character_alpha,
    character_kappa,
    compare_spans,
    passage_kappa,
)
from annotator.agreement.spans import NO_SPAN

TEXT = "Troops massed at the border. Talks resumed in Geneva. Grain exports fell sharply."
S0, S1, S2 = (0, 28), (29, 53), (54, 81)


def corpus() -> list[AgreementDocument]:
    d1 = AgreementDocument(
        "d1",
        len(TEXT),
        {
            "ann": [(0, 28, "MIL"), (29, 53, "DIP"), (10, 20, "MIL")],
            "bob": [(0, 27, "MIL"), (29, 53, "ECO")],
            "cat": [(0, 28, "MIL"), (54, 81, "ECO")],
        },
        text=TEXT,
    )
    d2 = AgreementDocument(
        "d2",
        len(TEXT),
        {"ann": [(54, 81, "ECO")], "bob": [(54, 70, "ECO")]},  # cat did not annotate d2
        text=TEXT,
    )
    return [d1, d2]


def test_sentence_fixture_matches_segmenter() -> None:
    from annotator.core.segment import sentences

    assert [(p.start, p.end) for p in sentences(TEXT)] == [S0, S1, S2]


def test_char_report_agrees_with_level_functions() -> None:
    docs = corpus()
    r = build_report(docs, level="char")
    assert r.annotators == ("ann", "bob", "cat")
    assert r.labels == ("DIP", "ECO", "MIL")
    assert r.pair_measure == "kappa"
    assert r.label("MIL").alpha == pytest.approx(
        character_alpha(docs, annotators=("ann", "bob", "cat"), label="MIL")
    )
    assert r.pair("ann", "bob", "ECO").kappa == pytest.approx(
        character_kappa(docs, pair=("ann", "bob"), label="ECO")
    )
    assert r.pair("ann", "cat", "MIL").units == len(TEXT)  # only d1 is shared
    assert r.pair("ann", "bob", "MIL").units == 2 * len(TEXT)
    assert r.label("MIL").positives == {"ann": 28, "bob": 27, "cat": 28}
    assert any("d2: not covered by cat" in n for n in r.notes)
    assert r.uncovered == (("d2", ("cat",)),)
    d1_mil = next(row for row in r.document_rows if row.document == "d1" and row.label == "MIL")
    assert d1_mil.pairs[("ann", "cat")] == 1.0
    assert math.isnan(r.label("DIP").alpha) is False  # ann used DIP on d1
    # Char level matches no spans unless a diagnosis is asked for; then it is all there.
    assert r.comparisons == {} and not r.diagnosed
    r = build_report(docs, level="char", diagnose=True)
    assert r.confusion("ann", "bob")[("DIP", "ECO")] == 1
    assert len(r.diagnosis("ann", "bob")) == len(compare_spans(docs, a="ann", b="bob").diagnosis)


def test_passage_report() -> None:
    docs = corpus()
    r = build_report(docs, level="passage", annotators=["ann", "bob"])
    assert r.pair("ann", "bob", "MIL").units == 6
    assert r.pair("ann", "bob", "ECO").kappa == pytest.approx(
        passage_kappa(docs, pair=("ann", "bob"), label="ECO")
    )
    # d2 ECO: ann covers all of S2, bob 16 of 27 characters (> half): both 1.
    assert r.label("ECO").positives == {"ann": 1, "bob": 2}


def test_span_report() -> None:
    docs = corpus()
    r = build_report(docs, level="span", labels=["MIL", "ECO"], threshold=0.5)
    assert r.pair_measure == "f1"
    mil = r.pair("ann", "bob", "MIL")
    # ann: [0,28) and the nested [10,20); bob: [0,27): one match, one lone nested span.
    assert (mil.precision, mil.recall) == (1.0, 0.5)
    assert mil.f1 == pytest.approx(2 / 3)
    # ann's MIL spans overlap: the overlap rule merges them (said so) and u-alpha is defined.
    assert not math.isnan(mil.u_alpha)
    assert any("merged into their union" in n for n in r.notes)
    assert "merge" in r.policies["unitizing overlap rule"]
    eco = r.pair("ann", "bob", "ECO")
    assert eco.f1 == pytest.approx(2 / 3)  # d2 matched (16/27 >= 0.5); bob's d1 ECO alone
    assert not math.isnan(eco.u_alpha)
    assert r.confusion("ann", "bob").get(("MIL", NO_SPAN)) == 1
    d2 = next(row for row in r.document_rows if row.document == "d2" and row.label == "ECO")
    assert d2.pairs == {("ann", "bob"): 1.0}  # cat pairs skipped for d2


def test_report_needs_two_annotators_and_known_level() -> None:
    with pytest.raises(ValueError, match="two annotators"):
        build_report(corpus(), annotators=["ann"])
    with pytest.raises(ValueError, match="unknown level"):
        build_report(corpus(), level="word")  # type: ignore[arg-type]
