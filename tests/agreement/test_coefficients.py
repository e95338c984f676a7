"""Coefficients against published worked examples and against reference implementations."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from annotator.agreement import cohen_kappa, fleiss_kappa, krippendorff_alpha
from annotator.agreement._encode import encode
from annotator.agreement.coefficients import coincidence_matrix

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
# 4 coders x 12 units, '.' (missing) as None.
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_worked_example(level: str, expected: float) -> None:
    ours = krippendorff_alpha(K2011, level=level)  # type: ignore[arg-type]
    assert round(ours, 3) == expected
    as_array = np.array([[np.nan if v is None else v for v in row] for row in K2011])
    reference = krippendorff.alpha(as_array, level_of_measurement=level)
    assert ours == pytest.approx(reference, abs=1e-12)
    assert krippendorff_alpha(as_array, level=level) == pytest.approx(ours, abs=1e-12)  # type: ignore[arg-type]


def test_krippendorff_2011_coincidences() -> None:
    """The paper's nominal coincidence matrix: n = 40 pairable values, n_c = 9, 13, 10, 5, 3."""
    enc = encode(K2011, allow_missing=True, name="t")
    o = coincidence_matrix(enc.codes, n_values=len(enc.domain))
    assert o.sum() == pytest.approx(40)
    assert o.sum(axis=1) == pytest.approx([9, 13, 10, 5, 3])
    assert o[0, 0] == pytest.approx(7) and o[0, 1] == pytest.approx(4 / 3)
    assert np.allclose(o, o.T)


def test_string_categories_nominal() -> None:
    words = {1: "a", 2: "b", 3: "c", 4: "d", 5: "e", None: None}
    data = [[words[v] for v in row] for row in K2011]
    assert krippendorff_alpha(data) == pytest.approx(0.743421052631579)
    with pytest.raises(ValueError, match="not a number"):
        krippendorff_alpha(data, level="interval")


def test_cohen_kappa_wikipedia_example() -> None:
    # yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> p_o = 0.7, p_e = 0.5, kappa = 0.4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(
        np.array([1] * 25 + [0] * 25), np.array([1] * 20 + [0] * 5 + [1] * 10 + [0] * 15)
    ) == pytest.approx(0.4)


def test_fleiss_kappa_wikipedia_example() -> None:
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert round(fleiss_kappa(table), 3) == 0.210
    assert fleiss_kappa(table) == pytest.approx(0.20993070442195522, abs=1e-12)


def test_fleiss_kappa_rejects_uneven_rows() -> None:
    with pytest.raises(ValueError, match="same number of raters"):
        fleiss_kappa([[1, 1], [2, 1]])


def test_degenerate_cases_are_nan() -> None:
    assert math.isnan(cohen_kappa(["x"] * 5, ["x"] * 5))
    assert math.isnan(cohen_kappa([], []))
    assert math.isnan(fleiss_kappa([[3, 0], [3, 0]]))
    assert math.isnan(krippendorff_alpha([[1, 1, 1], [1, 1, 1]]))
    # Nothing pairable: each unit has one value only.
    assert math.isnan(krippendorff_alpha([[1, None], [None, 2]]))


def test_perfect_and_systematic_disagreement() -> None:
    assert cohen_kappa([0, 1, 0, 1], [0, 1, 0, 1]) == 1.0
    assert cohen_kappa([0, 1, 0, 1], [1, 0, 1, 0]) == pytest.approx(-1.0)
    assert krippendorff_alpha([[0, 1, 0, 1], [0, 1, 0, 1]]) == 1.0


def test_cohen_kappa_rejects_missing_and_unequal() -> None:
    with pytest.raises(ValueError, match="missing"):
        cohen_kappa([1, None], [1, 2])
    with pytest.raises(ValueError, match="same number"):
        cohen_kappa([1, 2, 3], [1, 2])


def test_unknown_level() -> None:
    with pytest.raises(ValueError, match="unknown level"):
        krippendorff_alpha([[1, 2]], level="cardinal")  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=60).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, 3), min_size=n, max_size=n),
            st.lists(st.integers(0, 3), min_size=n, max_size=n),
        )
    )
)
def test_cohen_kappa_matches_sklearn(pair: tuple[list[int], list[int]]) -> None:
    a, b = pair
    ours = cohen_kappa(a, b)
    if len(set(a) | set(b)) < 2:
        assert math.isnan(ours)
        return
    reference = cohen_kappa_score(a, b)
    if math.isnan(reference):
        assert math.isnan(ours)
    else:
        assert ours == pytest.approx(reference, abs=1e-9)
    assert cohen_kappa(np.array(a), np.array(b)) == pytest.approx(ours, abs=1e-12, nan_ok=True)


reliability = st.integers(min_value=2, max_value=5).flatmap(
    lambda coders: st.integers(min_value=2, max_value=30).flatmap(
        lambda units: st.lists(
            st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=units, max_size=units),
            min_size=coders,
            max_size=coders,
        )
    )
)


@settings(max_examples=200, deadline=None)
@given(reliability, st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_matches_krippendorff_package(data: list[list[int | None]], level: str) -> None:
    array = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    ours = krippendorff_alpha(data, level=level)  # type: ignore[arg-type]
    assert krippendorff_alpha(array, level=level) == pytest.approx(ours, abs=1e-12, nan_ok=True)  # type: ignore[arg-type]
    try:
        with np.errstate(all="ignore"):
            reference = float(krippendorff.alpha(array, level_of_measurement=level))
    except ValueError:
        # The package raises where alpha is undefined (one value, nothing pairable); we give NaN.
        assert math.isnan(ours)
        return
    if math.isnan(reference):
        assert math.isnan(ours)
    else:
        assert ours == pytest.approx(reference, abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(reliability)
def test_alpha_of_two_coders_without_missing_is_near_kappa(data: list[list[int | None]]) -> None:
    """Without missing values alpha differs from Scott's pi by the factor (n-1)/n only."""
    rows = [[0 if v is None else v for v in row] for row in data[:2]]
    n = 2 * len(rows[0])
    alpha = krippendorff_alpha(rows)
    flat = rows[0] + rows[1]
    p_o = sum(x == y for x, y in zip(*rows, strict=True)) / len(rows[0])
    p_e = sum((flat.count(c) / n) ** 2 for c in set(flat))
    if p_e == 1:
        assert math.isnan(alpha)
        return
    pi = (p_o - p_e) / (1 - p_e)
    assert alpha == pytest.approx(1 - (n - 1) / n * (1 - pi), abs=1e-9)
