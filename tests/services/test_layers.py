"""A teammate's JSONL export or database file imported as their annotator layer."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.core.model import DocumentStatus, SpanFilter
from annotator.services import Workspace
from tests.services.team_data import TEXT_1, TEXT_2, add_document, tag

EXTRA = "A third article only the teammate has. Drones hit a depot."


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    yield w
    w.close()


def _teammate(tmp_path: Path) -> tuple[Path, Workspace]:
    """Bob's own database: the two shared documents plus one only he has."""
    path = tmp_path / "bob.sqlite3"
    theirs = Workspace.open(f"sqlite:///{path}")
    d1 = add_document(theirs, TEXT_1, "First")
    d2 = add_document(theirs, TEXT_2, "Second")
    d3 = add_document(theirs, EXTRA, "Third")
    tag(theirs, d1, TEXT_1, "Tanks crossed the border at dawn.", "MILITARY", "me")
    tag(theirs, d1, TEXT_1, "Oil prices rose", "ECONOMIC", "me")
    tag(theirs, d2, TEXT_2, "Troops withdrew from the river.", "MILITARY", "me")
    tag(theirs, d3, EXTRA, "Drones hit a depot.", "MILITARY", "me")
    theirs.annotations.set_status(d1, "me", DocumentStatus.DONE)
    return path, theirs


def _local(ws: Workspace) -> tuple[int, int]:
    d1 = add_document(ws, TEXT_1, "First")
    d2 = add_document(ws, TEXT_2, "Second")
    # bob already sent an earlier version of document 1: one identical span, one other.
    tag(ws, d1, TEXT_1, "Tanks crossed the border at dawn.", "MILITARY", "bob")
    tag(ws, d1, TEXT_1, "Artillery shelled the city overnight.", "MILITARY", "bob")
    tag(ws, d1, TEXT_1, "Oil prices rose sharply.", "ECONOMIC", "ann")
    return d1, d2


def _keys(ws: Workspace, doc: int, who: str) -> set[tuple[int, int, str]]:
    return {s.key for s in ws.annotations.spans(doc, annotators=(who,))}


def test_database_file_as_layer(ws: Workspace, tmp_path: Path) -> None:
    path, theirs = _teammate(tmp_path)
    theirs.close()
    before = path.read_bytes()
    d1, d2 = _local(ws)
    report = ws.layers.import_layers([path], as_annotator="bob")
    assert path.read_bytes() == before  # read-only: the teammate's file is untouched
    (f,) = report.files
    assert f.error is None and f.source == "database"
    assert (f.documents_matched, f.documents_added) == (2, 1)
    bob = f.layers["bob"]
    assert (bob.incoming, bob.identical, bob.new, bob.kept_local) == (4, 1, 3, 1)
    assert bob.documents_with_local == 1
    assert "bob already had spans in 1 matched document(s)" in f.conflicts()[0]
    # Never deletes: bob's artillery span stays; the new ones arrive on the matched documents.
    oil = TEXT_1.index("Oil prices rose")
    assert (oil, oil + len("Oil prices rose"), "ECONOMIC") in _keys(ws, d1, "bob")
    assert len(_keys(ws, d1, "bob")) == 3 and len(_keys(ws, d2, "bob")) == 1
    assert _keys(ws, d1, "ann") == {(oil, oil + len("Oil prices rose sharply."), "ECONOMIC")}
    assert ws.documents.count() == 3
    assert ws.documents.list()[0].status_for("bob") is DocumentStatus.DONE
    assert "1 identical" in report.summary()
    # Importing again adds nothing and says every span is identical.
    again = ws.layers.import_layers([path], as_annotator="bob").files[0].layers["bob"]
    assert (again.identical, again.new) == (4, 0)


def test_skip_missing_documents_and_keep_names(ws: Workspace, tmp_path: Path) -> None:
    path, theirs = _teammate(tmp_path)
    theirs.close()
    _local(ws)
    report = ws.layers.import_layers([path], add_missing=False)
    (f,) = report.files
    assert f.documents_skipped == ["Third"] and ws.documents.count() == 2
    assert set(f.layers) == {"me"}  # no --as: spans keep their annotator
    assert f.layers["me"].new == 3


def test_jsonl_export_as_layer(ws: Workspace, tmp_path: Path) -> None:
    _, theirs = _teammate(tmp_path)
    export = tmp_path / "bob.jsonl"
    theirs.exporter.export("jsonl", export, filter=SpanFilter(annotators=("me",)))
    theirs.close()
    d1, _ = _local(ws)
    (f,) = ws.layers.import_layers([export], as_annotator="bob").files
    assert f.error is None and f.source == "jsonl"
    assert (f.documents_matched, f.documents_added) == (2, 1)
    assert (f.layers["bob"].identical, f.layers["bob"].new) == (1, 3)
    assert len(_keys(ws, d1, "bob")) == 3


def test_bad_files_change_nothing(ws: Workspace, tmp_path: Path) -> None:
    _local(ws)
    good = json.dumps({"text": EXTRA, "spans": [{"start": 0, "end": 7, "label": "MILITARY"}]})
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good + "\n{oops\n", encoding="utf-8")
    unknown = tmp_path / "labels.jsonl"
    unknown.write_text(
        json.dumps({"text": EXTRA, "spans": [{"start": 0, "end": 7, "label": "CYBER"}]}) + "\n",
        encoding="utf-8",
    )
    broken_db = tmp_path / "broken.sqlite3"
    broken_db.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    other_db = tmp_path / "other.sqlite3"
    sqlite3.connect(other_db).execute("CREATE TABLE t (x)").connection.close()
    stats = ws.documents.stats()
    report = ws.layers.import_layers(
        [bad, unknown, broken_db, other_db, tmp_path / "none.jsonl"], as_annotator="bob"
    )
    assert len(report.errors) == 5
    assert all(isinstance(e, InputError) for e in report.errors)
    assert f"{bad}:2: invalid JSON" in str(report.errors[0])
    assert "CYBER" in str(report.errors[1])
    assert "not an Annotator database" in str(report.errors[3])
    assert ws.documents.stats() == stats
    assert "5 file(s) refused" in report.summary()
