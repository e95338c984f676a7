"""Pre-annotation tags only passages decided for every label the model learned: passage
mode walks past what it tagged, so a second label left in doubt would never be seen."""

from __future__ import annotations

import numpy as np

from annotator.suggest.combine import LabelScore, Suggester
from annotator.suggest.model import PassageModel
from annotator.suggest.preannotate import absent_cuts, confident_labels, confident_spans
from annotator.suggest.rules import RuleSet


def _model() -> PassageModel:
    """Out-of-fold scores of 40 judged passages: MILITARY and DIPLOMATIC both clean
    above 0.8 and below 0.2, mixed in between."""
    cols, given = [], []
    for _lab in ("MILITARY", "DIPLOMATIC"):
        p = np.concatenate([np.linspace(0.85, 1, 15), np.linspace(0, 0.15, 15), np.full(10, 0.5)])
        y = np.concatenate([np.ones(15), np.zeros(15), np.arange(10) % 2]).astype(bool)
        cols.append(p)
        given.append(y)
    return PassageModel(
        ("MILITARY", "DIPLOMATIC"),
        RuleSet({}),
        None,
        [],
        40,
        thresholds=(0.5, 0.5),
        oof=np.column_stack(cols),
        oof_given=np.column_stack(given),
    )


def _row(mil: float, dip: float, note: str = "") -> list[LabelScore]:
    return [
        LabelScore("MILITARY", mil, "model", mil >= 0.5 and not note, note=note),
        LabelScore("DIPLOMATIC", dip, "model", dip >= 0.5 and not note, note=note),
    ]


def test_a_passage_with_a_label_in_doubt_is_not_pre_tagged() -> None:
    sug = Suggester(_model(), RuleSet({}))
    confident, why = confident_labels(sug, 0.95)
    assert {c.label for c in confident} == {"MILITARY", "DIPLOMATIC"}, why
    cut = {c.label: c.threshold for c in confident}
    assert cut == {"MILITARY": 0.85, "DIPLOMATIC": 0.85}  # the lowest with precision >= 0.95
    absent = absent_cuts(sug, 0.95)
    assert absent == {"MILITARY": 0.15, "DIPLOMATIC": 0.15}
    rows = [
        (0, 10, _row(0.95, 0.05)),  # decided: MILITARY only
        (10, 20, _row(0.95, 0.50)),  # DIPLOMATIC in doubt: left for the annotator
        (20, 30, _row(0.95, 0.97)),  # decided: both
        (30, 40, _row(0.05, 0.02)),  # decided: none (nothing to tag)
        (40, 50, _row(0.99, 0.01, note="language 'ru'")),  # foreign: never
    ]
    whole = confident_spans(rows, confident, absent=absent)
    assert whole == [(0, 10, "MILITARY"), (20, 30, "MILITARY"), (20, 30, "DIPLOMATIC")]
    # Every confident label wherever it is (without the cuts): the doubtful one too.
    assert (10, 20, "MILITARY") in confident_spans(rows, confident)
    # A rule of a label the model has not learned fired: not decided either.
    ruled = [(0, 10, [*_row(0.95, 0.05), LabelScore("ECONOMIC", 1.0, "rule", True, "oil")])]
    assert confident_spans(ruled, confident, absent=absent) == []
