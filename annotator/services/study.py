"""Agreement studies: assign documents by a plan, each annotator's queue, blind mode, progress.

The plan (annotators, overlap fraction, annotators per overlap document, seed) is stored,
so ``assign`` again later gives documents imported since then the same treatment. Blind
mode's one rule is :func:`blind_rule`: the window, exports and the suggestions' training
data all ask it what to leave out. On a team server the database applies the same rule to
a member's own SQL (row-level security, ``storage.server``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.core.model import DocumentStatus, Span
from annotator.core.study import (
    AnnotatorProgress,
    Assignment,
    BlindRule,
    StudyPlan,
    active_seconds,
    behind,
    hand_over,
    plan_assignments,
)

# Blind mode's rule and the stored plan live in ``services.blind`` (agreement, exports and
# suggestions ask it without importing the study service).
from annotator.services.blind import (
    BLIND_KEY,
    PLAN_KEY,
    _plan,
    blind_on,
    blind_rule,
    visible_layers,
    visible_spans,
)
from annotator.services.changes import Changes
from annotator.storage import Database, Tx, repo
from annotator.storage import study as store


@dataclass
class AssignResult:
    plan: StudyPlan
    assignments: list[Assignment] = field(default_factory=list)
    external_ids: dict[int, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "assignments": [
                {
                    "document": self.external_ids.get(a.document_id, ""),
                    "annotators": list(a.annotators),
                }
                for a in self.assignments
            ]
        }

    def summary(self) -> str:
        if not self.assignments:
            return "every document is assigned already; nothing to do"
        overlap = sum(1 for a in self.assignments if a.overlap)
        per: dict[str, int] = {}
        for a in self.assignments:
            for n in a.annotators:
                per[n] = per.get(n, 0) + 1
        who = ", ".join(f"{n} {c}" for n, c in sorted(per.items()))
        return (
            f"assigned {len(self.assignments)} document(s), {overlap} of them to "
            f"{self.plan.per_document} annotators (overlap set): {who}"
        )


@dataclass(frozen=True, slots=True)
class QueueItem:
    document_id: int
    external_id: str
    title: str
    status: DocumentStatus
    overlap: bool

    def as_json(self) -> dict[str, object]:
        # The id exports write (and --document takes): the number of one without an id.
        return {"document": self.external_id or str(self.document_id), "title": self.title}


@dataclass
class StudyProgress:
    annotators: list[AnnotatorProgress]
    overlap_documents: int
    overlap_done: int
    """Overlap documents at least two of their annotators have marked done."""
    agreement: dict[str, Any]
    behind: list[str]

    def as_json(self) -> dict[str, object]:
        return {
            "annotators": [p.as_json() for p in self.annotators],
            "overlap_documents": self.overlap_documents,
            "overlap_done": self.overlap_done,
            "agreement": self.agreement,
            "behind": self.behind,
        }

    def render_text(self) -> str:
        lines = [
            f"{'annotator':<16} {'assigned':>8} {'done':>5} {'in prog':>7} {'skipped':>7} "
            f"{'spans':>6} {'hours':>6} {'tags/h':>7}"
        ]
        for p in self.annotators:
            rate = "-" if p.tags_per_hour is None else f"{p.tags_per_hour:.0f}"
            lines.append(
                f"{p.name:<16} {p.assigned:>8} {p.done:>5} {p.in_progress:>7} {p.skipped:>7} "
                f"{p.spans:>6} {p.active_hours:>6.1f} {rate:>7}"
            )
        for p in self.annotators:
            for doc, reason in p.skips:
                lines.append(f"  {p.name} skipped {doc}: {reason}")
        lines.append(
            f"overlap set: {self.overlap_documents} document(s), {self.overlap_done} done by two"
            " or more of their annotators"
        )
        ag = self.agreement
        if ag.get("labels"):
            for lab, row in ag["labels"].items():
                ci = row.get("ci")
                extra = f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else ""
                alpha = row.get("alpha")
                shown = "n/a" if alpha is None else f"{alpha:.3f}"
                lines.append(f"  alpha {lab}: {shown}{extra}")
            for w in ag.get("by_week", []):
                mean = w.get("alpha")
                shown = "n/a" if mean is None else f"{mean:.3f}"
                lines.append(f"  week {w['week']}: {w['documents']} document(s), alpha {shown}")
        elif ag.get("note"):
            lines.append(f"  agreement: {ag['note']}")
        if self.behind:
            lines.append("behind: " + ", ".join(self.behind))
        return "\n".join(lines)


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else round(float(x), 4)


class StudyService:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- settings -------------------------------------------------------------------------

    def plan(self) -> StudyPlan | None:
        return self._db.read(_plan)

    def blind(self) -> bool:
        return self._db.read(blind_on)

    def set_blind(self, on: bool) -> Changes:
        self._db.write(lambda s: store.set_setting(s, BLIND_KEY, "on" if on else "off"))
        return Changes(spans=True, status=True)

    def show(self) -> dict[str, object]:
        def work(s: Tx) -> dict[str, object]:
            plan = _plan(s)
            docs, overlap = store.assigned_count(s)
            return {
                "blind": blind_on(s),
                "plan": plan.as_json() if plan is not None else None,
                "assigned_documents": docs,
                "overlap_documents": overlap,
                "documents": repo.count_documents(s),
            }

        return self._db.read(work)

    def blind_rule(self, viewer: str | None) -> BlindRule:
        return self._db.read(lambda s: blind_rule(s, viewer))

    def visible_spans(
        self, document_id: int, viewer: str | None, *, annotators: tuple[str, ...] = ()
    ) -> list[Span]:
        """A document's spans as ``viewer`` may see them (the window's load)."""

        def work(s: Tx) -> list[Span]:
            spans = repo.list_spans(s, document_id, annotators=annotators)
            return visible_spans(blind_rule(s, viewer), spans)

        return self._db.read(work)

    # --- assigning --------------------------------------------------------------------------

    def assign(
        self,
        plan: StudyPlan | None = None,
        *,
        assigned_by: str = "",
    ) -> AssignResult:
        """Assign every unassigned document by ``plan`` (stored for next time), or by the
        stored plan when none is given (documents imported since the last round)."""

        def work(s: Tx) -> AssignResult:
            chosen = plan or _plan(s)
            if chosen is None:
                raise AnnotatorError(
                    "No plan yet: give --annotators, --overlap and --per-document once."
                )
            chosen.check()
            known = {a.name for a in repo.list_annotators(s)}
            for name in chosen.annotators:
                if name not in known:
                    repo.annotator_id(s, name)  # as tagging would create them
            docs = store.unassigned_documents(s)
            n_docs, n_overlap = store.assigned_count(s)
            items = plan_assignments(
                docs,
                chosen,
                loads=store.loads(s),
                overlap_so_far=n_overlap,
                assigned_so_far=n_docs,
            )
            store.add_assignments(s, items, assigned_by)
            store.set_setting(s, PLAN_KEY, json.dumps(chosen.as_json()))
            ext = dict(_external_ids(s, [a.document_id for a in items]))
            return AssignResult(chosen, items, ext)

        return self._db.write(work)

    def hand_over(self, leaving: str, receivers: Sequence[str]) -> dict[str, int]:
        """Move ``leaving``'s unfinished assignments to ``receivers`` (balanced by length,
        never to someone already on the document). Returns receiver -> documents taken, and
        ``"(kept)"`` -> documents nobody could take (left with ``leaving``)."""
        if not receivers or leaving in receivers:
            raise AnnotatorError("Hand over to one or more other annotators (--to B,C).")

        def work(s: Tx) -> dict[str, int]:
            rows = store.assigned_rows(s)
            mine = [
                r for r in rows if r.annotator == leaving and r.status is not DocumentStatus.DONE
            ]
            if not any(r.annotator == leaving for r in rows):
                raise AnnotatorError(f"{leaving!r} has no assignments.")
            on: dict[int, set[str]] = {}
            for r in rows:
                on.setdefault(r.document_id, set()).add(r.annotator)
            by_id = {r.document_id: r for r in mine}
            moves = hand_over(
                [(r.document_id, r.length, frozenset(on[r.document_id])) for r in mine],
                list(receivers),
                store.loads(s),
            )
            counts: dict[str, int] = {}
            for doc_id, who in moves.items():
                if who is None:
                    counts["(kept)"] = counts.get("(kept)", 0) + 1
                    continue
                r = by_id[doc_id]
                store.remove_assignments(s, leaving, [doc_id])
                store.add_assignments(
                    s, [Assignment(doc_id, (who,), r.overlap, r.position)], "handover"
                )
                counts[who] = counts.get(who, 0) + 1
            return counts

        return self._db.write(work)

    # --- the annotator's queue ------------------------------------------------------------------

    def assignments(self, annotator: str) -> list[QueueItem]:
        """Everything assigned to ``annotator``, in queue order, with their status."""
        rows = self._db.read(lambda s: store.assigned_rows(s, annotators=[annotator]))
        return [QueueItem(r.document_id, r.external_id, r.title, r.status, r.overlap) for r in rows]

    def queue(self, annotator: str, *, include_skipped: bool = False) -> list[QueueItem]:
        """Assigned documents not done yet (nor skipped), in order."""
        rows = self._db.read(lambda s: store.assigned_rows(s, annotators=[annotator]))
        return [
            QueueItem(r.document_id, r.external_id, r.title, r.status, r.overlap)
            for r in rows
            if r.status is not DocumentStatus.DONE and (include_skipped or not r.skip_reason)
        ]

    def next_document(self, annotator: str, after: int | None = None) -> int | None:
        """The next document of the queue: the first after ``after`` in queue order (wrapping),
        else the first."""
        items = self.queue(annotator)
        if not items:
            return None
        ids = [i.document_id for i in items]
        if after is not None:
            order = [i.document_id for i in self.assignments(annotator)]
            if after in order:
                later = set(order[order.index(after) + 1 :])
                for d in ids:
                    if d in later:
                        return d
        return ids[0]

    def counts(self, annotator: str) -> tuple[int, int]:
        """(done, assigned) for the status bar."""
        items = self.assignments(annotator)
        return sum(1 for i in items if i.status is DocumentStatus.DONE), len(items)

    def skip(self, document_id: int, annotator: str, reason: str) -> Changes:
        reason = reason.strip()
        if not reason:
            raise AnnotatorError("Say why you skip it: the lead reads the reason in Progress.")
        found = self._db.write(lambda s: store.set_skip(s, document_id, annotator, reason))
        if not found:
            raise AnnotatorError(f"That document is not assigned to {annotator}.")
        return Changes(status=True, document_ids=frozenset({document_id}))

    def unskip(self, document_id: int, annotator: str) -> Changes:
        self._db.write(lambda s: store.set_skip(s, document_id, annotator, ""))
        return Changes(status=True, document_ids=frozenset({document_id}))

    def find_document(self, ref: str) -> int:
        found = self._db.read(lambda s: store.find_document(s, ref))
        if found is None:
            raise AnnotatorError(f"No document {ref!r} (give its external id or number).")
        return found

    def overlap_document_ids(self) -> list[int]:
        return self._db.read(store.overlap_document_ids)

    # --- progress ---------------------------------------------------------------------------

    def progress(
        self, *, bootstrap: int = 200, seed: int = 0, agreement: bool = True
    ) -> StudyProgress:
        """Per annotator counts, pace from the change log, and agreement on the done part of
        the overlap set so far (per label with intervals, and by week; left out, and
        quicker, with ``agreement=False``)."""

        def work(s: Tx) -> tuple[list[AnnotatorProgress], list[int], dict[int, dict[str, Any]]]:
            rows = store.assigned_rows(s)
            plan = _plan(s)
            names = list(plan.annotators) if plan else []
            names += sorted({r.annotator for r in rows} - set(names))
            people = {n: AnnotatorProgress(n) for n in names}
            for r in rows:
                p = people[r.annotator]
                p.assigned += 1
                if r.status is DocumentStatus.DONE:
                    p.done += 1
                elif r.skip_reason:
                    p.skipped += 1
                    p.skips.append((r.external_id or str(r.document_id), r.skip_reason))
                elif r.status is DocumentStatus.IN_PROGRESS:
                    p.in_progress += 1
            spans = store.spans_by_annotator(s, [(r.document_id, r.annotator) for r in rows])
            times = store.change_times(s, names)
            inserts = store.insert_counts(s, names)
            for n, p in people.items():
                p.spans = spans.get(n, 0)
                secs = active_seconds([t.timestamp() for t in times.get(n, [])])
                p.active_hours = secs / 3600
                p.tags_per_hour = inserts.get(n, 0) / p.active_hours if secs else None
            overlap = sorted({r.document_id for r in rows if r.overlap})
            done = store.done_times(s, overlap)
            assignees: dict[int, set[str]] = {}
            for r in rows:
                if r.overlap:
                    assignees.setdefault(r.document_id, set()).add(r.annotator)
            ready = {
                d: {"when": max(v.values()), "who": sorted(set(v) & assignees.get(d, set()))}
                for d, v in done.items()
                if len(set(v) & assignees.get(d, set())) >= 2
            }
            return list(people.values()), overlap, ready

        people, overlap, ready = self._db.read(work)
        found = self._agreement(people, ready, bootstrap, seed) if agreement else {}
        return StudyProgress(people, len(overlap), len(ready), found, behind(people))

    def _agreement(
        self,
        people: list[AnnotatorProgress],
        ready: dict[int, dict[str, Any]],
        bootstrap: int,
        seed: int,
    ) -> dict[str, Any]:
        from annotator.services.agreement import AgreementQuery, AgreementService

        names = tuple(p.name for p in people)
        if len(names) < 2 or not ready:
            return {
                "documents": 0,
                "labels": {},
                "by_week": [],
                "note": "no overlap document is done by two of its annotators yet",
            }
        svc = AgreementService(self._db)
        ids = tuple(sorted(ready))
        try:
            report = svc.report(
                AgreementQuery(annotators=names, document_ids=ids, bootstrap=bootstrap, seed=seed)
            )
        except AnnotatorError as exc:
            return {"documents": len(ids), "labels": {}, "by_week": [], "note": str(exc)}
        labels = {
            r.label: {
                "alpha": _num(r.alpha),
                "ci": None
                if math.isnan(r.alpha_ci[0])
                else [round(r.alpha_ci[0], 4), round(r.alpha_ci[1], 4)],
                "units": r.units,
            }
            for r in report.label_rows
        }
        weeks: dict[str, list[int]] = {}
        for d, info in ready.items():
            when: dt.datetime = info["when"]
            iso = when.isocalendar()
            weeks.setdefault(f"{iso.year}-W{iso.week:02d}", []).append(d)
        by_week = []
        so_far: list[int] = []
        for name in sorted(weeks):
            so_far += weeks[name]
            try:
                wr = svc.report(
                    AgreementQuery(
                        annotators=names, document_ids=tuple(sorted(so_far)), bootstrap=0
                    )
                )
                alphas = [r.alpha for r in wr.label_rows if not math.isnan(r.alpha)]
                mean = sum(alphas) / len(alphas) if alphas else float("nan")
            except AnnotatorError:
                mean = float("nan")
            by_week.append(
                {
                    "week": name,
                    "documents": len(weeks[name]),
                    "cumulative": len(so_far),
                    "alpha": _num(mean),
                }
            )
        return {
            "documents": len(ids),
            "level": report.level,
            "labels": labels,
            "by_week": by_week,
            "policies": dict(report.policies),
        }


def _external_ids(s: Tx, ids: Sequence[int]) -> Iterator[tuple[int, str]]:
    found = repo.external_ids(s, ids) if ids else {}
    for i in ids:
        yield i, found.get(i, "") or str(i)


__all__ = [
    "BLIND_KEY",
    "PLAN_KEY",
    "AssignResult",
    "QueueItem",
    "StudyProgress",
    "StudyService",
    "blind_on",
    "blind_rule",
    "visible_layers",
    "visible_spans",
]
