"""Judgements on the team server: a member logs in with her own role, as psql would, and can
read, add and take back only her own "no label" judgements and rejections; leads see and
manage everyone's. The server is the real PostgreSQL the tests start."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from team_server import ALICE, BOB, LENA, TEXT, SecureTeam, make_secure_team, try_sql

from annotator.core.errors import PermissionDeniedError
from annotator.core.judgement import Judgement, JudgementKind
from annotator.services import Workspace
from annotator.services.suggestion_commands import Dismissals, JudgeCommand, RejectSuggestionCommand

pytestmark = pytest.mark.postgres

INSERT = (
    'INSERT INTO public.judgements (document_id, annotator_id, start, "end", kind, label, '
    "created_at) VALUES (%s, %s, %s, %s, %s, %s, now()) RETURNING id"
)


@pytest.fixture
def team(pg_server: Any) -> Iterator[SecureTeam]:
    t = make_secure_team(pg_server)
    yield t
    pg_server.drop_database(t.dbname)


_try = try_sql


def _all_judgements(team: SecureTeam) -> list[tuple[Any, ...]]:
    with team.superuser() as su:
        return list(
            su.execute(
                'SELECT id, document_id, annotator_id, start, "end", kind, label '
                "FROM public.judgements ORDER BY id"
            ).fetchall()
        )


def _bobs_judgement(team: SecureTeam) -> int:
    with team.superuser() as su:
        row = su.execute(INSERT, (team.doc, team.ids[BOB], 0, 6, "none", "")).fetchone()
    assert row is not None
    return int(row[0])


def test_member_reads_and_writes_only_her_own_judgements_as_psql(team: SecureTeam) -> None:
    bobs = _bobs_judgement(team)
    before = _all_judgements(team)
    with team.connect(ALICE) as conn:
        # Her own: she may add it and read it back; bob's is invisible to her.
        row = conn.execute(
            INSERT, (team.doc, team.ids[ALICE], 0, 6, "rejected", "MILITARY")
        ).fetchone()
        assert row is not None
        mine = int(row[0])
        conn.commit()
        seen = conn.execute("SELECT id, annotator_id FROM public.judgements").fetchall()
        assert seen == [(mine, team.ids[ALICE])]
        assert conn.execute(
            "SELECT count(*) FROM public.judgements WHERE id = %s", (bobs,)
        ).fetchone() == (0,)
        # Writing in bob's name, or changing or deleting his row: refused or no row matches.
        assert (
            _try(conn, INSERT, (team.doc, team.ids[BOB], 7, 12, "none", ""))
            == "InsufficientPrivilege"
        )
        assert _try(conn, "UPDATE public.judgements SET label = 'X'") == "InsufficientPrivilege"
        assert (
            _try(conn, "UPDATE public.judgements SET annotator_id = %s", (team.ids[ALICE],))
            == "InsufficientPrivilege"
        )
        assert _try(conn, "DELETE FROM public.judgements") == "InsufficientPrivilege"
        assert _try(conn, "TRUNCATE public.judgements") == "InsufficientPrivilege"
        assert (
            _try(conn, "LOCK TABLE public.judgements IN ACCESS EXCLUSIVE MODE")
            == "InsufficientPrivilege"
        )
        # The delete function takes her own rows only: bob's stays.
        gone = conn.execute(
            "SELECT public.annotator_delete_judgements(ARRAY[%s, %s]::bigint[])", (bobs, mine)
        ).fetchone()
        conn.commit()
        assert gone == (1,)
    after = _all_judgements(team)
    assert after == before  # bob's row untouched, and hers added then taken back


def test_the_judgement_delete_function_with_crafted_arguments_takes_nothing(
    team: SecureTeam,
) -> None:
    bobs = _bobs_judgement(team)
    before = _all_judgements(team)
    with team.connect(ALICE, autocommit=True) as conn:
        for ids in ([bobs], [bobs, None, -1, 2**31 - 1], [], None):
            got = conn.execute(
                "SELECT public.annotator_delete_judgements(%s::int[])", (ids,)
            ).fetchone()
            assert got in ((0,), (None,)), ids
        assert (
            _try(conn, "SELECT public.annotator_delete_judgements(ARRAY['1; DROP TABLE spans'])")
            != "ok"
        )
        # Run as the owner, it still answers to the login: no SET ROLE makes bob of alice.
        assert _try(conn, f"SET ROLE {BOB}") == "InsufficientPrivilege"
    assert _all_judgements(team) == before


def test_lead_sees_and_manages_everyones_judgements(team: SecureTeam) -> None:
    bobs = _bobs_judgement(team)
    with team.connect(LENA) as conn:
        assert conn.execute("SELECT id FROM public.judgements").fetchall() == [(bobs,)]
        conn.execute("DELETE FROM public.judgements WHERE id = %s", (bobs,))
        conn.commit()
    assert _all_judgements(team) == []


def test_member_judges_and_undoes_through_the_app_never_touching_others(
    team: SecureTeam,
) -> None:
    bobs = _bobs_judgement(team)
    alice = Workspace.open(team.url(ALICE))
    try:
        walk = JudgeCommand(alice.judgements, team.doc, 7, 14, ALICE)
        walk.do()
        RejectSuggestionCommand(
            Dismissals(alice.judgements), team.doc, 0, 6, ALICE, ("ECONOMIC",)
        ).do()
        # She sees only her own judgements; bob's no-label passage is not her example.
        assert {(j.annotator, j.start) for j in alice.judgements.list()} == {
            (ALICE, 7),
            (ALICE, 0),
        }
        assert alice.judgements.list(annotators=[BOB]) == []
        # A command in bob's name is refused by the server.
        with pytest.raises(PermissionDeniedError):
            alice.judgements.add([Judgement(team.doc, 20, 30, BOB)])
        # Taking back bob's row through the app removes nothing.
        alice.judgements.remove([Judgement(team.doc, 0, 6, BOB, JudgementKind.NONE, "", bobs)])
        walk.undo()
        assert {(j.annotator, j.start) for j in alice.judgements.list()} == {(ALICE, 0)}
    finally:
        alice.close()
    rows = _all_judgements(team)
    assert [(r[0], r[2]) for r in rows if r[2] == team.ids[BOB]] == [(bobs, team.ids[BOB])]
    assert TEXT[7:14]  # the passages are inside the team's document


def test_member_trains_where_the_judgements_table_is_not_granted_yet(team: SecureTeam) -> None:
    """An owner who upgraded without re-running ``server init``: members hold no right on
    the new table yet; suggestions still learn from the spans instead of failing."""
    with team.superuser() as su:
        su.execute("REVOKE ALL ON public.judgements FROM annotator_users")
    alice = Workspace.open(team.url(ALICE))
    try:
        assert alice.judgements.list() == []
        # bob marked the document done: its passage is an example all can learn from
        assert [e.annotator for e in alice.suggestions.examples()] == [BOB]
    finally:
        alice.close()
