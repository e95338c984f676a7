"""A team server set up as docs/team-setup.md says: a database owned by a role that may
create roles but is no superuser, members who log in over TCP with SCRAM passwords.

Shared by the attack suite (tests/storage/test_team_security.py) and the GUI's team tests.
Roles are cluster-wide, so they are made once per test server and reused by later
databases (``--existing-role``), as a real admin would for a second project.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

from annotator.core.model import GOLD_ANNOTATOR, Document, DocumentStatus
from annotator.core.text import content_hash
from annotator.services.team import TeamServerService
from annotator.storage import open_database, repo

OWNER = "sec_owner"
ALICE, BOB, CAROL, LENA = "sec_alice", "sec_bob", "sec_carol", "sec_lena"
MEMBERS = {ALICE: (False, False), BOB: (False, False), CAROL: (True, False), LENA: (False, True)}
TEXT = "Troops crossed the river while envoys met in Geneva to discuss sanctions on grain."


def try_sql(conn: psycopg.Connection[Any], sql: str, params: Any = None) -> str:
    """Run one statement in its own savepoint, as a member's psql would; the error class
    name, or 'ok'."""
    try:
        with conn.transaction():
            conn.execute(sql, params)  # type: ignore[arg-type]
    except psycopg.Error as exc:
        return type(exc).__name__
    return "ok"


def password(role: str) -> str:
    return f"pw-{role}-Secret!"


@dataclass
class SecureTeam:
    server: Any
    dbname: str
    doc: int
    ids: dict[str, int] = field(default_factory=dict)  # annotator name -> id
    spans: dict[str, int] = field(default_factory=dict)  # whose -> a span id of theirs

    def url(self, role: str) -> str:
        return str(self.server.user_url(role, password(role), self.dbname))

    @property
    def owner_url(self) -> str:
        return self.url(OWNER)

    def connect(self, role: str, **kwargs: Any) -> psycopg.Connection[Any]:
        """A raw login as ``role``, as psql would open it: no app code in between."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.server.port,
            user=role,
            password=password(role),
            dbname=self.dbname,
            **kwargs,
        )

    @contextmanager
    def superuser(self) -> Iterator[psycopg.Connection[Any]]:
        with psycopg.connect(
            host=str(self.server.root),
            port=self.server.port,
            user="postgres",
            dbname=self.dbname,
            autocommit=True,
        ) as conn:
            yield conn

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Everything anyone could want to change: the data and every right on the cluster."""
        queries = {
            "spans": 'SELECT id, document_id, annotator_id, label_id, start, "end", note, '
            "origin, decided_by, created_at, updated_at FROM public.spans ORDER BY id",
            "status": "SELECT document_id, annotator_id, status, updated_at "
            "FROM public.document_status ORDER BY 1, 2",
            "labels": "SELECT id, name, color, shortcut, description, position "
            "FROM public.labels ORDER BY id",
            "annotators": "SELECT id, name, kind, role_name FROM public.annotators ORDER BY id",
            "documents": "SELECT id, title, text, content_hash FROM public.documents ORDER BY id",
            "adjudications": "SELECT * FROM public.adjudications ORDER BY id",
            "roles": "SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, "
            "rolcanlogin, rolreplication, rolbypassrls, rolpassword FROM pg_authid "
            "ORDER BY rolname",
            "members": "SELECT roleid::regrole::text, member::regrole::text, admin_option "
            "FROM pg_auth_members ORDER BY 1, 2",
            "table_acl": "SELECT c.relname, c.relacl::text, c.relrowsecurity, "
            "c.relforcerowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = "
            "c.relnamespace WHERE n.nspname = 'public' ORDER BY 1",
            "policies": "SELECT tablename, policyname, roles::text, cmd, qual, with_check "
            "FROM pg_policies ORDER BY 1, 2",
            "functions": "SELECT p.oid::regprocedure::text, p.prosecdef, p.proconfig::text, "
            "p.proacl::text, md5(p.prosrc) FROM pg_proc p JOIN pg_namespace n ON "
            "n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 1",
            "triggers": "SELECT tgrelid::regclass::text, tgname, tgfoid::regprocedure::text "
            "FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2",
            "database_acl": "SELECT datacl::text FROM pg_database "
            "WHERE datname = current_database()",
            "schema_acl": "SELECT nspname, nspacl::text FROM pg_namespace "
            "WHERE nspname NOT LIKE 'pg\\_%temp\\_%' ORDER BY 1",
        }
        with self.superuser() as conn:
            return {k: list(conn.execute(q).fetchall()) for k, q in queries.items()}  # type: ignore[arg-type]


def _ensure_role(server: Any, role: str, *, owner: bool = False) -> bool:
    """Create a login role if the cluster lacks it; True if it was there already."""
    with psycopg.connect(
        host=str(server.root), port=server.port, user="postgres", autocommit=True
    ) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            return True
        if owner:  # created by the superuser as team-setup.md says, SCRAM over TCP
            conn.execute(
                f"CREATE ROLE {role} LOGIN CREATEROLE PASSWORD '{password(role)}'"  # type: ignore[arg-type]
            )
            return True
    return False


def make_secure_team(server: Any) -> SecureTeam:
    """A fresh database owned by OWNER, initialised, with the four members and a little work:
    one span each of alice and bob, a gold span, bob's document marked done."""
    _ensure_role(server, OWNER, owner=True)
    dbname = f"sec_{next(server._names)}_{id(server) % 10_000}"
    server.execute(f'CREATE DATABASE "{dbname}" OWNER {OWNER} TEMPLATE template0')
    team = SecureTeam(server=server, dbname=dbname, doc=0)
    admin = TeamServerService.connect(team.owner_url)
    admin.init()
    for role, (adj, lead) in MEMBERS.items():
        exists = _ensure_role(server, role)
        admin.add_user(
            role,
            None if exists else password(role),
            adjudicator=adj,
            lead=lead,
            existing_role=exists,
        )
    db = open_database(team.owner_url)
    try:
        team.doc = db.write(
            lambda s: repo.add_document(s, Document(text=TEXT, content_hash=content_hash(TEXT)))
        )
        for who, (start, end, label) in {
            ALICE: (0, 6, "MILITARY"),
            BOB: (31, 37, "DIPLOMATIC"),
            GOLD_ANNOTATOR: (45, 51, "DIPLOMATIC"),
        }.items():
            span = db.write(
                lambda s, w=who, a=start, b=end, lab=label: repo.add_span(
                    s, team.doc, repo.NewSpan(start=a, end=b, label=lab, annotator=w)
                )
            )
            team.spans[who] = span.id
        db.write(lambda s: repo.set_status(s, team.doc, BOB, DocumentStatus.DONE))
        for a in db.read(repo.list_annotators):
            team.ids[a.name] = a.id
    finally:
        db.dispose()
    return team
