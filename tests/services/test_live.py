"""The change feed: what another desktop does shows up here, deletions included."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from annotator.core.model import ChangeKind, Document, SpanChange
from annotator.core.text import content_hash
from annotator.services import Workspace
from annotator.storage import repo

TEXT = "Artillery fire resumed near the port as ministers met to discuss grain exports."


def _doc(ws: Workspace, text: str = TEXT) -> int:
    return ws.db.write(
        lambda s: repo.add_document(s, Document(text=text, content_hash=content_hash(text)))
    )


def test_feed_reports_other_writers_inserts_updates_and_deletes(
    workspace: Workspace, db_url: str
) -> None:
    doc = _doc(workspace)
    feed = workspace.change_feed(listen=False)
    assert feed.poll() == []
    other = Workspace.open(db_url)  # another desktop
    a, _ = other.annotations.add(doc, start=0, end=9, label="MILITARY", annotator="bob")
    b, _ = other.annotations.add(doc, start=43, end=52, label="DIPLOMATIC", annotator="bob")
    other.annotations.update(a.id, note="heavy")
    other.annotations.delete(b.id)
    got = feed.poll()
    assert [(c.kind, c.span_id, c.document_id, c.annotator) for c in got] == [
        (ChangeKind.INSERT, a.id, doc, "bob"),
        (ChangeKind.INSERT, b.id, doc, "bob"),
        (ChangeKind.UPDATE, a.id, doc, "bob"),
        (ChangeKind.DELETE, b.id, doc, "bob"),
    ]
    assert [c.seq for c in got] == sorted({c.seq for c in got})
    assert feed.poll() == []  # each change once
    # A document deleted with its spans: the cascade is logged too.
    other.documents.delete(doc)
    assert [(c.kind, c.span_id) for c in feed.poll()] == [(ChangeKind.DELETE, a.id)]
    other.close()


def test_feed_reports_a_teammates_document_labels_given_and_taken_back(
    workspace: Workspace, db_url: str
) -> None:
    doc = _doc(workspace)
    feed = workspace.change_feed(listen=False)
    other = Workspace.open(db_url)  # another desktop
    try:
        sp, _ = other.annotations.add(doc, start=0, end=9, label="MILITARY", annotator="bob")
        other.annotations.set_document_label(doc, "bob", "ECONOMIC", True)
        other.annotations.set_document_label(doc, "bob", "ECONOMIC", False)
        got = feed.poll()
        assert [(c.kind, c.document_id, c.annotator) for c in got] == [
            (ChangeKind.INSERT, doc, "bob"),
            (ChangeKind.DOCUMENT_LABELS, doc, "bob"),
            (ChangeKind.DOCUMENT_LABELS, doc, "bob"),
        ]
        assert got[0].span_id == sp.id and got[0].kind.is_span
        # Not a span: the entry names the document-label row, added then removed.
        assert got[1].span_id == got[2].span_id
        assert not any(c.kind.is_span for c in got[1:])
        assert feed.poll() == []
        # A label that goes with its document (a cascade) is logged too.
        other.annotations.set_document_label(doc, "bob", "DIPLOMATIC", True)
        added = feed.poll()
        assert [(c.kind, c.document_id) for c in added] == [(ChangeKind.DOCUMENT_LABELS, doc)]
        other.documents.delete(doc)
        gone = {(c.kind, c.span_id) for c in feed.poll()}
        assert gone == {(ChangeKind.DELETE, sp.id), (ChangeKind.DOCUMENT_LABELS, added[0].span_id)}
    finally:
        other.close()


def test_new_feed_starts_after_existing_changes(workspace: Workspace) -> None:
    doc = _doc(workspace)
    workspace.annotations.add(doc, start=0, end=9, label="MILITARY", annotator="ann")
    feed = workspace.change_feed(listen=False)
    assert feed.poll() == []
    workspace.annotations.add(doc, start=10, end=14, label="MILITARY", annotator="ann")
    assert len(feed.poll()) == 1


def test_subscribers_are_called_from_the_background_thread(
    workspace: Workspace, db_url: str
) -> None:
    doc = _doc(workspace)
    # On PostgreSQL the interval is long, so only a NOTIFY can deliver within the deadline.
    pg = workspace.db.backend == "postgresql"
    feed = workspace.change_feed(interval=60.0 if pg else 0.05)
    seen: list[SpanChange] = []
    arrived = threading.Event()

    def on_changes(batch: list[SpanChange]) -> None:
        seen.extend(batch)
        if any(c.kind is ChangeKind.DELETE for c in seen):
            arrived.set()

    unsubscribe = feed.subscribe(on_changes)
    with feed:
        if pg:
            deadline = time.monotonic() + 10
            while not feed.listening and time.monotonic() < deadline:
                time.sleep(0.02)
            assert feed.listening
        other = Workspace.open(db_url)
        sp, _ = other.annotations.add(doc, start=0, end=9, label="MILITARY", annotator="bob")
        other.annotations.delete(sp.id)
        assert arrived.wait(10), seen
        other.close()
        unsubscribe()
    assert [(c.kind, c.span_id) for c in seen] == [
        (ChangeKind.INSERT, sp.id),
        (ChangeKind.DELETE, sp.id),
    ]


@pytest.mark.postgres
def test_late_commit_of_an_earlier_sequence_number_is_not_lost(
    pg_database: tuple[str, str],
) -> None:
    # Only on PostgreSQL: SQLite writers queue, so they commit in sequence order.
    workspace = Workspace.open(pg_database[1])
    doc = _doc(workspace)
    ann = workspace.db.write(lambda s: repo.annotator_id(s, "slow"))
    label = workspace.db.read(lambda s: repo.get_label(s, "MILITARY")).id
    feed = workspace.change_feed(listen=False)
    insert = (
        'INSERT INTO spans (document_id, annotator_id, label_id, start, "end", note, origin,'
        " decided_by, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, '', 'manual', '',"
        " now(), now())"
    )
    slow = workspace.db.engine.raw_connection()
    try:
        cur = slow.cursor()
        cur.execute(insert, (doc, ann, label, 0, 5))  # takes a sequence number, not committed
        workspace.annotations.add(doc, start=10, end=14, label="MILITARY", annotator="fast")
        first = feed.poll()
        assert [c.annotator for c in first] == ["fast"]
        slow.commit()
    finally:
        slow.close()
    # The gap is re-asked half a second after it was first seen (GAP_RECHECK), then less
    # often: the late commit arrives within that, never lost.
    t0 = time.monotonic()
    second = feed.poll()
    while not second and time.monotonic() - t0 < 3.0:
        time.sleep(0.05)
        second = feed.poll()
    assert time.monotonic() - t0 < 1.5
    assert [c.annotator for c in second] == ["slow"]
    assert second[0].seq < first[0].seq
    workspace.close()


def test_old_change_log_entries_are_pruned_once_a_day(tmp_path: Path) -> None:
    import datetime as dt
    import sqlite3

    from annotator.app import open_workspace

    url = f"sqlite:///{tmp_path / 'log.sqlite3'}"
    ws = open_workspace(url)
    doc_id = _doc(ws)
    for i in range(3):
        ws.annotations.add(doc_id, start=i, end=i + 5, label="MILITARY", annotator="ann")
    ws.close()
    con = sqlite3.connect(tmp_path / "log.sqlite3")
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S")
    con.execute(
        "UPDATE span_changes SET changed_at = ? WHERE id = (SELECT min(id) FROM span_changes)",
        (old,),
    )
    con.commit()
    assert con.execute("SELECT count(*) FROM span_changes").fetchone() == (3,)
    con.close()
    open_workspace(url).close()  # the first open of the day: daily backup, then pruning
    con = sqlite3.connect(tmp_path / "log.sqlite3")
    assert con.execute("SELECT count(*) FROM span_changes").fetchone() == (2,)
    # Another open the same day does not write at all: the old entry waits for tomorrow.
    con.execute(
        "UPDATE span_changes SET changed_at = ? WHERE id = (SELECT min(id) FROM span_changes)",
        (old,),
    )
    con.commit()
    con.close()
    open_workspace(url).close()
    con = sqlite3.connect(tmp_path / "log.sqlite3")
    assert con.execute("SELECT count(*) FROM span_changes").fetchone() == (2,)
    con.close()
