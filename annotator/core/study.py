"""Agreement studies: who labels which document, planned before anyone starts.

Pure functions and value objects; storage keeps the plan and its assignments, services run it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from annotator.core.errors import AnnotatorError
from annotator.core.model import GOLD_ANNOTATOR


@dataclass(frozen=True, slots=True)
class StudyPlan:
    """The rule assignments follow: stored, so documents imported later follow it too."""

    annotators: tuple[str, ...]
    overlap: float
    """Share of the documents annotated by ``per_document`` annotators (the overlap set)."""
    per_document: int
    """How many annotators each overlap document gets (k)."""
    seed: int = 0

    def check(self) -> None:
        names = self.annotators
        if len(names) < 1:
            raise AnnotatorError("A plan needs at least one annotator (--annotators A,B,C).")
        if len(set(names)) != len(names):
            raise AnnotatorError(f"An annotator is named twice in {', '.join(names)}.")
        if GOLD_ANNOTATOR in names:
            raise AnnotatorError(f"{GOLD_ANNOTATOR!r} is the adjudicated layer, not an annotator.")
        if not 0.0 <= self.overlap <= 1.0:
            raise AnnotatorError(f"--overlap is a fraction from 0 to 1, not {self.overlap}.")
        if self.overlap > 0 and not 2 <= self.per_document <= len(names):
            raise AnnotatorError(
                f"--per-document must be from 2 to the number of annotators ({len(names)}) "
                f"when there is overlap, not {self.per_document}."
            )

    def as_json(self) -> dict[str, object]:
        return {
            "annotators": list(self.annotators),
            "overlap": self.overlap,
            "per_document": self.per_document,
            "seed": self.seed,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> StudyPlan:
        names = data.get("annotators", [])
        overlap, k, seed = data.get("overlap", 0.0), data.get("per_document", 1), data.get("seed")
        return cls(
            annotators=tuple(str(n) for n in names) if isinstance(names, list) else (),
            overlap=float(overlap) if isinstance(overlap, int | float) else 0.0,
            per_document=int(k) if isinstance(k, int) else 1,
            seed=int(seed) if isinstance(seed, int) else 0,
        )


@dataclass(frozen=True, slots=True)
class Assignment:
    document_id: int
    annotators: tuple[str, ...]
    overlap: bool
    position: int
    """Order in every assignee's queue (a seeded shuffle of the documents)."""


def plan_assignments(
    documents: Sequence[tuple[int, int]],
    plan: StudyPlan,
    *,
    loads: Mapping[str, int] | None = None,
    overlap_so_far: int = 0,
    assigned_so_far: int = 0,
) -> list[Assignment]:
    """Assign ``documents`` (id, text length), none of them assigned yet, by ``plan``.

    Seeded and repeatable: the same documents, plan and earlier assignments give the same
    result. The overlap set is the first ``round(overlap * all documents)`` of a seeded
    shuffle, less what earlier rounds put in it; each overlap document goes to
    ``per_document`` different annotators, every other one to one. Loads (characters of
    text) are balanced greedily, longest document first, each to the least-loaded
    annotators; ``loads`` are what earlier rounds gave them.
    """
    plan.check()
    docs = sorted(documents)
    rng = random.Random(f"{plan.seed}:{assigned_so_far}")
    order = list(docs)
    rng.shuffle(order)
    total = assigned_so_far + len(docs)
    target = round(plan.overlap * total) if plan.overlap > 0 else 0
    n_overlap = max(0, min(len(docs), target - overlap_so_far))
    overlap_ids = {d for d, _ in order[:n_overlap]}
    position = {d: assigned_so_far + i for i, (d, _) in enumerate(order)}
    load = {name: int((loads or {}).get(name, 0)) for name in plan.annotators}
    rank = {name: i for i, name in enumerate(rng.sample(plan.annotators, len(plan.annotators)))}
    out: dict[int, Assignment] = {}
    # Overlap documents first (they weigh k times), then the rest; longest first in each.
    for wants_overlap in (True, False):
        group = [(d, n) for d, n in docs if (d in overlap_ids) == wants_overlap]
        group.sort(key=lambda dn: (-dn[1], position[dn[0]]))
        k = plan.per_document if wants_overlap else 1
        for doc_id, length in group:
            chosen = sorted(plan.annotators, key=lambda a: (load[a], rank[a]))[:k]
            for a in chosen:
                load[a] += max(length, 1)
            out[doc_id] = Assignment(
                doc_id, tuple(sorted(chosen, key=rank.__getitem__)), wants_overlap, position[doc_id]
            )
    return [out[d] for d, _ in order]


