"""Migration 0010 on a populated database (SQLite and PostgreSQL): spans stored at 0006 keep
everything and record no guideline version; new spans record the version in force; a
downgrade to 0006 takes the table and the column away and keeps the spans."""

from __future__ import annotations

from migration_support import TEXT, migrate, seed_old_rows
from sqlalchemy import inspect, text

from annotator.core.model import NewSpan
from annotator.core.text import content_hash
from annotator.storage import Database, open_database, repo
from annotator.storage.guidelines import add_guideline
from annotator.storage.migrate import HEAD, current_revision


def test_0010_on_a_populated_database(db_url: str) -> None:
    db = Database(db_url)
    migrate(db, "0006")
    seed_old_rows(db, note="old")  # as a 0006 app left it: plain SQL
    db.dispose()

    db = open_database(db_url)  # migrates to HEAD
    try:
        with db.engine.connect() as conn:
            assert current_revision(conn) == HEAD
        doc = db.read(lambda s: repo.find_document_id_by_hash(s, content_hash(TEXT)))
        assert doc is not None
        (old,) = db.read(lambda s: repo.list_spans(s, doc))
        assert (old.start, old.end, old.label, old.note, old.guideline_version) == (
            0,
            24,
            "MILITARY",
            "old",
            None,
        )
        db.write(lambda s: add_guideline(s, "# v1\n", "lena"))
        new = db.write(lambda s: repo.add_span(s, doc, NewSpan(26, 51, "DIPLOMATIC", "ann")))
        assert new.guideline_version == 1
        db.dispose()
        db = Database(db_url)
        migrate(db, "0006", down=True)
        with db.engine.connect() as conn:
            assert "guidelines" not in inspect(conn).get_table_names()
            assert "guideline_version" not in {
                c["name"] for c in inspect(conn).get_columns("spans")
            }
            assert conn.execute(text("SELECT count(*) FROM spans")).scalar_one() == 2
    finally:
        db.dispose()
