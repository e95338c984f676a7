"""Which annotations go out: majority vote across annotators and a seeded document split.

Pure functions, no I/O: the export service feeds them what it read from storage.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

from annotator.core.errors import AnnotatorError
from annotator.core.model import Span

MAJORITY_ANNOTATOR = "majority"
"""Annotator name the spans of a majority vote go out under."""

SPLIT_NAMES = {1: ("train",), 2: ("train", "test"), 3: ("train", "dev", "test")}


def majority_vote(spans: Iterable[Span], annotators: Sequence[str]) -> list[Span]:
    """Spans that more than half of ``annotators`` drew with the same start, end and label.

    The denominator is the number of chosen annotators, not the number who happened
    to tag this document: with three annotators a span needs two votes even where the
    third never opened the document. An annotator's duplicate spans count once.
    """
    if not annotators:
        raise AnnotatorError("A majority vote needs at least one annotator.")
    chosen = set(annotators)
    voters: dict[tuple[int, int, str], set[str]] = {}
    first: dict[tuple[int, int, str], Span] = {}
    for sp in spans:
        if sp.annotator not in chosen:
            continue
        voters.setdefault(sp.key, set()).add(sp.annotator)
        first.setdefault(sp.key, sp)
    need = len(chosen)
    out = [
        dataclasses.replace(first[key], annotator=MAJORITY_ANNOTATOR, note="", decided_by="")
        for key, who in voters.items()
        if 2 * len(who) > need
    ]
    out.sort(key=lambda s: (s.start, s.end, s.label))
    return out


def parse_split(text: str) -> tuple[int, ...]:
    """``"80/10/10"`` -> ``(80, 10, 10)``; one to three positive parts."""
    try:
        parts = tuple(int(p) for p in text.replace(",", "/").split("/"))
    except ValueError:
        raise AnnotatorError(f"--split {text!r}: expected numbers such as 80/10/10.") from None
    check_split(parts)
    return parts


def check_split(parts: Sequence[int]) -> None:
    if not 1 <= len(parts) <= 3 or any(p < 0 for p in parts) or sum(parts) <= 0:
        raise AnnotatorError(
            f"A split needs one to three non-negative parts with a positive sum, not {list(parts)}."
        )


def split_documents(ids: Sequence[int], parts: Sequence[int], seed: int) -> dict[str, list[int]]:
    """Assign documents to train/dev/test by ``parts`` (weights), reproducibly for a seed.

    The ids are sorted before the seeded shuffle, so the result depends only on the
    set of documents, the weights and the seed. Part sizes use largest remainders, so
    they add up to the number of documents and differ from the exact share by < 1.
    """
    check_split(parts)
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    total = sum(parts)
    exact = [len(order) * p / total for p in parts]
    sizes = [int(x) for x in exact]
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - sizes[i]), i))
    for i in by_remainder[: len(order) - sum(sizes)]:
        sizes[i] += 1
    out: dict[str, list[int]] = {}
    pos = 0
    for name, size in zip(SPLIT_NAMES[len(parts)], sizes, strict=True):
        out[name] = sorted(order[pos : pos + size])
        pos += size
    return out


def part_path(dest: Path, part: str, *, multi_file: bool) -> Path:
    """``out.jsonl`` -> ``out.train.jsonl``; a folder ``out`` -> ``out/train``."""
    if multi_file:
        return dest / part
    return dest.with_name(f"{dest.stem}.{part}{dest.suffix}")
