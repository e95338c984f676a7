"""Adjudication: turn several annotators' layers of a document into one gold layer.

An *item* is a group of proposed spans that the chosen annotators do not all agree on,
found by :func:`annotator.agreement.compare_spans` over every pair: spans matched with other
boundaries, spans given another label over the same stretch, spans the others lack. Spans
linked by any such line form one item, so with three annotators a span two of them drew and
one did not is one item, not two.

Each proposed span is identified by ``(start, end, label)`` in its document; a decision
about it (accepted, rejected, edited) is stored in the ``adjudications`` table, so an item
stays resolved after "neither" too. Gold spans belong to the annotator ``gold`` (kind gold),
record their origin (unanimous or adjudicated) and who decided, and export like any layer.
Every action is one transaction and returns a :class:`Resolution` that :meth:`undo` reverses.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from annotator.agreement import AgreementDocument, SpanTuple, compare_spans
from annotator.agreement.spans import MatchMode
from annotator.core.errors import AnnotatorError
from annotator.core.model import GOLD_ANNOTATOR, AnnotatorKind, NewSpan, Span, SpanOrigin
from annotator.core.team import Decision, DecisionRecord
from annotator.services.changes import Changes
from annotator.storage import Database, Tx, repo, team

ItemKind = Literal["label", "boundary", "unmatched"]
_KIND_RANK: dict[ItemKind, int] = {"label": 0, "boundary": 1, "unmatched": 2}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One proposed span of an item and who proposed it."""

    start: int
    end: int
    label: str
    annotators: tuple[str, ...]
    span_ids: tuple[int, ...]
    text: str
    decision: Decision | None = None

    @property
    def key(self) -> SpanTuple:
        return (self.start, self.end, self.label)


@dataclass(frozen=True, slots=True)
class Disagreement:
    document_id: int
    kind: ItemKind
    """``label`` (same stretch, other label), ``boundary`` (same label, other range) or
    ``unmatched`` (some annotators have nothing there)."""
    candidates: tuple[Candidate, ...]
    reasons: tuple[str, ...]
    missing: tuple[str, ...]
    """Chosen annotators who proposed none of the candidates."""

    @property
    def key(self) -> str:
        """Stable identity of the item within its document (for views and selection)."""
        return "|".join(f"{c.start}-{c.end}-{c.label}" for c in self.candidates)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    @property
    def is_open(self) -> bool:
        return any(c.decision is None for c in self.candidates)

    @property
    def span_ids(self) -> tuple[int, ...]:
        return tuple(i for c in self.candidates for i in c.span_ids)

    def proposed_by(self, annotator: str) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if annotator in c.annotators)


@dataclass(frozen=True, slots=True)
class UnanimousSpan:
    start: int
    end: int
    label: str
    span_ids: tuple[int, ...]
    text: str
    in_gold: bool

    @property
    def key(self) -> SpanTuple:
        return (self.start, self.end, self.label)


@dataclass(frozen=True, slots=True)
class AdjudicationView:
    """Everything an adjudication panel shows for one document."""

    document_id: int
    annotators: tuple[str, ...]
    disagreements: tuple[Disagreement, ...]
    """All items, resolved ones included; see :attr:`open_items`."""
    unanimous: tuple[UnanimousSpan, ...]
    gold: tuple[Span, ...]

    @property
    def open_items(self) -> tuple[Disagreement, ...]:
        return tuple(d for d in self.disagreements if d.is_open)


@dataclass(frozen=True, slots=True)
class Resolution:
    """What one action did, enough to undo it exactly."""

    document_ids: tuple[int, ...]
    created: tuple[int, ...]
    """Ids of gold spans this action created (spans already in gold are not listed)."""
    previous: tuple[tuple[int, SpanTuple, DecisionRecord | None], ...]
    """(document, span key, the decision before) for every decision this action set."""

    @property
    def changes(self) -> Changes:
        return Changes(spans=True, annotators=True, document_ids=frozenset(self.document_ids))


def _check_annotators(annotators: Sequence[str]) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(annotators))
    if len(names) < 2:
        raise AnnotatorError("Adjudication needs at least two annotators.")
    if GOLD_ANNOTATOR in names:
        raise AnnotatorError(f"{GOLD_ANNOTATOR!r} is the result of adjudication, not an input.")
    return names


def _gold_span(s: Tx, document_id: int, key: SpanTuple, origin: SpanOrigin, by: str) -> Span:
    repo.annotator_id(s, GOLD_ANNOTATOR, kind=AnnotatorKind.GOLD)
    start, end, label = key
    return repo.add_span(s, document_id, NewSpan(start, end, label, GOLD_ANNOTATOR, "", origin, by))


