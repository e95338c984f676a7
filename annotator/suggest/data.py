"""From spans to passage labels: a passage carries label L when L spans cover most of it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotator.core.segment import Passage

MIN_COVER = 0.5
"""Share of a passage's non-space characters that spans of a label must cover."""


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled passage: whose judgement it is, where it is, and what it says."""

    document_id: int
    start: int
    end: int
    text: str
    labels: frozenset[str]
    annotator: str = ""


def _content(text: str, start: int, end: int) -> int:
    return sum(1 for c in text[start:end] if not c.isspace())


def passage_labels(
    text: str,
    items: Sequence[Passage],
    spans: Iterable[tuple[int, int, str]],
    *,
    min_cover: float = MIN_COVER,
) -> list[frozenset[str]]:
    """The labels each passage carries, given ``(start, end, label)`` spans of one annotator.

    Overlapping spans of one label count once (their union covers the passage).
    """
    by_label: dict[str, list[tuple[int, int]]] = {}
    for s, e, lab in spans:
        by_label.setdefault(lab, []).append((s, e))
    out: list[set[str]] = [set() for _ in items]
    for lab, ranges in by_label.items():
        merged = _merge(sorted(ranges))
        for i, p in enumerate(items):
            size = _content(text, p.start, p.end)
            if size == 0:
                continue
            covered = 0
            for s, e in merged:
                if e <= p.start:
                    continue
                if s >= p.end:
                    break
                covered += _content(text, max(s, p.start), min(e, p.end))
            if covered / size >= min_cover:
                out[i].add(lab)
    return [frozenset(x) for x in out]


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in ranges:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def seen_passages(items: Sequence[Passage], labels: Sequence[frozenset[str]], *, done: bool) -> int:
    """How many leading passages an annotator has judged.

    A document marked done was read to the end: every passage is a judgement, an untagged
    one a "none of these". In a document still in progress, passages up to the last one
    tagged were read in order (passage mode walks them so); the rest are unseen.
    """
    if done:
        return len(items)
    last = max((i for i, labs in enumerate(labels) if labs), default=-1)
    return last + 1
