"""Migration 0017 on a populated database (SQLite and PostgreSQL): document labels given or
taken back afterwards are in the change log as ``doclabel`` (labels stored before are
not invented as changes), the span log and span counts are untouched, and a downgrade takes
the triggers and their entries away, keeping every span change."""

from __future__ import annotations

from migration_support import TEXT, migrate, seed_old_rows
from sqlalchemy import text

from annotator.core.model import Document, NewSpan
from annotator.core.text import content_hash
from annotator.storage import Database, open_database, repo
from annotator.storage.migrate import HEAD, current_revision
from annotator.storage.tallies import kept


def _log(db: Database) -> list[tuple[str, int]]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT op, span_id FROM span_changes ORDER BY id"))
        return [(str(op), int(i)) for op, i in rows]


def test_0017_on_a_populated_database(db_url: str) -> None:
    db = Database(db_url)
    migrate(db, "0016")
    seed_old_rows(db)  # as a 0016 app left it: plain SQL
    with db._write_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO document_labels (document_id, annotator_id, label_id, created_at)"
                " SELECT d.id, a.id, l.id, '2024-01-01' FROM documents d, annotators a,"
                " labels l WHERE l.name = 'ECONOMIC'"
            )
        )
    before = _log(db)
    assert [op for op, _ in before] == ["insert"]  # the span's; the label had no trigger
    db.dispose()

    db = open_database(db_url)  # migrates to HEAD
    try:
        with db.engine.connect() as conn:
            assert current_revision(conn) == HEAD
        assert _log(db) == before  # nothing invented for the labels stored before
        doc = db.read(lambda s: repo.find_document_id_by_hash(s, content_hash(TEXT)))
        assert doc is not None
        assert db.read(lambda s: repo.document_labels(s, [doc])) == {doc: {"ann": ["ECONOMIC"]}}
        (added,) = db.write(lambda s: repo.add_document_labels(s, doc, "ann", ["DIPLOMATIC"]))
        db.write(lambda s: repo.remove_document_labels(s, doc, "ann", ["ECONOMIC"]))
        db.write(lambda s: repo.add_span(s, doc, NewSpan(26, 51, "DIPLOMATIC", "ann")))
        log = _log(db)
        assert [op for op, _ in log] == ["insert", "doclabel", "doclabel", "insert"]
        assert log[1][1] == added
        # The span counts SQLite keeps (0016) still count spans only.
        if db.backend == "sqlite":
            assert db.read(kept)
            assert db.read(repo.count_differences) == 0
        assert len(db.read(lambda s: repo.list_spans(s, doc))) == 2
        db.dispose()

        db = Database(db_url)
        migrate(db, "0016", down=True)
        assert [op for op, _ in _log(db)] == ["insert", "insert"]  # span changes kept
        db.write(lambda s: repo.remove_document_labels(s, doc, "ann", ["DIPLOMATIC"]))
        assert [op for op, _ in _log(db)] == ["insert", "insert"]  # no trigger left
        migrate(db, HEAD)  # and up again
        db.write(lambda s: repo.add_document_labels(s, doc, "ann", ["ECONOMIC"]))
        assert [op for op, _ in _log(db)] == ["insert", "insert", "doclabel"]
        if db.backend == "postgresql":
            with db.engine.connect() as conn:
                definer, config = conn.execute(
                    text(
                        "SELECT prosecdef, proconfig FROM pg_proc"
                        " WHERE proname = 'annotator_log_doclabel_statement'"
                    )
                ).one()
            assert definer
            (path,) = [c for c in config if c.startswith("search_path=")]
            assert path.startswith("search_path=pg_catalog, ") and path.endswith(", pg_temp")
    finally:
        db.dispose()


def test_a_document_label_is_no_touch_of_the_imports_span_with_the_same_id(db_url: str) -> None:
    """Taking back an import keeps its spans someone changed since (the change log says so).
    A label of the whole document logged since names a ``document_labels`` row, not a span:
    with the same id as the import's span it must not keep that span."""
    from annotator.storage.bulk import BatchOutcome
    from annotator.storage.import_journal import journal, take_back_token

    db = open_database(db_url)
    try:
        doc = db.write(
            lambda s: repo.add_document(s, Document(text=TEXT, content_hash=content_hash(TEXT)))
        )
        span = db.write(lambda s: repo.add_span(s, doc, NewSpan(0, 5, "MILITARY", "imp")))
        db.write(lambda s: journal(s, "tok", BatchOutcome(span_ids=[span.id])))
        db.write(lambda s: repo.annotator_id(s, "bob"))
        with db._write_engine.begin() as conn:  # bob's label: the same number, another table
            conn.execute(
                text(
                    "INSERT INTO document_labels (id, document_id, annotator_id, label_id,"
                    " created_at) SELECT :id, :doc, a.id, l.id, CURRENT_TIMESTAMP"
                    " FROM annotators a, labels l WHERE a.name = 'bob' AND l.name = 'ECONOMIC'"
                ),
                {"id": span.id, "doc": doc},
            )
        assert ("doclabel", span.id) in _log(db)
        got = db.write(lambda s: take_back_token(s, "tok"))
        assert (got.spans, got.kept_spans) == (1, 0)
        assert db.read(lambda s: repo.list_spans(s, doc)) == []
        assert db.read(lambda s: repo.document_labels(s, [doc])) == {doc: {"bob": ["ECONOMIC"]}}
    finally:
        db.dispose()
