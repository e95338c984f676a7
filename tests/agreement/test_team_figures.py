"""Team-wide figures against independent implementations: Fleiss' kappa (statsmodels), alpha
(the ``krippendorff`` package), Cohen's kappa (scikit-learn); the span summaries and the
per-document/corpus consistency; the bootstrap."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from annotator.agreement import AgreementDocument, build_report, compare_spans
from annotator.agreement.bootstrap import Bootstrap
from annotator.agreement.character import coverage
from annotator.agreement.report import MACRO, MICRO
from annotator.agreement.spans import ALL_LABELS

LABELS = ("X", "Y", "Z")


def random_doc(
    rng: np.random.Generator, key: str, names: list[str], length: int, n: int
) -> AgreementDocument:
    spans: dict[str, list[tuple[int, int, str]]] = {}
    base = [
        (int(s), int(s) + int(w), LABELS[int(k)])
        for s, w, k in zip(
            rng.integers(0, length - 40, n),
            rng.integers(1, 40, n),
            rng.integers(0, 3, n),
            strict=True,
        )
    ]
    for name in names:
        out = []
        for s, e, lab in base:
            if rng.random() < 0.2:
                continue
            s2 = max(0, s + int(rng.integers(-3, 4)))
            e2 = min(length, max(s2 + 1, e + int(rng.integers(-3, 4))))
            out.append((s2, e2, lab if rng.random() > 0.15 else LABELS[int(rng.integers(3))]))
        spans[name] = sorted(set(out))
    return AgreementDocument(key, length, spans)


@pytest.mark.parametrize("seed", range(12))
def test_char_level_coefficients_match_independent_libraries(seed: int) -> None:
    rng = np.random.default_rng(seed)
    names = [f"r{i}" for i in range(int(rng.integers(3, 6)))]
    docs = [random_doc(rng, f"d{k}", names, int(rng.integers(80, 300)), 12) for k in range(3)]
    r = build_report(docs, level="char", bootstrap=Bootstrap(resamples=0))
    for label in r.labels:
        matrix = np.vstack(
            [np.concatenate([coverage(d.length, d.spans[n], label) for d in docs]) for n in names]
        ).astype(np.uint8)
        ones = matrix.sum(axis=0)
        counts = np.stack([len(names) - ones, ones], axis=1)
        assert r.label(label).fleiss == pytest.approx(sm_fleiss(counts, method="fleiss"), abs=1e-12)
        assert r.label(label).fleiss_units == matrix.shape[1]
        theirs = krippendorff.alpha(matrix, level_of_measurement="nominal")
        assert r.label(label).alpha == pytest.approx(theirs, abs=1e-12)
        a, b = names[0], names[1]
        expected = cohen_kappa_score(matrix[0], matrix[1])
        assert r.pair(a, b, label).kappa == pytest.approx(expected, abs=1e-12)


def test_fleiss_leaves_out_units_someone_did_not_cover() -> None:
    rng = np.random.default_rng(7)
    names = ["a", "b", "c"]
    d1 = random_doc(rng, "d1", names, 200, 10)
    d2 = random_doc(rng, "d2", names, 150, 10)
    d2 = AgreementDocument("d2", 150, {k: v for k, v in d2.spans.items() if k != "c"})
    r = build_report([d1, d2], level="char", bootstrap=Bootstrap(resamples=0))
    only_d1 = build_report([d1], level="char", bootstrap=Bootstrap(resamples=0))
    for label in r.labels:
        assert r.label(label).fleiss == pytest.approx(only_d1.label(label).fleiss)
        assert r.label(label).fleiss_units == 200
        # alpha keeps d2's units for a and b (missing values for c)
        m = np.full((3, 350), np.nan)
        for i, n in enumerate(names):
            m[i, :200] = coverage(200, d1.spans[n], label)
            if n != "c":
                m[i, 200:] = coverage(150, d2.spans[n], label)
        theirs = krippendorff.alpha(m, level_of_measurement="nominal")
        assert r.label(label).alpha == pytest.approx(theirs, abs=1e-12)
    assert r.uncovered == (("d2", ("c",)),)


def test_label_differs_counts_each_span_under_its_own_label() -> None:
    # One document: A's X span is matched to B's Y span as label_differs.
    d = AgreementDocument(
        "d", 100, {"A": [(0, 10, "X"), (20, 30, "X")], "B": [(0, 10, "Y"), (20, 30, "X")]}
    )
    r = build_report([d], level="span", bootstrap=Bootstrap(resamples=0))
    for label in ("X", "Y"):
        row = next(x for x in r.document_rows if x.label == label)
        pair = r.pair("A", "B", label).f1
        doc_f1 = row.pairs[("A", "B")]
        assert (math.isnan(pair) and math.isnan(doc_f1)) or doc_f1 == pytest.approx(pair)
    assert r.pair("A", "B", "X").f1 == pytest.approx(2 / 3)
    assert r.pair("A", "B", "Y").f1 == 0.0


@pytest.mark.parametrize("seed", range(8))
def test_one_document_per_document_equals_corpus(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    d = random_doc(rng, "only", ["a", "b", "c"], 400, 40)
    r = build_report([d], level="span", bootstrap=Bootstrap(resamples=0))
    for row in r.document_rows:
        for (a, b), v in row.pairs.items():
            pair = r.pair(a, b, row.label).f1
            assert (math.isnan(v) and math.isnan(pair)) or v == pytest.approx(pair)


def test_summaries_are_means_over_pairs() -> None:
    rng = np.random.default_rng(3)
    names = ["a", "b", "c", "d"]
    docs = [random_doc(rng, f"d{k}", names, 300, 20) for k in range(4)]
    r = build_report(docs, level="span", bootstrap=Bootstrap(resamples=0))
    pairs = list(r.comparisons)
    assert len(pairs) == 6
    means = []
    for label in r.labels:
        f1s = [r.pair(a, b, label).f1 for a, b in pairs]
        assert r.summary(label).f1 == pytest.approx(np.nanmean(f1s))
        assert r.summary(label).precision == pytest.approx(
            np.nanmean([r.pair(a, b, label).precision for a, b in pairs])
        )
        means.append(r.summary(label).f1)
    assert r.summary(MACRO).f1 == pytest.approx(np.mean(means))
    micro = [r.comparisons[p].score(ALL_LABELS).f1 for p in pairs]
    assert r.summary(MICRO).f1 == pytest.approx(np.mean(micro))
    # Team-wide unitizing alpha is there for every label and over all labels.
    assert all(not math.isnan(r.label(lab).u_alpha) for lab in r.labels)
    assert not math.isnan(r.u_alpha)


def test_bootstrap_is_seeded_and_brackets_the_figure() -> None:
    rng = np.random.default_rng(11)
    names = ["a", "b", "c"]
    docs = [random_doc(rng, f"d{k}", names, 200, 10) for k in range(15)]
    spec = Bootstrap(resamples=300, seed=5)
    r1 = build_report(docs, level="char", bootstrap=spec)
    r2 = build_report(docs, level="char", bootstrap=spec)
    r3 = build_report(docs, level="char", bootstrap=Bootstrap(resamples=300, seed=6))
    assert r1.resamples == 300 and "300 resamples" in r1.policies["intervals"]
    for label in r1.labels:
        row = r1.label(label)
        assert row.alpha_ci == r2.label(label).alpha_ci
        assert row.alpha_ci != r3.label(label).alpha_ci
        lo, hi = row.alpha_ci
        assert lo < hi
        assert lo - 0.05 <= row.alpha <= hi + 0.05
        assert row.fleiss_ci[0] < row.fleiss_ci[1]
    s = build_report(docs, level="span", bootstrap=spec)
    lo, hi = s.summary(MICRO).f1_ci
    assert lo <= s.summary(MICRO).f1 <= hi


def test_matching_is_maximum_on_a_crowded_document() -> None:
    """Many overlapping spans: the sweep's groups give as many matches as scipy's
    assignment on the full eligibility matrix."""
    rng = np.random.default_rng(42)
    n = 250
    a = sorted(
        {
            (int(s), int(s) + int(w), "X")
            for s, w in zip(rng.integers(0, 900, n), rng.integers(5, 60, n), strict=True)
        }
    )
    b = sorted(
        {
            (int(s), int(s) + int(w), "X")
            for s, w in zip(rng.integers(0, 900, n), rng.integers(5, 60, n), strict=True)
        }
    )
    d = AgreementDocument("d", 1000, {"A": a, "B": b})
    for threshold in (0.3, 0.5, 0.7):
        r = compare_spans([d], a="A", b="B", threshold=threshold, diagnose=False)
        ok = np.zeros((len(a), len(b)))
        for i, x in enumerate(a):
            for j, y in enumerate(b):
                inter = max(0, min(x[1], y[1]) - max(x[0], y[0]))
                ok[i, j] = inter > 0 and inter / (x[1] - x[0] + y[1] - y[0] - inter) >= threshold
        rows, cols = linear_sum_assignment(ok, maximize=True)
        assert r.score("X").matched == int(ok[rows, cols].sum())
        assert r.diagnosis == () and not r.diagnosed


@pytest.mark.parametrize("seed", range(6))
def test_counts_from_vectors_equal_counts_from_the_table(seed: int) -> None:
    """The report's fast path (per-document vectors) against the coders x units table."""
    from annotator.agreement.character import character_table
    from annotator.agreement.stats import stats_from_vectors, table_stats

    rng = np.random.default_rng(200 + seed)
    names = ["a", "b", "c", "d"]
    docs = []
    for k in range(4):
        d = random_doc(rng, f"d{k}", names, int(rng.integers(60, 200)), 8)
        keep = {n: v for n, v in d.spans.items() if rng.random() > 0.3}
        docs.append(AgreementDocument(d.key, d.length, keep))
    for label in LABELS:
        table = table_stats(character_table(docs, annotators=names, label=label))
        fast, positives = stats_from_vectors(
            tuple(names),
            (
                [coverage(d.length, d.spans[n], label) if n in d.spans else None for n in names]
                for d in docs
            ),
        )
        np.testing.assert_allclose(fast.coincidence, table.coincidence, atol=1e-12)
        np.testing.assert_array_equal(fast.fleiss, table.fleiss)
        np.testing.assert_array_equal(fast.contingency, table.contingency)
        assert positives == [
            sum(int(coverage(d.length, d.spans[n], label).sum()) for d in docs if n in d.spans)
            for n in names
        ]


def test_bootstrap_weights_kept_or_drawn_again_give_the_same_intervals(monkeypatch) -> None:
    from annotator.agreement import bootstrap
    from annotator.agreement.stats import alpha_of

    rng = np.random.default_rng(1)
    per_doc = rng.integers(0, 50, size=(40, 3)).astype(np.float64)
    spec = Bootstrap(resamples=600, seed=9)
    bootstrap._kept.clear()
    kept = bootstrap.intervals(per_doc, alpha_of, spec)
    assert bootstrap._kept  # 40 x 600 weights are small enough to keep
    again = bootstrap.intervals(per_doc, alpha_of, spec)
    monkeypatch.setattr(bootstrap, "KEEP", 0)
    bootstrap._kept.clear()
    drawn = bootstrap.intervals(per_doc, alpha_of, spec)
    assert not bootstrap._kept
    np.testing.assert_array_equal(kept, again)
    np.testing.assert_array_equal(kept, drawn)
