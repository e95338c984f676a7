"""Document labels (schema 0012) on the team server: a member logs in with her own role,
as psql would, and tries to write, change and remove others' document labels; leads and
adjudicators have what the spans rules give them. The server is the real PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from team_server import ALICE, BOB, CAROL, LENA, SecureTeam, make_secure_team, try_sql

from annotator.core.model import GOLD_ANNOTATOR
from annotator.services import Workspace
from annotator.storage.doc_labels import document_labels

pytestmark = pytest.mark.postgres


@pytest.fixture
def team(pg_server: Any) -> Iterator[SecureTeam]:
    t = make_secure_team(pg_server)
    yield t
    pg_server.drop_database(t.dbname)


_try = try_sql


def _rows(team: SecureTeam) -> list[tuple[Any, ...]]:
    with team.superuser() as su:
        q = (
            "SELECT document_id, annotator_id, label_id FROM public.document_labels "
            "ORDER BY 1, 2, 3"
        )
        return list(su.execute(q).fetchall())


def _label(team: SecureTeam, name: str) -> int:
    with team.superuser() as su:
        row = su.execute("SELECT id FROM public.labels WHERE name = %s", (name,)).fetchone()
    assert row is not None
    return int(row[0])


INSERT = (
    "INSERT INTO public.document_labels (document_id, annotator_id, label_id, created_at) "
    "VALUES (%s, %s, %s, now())"
)


def test_member_adds_her_own_document_labels_and_touches_no_one_elses(team: SecureTeam) -> None:
    mil, dip = _label(team, "MILITARY"), _label(team, "DIPLOMATIC")
    with team.superuser() as su:  # bob's label, there before
        su.execute(INSERT, (team.doc, team.ids[BOB], dip))  # type: ignore[arg-type]
    with team.connect(ALICE, autocommit=True) as conn:
        assert _try(conn, INSERT, (team.doc, team.ids[ALICE], mil)) == "ok"
        assert _try(conn, INSERT, (team.doc, team.ids[BOB], mil)) == "InsufficientPrivilege"
        assert _try(conn, INSERT, (team.doc, team.ids[GOLD_ANNOTATOR], mil)) == (
            "InsufficientPrivilege"
        )
        # She reads everyone's, as she reads their spans.
        seen = conn.execute("SELECT annotator_id FROM public.document_labels").fetchall()
        assert {r[0] for r in seen} == {team.ids[ALICE], team.ids[BOB]}
        # No UPDATE or DELETE at all (not even her own): no table-level right to lock with.
        for sql in (
            "UPDATE public.document_labels SET label_id = label_id",
            "DELETE FROM public.document_labels",
            "TRUNCATE public.document_labels",
        ):
            assert _try(conn, sql) == "InsufficientPrivilege", sql
        for mode in ("SHARE", "EXCLUSIVE", "ACCESS EXCLUSIVE", "SHARE ROW EXCLUSIVE"):
            got = _try(conn, f"LOCK TABLE public.document_labels IN {mode} MODE NOWAIT")
            assert got == "InsufficientPrivilege", mode
    assert _rows(team) == sorted([(team.doc, team.ids[BOB], dip), (team.doc, team.ids[ALICE], mil)])


def test_adjudicator_writes_gold_and_lead_writes_all(team: SecureTeam) -> None:
    mil = _label(team, "MILITARY")
    with team.connect(CAROL, autocommit=True) as conn:
        assert _try(conn, INSERT, (team.doc, team.ids[GOLD_ANNOTATOR], mil)) == "ok"
        assert _try(conn, INSERT, (team.doc, team.ids[BOB], mil)) == "InsufficientPrivilege"
    with team.connect(LENA, autocommit=True) as conn:
        assert _try(conn, INSERT, (team.doc, team.ids[BOB], mil)) == "ok"
        assert (
            _try(
                conn,
                "DELETE FROM public.document_labels WHERE annotator_id = %s",
                (team.ids[GOLD_ANNOTATOR],),
            )
            == "ok"
        )
    assert _rows(team) == [(team.doc, team.ids[BOB], mil)]


def test_lead_imports_document_labels_through_the_app(team: SecureTeam, tmp_path: Path) -> None:
    """A lead imports a native JSONL file with `doc_labels`; a member's Workspace reads them."""
    path = tmp_path / "in.jsonl"
    rec = {
        "id": "d1",
        "text": "Navy drills resumed off the coast.",
        "spans": [],
        "doc_labels": {BOB: ["MILITARY"], ALICE: ["MILITARY", "DIPLOMATIC"]},
    }
    path.write_text(json.dumps(rec) + "\n", "utf-8")
    lena = Workspace.open(team.url(LENA))
    try:
        report = lena.importer.import_paths([path])
        assert not report.errors, report.errors
        assert report.files[0].doc_labels_added == 3
    finally:
        lena.close()
    alice = Workspace.open(team.url(ALICE))
    try:
        ids = [d.id for d in alice.documents.list()]
        got = alice.db.read(lambda s: document_labels(s, ids))
    finally:
        alice.close()
    assert list(got.values()) == [{ALICE: ["DIPLOMATIC", "MILITARY"], BOB: ["MILITARY"]}]


