"""Moving between passages in passage mode, walking past the ones pre-annotation tagged.

After "Accept confident suggestions", many passages of a document already carry the
annotator's tags, taken from the model where its out-of-fold precision is high. Moving
(J and K, or a label key with tag-and-advance) can walk past those, so the annotator's keys
go to the passages that still need a decision. The window's passage mode and the keys
benchmark (``benchmarks/bench_suggest.py``) both move with :func:`step` and decide what is
pre-tagged with :func:`is_pretagged`, so the benchmark counts the keys the window needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from annotator.core.model import SpanOrigin
from annotator.core.segment import Passage


def is_pretagged(origins: Iterable[SpanOrigin]) -> bool:
    """Whether a passage whose own spans (the annotator's) have these origins was tagged
    from suggestions only: at least one span, every one ``suggested``. A passage the
    annotator tagged or corrected by hand carries a ``manual`` span and is not."""
    seen = False
    for origin in origins:
        if origin != SpanOrigin.SUGGESTED:
            return False
        seen = True
    return seen


def pretagged(items: Sequence[Passage], spans: Iterable[tuple[int, int, SpanOrigin]]) -> list[bool]:
    """:func:`is_pretagged` for each passage, from (start, end, origin) of the annotator's
    own spans (one pass over passages and spans, both in text order)."""
    mine = sorted((s, e, o) for s, e, o in spans if e > s)
    out: list[bool] = []
    k = 0
    for p in items:
        while k < len(mine) and mine[k][1] <= p.start:
            k += 1  # ends before this passage, so before every later one too
        origins = []
        j = k
        while j < len(mine) and mine[j][0] < p.end:
            if mine[j][1] > p.start:
                origins.append(mine[j][2])
            j += 1
        out.append(is_pretagged(origins))
    return out


def step(
    current: int | None, delta: int, count: int, skip: Callable[[int], bool] | None = None
) -> int | None:
    """The passage a move of ``delta`` (+1 next, -1 previous; 0: stay unless ``current`` is
    to be walked past, then onwards) lands on among ``count`` passages, walking past those
    ``skip`` marks.

    Without ``skip`` it is a plain move of one, kept inside the document. When every passage
    the way goes is walked past, the move ends on the document's last (or first) passage, so
    the annotator sees the end is reached. None when there are no passages.
    """
    if count <= 0:
        return None
    if current is None:
        current, delta = 0, 0
    if delta == 0:
        if skip is None or not skip(current):
            return current
        delta = 1
    i = current + delta
    if skip is not None:
        while 0 <= i < count and skip(i):
            i += delta
    return max(0, min(count - 1, i))
