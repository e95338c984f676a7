"""Document labels in the change log (schema 0017) on the real team server: blind mode hides
a teammate's entries on an unfinished overlap document as it hides their spans' (policy
``changes_read``), from the member's own SQL and from her live feed; the lead reads them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from study_server import STUDY, make_study_team
from team_server import LENA, SecureTeam

from annotator.core.model import ChangeKind, DocumentStatus
from annotator.services import Workspace

pytestmark = pytest.mark.postgres

LOGGED = (
    "SELECT a.name FROM public.span_changes c JOIN public.annotators a"
    " ON a.id = c.annotator_id WHERE c.op = 'doclabel' AND c.document_id = %s"
)


@pytest.fixture
def team(pg_server: Any) -> Iterator[SecureTeam]:
    t = make_study_team(pg_server)
    yield t
    pg_server.drop_database(t.dbname)


def test_a_teammates_document_label_on_a_blind_document_is_hidden_from_the_member_not_the_lead(
    team: SecureTeam,
) -> None:
    lead = Workspace.open(team.url(LENA))
    overlap = set(lead.study.overlap_document_ids())
    pair = next(
        (d, who)
        for d in sorted(overlap)
        if len(who := [p for p in STUDY if d in {i.document_id for i in lead.study.assignments(p)}])
        == 2
    )
    doc, (first, second) = pair
    lead_feed = lead.change_feed(listen=False)
    ws1 = Workspace.open(team.url(first))
    ws2 = Workspace.open(team.url(second))
    feed = ws2.change_feed(listen=False)
    try:
        # first labels the overlap document, takes one back; second labels it too.
        ws1.annotations.set_document_label(doc, first, "ECONOMIC", True)
        ws1.annotations.set_document_label(doc, first, "MILITARY", True)
        ws1.annotations.set_document_label(doc, first, "ECONOMIC", False)
        ws2.annotations.set_document_label(doc, second, "DIPLOMATIC", True)
        # second's own SQL and her feed see only her own entry.
        with team.connect(second) as conn:
            assert [r[0] for r in conn.execute(LOGGED, (doc,)).fetchall()] == [second]
            conn.rollback()
        mine = [(c.kind, c.annotator) for c in feed.poll() if c.document_id == doc]
        assert mine == [(ChangeKind.DOCUMENT_LABELS, second)]
        # The lead reads every entry, in its feed too.
        with team.connect(LENA) as conn:
            assert sorted(r[0] for r in conn.execute(LOGGED, (doc,)).fetchall()) == sorted(
                [first, first, first, second]
            )
            conn.rollback()
        seen = [(c.kind, c.annotator) for c in lead_feed.poll() if c.document_id == doc]
        assert seen == [(ChangeKind.DOCUMENT_LABELS, first)] * 3 + [
            (ChangeKind.DOCUMENT_LABELS, second)
        ]
        # Once second has finished the document, first's entries are hers to read.
        ws2.annotations.set_status(doc, second, DocumentStatus.DONE)
        with team.connect(second) as conn:
            names = sorted(r[0] for r in conn.execute(LOGGED, (doc,)).fetchall())
            assert names == sorted([first, first, first, second])
            conn.rollback()
    finally:
        ws1.close()
        ws2.close()
        lead.close()
