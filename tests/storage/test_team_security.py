"""The team server under attack: a plain member logs in with her own role, as psql would,
and tries every way around row-level security a careful reviewer could think of. Each test
proves that nothing of anyone else's changed and that no role gained a right.

The server is the real PostgreSQL the tests start; the database is owned by a role with
CREATEROLE that is no superuser (docs/team-setup.md), so code that ran as the owner could
reach every role: exactly what the attacks below try to make happen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from team_server import ALICE, BOB, CAROL, LENA, OWNER, SecureTeam, make_secure_team, try_sql

from annotator.core.errors import BusyError, PermissionDeniedError
from annotator.core.model import GOLD_ANNOTATOR, DocumentStatus
from annotator.services import Workspace
from annotator.storage.engine import PG_LOCK_TIMEOUT_MS

pytestmark = pytest.mark.postgres

MEMBERS = (ALICE, BOB, CAROL, LENA)


@pytest.fixture
def team(pg_server: Any) -> Iterator[SecureTeam]:
    t = make_secure_team(pg_server)
    yield t
    pg_server.drop_database(t.dbname)


def _others(snap: dict[str, list[tuple[Any, ...]]], team: SecureTeam) -> dict[str, Any]:
    """The snapshot without alice's own spans and status (she may change those)."""
    me = team.ids[ALICE]
    out = dict(snap)
    out["spans"] = [r for r in snap["spans"] if r[2] != me]
    out["status"] = [r for r in snap["status"] if r[1] != me]
    return out


_try = try_sql


def _grant_temp(team: SecureTeam, role: str, grant: bool) -> None:
    """Simulate a misconfigured server (TEMPORARY granted), for defence in depth."""
    verb = (
        "GRANT TEMPORARY ON DATABASE {} TO {}"
        if grant
        else "REVOKE TEMPORARY ON DATABASE {} FROM {}"
    )
    with team.superuser() as su:
        su.execute(verb.format(f'"{team.dbname}"', role))  # type: ignore[arg-type]


def _spans_of(team: SecureTeam, who: str) -> list[tuple[Any, ...]]:
    return [r for r in team.snapshot()["spans"] if r[2] == team.ids[who]]


# --- the reported attacks -----------------------------------------------------------


def test_member_cannot_create_temporary_objects_at_all(team: SecureTeam) -> None:
    with team.connect(ALICE) as conn:
        for sql in (
            "CREATE TEMP TABLE annotators (id int, name text, role_name text)",
            "CREATE TABLE public.annotators_x (id int)",
            "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE SCHEMA evil",
            "CREATE FUNCTION pg_temp.lower(text) RETURNS text LANGUAGE sql AS 'SELECT $1'",
        ):
            assert _try(conn, sql) == "InsufficientPrivilege", sql


@pytest.mark.parametrize("search_path", [None, "pg_temp, public", 'pg_temp, "$user", public'])
def test_temp_table_shadowing_annotators_gives_nothing_even_with_temp_granted(
    team: SecureTeam, search_path: str | None
) -> None:
    """The report's first attack, on a server where TEMPORARY was (wrongly) granted."""
    _grant_temp(team, ALICE, True)
    try:
        before = team.snapshot()
        bob, gold = team.ids[BOB], team.ids[GOLD_ANNOTATOR]
        with team.connect(ALICE, autocommit=True) as conn:
            if search_path:
                conn.execute("SELECT set_config('search_path', %s, false)", (search_path,))
            conn.execute("CREATE TEMP TABLE annotators (id int, name text, role_name text)")
            conn.execute(
                "INSERT INTO pg_temp.annotators VALUES (%s, 'sec_bob', %s), (%s, 'gold', %s)",
                (bob, ALICE, gold, ALICE),
            )
            updated = conn.execute(
                "UPDATE public.spans SET note = 'pwned' WHERE annotator_id = %s", (bob,)
            ).rowcount
            assert updated == 0
            assert _try(conn, "DELETE FROM spans WHERE annotator_id = %s", (bob,)) == (
                "InsufficientPrivilege"
            )
            for annotator in (bob, gold):
                assert (
                    _try(
                        conn,
                        'INSERT INTO spans (document_id, annotator_id, label_id, start, "end", '
                        "note, origin, decided_by, created_at, updated_at) VALUES "
                        "(%s, %s, 1, 0, 5, '', 'manual', '', now(), now())",
                        (team.doc, annotator),
                    )
                    == "InsufficientPrivilege"
                )
            assert (
                _try(
                    conn,
                    "INSERT INTO document_status (document_id, annotator_id, status, updated_at) "
                    "VALUES (%s, %s, 'done', now())",
                    (team.doc, gold),
                )
                == "InsufficientPrivilege"
            )
            assert (
                _try(
                    conn,
                    "UPDATE document_status SET status = 'todo' WHERE annotator_id = %s",
                    (bob,),
                )
                == "ok"
            )  # matches no row: RLS hides bob's status from her UPDATE
            deleted = conn.execute(
                "SELECT public.annotator_delete_spans(ARRAY[%s, %s]::int[])",
                (team.spans[BOB], team.spans[GOLD_ANNOTATOR]),
            ).fetchone()
        assert deleted == (0,)
        assert team.snapshot() == before
    finally:
        _grant_temp(team, ALICE, False)


