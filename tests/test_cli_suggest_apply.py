"""``annotator suggest --apply``, the rule that fired, label issues by document id, the
shipped seed rules: as a user runs them, a subprocess on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.core.model import SpanOrigin
from annotator.services import Workspace
from benchmarks.suggest_gold import fill_workspace, load_gold
from tests.test_cli import run

HELD_OUT = "003_205299107bcd9cb9.txt"


def _db(tmp_path: Path) -> tuple[str, dict[str, int]]:
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    ws = Workspace.open(url)
    try:
        files = sorted({g.file for g in load_gold()})
        ids = fill_workspace(ws, tagged_files=tuple(f for f in files if f != HELD_OUT))
        ws.labels.add("LOGISTICS")
    finally:
        ws.close()
    return url, ids


def test_apply_tags_confident_passages_once_and_names_the_rest(tmp_path: Path) -> None:
    url, ids = _db(tmp_path)
    doc = ids[HELD_OUT]
    out = run(
        "--db",
        url,
        "suggest",
        "--apply",
        "--min-precision",
        "0.95",
        "--annotator",
        "ann",
        "--document",
        str(doc),
        "--json",
        env_dir=tmp_path,
    )
    rows = {r["label"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert "LOGISTICS is not learnt: never tagged" in out.stderr
    assert rows["LOGISTICS"]["left_out"].startswith("not learned")
    confident = [r for r in rows.values() if "precision" in r]
    assert confident and all(r["precision"] >= 0.95 for r in confident)
    ws = Workspace.open(url)
    try:
        spans = ws.annotations.spans(doc, annotators=("ann",))
    finally:
        ws.close()
    assert len(spans) == sum(r["tagged"] for r in confident) > 0
    assert {s.origin for s in spans} == {SpanOrigin.SUGGESTED}
    gold = {g.start: g.labels for g in load_gold() if g.file == HELD_OUT}
    assert sum(s.label in gold[s.start] for s in spans) / len(spans) >= 0.8
    # Again: the passages are tagged now, nothing is added twice.
    run(
        "--db",
        url,
        "suggest",
        "--apply",
        "--annotator",
        "ann",
        "--document",
        str(doc),
        env_dir=tmp_path,
    )
    ws = Workspace.open(url)
    try:
        after = ws.annotations.spans(doc, annotators=("ann",))
        keys = [(s.start, s.end, s.label) for s in after]
        assert len(keys) == len(set(keys))  # nothing twice
        # a passage tagged by the first run got nothing more (the model retrained on the
        # first run's spans may be confident of other passages now)
        before = {(s.start, s.end, s.label) for s in spans}
        tagged = {(s.start, s.end) for s in spans}
        assert all(k in before for k in keys if k[:2] in tagged)
    finally:
        ws.close()
    bad = run("--db", url, "suggest", "--apply", env_dir=tmp_path, check=False)
    assert bad.returncode != 0 and "--apply needs one --annotator" in bad.stderr


def test_seed_rules_shipped_listed_kept_and_named_when_they_fire(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    ws = Workspace.open(url)
    try:
        ws.suggestions.set_rules("DIPLOMATIC", "my own rule")
        ws.importer.import_paths([_write(tmp_path, "a.txt", "Budget cuts hit the oil trade.")])
        (doc_id,) = [d.id for d in ws.documents.list()]
    finally:
        ws.close()
    listed = {
        r["name"]: r
        for r in map(
            json.loads,
            run("--db", url, "labels", "list", "--json", env_dir=tmp_path).stdout.splitlines(),
        )
    }
    assert listed["ECONOMIC"]["rules"] == [] and listed["DIPLOMATIC"]["rules"] == ["my own rule"]
    got = run("--db", url, "labels", "default-rules", env_dir=tmp_path).stdout
    assert "ECONOMIC, MILITARY" in got and "DIPLOMATIC" not in got
    listed = {
        r["name"]: r
        for r in map(
            json.loads,
            run("--db", url, "labels", "list", "--json", env_dir=tmp_path).stdout.splitlines(),
        )
    }
    assert "econom*" in listed["ECONOMIC"]["rules"]
    assert listed["DIPLOMATIC"]["rules"] == ["my own rule"]  # never overwritten
    again = run("--db", url, "labels", "default-rules", env_dir=tmp_path).stdout
    assert "Nothing changed" in again
    rows = [
        json.loads(x)
        for x in run(
            "--db", url, "suggest", "--json", "--document", str(doc_id), env_dir=tmp_path
        ).stdout.splitlines()
    ]
    assert rows == [
        {
            "document": rows[0]["document"],
            "document_id": doc_id,
            "start": 0,
            "end": 30,
            "label": "ECONOMIC",
            "score": 1.0,
            "source": "rule",
            "rule": "budget*",
        }
    ]


def _write(folder: Path, name: str, text: str) -> Path:
    p = folder / "in" / name
    p.parent.mkdir(exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_issues_name_documents_by_external_id_and_unchecked_labels(tmp_path: Path) -> None:
    url, _ids = _db(tmp_path)
    out = run("--db", url, "suggest", "--issues", "--json", env_dir=tmp_path)
    items = [json.loads(x) for x in out.stdout.splitlines()]
    assert items and all(i["document"].endswith(".txt") for i in items)
    assert "LOGISTICS is not learnt" in out.stderr


def test_preannotation_leaves_judged_passages_alone(tmp_path: Path) -> None:
    url, ids = _db(tmp_path)
    doc = ids[HELD_OUT]
    ws = Workspace.open(url)
    try:
        sug = ws.suggestions.train(annotators=("ann",))
        plan = ws.suggestions.preannotation(sug, annotator="ann", document_ids=(doc,))
        spans = plan.spans[doc]
        (s0, e0, _l0), (s1, e1, lab1) = spans[0], spans[-1]
        ws.judgements.judge_none(doc, s0, e0, "ann")  # "no label" here
        ws.judgements.reject(doc, s1, e1, "ann", [lab1])  # and a rejection there
        again = ws.suggestions.preannotation(sug, annotator="ann", document_ids=(doc,))
        left = {(s, e) for s, e, _lab in again.spans[doc]}
        assert (s0, e0) not in left and (s1, e1) not in left
        assert left == {(s, e) for s, e, _lab in spans} - {(s0, e0), (s1, e1)}
    finally:
        ws.close()