class AdjudicationService:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- reading ------------------------------------------------------------------

    def view(
        self,
        document_id: int,
        *,
        annotators: Sequence[str],
        mode: MatchMode = "overlap",
        threshold: float = 0.5,
    ) -> AdjudicationView:
        """Items and unanimous spans of one document for the chosen annotators."""
        names = _check_annotators(annotators)

        def work(s: Tx) -> tuple[str, list[Span], list[Span], list[DecisionRecord]]:
            doc = repo.get_document(s, document_id)
            spans = repo.list_spans(s, document_id, annotators=names)
            gold = repo.list_spans(s, document_id, annotators=(GOLD_ANNOTATOR,))
            return doc.text, spans, gold, team.list_decisions(s, document_id)

        text, spans, gold, decisions = self._db.read(work)
        by_key: dict[SpanTuple, list[Span]] = {}
        layers: dict[str, list[SpanTuple]] = {n: [] for n in names}
        for sp in spans:
            by_key.setdefault(sp.key, []).append(sp)
            layers[sp.annotator].append(sp.key)
        decided = {d.key: d.decision for d in decisions}
        gold_keys = {g.key for g in gold}
        unanimous = [
            UnanimousSpan(*k, tuple(sp.id for sp in by_key[k]), text[k[0] : k[1]], k in gold_keys)
            for k in sorted(by_key)
            if {sp.annotator for sp in by_key[k]} >= set(names)
        ]
        doc = AgreementDocument(
            key=str(document_id),
            length=len(text),
            spans={n: tuple(v) for n, v in layers.items()},
        )
        items = _items(doc, names, mode, threshold)
        out: list[Disagreement] = []
        for keys, kind, reasons in items:
            candidates = tuple(
                Candidate(
                    *k,
                    annotators=tuple(sorted({sp.annotator for sp in by_key[k]})),
                    span_ids=tuple(sp.id for sp in by_key[k]),
                    text=text[k[0] : k[1]],
                    decision=decided.get(k),
                )
                for k in keys
            )
            proposers = {a for c in candidates for a in c.annotators}
            missing = tuple(n for n in names if n not in proposers)
            out.append(Disagreement(document_id, kind, candidates, reasons, missing))
        return AdjudicationView(document_id, names, tuple(out), tuple(unanimous), tuple(gold))

    def disagreements(
        self,
        document_id: int,
        *,
        annotators: Sequence[str],
        include_resolved: bool = False,
        mode: MatchMode = "overlap",
        threshold: float = 0.5,
    ) -> builtins.list[Disagreement]:
        v = self.view(document_id, annotators=annotators, mode=mode, threshold=threshold)
        return list(v.disagreements if include_resolved else v.open_items)

    def gold(self, document_id: int) -> builtins.list[Span]:
        return self._db.read(
            lambda s: repo.list_spans(s, document_id, annotators=(GOLD_ANNOTATOR,))
        )

    # --- actions ------------------------------------------------------------------

    def resolve(
        self,
        item: Disagreement,
        *,
        accept: Iterable[SpanTuple] = (),
        edit: SpanTuple | None = None,
        decided_by: str,
    ) -> Resolution:
        """Put ``accept`` (candidates of the item) and ``edit`` (a hand-drawn span) into gold;
        every other candidate is recorded as rejected (or edited, when ``edit`` replaces it)."""
        if not decided_by:
            raise AnnotatorError("An adjudication decision needs the adjudicator's name.")
        keys = {c.key for c in item.candidates}
        chosen = set(accept)
        strangers = chosen - keys
        if strangers:
            raise AnnotatorError(f"Not a candidate of this item: {sorted(strangers)}.")
        doc_id = item.document_id

        def work(s: Tx) -> Resolution:
            existing = {g.key for g in repo.list_spans(s, doc_id, annotators=(GOLD_ANNOTATOR,))}
            created: list[int] = []
            previous: list[tuple[int, SpanTuple, DecisionRecord | None]] = []
            for key in [*sorted(chosen), *([edit] if edit is not None else [])]:
                if key in existing:
                    continue
                created.append(_gold_span(s, doc_id, key, SpanOrigin.ADJUDICATED, decided_by).id)
                existing.add(key)
            for c in item.candidates:
                if c.key in chosen or c.key == edit:
                    decision = Decision.ACCEPTED
                elif edit is not None:
                    decision = Decision.EDITED
                else:
                    decision = Decision.REJECTED
                before = team.set_decision(s, doc_id, c.key, decision, decided_by)
                previous.append((doc_id, c.key, before))
            return Resolution((doc_id,), tuple(created), tuple(previous))

        return self._db.write(work)

    def accept(self, item: Disagreement, annotator: str, *, decided_by: str) -> Resolution:
        """Take ``annotator``'s version: their candidates go to gold, the rest are rejected."""
        mine = item.proposed_by(annotator)
        if not mine:
            raise AnnotatorError(f"{annotator} proposed no span in this item.")
        return self.resolve(item, accept=[c.key for c in mine], decided_by=decided_by)

    def accept_all(self, item: Disagreement, *, decided_by: str) -> Resolution:
        """ "Both": every candidate goes to gold."""
        return self.resolve(item, accept=[c.key for c in item.candidates], decided_by=decided_by)

    def reject_all(self, item: Disagreement, *, decided_by: str) -> Resolution:
        """ "Neither": nothing goes to gold; the decision is stored so the item is closed."""
        return self.resolve(item, decided_by=decided_by)

    def edit(
        self, item: Disagreement, *, start: int, end: int, label: str, decided_by: str
    ) -> Resolution:
        """A gold span drawn by the adjudicator replaces the item's candidates."""
        return self.resolve(item, edit=(start, end, label), decided_by=decided_by)

    def merge_unanimous(
        self,
        *,
        annotators: Sequence[str],
        decided_by: str,
        document_ids: Sequence[int] = (),
    ) -> Resolution:
        """Copy every span all chosen annotators drew identically into gold, in one
        transaction (all documents unless ``document_ids``)."""
        names = _check_annotators(annotators)
        if not decided_by:
            raise AnnotatorError("Merging into gold needs the adjudicator's name.")

        def work(s: Tx) -> Resolution:
            created: list[int] = []
            touched: list[int] = []
            layers = team.iter_document_layers(
                s, annotators=(*names, GOLD_ANNOTATOR), document_ids=document_ids
            )
            for doc in list(layers):
                who: dict[SpanTuple, set[str]] = {}
                for sp in doc.spans:
                    who.setdefault(sp.key, set()).add(sp.annotator)
                for key in sorted(who):
                    if GOLD_ANNOTATOR in who[key] or not who[key] >= set(names):
                        continue
                    span = _gold_span(s, doc.id, key, SpanOrigin.UNANIMOUS, decided_by)
                    created.append(span.id)
                    if not touched or touched[-1] != doc.id:
                        touched.append(doc.id)
            return Resolution(tuple(touched), tuple(created), ())

        return self._db.write(work)

    def undo(self, resolution: Resolution) -> Changes:
        """Reverse one action: remove the gold spans it created, restore its decisions."""

        def work(s: Tx) -> None:
            team.delete_spans(s, resolution.created)
            for doc_id, key, before in reversed(resolution.previous):
                team.restore_decision(s, doc_id, key, before)

        self._db.write(work)
        return resolution.changes


