"""Blind mode on the team server: what row-level security costs a member's read.

    python benchmarks/bench_blind.py            # 40 documents x 3 annotators x 800 spans
    python benchmarks/bench_blind.py --quick    # x 100 spans

A throwaway PostgreSQL (tests/pg.py) with the study team of the tests (tests/study_server.py:
alice, bob and dave annotate, lena leads, 40 documents, 25% overlap, blind mode on). The
owner fills the span table; then, each the median of five runs, the same queries as
``SELECT count(*) FROM spans`` and a full read of every span's columns are timed

* as the lead (policies let every row through: the baseline),
* as alice, with the shipped policy (the hidden documents are a set asked once per query),
* as alice, with the same rule as a definer function called for each row (the obvious
  way, and this branch's first version; installed by the owner for the measurement and
  taken away after it; one run, not five).

Printed as seconds and as ratios to the lead's time in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

QUERIES = {
    "count": "SELECT count(*) FROM public.spans",
    "read": 'SELECT document_id, annotator_id, label_id, "start", "end", note FROM public.spans',
}

PER_ROW = """
CREATE OR REPLACE FUNCTION public.bench_blind_hidden(doc bigint, ann bigint)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM public.assignments x WHERE x.document_id = doc AND x.overlap)
    AND COALESCE(
          (SELECT p.value = 'on' FROM public.project_settings p WHERE p.key = 'blind'), true)
    AND NOT pg_catalog.pg_has_role(session_user, 'annotator_adjudicators', 'MEMBER')
    AND NOT EXISTS (SELECT 1 FROM public.annotators a
                    WHERE a.id = ann AND (a.role_name = session_user OR a.name = 'gold'))
    AND NOT EXISTS (SELECT 1 FROM public.document_status ds
                    JOIN public.annotators me ON me.id = ds.annotator_id
                    WHERE ds.document_id = doc AND me.role_name = session_user
                      AND ds.status = 'done')
$$;
GRANT EXECUTE ON FUNCTION public.bench_blind_hidden(bigint, bigint) TO annotator_users;
DROP POLICY spans_read ON public.spans;
CREATE POLICY spans_read ON public.spans FOR SELECT TO annotator_users
  USING (NOT public.bench_blind_hidden(document_id, annotator_id));
"""


def _time(conn: Any, sql: str, runs: int = 5) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        rows = len(conn.execute(sql).fetchall())
        times.append(time.perf_counter() - t0)
    return statistics.median(times), rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100 spans per document and annotator")
    args = ap.parse_args()
    per = 100 if args.quick else 800

    from pg import TempPostgres
    from sqlalchemy import text
    from study_server import make_study_team
    from team_server import ALICE, LENA

    from annotator.services.team import TeamServerService
    from annotator.storage import open_database

    server = TempPostgres().start()
    try:
        team = make_study_team(server)
        owner = open_database(team.owner_url)
        owner.write(
            lambda s: s.execute(
                text(
                    'INSERT INTO spans (document_id, annotator_id, label_id, "start", "end", '
                    "note, origin, decided_by, created_at, updated_at) "
                    "SELECT d.id, a.id, 1, g, g + 1, '', 'manual', '', now(), now() "
                    "FROM documents d, annotators a, generate_series(0, :n - 1) g "
                    "WHERE a.name IN ('sec_alice', 'sec_bob', 'sec_dave')"
                ),
                {"n": per},
            )
        )
        owner.dispose()
        results: dict[str, dict[str, tuple[float, int]]] = {}
        for who, role in (("lead", LENA), ("member, shipped policy", ALICE)):
            with team.connect(role) as conn:
                results[who] = {q: _time(conn, sql) for q, sql in QUERIES.items()}
        with team.superuser() as su:
            su.execute(PER_ROW)  # type: ignore[arg-type]
        with team.connect(ALICE) as conn:
            results["member, per-row function"] = {
                q: _time(conn, sql, runs=1) for q, sql in QUERIES.items()
            }
        TeamServerService.connect(team.owner_url).init()  # the shipped policies back
        with team.superuser() as su:
            su.execute("DROP FUNCTION public.bench_blind_hidden(bigint, bigint)")
    finally:
        server.stop()

    total = 40 * 3 * per
    print(f"blind mode read cost: {total:,} spans, 10 of 40 documents in the overlap set")
    print(f"{'who':<28} {'query':<6} {'rows':>8} {'seconds':>9} {'x lead':>8}")
    for who, by_query in results.items():
        for q, (secs, rows) in by_query.items():
            base = results["lead"][q][0]
            print(f"{who:<28} {q:<6} {rows:>8} {secs:>9.4f} {secs / base:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
