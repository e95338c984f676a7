"""Native JSONL carries judged passages ("no label", rejected suggestions, skips) both ways,
with code-point offsets checked against the text; formats that cannot carry them say so."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.core.judgement import Judgement, JudgementKind
from annotator.core.model import SpanFilter
from annotator.services import Workspace
from annotator.services.exporting import LOST_JUDGEMENTS

TEXTS = ["Troops moved east 🚀. Talks stalled.", "Talks in Genève resumed. Oil rose."]


def _ws(path: Path) -> Workspace:
    return Workspace.open(f"sqlite:///{path}")


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines() if x]


def test_judgements_round_trip_through_native_jsonl(tmp_path: Path) -> None:
    src = tmp_path / "src.jsonl"
    src.write_text(
        "".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(TEXTS))
    )
    a = _ws(tmp_path / "a.sqlite3")
    try:
        assert not a.importer.import_paths([src]).errors
        d0, d1 = [d.id for d in a.documents.list()]
        a.judgements.add(
            [
                Judgement(d0, 21, 35, "alice"),  # after the emoji: code points, not UTF-16
                Judgement(d0, 0, 20, "bob", JudgementKind.REJECTED, "ECONOMIC"),
                Judgement(d1, 25, 34, "alice", JudgementKind.SKIPPED),
            ]
        )
        report = a.exporter.export("jsonl", tmp_path / "out.jsonl")
        assert not report.lost
        lines = _lines(tmp_path / "out.jsonl")
        assert lines[0]["judgements"] == [
            {
                "start": 0,
                "end": 20,
                "text": TEXTS[0][:20],
                "annotator": "bob",
                "kind": "rejected",
                "label": "ECONOMIC",
            },
            {
                "start": 21,
                "end": 35,
                "text": "Talks stalled.",
                "annotator": "alice",
                "kind": "none",
            },
        ]
        assert lines[1]["judgements"][0]["kind"] == "skipped"
        assert a.exporter.export("doccano", tmp_path / "d.jsonl").lost == {LOST_JUDGEMENTS: 3}
        only = a.exporter.export(
            "jsonl", tmp_path / "alice.jsonl", filter=SpanFilter(annotators=("alice",))
        )
        assert not only.lost
        assert [
            j["annotator"]
            for r in _lines(tmp_path / "alice.jsonl")
            for j in r.get("judgements", [])
        ] == ["alice", "alice"]
        before = {(j.start, j.end, j.annotator, j.kind, j.label) for j in a.judgements.list()}
    finally:
        a.close()
    b = _ws(tmp_path / "b.sqlite3")
    try:
        assert not b.importer.import_paths([tmp_path / "out.jsonl"], create_labels=True).errors
        after = {(j.start, j.end, j.annotator, j.kind, j.label) for j in b.judgements.list()}
        assert after == before
        # Importing the same file again stores nothing twice.
        assert not b.importer.import_paths([tmp_path / "out.jsonl"], create_labels=True).errors
        assert len(b.judgements.list()) == 3
        # And they are what they were: alice's walked-past passage is her negative example.
        ex = b.suggestions.examples(annotators=["alice"])
        assert [(e.start, e.labels) for e in ex] == [(21, frozenset())]
    finally:
        b.close()


def test_bad_judgements_are_refused_with_file_and_line(tmp_path: Path) -> None:
    ws = _ws(tmp_path / "c.sqlite3")
    try:
        for bad, words in (
            ({"start": 0, "end": 99, "annotator": "a"}, "out of range"),
            ({"start": 0, "end": 6, "text": "Troop", "annotator": "a"}, "code points"),
            ({"start": 0, "end": 6, "kind": "maybe"}, "not none, rejected or skipped"),
            ({"start": 0, "end": 6, "kind": "rejected"}, "needs its 'label'"),
        ):
            path = tmp_path / "bad.jsonl"
            ok = json.dumps({"id": "ok", "text": "Fine text."})
            path.write_text(
                ok + "\n" + json.dumps({"id": "x", "text": TEXTS[0], "judgements": [bad]}) + "\n"
            )
            report = ws.importer.import_paths([path])
            assert report.errors, bad
            msg = str(report.errors[0])
            assert "bad.jsonl:2:" in msg and words in msg, msg
        assert ws.judgements.list() == []
    finally:
        ws.close()
