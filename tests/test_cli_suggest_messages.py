"""``annotator suggest`` says the real reason when it cannot help, names labels it does not
learn, and ``--evaluate --json`` says how many judged passages each label learnt from."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.services import Workspace
from benchmarks.suggest_gold import fill_workspace, load_gold
from tests.test_cli import run

FILE = "002_cb88a8e8d3387375.txt"


def _db(tmp_path: Path, **kw) -> tuple[str, Workspace, dict[str, int]]:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    ws = Workspace.open(url)
    return url, ws, fill_workspace(ws, **kw)


def test_unknown_annotator_and_nothing_judged_say_so_and_fail(tmp_path: Path) -> None:
    url, ws, _ids = _db(tmp_path, tagged_files=(FILE,))
    ws.close()
    for extra in ((), ("--evaluate",), ("--issues",), ("--uncertain", "5")):
        proc = run(
            "--db", url, "suggest", "--annotator", "nobody", *extra, env_dir=tmp_path, check=False
        )
        assert proc.returncode == 1 and proc.stdout == ""
        assert "No annotator named 'nobody'" in proc.stderr and "ann" in proc.stderr
        assert "tag some passages first" not in proc.stderr


def test_evaluate_and_issues_with_nothing_judged_say_why_and_fail(tmp_path: Path) -> None:
    url, ws, _ids = _db(tmp_path, tagged_files=())
    ws.close()
    for what in ("--evaluate", "--issues"):
        proc = run("--db", url, "suggest", what, env_dir=tmp_path, check=False)
        assert proc.returncode == 1 and proc.stdout == "", (what, proc.stdout)
        assert "nobody has judged a passage yet" in proc.stderr, proc.stderr


def test_a_label_without_negatives_is_named_with_the_reason(tmp_path: Path) -> None:
    # Three passages tagged MILITARY in a document not marked done: nothing is known to be
    # "not MILITARY", so there is nothing to learn the difference from.
    url, ws, ids = _db(tmp_path, tagged_files=())
    doc = ids[FILE]
    for g in [g for g in load_gold() if g.file == FILE][:3]:
        ws.annotations.add(doc, start=g.start, end=g.end, label="MILITARY", annotator="ann")
    ws.close()
    proc = run("--db", url, "suggest", env_dir=tmp_path, check=False)
    assert proc.returncode == 1
    assert "MILITARY: tagged in 3 passages but only 0 judged without it" in proc.stderr
    assert "ECONOMIC: never tagged" in proc.stderr


def test_evaluate_json_counts_positives_and_negatives_and_names_unused_labels(
    tmp_path: Path,
) -> None:
    files = sorted({g.file for g in load_gold()})
    url, ws, _ids = _db(tmp_path, tagged_files=tuple(files[:3]))
    ws.labels.add("LEGAL", shortcut="7")  # in the label set, never used
    examples = ws.suggestions.examples()
    ws.close()
    proc = run("--db", url, "suggest", "--evaluate", "--json", env_dir=tmp_path)
    rows = {r["label"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert set(rows) == {"MILITARY", "DIPLOMATIC", "ECONOMIC"}
    for lab, r in rows.items():
        pos = sum(lab in e.labels for e in examples)
        assert (r["positives"], r["negatives"]) == (pos, len(examples) - pos)
        assert {"precision", "recall", "f1"} <= set(r) and r["passages"] == len(examples)
    assert "note: LEGAL is not learnt: never tagged" in proc.stderr
    text = run("--db", url, "suggest", "--evaluate", env_dir=tmp_path)
    assert "positives" in text.stdout and "LEGAL is not learnt" in text.stderr
