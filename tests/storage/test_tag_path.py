"""The keyboard's tag path (``repo.tag``): on SQLite two driver statements and a commit,
elsewhere the Session path; both must store exactly what the general path stores."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from annotator.core.errors import AnnotatorError, DatabaseError, NotFoundError
from annotator.core.model import Document, DocumentStatus, NewSpan, SpanOrigin
from annotator.core.text import content_hash
from annotator.storage import Database, open_database, repo

TEXT = "Tanks crossed the border while talks stalled."


def _doc(db: Database, text: str = TEXT) -> int:
    return db.write(
        lambda s: repo.add_document(s, Document(text=text, content_hash=content_hash(text)))
    )


def _changes(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM span_changes").scalar() or 0)


@pytest.mark.parametrize("length_known", [True, False])
def test_a_tag_stores_what_the_general_path_stores(db_url: str, length_known: bool) -> None:
    db = open_database(db_url)
    doc = _doc(db)
    db.write(lambda s: repo.annotator_id(s, "ann"))  # the annotator exists: the fast path runs
    before = _changes(db)
    new = NewSpan(0, 5, "MILITARY", "ann", "a note", SpanOrigin.SUGGESTED, "")
    tagged = repo.tag(db, doc, new, length=len(TEXT) if length_known else None)
    (stored,) = db.read(lambda s: repo.list_spans(s, doc))
    assert tagged == stored  # id, fields and both stamps, as read back
    assert db.read(lambda s: repo.status_of(s, doc, "ann")) == DocumentStatus.IN_PROGRESS
    assert _changes(db) == before + 1  # the change feed saw it (trigger)


def test_a_second_identical_tag_returns_the_stored_span(db_url: str) -> None:
    db = open_database(db_url)
    doc = _doc(db)
    first = repo.tag(db, doc, NewSpan(6, 13, "MILITARY", "new-annotator"), length=len(TEXT))
    again = repo.tag(db, doc, NewSpan(6, 13, "MILITARY", "new-annotator"), length=len(TEXT))
    assert again.id == first.id
    assert len(db.read(lambda s: repo.list_spans(s, doc))) == 1


def test_a_done_document_stays_done(db_url: str) -> None:
    db = open_database(db_url)
    doc = _doc(db)
    db.write(lambda s: repo.set_status(s, doc, "ann", DocumentStatus.DONE))
    repo.tag(db, doc, NewSpan(0, 5, "MILITARY", "ann"), length=len(TEXT))
    assert db.read(lambda s: repo.status_of(s, doc, "ann")) == DocumentStatus.DONE


def test_bad_tags_write_nothing_and_say_why(db_url: str) -> None:
    db = open_database(db_url)
    doc = _doc(db)
    db.write(lambda s: repo.annotator_id(s, "ann"))
    before = _changes(db)
    with pytest.raises(AnnotatorError, match="outside the document"):
        repo.tag(db, doc, NewSpan(40, 99, "MILITARY", "ann"), length=len(TEXT))
    with pytest.raises(NotFoundError, match="No label named 'NAVAL'"):
        repo.tag(db, doc, NewSpan(0, 5, "NAVAL", "ann"), length=len(TEXT))
    assert db.read(lambda s: repo.list_spans(s, doc)) == []
    assert db.read(lambda s: repo.status_of(s, doc, "ann")) == DocumentStatus.TODO
    assert _changes(db) == before


def test_a_tag_on_a_deleted_document_is_a_clear_error(tmp_path: Path) -> None:
    """A teammate's window deleted the document this one still shows."""
    db = open_database(f"sqlite:///{tmp_path / 'gone.sqlite3'}")
    doc = _doc(db)
    db.write(lambda s: repo.annotator_id(s, "ann"))
    db.write(lambda s: repo.delete_document(s, doc))
    before = _changes(db)
    with pytest.raises(DatabaseError, match=r"gone\.sqlite3.*FOREIGN KEY"):
        repo.tag(db, doc, NewSpan(0, 5, "MILITARY", "ann"), length=len(TEXT))
    assert _changes(db) == before
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM spans").scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM document_status").scalar() == 0


def test_a_tag_waits_for_another_writer_then_lands(tmp_path: Path) -> None:
    """Another process's write transaction holds the file: the tag queues, it does not fail."""
    path = tmp_path / "busy.sqlite3"
    db = open_database(f"sqlite:///{path}")
    doc = _doc(db)
    db.write(lambda s: repo.annotator_id(s, "ann"))
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.4, lambda: other.execute("COMMIT"))
    release.start()
    t = time.perf_counter()
    span = repo.tag(db, doc, NewSpan(0, 5, "MILITARY", "ann"), length=len(TEXT))
    waited = time.perf_counter() - t
    release.join()
    other.close()
    assert waited >= 0.3
    assert [s.id for s in db.read(lambda s: repo.list_spans(s, doc))] == [span.id]


def test_write_driver_rolls_back_on_error(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'rb.sqlite3'}")
    doc = _doc(db)
    db.write(lambda s: repo.annotator_id(s, "ann"))

    def work(con: sqlite3.Connection) -> None:
        repo.tag_span_driver(con, doc, NewSpan(0, 5, "MILITARY", "ann"), length=len(TEXT))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        db.write_driver(work)
    assert db.read(lambda s: repo.list_spans(s, doc)) == []
    # The kept connection was left clean: the next tag commits, and a second thread's
    # tag (on a pooled connection) too.
    repo.tag(db, doc, NewSpan(0, 5, "MILITARY", "ann"), length=len(TEXT))
    other = threading.Thread(
        target=lambda: repo.tag(db, doc, NewSpan(6, 9, "MILITARY", "ann"), length=len(TEXT))
    )
    other.start()
    other.join()
    assert len(db.read(lambda s: repo.list_spans(s, doc))) == 2
    db.dispose()
    assert len(open_database(db.url).read(lambda s: repo.list_spans(s, doc))) == 2