def _row_id(team: SecureTeam, who: str, label: int) -> int:
    with team.superuser() as su:
        row = su.execute(
            "SELECT id FROM public.document_labels WHERE annotator_id = %s AND label_id = %s",
            (team.ids[who], label),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_member_takes_back_only_her_own_document_labels(team: SecureTeam) -> None:
    """Through the app (the desk's service) and by crafted calls of the server function."""
    mil, dip = _label(team, "MILITARY"), _label(team, "DIPLOMATIC")
    with team.superuser() as su:
        for who, lab in ((ALICE, mil), (ALICE, dip), (BOB, mil), (GOLD_ANNOTATOR, mil)):
            su.execute(INSERT, (team.doc, team.ids[who], lab))  # type: ignore[arg-type]
    alice = Workspace.open(team.url(ALICE))
    try:
        svc = alice.annotations
        svc.set_document_label(team.doc, ALICE, "MILITARY", False, actor=ALICE)
        # A step not refused by the app (actor=None, as a script might) still removes
        # nothing of bob's or gold's: the server's function checks the login.
        svc.set_document_label(team.doc, BOB, "MILITARY", False)
        svc.set_document_label(team.doc, GOLD_ANNOTATOR, "MILITARY", False)
        # Nor can she give bob one through the app.
        with pytest.raises(Exception, match=r"(?i)permission|policy|security|not"):
            svc.set_document_label(team.doc, BOB, "DIPLOMATIC", True)
        assert svc.document_labels(team.doc) == {
            ALICE: ["DIPLOMATIC"],
            BOB: ["MILITARY"],
            GOLD_ANNOTATOR: ["MILITARY"],
        }
    finally:
        alice.close()
    bobs, golds = _row_id(team, BOB, mil), _row_id(team, GOLD_ANNOTATOR, mil)
    with team.connect(ALICE, autocommit=True) as conn:
        for ids in ([bobs], [golds], [bobs, golds, None, -1, 2**63 - 1], [], None):
            got = conn.execute(
                "SELECT annotator_delete_document_labels(%s::bigint[])", (ids,)
            ).fetchone()
            assert got in ((0,), (None,)), ids
        assert _try(conn, "DELETE FROM public.document_labels") == "InsufficientPrivilege"
    with team.connect(CAROL, autocommit=True) as conn:  # adjudicator: gold's, not bob's
        got = conn.execute(
            "SELECT annotator_delete_document_labels(%s::bigint[])", ([bobs, golds],)
        ).fetchone()
        assert got == (1,)
    assert _rows(team) == sorted([(team.doc, team.ids[ALICE], dip), (team.doc, team.ids[BOB], mil)])


def test_blind_mode_hides_teammates_document_labels_on_the_server(team: SecureTeam) -> None:
    """An overlap document alice has not finished: bob's document label is not readable by
    her login at all (as his spans), her own is; once she marks it done she sees his."""
    mil = _label(team, "MILITARY")
    with team.superuser() as su:
        for who in (ALICE, BOB):
            su.execute(INSERT, (team.doc, team.ids[who], mil))  # type: ignore[arg-type]
            su.execute(
                "INSERT INTO public.assignments (document_id, annotator_id, overlap, position, "
                "skip_reason, assigned_by, created_at) VALUES (%s, %s, true, 0, '', 'x', now())",
                (team.doc, team.ids[who]),
            )
    with team.connect(ALICE, autocommit=True) as conn:
        seen = conn.execute("SELECT annotator_id FROM public.document_labels").fetchall()
        assert [r[0] for r in seen] == [team.ids[ALICE]]
    alice = Workspace.open(team.url(ALICE))
    try:
        assert alice.annotations.document_labels(team.doc, viewer=ALICE) == {ALICE: ["MILITARY"]}
    finally:
        alice.close()
    with team.superuser() as su:
        su.execute(
            "INSERT INTO public.document_status (document_id, annotator_id, status, updated_at) "
            "VALUES (%s, %s, 'done', now())",
            (team.doc, team.ids[ALICE]),
        )
    with team.connect(ALICE, autocommit=True) as conn:
        seen = conn.execute("SELECT annotator_id FROM public.document_labels").fetchall()
        assert sorted(r[0] for r in seen) == sorted([team.ids[ALICE], team.ids[BOB]])
