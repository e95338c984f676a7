"""Pre-annotation: which suggestions are safe to accept without a look.

Only a label the model learned, at a threshold where its out-of-fold precision (each
training passage scored by a model that did not see it) reaches the minimum asked, over at
least ``model.MIN_CONFIDENT`` passages. Rule-only labels have no out-of-fold precision and
never qualify; neither does a passage in a language unlike the training data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotator.suggest.combine import LabelScore, Suggester

MIN_PRECISION = 0.95


@dataclass(frozen=True, slots=True)
class ConfidentLabel:
    label: str
    threshold: float
    precision: float
    """Out-of-fold precision at ``threshold``."""
    support: int
    """Out-of-fold passages at or above ``threshold`` that precision was measured on."""


def confident_labels(
    suggester: Suggester, min_precision: float = MIN_PRECISION, labels: Sequence[str] = ()
) -> tuple[list[ConfidentLabel], dict[str, str]]:
    """The labels pre-annotation may tag, and for each other label why not."""
    model = suggester.model
    out: list[ConfidentLabel] = []
    why: dict[str, str] = {}
    for lab in sorted(set(suggester.labels) | set(labels)):
        if model is None or lab not in model.labels:
            reason = (model.not_learned.get(lab) if model else None) or "no model yet"
            why[lab] = f"not learned: {reason}"
            continue
        got = model.confident(lab, min_precision)
        if got is None:
            why[lab] = (
                f"no threshold reaches an out-of-fold precision of {min_precision:.2f} "
                f"(at its own threshold {model.threshold(lab):.2f}: "
                + next(
                    (f"{s.precision:.2f}" for s in model.stats if s.label == lab), "not measured"
                )
                + ")"
            )
            continue
        out.append(ConfidentLabel(lab, *got))
    return out, why


def confident_spans(
    rows: Iterable[tuple[int, int, Sequence[LabelScore]]],
    confident: Sequence[ConfidentLabel],
    *,
    skip: Iterable[tuple[int, int]] = (),
) -> list[tuple[int, int, str]]:
    """(start, end, label) for each passage and confident label scored at or above its
    confident threshold; passages in ``skip`` (already judged) are left alone."""
    cut = {c.label: c.threshold for c in confident}
    skipped = set(skip)
    out = []
    for start, end, row in rows:
        if (start, end) in skipped:
            continue
        for s in row:
            if s.source == "model" and not s.note and s.label in cut and s.score >= cut[s.label]:
                out.append((start, end, s.label))
    return out
