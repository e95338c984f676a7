"""Native JSONL carries each annotator's document status both ways; formats that cannot
carry it say so in the export report."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.core.model import DocumentStatus
from annotator.services import Workspace
from annotator.services.exporting import LOST_STATUS


def _workspace(path: Path) -> Workspace:
    return Workspace.open(f"sqlite:///{path}")


def test_status_round_trips_through_native_jsonl(tmp_path: Path) -> None:
    src = tmp_path / "src.jsonl"
    texts = ["Troops moved east 🚀.", "Talks in Genève\u2028resumed.", "Nothing."]
    src.write_text(
        "".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(texts))
    )
    a = _workspace(tmp_path / "a.sqlite3")
    try:
        assert not a.importer.import_paths([src]).errors
        ids = [d.id for d in a.documents.list()]
        if "MILITARY" not in {lab.name for lab in a.labels.list()}:
            a.labels.add("MILITARY")
        a.annotations.add(ids[0], start=0, end=6, label="MILITARY", annotator="alice")
        a.annotations.set_status(ids[0], "alice", DocumentStatus.DONE)
        a.annotations.set_status(ids[0], "bob", DocumentStatus.IN_PROGRESS)
        a.annotations.set_status(ids[1], "bob", DocumentStatus.DONE)
        report = a.exporter.export("jsonl", tmp_path / "out.jsonl")
        assert not report.lost
        lines = [
            json.loads(x) for x in (tmp_path / "out.jsonl").read_text("utf-8").split("\n") if x
        ]
        # set_status on add puts alice "in progress" first; the last word is "done"
        assert [r.get("status") for r in lines] == [
            {"alice": "done", "bob": "in_progress"},
            {"bob": "done"},
            None,
        ]
        doccano = a.exporter.export("doccano", tmp_path / "d.jsonl")
        assert doccano.lost == {LOST_STATUS: 3}
        only_bob = a.exporter.export("jsonl", tmp_path / "bob.jsonl", filter=_flt("bob"))
        assert not only_bob.lost
        bob_lines = [
            json.loads(x) for x in (tmp_path / "bob.jsonl").read_text("utf-8").splitlines() if x
        ]
        assert bob_lines[0]["status"] == {"bob": "in_progress"}
    finally:
        a.close()
    b = _workspace(tmp_path / "b.sqlite3")
    try:
        assert not b.importer.import_paths([tmp_path / "out.jsonl"], create_labels=True).errors
        got = {d.title or b.documents.get(d.id).text: d.status for d in b.documents.list()}
        assert got == {
            texts[0]: {"alice": DocumentStatus.DONE, "bob": DocumentStatus.IN_PROGRESS},
            texts[1]: {"bob": DocumentStatus.DONE},
            texts[2]: {},
        }
    finally:
        b.close()


def test_bad_status_is_refused_by_line(tmp_path: Path) -> None:
    from annotator.core.errors import InputError
    from annotator.formats.registry import get_importer

    path = tmp_path / "x.jsonl"
    path.write_text('{"text": "a"}\n{"text": "b", "status": {"alice": "finished"}}\n')
    try:
        list(get_importer("jsonl").read(path, default_annotator="x"))
    except InputError as exc:
        assert exc.line == 2 and "finished" in str(exc)
    else:
        raise AssertionError("a bad status was accepted")


def _flt(who: str):  # type: ignore[no-untyped-def]
    from annotator.core.model import SpanFilter

    return SpanFilter(annotators=(who,))
