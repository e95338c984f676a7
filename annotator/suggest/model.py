"""The passage classifier: one logistic regression per label over hashed word n-grams and rules.

Linear models on sparse n-gram features train in a second on thousands of passages and are
hard to overfit into nonsense on a few dozen. Rule hits join the features, so the model
learns how far to trust each label's rules (and rules with ``*`` carry the word forms a
small labelled set has not all seen).

Features are hashed (``HashingVectorizer``: no vocabulary to build or keep, float32) from
word 1-2-grams, TF-IDF weighted and normalised. Character 3-5-grams, used before, cost most
of the time and memory at scale and bought nothing measurable (docs/benchmarks.md).
Every label gets balanced class weights (a label on 3% of the passages weighs as much as one
on half of them), and a decision threshold of its own chosen on out-of-fold predictions: each
training passage scored by a model that did not see it (k-fold on the training passages
only), the threshold the one with the best F1 there. The same out-of-fold scores say, per
label, how precise the model is at each threshold: pre-annotation uses only thresholds whose
out-of-fold precision is high enough.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from annotator.suggest.rules import RuleSet

Probs = npt.NDArray[np.float64]

MIN_POSITIVE = 2
"""A label needs this many tagged passages (and as many untagged) to get a classifier."""
THRESHOLD = 0.5
"""The decision threshold of a label whose out-of-fold scores are too few to choose one."""
MIN_CALIBRATION = 4
"""Out-of-fold positives a label needs before its threshold is chosen on them."""
MIN_CONFIDENT = 10
"""Out-of-fold passages at or above a threshold for its precision to count (pre-annotation)."""
C = 4.0
"""Inverse regularisation; chosen by leave-one-article-out cross-validation on the three
training articles of the benchmark (see docs/benchmarks.md), never on the two it reports."""
HASH_FEATURES = 2**20
FOLDS = 5
LARGE = 5000
"""From this many passages the out-of-fold scores use 3 folds (the time of 5 buys nothing)."""


_TOKEN = re.compile(r"(?u)\b\w\w+\b")
"""scikit-learn's default ``token_pattern``: words of two characters or more."""


def hash_word_grams(texts: Sequence[str]) -> Any:
    """Word 1-2-gram counts, hashed into ``HASH_FEATURES`` columns (a CSR matrix, float32).

    Words as scikit-learn's default analyser finds them (lower-cased, ``_TOKEN``). Each
    distinct word is hashed once (MurmurHash3, as scikit-learn's hashers) and a bigram's
    column is computed from its two words' hashes in NumPy, so the Python work is one
    dictionary look-up a word: half of ``HashingVectorizer``'s time or less on a long document,
    whose analyser joins and hashes every bigram's string in Python.
    """
    from scipy.sparse import csr_matrix
    from sklearn.utils import murmurhash3_32

    ids: dict[str, int] = {}
    get = ids.setdefault
    uid = array("i")  # word ids: 4 bytes a word, not a string object a word
    lengths = array("i")
    for text in texts:
        toks = _TOKEN.findall(text.lower())
        uid.extend([get(w, len(ids)) for w in toks])
        lengths.append(len(toks))
    raw = np.fromiter(
        (murmurhash3_32(w, positive=True) for w in ids), dtype=np.int64, count=len(ids)
    )
    n = np.frombuffer(lengths, dtype=np.int32) if len(lengths) else np.zeros(0, np.int32)
    h = raw[np.frombuffer(uid, dtype=np.int32)] if len(uid) else np.zeros(0, np.int64)
    uni = (h % HASH_FEATURES).astype(np.int32)
    rows = np.repeat(np.arange(len(texts), dtype=np.int32), n)
    same = rows[1:] == rows[:-1]  # a bigram never spans two passages
    pair = (h[:-1][same] * 1_000_003 + h[1:][same]) & 0xFFFFFFFF
    bi = ((pair ^ (pair >> 16)) % HASH_FEATURES).astype(np.int32)
    del h, rows, same, pair
    out = None
    for cols, per_row in ((uni, n), (bi, np.maximum(n - 1, 0))):
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(per_row, out=indptr[1:])
        m = csr_matrix(
            (np.ones(len(cols), dtype=np.float32), cols, indptr),
            shape=(len(texts), HASH_FEATURES),
        )
        m.sum_duplicates()  # an n-gram's occurrences in a passage: its count
        out = m if out is None else out + m
    return out