def test_temp_change_log_with_trigger_does_not_run_as_owner(team: SecureTeam) -> None:
    """The report's second attack: her own trigger on a temp span_changes, then a tag."""
    _grant_temp(team, ALICE, True)
    try:
        before = team.snapshot()
        with team.connect(ALICE, autocommit=True) as conn:
            conn.execute("SET search_path = pg_temp, public")
            conn.execute(
                "CREATE TEMP TABLE span_changes (id serial, op text, span_id int, "
                "document_id int, annotator_id int, changed_at timestamp)"
            )
            conn.execute(
                """CREATE FUNCTION pg_temp.evil() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  EXECUTE 'GRANT annotator_leads TO sec_alice';
                  UPDATE public.labels SET name = 'PWNED';
                  RETURN NEW;
                END $$"""
            )
            conn.execute(
                "CREATE TRIGGER evil BEFORE INSERT ON pg_temp.span_changes "
                "FOR EACH ROW EXECUTE FUNCTION pg_temp.evil()"
            )
            # Shadow what the trigger function calls, too.
            for sql in (
                "CREATE FUNCTION pg_temp.lower(text) RETURNS text LANGUAGE sql AS "
                "$$ SELECT 'pwned'::text $$",
                "CREATE FUNCTION pg_temp.now() RETURNS timestamptz LANGUAGE sql AS "
                "$$ SELECT '2000-01-01'::timestamptz $$",
            ):
                assert _try(conn, sql) == "ok", sql
            conn.execute(
                'INSERT INTO public.spans (document_id, annotator_id, label_id, start, "end", '
                "note, origin, decided_by, created_at, updated_at) "
                "VALUES (%s, %s, 1, 7, 14, '', 'manual', '', now(), now())",
                (team.doc, team.ids[ALICE]),
            )
            logged_here = conn.execute("SELECT count(*) FROM pg_temp.span_changes").fetchone()
        after = team.snapshot()
        assert logged_here == (0,)  # the owner's function wrote to the real log
        assert _others(after, team) == _others(before, team)
        assert not any(r[0] == "annotator_leads" and r[1] == ALICE for r in after["members"])
        with team.superuser() as su:
            logged = su.execute(
                "SELECT op, annotator_id FROM public.span_changes ORDER BY id DESC LIMIT 1"
            ).fetchone()
        assert logged == ("insert", team.ids[ALICE])
    finally:
        _grant_temp(team, ALICE, False)


