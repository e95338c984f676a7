"""Keeping a trained model up to date between full trainings, one document's judgements at a time.

A full training fits the n-gram features and every label's classifier on all examples: seconds
on a large set, so it runs after a pause. Between two, each tag or "no label" should already
change the next suggestion. :class:`OnlineModel` keeps the examples a model was trained on
and, when a document's examples change, refits only the per-label classifiers (clones of the
trained ones, same settings) on the features the model already has: no vocabulary is learnt,
which is what a full training adds. A label the model cannot score yet waits for it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from annotator.suggest.data import Example
from annotator.suggest.model import PassageModel


def _matrix(model: PassageModel, texts: Sequence[str]) -> Any:
    return model.matrix(texts)


class OnlineModel:
    """A model and its training examples; :meth:`replace_document` refits it in place."""

    def __init__(self, model: PassageModel, examples: Sequence[Example]) -> None:
        self.model = model
        self._examples = list(examples)
        self._x: Any = None  # features of ``_examples``, computed on the first update
        self._keep = np.ones(len(self._examples), dtype=bool)
        self._extra: list[tuple[Example, Any]] = []
        """Examples that came after the training, each with its row of features."""
        self.updates = 0

    def replace_document(self, document_id: int, examples: Sequence[Example]) -> bool:
        """The document's examples are now ``examples`` (every annotator's): refit. Returns
        False when nothing could be refitted (no model, or a label left with one class)."""
        from scipy.sparse import vstack
        from sklearn.base import clone

        if not self.model.labels or not self.model._classifiers:
            return False
        if self._x is None:
            self._x = _matrix(self.model, [e.text for e in self._examples])
        for i, e in enumerate(self._examples):
            if e.document_id == document_id:
                self._keep[i] = False
        self._extra = [(e, x) for e, x in self._extra if e.document_id != document_id]
        if examples:
            rows = _matrix(self.model, [e.text for e in examples])
            self._extra += [(e, rows[i : i + 1]) for i, e in enumerate(examples)]
        x = vstack([self._x[self._keep], *(x for _e, x in self._extra)], format="csr")
        sets = [e.labels for e, k in zip(self._examples, self._keep, strict=True) if k]
        sets += [e.labels for e, _x in self._extra]
        fitted = []
        for lab, clf in zip(self.model.labels, self.model._classifiers, strict=True):
            y = np.array([lab in s for s in sets], dtype=np.int8)
            if y.all() or not y.any():
                return False  # one class left: wait for the full training
            fitted.append(clone(clf).fit(x, y))
        self.model = dataclasses.replace(self.model, _classifiers=fitted, trained_on=len(sets))
        self.updates += 1
        return True
