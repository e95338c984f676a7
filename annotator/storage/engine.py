"""Engine set-up and the unit of work: every user action is one transaction.

SQLite runs with foreign keys, WAL, a busy timeout and FULL sync (a committed tag
survives a power cut). Write transactions start with ``BEGIN IMMEDIATE`` so two
writers queue on the busy timeout instead of failing on a lock upgrade; what still
conflicts (a locked file, a PostgreSQL serialization failure or deadlock, a race on
a unique name) is retried with back-off, so users never see "database is locked".

Errors that reach users are ``AnnotatorError``s with scrubbed messages: SQLAlchemy
renders no statement parameters (``hide_parameters``), and any password of the URL or
of ``PGPASSWORD`` is masked in what the driver says. A server refusal for lack of
rights (row-level security, grants) becomes ``PermissionDeniedError``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import text as sql_text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from annotator.core.errors import BusyError, DatabaseError, PermissionDeniedError

T = TypeVar("T")
log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
# Serialization failures and deadlocks are retried. A lock wait that ran out (55P03) or a
# statement cancelled by its timeout (57014) is not: another session holds what we need,
# and the user is told at once rather than after a dozen more waits.
_RETRY_SQLSTATES = {"40001", "40P01"}
_LOCK_NOT_AVAILABLE = "55P03"
_QUERY_CANCELED = "57014"
MAX_ATTEMPTS = 12

# Every PostgreSQL session of the app bounds its waits, so that no other member of a team
# server (by accident or on purpose, e.g. an open transaction holding a lock) can hang this
# desktop: a blocked action fails within seconds with a message, and nothing half-lands.
PG_LOCK_TIMEOUT_MS = 4_000
PG_STATEMENT_TIMEOUT_MS = 120_000
PG_IDLE_IN_TRANSACTION_TIMEOUT_MS = 600_000
PG_SESSION_SETTINGS = {
    "lock_timeout": PG_LOCK_TIMEOUT_MS,
    "statement_timeout": PG_STATEMENT_TIMEOUT_MS,
    "idle_in_transaction_session_timeout": PG_IDLE_IN_TRANSACTION_TIMEOUT_MS,
}


_INSUFFICIENT_PRIVILEGE = "42501"
_TOO_MANY_CONNECTIONS = "53300"
_SECRET_PATTERNS = (
    (re.compile(r"([^:/@\s]+:)[^@\s/]+(@)"), r"\1***\2"),  # user:secret@host
    (re.compile(r"(password\s*[=:]\s*)('[^']*'|\"[^\"]*\"|[^\s&;,]+)", re.IGNORECASE), r"\1***"),
)


_SECRET_QUERY_KEYS = re.compile(r"pass", re.IGNORECASE)  # password, sslpassword, passfile


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs: the userinfo password and
    any query parameter that carries one (``?password=...``, ``sslpassword``)."""
    try:
        u = make_url(url)
        query = {k: ("***" if _SECRET_QUERY_KEYS.search(k) else v) for k, v in u.query.items()}
        shown = u.set(query=query).render_as_string(hide_password=True)
    except Exception:
        return "<database url>"
    return scrub(shown, url=url)


def _url_secrets(url: str) -> list[str]:
    """Every password a URL carries: in its userinfo and in its query parameters."""
    try:
        u = make_url(url)
    except Exception:
        m = re.search(r"[^:/@\s]+:([^@\s/]+)@", url)
        return [m.group(1)] if m else []
    found = [str(u.password)] if u.password else []
    for key, value in u.query.items():
        if _SECRET_QUERY_KEYS.search(key):
            found += [value] if isinstance(value, str) else list(value)
    return [f for f in found if f]