def test_shadowed_builtins_and_search_path_do_not_reach_definer_functions(
    team: SecureTeam,
) -> None:
    _grant_temp(team, ALICE, True)
    try:
        before = team.snapshot()
        with team.connect(ALICE, autocommit=True) as conn:
            conn.execute("SELECT set_config('search_path', 'pg_temp, public', false)")
            for sql in (
                "CREATE FUNCTION pg_temp.pg_has_role(name, text, text) RETURNS boolean "
                "LANGUAGE sql AS 'SELECT true'",
                "CREATE FUNCTION pg_temp.session_user_x() RETURNS name LANGUAGE sql AS "
                "$$ SELECT 'sec_bob'::name $$",
                "CREATE FUNCTION pg_temp.int4eq_evil(int, int) RETURNS boolean "
                "LANGUAGE sql AS 'SELECT true'",
                "CREATE OPERATOR pg_temp.= (LEFTARG = int, RIGHTARG = int, "
                "FUNCTION = pg_temp.int4eq_evil)",
                "CREATE TEMP TABLE spans AS SELECT * FROM public.spans",
                "CREATE TEMP TABLE annotators AS SELECT * FROM public.annotators",
                "UPDATE pg_temp.annotators SET role_name = 'sec_alice'",
            ):
                assert _try(conn, sql) == "ok", sql
            n = conn.execute(
                "SELECT annotator_delete_spans(ARRAY(SELECT id FROM public.spans))"
            ).fetchone()
            assert n == (1,)  # only her own span went
            assert _try(conn, "UPDATE public.spans SET note = 'x'") == "ok"
        after = team.snapshot()
        assert _others(after, team) == _others(before, team)
        assert _spans_of(team, ALICE) == []
    finally:
        _grant_temp(team, ALICE, False)


def test_definer_functions_called_directly_with_crafted_arguments(team: SecureTeam) -> None:
    before = team.snapshot()
    with team.connect(ALICE, autocommit=True) as conn:
        definers = [
            r[0]
            for r in conn.execute(
                "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n "
                "ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.prosecdef"
            )
        ]
        assert sorted(definers) == [
            "annotator_blind_documents()",
            "annotator_changes_after(bigint,bigint[],bigint[],integer)",  # the live feed's read
            "annotator_delete_document_labels(bigint[])",  # test_document_labels_server
            "annotator_delete_judgements(bigint[])",  # crafted calls: test_team_judgements
            "annotator_delete_spans(bigint[])",
            "annotator_log_doclabel_statement()",  # the change log's triggers (0014, 0017)
            "annotator_log_span_statement()",
        ]
        # Blind mode's set (issue 22) takes no arguments and only reads: no plan, nothing.
        assert conn.execute("SELECT * FROM annotator_blind_documents()").fetchall() == []
        for trigger in ("annotator_log_span_statement()", "annotator_log_doclabel_statement()"):
            assert _try(conn, f"SELECT {trigger}") in (
                "InsufficientPrivilege",
                "FeatureNotSupported",
            )
        # The feed's read of the change log: crafted ranges read the log, no more (blind
        # mode's masking is tested in test_study_security), and write nothing.
        for args in (
            (None, None, None, None),
            (0, [1, 5, None], [2], 10),
            (-(2**63), [-(2**63)], [2**63 - 1], 2**31 - 1),
        ):
            rows = conn.execute(
                "SELECT * FROM annotator_changes_after(%s, %s::bigint[], %s::bigint[], %s)", args
            ).fetchall()
            assert all(len(r) == 6 for r in rows)
        assert _try(conn, "SELECT * FROM annotator_changes_after(0, '{}', '{}', -1)") != "ok"
        crafted = [
            [team.spans[BOB]],
            [team.spans[GOLD_ANNOTATOR]],
            [team.spans[BOB], team.spans[GOLD_ANNOTATOR], None, -1, 2**31 - 1, 2**63 - 1],
            [],
            None,
        ]
        for ids in crafted:
            got = conn.execute("SELECT annotator_delete_spans(%s::bigint[])", (ids,)).fetchone()
            assert got in ((0,), (None,)), ids
        assert _try(conn, "SELECT annotator_delete_spans(ARRAY['1; DROP TABLE spans'])") != "ok"
    assert team.snapshot() == before


