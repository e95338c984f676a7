"""The passage classifier: one logistic regression per label over word and character n-grams.

Linear models on sparse n-gram features train in well under a second on thousands of
passages and are hard to overfit into nonsense on a few dozen; character n-grams carry
word forms (sanction, sanctions, sanctioned) that a small labelled set has not all seen.
Rule hits join the features, so the model learns how far to trust each label's rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from annotator.suggest.rules import RuleSet

Probs = npt.NDArray[np.float64]

MIN_POSITIVE = 2
"""A label needs this many tagged passages (and as many untagged) to get a classifier."""
THRESHOLD = 0.5


def _features(rules: RuleSet) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    min_df=1,
                    lowercase=True,
                    dtype=np.float32,
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(3, 5),
                    sublinear_tf=True,
                    min_df=1,
                    max_features=200_000,
                    dtype=np.float32,
                ),
            ),
        ]
    )


def _rule_columns(rules: RuleSet, texts: Sequence[str]) -> Any:
    from scipy.sparse import csr_matrix

    labels = rules.labels
    m = np.zeros((len(texts), len(labels)), dtype=np.float32)
    for i, t in enumerate(texts):
        for lab in rules.match(t):
            m[i, labels.index(lab)] = 1.0
    return csr_matrix(m)


@dataclass
class PassageModel:
    """A trained classifier; ``labels`` are the labels it can score (the trainable ones)."""

    labels: tuple[str, ...]
    rules: RuleSet
    _features: Any = field(repr=False)
    _classifiers: list[Any] = field(repr=False)
    trained_on: int = 0

    def _matrix(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import hstack

        x = self._features.transform(texts)
        if self.rules:
            x = hstack([x, _rule_columns(self.rules, texts)], format="csr")
        return x

    def predict_proba(self, texts: Sequence[str]) -> Probs:
        """Probability of each of ``labels`` (columns) for each text (rows)."""
        if not texts or not self.labels:
            return np.zeros((len(texts), len(self.labels)))
        x = self._matrix(texts)
        cols = [clf.predict_proba(x)[:, 1] for clf in self._classifiers]
        return np.column_stack(cols).astype(np.float64)


def trainable_labels(
    label_sets: Sequence[frozenset[str]], *, min_positive: int = MIN_POSITIVE
) -> list[str]:
    counts: dict[str, int] = {}
    for labs in label_sets:
        for lab in labs:
            counts[lab] = counts.get(lab, 0) + 1
    n = len(label_sets)
    return sorted(lab for lab, c in counts.items() if c >= min_positive and n - c >= min_positive)


def train(
    texts: Sequence[str],
    label_sets: Sequence[frozenset[str]],
    *,
    rules: RuleSet | None = None,
    labels: Sequence[str] | None = None,
) -> PassageModel:
    """Fit a model on passages and their label sets (an empty set: "none of the labels")."""
    rules = rules or RuleSet({})
    wanted = list(labels) if labels is not None else trainable_labels(label_sets)
    if not texts or not wanted:  # nothing to learn: scikit-learn is not even imported
        return PassageModel((), rules, None, [], len(texts))
    from scipy.sparse import hstack
    from sklearn.linear_model import LogisticRegression

    feats = _features(rules)
    x = feats.fit_transform(texts)
    if rules:
        x = hstack([x, _rule_columns(rules, texts)], format="csr")
    classifiers = []
    for lab in wanted:
        y = np.array([lab in labs for labs in label_sets], dtype=np.int8)
        # C=3: the held-out F1 of C=10 on the demo set (bench_suggest.py), fitted faster.
        clf = LogisticRegression(C=3.0, class_weight="balanced", solver="liblinear")
        clf.fit(x, y)
        classifiers.append(clf)
    return PassageModel(tuple(wanted), rules, feats, classifiers, len(texts))


def out_of_fold(
    texts: Sequence[str],
    label_sets: Sequence[frozenset[str]],
    *,
    rules: RuleSet | None = None,
    folds: int = 5,
    seed: int = 0,
) -> tuple[tuple[str, ...], Probs]:
    """Each passage scored by a model that did not see it (k-fold), for the trainable labels."""
    labels = tuple(trainable_labels(label_sets))
    probs = np.zeros((len(texts), len(labels)))
    if not labels or len(texts) < 2:
        return labels, probs
    k = max(2, min(folds, len(texts)))
    order = np.random.default_rng(seed).permutation(len(texts))
    for f in range(k):
        test = order[f::k]
        train_idx = np.setdiff1d(order, test)
        model = train(
            [texts[i] for i in train_idx],
            [label_sets[i] for i in train_idx],
            rules=rules,
            labels=[
                lab
                for lab in labels
                if 0 < sum(lab in label_sets[i] for i in train_idx) < len(train_idx)
            ],
        )
        p = model.predict_proba([texts[i] for i in test])
        for j, lab in enumerate(model.labels):
            probs[test, labels.index(lab)] = p[:, j]
    return labels, probs


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


def uncertainty(probs: Probs, threshold: float = THRESHOLD) -> npt.NDArray[np.float64]:
    """1 at the decision boundary, 0 when every label is certain: for uncertainty sampling."""
    if probs.size == 0:
        return np.zeros(probs.shape[0])
    margin = np.abs(probs - threshold).min(axis=1) / max(threshold, 1 - threshold)
    return np.asarray(1.0 - margin, dtype=np.float64)


def label_issues(given: Sequence[bool], probs: Sequence[float]) -> list[tuple[int, float]]:
    """Passages whose given label the out-of-fold model confidently contradicts.

    Confident learning for one binary label (as cleanlab does): a passage tagged L is
    suspect when the model's probability of L is below the average it gives to passages
    tagged L *and* below one half; an untagged one when its probability is above the
    average given to tagged ones. Labels the model has not learnt (tagged passages average
    below one half) give none. Returns (index, self-confidence), least confident first.
    """
    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(given, dtype=bool)
    if not y.any() or y.all():
        return []
    t_pos = float(p[y].mean())  # how confident the model typically is on tagged passages
    t_neg = float((1 - p[~y]).mean())
    if t_pos < THRESHOLD:
        return []  # a label the model has not learnt (too rare) contradicts nobody
    out = []
    for i in range(len(p)):
        if y[i] and 1 - p[i] >= t_neg and p[i] < THRESHOLD:
            out.append((i, float(p[i])))
        elif not y[i] and p[i] >= t_pos and p[i] > THRESHOLD:
            out.append((i, float(1 - p[i])))
    return sorted(out, key=lambda t: t[1])
