"""Team server set-up on PostgreSQL: group roles, grants and row-level security.

Why here and not in an Alembic migration: roles are objects of the whole cluster, and
creating them needs CREATEROLE, while migrations run automatically for whoever opens the
database first. So migrations create only tables, triggers and functions (0003 holds the
change log); ``init_server`` (``annotator server init``, run by the database owner) runs
them and then applies this module, which is idempotent: re-run it after each upgrade. The
policies and definer functions themselves, as SQL, are in ``storage.server_security``.

Roles (NOLOGIN groups; each person logs in with their own role, a member of one):

``annotator_users``
    read everything; insert, change and delete their *own* spans and document status
    (the annotator row whose ``role_name`` is ``current_user``). Spans' ``document_id``
    and ``annotator_id`` are not updatable, so a span cannot be handed to someone else.
``annotator_adjudicators`` (member of users)
    also write the gold layer (the annotator named ``gold``).
``annotator_leads`` (member of adjudicators)
    also write documents, labels, annotators and anyone's spans: imports, label set edits;
    set the project guideline (a new version; no one may change or delete a stored one);
    and the study's assignments and project settings (blind mode, the plan); import a
    model's predictions (no one else writes them; every member reads them).

Judgements (``judgements``: passages an annotator judged "no label", suggestions they
rejected) are the one table a member cannot even read beyond their own rows; leads read
and write all of them.

Blind mode (issue 22): plain members cannot read a teammate's spans or document status on
an overlap document they have not marked done (``annotator_blind_documents``); they read and
skip only their own assignments. Adjudicators and leads read everything.

The database owner (who ran ``init``) owns the tables and so is not subject to the
policies. Policies are enforced by the server: INSERT and UPDATE of a span the user may
not write fail with SQLSTATE 42501; DELETE of such a span matches no row (``repo``
reports that as ``PermissionDeniedError``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata

from sqlalchemy import Connection, text

from annotator.core.errors import AnnotatorError, DatabaseError
from annotator.core.model import GOLD_ANNOTATOR, AnnotatorKind
from annotator.storage import repo
from annotator.storage.engine import Database
from annotator.storage.migrate import upgrade
from annotator.storage.server_security import (
    ADJUDICATORS,
    GROUPS,
    LEADS,
    SPAN_EDITABLE,
    USERS,
    apply_policies,
)

_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")

# What one member's login may take of the server, set on each member role (``ALTER ROLE
# ... IN DATABASE``): a member who opens connections in a loop, or leaves a transaction
# open in psql, cannot take every slot or hold locks for long. The app's own sessions set
# tighter waits (engine.PG_SESSION_SETTINGS); these are the defaults of a raw login.
DEFAULT_CONNECTION_LIMIT = 8
MEMBER_SETTINGS = {
    "statement_timeout": "120s",
    "lock_timeout": "10s",
    "idle_in_transaction_session_timeout": "60s",
}
# Settable on a role only by a superuser: applied when ``server init`` runs as one.
SUPERUSER_SETTINGS = {"temp_file_limit": "1GB"}


def _require_postgres(db: Database) -> None:
    if db.backend != "postgresql":
        raise AnnotatorError(
            f"{db.display_url} is not a PostgreSQL database; a team server needs "
            "--db postgresql+psycopg://OWNER@HOST/DBNAME"
        )


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _ensure_group(conn: Connection, role: str) -> None:
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if exists is None:
        conn.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")


def _schema(conn: Connection) -> str:
    """The schema the migrations created the tables in, quoted."""
    return _quote(conn, conn.exec_driver_sql("SELECT current_schema()").scalar_one())


def _grants(conn: Connection, schema: str) -> None:
    """Members get exactly what the app needs, from a clean slate (re-runs drop old grants).

    No TEMPORARY (nothing of theirs can shadow our tables in ``pg_temp``) and no CREATE.
    No table-level UPDATE, DELETE or TRUNCATE on what other members write: any of those
    would let a member ``LOCK TABLE ... IN ACCESS EXCLUSIVE MODE`` and freeze the team.
    Column-level UPDATE and INSERT allow at most ROW EXCLUSIVE, which blocks nobody's tag.
    """
    dbname = _quote(conn, conn.exec_driver_sql("SELECT current_database()").scalar_one())
    groups = ", ".join(GROUPS)
    run = conn.exec_driver_sql
    run(f"REVOKE ALL ON DATABASE {dbname} FROM PUBLIC, {groups}")
    run(f"GRANT CONNECT ON DATABASE {dbname} TO {USERS}")
    run(f"REVOKE ALL ON SCHEMA {schema} FROM PUBLIC, {groups}")
    run(f"GRANT USAGE ON SCHEMA {schema} TO {USERS}")
    run(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM PUBLIC, {groups}")
    run(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM PUBLIC, {groups}")
    run(f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {schema} FROM PUBLIC, {groups}")
    run(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {USERS}")
    # No sequence at all: ids are identity columns (0011), which the server fills without
    # the inserting role holding USAGE. With USAGE a member could burn a sequence with
    # ``nextval`` at a million numbers a second (gaps that flood teammates' change feeds).
    run(f"GRANT INSERT ON {schema}.spans TO {USERS}")
    run(f"GRANT UPDATE ({', '.join(SPAN_EDITABLE)}) ON {schema}.spans TO {USERS}")
    run(f"GRANT INSERT, UPDATE (status, updated_at) ON {schema}.document_status TO {USERS}")
    run(f"GRANT INSERT ON {schema}.judgements TO {USERS}")
    # Skipping an assigned document (with a reason); the rows themselves are the lead's.
    run(f"GRANT UPDATE (skip_reason, skipped_at) ON {schema}.assignments TO {USERS}")
    run(f"GRANT INSERT ON {schema}.document_labels TO {USERS}")
    # Adjudication decisions: recorded, replaced and taken back (undo) by adjudicators.
    run(
        f"GRANT INSERT, UPDATE (decision, decided_by, decided_at), DELETE "
        f"ON {schema}.adjudications TO {ADJUDICATORS}"
    )
    tables = ", ".join(
        f"{schema}.{t}"
        for t in (
            "documents",
            "labels",
            "annotators",
            "spans",
            "document_status",
            "document_labels",
            "predictions",
            "adjudications",
            "import_journal",
            "judgements",
            "assignments",
            "project_settings",
            "import_leases",
        )
    )
    run(f"GRANT INSERT, UPDATE, DELETE ON {tables} TO {LEADS}")
    run(f"GRANT INSERT ON {schema}.guidelines TO {LEADS}")


def _is_superuser(conn: Connection) -> bool:
    return bool(
        conn.exec_driver_sql(
            "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user"
        ).scalar()
    )


def _member_settings(conn: Connection, role: str, *, connection_limit: int | None) -> None:
    """The per-login limits of one member role on this database."""
    quoted = _quote(conn, role)
    dbname = _quote(conn, conn.exec_driver_sql("SELECT current_database()").scalar_one())
    if connection_limit is not None:
        conn.exec_driver_sql(f"ALTER ROLE {quoted} CONNECTION LIMIT {int(connection_limit)}")
    settings = dict(MEMBER_SETTINGS)
    if _is_superuser(conn):
        settings.update(SUPERUSER_SETTINGS)
    for name, value in settings.items():
        conn.exec_driver_sql(f"ALTER ROLE {quoted} IN DATABASE {dbname} SET {name} = '{value}'")


def _members(conn: Connection) -> list[tuple[str, int]]:
    """(role, connection limit) of every login role in the team, the owner excepted."""
    rows = conn.execute(
        text(
            "SELECT r.rolname, r.rolconnlimit FROM pg_catalog.pg_roles r "
            "WHERE r.rolcanlogin AND NOT r.rolsuper AND r.rolname <> current_user "
            "AND pg_catalog.pg_has_role(r.oid, :g, 'MEMBER')"
        ),
        {"g": USERS},
    ).fetchall()
    return [(str(r[0]), int(r[1])) for r in rows]


def _owner_may_watch_sessions(conn: Connection) -> bool:
    """``pg_read_all_stats`` and ``pg_signal_backend`` for the owner, so that ``server
    sessions`` sees members' transactions and ``--end`` can end one. A role with
    CREATEROLE may grant them on PostgreSQL 15; elsewhere this reports False."""
    me = _quote(conn, conn.exec_driver_sql("SELECT current_user").scalar_one())
    try:
        with conn.begin_nested():
            conn.exec_driver_sql(f"GRANT pg_read_all_stats, pg_signal_backend TO {me}")
    except Exception:
        return False
    return True


def init_server(db: Database) -> list[str]:
    """Migrate, then create the group roles, grants, policies and members' limits
    (idempotent; run as owner). Returns notes on what could not be set up."""
    _require_postgres(db)
    upgrade(db)
    notes: list[str] = []
    with db.guard(), db.engine.begin() as conn:
        for role in GROUPS:
            _ensure_group(conn, role)
        conn.exec_driver_sql(f"GRANT {USERS} TO {ADJUDICATORS}")
        conn.exec_driver_sql(f"GRANT {ADJUDICATORS} TO {LEADS}")
        schema = _schema(conn)
        _grants(conn, schema)  # from a clean slate, then the functions grant their EXECUTE
        apply_policies(conn, schema)
        for role, limit in _members(conn):
            _member_settings(
                conn, role, connection_limit=DEFAULT_CONNECTION_LIMIT if limit < 0 else None
            )
        if not _owner_may_watch_sessions(conn):
            notes.append(
                "The owner could not be granted pg_read_all_stats and pg_signal_backend: "
                "`annotator server sessions` will not see members' transactions, nor end one, "
                "until an admin runs GRANT pg_read_all_stats, pg_signal_backend TO <owner>."
            )
        if not _is_superuser(conn):
            notes.append(
                "Not run as a superuser: members' temp_file_limit and the revoke of large "
                "objects were left to the admin (see docs/team-setup.md)."
            )
        else:
            _revoke_large_objects(conn)
    db.write(
        lambda s: repo.annotator_id(s, GOLD_ANNOTATOR, kind=AnnotatorKind.GOLD),
        retry_integrity=True,
    )
    return notes


# Functions by which any role may create large objects (server-side storage outside our
# tables, with no size limit). Owned by the bootstrap superuser: only one can revoke them.
LARGE_OBJECT_FUNCTIONS = (
    "lo_create(oid)",
    "lo_creat(integer)",
    "lo_from_bytea(oid, bytea)",
    "lo_import(text)",
    "lo_import(text, oid)",
)


def _revoke_large_objects(conn: Connection) -> None:
    for fn in LARGE_OBJECT_FUNCTIONS:
        conn.exec_driver_sql(f"REVOKE EXECUTE ON FUNCTION pg_catalog.{fn} FROM PUBLIC")


def scram_sha256_verifier(password: str, *, iterations: int = 4096) -> str:
    """What PostgreSQL stores for a SCRAM password, computed here as ``psql \\password`` does,
    so the plain password never reaches the server (nor its statement log)."""
    if not password.isascii():
        password = unicodedata.normalize("NFKC", password)  # SASLprep, near enough
    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(b: bytes) -> str:
        return base64.b64encode(b).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def _check_role_name(role: str) -> None:
    if not _ROLE_NAME.match(role) or role in GROUPS or role.lower().startswith("pg_"):
        raise AnnotatorError(
            f"{role!r} cannot be a member's role name: use letters, digits and _ (at most 63), "
            "not an annotator group and not pg_..."
        )


def _require_setup(conn: Connection, db: Database) -> None:
    found = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": USERS}).first()
    if found is None:
        raise DatabaseError(f"{db.display_url} is not set up: run `annotator server init` first.")


def _refuse_owner(conn: Connection, role: str) -> None:
    """The owner's role (and any role that owns this database) is never a member's."""
    me, datdba = conn.execute(
        text(
            "SELECT current_user, pg_catalog.pg_get_userbyid(d.datdba) "
            "FROM pg_catalog.pg_database d WHERE d.datname = current_database()"
        )
    ).one()
    if role in (me, datdba):
        raise AnnotatorError(
            f"{role!r} is the database owner's role: it cannot be made a member, and its "
            "password is not changed by Annotator."
        )


def _role(conn: Connection, role: str) -> tuple[bool, bool] | None:
    """(superuser, bypasses RLS) of an existing role, or None."""
    row = conn.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = :r"),
        {"r": role},
    ).first()
    return None if row is None else (bool(row[0]), bool(row[1]))


def add_user(
    db: Database,
    role: str,
    password: str | None,
    *,
    adjudicator: bool = False,
    lead: bool = False,
    annotator: str | None = None,
    existing_role: bool = False,
    connection_limit: int = DEFAULT_CONNECTION_LIMIT,
) -> None:
    """Create login role ``role`` in the annotator groups, and its annotator row.

    A role that already exists is refused unless ``existing_role``: then it is made a
    member and its password is never touched. The owner's own role is always refused.
    """
    _require_postgres(db)
    _check_role_name(role)
    name = annotator or role
    if name == GOLD_ANNOTATOR:
        raise AnnotatorError(
            f"{GOLD_ANNOTATOR!r} is the adjudicated layer, written by adjudicators; it cannot "
            "be a member's annotator name (use --adjudicator)."
        )
    if connection_limit < 1:
        raise AnnotatorError(
            "A member needs at least one connection (--connection-limit 1 or more)."
        )
    if not existing_role and not password:
        raise AnnotatorError("A password is needed (it goes to the server as a SCRAM hash).")
    with db.guard(), db.engine.begin() as conn:
        _require_setup(conn, db)
        _refuse_owner(conn, role)
        quoted = _quote(conn, role)
        found = _role(conn, role)
        if found is not None and not existing_role:
            raise AnnotatorError(
                f"A role {role!r} already exists on this server; nothing was changed. To make "
                "it a member without touching its password use --existing-role; to change a "
                "member's password use `annotator server reset-password`."
            )
        if found is None and existing_role:
            raise AnnotatorError(f"There is no role {role!r} on this server to add.")
        if found is not None and any(found):
            raise AnnotatorError(
                f"{role!r} is a superuser or bypasses row-level security: the team's rules "
                "would not apply to it, so it cannot be a member."
            )
        mapped = conn.execute(
            text(f"SELECT role_name FROM {_schema(conn)}.annotators WHERE name = :n"), {"n": name}
        ).scalar()
        if mapped is not None and mapped != role:
            raise AnnotatorError(
                f"Annotator {name!r} already belongs to role {mapped!r}; nothing was changed."
            )
        if found is None:
            assert password is not None
            # exec_driver_sql: the verifier holds ':' that text() would read as a bind parameter.
            conn.exec_driver_sql(
                f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                f"NOBYPASSRLS PASSWORD '{scram_sha256_verifier(password)}'"
            )
        for group, wanted in ((USERS, True), (ADJUDICATORS, adjudicator), (LEADS, lead)):
            if wanted:
                conn.exec_driver_sql(f"GRANT {group} TO {quoted}")
        _member_settings(conn, role, connection_limit=connection_limit)
    db.write(
        lambda s: repo.set_annotator_role(s, name, role, kind=AnnotatorKind.HUMAN),
        retry_integrity=True,
    )


def reset_password(db: Database, role: str, password: str) -> None:
    """Give member ``role`` a new password (sent as a SCRAM hash): the one way to change it."""
    _require_postgres(db)
    _check_role_name(role)
    if not password:
        raise AnnotatorError("A password is needed (it goes to the server as a SCRAM hash).")
    with db.guard(), db.engine.begin() as conn:
        _require_setup(conn, db)
        _refuse_owner(conn, role)
        found = _role(conn, role)
        member = (
            found is not None
            and conn.execute(
                text("SELECT pg_catalog.pg_has_role(:r, :g, 'MEMBER')"), {"r": role, "g": USERS}
            ).scalar_one()
        )
        if not member or (found is not None and any(found)):
            raise AnnotatorError(
                f"{role!r} is not a member of this team ({USERS}); only members' passwords are "
                "reset here. Nothing was changed."
            )
        conn.exec_driver_sql(
            f"ALTER ROLE {_quote(conn, role)} PASSWORD '{scram_sha256_verifier(password)}'"
        )
