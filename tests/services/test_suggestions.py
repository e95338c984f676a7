"""Suggestions through the services, on SQLite and PostgreSQL: learn from the labels in the
database, suggest for untagged documents, decide with undo, and never leak into exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.core.errors import AnnotatorError
from annotator.core.model import DocumentStatus, SpanFilter, SpanOrigin
from annotator.services import Workspace
from annotator.services.agreement import AgreementQuery
from annotator.services.suggestion_commands import (
    AcceptSuggestionCommand,
    Dismissals,
    OverrideSuggestionCommand,
    RejectSuggestionCommand,
)
from benchmarks.suggest_gold import fill_workspace, load_gold

HELD_OUT = "003_205299107bcd9cb9.txt"


@pytest.fixture
def ws(db_url: str) -> Iterator[Workspace]:
    w = Workspace.open(db_url)
    yield w
    w.close()


def _files() -> tuple[str, ...]:
    return tuple(sorted({g.file for g in load_gold()}))


def test_trained_on_the_database_suggests_better_than_the_majority_label(ws: Workspace) -> None:
    ids = fill_workspace(ws, tagged_files=tuple(f for f in _files() if f != HELD_OUT))
    examples = ws.suggestions.examples()
    assert len(examples) == sum(1 for g in load_gold() if g.file != HELD_OUT)
    sug = ws.suggestions.train()
    assert sug.model is not None and set(sug.model.labels) >= {"MILITARY", "DIPLOMATIC"}
    # By default: the documents nobody has tagged, i.e. the held-out article.
    rows = list(ws.suggestions.suggestions(sug))
    assert {r.document_id for r in rows} == {ids[HELD_OUT]}
    assert {r.document for r in rows} == {HELD_OUT}  # the JSONL export's id
    assert all(r.source == "model" and r.score >= sug.model.threshold(r.label) for r in rows)
    predicted: dict[tuple[int, int], set[str]] = {}
    for r in rows:
        predicted.setdefault((r.start, r.end), set()).add(r.label)
    gold = [g for g in load_gold() if g.file == HELD_OUT]
    hits = sum(len(g.labels & predicted.get((g.start, g.end), set())) for g in gold)
    wrong = sum(len(predicted.get((g.start, g.end), set()) - g.labels) for g in gold)
    missed = sum(len(g.labels - predicted.get((g.start, g.end), set())) for g in gold)
    f1 = 2 * hits / (2 * hits + wrong + missed)
    # The majority label set of the training passages (DIPLOMATIC alone) on every passage.
    maj_hits = sum("DIPLOMATIC" in g.labels for g in gold)
    maj_f1 = (
        2
        * maj_hits
        / (2 * maj_hits + (len(gold) - maj_hits) + (sum(len(g.labels) for g in gold) - maj_hits))
    )
    assert f1 > maj_f1 + 0.1, (f1, maj_f1)
    # --all: every passage with every label's score.
    every = list(ws.suggestions.suggestions(sug, document_ids=[ids[HELD_OUT]], every=True))
    assert len(every) == len(gold) * len(sug.labels)


def test_in_progress_documents_teach_only_what_was_judged(ws: Workspace) -> None:
    fill_workspace(ws, tagged_files=("002_cb88a8e8d3387375.txt",), done=False)
    gold = [g for g in load_gold() if g.file == "002_cb88a8e8d3387375.txt"]
    assert len(ws.suggestions.examples()) == sum(1 for g in gold if g.labels)


def test_rules_alone_suggest_and_are_stored_with_the_label(ws: Workspace) -> None:
    ids = fill_workspace(ws, tagged_files=())
    before, changes = ws.suggestions.set_rules("ECONOMIC", "# money\nsanction*\n/\\bbudgets?\\b/")
    assert before == "" and changes.labels
    with pytest.raises(AnnotatorError, match="regular expression"):
        ws.suggestions.set_rules("ECONOMIC", "/(broken/")
    assert ws.suggestions.rules() == {"ECONOMIC": ["sanction*", "/\\bbudgets?\\b/"]}
    ws.labels.update("ECONOMIC", new_name="ECON")  # rules live with the label
    assert ws.suggestions.rules() == {"ECON": ["sanction*", "/\\bbudgets?\\b/"]}
    sug = ws.suggestions.train()
    assert sug.model is None  # nothing tagged yet
    rows = list(ws.suggestions.suggestions(sug, document_ids=[ids["004_cc95dd6a1261e1bc.txt"]]))
    assert rows and all(r.source == "rule" and r.label == "ECON" for r in rows)
    texts = {g.start: g.text for g in load_gold() if g.file == "004_cc95dd6a1261e1bc.txt"}
    assert any("Sanctions are one possible form of leverage" in texts[r.start] for r in rows)


def test_accept_override_reject_and_their_undo(ws: Workspace) -> None:
    d = fill_workspace(ws, tagged_files=())["000_f66bb1d6edef7f0e.txt"]
    g = next(x for x in load_gold() if x.file == "000_f66bb1d6edef7f0e.txt" and len(x.labels) == 2)
    accept = AcceptSuggestionCommand(
        ws.annotations, d, g.start, g.end, tuple(sorted(g.labels)), "eve"
    )
    ch = accept.do()
    assert ch.spans and d in ch.document_ids
    spans = ws.annotations.spans(d, annotators=("eve",))
    assert {(s.start, s.end, s.label, s.origin) for s in spans} == {
        (g.start, g.end, lab, SpanOrigin.SUGGESTED) for lab in g.labels
    }
    assert ws.annotations.status(d, "eve") is DocumentStatus.IN_PROGRESS
    accept.undo()
    assert ws.annotations.spans(d, annotators=("eve",)) == []
    accept.do()  # redo
    assert len(ws.annotations.spans(d, annotators=("eve",))) == 2

    dismissed = Dismissals()
    h = next(x for x in load_gold() if x.file == "000_f66bb1d6edef7f0e.txt" and not x.labels)
    reject = RejectSuggestionCommand(dismissed, d, h.start, h.end, "eve")
    reject.do()
    assert (d, h.start, h.end, "eve") in dismissed
    reject.undo()
    assert len(dismissed) == 0

    over = OverrideSuggestionCommand(
        ws.annotations, dismissed, d, h.start, h.end, "ECONOMIC", "eve"
    )
    over.do()
    (span,) = [s for s in ws.annotations.spans(d, annotators=("eve",)) if s.start == h.start]
    assert (span.label, span.origin) == ("ECONOMIC", SpanOrigin.MANUAL)
    assert (d, h.start, h.end, "eve") in dismissed
    over.undo()
    assert [s for s in ws.annotations.spans(d, annotators=("eve",)) if s.start == h.start] == []
    assert len(dismissed) == 0


def test_suggestions_reach_exports_and_agreement_only_once_accepted(
    ws: Workspace, tmp_path: Path
) -> None:
    ids = fill_workspace(ws, tagged_files=tuple(f for f in _files() if f != HELD_OUT))
    held = ids[HELD_OUT]
    sug = ws.suggestions.train()
    rows = list(ws.suggestions.suggestions(sug))
    assert len(rows) > 20

    def exported() -> list[dict[str, object]]:
        out = tmp_path / "out.jsonl"
        ws.exporter.export("jsonl", out, filter=SpanFilter(document_ids=(held,)))
        (rec,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        return list(rec["spans"])

    assert exported() == []
    for who in ("ann", "bob"):
        ws.annotations.set_status(held, who, DocumentStatus.DONE)
    q = AgreementQuery(level="passage", annotators=("ann", "bob"), document_ids=(held,))
    report = ws.agreement.report(q)
    # Nobody tagged it: the suggestions are not counted.
    assert all(sum(r.positives.values()) == 0 for r in report.label_rows)

    first = rows[0]
    AcceptSuggestionCommand(
        ws.annotations, held, first.start, first.end, (first.label,), "bob"
    ).do()
    (span,) = exported()
    assert (span["start"], span["end"], span["label"], span["annotator"], span["origin"]) == (
        first.start,
        first.end,
        first.label,
        "bob",
        "suggested",
    )
    report = ws.agreement.report(q)
    assert sum(sum(r.positives.values()) for r in report.label_rows) > 0


def test_evaluate_queue_and_disagreements(ws: Workspace) -> None:
    fill_workspace(ws, tagged_files=tuple(f for f in _files() if f != HELD_OUT))
    n, scores = ws.suggestions.evaluate(folds=4)
    assert n == len(ws.suggestions.examples())
    by_label = {s.label: s for s in scores}
    assert by_label["MILITARY"].f1 > 0.6 and by_label["MILITARY"].support > 50
    sug = ws.suggestions.train()
    queue = ws.suggestions.uncertain(sug, annotator="ann", limit=10)
    held = {(g.start, g.end) for g in load_gold() if g.file == HELD_OUT}
    assert len(queue) == 10 and all((q.start, q.end) in held for q in queue)
    assert [q.priority for q in queue] == sorted((q.priority for q in queue), reverse=True)
    issues = ws.suggestions.disagreements(folds=4)
    assert issues and all(i.annotator == "ann" and i.label for i in issues)
    assert len(issues) < n // 4
    # One scale with the suggestion bar: the model's confidence in its verdict, 0.5-1.
    for i in issues:
        assert 0.5 <= i.priority <= 1.0
        assert i.reason.endswith(f"confidence {i.priority:.2f}"), i.reason