def test_set_role_and_self_granted_rights_are_refused(team: SecureTeam) -> None:
    before = team.snapshot()
    with team.connect(ALICE, autocommit=True) as conn:
        for sql in (
            "SET ROLE annotator_leads",
            "SET ROLE annotator_adjudicators",
            f"SET ROLE {OWNER}",
            f"SET ROLE {BOB}",
            "SET SESSION AUTHORIZATION sec_owner",
            "GRANT annotator_leads TO sec_alice",
            "ALTER ROLE sec_alice CREATEROLE",
            "ALTER ROLE sec_bob PASSWORD 'x'",
            "CREATE ROLE evil LOGIN",
            "ALTER TABLE public.spans DISABLE ROW LEVEL SECURITY",
            "DROP POLICY spans_update_own ON public.spans",
            "CREATE TRIGGER t AFTER INSERT ON public.spans FOR EACH ROW EXECUTE FUNCTION "
            "annotator_log_span_statement()",
            "TRUNCATE public.spans",
            "INSERT INTO public.span_changes (op, span_id, document_id, annotator_id, "
            "changed_at) VALUES ('delete', 1, 1, 1, now())",
            'INSERT INTO public.adjudications (document_id, start, "end", label, decision, '
            "decided_by, decided_at) VALUES (1, 0, 5, 'MILITARY', 'accepted', 'x', now())",
            "INSERT INTO public.labels (name) VALUES ('EVIL')",
            "UPDATE public.annotators SET role_name = 'sec_alice'",
            "SELECT setval('spans_id_seq', 1)",
        ):
            assert _try(conn, sql) != "ok", sql
        # Dropping to a group she is in gives her less, never more.
        assert _try(conn, "SET ROLE annotator_users") == "ok"
    assert team.snapshot() == before


def test_member_cannot_lock_what_others_write(team: SecureTeam) -> None:
    strong = (
        "SHARE",
        "SHARE ROW EXCLUSIVE",
        "EXCLUSIVE",
        "ACCESS EXCLUSIVE",
        "SHARE UPDATE EXCLUSIVE",
    )
    with team.connect(ALICE) as conn:
        for table in ("spans", "document_status", "documents", "labels", "annotators"):
            for mode in strong:
                got = _try(conn, f"LOCK TABLE public.{table} IN {mode} MODE NOWAIT")
                assert got == "InsufficientPrivilege", (table, mode)
        # FOR UPDATE sees only her own rows: others' spans cannot be row-locked either.
        locked = conn.execute("SELECT annotator_id FROM public.spans FOR UPDATE").fetchall()
        assert {r[0] for r in locked} <= {team.ids[ALICE]}
        conn.rollback()


def test_a_members_locks_cannot_stall_anothers_tag(team: SecureTeam) -> None:
    """Alice takes every lock she can get and holds it; bob's tag lands at once anyway."""
    held = threading.Event()
    release = threading.Event()
    taken: list[str] = []

    def hold() -> None:
        with team.connect(ALICE) as conn:
            conn.execute("SELECT 1")  # one transaction: locks from savepoints stay held
            for table in (
                "spans",
                "document_status",
                "documents",
                "labels",
                "annotators",
                "adjudications",
                "span_changes",
            ):
                for mode in (
                    "ACCESS SHARE",
                    "ROW SHARE",
                    "ROW EXCLUSIVE",
                    "SHARE UPDATE EXCLUSIVE",
                    "SHARE",
                    "SHARE ROW EXCLUSIVE",
                    "EXCLUSIVE",
                    "ACCESS EXCLUSIVE",
                ):
                    if _try(conn, f"LOCK TABLE public.{table} IN {mode} MODE NOWAIT") == "ok":
                        taken.append(f"{table}:{mode}")
            for table in ("spans", "document_status", "documents", "labels", "annotators"):
                _try(conn, f"SELECT 1 FROM public.{table} FOR UPDATE")
                _try(conn, f"SELECT 1 FROM public.{table} FOR SHARE")
            held.set()
            release.wait(60)
            conn.rollback()

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert held.wait(30)
        assert "spans:ROW EXCLUSIVE" in taken and "spans:ACCESS EXCLUSIVE" not in taken
        bob = Workspace.open(team.url(BOB))
        try:
            t0 = time.monotonic()
            span, _ = bob.annotations.add(
                team.doc, start=7, end=14, label="MILITARY", annotator=BOB
            )
            bob.annotations.update(team.spans[BOB], note="still mine")
            bob.annotations.set_status(team.doc, BOB, DocumentStatus.IN_PROGRESS)
            waited = time.monotonic() - t0
        finally:
            bob.close()
        assert waited < PG_LOCK_TIMEOUT_MS / 1000  # nothing waited for a lock at all
        assert any(r[0] == span.id for r in _spans_of(team, BOB))
    finally:
        release.set()
        t.join(30)


