"""Span matching: exact and overlap modes, optimal assignment, diagnosis reasons, confusion."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from annotator.agreement._assignment import max_weight_assignment
from annotator.agreement.inputs import AgreementDocument
from annotator.agreement.spans import ALL_LABELS, NO_SPAN, compare_spans


def doc(a: list[tuple[int, int, str]], b: list[tuple[int, int, str]]) -> AgreementDocument:
    return AgreementDocument("d", 200, {"A": a, "B": b})


def reasons(result: object) -> list[str]:
    return [line.reason for line in result.diagnosis]  # type: ignore[attr-defined]


def test_exact_mode_reasons() -> None:
    d = doc(
        [(0, 10, "MIL"), (20, 30, "MIL"), (40, 50, "MIL"), (80, 90, "MIL")],
        [(0, 10, "MIL"), (21, 30, "MIL"), (40, 50, "ECO")],
    )
    r = compare_spans([d], a="A", b="B", mode="exact")
    by_a = {line.a: line for line in r.diagnosis if line.a}
    assert by_a[(0, 10, "MIL")].status == "matched"
    assert by_a[(20, 30, "MIL")].reason.startswith("boundary mismatch (exact mode)")
    assert "[21, 30) MIL" in by_a[(20, 30, "MIL")].reason
    assert (
        by_a[(40, 50, "MIL")].reason == "label differs: A says MIL, B says ECO over the same range"
    )
    assert by_a[(80, 90, "MIL")].reason == "no span of label MIL by B overlaps"
    mil = r.score("MIL")
    assert (mil.n_a, mil.n_b, mil.matched) == (4, 2, 1)
    assert mil.precision == 0.5 and mil.recall == 0.25
    assert mil.f1 == pytest.approx(2 * 1 / 6)


def test_overlap_mode_threshold_reason() -> None:
    # IoU of [0, 10) and [7, 20) = 3 / 20 = 0.15; of [30, 40) and [32, 40) = 0.8.
    d = doc([(0, 10, "X"), (30, 40, "X")], [(7, 20, "X"), (32, 40, "X")])
    r = compare_spans([d], a="A", b="B", threshold=0.5)
    assert r.score("X").matched == 1
    low = next(line for line in r.diagnosis if line.a == (0, 10, "X"))
    assert low.status == "only_a"
    assert low.overlap == pytest.approx(0.15)
    assert low.reason == "best overlap 0.15 below threshold 0.50 (B's span [7, 20) X)"
    assert compare_spans([d], a="A", b="B", threshold=0.1).score("X").matched == 2


def test_optimal_assignment_beats_greedy() -> None:
    # Greedy by best overlap would pair A0-B0 (0.9) and leave A1 and B1 alone;
    # the optimal one-to-one matching pairs A0-B1 and A1-B0: two matches.
    a = [(0, 100, "X"), (5, 95, "X")]
    b = [(0, 95, "X"), (0, 60, "X")]
    r = compare_spans([doc(a, b)], a="A", b="B", threshold=0.6)
    assert r.score("X").matched == 2
    pairs = {(line.a, line.b) for line in r.diagnosis if line.status == "matched"}
    assert pairs == {((0, 100, "X"), (0, 60, "X")), ((5, 95, "X"), (0, 95, "X"))}


def test_nested_and_stacked_spans_compete() -> None:
    a = [(0, 50, "X"), (0, 50, "X"), (10, 20, "X")]
    b = [(0, 50, "X"), (10, 20, "X")]
    r = compare_spans([doc(a, b)], a="A", b="B")
    assert r.score("X").matched == 2
    lone = [line for line in r.diagnosis if line.status == "only_a"]
    assert len(lone) == 1
    assert lone[0].reason.startswith("competing: B's span [0, 50) X (overlap 1.00) is matched to")


def test_label_differs_over_overlapping_range_and_confusion() -> None:
    a = [(0, 10, "MIL"), (20, 30, "DIP"), (50, 60, "ECO")]
    b = [(0, 9, "ECO"), (20, 30, "DIP"), (100, 110, "ECO")]
    r = compare_spans([doc(a, b)], a="A", b="B")
    diff = [line for line in r.diagnosis if line.status == "label_differs"]
    assert len(diff) == 1
    assert (
        diff[0].reason
        == "label differs: A says MIL, B says ECO over an overlapping range (overlap 0.90)"
    )
    assert r.confusion == {
        ("MIL", "ECO"): 1,
        ("DIP", "DIP"): 1,
        ("ECO", NO_SPAN): 1,
        (NO_SPAN, "ECO"): 1,
    }
    assert r.score("MIL").matched == 0 and r.score("ECO").n_b == 2


def test_skipped_documents_are_reported() -> None:
    d1 = AgreementDocument("one", 20, {"A": [(0, 5, "X")], "B": [(0, 5, "X")]})
    d2 = AgreementDocument("two", 20, {"A": [(0, 5, "X")]})
    r = compare_spans([d1, d2], a="A", b="B")
    assert r.skipped_documents == ("two",)
    assert r.score("X").n_a == 1


def test_undefined_scores_are_nan() -> None:
    r = compare_spans([doc([], [(0, 5, "X")])], a="A", b="B", labels=["X", "Y"])
    assert math.isnan(r.score("X").recall) and r.score("X").precision == 0.0
    assert math.isnan(r.score("Y").f1)
    assert r.score(ALL_LABELS).n_b == 1


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="threshold"):
        compare_spans([], a="A", b="B", threshold=0.0)
    with pytest.raises(ValueError, match="mode"):
        compare_spans([], a="A", b="B", mode="fuzzy")  # type: ignore[arg-type]


span_lists = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 30), st.sampled_from(["X", "Y"])).map(
        lambda t: (t[0], t[0] + t[1], t[2])
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(
    span_lists, span_lists, st.sampled_from([0.3, 0.5, 0.8]), st.sampled_from(["exact", "overlap"])
)
def test_invariants(a: list, b: list, threshold: float, mode: str) -> None:
    r = compare_spans([doc(a, b)], a="A", b="B", labels=["X", "Y"], threshold=threshold, mode=mode)  # type: ignore[arg-type]
    # Every span appears exactly once in the diagnosis.
    assert sorted(line.a for line in r.diagnosis if line.a) == sorted(a)
    assert sorted(line.b for line in r.diagnosis if line.b) == sorted(b)
    # Confusion rows and columns sum to each side's span counts.
    for label in ("X", "Y"):
        assert sum(v for (la, _), v in r.confusion.items() if la == label) == sum(
            s[2] == label for s in a
        )
        assert sum(v for (_, lb), v in r.confusion.items() if lb == label) == sum(
            s[2] == label for s in b
        )
        assert r.score(label).matched == r.confusion.get((label, label), 0)
    # The matching is maximum: compare with scipy on the eligibility graph of each label.
    for label in ("X", "Y"):
        sa = [s for s in a if s[2] == label]
        sb = [s for s in b if s[2] == label]
        if not sa or not sb:
            continue
        ok = np.zeros((len(sa), len(sb)))
        for i, x in enumerate(sa):
            for j, y in enumerate(sb):
                inter = max(0, min(x[1], y[1]) - max(x[0], y[0]))
                iou = inter / (x[1] - x[0] + y[1] - y[0] - inter)
                ok[i, j] = (x == y) if mode == "exact" else (inter > 0 and iou >= threshold)
        rows, cols = linear_sum_assignment(ok, maximize=True)
        assert r.score(label).matched == int(ok[rows, cols].sum())
    for line in r.diagnosis:
        if line.status == "matched":
            assert line.overlap >= threshold - 1e-12


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.data())
def test_assignment_matches_scipy(n: int, m: int, data: st.DataObject) -> None:
    w = data.draw(
        st.lists(
            st.lists(st.one_of(st.just(0.0), st.floats(0.1, 3.0)), min_size=m, max_size=m),
            min_size=n,
            max_size=n,
        )
    )
    pairs = max_weight_assignment(w)
    rows, cols = linear_sum_assignment(np.array(w), maximize=True)
    assert sum(w[i][j] for i, j in pairs) == pytest.approx(float(np.array(w)[rows, cols].sum()))
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
