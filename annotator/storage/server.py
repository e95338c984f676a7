"""Team server set-up on PostgreSQL: group roles, grants and row-level security.

Why here and not in an Alembic migration: roles are objects of the whole cluster, and
creating them needs CREATEROLE, while migrations run automatically for whoever opens the
database first. So migrations create only tables, triggers and functions (0003 holds the
change log); ``init_server`` (``annotator server init``, run by the database owner) runs
them and then applies this module, which is idempotent: re-run it after each upgrade.

Roles (NOLOGIN groups; each person logs in with their own role, a member of one):

``annotator_users``
    read everything; insert, change and delete their *own* spans and document status
    (the annotator row whose ``role_name`` is ``current_user``). Spans' ``document_id``
    and ``annotator_id`` are not updatable, so a span cannot be handed to someone else.
``annotator_adjudicators`` (member of users)
    also write the gold layer (the annotator named ``gold``).
``annotator_leads`` (member of adjudicators)
    also write documents, labels, annotators and anyone's spans: imports, label set edits.

Judgements (``judgements``: passages an annotator judged "no label", suggestions they
rejected) are the one table a member cannot even read beyond their own rows; leads read
and write all of them.

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

USERS = "annotator_users"
ADJUDICATORS = "annotator_adjudicators"
LEADS = "annotator_leads"
GROUPS = (USERS, ADJUDICATORS, LEADS)
_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")

# Columns an annotator may change on their own spans (not document_id, annotator_id).
_SPAN_EDITABLE = ("label_id", '"start"', '"end"', "note", "origin", "decided_by", "updated_at")


def _pin(schema: str) -> str:
    """The search_path every function here runs with: pg_temp explicitly last."""
    return f"SET search_path = pg_catalog, {schema}, pg_temp"


def _functions(schema: str) -> str:
    """Policy helpers (invoker's rights) and the one definer function members call.

    Every object is named with its schema and every function pins its search_path, so
    nothing a member creates (a temporary ``annotators`` table, a function in ``pg_temp``,
    a ``set_config('search_path', ...)``) can stand in for ours.
    """
    pin = _pin(schema)
    return f"""
CREATE OR REPLACE FUNCTION {schema}.annotator_owned(ann integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY INVOKER {pin} AS $$
  SELECT EXISTS (SELECT 1 FROM {schema}.annotators a
                 WHERE a.id = ann AND a.role_name = current_user)
$$;
CREATE OR REPLACE FUNCTION {schema}.annotator_is_gold(ann integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY INVOKER {pin} AS $$
  SELECT EXISTS (SELECT 1 FROM {schema}.annotators a
                 WHERE a.id = ann AND a.name = '{GOLD_ANNOTATOR}')
$$;
-- Members hold no DELETE privilege on spans (it would let them LOCK the table that everyone
-- writes), so they delete through this function. It runs as the owner, who is not subject
-- to row-level security, and so applies the same rule itself: the login role's own spans,
-- gold spans for adjudicators, any span for leads. Returns how many rows went.
CREATE OR REPLACE FUNCTION {schema}.annotator_delete_spans(ids integer[]) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {pin} AS $$
DECLARE
  n integer;
BEGIN
  DELETE FROM {schema}.spans sp
  USING {schema}.annotators a
  WHERE sp.id = ANY (ids)
    AND a.id = sp.annotator_id
    AND (a.role_name = session_user
         OR (a.name = '{GOLD_ANNOTATOR}'
             AND pg_catalog.pg_has_role(session_user, '{ADJUDICATORS}', 'MEMBER'))
         OR pg_catalog.pg_has_role(session_user, '{LEADS}', 'MEMBER'));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
-- The same for judgements ("no label here", rejected suggestions): one's own, or any for leads.
CREATE OR REPLACE FUNCTION {schema}.annotator_delete_judgements(ids integer[]) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {pin} AS $$
DECLARE
  n integer;
BEGIN
  DELETE FROM {schema}.judgements j
  USING {schema}.annotators a
  WHERE j.id = ANY (ids)
    AND a.id = j.annotator_id
    AND (a.role_name = session_user
         OR pg_catalog.pg_has_role(session_user, '{LEADS}', 'MEMBER'));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
REVOKE ALL ON FUNCTION {schema}.annotator_owned(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION {schema}.annotator_is_gold(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION {schema}.annotator_delete_spans(integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {schema}.annotator_owned(integer) TO {USERS};
GRANT EXECUTE ON FUNCTION {schema}.annotator_is_gold(integer) TO {USERS};
GRANT EXECUTE ON FUNCTION {schema}.annotator_delete_spans(integer[]) TO {USERS};
REVOKE ALL ON FUNCTION {schema}.annotator_delete_judgements(integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {schema}.annotator_delete_judgements(integer[]) TO {USERS};
"""


_Policy = tuple[str, str, str, str | None, str | None]
_POLICIES: dict[str, list[_Policy]] = {
    # table: [(policy, command, role, USING, WITH CHECK)]
    "spans": [
        ("spans_read", "SELECT", USERS, "true", None),
        ("spans_insert_own", "INSERT", USERS, None, "{s}.annotator_owned(annotator_id)"),
        # USING, not only WITH CHECK: rows a member may not change are invisible to UPDATE
        # and so to SELECT ... FOR UPDATE, which would otherwise lock others' spans.
        (
            "spans_update_own",
            "UPDATE",
            USERS,
            "{s}.annotator_owned(annotator_id)",
            "{s}.annotator_owned(annotator_id)",
        ),
        ("spans_delete_own", "DELETE", USERS, "{s}.annotator_owned(annotator_id)", None),
        (
            "spans_gold",
            "ALL",
            ADJUDICATORS,
            "{s}.annotator_is_gold(annotator_id)",
            "{s}.annotator_is_gold(annotator_id)",
        ),
        ("spans_lead", "ALL", LEADS, "true", "true"),
    ],
    "document_status": [
        ("status_read", "SELECT", USERS, "true", None),
        (
            "status_own",
            "ALL",
            USERS,
            "{s}.annotator_owned(annotator_id)",
            "{s}.annotator_owned(annotator_id)",
        ),
        (
            "status_gold",
            "ALL",
            ADJUDICATORS,
            "{s}.annotator_is_gold(annotator_id)",
            "{s}.annotator_is_gold(annotator_id)",
        ),
        ("status_lead", "ALL", LEADS, "true", "true"),
    ],
    # Judgements are private training data: a member reads and writes only their own
    # (inserts; deletes go through annotator_delete_judgements); leads all of them.
    "judgements": [
        (
            "judgements_own",
            "ALL",
            USERS,
            "{s}.annotator_owned(annotator_id)",
            "{s}.annotator_owned(annotator_id)",
        ),
        ("judgements_lead", "ALL", LEADS, "true", "true"),
    ],
}


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
    run(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {USERS}")
    run(f"GRANT INSERT ON {schema}.spans TO {USERS}")
    run(f"GRANT UPDATE ({', '.join(_SPAN_EDITABLE)}) ON {schema}.spans TO {USERS}")
    run(f"GRANT INSERT, UPDATE (status, updated_at) ON {schema}.document_status TO {USERS}")
    run(f"GRANT INSERT ON {schema}.judgements TO {USERS}")
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
            "adjudications",
            "import_journal",
            "judgements",
        )
    )
    run(f"GRANT INSERT, UPDATE, DELETE ON {tables} TO {LEADS}")


def _policies(conn: Connection, schema: str) -> None:
    conn.exec_driver_sql(_functions(schema))
    for table, policies in _POLICIES.items():
        target = f"{schema}.{table}"
        conn.exec_driver_sql(f"ALTER TABLE {target} ENABLE ROW LEVEL SECURITY")
        for name, command, role, using, check in policies:
            conn.exec_driver_sql(f"DROP POLICY IF EXISTS {name} ON {target}")
            sql = f"CREATE POLICY {name} ON {target} FOR {command} TO {role}"
            if using is not None:
                sql += f" USING ({using.format(s=schema)})"
            if check is not None:
                sql += f" WITH CHECK ({check.format(s=schema)})"
            conn.exec_driver_sql(sql)


def init_server(db: Database) -> None:
    """Migrate, then create the group roles, grants and policies (idempotent; run as owner)."""
    _require_postgres(db)
    upgrade(db)
    with db.guard(), db.engine.begin() as conn:
        for role in GROUPS:
            _ensure_group(conn, role)
        conn.exec_driver_sql(f"GRANT {USERS} TO {ADJUDICATORS}")
        conn.exec_driver_sql(f"GRANT {ADJUDICATORS} TO {LEADS}")
        schema = _schema(conn)
        _grants(conn, schema)  # from a clean slate, then the functions grant their EXECUTE
        _policies(conn, schema)
    db.write(
        lambda s: repo.annotator_id(s, GOLD_ANNOTATOR, kind=AnnotatorKind.GOLD),
        retry_integrity=True,
    )


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