def test_a_held_lock_fails_a_tag_within_seconds_then_it_lands(team: SecureTeam) -> None:
    """A lead (who may) locks spans; bob's tag fails with a message in seconds, not never,
    nothing half-lands, and the same tag lands once the lock is gone."""
    lead = team.connect(LENA)
    lead.execute("LOCK TABLE public.spans IN ACCESS EXCLUSIVE MODE")
    bob = Workspace.open(team.url(BOB))
    try:
        t0 = time.monotonic()
        with pytest.raises(BusyError, match=r"busy.*Nothing was changed"):
            bob.annotations.add(team.doc, start=7, end=14, label="MILITARY", annotator=BOB)
        waited = time.monotonic() - t0
        assert waited < PG_LOCK_TIMEOUT_MS / 1000 + 10
        lead.rollback()
        assert [r[4:6] for r in _spans_of(team, BOB)] == [(31, 37)]
        span, _ = bob.annotations.add(team.doc, start=7, end=14, label="MILITARY", annotator=BOB)
        assert sorted(r[4:6] for r in _spans_of(team, BOB)) == [(7, 14), (31, 37)]
        assert span.annotator == BOB
    finally:
        lead.close()
        bob.close()


# --- the catalog: every definer function pinned, members without TEMPORARY/CREATE -----------


