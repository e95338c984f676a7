"""Predictions (schema 0015) on the team server: a member logs in with her own role, as
psql would, and tries to add, change and remove predictions; she reads them, only a lead
writes them. The server is the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from team_server import ALICE, CAROL, LENA, SecureTeam, make_secure_team, try_sql

from annotator.core.model import SpanOrigin
from annotator.services import Workspace
from annotator.services.suggestion_commands import AcceptPredictionsCommand

pytestmark = pytest.mark.postgres


@pytest.fixture
def team(pg_server: Any) -> Iterator[SecureTeam]:
    t = make_secure_team(pg_server)
    yield t
    pg_server.drop_database(t.dbname)


INSERT = (
    'INSERT INTO public.predictions (document_id, label_id, start, "end", score, '
    "model_version, imported_at) VALUES (%s, (SELECT id FROM public.labels WHERE name = "
    "'MILITARY'), %s, %s, 0.8, %s, now())"
)


def _rows(team: SecureTeam) -> list[tuple[Any, ...]]:
    with team.superuser() as su:
        q = 'SELECT start, "end", score, model_version FROM public.predictions ORDER BY 1, 4'
        return list(su.execute(q).fetchall())


def test_members_read_predictions_and_only_leads_write_them(team: SecureTeam) -> None:
    with team.connect(LENA, autocommit=True) as conn:  # a lead imports
        assert try_sql(conn, INSERT, (team.doc, 0, 6, "v3")) == "ok"
        assert try_sql(conn, INSERT, (team.doc, 7, 14, "v3")) == "ok"
    for member in (ALICE, CAROL):  # a member and an adjudicator
        with team.connect(member, autocommit=True) as conn:
            seen = conn.execute('SELECT start, "end" FROM public.predictions ORDER BY 1')
            assert seen.fetchall() == [(0, 6), (7, 14)]
            assert try_sql(conn, INSERT, (team.doc, 15, 20, "mine")) == "InsufficientPrivilege"
            for sql in (
                "UPDATE public.predictions SET score = 1.0",
                "UPDATE public.predictions SET model_version = 'forged'",
                "DELETE FROM public.predictions",
                "TRUNCATE public.predictions",
                "LOCK TABLE public.predictions IN ACCESS EXCLUSIVE MODE NOWAIT",
                "LOCK TABLE public.predictions IN SHARE MODE NOWAIT",
            ):
                assert try_sql(conn, sql) == "InsufficientPrivilege", (member, sql)
    with team.connect(LENA, autocommit=True) as conn:
        assert try_sql(conn, "DELETE FROM public.predictions WHERE start = 7") == "ok"
    assert _rows(team) == [(0, 6, 0.8, "v3")]


FIXTURE = Path(__file__).parents[1] / "formats" / "fixtures" / "label_studio_model_predictions.json"


def test_a_lead_imports_predictions_and_a_member_gets_them_as_suggestions(
    team: SecureTeam,
) -> None:
    lena = Workspace.open(team.url(LENA))
    try:
        report = lena.importer.import_paths([FIXTURE], create_labels=True)
        assert not report.errors, report.errors
        assert report.files[0].predictions_added == 4
    finally:
        lena.close()
    alice = Workspace.open(team.url(ALICE))
    try:
        (navy,) = [d.id for d in alice.documents.list() if d.id != team.doc and d.length == 78]
        pending = alice.predictions.pending(navy, ALICE)
        assert [(p.label, p.model_version) for p in pending] == [
            ("MILITARY", "ner-v3"),
            ("MILITARY", "rules-2026-11"),
            ("DIPLOMATIC", "ner-v3"),
        ]
        # Her accept is her own span, origin predicted; the prediction stays for others.
        AcceptPredictionsCommand(
            alice.annotations, navy, [(pending[0].start, pending[0].end, "MILITARY")], ALICE
        ).do()
        (span,) = alice.annotations.spans(navy, annotators=(ALICE,))
        assert span.origin is SpanOrigin.PREDICTED
        assert len(alice.predictions.pending(navy, ALICE)) == 2
        assert len(alice.predictions.pending(navy, CAROL)) == 3
    finally:
        alice.close()
