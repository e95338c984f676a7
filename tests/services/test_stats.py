"""``annotator stats``: every count right, and read from kept counts and indexes (issue 26)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter

import pytest
from sqlalchemy import event

from annotator.core.model import Document, DocumentStatus
from annotator.core.text import content_hash
from annotator.services import Workspace
from annotator.storage import repo


def _doc(
    ws: Workspace, text: str, title: str, published: dt.date | None = None, external_id: str = ""
) -> int:
    doc = Document(
        text=text,
        title=title,
        content_hash=content_hash(text),
        published=published,
        external_id=external_id,
    )
    return ws.db.write(lambda s: repo.add_document(s, doc))


@pytest.fixture
def corpus(workspace: Workspace) -> tuple[Workspace, list[int], list[tuple[int, str, str]]]:
    ws = workspace
    for name in ("ECONOMIC", "UNUSED"):
        if name not in {lab.name for lab in ws.labels.list()}:
            ws.labels.add(name)
    ids = [
        _doc(ws, "Ürün " * 40, "first", dt.date(2024, 10, 25)),
        _doc(ws, "Second text, never tagged.", "second", external_id="art-2"),
        _doc(ws, "Third one " * 30, "third"),
    ]
    # (document, label, annotator): "ann" and "bob" tag, "cy" only sets a status.
    spans = [
        (ids[0], "MILITARY", "ann"),
        (ids[0], "MILITARY", "bob"),
        (ids[0], "ECONOMIC", "bob"),
        (ids[2], "DIPLOMATIC", "ann"),
        (ids[2], "MILITARY", "ann"),
        (ids[2], "MILITARY", "ann"),
    ]
    for k, (doc_id, label, who) in enumerate(spans):
        ws.annotations.add(doc_id, start=k, end=k + 3, label=label, annotator=who)
    ws.annotations.set_status(ids[0], "ann", DocumentStatus.DONE)
    ws.annotations.set_status(ids[1], "cy", DocumentStatus.IN_PROGRESS)
    return ws, ids, spans


def test_stats_counts_every_document_label_and_annotator(corpus) -> None:
    ws, ids, spans = corpus
    got = ws.documents.stats()
    docs = {d["id"]: d for d in got["documents"]}
    assert [d["id"] for d in got["documents"]] == sorted(ids)
    assert docs[ids[0]] == {
        "id": ids[0],
        "document": str(ids[0]),  # the id exports write: its number, as it has no other
        "title": "first",
        "published": "2024-10-25",
        "source": "",
        "author": "",
        "url": "",
        "characters": 200,
        "spans": 3,
        "status": {"ann": "done", "bob": "in_progress"},
    }
    assert docs[ids[1]]["spans"] == 0 and docs[ids[1]]["published"] is None
    assert docs[ids[1]]["document"] == "art-2"
    assert docs[ids[1]]["status"] == {"cy": "in_progress"}
    assert docs[ids[2]]["spans"] == 3 and docs[ids[2]]["characters"] == 300
    assert docs[ids[2]]["status"] == {"ann": "in_progress"}

    pairs = Counter((label, who) for _d, label, who in spans)
    assert got["spans"]["by_label_and_annotator"] == [
        {"label": lab, "annotator": who, "spans": n} for (lab, who), n in sorted(pairs.items())
    ]  # sorted, and no row for a pair without spans (UNUSED, cy)
    assert got["spans"]["by_label"] == {"DIPLOMATIC": 1, "ECONOMIC": 1, "MILITARY": 4}
    assert got["spans"]["by_annotator"] == {"ann": 4, "bob": 2}
    assert got["spans"]["total"] == len(spans)
    assert set(got["annotators"]) >= {"ann", "bob", "cy"}
    assert "UNUSED" in [lab["name"] for lab in got["labels"]]


def test_stats_reads_no_span_on_sqlite(corpus, db_backend) -> None:
    """On SQLite ``stats`` reads the counts kept by triggers (schema 0016) and no span:
    the per-document counts seek ``span_tally_document`` by document, and the lengths
    come from ix_documents_sizes (a scan of the documents' rows would read every text).
    Before, two passes over every span's index entry were a third of the command on a
    300 MB file."""
    if db_backend != "sqlite":
        pytest.skip("query plans are SQLite's")
    ws, _ids, _spans = corpus
    seen: list[tuple[str, object]] = []

    def grab(_conn, _cur, statement, params, _ctx, _many) -> None:  # type: ignore[no-untyped-def]
        seen.append((statement, params))

    event.listen(ws.db.engine, "before_cursor_execute", grab)
    try:
        ws.documents.stats()
    finally:
        event.remove(ws.db.engine, "before_cursor_execute", grab)
    path = ws.db.sqlite_path
    assert path is not None
    con = sqlite3.connect(path)
    try:
        tallies = 0
        for statement, params in seen:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            plan = [r[-1] for r in con.execute("EXPLAIN QUERY PLAN " + statement, params or ())]
            for step in plan:
                assert " spans " not in f" {step} ", (statement, plan)
                if "span_tally_document" in step:
                    tallies += 1
                    assert step.startswith("SEARCH"), (statement, plan)
            if "documents.length" in statement:
                assert any("ix_documents_sizes" in step for step in plan), (statement, plan)
        assert tallies == 1
    finally:
        con.close()


def test_stats_lines_match_after_a_document_leaves_and_one_arrives(corpus) -> None:
    """Names and counts come from two statements joined in id order: a deleted document in
    the middle and a new one without spans must not shift any count onto a neighbour."""
    ws, ids, spans = corpus
    ws.documents.delete(ids[1])
    late = _doc(ws, "Fourth, added last, untagged.", "fourth")
    ws.annotations.add(ids[2], start=100, end=104, label="ECONOMIC", annotator="cy")
    got = ws.documents.stats()
    assert [(d["id"], d["title"], d["spans"], d["characters"]) for d in got["documents"]] == [
        (ids[0], "first", 3, 200),
        (ids[2], "third", 4, 300),
        (late, "fourth", 0, len("Fourth, added last, untagged.")),
    ]
    assert got["spans"]["by_annotator"] == {"ann": 4, "bob": 2, "cy": 1}
    assert got["spans"]["total"] == len(spans) + 1