def test_catalog_definer_functions_pin_search_path_and_members_hold_no_create(
    team: SecureTeam,
) -> None:
    with team.superuser() as su:
        rows = su.execute(
            "SELECT p.oid::regprocedure::text, p.proconfig FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        assert rows, "the change log trigger function is SECURITY DEFINER"
        for name, config in rows:
            paths = [c for c in (config or []) if c.startswith("search_path=")]
            assert len(paths) == 1, f"{name} pins no search_path"
            parts = [p.strip() for p in paths[0].split("=", 1)[1].split(",")]
            assert "$user" not in paths[0] and '"$user"' not in parts, name
            assert parts[0] == "pg_catalog" and parts[-1] == "pg_temp", (name, parts)
        # Every function of ours pins it, definer or not.
        unpinned = su.execute(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c "
            "WHERE c LIKE 'search_path=%pg_temp')"
        ).fetchall()
        assert unpinned == []
        schemas = [r[0] for r in su.execute("SELECT nspname FROM pg_namespace")]
        for role in (*MEMBERS, "annotator_users", "annotator_adjudicators", "annotator_leads"):
            for priv in ("TEMPORARY", "CREATE"):
                got = su.execute(
                    "SELECT has_database_privilege(%s, current_database(), %s)", (role, priv)
                ).fetchone()
                assert got == (False,), (role, priv)
            for nsp in schemas:
                got = su.execute(
                    "SELECT has_schema_privilege(%s, %s, 'CREATE')", (role, nsp)
                ).fetchone()
                assert got == (False,), (role, nsp)
            for table in ("spans", "document_status", "documents", "labels", "annotators"):
                for priv in ("UPDATE", "DELETE", "TRUNCATE"):
                    got = su.execute(
                        "SELECT has_table_privilege(%s, %s, %s)", (role, f"public.{table}", priv)
                    ).fetchone()
                    expected = role in (LENA, "annotator_leads") and priv != "TRUNCATE"
                    assert got == (expected,), (role, table, priv)


# --- forged notifications ------------------------------------------------------------------

FORGED = [
    "not json",
    "",
    "{",
    "[]",
    "null",
    '{"seq": "1; DROP TABLE spans"}',
    '{"seq": 99999999999999999999999999999}',
    '{"seq": 1.5, "document_id": "x"}',
    "[" * 3000 + "]" * 3000,
    "\u2028 odd \U0001f600 payload",
    "x" * 7000,
]


def test_forged_notifications_never_stop_or_steer_the_feed(
    team: SecureTeam, caplog: pytest.LogCaptureFixture
) -> None:
    bob = Workspace.open(team.url(BOB))
    carol = Workspace.open(team.url(CAROL))
    seen: list[Any] = []
    got = threading.Event()
    feed = bob.change_feed(interval=30.0)  # a long poll: only NOTIFY can wake it soon
    polls = 0
    real_poll = feed.poll

    def counting_poll() -> list[Any]:
        nonlocal polls
        polls += 1
        return real_poll()

    feed.poll = counting_poll  # type: ignore[method-assign]

    def on_changes(batch: list[Any]) -> None:
        seen.extend(batch)
        got.set()

    feed.subscribe(on_changes)
    try:
        with caplog.at_level("WARNING"):
            feed.start()
            deadline = time.monotonic() + 10
            while not feed.listening and time.monotonic() < deadline:
                time.sleep(0.05)
            assert feed.listening
            with team.connect(ALICE, autocommit=True) as conn:
                for payload in FORGED:
                    conn.execute("SELECT pg_notify('annotator_spans', %s)", (payload,))
                t0 = time.monotonic()
                for i in range(500):  # a flood
                    conn.execute("SELECT pg_notify('annotator_spans', %s)", (f"flood {i}",))
                flood = time.monotonic() - t0
            time.sleep(1.0)
            polls_during_flood = polls
            assert not seen  # nothing was delivered on the strength of a payload
            gold, _ = carol.annotations.add(
                team.doc, start=0, end=6, label="MILITARY", annotator=GOLD_ANNOTATOR
            )
            assert got.wait(10), "a real change after the forgeries was not delivered"
        assert [(c.span_id, c.kind.value) for c in seen] == [(gold.id, "insert")]
        assert feed._thread is not None and feed._thread.is_alive()
        # Polls are rate-limited: a flood of 500 does not mean 500 reads of the log.
        assert polls_during_flood <= 3 + (flood + 1.0) / feed._min_gap
        text = caplog.text
        assert "did not come from Annotator" in text
        assert text.count("did not come from Annotator") == 1
        for payload in ("not json", "DROP TABLE", "flood 1", "x" * 50):
            assert payload not in text
    finally:
        feed.stop()
        bob.close()
        carol.close()


def test_feed_survives_a_dropped_listen_connection_and_reconnects(team: SecureTeam) -> None:
    bob = Workspace.open(team.url(BOB))
    alice = Workspace.open(team.url(ALICE))
    got = threading.Event()
    seen: list[Any] = []
    feed = bob.change_feed(interval=0.3)
    feed.subscribe(lambda batch: (seen.extend(batch), got.set()))
    try:
        feed.start()
        deadline = time.monotonic() + 10
        while not feed.listening and time.monotonic() < deadline:
            time.sleep(0.05)
        with team.superuser() as su:  # the server drops every LISTEN connection of bob's
            su.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE usename = %s AND query ILIKE 'LISTEN%%'",
                (BOB,),
            )
        span, _ = alice.annotations.add(
            team.doc, start=7, end=14, label="MILITARY", annotator=ALICE
        )
        assert got.wait(15)
        assert span.id in {c.span_id for c in seen}
        deadline = time.monotonic() + 15
        while not feed.listening and time.monotonic() < deadline:
            time.sleep(0.1)
        assert feed.listening  # back on LISTEN after its back-off
    finally:
        feed.stop()
        bob.close()
        alice.close()


# --- adjudication on the server ---------------------------------------------------------


def _disagreement(team: SecureTeam) -> None:
    alice, bob = Workspace.open(team.url(ALICE)), Workspace.open(team.url(BOB))
    try:
        alice.annotations.add(team.doc, start=15, end=24, label="MILITARY", annotator=ALICE)
        bob.annotations.add(team.doc, start=15, end=24, label="ECONOMIC", annotator=BOB)
    finally:
        alice.close()
        bob.close()


