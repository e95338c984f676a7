"""u-alpha against the worked example of Krippendorff (2004, Content Analysis, p. 254).

Two observers on the continuum 150..450 (L = 300) with categories c and k; the published
values per category: D_o(c) = 0.0144, D_e(c) = 0.0532, alpha(c) = 0.7286; D_o(k) = 0,
D_e(k) = 0.0490, alpha(k) = 1. (Units as ``(begin, length)`` in the book.)
"""

from __future__ import annotations

import math

import pytest

from annotator.agreement.inputs import AgreementDocument
from annotator.agreement.unitizing import unitizing_alpha, unitizing_disagreement

BEGIN, LENGTH = 150, 300
C_I = [(225, 70), (370, 30)]
C_J = [(220, 80), (355, 20), (400, 20)]
K_I = [(180, 60), (300, 50)]
K_J = [(180, 60), (300, 50)]


def units(items: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(b - BEGIN, b - BEGIN + n) for b, n in items]


def test_category_c() -> None:
    r = unitizing_disagreement(LENGTH, units(C_I), units(C_J))
    assert r.observed == pytest.approx(1300 / 90000)  # delta^2 sum 50 + 850 + 400
    assert round(r.observed, 4) == 0.0144
    assert round(r.expected, 4) == 0.0532
    assert round(r.alpha, 4) == 0.7286


def test_category_k() -> None:
    r = unitizing_disagreement(LENGTH, units(K_I), units(K_J))
    assert r.observed == 0.0
    assert round(r.expected, 4) == 0.0490
    assert r.alpha == 1.0


def test_pooled_over_categories() -> None:
    c = unitizing_disagreement(LENGTH, units(C_I), units(C_J))
    k = unitizing_disagreement(LENGTH, units(K_I), units(K_J))
    pooled = 1 - (c.observed + k.observed) / (c.expected + k.expected)
    assert pooled == pytest.approx(0.8591, abs=5e-4)


def test_documents_and_symmetry() -> None:
    spans_i = [(s, e, "c") for s, e in units(C_I)] + [(s, e, "k") for s, e in units(K_I)]
    spans_j = [(s, e, "c") for s, e in units(C_J)] + [(s, e, "k") for s, e in units(K_J)]
    doc = AgreementDocument("ex", LENGTH, {"i": spans_i, "j": spans_j})
    assert round(unitizing_alpha([doc], pair=("i", "j"), label="c").alpha, 4) == 0.7286
    assert unitizing_alpha([doc], pair=("j", "i"), label="c").alpha == pytest.approx(
        unitizing_alpha([doc], pair=("i", "j"), label="c").alpha
    )
    assert math.isnan(unitizing_alpha([doc], pair=("i", "j"), label="none").alpha)


def test_overlapping_units_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        unitizing_disagreement(100, [(0, 10), (5, 20)], [(0, 10)])
