"""Schema migrations run when a database is opened.

The fast path reads the stored revision and returns when it is the head, so a
normal start never imports Alembic. A database written by a newer Annotator is
refused rather than touched.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, inspect, text

from annotator.core.errors import DatabaseError, PermissionDeniedError
from annotator.storage.engine import Database

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Keep in step with the newest file in migrations/versions.
HEAD = "0017"
KNOWN = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
    "0012",
    "0013",
    "0014",
    "0015",
    "0016",
    "0017",
)
_PG_LOCK_KEY = 0x616E6E6F  # "anno"


def current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return row[0] if row else None


def _check_known(db: Database, rev: str | None) -> None:
    if rev is not None and rev not in KNOWN:
        raise DatabaseError(
            f"The database {db.display_url} was written by a newer version of Annotator "
            f"(schema {rev}; this version knows up to {HEAD}). Install the newer Annotator "
            "to open it; nothing was changed."
        )


def check_known(db: Database, rev: str | None) -> None:
    """Refuse a database a newer Annotator wrote (``rev`` read without changing it)."""
    _check_known(db, rev)


def needs_upgrade(db: Database) -> bool:
    with db.guard(), db.engine.connect() as conn:
        rev = current_revision(conn)
    _check_known(db, rev)
    return rev != HEAD


def upgrade(db: Database, *, before: Callable[[str | None], None] | None = None) -> bool:
    """Bring the schema to HEAD. Returns True if a migration ran.

    ``before`` is called with the old revision just before a migration of an
    existing database (the backup hook). Concurrent openers serialise on the
    write lock (SQLite) or an advisory lock (PostgreSQL) and re-check inside it.
    """
    if not needs_upgrade(db):
        return False
    try:
        return _upgrade(db, before)
    except PermissionDeniedError as exc:
        raise DatabaseError(
            f"The database {db.display_url} needs a schema upgrade to {HEAD}, which only its "
            "owner may run: ask your admin to run `annotator server init` with this version."
        ) from exc


def _upgrade(db: Database, before: Callable[[str | None], None] | None) -> bool:
    from alembic import command
    from alembic.config import Config

    with db.guard(), db._write_engine.begin() as conn:
        if db.backend == "postgresql":
            # A migration may wait for readers to finish; the session's short lock timeout
            # is for user actions, not for this one-off owner step.
            conn.exec_driver_sql("SET LOCAL lock_timeout = '120s'")
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        rev = current_revision(conn)
        _check_known(db, rev)
        if rev == HEAD:
            return False
        if rev is not None and before is not None:
            before(rev)
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, HEAD)
    return True