def _items(
    doc: AgreementDocument, names: tuple[str, ...], mode: MatchMode, threshold: float
) -> list[tuple[list[SpanTuple], ItemKind, tuple[str, ...]]]:
    """Group every non-identical diagnosis line of every pair into items (union-find)."""
    parent: dict[SpanTuple, SpanTuple] = {}

    def find(k: SpanTuple) -> SpanTuple:
        parent.setdefault(k, k)
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    lines: list[tuple[SpanTuple, ItemKind, str]] = []
    for a, b in combinations(names, 2):
        comp = compare_spans([doc], a=a, b=b, mode=mode, threshold=threshold)
        for m in comp.diagnosis:
            if m.status == "matched" and m.a == m.b:
                continue
            keys = [k for k in (m.a, m.b) if k is not None]
            for k in keys[1:]:
                parent[find(k)] = find(keys[0])
            kind: ItemKind = (
                "label"
                if m.status == "label_differs"
                else "boundary"
                if m.status == "matched"
                else "unmatched"
            )
            reason = m.reason if m.status != "matched" else f"boundaries differ ({m.reason})"
            lines.append((keys[0], kind, f"{a}/{b}: {reason}"))
    groups: dict[SpanTuple, tuple[set[SpanTuple], list[ItemKind], list[str]]] = {}
    for k in list(parent):
        groups.setdefault(find(k), (set(), [], []))[0].add(k)
    for k, kind, reason in lines:
        g = groups.setdefault(find(k), ({k}, [], []))
        g[1].append(kind)
        if reason not in g[2]:
            g[2].append(reason)
    out = [
        (sorted(keys), min(kinds, key=_KIND_RANK.__getitem__), tuple(reasons))
        for keys, kinds, reasons in groups.values()
    ]
    out.sort(key=lambda item: item[0][0])
    return out