def scrub(text: str, *, url: str | None = None) -> str:
    """``text`` with passwords masked: the URL's (userinfo or ``?password=``),
    ``PGPASSWORD``'s and any ``password=`` in the text."""
    secrets = _url_secrets(url) if url else []
    if os.environ.get("PGPASSWORD"):
        secrets.append(os.environ["PGPASSWORD"])
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _reason(exc: BaseException) -> str:
    """The driver's own words (first lines, no SQL), or the exception's."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return "; ".join(line.strip() for line in text.splitlines()[:3] if line.strip())


_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26


def _looks_damaged(exc: BaseException) -> bool:
    """SQLite reports damage: a corrupt page, not a database, text that is not UTF-8."""
    orig = getattr(exc, "orig", None)
    if not isinstance(orig, sqlite3.Error):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return True
    return "could not decode to utf-8" in str(orig).lower()


def user_error(exc: BaseException, url: str) -> DatabaseError:
    """A message fit for users about a database failure, with no password in it."""
    where = display_url(url)
    sqlstate = getattr(exc.orig, "sqlstate", None) if isinstance(exc, DBAPIError) else None
    if sqlstate == _INSUFFICIENT_PRIVILEGE:
        return PermissionDeniedError(
            scrub(f"The server {where} refused this change: {_reason(exc)}", url=url)
        )
    if sqlstate == _TOO_MANY_CONNECTIONS or "too many connections for role" in str(exc):
        return BusyError(
            scrub(
                f"The server {where} refused another connection: {_reason(exc)}. Close another "
                "window or program using this login, or ask the database owner to raise its "
                "limit (`annotator server add-user NAME --existing-role --connection-limit N`).",
                url=url,
            )
        )
    if sqlstate == _LOCK_NOT_AVAILABLE:
        return BusyError(
            f"The server {where} is busy: another session has held a lock on this data for "
            f"more than {PG_LOCK_TIMEOUT_MS // 1000} s. Nothing was changed; try again in a "
            "moment."
        )
    if sqlstate == _QUERY_CANCELED:
        return BusyError(
            f"The server {where} stopped a statement that ran longer than "
            f"{PG_STATEMENT_TIMEOUT_MS // 1000} s. Nothing was changed."
        )
    if _looks_damaged(exc):
        reason = _reason(exc)
        reason = reason if len(reason) <= 200 else reason[:200] + "…"
        return DatabaseError(
            scrub(
                f"The database {where} looks damaged ({reason}). Nothing was changed. Run "
                "`annotator check` for the full check; `annotator backup restore` puts the "
                "newest backup in its place (the damaged file is kept).",
                url=url,
            )
        )
    if isinstance(exc, OperationalError):
        return DatabaseError(scrub(f"Cannot use the database {where}: {_reason(exc)}", url=url))
    return DatabaseError(scrub(f"The database {where} reported an error: {_reason(exc)}", url=url))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        # Statement journals in memory: a span insert whose triggers write other tables
        # (the change log, the counts of schema 0016) journals each statement; on a
        # temporary file that cost 13 microseconds a span, in memory under 1.
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        apply_session_settings(dbapi_conn)


def apply_session_settings(dbapi_conn: Any) -> None:
    """Bound this PostgreSQL session's lock waits and statement times (psycopg connection)."""
    cur = dbapi_conn.cursor()
    for name, ms in PG_SESSION_SETTINGS.items():
        cur.execute(f"SET {name} = {int(ms)}")
    cur.close()
    if not getattr(dbapi_conn, "autocommit", False):
        dbapi_conn.commit()


