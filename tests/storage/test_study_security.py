"""Issue 22 on the real team server: the study's rules hold for a member's own SQL.

Each member logs in with their own role, as psql would (psycopg, no app code between), and
tries to read a teammate's spans and status on an overlap document before finishing it, to
read or change assignments that are not theirs, and to turn blind mode off. Leads and
adjudicators keep the full view.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from study_data import work
from study_server import DAVE, STUDY, make_study_team
from team_server import ALICE, BOB, CAROL, LENA, SecureTeam

from annotator.core.errors import AnnotatorError
from annotator.core.model import DocumentStatus, SpanFilter
from annotator.services import Workspace

pytestmark = pytest.mark.postgres


@pytest.fixture
def team(pg_server: Any) -> Iterator[SecureTeam]:
    t = make_study_team(pg_server)
    yield t
    pg_server.drop_database(t.dbname)


def _overlap_pair(lead: Workspace) -> tuple[int, str, str]:
    """An overlap document and its two annotators."""
    for doc in lead.study.overlap_document_ids():
        who = [p for p in STUDY if doc in {i.document_id for i in lead.study.assignments(p)}]
        if len(who) == 2:
            return doc, who[0], who[1]
    raise AssertionError("no overlap document")


def _ids(conn: psycopg.Connection[Any]) -> dict[str, int]:
    return {n: i for i, n in conn.execute("SELECT id, name FROM public.annotators").fetchall()}


def _try(conn: psycopg.Connection[Any], sql: str, params: Any = None) -> str:
    try:
        with conn.transaction():
            cur = conn.execute(sql, params)  # type: ignore[arg-type]
            return f"ok {cur.rowcount}"
    except psycopg.Error as exc:
        return type(exc).__name__


def test_member_sql_cannot_read_a_teammates_work_on_an_unfinished_overlap_document(
    team: SecureTeam, tmp_path: Any
) -> None:
    lead = Workspace.open(team.url(LENA))
    doc, first, second = _overlap_pair(lead)
    lead.close()
    # The first annotator finishes the document; the second has only started it.
    ws1 = Workspace.open(team.url(first))
    work(ws1, doc, first)
    ws2 = Workspace.open(team.url(second))
    feed = ws2.change_feed(listen=False)
    feed.poll()
    ws1.annotations.add(doc, start=0, end=4, label="MILITARY", annotator=first)
    work(ws2, doc, second, done=False)
    ws1.annotations.add(doc, start=1, end=4, label="MILITARY", annotator=first)
    with team.connect(second) as conn:
        ids = _ids(conn)
        # The change log says nothing of the teammate either: not who, not which document.
        changes = conn.execute(
            "SELECT DISTINCT annotator_id FROM public.span_changes WHERE document_id = %s",
            (doc,),
        ).fetchall()
        assert changes and {r[0] for r in changes} == {ids[second]}
        # The feed's read hands over the hidden entries' numbers, and nothing else of them.
        read = conn.execute(
            "SELECT op, document_id, annotator, changed_at "
            "FROM public.annotator_changes_after(0, '{}', '{}', 1000)"
        ).fetchall()
        assert ("hidden", 0, "", None) in read
        assert {r[2] for r in read if r[1] == doc} == {second}
        conn.rollback()
        spans = conn.execute(
            'SELECT annotator_id, "start", "end", note FROM public.spans WHERE document_id = %s',
            (doc,),
        ).fetchall()
        assert spans and {r[0] for r in spans} == {ids[second]}
        status = conn.execute(
            "SELECT annotator_id FROM public.document_status WHERE document_id = %s", (doc,)
        ).fetchall()
        assert {r[0] for r in status} == {ids[second]}
        # Other ways to the same rows: by span id, a join, an aggregate, SET ROLE to the group.
        assert conn.execute(
            "SELECT count(*) FROM public.spans WHERE annotator_id = %s AND document_id = %s",
            (ids[first], doc),
        ).fetchone() == (0,)
        assert conn.execute(
            "SELECT count(*) FROM public.spans s JOIN public.annotators a ON a.id = s.annotator_id "
            "WHERE a.name = %s AND s.document_id = %s",
            (first, doc),
        ).fetchone() == (0,)
        conn.execute("SET ROLE annotator_users")
        assert conn.execute(
            "SELECT count(*) FROM public.spans WHERE annotator_id = %s AND document_id = %s",
            (ids[first], doc),
        ).fetchone() == (0,)
        conn.execute("RESET ROLE")
        # Turning blind mode off is the lead's: refused.
        assert _try(conn, "UPDATE public.project_settings SET value = 'off'") == (
            "InsufficientPrivilege"
        )
        assert (
            _try(
                conn,
                "INSERT INTO public.project_settings (key, value, updated_at) "
                "VALUES ('blind', 'off', now())",
            )
            == "InsufficientPrivilege"
        )
        conn.rollback()
    # The member's app: its live feed, window load, export and training data, with no
    # viewer given at all.
    assert {c.annotator for c in feed.poll() if c.document_id == doc} == {second}
    # ...and moves past the teammate's last change instead of watching it as a gap.
    with team.connect(LENA) as conn:
        assert feed.cursor == conn.execute("SELECT max(id) FROM public.span_changes").fetchone()[0]
    assert {s.annotator for s in ws2.annotations.spans(doc)} == {second}
    out = tmp_path / "mine.jsonl"
    ws2.exporter.export("jsonl", out, filter=SpanFilter(document_ids=(doc,)))
    assert f'"{first}"' not in out.read_text(encoding="utf-8")
    assert not [
        e for e in ws2.suggestions.examples() if e.annotator == first and e.document_id == doc
    ]
    with pytest.raises(AnnotatorError):
        ws2.study.set_blind(False)
    # An adjudicator and the lead see both layers.
    for role in (CAROL, LENA):
        with team.connect(role) as conn:
            seen = conn.execute(
                "SELECT DISTINCT annotator_id FROM public.spans WHERE document_id = %s", (doc,)
            ).fetchall()
            assert {r[0] for r in seen} == {ids[first], ids[second]}, role
    # Once the second annotator marks it done, the first one's work is readable.
    ws2.annotations.set_status(doc, second, DocumentStatus.DONE)
    with team.connect(second) as conn:
        seen = conn.execute(
            "SELECT DISTINCT annotator_id FROM public.spans WHERE document_id = %s", (doc,)
        ).fetchall()
        assert {r[0] for r in seen} == {ids[first], ids[second]}
    ws1.close()
    ws2.close()


def test_member_reads_and_skips_only_their_own_assignments(team: SecureTeam) -> None:
    lead = Workspace.open(team.url(LENA))
    mine = {p: lead.study.assignments(p) for p in STUDY}
    lead.close()
    with team.connect(ALICE) as conn:
        ids = _ids(conn)
        rows = conn.execute("SELECT document_id, annotator_id FROM public.assignments").fetchall()
        assert {r[1] for r in rows} == {ids[ALICE]}
        assert len(rows) == len(mine[ALICE])
        bobs = mine[BOB][0].document_id
        alices = mine[ALICE][0].document_id
        # Skip her own (allowed); bob's is invisible to her UPDATE; no new rows, no overlap edits.
        assert (
            _try(
                conn,
                "UPDATE public.assignments SET skip_reason = 'x' WHERE document_id = %s",
                (alices,),
            )
            == "ok 1"
        )
        assert (
            _try(
                conn,
                "UPDATE public.assignments SET skip_reason = 'x' WHERE annotator_id = %s",
                (ids[BOB],),
            )
            == "ok 0"
        )
        assert (
            _try(
                conn,
                "UPDATE public.assignments SET overlap = NOT overlap WHERE document_id = %s",
                (alices,),
            )
            == "InsufficientPrivilege"
        )
        assert (
            _try(
                conn,
                "INSERT INTO public.assignments (document_id, annotator_id, overlap, position, "
                "skip_reason, assigned_by, created_at) VALUES (%s, %s, false, 0, '', '', now())",
                (bobs, ids[ALICE]),
            )
            == "InsufficientPrivilege"
        )
        assert _try(conn, "DELETE FROM public.assignments") == "InsufficientPrivilege"
        conn.rollback()
    # Through the app: her queue, and a skip the lead reads.
    ws = Workspace.open(team.url(ALICE))
    assert [i.document_id for i in ws.study.queue(ALICE)] == [i.document_id for i in mine[ALICE]]
    ws.study.skip(mine[ALICE][1].document_id, ALICE, "Duplicate of another article.")
    with pytest.raises(AnnotatorError):
        ws.study.skip(mine[BOB][0].document_id, BOB, "not mine")
    with pytest.raises(AnnotatorError):
        ws.study.assign()  # planning is the lead's
    with pytest.raises(AnnotatorError) as refused:  # and so is handing work over
        ws.study.hand_over(ALICE, [BOB])
    assert "permission" in str(refused.value).lower(), refused.value
    assert [i.document_id for i in ws.study.queue(ALICE, include_skipped=True)] == [
        i.document_id for i in mine[ALICE]
    ]
    ws.close()
    lead = Workspace.open(team.url(LENA))
    prog = lead.study.progress(bootstrap=0)
    alice = next(p for p in prog.annotators if p.name == ALICE)
    assert alice.skipped == 1
    assert alice.skips == [(mine[ALICE][1].external_id, "Duplicate of another article.")]
    lead.close()


@pytest.mark.slow
def test_scripted_study_on_the_server(team: SecureTeam) -> None:
    """Each member works through their queue with their own login; progress (the lead's)
    is exact after every document; agreement defaults to the overlap set."""
    members = {p: Workspace.open(team.url(p)) for p in STUDY}
    lead = Workspace.open(team.url(LENA))
    done = dict.fromkeys(STUDY, 0)
    assigned = {p: len(lead.study.assignments(p)) for p in STUDY}
    assert sum(assigned.values()) == 50  # 30 single + 10 double
    assert lead.study.show()["blind"] is True
    while True:
        moved = False
        for p, ws in members.items():
            doc = ws.study.next_document(p)
            if doc is None:
                continue
            work(ws, doc, p)
            done[p] += 1
            moved = True
            rows = {r.name: r for r in lead.study.progress(bootstrap=0).annotators}
            assert {q: (rows[q].assigned, rows[q].done) for q in STUDY} == {
                q: (assigned[q], done[q]) for q in STUDY
            }
            # A member's own progress view counts only what they may read: their own row.
            own = {r.name: r for r in ws.study.progress(bootstrap=0).annotators}
            assert (own[p].assigned, own[p].done) == (assigned[p], done[p])
        if not moved:
            break
    report = lead.agreement.report()
    assert "overlap set" in report.policies["documents"]
    assert len(report.documents) == 10
    assert report.label("MILITARY").alpha == 1.0
    for ws in (*members.values(), lead):
        ws.close()
    assert DAVE in STUDY
