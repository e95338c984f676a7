from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.core.errors import AnnotatorError, DatabaseError
from annotator.core.model import Document, NewSpan
from annotator.storage import Database, open_database, repo
from annotator.storage.migrate import HEAD, needs_upgrade


def test_new_database_is_migrated_and_seeded(db_url: str) -> None:
    db = open_database(db_url)
    assert not needs_upgrade(db)
    assert [lab.name for lab in db.read(repo.list_labels)] == ["MILITARY", "DIPLOMATIC", "ECONOMIC"]
    assert [lab.shortcut for lab in db.read(repo.list_labels)] == ["1", "2", "3"]


def test_sqlite_pragmas(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_reopening_does_not_migrate_again(db_url: str) -> None:
    open_database(db_url).dispose()
    db = Database(db_url)
    assert not needs_upgrade(db)


def test_database_from_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    open_database(f"sqlite:///{path}").dispose()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match=r"newer version of Annotator.*9999"):
        open_database(f"sqlite:///{path}")
    assert path.read_bytes() == before
    assert HEAD != "9999"


def _doc(db: Database, text: str = "Some text here.") -> int:
    from annotator.core.text import content_hash

    return db.write(
        lambda s: repo.add_document(s, Document(text=text, content_hash=content_hash(text)))
    )


def test_overlapping_nested_and_multi_label_spans(db_url: str) -> None:
    db = open_database(db_url)
    doc = _doc(db, "Tanks crossed the border while talks stalled.")
    spans = [
        NewSpan(0, 24, "MILITARY", "ann"),
        NewSpan(0, 24, "DIPLOMATIC", "ann"),  # same passage, second label
        NewSpan(6, 13, "MILITARY", "ann"),  # nested
        NewSpan(18, 44, "DIPLOMATIC", "ann"),  # overlapping
        NewSpan(0, 24, "MILITARY", "bob"),  # same span, other annotator
    ]
    for sp in spans:
        db.write(lambda s, sp=sp: repo.add_span(s, doc, sp))
    stored = db.read(lambda s: repo.list_spans(s, doc))
    assert len(stored) == 5
    # Adding the same span again by the same annotator does not double it.
    db.write(lambda s: repo.add_span(s, doc, spans[0]))
    assert len(db.read(lambda s: repo.list_spans(s, doc))) == 5


def test_span_out_of_range_is_refused_and_nothing_written(db_url: str) -> None:
    db = open_database(db_url)
    doc = _doc(db, "short")
    with pytest.raises(AnnotatorError, match="outside the document"):
        db.write(lambda s: repo.add_span(s, doc, NewSpan(2, 99, "MILITARY", "ann")))
    assert db.read(lambda s: repo.list_spans(s, doc)) == []
    assert db.read(repo.list_annotators) == []


def test_write_rolls_back_whole_transaction(db_url: str) -> None:
    db = open_database(db_url)

    def work(s: object) -> None:
        repo.add_document(s, Document(text="one", content_hash="h1"))  # type: ignore[arg-type]
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        db.write(work)
    assert db.read(repo.count_documents) == 0


def test_label_in_use_cannot_be_removed_without_its_spans(db_url: str) -> None:
    db = open_database(db_url)
    doc = _doc(db)
    db.write(lambda s: repo.add_span(s, doc, NewSpan(0, 4, "ECONOMIC", "ann")))
    with pytest.raises(AnnotatorError, match="used by 1 span"):
        db.write(lambda s: repo.remove_label(s, "ECONOMIC"))
    assert db.write(lambda s: repo.remove_label(s, "ECONOMIC", delete_spans=True)) == 1
    assert "ECONOMIC" not in [lab.name for lab in db.read(repo.list_labels)]


def test_password_never_in_display_url() -> None:
    from annotator.storage import display_url

    shown = display_url("postgresql+psycopg://alice:s3cret@127.0.0.1:5432/team")
    assert "s3cret" not in shown and "alice" in shown