class _Features:
    """Hashed n-grams with TF-IDF weights; the rules' hits as extra 0/1 columns.

    Only the hash columns the training passages use are kept (a solver's work grows with
    the columns). Weighting and normalising are done here in NumPy, not by scikit-learn's
    transformers: scoring a document is then a few array operations, not a dozen checked
    calls, which counts when a window's documents are scored one at a time.
    """

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        # Word 1-2-grams only: character 4-grams scored the same in cross-validation on the
        # benchmark's training articles (micro-F1 0.764 against 0.761) at twice the time.
        self._hashers: list[Callable[[Sequence[str]], Any]] = [hash_word_grams]
        self._lookup: list[npt.NDArray[np.int32]] = []
        """Per block: hash column -> kept column, or -1."""
        self._idf: list[npt.NDArray[np.float32]] = []
        self.width = 0

    def fit_transform(self, texts: Sequence[str]) -> Any:
        raw = [h(texts) for h in self._hashers]
        n = max(1, len(texts))
        self._lookup, self._idf = [], []
        for b in raw:
            cols, df = np.unique(b.indices, return_counts=True)
            lookup = np.full(HASH_FEATURES, -1, dtype=np.int32)
            lookup[cols] = np.arange(len(cols), dtype=np.int32)
            self._lookup.append(lookup)
            # scikit-learn's smooth idf: ln((1 + n) / (1 + df)) + 1
            self._idf.append((np.log((1 + n) / (1 + df)) + 1).astype(np.float32))
        return self._join(texts, raw)

    def transform(self, texts: Sequence[str], hits: Sequence[dict[str, str]] | None = None) -> Any:
        return self._join(texts, [h(texts) for h in self._hashers], hits)

    def _join(
        self, texts: Sequence[str], raw: list[Any], hits: Sequence[dict[str, str]] | None = None
    ) -> Any:
        from scipy.sparse import csr_matrix, hstack

        parts = []
        n = len(texts)
        for b, lookup, idf in zip(raw, self._lookup, self._idf, strict=True):
            cols = lookup[b.indices]
            keep = cols >= 0
            rows = np.repeat(np.arange(n, dtype=np.int32), np.diff(b.indptr))[keep]
            cols = cols[keep]
            data = (np.log(b.data[keep]) + 1).astype(np.float32) * idf[cols]
            norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n))
            norms[norms == 0] = 1.0
            data = (data / norms[rows]).astype(np.float32)
            parts.append(csr_matrix((data, (rows, cols)), shape=(n, len(idf)), dtype=np.float32))
        if self.rules:
            parts.append(_rule_columns(self.rules, texts, hits))
        return hstack(parts, format="csr", dtype=np.float32)


def _rule_columns(
    rules: RuleSet, texts: Sequence[str], hits: Sequence[dict[str, str]] | None = None
) -> Any:
    from scipy.sparse import csr_matrix

    labels = rules.labels
    m = np.zeros((len(texts), len(labels)), dtype=np.float32)
    for i, row in enumerate(hits if hits is not None else rules.match_many(texts)):
        for lab in row:
            m[i, labels.index(lab)] = 1.0
    return csr_matrix(m)


def _classifier() -> Any:
    from sklearn.linear_model import LogisticRegression

    # The dual problem: its work grows with the passages, not the (many) columns; on 3,000
    # passages it fits in 0.3 s where the primal took 6 s, to the same optimum.
    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", dual=True)


@dataclass(frozen=True, slots=True)
class LabelStats:
    """What the model knows of one label it learned, from its out-of-fold scores."""

    label: str
    positives: int
    negatives: int
    threshold: float
    """Suggested at or above this probability."""
    precision: float
    recall: float
    f1: float
    """Out-of-fold, at ``threshold`` (0 when there were too few passages to score)."""


