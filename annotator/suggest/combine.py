"""Rules and model together: what a passage is suggested, with score and source.

A label the model can score (it has seen enough tagged passages) is suggested when the
model's probability reaches that label's threshold (chosen on out-of-fold predictions); its
rules are already among the model's features, and the rule that fired is named. A label the
model cannot score yet is suggested when one of its rules fires. A passage in a language the
model was not trained on gets no suggestion, only a note saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from annotator.suggest.model import PassageModel
from annotator.suggest.rules import RuleSet

Source = Literal["model", "rule"]
RULE_SCORE = 1.0


@dataclass(frozen=True, slots=True)
class LabelScore:
    """One label's verdict on one passage."""

    label: str
    score: float
    source: Source
    shown: bool
    rule: str = ""
    """The rule that fired, when one did."""
    note: str = ""
    """Why nothing is shown although the model scored it (e.g. a foreign language)."""


@dataclass(frozen=True)
class Suggester:
    """Everything needed to suggest labels; immutable, so any thread may use it."""

    model: PassageModel | None
    rules: RuleSet
    unlearned: dict[str, str] = field(default_factory=dict)
    """Labels the model cannot score, and why (rules may still suggest them)."""

    @property
    def labels(self) -> list[str]:
        own = list(self.model.labels) if self.model else []
        return own + [lab for lab in self.rules.labels if lab not in own]

    @property
    def ready(self) -> bool:
        return bool(self.labels)

    @property
    def not_learned(self) -> dict[str, str]:
        """Labels the model cannot score, and why (rules may still suggest them)."""
        return dict(self.model.not_learned) if self.model else dict(self.unlearned)

    def foreign(self, texts: Sequence[str]) -> list[str]:
        """For each text, a note when its language is unlike the training passages', else ''."""
        langs = self.model.languages if self.model else frozenset()
        if not langs or not texts:
            return [""] * len(texts)
        from annotator.suggest.language import detect

        known = ", ".join(sorted(langs))
        return [
            f"language '{lang}' is unlike the training passages ({known}): no suggestion"
            if lang and lang not in langs
            else ""
            for lang in detect(texts)
        ]

    def score(self, texts: Sequence[str]) -> list[list[LabelScore]]:
        """Every scorable label for each text, shown or not."""
        model_labels = self.model.labels if self.model else ()
        all_hits = self.rules.match_many(texts)
        same = self.model is not None and self.model.rules is self.rules
        probs = self.model.predict_proba(texts, all_hits if same else None) if self.model else None
        notes = self.foreign(texts)
        # Plain Python numbers once, not a NumPy scalar and a threshold look-up per cell.
        rows_p: list[list[float]] = probs.tolist() if probs is not None else []
        cuts = [self.model.threshold(lab) for lab in model_labels] if self.model else []
        rule_only = [lab for lab in self.rules.labels if lab not in model_labels]
        out = []
        for i, _text in enumerate(texts):
            hits = all_hits[i]
            note = notes[i]
            row = []
            if model_labels:
                ps = rows_p[i]
                for j, lab in enumerate(model_labels):
                    p = ps[j]
                    shown = p >= cuts[j] and not note
                    row.append(LabelScore(lab, p, "model", shown, hits.get(lab, ""), note))
            for lab in rule_only:
                rule = hits.get(lab, "")
                score = RULE_SCORE if rule else 0.0
                row.append(LabelScore(lab, score, "rule", bool(rule) and not note, rule, note))
            out.append(row)
        return out

    def suggest(self, texts: Sequence[str]) -> list[list[LabelScore]]:
        """Only what the window shows: labels at or above their threshold, or whose rule fired."""
        return [[s for s in row if s.shown] for row in self.score(texts)]

    def uncertainty(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Uncertainty sampling's priority (0-1); 0 for a passage in a foreign language."""
        from annotator.suggest.model import uncertainty

        if self.model is None or not self.model.labels:
            return np.zeros(len(texts))
        u = uncertainty(self.model.predict_proba(texts), self.model.thresholds or 0.5)
        for i, note in enumerate(self.foreign(texts)):
            if note:
                u[i] = 0.0
        return u
