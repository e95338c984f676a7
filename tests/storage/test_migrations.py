"""A 0001 database upgrades through 0002 (adjudications) and 0003 (change feed) intact."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from annotator.core.model import DocumentStatus
from annotator.core.team import Decision
from annotator.core.text import content_hash
from annotator.storage import Database, open_database, repo, team
from annotator.storage.migrate import HEAD, KNOWN, MIGRATIONS_DIR, current_revision, needs_upgrade
from annotator.storage.orm import Base
from annotator.storage.tallies import TABLES as TALLIES


def _database_at_0001(path: Path) -> Database:
    db = Database(f"sqlite:///{path}")
    with db._write_engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    return db


def test_0001_database_with_data_upgrades_to_head(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = _database_at_0001(path)
    text = "Tanks crossed the border. Talks stalled."

    old.dispose()
    # Fill it as a 0001-era app would have: plain SQL against the 0001 tables.
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO documents (id, external_id, title, source, author, url, text, length,"
        " content_hash, source_path, source_sha256, meta, created_at)"
        " VALUES (1, '', 't', '', '', '', ?, ?, ?, '', '', '{}', '2024-01-01 00:00:00')",
        (text, len(text), content_hash(text)),
    )
    con.executemany(
        "INSERT INTO annotators (id, name, kind, created_at) VALUES (?, ?, 'human', '2024-01-01')",
        [(1, "ann"), (2, "bob")],
    )
    con.executemany(
        'INSERT INTO spans (document_id, annotator_id, label_id, start, "end", note, origin,'
        " decided_by, created_at, updated_at) VALUES (1, ?, ?, ?, ?, '', 'manual', '',"
        " '2024-01-01', '2024-01-01')",
        [(1, 1, 0, 25), (2, 2, 26, 40)],
    )
    con.execute(
        "INSERT INTO document_status (document_id, annotator_id, status, updated_at)"
        " VALUES (1, 1, 'done', '2024-01-01')"
    )
    con.commit()
    con.close()
    doc = 1
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "adjudications" not in tables
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    con.close()

    db = open_database(f"sqlite:///{path}")
    assert KNOWN[-1] == HEAD and not needs_upgrade(db)
    spans = db.read(lambda s: repo.list_spans(s, doc))
    assert [(sp.start, sp.end, sp.label, sp.annotator) for sp in spans] == [
        (0, 25, "MILITARY", "ann"),
        (26, 40, "DIPLOMATIC", "bob"),
    ]
    assert db.read(lambda s: repo.status_of(s, doc, "ann")) is DocumentStatus.DONE
    assert [lab.name for lab in db.read(repo.list_labels)] == ["MILITARY", "DIPLOMATIC", "ECONOMIC"]
    # The new table works, and deleting a document takes its decisions with it.
    db.write(lambda s: team.set_decision(s, doc, (0, 25, "MILITARY"), Decision.REJECTED, "eve"))
    (rec,) = db.read(lambda s: team.list_decisions(s, doc))
    assert rec.key == (0, 25, "MILITARY")
    assert (rec.decision, rec.decided_by) == (Decision.REJECTED, "eve")
    db.write(lambda s: repo.delete_document(s, doc))
    assert db.read(lambda s: team.list_decisions(s, doc)) == []


# Alembic's comparison hands PostgreSQL's reflected index options to SQLAlchemy under the
# name "dialect_options", which SQLAlchemy cannot validate: its warning, not a difference.
@pytest.mark.filterwarnings("ignore:Can't validate argument 'dialect_options'")
def test_migrations_match_the_orm_schema(db_url: str) -> None:
    """Every table is the ORM's, but the span counts SQLite keeps by triggers (0016)."""
    db = open_database(db_url)
    with db.engine.connect() as conn:
        assert current_revision(conn) == HEAD
        tables = set(inspect(conn).get_table_names())
        context = MigrationContext.configure(
            conn,
            opts={"include_name": lambda name, kind, _p: not (kind == "table" and name in TALLIES)},
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert (set(TALLIES) <= tables) == db_url.startswith("sqlite")