@pytest.mark.parametrize("judge", [CAROL, LENA])
def test_adjudicators_and_leads_adjudicate_on_the_server(team: SecureTeam, judge: str) -> None:
    _disagreement(team)
    ws = Workspace.open(team.url(judge))
    try:
        view = ws.adjudication.view(team.doc, annotators=(ALICE, BOB))
        item = next(it for it in view.open_items if it.candidates[0].start == 15)
        res = ws.adjudication.accept(item, ALICE, decided_by=judge)
        gold = {(s.start, s.end, s.label) for s in ws.adjudication.gold(team.doc)}
        assert (15, 24, "MILITARY") in gold
        ws.adjudication.undo(res)
        gold = {(s.start, s.end, s.label) for s in ws.adjudication.gold(team.doc)}
        assert (15, 24, "MILITARY") not in gold
        res = ws.adjudication.reject_all(item, decided_by=judge)
        res = ws.adjudication.accept_all(item, decided_by=judge)
        ws.adjudication.merge_unanimous(annotators=(ALICE, BOB), decided_by=judge)
        with team.superuser() as su:
            decisions = su.execute(
                'SELECT start, "end", label, decided_by FROM public.adjudications'
            ).fetchall()
        assert (15, 24, "MILITARY", judge) in decisions
    finally:
        ws.close()


def test_plain_member_cannot_adjudicate(team: SecureTeam) -> None:
    _disagreement(team)
    before = team.snapshot()
    ws = Workspace.open(team.url(ALICE))
    try:
        view = ws.adjudication.view(team.doc, annotators=(ALICE, BOB))
        item = next(it for it in view.open_items if it.candidates[0].start == 15)
        with pytest.raises(PermissionDeniedError):
            ws.adjudication.accept(item, ALICE, decided_by=ALICE)
        with pytest.raises(PermissionDeniedError):
            ws.adjudication.reject_all(item, decided_by=ALICE)
    finally:
        ws.close()
    assert team.snapshot() == before


def test_member_deletes_own_span_through_the_app_and_not_others(team: SecureTeam) -> None:
    alice = Workspace.open(team.url(ALICE))
    try:
        with pytest.raises(PermissionDeniedError, match="only your own"):
            alice.annotations.delete(team.spans[BOB])
        with pytest.raises(PermissionDeniedError, match="only your own"):
            alice.annotations.update(team.spans[BOB], note="mine now")
        alice.annotations.delete(team.spans[ALICE])
    finally:
        alice.close()
    assert _spans_of(team, ALICE) == []
    assert len(_spans_of(team, BOB)) == 1


# --- add-user and reset-password never take over a role ----------------------------------


def _rolpassword(team: SecureTeam, role: str) -> Any:
    with team.superuser() as su:
        row = su.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,)).fetchone()
    return None if row is None else row[0]


def _member_of_users(team: SecureTeam, role: str) -> bool:
    with team.superuser() as su:
        got = su.execute("SELECT pg_has_role(%s, 'annotator_users', 'MEMBER')", (role,)).fetchone()
    return bool(got and got[0])


