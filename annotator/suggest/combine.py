"""Rules and model together: what a passage is suggested, with score and source.

A label the model can score (it has seen enough tagged passages) is suggested when the
model's probability reaches the threshold; its rules are already among the model's
features. A label the model cannot score yet is suggested when one of its rules fires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from annotator.suggest.model import THRESHOLD, PassageModel
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


@dataclass(frozen=True)
class Suggester:
    """Everything needed to suggest labels; immutable, so any thread may use it."""

    model: PassageModel | None
    rules: RuleSet
    threshold: float = THRESHOLD

    @property
    def labels(self) -> list[str]:
        own = list(self.model.labels) if self.model else []
        return own + [lab for lab in self.rules.labels if lab not in own]

    @property
    def ready(self) -> bool:
        return bool(self.labels)

    def score(self, texts: Sequence[str]) -> list[list[LabelScore]]:
        """Every scorable label for each text, shown or not."""
        model_labels = self.model.labels if self.model else ()
        probs = self.model.predict_proba(texts) if self.model else None
        out = []
        for i, text in enumerate(texts):
            hits = self.rules.match(text)
            row = []
            for j, lab in enumerate(model_labels):
                assert probs is not None
                p = float(probs[i, j])
                row.append(LabelScore(lab, p, "model", p >= self.threshold, hits.get(lab, "")))
            for lab in self.rules.labels:
                if lab in model_labels:
                    continue
                rule = hits.get(lab, "")
                row.append(LabelScore(lab, RULE_SCORE if rule else 0.0, "rule", bool(rule), rule))
            out.append(row)
        return out

    def suggest(self, texts: Sequence[str]) -> list[list[LabelScore]]:
        """Only what the window shows: labels at or above the threshold, or whose rule fired."""
        return [[s for s in row if s.shown] for row in self.score(texts)]