@dataclass
class PassageModel:
    """A trained classifier; ``labels`` are the labels it can score (the trainable ones)."""

    labels: tuple[str, ...]
    rules: RuleSet
    _features: Any = field(repr=False)
    _classifiers: list[Any] = field(repr=False)
    trained_on: int = 0
    thresholds: tuple[float, ...] = ()
    stats: tuple[LabelStats, ...] = ()
    not_learned: dict[str, str] = field(default_factory=dict)
    """Label -> why the model cannot score it (too few tagged passages, no negatives...)."""
    languages: frozenset[str] = frozenset()
    """Languages of the training passages (py3langid codes); empty: not checked."""
    oof: Probs | None = field(default=None, repr=False)
    """Out-of-fold probabilities of the training passages (rows), per label (columns)."""
    oof_given: npt.NDArray[np.bool_] | None = field(default=None, repr=False)
    _weights: Any = field(default=None, repr=False)
    _bias: Any = field(default=None, repr=False)
    _weights_of: Any = field(default=None, repr=False)
    """The classifier list ``_weights`` was taken from (a refit replaces the list)."""

    def matrix(self, texts: Sequence[str], hits: Sequence[dict[str, str]] | None = None) -> Any:
        return self._features.transform(texts, hits)

    def predict_proba(
        self, texts: Sequence[str], hits: Sequence[dict[str, str]] | None = None
    ) -> Probs:
        """Probability of each of ``labels`` (columns) for each text (rows); ``hits``: the
        model's rules' matches on each text, when the caller has them already."""
        if not texts or not self.labels:
            return np.zeros((len(texts), len(self.labels)))
        x = self.matrix(texts, hits)
        if self._weights_of is not self._classifiers:  # refitted (or new): one matrix again
            self._weights = np.column_stack([c.coef_.ravel() for c in self._classifiers])
            self._bias = np.array([c.intercept_[0] for c in self._classifiers])
            self._weights_of = self._classifiers
        z = np.asarray(x @ self._weights, dtype=np.float64) + self._bias
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)

    def threshold(self, label: str) -> float:
        i = self.labels.index(label)
        return self.thresholds[i] if self.thresholds else THRESHOLD

    def confident(self, label: str, min_precision: float) -> tuple[float, float, int] | None:
        """The lowest threshold at which the label's out-of-fold precision reaches
        ``min_precision`` over at least ``MIN_CONFIDENT`` passages: (threshold, that
        precision, out-of-fold passages at or above it). None when no threshold is that
        precise. Chosen for pre-annotation on the judged training passages' out-of-fold
        scores, apart from the best-F1 threshold that decides what is shown."""
        if self.oof is None or self.oof_given is None or label not in self.labels:
            return None
        j = self.labels.index(label)
        return _precise_cut(self.oof[:, j], self.oof_given[:, j], min_precision)

    def confident_absent(self, label: str, min_precision: float) -> tuple[float, float, int] | None:
        """The highest score at or below which a passage is without the label with an
        out-of-fold precision of ``min_precision`` (over at least ``MIN_CONFIDENT``
        passages): (that score, the precision, passages at or below it). None if none is."""
        if self.oof is None or self.oof_given is None or label not in self.labels:
            return None
        j = self.labels.index(label)
        got = _precise_cut(-self.oof[:, j], ~self.oof_given[:, j], min_precision)
        return None if got is None else (-got[0], got[1], got[2])


def _precise_cut(
    p: npt.NDArray[np.float64], y: npt.NDArray[np.bool_], min_precision: float
) -> tuple[float, float, int] | None:
    """The lowest ``t`` with precision of ``p >= t`` at least ``min_precision`` over at
    least ``MIN_CONFIDENT`` passages (a threshold never splits tied scores)."""
    order = np.argsort(-p, kind="stable")
    ps, ys = p[order], y[order]
    prec = np.cumsum(ys) / np.arange(1, len(ps) + 1)
    best = None
    for k in range(MIN_CONFIDENT - 1, len(ps)):
        if k + 1 < len(ps) and ps[k + 1] == ps[k]:
            continue
        if prec[k] >= min_precision:
            best = (float(ps[k]), float(prec[k]), k + 1)
    return best


