"""Pre-annotation: which suggestions are safe to accept without a look.

Only a label the model learned, at a threshold where its out-of-fold precision (each
training passage scored by a model that did not see it) reaches the minimum asked, over at
least ``model.MIN_CONFIDENT`` passages. Rule-only labels have no out-of-fold precision and
never qualify; neither does a passage in a language unlike the training data.

A passage is tagged only when it is decided for every label the model learned: each label
either scored at or above its confident threshold, or at or below the score under which
the passage is without it at the same out-of-fold precision. A passage with one confident
label and another left in doubt is not tagged: pre-tagged passages are walked past in
passage mode (``core.passage_nav``), so a missing second label would never be seen.
Both cuts are chosen on the out-of-fold scores of the judged training passages only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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


def absent_cuts(suggester: Suggester, min_precision: float = MIN_PRECISION) -> dict[str, float]:
    """Learned label -> the score at or below which a passage is confidently without it
    (labels with no such score are left out: a passage is never decided for them)."""
    model = suggester.model
    out: dict[str, float] = {}
    for lab in model.labels if model is not None else ():
        got = model.confident_absent(lab, min_precision) if model is not None else None
        if got is not None:
            out[lab] = got[0]
    return out


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
    absent: Mapping[str, float] | None = None,
) -> list[tuple[int, int, str]]:
    """(start, end, label) for each passage and confident label scored at or above its
    confident threshold; passages in ``skip`` (already judged) are left alone.

    With ``absent`` (:func:`absent_cuts`), only passages decided for every label the model
    scored (each at or above its confident threshold or at or below its absent cut) and on
    which no rule of a label it has not learned fired."""
    cut = {c.label: c.threshold for c in confident}
    skipped = set(skip)
    out = []
    for start, end, row in rows:
        if (start, end) in skipped:
            continue
        tags = []
        decided = True
        for s in row:
            if s.source != "model" or s.note:
                # a foreign language, or a rule of a label not learned yet that fired
                decided = decided and not s.note and not s.shown
                continue
            if s.label in cut and s.score >= cut[s.label]:
                tags.append((start, end, s.label))
            elif absent is not None and not (s.label in absent and s.score <= absent[s.label]):
                decided = False
        if tags and (absent is None or decided):
            out.extend(tags)
    return out


def all_suggestions(
    rows: Iterable[tuple[int, int, Sequence[LabelScore]]],
    *,
    skip: Iterable[tuple[int, int]] = (),
) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]]]:
    """Accept everything shown in a document ("Accept all suggestions", to read and fix
    after): (start, end, label) for each label shown on a passage (the model at each
    label's own threshold, rules for labels it has not learned), and (start, end) of each
    passage where nothing is shown, judged "no label". Passages in ``skip`` (already
    tagged or judged) and passages in a language unlike the training data are left alone."""
    skipped = set(skip)
    spans: list[tuple[int, int, str]] = []
    none: list[tuple[int, int]] = []
    for start, end, row in rows:
        if (start, end) in skipped or any(s.note for s in row):
            continue
        shown = sorted({s.label for s in row if s.shown})
        if shown:
            spans.extend((start, end, lab) for lab in shown)
        else:
            none.append((start, end))
    return spans, none
