"""Tags per second with N concurrent writer processes, on PostgreSQL and on SQLite.

    python benchmarks/bench_concurrency.py            # 8 writers x 500 tags, both backends
    python benchmarks/bench_concurrency.py --quick    # 8 writers x 100 tags
    python benchmarks/bench_concurrency.py --pg-url postgresql+psycopg://me@host/scratch
    python benchmarks/bench_concurrency.py --members 50            # a team under attack

Each writer is a process (spawn) with its own Workspace, as a desktop would be, calling
``AnnotationService.add`` once per tag: one committed transaction each (span + document
status). Writers start together on a barrier; the clock runs from the barrier to the last
commit. Without ``--pg-url`` a throwaway PostgreSQL is started on a loopback port
(tests/pg.py: fsync off, as in the tests; pass --pg-url for a real server's numbers).
SQLite runs as the app does: WAL, synchronous=FULL, BEGIN IMMEDIATE.

``--members N`` measures a team server instead (issue 23): N member processes, each with
its own login (a role made by ``server add-user``) and its own change feed (LISTEN plus
polling, as the comparison window runs it), tag at a human pace (one tag every 1-3 s)
for ``--seconds``; then the same again while one more member attacks the server from her
own login as psql would: a 20,000-row insert rolled back every second (burnt ids, gaps
in the change log), every connection her login may hold, and NOTIFYs in a loop (8 KB of
junk and forged change numbers in turn) while a LISTENing session of hers sits in an open
transaction. Reported per phase: tag
latency p50/p99 (the member's ``AnnotationService.add`` call) and feed delay p50/p99
(from one member's commit to another member's feed delivering it).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

WORDS = 2000


def _writer(
    url: str, worker: int, tags: int, doc: int, barrier: Any
) -> tuple[float, float, list[float]]:
    from annotator.services import Workspace

    ws = Workspace.open(url)
    ws.annotations.spans(doc)  # connect before the clock starts
    barrier.wait()
    start = time.perf_counter()
    lat: list[float] = []
    for i in range(tags):
        t0 = time.perf_counter()
        pos = (i * 7 + worker) % (WORDS * 5 - 10)
        ws.annotations.add(doc, start=pos, end=pos + 4, label="MILITARY", annotator=f"ann{worker}")
        lat.append(time.perf_counter() - t0)
    end = time.perf_counter()
    ws.close()
    return start, end, lat


def run(url: str, writers: int, tags: int) -> dict[str, float]:
    from annotator.core.model import Document
    from annotator.core.text import content_hash
    from annotator.storage import open_database, repo

    text = " ".join(f"w{i:03d}" for i in range(WORDS))
    db = open_database(url)
    doc = db.write(
        lambda s: repo.add_document(s, Document(text=text, content_hash=content_hash(text)))
    )
    db.dispose()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as mgr:
        barrier = mgr.Barrier(writers)
        with ctx.Pool(writers) as pool:
            results = pool.starmap(_writer, [(url, w, tags, doc, barrier) for w in range(writers)])
    db = open_database(url)
    stored = len(db.read(lambda s: repo.list_spans(s, doc)))
    db.dispose()
    assert stored == writers * tags, (stored, writers * tags)
    wall = max(r[1] for r in results) - min(r[0] for r in results)
    lat = sorted(x for r in results for x in r[2])
    return {
        "tags": float(writers * tags),
        "seconds": wall,
        "tags_per_s": writers * tags / wall,
        "p50_ms": statistics.median(lat) * 1000,
        "p99_ms": lat[int(len(lat) * 0.99) - 1] * 1000,
    }


# --- a team server under attack ------------------------------------------------------


def _member(
    url: str, me: str, doc: int, seconds: float, seed: int, start_at: float, out: Any
) -> None:
    import random as rnd

    from annotator.services import Workspace
    from annotator.services.live import ChangeFeed

    rng = rnd.Random(seed)
    ws = Workspace.open(url)
    seen: dict[int, float] = {}
    feed = ChangeFeed(ws.db, interval=1.0, listen=True)
    feed.subscribe(lambda batch: seen.update({ch.span_id: time.time() for ch in batch}))
    feed.start()
    mine: list[tuple[int, float, float]] = []  # span id, committed at, latency
    while time.time() < start_at:
        time.sleep(0.05)
    end = time.time() + seconds
    n = 0
    errors = 0
    while time.time() < end:
        time.sleep(rng.uniform(1.0, 3.0))
        pos = (seed * 9973 + n * 7) % (WORDS * 5 - 10)
        n += 1
        t0 = time.perf_counter()
        try:
            span, _ = ws.annotations.add(
                doc, start=pos, end=pos + 4, label="MILITARY", annotator=me
            )
        except Exception:
            errors += 1
            continue
        mine.append((span.id, time.time(), time.perf_counter() - t0))
    time.sleep(6.0)  # let the last changes of the others arrive
    feed.stop()
    ws.close()
    out.put((me, mine, seen, errors))


def _attacker(
    dsn: dict[str, Any], doc: int, ann: int, seconds: float, start_at: float, out: Any
) -> None:
    import psycopg

    while time.time() < start_at:
        time.sleep(0.05)
    end = time.time() + seconds
    held = []
    try:  # every slot her login may hold, minus the three used below
        for _ in range(100):
            held.append(psycopg.connect(**dsn))
    except psycopg.Error:
        pass
    for c in held[:3]:
        c.close()
    held = held[3:]
    listener = psycopg.connect(**dsn, autocommit=True)
    listener.execute("LISTEN anything")
    listener.execute("BEGIN")
    listener.execute("SELECT 1")
    flood = psycopg.connect(**dsn, autocommit=True)
    burn = psycopg.connect(**dsn)
    # Foreign 8 KB payloads and forged change numbers (the trigger's own shape), in turn.
    payloads = ["x" * 7900, '{"seq": 9000000000000000}']
    burnt = notified = 0
    while time.time() < end:
        try:
            burn.execute(
                'INSERT INTO public.spans (document_id, annotator_id, label_id, "start", "end", '
                "note, origin, decided_by, created_at, updated_at) SELECT %s, %s, l.id, 0, "
                "100000 + g, '', 'manual', '', now(), now() FROM generate_series(1, 20000) g, "
                "public.labels l WHERE l.name = 'MILITARY'",
                (doc, ann),
            )
            burnt += 20000
        except psycopg.Error:
            pass
        burn.rollback()
        t = time.time() + 1.0
        while time.time() < t:
            try:
                flood.execute("SELECT pg_notify('annotator_spans', %s)", (payloads[notified % 2],))
                notified += 1
            except psycopg.Error:
                break
    usage = flood.execute("SELECT pg_notification_queue_usage()").fetchone()
    for c in [*held, listener, flood, burn]:
        c.close()
    out.put(("attacker", len(held) + 3, burnt, notified, usage[0] if usage else 0.0))


def run_team(members: int, seconds: float, attack: bool, server: Any) -> dict[str, float]:
    import queue as q

    sys.path.insert(0, str(REPO / "tests"))
    from team_server import _ensure_role, password

    from annotator.core.model import Document
    from annotator.core.text import content_hash
    from annotator.services.team import TeamServerService
    from annotator.storage import open_database, repo

    owner = "bench_owner"
    _ensure_role(server, owner, owner=True)
    dbname = f"bench_{next(server._names)}"
    server.execute(f'CREATE DATABASE "{dbname}" OWNER {owner} TEMPLATE template0')
    owner_url = server.user_url(owner, password(owner), dbname)
    admin = TeamServerService.connect(owner_url)
    admin.init()
    names = [f"bench_m{i:02d}" for i in range(members)] + ["bench_mallory"]
    for name in names:
        exists = _ensure_role(server, name)
        admin.add_user(name, None if exists else password(name), existing_role=exists)
    db = open_database(owner_url)
    text = " ".join(f"w{i:03d}" for i in range(WORDS))
    doc = db.write(
        lambda s: repo.add_document(s, Document(text=text, content_hash=content_hash(text)))
    )
    mallory = db.read(lambda s: repo.annotator_id(s, "bench_mallory"))
    db.dispose()
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + 20 + members * 0.3  # every process connected first
    procs = [
        ctx.Process(
            target=_member,
            args=(server.user_url(n, password(n), dbname), n, doc, seconds, i, start_at, out),
        )
        for i, n in enumerate(names[:-1])
    ]
    if attack:
        dsn = {
            "host": "127.0.0.1",
            "port": server.port,
            "user": "bench_mallory",
            "password": password("bench_mallory"),
            "dbname": dbname,
        }
        procs.append(
            ctx.Process(target=_attacker, args=(dsn, doc, mallory, seconds, start_at, out))
        )
    for p in procs:
        p.start()
    results = []
    attack_report: tuple[Any, ...] = ()
    for _ in range(members + (1 if attack else 0)):
        try:
            got = out.get(timeout=seconds + 120)
        except q.Empty:
            break
        if got[0] == "attacker":
            attack_report = got
        else:
            results.append(got)
    if attack:
        print(
            f"attacker: held {attack_report[1]} connections, burnt {attack_report[2]:,} ids in "
            f"rolled-back inserts, sent {attack_report[3]:,} notifications (queue usage "
            f"{attack_report[4]:.4f})"
            if attack_report
            else "attacker: no report (it failed)"
        )
    for p in procs:
        p.join(30)
        if p.is_alive():
            p.terminate()
    server.drop_database(dbname)
    lat = sorted(x[2] for _, mine, _, _ in results for x in mine)
    committed = {sid: (who, at) for who, mine, _, _ in results for sid, at, _ in mine}
    delays = sorted(
        seen_at - committed[sid][1]
        for who, _, seen, _ in results
        for sid, seen_at in seen.items()
        if sid in committed and committed[sid][0] != who
    )
    missed = sum(
        1
        for who, _, seen, _ in results
        for sid, (author, _) in committed.items()
        if author != who and sid not in seen
    )

    def pct(xs: list[float], p: float) -> float:
        return xs[max(0, int(len(xs) * p) - 1)] if xs else float("nan")

    return {
        "members": float(len(results)),
        "tags": float(len(lat)),
        "errors": float(sum(r[3] for r in results)),
        "tag_p50_ms": pct(lat, 0.5) * 1000,
        "tag_p99_ms": pct(lat, 0.99) * 1000,
        "feed_p50_s": pct(delays, 0.5),
        "feed_p99_s": pct(delays, 0.99),
        "feed_missed": float(missed),
    }


def main_team(members: int, seconds: float) -> int:
    from pg import TempPostgres

    server = TempPostgres().start()
    try:
        rows = [
            ("no attacker", run_team(members, seconds, False, server)),
            ("one member attacking", run_team(members, seconds, True, server)),
        ]
    finally:
        server.stop()
    print(f"{members} members, each with its own login and change feed, {seconds:.0f} s per phase")
    print(
        f"{'phase':<22} {'members':>7} {'tags':>6} {'errors':>6} {'tag p50 ms':>10} "
        f"{'tag p99 ms':>10} {'feed p50 s':>10} {'feed p99 s':>10} {'missed':>6}"
    )
    for name, r in rows:
        print(
            f"{name:<22} {int(r['members']):>7} {int(r['tags']):>6} {int(r['errors']):>6} "
            f"{r['tag_p50_ms']:>10.1f} {r['tag_p99_ms']:>10.1f} {r['feed_p50_s']:>10.2f} "
            f"{r['feed_p99_s']:>10.2f} {int(r['feed_missed']):>6}"
        )
    worst = rows[1][1]
    ok = worst["tag_p99_ms"] <= 100 and worst["feed_p99_s"] <= 2.0 and not worst["errors"]
    print(
        f"targets under attack (p99 tag <= 100 ms, feed p99 <= 2 s, no failed tag): "
        f"{'met' if ok else 'MISSED'}"
    )
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="100 tags per writer instead of 500")
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--tags", type=int, help="tags per writer")
    ap.add_argument(
        "--pg-url", help="an empty PostgreSQL database to use instead of a throwaway one"
    )
    ap.add_argument("--skip-pg", action="store_true")
    ap.add_argument(
        "--members", type=int, help="team-server mode: this many member processes (issue 23)"
    )
    ap.add_argument("--seconds", type=float, default=120.0, help="team mode: seconds per phase")
    args = ap.parse_args()
    if args.members:
        return main_team(args.members, args.seconds)
    tags = args.tags or (100 if args.quick else 500)

    rows: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(
            (
                "SQLite (WAL, FULL sync)",
                run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.writers, tags),
            )
        )
    if not args.skip_pg:
        if args.pg_url:
            rows.append(("PostgreSQL (given)", run(args.pg_url, args.writers, tags)))
        else:
            from pg import TempPostgres

            server = TempPostgres().start()
            try:
                _, url = server.new_database()
                rows.append(("PostgreSQL 15 (loopback, fsync off)", run(url, args.writers, tags)))
            finally:
                server.stop()

    print(f"{args.writers} writer processes x {tags} tags, one transaction per tag")
    print(f"{'backend':<36} {'tags':>6} {'seconds':>8} {'tags/s':>8} {'p50 ms':>7} {'p99 ms':>7}")
    for name, r in rows:
        print(
            f"{name:<36} {int(r['tags']):>6} {r['seconds']:>8.2f} {r['tags_per_s']:>8.0f} "
            f"{r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