def label_counts(label_sets: Sequence[frozenset[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for labs in label_sets:
        for lab in labs:
            counts[lab] = counts.get(lab, 0) + 1
    return counts


def trainable_labels(
    label_sets: Sequence[frozenset[str]], *, min_positive: int = MIN_POSITIVE
) -> list[str]:
    counts = label_counts(label_sets)
    n = len(label_sets)
    return sorted(lab for lab, c in counts.items() if c >= min_positive and n - c >= min_positive)


def why_not_learned(
    label_sets: Sequence[frozenset[str]],
    known: Sequence[str] = (),
    *,
    min_positive: int = MIN_POSITIVE,
) -> dict[str, str]:
    """Each label (seen in the data or ``known``) the model cannot learn, and why."""
    counts = label_counts(label_sets)
    n = len(label_sets)
    out: dict[str, str] = {}
    for lab in sorted(set(counts) | set(known)):
        c = counts.get(lab, 0)
        if c == 0:
            out[lab] = "no passage is tagged with it yet"
        elif c < min_positive:
            out[lab] = f"only {c} passage tagged with it; it needs {min_positive}"
        elif n - c < min_positive:
            out[lab] = (
                f"{n - c} judged passage(s) without it; it needs {min_positive} "
                "(judge passages that are not it, or mark a document done)"
            )
    return out


def _folds(n: int, folds: int, seed: int) -> list[npt.NDArray[np.intp]]:
    k = max(2, min(folds, n))
    order = np.random.default_rng(seed).permutation(n)
    return [np.sort(order[f::k]) for f in range(k)]


def _oof_matrix(
    x: Any, y: npt.NDArray[np.bool_], labels: Sequence[str], folds: int, seed: int
) -> Probs:
    """Out-of-fold probabilities on a ready feature matrix (one fit per fold and label)."""
    n = x.shape[0]
    probs = np.zeros((n, len(labels)))
    everything = np.arange(n)
    for test in _folds(n, folds, seed):
        train_idx = np.setdiff1d(everything, test, assume_unique=True)
        xt, xs = x[train_idx], x[test]
        for j in range(len(labels)):
            yt = y[train_idx, j]
            if yt.all() or not yt.any():
                probs[test, j] = float(yt.mean()) if len(yt) else 0.0
                continue
            clf = _classifier().fit(xt, yt)
            probs[test, j] = clf.predict_proba(xs)[:, 1]
    return probs


def _best_threshold(p: npt.NDArray[np.float64], y: npt.NDArray[np.bool_]) -> float:
    """The threshold with the best out-of-fold F1 (ties: the one nearest one half)."""
    if int(y.sum()) < MIN_CALIBRATION:
        return THRESHOLD
    best, best_f1 = THRESHOLD, -1.0
    for t in np.round(np.arange(0.1, 0.91, 0.025), 3):
        pred = p >= t
        tp = int((pred & y).sum())
        f1 = 2 * tp / (int(pred.sum()) + int(y.sum())) if tp else 0.0
        if f1 > best_f1 + 1e-9 or (abs(f1 - best_f1) <= 1e-9 and abs(t - 0.5) < abs(best - 0.5)):
            best, best_f1 = float(t), f1
    return best


def _prf(pred: npt.NDArray[np.bool_], y: npt.NDArray[np.bool_]) -> tuple[float, float, float]:
    tp = int((pred & y).sum())
    prec = tp / int(pred.sum()) if pred.any() else 0.0
    rec = tp / int(y.sum()) if y.any() else 0.0
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


def train(
    texts: Sequence[str],
    label_sets: Sequence[frozenset[str]],
    *,
    rules: RuleSet | None = None,
    labels: Sequence[str] | None = None,
    known: Sequence[str] = (),
    calibrate: bool = True,
    folds: int = FOLDS,
    seed: int = 0,
    languages: bool = True,
) -> PassageModel:
    """Fit a model on passages and their label sets (an empty set: "none of the labels").

    ``known``: the project's labels, so one nobody has used yet is named in ``not_learned``.
    ``calibrate``: choose each label's threshold on out-of-fold scores (k-fold on ``texts``).
    """
    rules = rules or RuleSet({})
    not_learned = why_not_learned(label_sets, known)
    wanted = list(labels) if labels is not None else trainable_labels(label_sets)
    if not texts or not wanted:  # nothing to learn: scikit-learn is not even imported
        return PassageModel((), rules, None, [], len(texts), not_learned=not_learned)
    feats = _Features(rules)
    x = feats.fit_transform(texts)
    y = np.array([[lab in labs for lab in wanted] for labs in label_sets], dtype=bool)
    oof: Probs | None = None
    thresholds = [THRESHOLD] * len(wanted)
    if calibrate and len(texts) >= 2 * MIN_CALIBRATION:
        oof = _oof_matrix(x, y, wanted, 3 if len(texts) >= LARGE else folds, seed)
        thresholds = [_best_threshold(oof[:, j], y[:, j]) for j in range(len(wanted))]
    stats = []
    for j, lab in enumerate(wanted):
        prf = _prf(oof[:, j] >= thresholds[j], y[:, j]) if oof is not None else (0.0, 0.0, 0.0)
        pos = int(y[:, j].sum())
        stats.append(LabelStats(lab, pos, len(texts) - pos, thresholds[j], *prf))
    classifiers = [_classifier().fit(x, y[:, j]) for j in range(len(wanted))]
    langs: frozenset[str] = frozenset()
    if languages:
        from annotator.suggest.language import training_languages

        langs = training_languages(texts)
    return PassageModel(
        tuple(wanted),
        rules,
        feats,
        classifiers,
        len(texts),
        tuple(thresholds),
        tuple(stats),
        not_learned,
        langs,
        oof,
        y if oof is not None else None,
    )


def out_of_fold(
    texts: Sequence[str],
    label_sets: Sequence[frozenset[str]],
    *,
    rules: RuleSet | None = None,
    folds: int = FOLDS,
    seed: int = 0,
) -> tuple[tuple[str, ...], Probs]:
    """Each passage scored by a model that did not see it (k-fold), for the trainable labels.

    The features' weights (IDF) are fitted once on all the passages; the classifiers never
    see the passages they score.
    """
    labels = tuple(trainable_labels(label_sets))
    if not labels or len(texts) < 2:
        return labels, np.zeros((len(texts), len(labels)))
    x = _Features(rules or RuleSet({})).fit_transform(texts)
    y = np.array([[lab in labs for lab in labels] for labs in label_sets], dtype=bool)
    return labels, _oof_matrix(x, y, labels, folds, seed)


def cross_validated(
    texts: Sequence[str],
    label_sets: Sequence[frozenset[str]],
    *,
    rules: RuleSet | None = None,
    folds: int = FOLDS,
    seed: int = 0,
) -> tuple[tuple[str, ...], list[frozenset[str]]]:
    """What the app would suggest for each passage, from a model that did not see it: k-fold,
    each fold's model choosing its labels' thresholds on its own training passages (nested
    out-of-fold), as a model trained on everything does. For ``suggest --evaluate``."""
    labels = tuple(trainable_labels(label_sets))
    n = len(texts)
    predicted: list[frozenset[str]] = [frozenset()] * n
    if not labels or n < 2:
        return labels, predicted
    everything = np.arange(n)
    for test in _folds(n, folds, seed):
        idx = np.setdiff1d(everything, test, assume_unique=True)
        sets = [label_sets[i] for i in idx]
        wanted = [lab for lab in labels if 0 < sum(lab in x for x in sets) < len(sets)]
        model = train(
            [texts[i] for i in idx], sets, rules=rules, labels=wanted, seed=seed, languages=False
        )
        if not model.labels:
            continue
        p = model.predict_proba([texts[i] for i in test])
        for k, i in enumerate(test):
            predicted[i] = frozenset(
                lab for j, lab in enumerate(model.labels) if p[k, j] >= model.thresholds[j]
            )
    return labels, predicted


@dataclass(frozen=True, slots=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


def scores(
    labels: Sequence[str],
    gold: Sequence[frozenset[str]],
    predicted: Sequence[frozenset[str]],
) -> list[LabelScore]:
    """Precision, recall and F1 per label over passages (0 where undefined)."""
    out = []
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if lab in g and lab in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if lab not in g and lab in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if lab in g and lab not in p)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out.append(LabelScore(lab, prec, rec, f1, tp + fn))
    return out


def micro_macro(
    labels: Sequence[str], gold: Sequence[frozenset[str]], predicted: Sequence[frozenset[str]]
) -> tuple[float, float]:
    """Micro-F1 (over every label decision) and macro-F1 (mean of the labels' F1)."""
    tp = fp = fn = 0
    for g, p in zip(gold, predicted, strict=True):
        g2, p2 = g & set(labels), p & set(labels)
        tp += len(g2 & p2)
        fp += len(p2 - g2)
        fn += len(g2 - p2)
    micro = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    per = scores(labels, gold, predicted)
    return micro, (sum(s.f1 for s in per) / len(per) if per else 0.0)


def uncertainty(
    probs: Probs, thresholds: Sequence[float] | float = THRESHOLD
) -> npt.NDArray[np.float64]:
    """1 at a label's decision threshold, 0 when every label is certain (uncertainty sampling)."""
    if probs.size == 0:
        return np.zeros(probs.shape[0])
    t = np.broadcast_to(np.asarray(thresholds, dtype=np.float64), probs.shape[1:])
    margin = (np.abs(probs - t) / np.maximum(t, 1 - t)).min(axis=1)
    return np.asarray(1.0 - margin, dtype=np.float64)


def label_issues(given: Sequence[bool], probs: Sequence[float]) -> list[tuple[int, float]]:
    """Passages whose given label the out-of-fold model contradicts, by cleanlab's confident
    learning (``cleanlab.filter.find_label_issues``, one binary task per label).

    Returns (index, self-confidence: the model's probability of the label as given), least
    confident first. A label with fewer than two passages either way gives none.
    """
    p = np.clip(np.asarray(probs, dtype=np.float64), 0.0, 1.0)
    y = np.asarray(given, dtype=bool)
    if int(y.sum()) < 2 or int((~y).sum()) < 2:
        return []
    from cleanlab.filter import find_label_issues

    pred = np.column_stack([1 - p, p])
    idx = find_label_issues(
        labels=y.astype(int), pred_probs=pred, return_indices_ranked_by="self_confidence"
    )
    return [(int(i), float(p[i] if y[i] else 1 - p[i])) for i in idx]
