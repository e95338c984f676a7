"""Judgements: only what an annotator judged is a negative example, and judgements are
stored, theirs alone, kept across restarts and taken back by undo (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from annotator.core.judgement import Judgement, JudgementKind
from annotator.services import Workspace
from annotator.services.suggestion_commands import (
    Dismissals,
    JudgeCommand,
    OverrideSuggestionCommand,
    RejectSuggestionCommand,
)
from benchmarks.suggest_gold import fill_workspace, load_gold

FILE = "002_cb88a8e8d3387375.txt"


@pytest.fixture
def ws(db_url: str) -> Iterator[Workspace]:
    w = Workspace.open(db_url)
    yield w
    w.close()


def _gold() -> list:
    return [g for g in load_gold() if g.file == FILE]


def test_unfinished_documents_untagged_passages_are_not_negatives(ws: Workspace) -> None:
    # The article tagged as the gold says, but not marked done: its untagged sentences
    # (even those before the last tagged one) were never judged "no label".
    doc = fill_workspace(ws, tagged_files=(FILE,), done=False)[FILE]
    gold = _gold()
    tagged = [g for g in gold if g.labels]
    last = max(i for i, g in enumerate(gold) if g.labels)
    assert any(not g.labels for g in gold[:last])  # the case the old rule got wrong
    ex = ws.suggestions.examples()
    assert sorted((e.start, e.end) for e in ex) == sorted((g.start, g.end) for g in tagged)
    assert all(e.labels for e in ex) and {e.document_id for e in ex} == {doc}
    # Marked done, every passage is judged: the untagged ones become negatives.
    from annotator.core.model import DocumentStatus

    ws.annotations.set_status(doc, "ann", DocumentStatus.DONE)
    assert len(ws.suggestions.examples()) == len(gold)


def test_a_walked_past_passage_is_a_negative_until_undone_or_tagged(ws: Workspace) -> None:
    doc = fill_workspace(ws, tagged_files=(FILE,), done=False)[FILE]
    empty = next(g for g in _gold() if not g.labels)
    n = len(ws.suggestions.examples())
    walk = JudgeCommand(ws.judgements, doc, empty.start, empty.end, "ann")
    walk.do()
    ex = {(e.start, e.end): e for e in ws.suggestions.examples()}
    assert len(ex) == n + 1 and ex[(empty.start, empty.end)].labels == frozenset()
    again = JudgeCommand(ws.judgements, doc, empty.start, empty.end, "ann")
    again.do()  # the same judgement twice is stored once, and its undo keeps the first
    assert again.added == []
    again.undo()
    assert len(ws.judgements.list(annotators=["ann"])) == 1
    # Tagging the passage supersedes "no label": one example, with the label.
    span, _ = ws.annotations.add(
        doc, start=empty.start, end=empty.end, label="ECONOMIC", annotator="ann"
    )
    ex = {(e.start, e.end): e for e in ws.suggestions.examples()}
    assert len(ex) == n + 1 and ex[(empty.start, empty.end)].labels == {"ECONOMIC"}
    ws.annotations.delete(span.id)
    walk.undo()
    assert len(ws.suggestions.examples()) == n
    assert ws.judgements.list() == []


def test_rejections_persist_across_a_restart(ws: Workspace, db_url: str) -> None:
    doc = fill_workspace(ws, tagged_files=(FILE,), done=False)[FILE]
    empty = next(g for g in _gold() if not g.labels)
    other = [g for g in _gold() if not g.labels][1]
    n = len(ws.suggestions.examples())
    RejectSuggestionCommand(
        Dismissals(ws.judgements), doc, empty.start, empty.end, "ann", ("MILITARY",)
    ).do()
    OverrideSuggestionCommand(
        ws.annotations,
        Dismissals(ws.judgements),
        doc,
        other.start,
        other.end,
        "ECONOMIC",
        "ann",
        rejected=("DIPLOMATIC",),
    ).do()
    ws.close()
    again = Workspace.open(db_url)  # a new Database object on the same file
    try:
        stored = again.judgements.list()
        assert {(j.start, j.kind, j.label) for j in stored} == {
            (empty.start, JudgementKind.REJECTED, "MILITARY"),
            (other.start, JudgementKind.REJECTED, "DIPLOMATIC"),
        }
        dismissed = Dismissals(again.judgements)
        assert (doc, empty.start, empty.end, "ann") in dismissed
        assert (doc, other.start, other.end, "ann") in dismissed
        assert (doc, empty.start, empty.end, "someone") not in dismissed
        ex = {(e.start, e.end): e.labels for e in again.suggestions.examples()}
        assert ex[(empty.start, empty.end)] == frozenset()  # a negative now
        assert ex[(other.start, other.end)] == {"ECONOMIC"}
        assert len(ex) == n + 2
    finally:
        again.close()


def test_undo_of_a_rejection_takes_back_only_its_own_rows(ws: Workspace) -> None:
    doc = fill_workspace(ws, tagged_files=(FILE,), done=False)[FILE]
    p = next(g for g in _gold() if not g.labels)
    dismissed = Dismissals(ws.judgements)
    first = RejectSuggestionCommand(dismissed, doc, p.start, p.end, "ann", ("MILITARY",))
    first.do()
    second = RejectSuggestionCommand(
        dismissed, doc, p.start, p.end, "ann", ("MILITARY", "ECONOMIC")
    )
    second.do()
    second.undo()  # the earlier rejection stays, stored and hiding the suggestion
    assert [(j.label) for j in ws.judgements.list()] == ["MILITARY"]
    assert (doc, p.start, p.end, "ann") in dismissed
    first.undo()
    assert ws.judgements.list() == []
    assert (doc, p.start, p.end, "ann") not in Dismissals(ws.judgements)


def test_one_annotators_commands_never_touch_anothers_judgements(ws: Workspace) -> None:
    doc = fill_workspace(ws, tagged_files=(FILE,), done=False)[FILE]
    p = next(g for g in _gold() if not g.labels)
    alice = JudgeCommand(ws.judgements, doc, p.start, p.end, "alice")
    bob = JudgeCommand(ws.judgements, doc, p.start, p.end, "bob")
    alice.do()
    bob.do()
    assert len(bob.added) == 1  # bob's own row, not "already judged" by alice
    bob.undo()
    (left,) = ws.judgements.list()
    assert (left.annotator, left.start) == ("alice", p.start)
    ex = ws.suggestions.examples(annotators=["bob"])
    assert ex == []
    (mine,) = ws.suggestions.examples(annotators=["alice"])
    assert (mine.annotator, mine.labels) == ("alice", frozenset())


def test_bad_judgements_are_refused_and_store_nothing(ws: Workspace) -> None:
    from annotator.core.errors import AnnotatorError

    doc = fill_workspace(ws, tagged_files=(), done=False)[FILE]
    with pytest.raises(AnnotatorError, match="beyond the end"):
        ws.judgements.add([Judgement(doc, 0, 5, "ann"), Judgement(doc, 0, 10**9, "ann")])
    with pytest.raises(AnnotatorError, match="No document"):
        ws.judgements.add([Judgement(doc + 999, 0, 5, "ann")])
    with pytest.raises(AnnotatorError, match="label that was rejected"):
        ws.judgements.add([Judgement(doc, 0, 5, "ann", JudgementKind.REJECTED)])
    assert ws.judgements.list() == []


def test_the_uncertainty_queue_offers_nothing_judged_skipped_or_done(ws: Workspace) -> None:
    files = sorted({g.file for g in load_gold()})
    held = "003_205299107bcd9cb9.txt"
    ids = fill_workspace(ws, tagged_files=tuple(f for f in files if f != held))
    sug = ws.suggestions.train()
    offered: list[tuple[int, int, int]] = []
    for step in range(9):  # judge, skip or tag each offered passage in turn
        (it,) = ws.suggestions.uncertain(sug, annotator="ann", limit=1)
        key = (it.document_id, it.start, it.end)
        assert key not in offered
        offered.append(key)
        if step % 3 == 0:
            JudgeCommand(ws.judgements, *key, "ann").do()
        elif step % 3 == 1:
            ws.judgements.skip(*key, "ann")
        else:
            ws.annotations.add(
                it.document_id, start=it.start, end=it.start + 3, label="MILITARY", annotator="ann"
            )  # even a partial tag
    rest = ws.suggestions.uncertain(sug, annotator="ann", limit=100_000)
    assert not {(r.document_id, r.start, r.end) for r in rest} & set(offered)
    # Only documents the annotator may still label: those marked done are out.
    assert {r.document_id for r in rest} == {ids[held]}
    assert ws.suggestions.documents_to_label("ann") == [ids[held]]
    # Another annotator's queue is their own: ann's judgements do not shrink it.
    theirs = ws.suggestions.uncertain(sug, annotator="zoe", limit=100_000)
    assert {(r.document_id, r.start, r.end) for r in theirs} >= set(offered)


def test_a_rejection_follows_its_label_when_the_label_is_renamed(ws: Workspace) -> None:
    doc = fill_workspace(ws, tagged_files=(), done=False)[FILE]
    p = _gold()[0]
    dismissed = Dismissals(ws.judgements)
    RejectSuggestionCommand(dismissed, doc, p.start, p.end, "ann", ("ECONOMIC",)).do()
    ws.labels.update("ECONOMIC", new_name="ECON")
    assert [(j.kind, j.label) for j in ws.judgements.list()] == [(JudgementKind.REJECTED, "ECON")]


def test_following_the_queue_teaches_exactly_the_passages_judged(ws: Workspace) -> None:
    """The loop of issue 25: 20 picks from the uncertainty queue, each tagged as the gold
    says or walked past. The model then learns from those 20 passages and the documents
    marked done, nothing else: no never-seen sentence becomes a "no label"."""
    files = sorted({g.file for g in load_gold()})
    seed = tuple(files[:2])
    ids = fill_workspace(ws, annotator="me", tagged_files=seed)  # two articles, marked done
    base = len(ws.suggestions.examples())
    gold = {(ids[g.file], g.start, g.end): g.labels for g in load_gold()}
    sug = ws.suggestions.train()
    picked = []
    for _ in range(20):
        (it,) = ws.suggestions.uncertain(sug, annotator="me", limit=1)
        key = (it.document_id, it.start, it.end)
        picked.append(key)
        labels = gold[key]
        for lab in sorted(labels):
            ws.annotations.add(
                it.document_id, start=it.start, end=it.end, label=lab, annotator="me"
            )
        if not labels:
            JudgeCommand(ws.judgements, *key, "me").do()
    assert len(set(picked)) == 20
    ex = ws.suggestions.examples()
    assert len(ex) == base + 20
    learnt = {(e.document_id, e.start, e.end): e.labels for e in ex}
    assert all(learnt[k] == gold[k] for k in learnt)  # every example is what the gold says
