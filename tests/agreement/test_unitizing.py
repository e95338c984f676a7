"""u-alpha against the worked example of Krippendorff (2004, Content Analysis, p. 254).

Two observers on the continuum 150..450 (L = 300) with categories c and k; the published
values per category: D_o(c) = 0.0144, D_e(c) = 0.0532, alpha(c) = 0.7286; D_o(k) = 0,
D_e(k) = 0.0490, alpha(k) = 1. (Units as ``(begin, length)`` in the book.)
"""

from __future__ import annotations

import math
import random

import pytest

from annotator.agreement.inputs import AgreementDocument
from annotator.agreement.unitizing import merge_overlaps, unitizing_alpha, unitizing_disagreement

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


# --- any number of annotators: against a segment-by-segment reading of the definition ----


def _segments(units_: list[tuple[int, int]], length: int) -> list[tuple[int, int, bool]]:
    """(begin, length, is_unit) for every unit and every non-empty gap, in order."""
    out: list[tuple[int, int, bool]] = []
    pos = 0
    for s, e in sorted(units_):
        if s > pos:
            out.append((pos, s - pos, False))
        out.append((s, e - s, True))
        pos = e
    if pos < length:
        out.append((pos, length - pos, False))
    return out


def _delta2(g: tuple[int, int, bool], h: tuple[int, int, bool]) -> float:
    (bg, lg, ug), (bh, lh, uh) = g, h
    if ug and uh and bg < bh + lh and bh < bg + lg:
        return float((bg - bh) ** 2 + (bg + lg - bh - lh) ** 2)
    if ug and not uh and bh <= bg and bg + lg <= bh + lh:
        return float(lg**2)
    if uh and not ug and bg <= bh and bh + lh <= bg + lg:
        return float(lh**2)
    return 0.0


def reference_u_alpha(length: int, coders: list[list[tuple[int, int]]]) -> tuple[float, float]:
    """D_o and D_e of one category, Krippendorff (1995; 2004, sec. 12.4), by plain loops."""
    m = len(coders)
    segs = [_segments(c, length) for c in coders]
    d_o = 0.0
    for i in range(m):
        for j in range(m):
            if i != j:
                d_o += sum(_delta2(g, h) for g in segs[i] for h in segs[j])
    d_o /= m * (m - 1) * length**2
    unit_lengths = [e - s for c in coders for s, e in c]
    gap_lengths = [n for s in segs for _, n, u in s if not u]
    n_units = len(unit_lengths)
    total = 0.0
    for n in unit_lengths:
        total += (n_units - 1) / 3 * (2 * n**3 - 3 * n**2 + n)
        total += n**2 * sum(g - n + 1 for g in gap_lengths if g >= n)
    denominator = m * length * (m * length - 1) - sum(n * (n - 1) for n in unit_lengths)
    return d_o, 2 / length * total / denominator


def _random_units(rng: random.Random, length: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = rng.randint(0, 10)
    while pos < length - 2:
        n = rng.randint(1, 15)
        if pos + n > length:
            break
        if rng.random() < 0.6:
            out.append((pos, pos + n))
        pos += n + rng.randint(0, 12)
    return out


@pytest.mark.parametrize("seed", range(25))
def test_many_annotators_match_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    m = rng.randint(3, 5)
    length = rng.randint(40, 160)
    coders = [_random_units(rng, length) for _ in range(m)]
    d_o, d_e = reference_u_alpha(length, coders)
    r = unitizing_disagreement(length, *coders)
    assert r.observed == pytest.approx(d_o, rel=1e-12, abs=1e-15)
    assert r.expected == pytest.approx(d_e, rel=1e-12, abs=1e-15)


def test_two_annotators_reference_reproduces_the_book() -> None:
    d_o, d_e = reference_u_alpha(LENGTH, [units(C_I), units(C_J)])
    assert round(1 - d_o / d_e, 4) == 0.7286


def test_all_labels_and_team_wide_over_documents() -> None:
    rng = random.Random(9)
    names = ["a", "b", "c"]
    docs = []
    for k in range(3):
        length = rng.randint(60, 120)
        spans = {
            n: [(s, e, lab) for lab in "XY" for s, e in _random_units(rng, length)] for n in names
        }
        docs.append(AgreementDocument(f"d{k}", length, spans))
    total = sum(d.length for d in docs)
    per: dict[str, tuple[float, float]] = {}
    for lab in "XY":
        coders = []
        for n in names:
            off, us = 0, []
            for d in docs:
                us += [(off + s, off + e) for s, e, _ in d.spans_of(n, lab)]
                off += d.length
            coders.append(us)
        per[lab] = reference_u_alpha(total, coders)
        got = unitizing_alpha(docs, annotators=names, label=lab)
        assert got.alpha == pytest.approx(1 - per[lab][0] / per[lab][1], rel=1e-12)
    both = unitizing_alpha(docs, annotators=names, labels=["X", "Y"])
    expected = 1 - (per["X"][0] + per["Y"][0]) / (per["X"][1] + per["Y"][1])
    assert both.alpha == pytest.approx(expected, rel=1e-12)


def test_overlapping_units_are_merged_not_refused() -> None:
    merged = AgreementDocument(
        "d", 100, {"i": [(10, 30, "c"), (20, 40, "c")], "j": [(12, 40, "c")]}
    )
    union = AgreementDocument("d", 100, {"i": [(10, 40, "c")], "j": [(12, 40, "c")]})
    r = unitizing_alpha([merged], pair=("i", "j"), label="c")
    assert r.merged == 1
    assert r.alpha == unitizing_alpha([union], pair=("i", "j"), label="c").alpha
    assert merge_overlaps([(0, 5), (5, 9)]) == ([(0, 5), (5, 9)], 0)  # touching units stay
