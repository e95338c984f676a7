"""Tags per second with N concurrent writer processes, on PostgreSQL and on SQLite.

    python benchmarks/bench_concurrency.py            # 8 writers x 500 tags, both backends
    python benchmarks/bench_concurrency.py --quick    # 8 writers x 100 tags
    python benchmarks/bench_concurrency.py --pg-url postgresql+psycopg://me@host/scratch

Each writer is a process (spawn) with its own Workspace, as a desktop would be, calling
``AnnotationService.add`` once per tag: one committed transaction each (span + document
status). Writers start together on a barrier; the clock runs from the barrier to the last
commit. Without ``--pg-url`` a throwaway PostgreSQL is started on a loopback port
(tests/pg.py: fsync off, as in the tests; pass --pg-url for a real server's numbers).
SQLite runs as the app does: WAL, synchronous=FULL, BEGIN IMMEDIATE.
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
    args = ap.parse_args()
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
