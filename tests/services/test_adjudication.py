"""Adjudication into the gold layer: items, each action, undo, unanimous merge, gold export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.core.errors import AnnotatorError
from annotator.core.model import GOLD_ANNOTATOR, AnnotatorKind, SpanFilter, SpanOrigin
from annotator.core.team import Decision
from annotator.services import Workspace
from annotator.services.adjudication import Disagreement
from annotator.services.adjudication_commands import (
    Action,
    AdjudicateCommand,
    MergeUnanimousCommand,
)
from tests.services.team_data import TEXT_1, two_annotators

PAIR = ("ann", "bob")


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    yield w
    w.close()


def _key(piece: str, label: str, shift: int = 0) -> tuple[int, int, str]:
    start = TEXT_1.index(piece)
    return (start, start + len(piece) + shift, label)


TANKS = _key("Tanks crossed the border at dawn.", "MILITARY")
GENEVA_D = _key("Ministers met in Geneva for talks.", "DIPLOMATIC")
GENEVA_E = _key("Ministers met in Geneva for talks.", "ECONOMIC")
OIL_ANN = _key("Oil prices rose sharply.", "ECONOMIC")
OIL_BOB = _key("Oil prices rose", "ECONOMIC")
SHELLS = _key("Artillery shelled the city overnight.", "MILITARY")


def _gold(ws: Workspace, doc: int) -> set[tuple[int, int, str]]:
    return {s.key for s in ws.adjudication.gold(doc)}


def _items(ws: Workspace, doc: int) -> dict[str, Disagreement]:
    return {d.kind: d for d in ws.adjudication.disagreements(doc, annotators=PAIR)}


def test_items_and_unanimous(ws: Workspace) -> None:
    d1, _ = two_annotators(ws)
    view = ws.adjudication.view(d1, annotators=PAIR)
    assert [u.key for u in view.unanimous] == [TANKS]
    assert not view.unanimous[0].in_gold
    assert view.unanimous[0].text == "Tanks crossed the border at dawn."
    items = {tuple(c.key for c in d.candidates): d for d in view.open_items}
    assert set(items) == {(GENEVA_D, GENEVA_E), (OIL_BOB, OIL_ANN), (SHELLS,)}
    label = items[(GENEVA_D, GENEVA_E)]
    assert label.kind == "label" and "ann says DIPLOMATIC, bob says ECONOMIC" in label.reason
    assert [c.annotators for c in label.candidates] == [("ann",), ("bob",)]
    assert len(label.span_ids) == 2
    assert items[(OIL_BOB, OIL_ANN)].kind == "boundary"
    lone = items[(SHELLS,)]
    assert lone.kind == "unmatched" and lone.missing == ("bob",)
    assert "no span of label MILITARY by bob" in lone.reason


def test_merge_unanimous(ws: Workspace) -> None:
    d1, d2 = two_annotators(ws)
    done = ws.adjudication.merge_unanimous(annotators=PAIR, decided_by="eve")
    assert len(done.created) == 3 and set(done.document_ids) == {d1, d2}
    gold = ws.adjudication.gold(d1)
    assert [(g.key, g.origin, g.decided_by) for g in gold] == [(TANKS, SpanOrigin.UNANIMOUS, "eve")]
    assert len(ws.adjudication.gold(d2)) == 2
    kinds = {a.name: a.kind for a in ws.documents.annotators()}
    assert kinds[GOLD_ANNOTATOR] is AnnotatorKind.GOLD
    # Idempotent, and unanimous spans show as in gold.
    assert ws.adjudication.merge_unanimous(annotators=PAIR, decided_by="eve").created == ()
    assert ws.adjudication.view(d1, annotators=PAIR).unanimous[0].in_gold
    # Undo removes exactly what the merge created.
    ws.adjudication.undo(done)
    assert _gold(ws, d1) == set() and _gold(ws, d2) == set()


def test_merge_one_document_from_a_command(ws: Workspace) -> None:
    d1, d2 = two_annotators(ws)
    cmd = MergeUnanimousCommand(ws.adjudication, PAIR, "eve", (d2,))
    changes = cmd.do()
    assert changes.spans and changes.document_ids == {d2}
    assert _gold(ws, d1) == set() and len(_gold(ws, d2)) == 2
    cmd.undo()
    assert _gold(ws, d2) == set()


@pytest.mark.parametrize(
    ("kind", "action", "annotator", "gold", "decisions"),
    [
        ("label", "accept", "ann", {GENEVA_D}, {GENEVA_D: "accepted", GENEVA_E: "rejected"}),
        ("label", "accept", "bob", {GENEVA_E}, {GENEVA_D: "rejected", GENEVA_E: "accepted"}),
        ("label", "both", "", {GENEVA_D, GENEVA_E}, {GENEVA_D: "accepted", GENEVA_E: "accepted"}),
        ("label", "neither", "", set(), {GENEVA_D: "rejected", GENEVA_E: "rejected"}),
        ("boundary", "accept", "bob", {OIL_BOB}, {OIL_ANN: "rejected", OIL_BOB: "accepted"}),
        ("unmatched", "accept", "ann", {SHELLS}, {SHELLS: "accepted"}),
        ("unmatched", "neither", "", set(), {SHELLS: "rejected"}),
    ],
)
def test_each_action_then_undo(
    ws: Workspace,
    kind: str,
    action: Action,
    annotator: str,
    gold: set[tuple[int, int, str]],
    decisions: dict[tuple[int, int, str], str],
) -> None:
    d1, _ = two_annotators(ws)
    ws.adjudication.merge_unanimous(annotators=PAIR, decided_by="eve")
    before_gold = _gold(ws, d1)
    before_items = _items(ws, d1)
    cmd = AdjudicateCommand(ws.adjudication, before_items[kind], action, "eve", annotator=annotator)
    changes = cmd.do()
    assert changes.spans and d1 in changes.document_ids
    assert _gold(ws, d1) == before_gold | gold
    after = _items(ws, d1)
    assert set(after) == set(before_items) - {kind}  # the item is no longer open
    resolved = ws.adjudication.disagreements(d1, annotators=PAIR, include_resolved=True)
    got = {c.key: c.decision.value for d in resolved for c in d.candidates if c.decision}
    assert got == decisions
    added = [g for g in ws.adjudication.gold(d1) if g.key in gold]
    assert all(g.origin is SpanOrigin.ADJUDICATED and g.decided_by == "eve" for g in added)
    cmd.undo()
    assert _gold(ws, d1) == before_gold
    assert set(_items(ws, d1)) == set(before_items)
    assert not any(
        c.decision for d in ws.adjudication.disagreements(d1, annotators=PAIR) for c in d.candidates
    )
    cmd.do()  # redo
    assert _gold(ws, d1) == before_gold | gold


def test_edit_and_undo(ws: Workspace) -> None:
    d1, _ = two_annotators(ws)
    item = _items(ws, d1)["boundary"]
    drawn = (OIL_ANN[0], OIL_ANN[1] - 1, "ECONOMIC")
    cmd = AdjudicateCommand(ws.adjudication, item, "edit", "eve", edit=drawn)
    cmd.do()
    assert _gold(ws, d1) == {drawn}
    (gold,) = ws.adjudication.gold(d1)
    assert (gold.origin, gold.decided_by) == (SpanOrigin.ADJUDICATED, "eve")
    decided = ws.adjudication.disagreements(d1, annotators=PAIR, include_resolved=True)
    edited = next(d for d in decided if d.kind == "boundary")
    assert {c.decision for c in edited.candidates} == {Decision.EDITED}
    assert "boundary" not in _items(ws, d1)
    cmd.undo()
    assert _gold(ws, d1) == set() and "boundary" in _items(ws, d1)


def test_accepting_a_span_already_in_gold_does_not_remove_it_on_undo(ws: Workspace) -> None:
    d1, _ = two_annotators(ws)
    first = ws.adjudication.accept(_items(ws, d1)["unmatched"], "ann", decided_by="eve")
    stale = ws.adjudication.disagreements(d1, annotators=PAIR, include_resolved=True)
    again = ws.adjudication.accept_all(
        next(d for d in stale if d.kind == "unmatched"), decided_by="eve"
    )
    assert again.created == ()
    ws.adjudication.undo(again)
    assert _gold(ws, d1) == {SHELLS}
    ws.adjudication.undo(first)
    assert _gold(ws, d1) == set()


def test_three_annotators_group_into_one_item(ws: Workspace) -> None:
    d1, _ = two_annotators(ws)
    start = TEXT_1.index("Ministers")
    ws.annotations.add(d1, start=start, end=GENEVA_D[1], label="DIPLOMATIC", annotator="cy")
    ws.annotations.add(d1, start=TANKS[0], end=TANKS[1], label="MILITARY", annotator="cy")
    view = ws.adjudication.view(d1, annotators=("ann", "bob", "cy"))
    assert [u.key for u in view.unanimous] == [TANKS]
    geneva = next(d for d in view.open_items if GENEVA_D in [c.key for c in d.candidates])
    assert [c.annotators for c in geneva.candidates] == [("ann", "cy"), ("bob",)]
    oil = [d for d in view.open_items if OIL_ANN in [c.key for c in d.candidates]]
    assert len(oil) == 1 and oil[0].missing == ("cy",)


def test_refusals(ws: Workspace) -> None:
    d1, _ = two_annotators(ws)
    with pytest.raises(AnnotatorError, match="at least two"):
        ws.adjudication.view(d1, annotators=("ann",))
    with pytest.raises(AnnotatorError, match="not an input"):
        ws.adjudication.view(d1, annotators=("ann", GOLD_ANNOTATOR))
    item = _items(ws, d1)["unmatched"]
    with pytest.raises(AnnotatorError, match="proposed no span"):
        ws.adjudication.accept(item, "bob", decided_by="eve")
    with pytest.raises(AnnotatorError, match="Not a candidate"):
        ws.adjudication.resolve(item, accept=[TANKS], decided_by="eve")
    assert _gold(ws, d1) == set()


def test_gold_exports_like_any_annotator(ws: Workspace, tmp_path: Path) -> None:
    d1, _ = two_annotators(ws)
    ws.adjudication.merge_unanimous(annotators=PAIR, decided_by="eve", document_ids=(d1,))
    ws.adjudication.accept(_items(ws, d1)["label"], "ann", decided_by="eve")
    dest = tmp_path / "gold.jsonl"
    ws.exporter.export("jsonl", dest, filter=SpanFilter(annotators=(GOLD_ANNOTATOR,)))
    records = [json.loads(x) for x in dest.read_text(encoding="utf-8").splitlines()]
    first = next(r for r in records if r["text"] == TEXT_1)
    got = [(s["label"], s["text"], s["origin"], s["decided_by"]) for s in first["spans"]]
    assert got == [
        ("MILITARY", "Tanks crossed the border at dawn.", "unanimous", "eve"),
        ("DIPLOMATIC", "Ministers met in Geneva for talks.", "adjudicated", "eve"),
    ]
    assert all(s["annotator"] == GOLD_ANNOTATOR for r in records for s in r["spans"])
