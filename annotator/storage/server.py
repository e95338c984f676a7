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

_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION annotator_owned(ann integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM annotators a WHERE a.id = ann AND a.role_name = current_user)
$$;
CREATE OR REPLACE FUNCTION annotator_is_gold(ann integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM annotators a WHERE a.id = ann AND a.name = '{GOLD_ANNOTATOR}')
$$;
"""

_Policy = tuple[str, str, str, str | None, str | None]
_POLICIES: dict[str, list[_Policy]] = {
    # table: [(policy, command, role, USING, WITH CHECK)]
    "spans": [
        ("spans_read", "SELECT", USERS, "true", None),
        ("spans_insert_own", "INSERT", USERS, None, "annotator_owned(annotator_id)"),
        # USING true: changing someone else's span is an error, not a silent no-op.
        ("spans_update_own", "UPDATE", USERS, "true", "annotator_owned(annotator_id)"),
        ("spans_delete_own", "DELETE", USERS, "annotator_owned(annotator_id)", None),
        (
            "spans_gold",
            "ALL",
            ADJUDICATORS,
            "annotator_is_gold(annotator_id)",
            "annotator_is_gold(annotator_id)",
        ),
        ("spans_lead", "ALL", LEADS, "true", "true"),
    ],
    "document_status": [
        ("status_read", "SELECT", USERS, "true", None),
        (
            "status_own",
            "ALL",
            USERS,
            "annotator_owned(annotator_id)",
            "annotator_owned(annotator_id)",
        ),
        (
            "status_gold",
            "ALL",
            ADJUDICATORS,
            "annotator_is_gold(annotator_id)",
            "annotator_is_gold(annotator_id)",
        ),
        ("status_lead", "ALL", LEADS, "true", "true"),
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


def _grants(conn: Connection) -> None:
    dbname = _quote(conn, conn.exec_driver_sql("SELECT current_database()").scalar_one())
    run = conn.exec_driver_sql
    run(f"REVOKE ALL ON DATABASE {dbname} FROM PUBLIC")
    run(f"GRANT CONNECT, TEMPORARY ON DATABASE {dbname} TO {USERS}")
    run("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    run(f"GRANT USAGE ON SCHEMA public TO {USERS}")
    run(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {USERS}")
    run(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {USERS}")
    run(f"GRANT INSERT, DELETE ON spans TO {USERS}")
    run(f"GRANT UPDATE ({', '.join(_SPAN_EDITABLE)}) ON spans TO {USERS}")
    run(f"GRANT INSERT, UPDATE (status, updated_at) ON document_status TO {USERS}")
    run(
        f"GRANT INSERT, UPDATE, DELETE ON documents, labels, annotators, spans, "
        f"document_status TO {LEADS}"
    )


def _policies(conn: Connection) -> None:
    conn.exec_driver_sql(_FUNCTIONS)
    for table, policies in _POLICIES.items():
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for name, command, role, using, check in policies:
            conn.exec_driver_sql(f"DROP POLICY IF EXISTS {name} ON {table}")
            sql = f"CREATE POLICY {name} ON {table} FOR {command} TO {role}"
            if using is not None:
                sql += f" USING ({using})"
            if check is not None:
                sql += f" WITH CHECK ({check})"
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
        _grants(conn)
        _policies(conn)
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


def add_user(
    db: Database,
    role: str,
    password: str,
    *,
    adjudicator: bool = False,
    lead: bool = False,
    annotator: str | None = None,
) -> None:
    """Create (or update) login role ``role`` in the annotator groups, and its annotator row."""
    _require_postgres(db)
    if not _ROLE_NAME.match(role) or role in GROUPS:
        raise AnnotatorError(
            f"{role!r} cannot be a role name: use letters, digits and _ (at most 63)."
        )
    if not password:
        raise AnnotatorError("A password is needed (it goes to the server as a SCRAM hash).")
    verifier = scram_sha256_verifier(password)
    with db.guard(), db.engine.begin() as conn:
        if (
            conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": USERS}).first()
            is None
        ):
            raise DatabaseError(
                f"{db.display_url} is not set up: run `annotator server init` first."
            )
        quoted = _quote(conn, role)
        exists = conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).first()
        verb = "ALTER" if exists else "CREATE"
        # exec_driver_sql: the verifier holds ':' that text() would read as a bind parameter.
        conn.exec_driver_sql(f"{verb} ROLE {quoted} LOGIN PASSWORD '{verifier}'")
        for group, wanted in ((USERS, True), (ADJUDICATORS, adjudicator), (LEADS, lead)):
            if wanted:
                conn.exec_driver_sql(f"GRANT {group} TO {quoted}")
    db.write(
        lambda s: repo.set_annotator_role(s, annotator or role, role, kind=AnnotatorKind.HUMAN),
        retry_integrity=True,
    )