def make_engine(url: str) -> Engine:
    try:
        u = make_url(url)
    except ArgumentError:
        # SQLAlchemy's message quotes the whole URL, password included.
        raise DatabaseError(
            f"Not a database URL: {scrub(url, url=url)!r} "
            "(expected e.g. postgresql+psycopg://user@host/dbname)"
        ) from None
    # Statement parameters never appear in error messages or logs.
    kwargs: dict[str, Any] = {"hide_parameters": True}
    if u.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs["pool_pre_ping"] = True
        # A member's login may hold server.DEFAULT_CONNECTION_LIMIT (8) connections: the
        # window's pool stays within 6, leaving the change feed's LISTEN and the model's
        # process theirs.
        kwargs["pool_size"] = 4
        kwargs["max_overflow"] = 2
    engine = create_engine(u, **kwargs)
    if u.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    elif u.get_backend_name() == "postgresql":
        _configure_postgresql(engine)
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
        try:
            self.engine = engine or make_engine(url)
        except DatabaseError:
            raise
        except Exception as exc:  # e.g. a missing driver; the message may quote the URL
            raise DatabaseError(scrub(f"Cannot open {url}: {exc}", url=url)) from None
        self.backend = self.engine.dialect.name
        # write_driver's own connection, kept between tags (a pool checkout and return cost
        # a tenth of a tag); other threads, or a second caller, use the pool.
        self._driver: Any = None
        self._driver_lock = threading.Lock()
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

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Turn driver errors into scrubbed ``DatabaseError``s for users (chained for logs)."""
        try:
            yield
        except DBAPIError as exc:
            raise self._named(user_error(exc, self.url), exc) from exc

    def read(self, work: Callable[[Session], T]) -> T:
        with (
            self.guard(),
            Session(self.engine, expire_on_commit=False, autoflush=False) as session,
            session.begin(),
        ):
            return work(session)

    def write(self, work: Callable[[Session], T], *, retry_integrity: bool = False) -> T:
        """Run ``work`` in one write transaction, committed before this returns.

        ``work`` may run more than once, so it must not have side effects outside
        the session. IntegrityErrors are retried only where the caller says a
        retry can succeed (get-or-create races); others are real input errors.
        """

        def once() -> T:
            with (
                Session(self._write_engine, expire_on_commit=False, autoflush=False) as session,
                session.begin(),
            ):
                return work(session)

        return self._retrying(once, retry_integrity=retry_integrity)

    def write_driver(self, work: Callable[[Any], T]) -> T:
        """Run ``work`` on the SQLite driver's own connection in one ``BEGIN IMMEDIATE``
        transaction, committed before this returns: the keyboard's tag path.

        A connection of the engine's pool (its pragmas and busy timeout), kept between
        calls, and the same retries and error messages as :meth:`write`, without a Session
        around a two-statement transaction: on a disk that commits in half a millisecond
        the Session cost as much as the commit. ``work`` gets a ``sqlite3.Connection`` and
        may run more than once.
        """
        if not self.is_sqlite:
            raise DatabaseError("write_driver is for SQLite databases only.")

        def run(con: Any) -> T:
            try:
                con.execute("BEGIN IMMEDIATE")
                result = work(con)
                con.execute("COMMIT")
            except BaseException as exc:
                if con.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        con.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise DBAPIError.instance(
                        None, None, exc, sqlite3.Error, hide_parameters=True
                    ) from exc
                raise
            return result

        def once() -> T:
            if self._driver_lock.acquire(blocking=False):
                try:
                    if self._driver is None:
                        self._driver = self.engine.raw_connection()
                    try:
                        return run(self._driver.dbapi_connection)
                    except OperationalError as exc:
                        if not is_retryable(exc):  # e.g. a disk error: start afresh next time
                            self._close_driver()
                        raise
                finally:
                    self._driver_lock.release()
            pooled = self.engine.raw_connection()
            try:
                return run(pooled.dbapi_connection)
            finally:
                pooled.close()  # back to the pool

        return self._retrying(once, retry_integrity=False)

    def _retrying(self, once: Callable[[], T], *, retry_integrity: bool) -> T:
        attempt = 0
        while True:
            attempt += 1
            try:
                return once()
            except DBAPIError as exc:
                retry = is_retryable(exc) and (
                    retry_integrity or not isinstance(exc, IntegrityError)
                )
                if not retry or attempt >= MAX_ATTEMPTS:
                    if retry:
                        raise DatabaseError(
                            f"The database {self.display_url} stayed busy; try again in a moment."
                        ) from exc
                    raise self._named(user_error(exc, self.url), exc) from exc
                delay = min(0.5, 0.005 * 2**attempt) * (0.5 + random.random())
                log.debug("transaction conflict (attempt %d), retrying in %.3fs", attempt, delay)
                time.sleep(delay)

    def _named(self, err: DatabaseError, exc: DBAPIError) -> DatabaseError:
        """A lock wait that ran out on PostgreSQL, with who probably held the lock: the
        other sessions of this database whose transaction is older than the wait."""
        if getattr(exc.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            return err
        held = self._lock_holders()
        return BusyError(f"{err} {held}") if held else err

    def _lock_holders(self) -> str:
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    sql_text(
                        "SELECT usename, pid, coalesce(state, ''), "
                        "extract(epoch FROM now() - xact_start)::int "
                        "FROM pg_catalog.pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
                        "AND now() - xact_start >= make_interval(secs => :s) "
                        "ORDER BY xact_start LIMIT 4"
                    ),
                    {"s": PG_LOCK_TIMEOUT_MS / 1000},
                ).fetchall()
        except Exception:  # only adds to a message
            log.debug("could not look up who holds a lock", exc_info=True)
            return ""
        if not rows:  # none, or sessions this login may not see (a member's view)
            return "The database owner can see who holds it with `annotator server sessions`."
        who = ", ".join(f"{r[0]} (session {r[1]}, {r[2] or 'busy'} for {r[3]} s)" for r in rows[:3])
        more = " and others" if len(rows) > 3 else ""
        return (
            f"Probably held by {who}{more}. The database owner can end a member's session "
            "with `annotator server sessions --end PID`."
        )

    def _close_driver(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            with contextlib.suppress(Exception):
                driver.close()

    def dispose(self) -> None:
        with self._driver_lock:
            self._close_driver()
        self.engine.dispose()
