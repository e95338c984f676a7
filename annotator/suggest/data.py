"""From spans to passage labels: a passage carries label L when L spans cover most of it."""

from __future__ import annotations

from bisect import bisect_right
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
    """Non-space characters in ``text[start:end]`` (``str.split`` and ``str.isspace``
    agree on what a space is; the join runs in C)."""
    return len("".join(text[start:end].split()))


def passage_labels(
    text: str,
    items: Sequence[Passage],
    spans: Iterable[tuple[int, int, str]],
    *,
    min_cover: float = MIN_COVER,
) -> list[frozenset[str]]:
    """The labels each passage carries, given ``(start, end, label)`` spans of one annotator.

    Overlapping spans of one label count once (their union covers the passage). Each
    passage looks only at the merged ranges that reach into it (found by bisection), so a
    long document with tens of thousands of spans costs a pass, not passages x spans.
    """
    by_label: dict[str, list[tuple[int, int]]] = {}
    for s, e, lab in spans:
        by_label.setdefault(lab, []).append((s, e))
    out: list[set[str]] = [set() for _ in items]
    sizes: list[int | None] = [None] * len(items)
    for lab, ranges in by_label.items():
        merged = _merge(sorted(ranges))
        ends = [e for _s, e in merged]  # increasing: merged ranges are disjoint and sorted
        for i, p in enumerate(items):
            k = bisect_right(ends, p.start)  # the first range ending after the passage starts
            if k == len(merged) or merged[k][0] >= p.end:
                continue
            size = sizes[i]
            if size is None:
                size = sizes[i] = _content(text, p.start, p.end)
            if size == 0:
                continue
            covered = 0
            while k < len(merged) and merged[k][0] < p.end:
                s, e = merged[k]
                covered += _content(text, max(s, p.start), min(e, p.end))
                k += 1
            if covered / size >= min_cover:
                out[i].add(lab)
    return [frozenset(x) for x in out]


def touched(items: Sequence[Passage], ranges: Iterable[tuple[int, int]]) -> list[bool]:
    """Whether any of ``ranges`` overlaps each passage (bisection: a pass, not a product)."""
    merged = _merge(sorted(ranges))
    ends = [e for _s, e in merged]
    out = []
    for p in items:
        k = bisect_right(ends, p.start)
        out.append(k < len(merged) and merged[k][0] < p.end)
    return out


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in ranges:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def judged_passages(
    text: str,
    items: Sequence[Passage],
    labels: Sequence[frozenset[str]],
    judgements: Iterable[tuple[int, int]],
    *,
    done: bool,
) -> list[bool]:
    """Which passages an annotator has judged, and so are examples to learn from.

    A document marked done was read to the end: every passage is a judgement, an untagged
    one a "none of these". Otherwise a passage is judged when the annotator tagged it, or
    said "no label" or rejected a suggestion there (``judgements``: their ``(start, end)``
    ranges, which count like spans, so a sentence judgement also judges a paragraph it
    mostly covers). An untagged passage nobody judged is unlabelled, not negative: it may
    simply not have been read yet.
    """
    if done:
        return [True] * len(items)
    ranges = [(s, e, "judged") for s, e in judgements]
    seen = passage_labels(text, items, ranges) if ranges else [frozenset()] * len(items)
    return [bool(labs) or bool(j) for labs, j in zip(labels, seen, strict=True)]
