"""Suggestions that keep up: between full trainings the model's process learns each document's
new judgements at once (the next suggestion reflects the last tag), and it runs at a lower
CPU priority than the window."""

from __future__ import annotations

import os

import pytest

from annotator.services import Workspace
from annotator.services.model_process import NICENESS, ModelProcess, available
from annotator.services.suggestion_commands import JudgeCommand
from benchmarks.suggest_gold import fill_workspace, load_gold

pytestmark = pytest.mark.skipif(not available(), reason="needs scikit-learn")

HELD_OUT = "003_205299107bcd9cb9.txt"


def test_the_worker_runs_at_a_lower_priority_than_the_window(tmp_path) -> None:
    ws = Workspace.open(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    fill_workspace(ws, tagged_files=("002_cb88a8e8d3387375.txt",))
    ws.labels.add("LEGAL")  # never used: the training names it and says why
    worker = ModelProcess(ws.db.url)
    try:
        worker.train("sentence")
        assert worker.notes.get("LEGAL") == "never tagged"
        assert worker.pid is not None
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        theirs = os.getpriority(os.PRIO_PROCESS, worker.pid)
        assert theirs == min(19, mine + NICENESS) and theirs > mine
        assert os.getpriority(os.PRIO_PROCESS, 0) == mine  # the window's stays as it was
    finally:
        worker.close()
        ws.close()


def test_a_tag_changes_the_next_suggestion_without_a_new_training(tmp_path) -> None:
    ws = Workspace.open(f"sqlite:///{tmp_path / 'u.sqlite3'}")
    files = sorted({g.file for g in load_gold()})
    ids = fill_workspace(ws, tagged_files=tuple(f for f in files if f != HELD_OUT))
    doc = ids[HELD_OUT]
    text = ws.documents.get(doc).text
    worker = ModelProcess(ws.db.url)
    try:
        generation, sug = worker.train("sentence")
        assert sug.model is not None
        before = worker.score(generation, text, "sentence")
        assert before is not None
        # The passage the model finds least ECONOMIC, tagged ECONOMIC by the annotator.
        econ = [(row_score(row, "ECONOMIC"), p) for p, row in before]
        low, target = min(econ, key=lambda t: t[0])
        ws.annotations.add(
            doc, start=target.start, end=target.end, label="ECONOMIC", annotator="ann"
        )
        n = worker.update(generation, "sentence", [doc])
        assert n == sug.model.trained_on + 1  # learnt from one more passage
        after = worker.score(generation, text, "sentence")  # the same model, updated
        assert after is not None
        high = next(row_score(row, "ECONOMIC") for p, row in after if p == target)
        assert high > low + 0.05, (low, high)
        # A walked-past passage becomes a negative the same way; undoing it takes it back.
        other = next(p for p, _row in after if p != target)
        walk = JudgeCommand(ws.judgements, doc, other.start, other.end, "ann")
        walk.do()
        assert worker.update(generation, "sentence", [doc]) == n + 1
        walk.undo()
        assert worker.update(generation, "sentence", [doc]) == n
        # A newer training replaces the updated model; updates of the old one do nothing.
        _newer, fresh = worker.train("sentence")
        assert fresh.model is not None and fresh.model.trained_on == n
        assert worker.update(generation, "sentence", [doc]) is None
    finally:
        worker.close()
        ws.close()


def row_score(row, label: str) -> float:
    return next(s.score for s in row if s.label == label)
