"""The suggestions' worker process: it reads the labels itself (as the same database user),
its model scores as the window's copy does, a dead worker is said and replaced, and a stale
model is never used."""

from __future__ import annotations

import os
import signal

import pytest

from annotator.core.errors import AnnotatorError
from annotator.core.segment import passages
from annotator.services import Workspace
from annotator.services.model_process import ModelProcess, available
from benchmarks.suggest_gold import fill_workspace

pytestmark = pytest.mark.skipif(not available(), reason="needs scikit-learn")


def test_the_worker_trains_from_the_database_and_scores_like_the_copy(
    workspace: Workspace,
) -> None:
    ids = fill_workspace(workspace)
    worker = ModelProcess(workspace.db.url)
    try:
        generation, sug = worker.train("sentence")
        assert worker.pid not in (None, os.getpid())
        assert sug.model is not None
        assert set(sug.model.labels) == {"MILITARY", "DIPLOMATIC", "ECONOMIC"}
        text = workspace.documents.get(next(iter(ids.values()))).text
        scored = worker.score(generation, text, "sentence")
        assert scored is not None
        assert [p for p, _row in scored] == passages(text, "sentence")
        assert [row for _p, row in scored] == sug.score([p.text_in(text) for p, _ in scored])
        # A newer model makes the old generation's requests answer None, never old scores.
        newer, _ = worker.train("sentence")
        assert newer > generation
        assert worker.score(generation, text, "sentence") is None
        assert worker.score(newer, text, "sentence") is not None
    finally:
        worker.close()


def test_a_killed_worker_is_said_and_the_next_training_starts_another(tmp_path) -> None:
    ws = Workspace.open(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    fill_workspace(ws)
    worker = ModelProcess(ws.db.url)
    try:
        generation, _ = worker.train("sentence")
        first = worker.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        with pytest.raises(AnnotatorError, match="process stopped"):
            worker.score(generation, "Tanks rolled in.", "sentence")
        _, sug = worker.train("sentence")
        assert worker.pid not in (None, first)
        assert sug.ready
    finally:
        worker.close()
        ws.close()
    with pytest.raises(AnnotatorError, match="closed"):
        worker.train("sentence")