def test_add_user_refuses_the_owner_and_existing_roles(
    team: SecureTeam, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from annotator.cli import main
    from annotator.core.errors import AnnotatorError
    from annotator.services.team import TeamServerService

    admin = TeamServerService.connect(team.owner_url)
    with team.superuser() as su:
        su.execute("DROP ROLE IF EXISTS sec_outsider")
        su.execute("CREATE ROLE sec_outsider LOGIN PASSWORD 'outsider-Pass-1'")
    before = {r: _rolpassword(team, r) for r in (OWNER, BOB, "sec_outsider", "postgres")}

    with pytest.raises(AnnotatorError, match="owner"):
        admin.add_user(OWNER, "new-Owner-pass")
    with pytest.raises(AnnotatorError, match="owner"):
        admin.add_user(OWNER, None, existing_role=True)
    with pytest.raises(AnnotatorError, match=r"already exists.*--existing-role"):
        admin.add_user(BOB, "take-Over-9")
    with pytest.raises(AnnotatorError, match="already exists"):
        admin.add_user("sec_outsider", "take-Over-9")
    with pytest.raises(AnnotatorError, match="superuser"):
        admin.add_user("postgres", None, existing_role=True)
    with pytest.raises(AnnotatorError, match="no role"):
        admin.add_user("sec_nobody_here", None, existing_role=True)
    with pytest.raises(AnnotatorError, match="adjudicated layer"):
        admin.add_user("sec_nobody_here", "pw-Nobody-1", annotator=GOLD_ANNOTATOR)
    with pytest.raises(AnnotatorError, match="already belongs to role"):
        admin.add_user("sec_outsider", None, existing_role=True, annotator=BOB)
    assert not _member_of_users(team, "sec_outsider")

    # The CLI says the same, and exits 1.
    monkeypatch.setattr("sys.stdin", io.StringIO("new-Owner-pass\n"))
    assert main(["--db", team.owner_url, "server", "add-user", OWNER, "--password-stdin"]) == 1
    assert "owner" in capsys.readouterr().err
    assert {r: _rolpassword(team, r) for r in before} == before

    # --existing-role: membership, never the password.
    assert (
        main(["--db", team.owner_url, "server", "add-user", "sec_outsider", "--existing-role"]) == 0
    )
    assert _member_of_users(team, "sec_outsider")
    assert _rolpassword(team, "sec_outsider") == before["sec_outsider"]
    with psycopg.connect(
        host="127.0.0.1",
        port=team.server.port,
        user="sec_outsider",
        password="outsider-Pass-1",
        dbname=team.dbname,
    ) as conn:
        assert conn.execute("SELECT count(*) FROM public.spans").fetchone() == (3,)
    # The owner can still log in with the password it had.
    with team.connect(OWNER) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (OWNER,)


def test_reset_password_is_for_members_only(
    team: SecureTeam, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from annotator.cli import main
    from annotator.core.errors import AnnotatorError
    from annotator.services.team import TeamServerService

    admin = TeamServerService.connect(team.owner_url)
    with team.superuser() as su:
        su.execute("DROP ROLE IF EXISTS sec_dora")
        su.execute("DROP ROLE IF EXISTS sec_stranger")
        su.execute("CREATE ROLE sec_stranger LOGIN PASSWORD 'stranger-Pass-1'")
    admin.add_user("sec_dora", "dora-Old-pass1")
    stranger = _rolpassword(team, "sec_stranger")
    owner = _rolpassword(team, OWNER)
    with pytest.raises(AnnotatorError, match="owner"):
        admin.reset_password(OWNER, "x-New-pass")
    with pytest.raises(AnnotatorError, match="not a member"):
        admin.reset_password("sec_stranger", "x-New-pass")
    with pytest.raises(AnnotatorError, match="not a member"):
        admin.reset_password("postgres", "x-New-pass")
    assert _rolpassword(team, "sec_stranger") == stranger and _rolpassword(team, OWNER) == owner

    secret = "dora-New-pass2"
    monkeypatch.setattr("sys.stdin", io.StringIO(secret + "\n"))
    assert (
        main(["--db", team.owner_url, "server", "reset-password", "sec_dora", "--password-stdin"])
        == 0
    )
    out = capsys.readouterr()
    assert secret not in out.out + out.err
    with psycopg.connect(
        host="127.0.0.1",
        port=team.server.port,
        user="sec_dora",
        password=secret,
        dbname=team.dbname,
    ) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("sec_dora",)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(
            host="127.0.0.1",
            port=team.server.port,
            user="sec_dora",
            password="dora-Old-pass1",
            dbname=team.dbname,
        )


def test_member_opens_the_server_even_where_the_import_journal_is_not_granted(
    team: SecureTeam,
) -> None:
    """Opening looks for unfinished imports to take back; a member who may not read the
    journal (an owner who upgraded without re-running ``server init``) still gets in."""
    from annotator.app import open_workspace

    with team.superuser() as su:
        su.execute("REVOKE SELECT ON public.import_journal FROM annotator_users")
    ws = open_workspace(team.url(ALICE))
    try:
        assert [d.id for d in ws.documents.list()] == [team.doc]
    finally:
        ws.close()
