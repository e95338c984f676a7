"""The project guideline on the team server (issue 22): everyone reads it, only leads set it,
and no one rewrites a stored version. Members log in with their own roles on the real
PostgreSQL, through the app and as psql would, and try to write it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from team_server import ALICE, CAROL, LENA, SecureTeam, make_secure_team

from annotator.core.errors import PermissionDeniedError
from annotator.services import Workspace

pytestmark = pytest.mark.postgres


@pytest.fixture
def team(pg_server: Any) -> Iterator[SecureTeam]:
    t = make_secure_team(pg_server)
    yield t
    pg_server.drop_database(t.dbname)


def _try(conn: psycopg.Connection[Any], sql: str) -> str:
    try:
        with conn.transaction():
            conn.execute(sql)  # type: ignore[arg-type]
    except psycopg.Error as exc:
        return type(exc).__name__
    return "ok"


def _versions(team: SecureTeam) -> list[tuple[Any, ...]]:
    with team.superuser() as su:
        return list(su.execute("SELECT version, text, author FROM public.guidelines ORDER BY 1"))


def test_only_leads_set_the_guideline_and_everyone_reads_it(
    team: SecureTeam, tmp_path: Path
) -> None:
    f = tmp_path / "guide.md"
    f.write_text("# Guideline\n\n## MILITARY\nTroops.\n", encoding="utf-8")
    lead = Workspace.open(team.url(LENA))
    alice = Workspace.open(team.url(ALICE))
    carol = Workspace.open(team.url(CAROL))  # an adjudicator is no lead either
    try:
        first = lead.guidelines.set_from_file(f, author=LENA)
        assert first.version == 1
        for member in (alice, carol):
            with pytest.raises(PermissionDeniedError, match="refused"):
                member.guidelines.set("# My own rules\n", author="me")
            # Everyone reads every version.
            assert member.guidelines.current() == first
        assert _versions(team) == [(1, first.text, LENA)]
        # A member's span records the version the lead set.
        span, _ = alice.annotations.add(
            team.doc, start=7, end=14, label="MILITARY", annotator=ALICE
        )
        assert span.guideline_version == 1
        lead.guidelines.set("# Guideline v2\n", author=LENA)
        span2, _ = alice.annotations.add(
            team.doc, start=15, end=22, label="MILITARY", annotator=ALICE
        )
        assert span2.guideline_version == 2
    finally:
        for ws in (lead, alice, carol):
            ws.close()


def test_a_member_cannot_write_guidelines_from_psql(team: SecureTeam) -> None:
    lead = Workspace.open(team.url(LENA))
    try:
        lead.guidelines.set("# The lead's guideline\n", author=LENA)
    finally:
        lead.close()
    before = _versions(team)
    attacks = [
        "INSERT INTO public.guidelines (version, text, author, created_at) "
        "VALUES (2, 'forged', 'alice', now())",
        "UPDATE public.guidelines SET text = 'rewritten'",
        "DELETE FROM public.guidelines",
        "TRUNCATE public.guidelines",
        "LOCK TABLE public.guidelines IN ACCESS EXCLUSIVE MODE",
        "ALTER TABLE public.guidelines DISABLE ROW LEVEL SECURITY",
        "DROP TABLE public.guidelines",
    ]
    for role in (ALICE, CAROL):
        with team.connect(role) as conn:
            for sql in attacks:
                assert _try(conn, sql) == "InsufficientPrivilege", (role, sql)
            # Reading is allowed.
            assert conn.execute("SELECT count(*) FROM public.guidelines").fetchone() == (1,)
    # Even a lead only adds versions: stored ones are never rewritten or removed.
    with team.connect(LENA) as conn:
        assert (
            _try(conn, "UPDATE public.guidelines SET text = 'rewritten'") == "InsufficientPrivilege"
        )
        assert _try(conn, "DELETE FROM public.guidelines") == "InsufficientPrivilege"
        assert (
            _try(
                conn,
                "INSERT INTO public.guidelines (version, text, author, created_at) "
                "VALUES (2, 'by psql', 'lena', now())",
            )
            == "ok"
        )
    after = _versions(team)
    assert after[: len(before)] == before and len(after) == 2
