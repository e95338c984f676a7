"""Blind mode's one rule: what a viewer may not see now (services.study explains the mode).

Kept apart from the study service so that agreement, exports and the suggestions' training
data can ask it without importing the service that computes progress (with agreement).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import replace

from annotator.core.model import GOLD_ANNOTATOR, Span
from annotator.core.study import BlindRule, StudyPlan
from annotator.core.team import DocumentLayers
from annotator.storage import Tx
from annotator.storage import study as store

PLAN_KEY = "study_plan"
BLIND_KEY = "blind"


def blind_on(s: Tx) -> bool:
    """The project's blind setting; unset, it is on once a plan has overlap."""
    value = store.get_setting(s, BLIND_KEY)
    if value is not None:
        return value == "on"
    plan = _plan(s)
    return plan is not None and plan.overlap > 0 and plan.per_document > 1


def blind_rule(s: Tx, viewer: str | None) -> BlindRule:
    """What ``viewer`` may not see now: with blind mode on, for an annotator of the plan,
    every teammate's spans, notes and status on each overlap document the viewer has not
    marked done. Nobody (no viewer: the lead's CLI, agreement, comparison) sees all."""
    if not viewer or viewer == GOLD_ANNOTATOR or not blind_on(s):
        return BlindRule(viewer or "")
    if viewer not in store.plan_members(s):
        return BlindRule(viewer)
    return BlindRule(viewer, frozenset(store.overlap_documents_not_done(s, viewer)))


def visible_spans(rule: BlindRule, spans: Iterable[Span]) -> list[Span]:
    return [sp for sp in spans if not rule.hides(sp.document_id, sp.annotator)]


def visible_layers(rule: BlindRule, layers: Iterable[DocumentLayers]) -> Iterator[DocumentLayers]:
    """Each document's layers without what ``rule`` hides (spans, annotated, done)."""
    for layer in layers:
        if layer.id not in rule.documents:
            yield layer
            continue
        doc_id = layer.id

        def keep(who: str, d: int = doc_id) -> bool:
            return not rule.hides(d, who)

        yield replace(
            layer,
            spans=tuple(sp for sp in layer.spans if keep(sp.annotator)),
            annotated=frozenset(a for a in layer.annotated if keep(a)),
            done=frozenset(a for a in layer.done if keep(a)),
            plain_spans={a: v for a, v in layer.plain_spans.items() if keep(a)},
        )


def _plan(s: Tx) -> StudyPlan | None:
    raw = store.get_setting(s, PLAN_KEY)
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return StudyPlan.from_json(data) if isinstance(data, dict) else None
