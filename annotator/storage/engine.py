"""Engine set-up and the unit of work: every user action is one transaction.

SQLite runs with foreign keys, WAL, a busy timeout and FULL sync (a committed tag
survives a power cut). Write transactions start with ``BEGIN IMMEDIATE`` so two
writers queue on the busy timeout instead of failing on a lock upgrade; what still
conflicts (a locked file, a PostgreSQL serialization failure or deadlock, a race on
a unique name) is retried with back-off, so users never see "database is locked".
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from annotator.core.errors import DatabaseError

T = TypeVar("T")
log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
_RETRY_SQLSTATES = {"40001", "40P01", "55P03"}
MAX_ATTEMPTS = 12


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<database url>"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    u = make_url(url)
    kwargs: dict[str, Any] = {}
    if u.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(u, **kwargs)
    if u.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    return engine


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, IntegrityError):
        # A concurrent insert of the same name or span: the retry will find the row.
        return True
    if isinstance(exc, OperationalError):
        msg = str(exc.orig).lower() if exc.orig is not None else ""
        if "locked" in msg or "busy" in msg:
            return True
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return getattr(exc.orig, "sqlstate", None) in _RETRY_SQLSTATES
    return False


class Database:
    """One database: an engine and the transactions run on it."""

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self.backend = self.engine.dialect.name
        self._write_engine: Engine = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if self.backend == "sqlite"
            else self.engine
        )

    @property
    def display_url(self) -> str:
        return display_url(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    @property
    def sqlite_path(self) -> str | None:
        if not self.is_sqlite:
            return None
        db = make_url(self.url).database
        return db if db and db != ":memory:" else None

    def read(self, work: Callable[[Session], T]) -> T:
        with Session(self.engine, expire_on_commit=False, autoflush=False) as session:
            with session.begin():
                return work(session)

    def write(self, work: Callable[[Session], T], *, retry_integrity: bool = False) -> T:
        """Run ``work`` in one write transaction, committed before this returns.

        ``work`` may run more than once, so it must not have side effects outside
        the session. IntegrityErrors are retried only where the caller says a
        retry can succeed (get-or-create races); others are real input errors.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                with Session(
                    self._write_engine, expire_on_commit=False, autoflush=False
                ) as session, session.begin():
                    return work(session)
            except DBAPIError as exc:
                retry = is_retryable(exc) and (
                    retry_integrity or not isinstance(exc, IntegrityError)
                )
                if not retry or attempt >= MAX_ATTEMPTS:
                    if isinstance(exc, OperationalError) and is_retryable(exc):
                        raise DatabaseError(
                            f"The database {self.display_url} stayed busy; try again in a moment."
                        ) from exc
                    raise
                delay = min(0.5, 0.005 * 2**attempt) * (0.5 + random.random())
                log.debug("transaction conflict (attempt %d), retrying in %.3fs", attempt, delay)
                time.sleep(delay)

    def dispose(self) -> None:
        self.engine.dispose()
