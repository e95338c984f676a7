"""The suggestions' worker process: it reads the labels itself (as the same database user),
its model scores as the window's copy does, a dead worker is said and replaced, and a stale
model is never used."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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


_WINDOW = """
import sys, threading, time
from annotator.services.model_process import ModelProcess

if __name__ == "__main__":
    worker = ModelProcess(sys.argv[1])
    threading.Thread(target=worker.train, args=("sentence",), daemon=True).start()
    while worker.pid is None:
        time.sleep(0.05)
    print(worker.pid, flush=True)
    time.sleep(600)
"""


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "\\nState:\\tZ" in f.read()  # exited, not yet reaped by its new parent
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_worker_ends_soon_after_its_window_is_killed_mid_training(tmp_path) -> None:
    """kill -9 of the window while a long training runs: the worker does not train on
    for a minute with nobody to answer."""
    sentences = [
        "Artillery shelled the port at dawn.",
        "Talks on grain exports stalled again.",
        "The central bank raised rates to defend the currency.",
    ]
    text = " ".join(sentences[i % 3] + f" ({i})" for i in range(30_000))
    spans, at = [], 0
    for i in range(30_000):
        n = len(sentences[i % 3]) + len(f" ({i})")
        label = ("MILITARY", "DIPLOMATIC", "ECONOMIC")[i % 3]
        spans.append({"start": at, "end": at + n, "label": label, "annotator": "ann"})
        at += n + 1
    src = tmp_path / "big.jsonl"
    src.write_text(json.dumps({"id": "big", "text": text, "spans": spans}) + "\n")
    ws = Workspace.open(f"sqlite:///{tmp_path / 'big.sqlite3'}")
    report = ws.importer.import_paths([src])
    assert not report.errors, report.summary()
    ws.close()
    script = tmp_path / "window.py"
    script.write_text(_WINDOW)
    window = subprocess.Popen(
        [sys.executable, str(script), f"sqlite:///{tmp_path / 'big.sqlite3'}"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert window.stdout is not None
    pid = int(window.stdout.readline())
    time.sleep(3)  # the worker is importing and reading, then fitting 30,000 passages
    assert not _gone(pid)
    window.kill()
    window.wait()
    deadline = time.monotonic() + 4
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(pid)
