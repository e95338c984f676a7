"""Who is connected to a team server, who holds what others wait for, and ending a
member's session (the owner's ``annotator server sessions``).

A member can hold a lock or an open transaction (by accident, or from psql on purpose)
and so stall ``server init``, an upgrade or a teammate's edit. These functions let the
owner see that session and end it; the error a blocked action raises names it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, text

from annotator.core.errors import AnnotatorError, PermissionDeniedError
from annotator.storage.engine import Database

USERS = "annotator_users"


@dataclass(frozen=True)
class ServerSession:
    pid: int
    role: str
    application: str
    client: str
    state: str
    since: dt.datetime | None
    """When its current transaction began (None: not in a transaction)."""
    waiting_for: tuple[int, ...]
    """The sessions this one waits on (``pg_blocking_pids``)."""
    blocking: tuple[int, ...] = ()
    """The sessions waiting on this one."""
    member: bool = False
    """A member of the team (may be ended by the owner)."""


_SESSIONS = text(
    """
SELECT a.pid, coalesce(a.usename, ''), coalesce(a.application_name, ''),
       coalesce(host(a.client_addr), 'local'), coalesce(a.state, ''), a.xact_start,
       pg_catalog.pg_blocking_pids(a.pid),
       coalesce(pg_catalog.pg_has_role(a.usesysid, :users, 'MEMBER'), false)
FROM pg_catalog.pg_stat_activity a
WHERE a.datname = pg_catalog.current_database() AND a.pid <> pg_catalog.pg_backend_pid()
  AND a.backend_type = 'client backend'
ORDER BY a.xact_start NULLS LAST, a.pid
"""
)


def list_sessions(conn: Connection) -> list[ServerSession]:
    """Every other client session on this database, oldest transaction first."""
    rows = conn.execute(_SESSIONS, {"users": USERS}).fetchall()
    blocked_by: dict[int, list[int]] = {}
    for r in rows:
        for holder in r[6] or ():
            blocked_by.setdefault(int(holder), []).append(int(r[0]))
    out = []
    for pid, role, app, client, state, since, waits, member in rows:
        if since is not None and since.tzinfo is not None:
            since = since.astimezone(dt.UTC).replace(tzinfo=None)
        out.append(
            ServerSession(
                pid=int(pid),
                role=str(role),
                application=str(app),
                client=str(client),
                state=str(state),
                since=since,
                waiting_for=tuple(int(p) for p in waits or ()),
                blocking=tuple(blocked_by.get(int(pid), ())),
                member=bool(member),
            )
        )
    return out


def sessions(db: Database) -> list[ServerSession]:
    with db.guard(), db.engine.connect() as conn:
        return list_sessions(conn)


def end_session(db: Database, pid: int) -> ServerSession:
    """End member session ``pid`` on this database (``pg_terminate_backend``).

    Only a team member's session is ended: never the owner's, a superuser's, or a
    session on another database.
    """
    with db.guard(), db.engine.connect() as conn:
        found = {s.pid: s for s in list_sessions(conn)}.get(pid)
        if found is None:
            raise AnnotatorError(f"No session {pid} is connected to this database.")
        if not found.member:
            raise AnnotatorError(
                f"Session {pid} belongs to {found.role!r}, who is not a member of this team; "
                "only members' sessions are ended here."
            )
        ok = conn.execute(text("SELECT pg_catalog.pg_terminate_backend(:p)"), {"p": pid}).scalar()
    if not ok:
        raise PermissionDeniedError(
            f"The server did not end session {pid}: the owner needs the role "
            "pg_signal_backend (`annotator server init` grants it where it can)."
        )
    return found
