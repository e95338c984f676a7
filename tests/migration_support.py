"""What the tests of one migration on a populated database share: moving a database to a
revision, and one document, annotator and MILITARY span written as an app of that
revision left them (plain SQL, no ORM of today)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from annotator.core.text import content_hash
from annotator.storage import Database
from annotator.storage.migrate import MIGRATIONS_DIR

TEXT = "Tanks crossed the border. Talks stalled in Geneva. Oil prices rose."


def migrate(db: Database, revision: str, *, down: bool = False) -> None:
    with db._write_engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def seed_old_rows(db: Database, *, note: str = "") -> None:
    """One document of ``TEXT``, annotator ``ann`` and a MILITARY span on its first 24
    characters with ``note``."""
    with db._write_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO documents (external_id, title, source, author, url, text, length,"
                " content_hash, source_path, source_sha256, meta, created_at) VALUES ('', 't',"
                " '', '', '', :t, :n, :h, '', '', '{}', '2024-01-01 00:00:00')"
            ),
            {"t": TEXT, "n": len(TEXT), "h": content_hash(TEXT)},
        )
        conn.execute(
            text(
                "INSERT INTO annotators (name, kind, created_at)"
                " VALUES ('ann', 'human', '2024-01-01')"
            )
        )
        conn.execute(
            text(
                'INSERT INTO spans (document_id, annotator_id, label_id, start, "end", note,'
                " origin, decided_by, created_at, updated_at) SELECT d.id, a.id, l.id, 0, 24,"
                " :note, 'manual', '', '2024-01-01', '2024-01-01' FROM documents d, annotators a,"
                " labels l WHERE l.name = 'MILITARY'"
            ),
            {"note": note},
        )
