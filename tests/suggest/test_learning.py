"""Every label learned (class weights, thresholds chosen out of fold, shipped seed rules),
labels that cannot be learned named, foreign passages left alone, rules matched in bulk."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.paths import seed_rules as default_rules
from annotator.suggest.combine import Suggester
from annotator.suggest.model import micro_macro, scores, train
from annotator.suggest.preannotate import confident_labels
from annotator.suggest.rules import RuleSet, rule_lines
from benchmarks.suggest_gold import LABELS, load_gold


def _rules() -> RuleSet:
    return RuleSet.from_rules({k: rule_lines(v) for k, v in default_rules().items()})


def _split():
    gold = load_gold()
    files = sorted({g.file for g in gold})
    return [g for g in gold if g.file in files[:3]], [g for g in gold if g.file not in files[:3]]


def test_shipped_rules_cover_the_standard_labels_and_parse() -> None:
    shipped = default_rules()
    assert set(shipped) == set(LABELS)
    rs = _rules()
    assert all(len(rs.patterns[lab]) >= 10 for lab in LABELS)
    assert "ECONOMIC" in rs.match("Sanctions cut Russia's oil revenue by $20 billion.")


def test_the_rare_label_is_learned_on_unseen_articles() -> None:
    """Before: ECONOMIC (23 of 330) was never suggested (F1 0). Trained on three articles
    with the shipped rules, it is suggested for the other two, and every label has a
    threshold of its own chosen on out-of-fold scores."""
    tr, te = _split()
    m = train([g.text for g in tr], [g.labels for g in tr], rules=_rules())
    assert set(m.labels) == set(LABELS)
    assert len(m.thresholds) == 3 and all(0.1 <= t <= 0.9 for t in m.thresholds)
    stats = {s.label: s for s in m.stats}
    assert stats["ECONOMIC"].positives == sum("ECONOMIC" in g.labels for g in tr)
    assert stats["ECONOMIC"].negatives + stats["ECONOMIC"].positives == len(tr)
    p = m.predict_proba([g.text for g in te])
    pred = [
        frozenset(lab for j, lab in enumerate(m.labels) if p[i, j] >= m.thresholds[j])
        for i in range(len(te))
    ]
    per = {s.label: s.f1 for s in scores(LABELS, [g.labels for g in te], pred)}
    assert per["ECONOMIC"] >= 0.5, per
    micro, macro = micro_macro(LABELS, [g.labels for g in te], pred)
    assert micro >= 0.75 and macro >= 0.65, (micro, macro)


def test_labels_that_cannot_be_learned_are_named_with_why() -> None:
    texts = ["Troops advanced.", "Talks resumed.", "Troops fired.", "Talks stalled.", "Oil rose."]
    labs = [
        frozenset({"MILITARY"}),
        frozenset({"DIPLOMATIC"}),
        frozenset({"MILITARY"}),
        frozenset({"DIPLOMATIC"}),
        frozenset({"ECONOMIC"}),
    ]
    m = train(texts, labs, known=["MILITARY", "DIPLOMATIC", "ECONOMIC", "LOGISTICS"])
    assert set(m.labels) == {"MILITARY", "DIPLOMATIC"}
    assert m.not_learned["ECONOMIC"] == "only 1 passage tagged with it; it needs 2"
    assert m.not_learned["LOGISTICS"] == "no passage is tagged with it yet"
    everything = train(texts[:2], [frozenset({"MILITARY"})] * 2)
    assert "without it" in everything.not_learned["MILITARY"]
    _confident, why = confident_labels(Suggester(m, RuleSet({})), 0.95, ["LOGISTICS"])
    assert why["LOGISTICS"].startswith("not learned: no passage")


def test_foreign_passages_get_a_note_and_no_place_in_the_queue() -> None:
    gold = load_gold()
    m = train([g.text for g in gold], [g.labels for g in gold], rules=_rules())
    assert m.languages == frozenset({"en"})
    sug = Suggester(m, m.rules)
    texts = [
        "Президент России заявил, что переговоры о прекращении огня продолжатся.",
        "俄罗斯和乌克兰的谈判仍在继续，但停火遥遥无期。",
        "Russian troops shelled the front line near Pokrovsk overnight.",
    ]
    rows = sug.score(texts)
    for row in rows[:2]:
        assert not any(s.shown for s in row)
        assert all("unlike the training passages" in s.note for s in row)
    assert any(s.shown for s in rows[2]) and not any(s.note for s in rows[2])
    u = sug.uncertainty(texts)
    assert u[0] == 0.0 and u[1] == 0.0
    # and they are never what the queue asks about first among English ones
    english = [g.text for g in gold[:40]]
    u2 = sug.uncertainty(texts[:2] + english)
    assert int(np.argmax(u2)) >= 2


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet="abc sanctions SANCTION talks\n\x00İ.-$0123 billion", max_size=40),
        max_size=8,
    )
)
def test_rules_matched_in_bulk_agree_with_one_by_one(texts) -> None:
    rs = RuleSet.from_rules(
        {
            "E": ["sanction*", "/\\$\\s?\\d/", "billion*"],
            "D": ["peace talks", "talks"],
            "X": ["/c+b/"],
        }
    )
    bulk = rs.match_many(texts)
    for t, got in zip(texts, bulk, strict=True):
        want = {lab for lab, pats in rs.patterns.items() if any(p.search(t) for _r, p in pats)}
        assert set(got) == want, (t, got)
        for lab, rule in got.items():
            assert dict(rs.patterns[lab])[rule].search(t)