def hand_over(
    documents: Iterable[tuple[int, int, frozenset[str]]],
    receivers: Sequence[str],
    loads: Mapping[str, int],
) -> dict[int, str | None]:
    """Who takes each of a leaving annotator's documents (id, length, already assigned to):
    the least-loaded receiver not already on it, longest document first; None if every
    receiver already has it."""
    load = {r: int(loads.get(r, 0)) for r in receivers}
    out: dict[int, str | None] = {}
    for doc_id, length, taken in sorted(documents, key=lambda d: (-d[1], d[0])):
        free = [r for r in receivers if r not in taken]
        if not free:
            out[doc_id] = None
            continue
        who = min(free, key=lambda r: (load[r], receivers.index(r)))
        load[who] += max(length, 1)
        out[doc_id] = who
    return out


@dataclass(frozen=True, slots=True)
class BlindRule:
    """What blind mode hides from ``viewer``: other annotators' spans, notes and status on
    ``documents`` (overlap documents the viewer has not marked done). Gold stays visible."""

    viewer: str = ""
    documents: frozenset[int] = frozenset()

    def hides(self, document_id: int, annotator: str) -> bool:
        return (
            document_id in self.documents
            and annotator != self.viewer
            and annotator != GOLD_ANNOTATOR
        )

    @property
    def active(self) -> bool:
        return bool(self.documents)


@dataclass
class AnnotatorProgress:
    name: str
    assigned: int = 0
    done: int = 0
    in_progress: int = 0
    skipped: int = 0
    spans: int = 0
    active_hours: float = 0.0
    tags_per_hour: float | None = None
    skips: list[tuple[str, str]] = field(default_factory=list)
    """(document external id or title, reason) of each skipped document."""

    @property
    def todo(self) -> int:
        return self.assigned - self.done - self.in_progress - self.skipped

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "assigned": self.assigned,
            "done": self.done,
            "in_progress": self.in_progress,
            "skipped": self.skipped,
            "todo": self.todo,
            "spans": self.spans,
            "active_hours": round(self.active_hours, 3),
            "tags_per_hour": None if self.tags_per_hour is None else round(self.tags_per_hour, 1),
            "skips": [{"document": d, "reason": r} for d, r in self.skips],
        }


ACTIVE_GAP_SECONDS = 300
"""Two changes this close belong to one stretch of work (active hours)."""


def active_seconds(times: Sequence[float]) -> float:
    """Seconds of work in sorted change times: gaps up to ``ACTIVE_GAP_SECONDS`` count, a
    longer pause counts as a break (each stretch also gets one gap's worth for its first tag,
    capped at a minute)."""
    if not times:
        return 0.0
    total = 0.0
    stretches = 1
    for a, b in pairwise(times):
        gap = b - a
        if gap <= ACTIVE_GAP_SECONDS:
            total += gap
        else:
            stretches += 1
    return total + 60.0 * stretches


def behind(people: Sequence[AnnotatorProgress], *, margin: float = 0.1) -> list[str]:
    """Annotators whose share of their assignment done is below the team's by ``margin``."""
    assigned = sum(p.assigned for p in people)
    if not assigned:
        return []
    team = sum(p.done for p in people) / assigned
    return [p.name for p in people if p.assigned and p.done / p.assigned < team - margin]
