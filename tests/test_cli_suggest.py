"""``annotator suggest`` as a user runs it: a subprocess on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.services import Workspace
from benchmarks.suggest_gold import fill_workspace, load_gold
from tests.test_cli import run

HELD_OUT = "003_205299107bcd9cb9.txt"


def _db(tmp_path: Path, tagged: tuple[str, ...]) -> tuple[str, dict[str, int]]:
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    ws = Workspace.open(url)
    try:
        ids = fill_workspace(ws, tagged_files=tagged)
    finally:
        ws.close()
    return url, ids


def test_suggest_json_all_and_evaluate(tmp_path: Path) -> None:
    files = sorted({g.file for g in load_gold()})
    url, ids = _db(tmp_path, tuple(f for f in files if f != HELD_OUT))
    out = run("--db", url, "suggest", "--json", env_dir=tmp_path).stdout.splitlines()
    rows = [json.loads(line) for line in out]
    assert rows and set(rows[0]) == {
        "document",
        "document_id",
        "start",
        "end",
        "label",
        "score",
        "source",
        "rule",
    }
    assert {(r["document"], r["document_id"]) for r in rows} == {(HELD_OUT, ids[HELD_OUT])}
    # each label's own threshold, chosen on out-of-fold scores, is never below 0.1
    assert all(r["score"] >= 0.1 and r["source"] == "model" for r in rows)
    n_passages = sum(1 for g in load_gold() if g.file == HELD_OUT)
    every = run("--db", url, "suggest", "--all", "--json", env_dir=tmp_path).stdout.splitlines()
    assert len(every) == 3 * n_passages and len(every) > len(rows)

    named = run(
        "--db", url, "suggest", "--json", "--document", str(ids[files[0]]), env_dir=tmp_path
    ).stdout.splitlines()
    assert {json.loads(x)["document_id"] for x in named} == {ids[files[0]]}

    ev = run("--db", url, "suggest", "--evaluate", "--json", env_dir=tmp_path).stdout
    scores = {r["label"]: r for r in map(json.loads, ev.splitlines())}
    assert set(scores) == {"MILITARY", "DIPLOMATIC", "ECONOMIC"}
    assert scores["MILITARY"]["f1"] > 0.6 and scores["MILITARY"]["support"] > 50
    text = run("--db", url, "suggest", "--evaluate", env_dir=tmp_path).stdout
    assert "precision" in text and "MILITARY" in text


def test_rules_from_a_file_and_clear_errors(tmp_path: Path) -> None:
    url, _ids = _db(tmp_path, ())
    assert run("--db", url, "suggest", env_dir=tmp_path, check=False).returncode == 1
    bad = tmp_path / "bad.txt"
    bad.write_text("sanction*\n\n/(oops/\n", encoding="utf-8")
    proc = run(
        "--db", url, "suggest", "--set-rules", "ECONOMIC", str(bad), env_dir=tmp_path, check=False
    )
    assert proc.returncode == 1 and f"{bad}: Rules of ECONOMIC, line 3" in proc.stderr
    good = tmp_path / "rules.txt"
    good.write_text("# money\nsanction*\n", encoding="utf-8")
    run("--db", url, "suggest", "--set-rules", "ECONOMIC", str(good), env_dir=tmp_path)
    rows = [
        json.loads(x)
        for x in run("--db", url, "suggest", "--json", env_dir=tmp_path).stdout.splitlines()
    ]
    assert rows and {(r["label"], r["source"], r["score"]) for r in rows} == {
        ("ECONOMIC", "rule", 1.0)
    }
    assert len({r["document_id"] for r in rows}) >= 2
