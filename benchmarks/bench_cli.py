"""The command line as a script step: what a call costs on a small and a 300 MB database.

    python benchmarks/bench_cli.py             # 300 MB database (generated once, kept)
    python benchmarks/bench_cli.py --quick     # 1/20 size, fewer runs

In one run, each a median of ``--runs`` fresh processes:

1. The floor: ``python -c "import sqlalchemy"``.
2. ``annotator labels list``, ``annotator stats --json`` and ``annotator export`` (JSONL)
   on the demo database (the five shipped articles) and on a generated one of 8,000
   documents and 800,000 spans (about 300 MB; written once into benchmarks/.out, which
   git ignores, and reused while its size matches).
3. One 5 MB document with 50,000 spans imported from the command line into an empty
   project, against the same import inside a running process (``import_paths`` timed
   alone, after the workspace is open). Both projects are created (schema written)
   before the clock starts.

Targets (issue 26): each command on the 300 MB database within 1.3x the same command on
the demo one; ``labels list`` on the demo within 2x the floor; the command-line import
within 1.3x the in-process one. ``export`` of every document writes every text, so its
time grows with the data by nature: it is reported as throughput (MB written a second on
each file). ``export --document`` of the same number of documents (5, spread over the
file) is the script step that must not grow with the file: big/demo against 1.3x.

The annotator package is byte-compiled first (as an installed one is), so no run pays
for compiling it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / ".out"
LABELS = ("MILITARY", "DIPLOMATIC", "ECONOMIC")
WORDS = (  # noqa: SIM905 - a word list reads better as prose
    "troops front line artillery drones ceasefire talks envoy summit sanctions budget "
    "energy grain exports pipeline brigade offensive defence ministry parliament vote "
    "negotiations alliance treaty aid package inflation currency reserves refinery port"
).split()


CODE = REPO
"""Whose annotator package the commands run (``--code``: another checkout, for a before/after)."""


def env() -> dict[str, str]:
    e = {**os.environ, "PYTHONPATH": str(CODE), "ANNOTATOR_DATA_DIR": str(OUT / "home")}
    e.pop("ANNOTATOR_DB", None)
    return e


def children_cpu() -> float:
    got = resource.getrusage(resource.RUSAGE_CHILDREN)
    return got.ru_utime + got.ru_stime


def run_once(cmd: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one fresh process. The commands run in
    benchmarks/.out, not the checkout: ``python -m`` puts the working directory first
    on the path, which would make ``--code`` run this checkout's package."""
    cpu, t = children_cpu(), time.perf_counter()
    subprocess.run(cmd, check=True, env=env(), cwd=OUT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t, children_cpu() - cpu


def timed_together(cmds: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU time of ``runs`` fresh processes of each command, run
    round-robin (one of each per round, after a warm-up round) so that every command and
    the floor see the same load on a shared machine. The CPU time is the steadier figure
    when other work shares the cores (waiting for a core is not counted)."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for i in range(runs + 1):
        for name, cmd in cmds.items():
            took = run_once(cmd)
            if i:  # the first round warms the page cache
                times[name].append(took)
    return {
        name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
        for name, t in times.items()
    }


def some_documents(db: Path, n: int = 5) -> str:
    """``n`` documents spread over the file, by the ids exports write (comma-separated)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT id, external_id FROM documents ORDER BY id").fetchall()
    finally:
        con.close()
    picked = [rows[round(k * (len(rows) - 1) / max(1, n - 1))] for k in range(n)]
    return ",".join(ext or str(i) for i, ext in picked)


def annotator(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "annotator", "--db", f"sqlite:///{db}", *args]


def text_of(rng: random.Random, chars: int) -> str:
    words: list[str] = []
    n = 0
    while n < chars:
        w = rng.choice(WORDS)
        words.append(w)
        n += len(w) + 1
    return " ".join(words)[:chars]


def make_demo() -> Path:
    db = OUT / "demo.sqlite3"
    for p in OUT.glob("demo.sqlite3*"):
        p.unlink()
    subprocess.run(
        annotator(db, "import", str(REPO / "corpus")),
        check=True,
        env=env(),
        cwd=OUT,
        stdout=subprocess.DEVNULL,
    )
    return db


def make_big(docs: int, spans_per_doc: int, chars: int) -> Path:
    """The big database, generated once through the importer and kept."""
    db = OUT / f"cli-{docs}x{spans_per_doc}.sqlite3"
    stamp = OUT / f"{db.name}.done"
    if db.exists() and stamp.exists():
        return db
    for p in OUT.glob(f"{db.name}*"):
        p.unlink()
    rng = random.Random(26)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        per_file = 100
        for f in range(0, docs, per_file):
            lines = []
            for d in range(f, min(f + per_file, docs)):
                text = f"Document {d}. " + text_of(rng, chars)
                stride = max(1, (len(text) - 30) // spans_per_doc)
                sp = [
                    {
                        "start": i * stride,
                        "end": i * stride + rng.randint(3, 20),
                        "label": LABELS[i % 3],
                        "annotator": ("ann", "bob", "cho")[(i // 3) % 3],
                    }
                    for i in range(spans_per_doc)
                ]
                lines.append(json.dumps({"id": f"d{d}", "text": text, "spans": sp}))
            (folder / f"part{f // per_file:05d}.jsonl").write_text("\n".join(lines) + "\n")
        t = time.perf_counter()
        subprocess.run(
            annotator(db, "import", str(folder)),
            check=True,
            env=env(),
            cwd=OUT,
            stdout=subprocess.DEVNULL,
        )
        print(f"generated {db.name} in {time.perf_counter() - t:.0f} s", flush=True)
    stamp.write_text("ok")
    return db


LONG_IN_PROCESS = r"""
import sys, time
from pathlib import Path
from annotator.app import open_workspace
ws = open_workspace(f"sqlite:///{sys.argv[1]}")
t, cpu = time.perf_counter(), time.process_time()
report = ws.importer.import_paths([Path(sys.argv[2])])
took, cpu = time.perf_counter() - t, time.process_time() - cpu
assert not report.errors, report.summary()
print(took, cpu)
ws.close()
"""


def long_document(path: Path, chars: int, spans: int) -> None:
    rng = random.Random(7)
    text = text_of(rng, chars)
    stride = (len(text) - 20) // spans
    sp = [
        {"start": i * stride, "end": i * stride + 10, "label": LABELS[i % 3], "annotator": "ann"}
        for i in range(spans)
    ]
    path.write_text(json.dumps({"id": "long", "text": text, "spans": sp}) + "\n")


def import_ratio(chars: int, spans: int, runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of the import from the command line ("cli") and inside
    a running process ("proc")."""
    src = OUT / f"long-{chars}-{spans}.jsonl"
    if not src.exists():
        long_document(src, chars, spans)
    times: dict[str, list[tuple[float, float]]] = {"cli": [], "proc": []}
    for i in range(runs + 1):
        for label in ("cli", "proc"):
            db = OUT / f"import-{label}.sqlite3"
            for p in OUT.glob(f"{db.name}*"):
                p.unlink()
            # Both import into an existing empty project: the schema's creation (Alembic)
            # is a one-off of a new file, not part of an import.
            subprocess.run(
                annotator(db, "labels", "list"),
                check=True,
                env=env(),
                cwd=OUT,
                stdout=subprocess.DEVNULL,
            )
            if label == "cli":
                took = run_once(annotator(db, "import", str(src)))
            else:
                done = subprocess.run(
                    [sys.executable, "-c", LONG_IN_PROCESS, str(db), str(src)],
                    check=True,
                    env=env(),
                    cwd=OUT,
                    capture_output=True,
                    text=True,
                )
                wall, cpu = done.stdout.strip().splitlines()[-1].split()
                took = (float(wall), float(cpu))
            if i:
                times[label].append(took)
    return {
        k: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
        for k, t in times.items()
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1/20 of the size, 3 runs")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument(
        "--code", type=Path, help="run the commands with this checkout's package (before/after)"
    )
    ap.add_argument("--no-export", action="store_true", help="skip export (it grows with the data)")
    ap.add_argument("--no-import", action="store_true", help="skip the long-document import")
    ap.add_argument(
        "--no-select",
        action="store_true",
        help="skip export --document (a --code package from before it existed)",
    )
    args = ap.parse_args()
    global CODE
    if args.code is not None:
        CODE = args.code.resolve()
        print(f"commands run the package in {CODE}")
    runs = args.runs or (3 if args.quick else 7)
    docs, spans, chars = (400, 100, 25_000) if args.quick else (8_000, 100, 25_000)
    OUT.mkdir(exist_ok=True)
    shutil.rmtree(OUT / "home", ignore_errors=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(CODE / "annotator")], check=True)

    demo = make_demo()
    big = make_big(docs, spans, chars)
    print(f"demo database: {demo.stat().st_size / 1e6:.1f} MB")
    print(
        f"big database:  {big.stat().st_size / 1e6:.1f} MB ({docs} documents, {docs * spans} spans)"
    )
    picked = {"demo": some_documents(demo), "big": some_documents(big)}
    commands: dict[str, dict[str, list[str]]] = {
        "labels list": {db: ["labels", "list"] for db in ("demo", "big")},
        "stats --json": {db: ["stats", "--json"] for db in ("demo", "big")},
        "export 5 docs": {
            db: ["export", "--document", picked[db], "-o", str(OUT / f"export-5-{db}.jsonl")]
            for db in ("demo", "big")
        },
        "export jsonl": {
            db: ["export", "-o", str(OUT / f"export-{db}.jsonl")] for db in ("demo", "big")
        },
    }
    if args.no_export:
        del commands["export jsonl"]
    if args.no_select:
        del commands["export 5 docs"]
    cmds = {"floor": [sys.executable, "-c", "import sqlalchemy"]}
    files = {"demo": demo, "big": big}
    for name, argv in commands.items():
        for db in ("demo", "big"):
            cmds[f"{name} {db}"] = annotator(files[db], *argv[db])
    load_before = os.getloadavg()
    got = timed_together(cmds, runs)
    floor, floor_cpu = got["floor"]
    print(
        f"\nfloor `python -c 'import sqlalchemy'`: {floor:.3f} s, CPU {floor_cpu:.3f} s "
        f"(median of {runs})\n"
    )
    print(
        f"{'command':<16} {'demo s':>8} {'big s':>8} {'big/demo':>9} {'demo/floor':>11}"
        f"   CPU: {'demo s':>7} {'big s':>7} {'big/demo':>9} {'demo/floor':>11}"
    )
    ok = True
    results = {}
    for name in commands:
        (small, small_cpu), (large, large_cpu) = got[f"{name} demo"], got[f"{name} big"]
        results[name] = (small, large)
        print(
            f"{name:<16} {small:>8.3f} {large:>8.3f} {large / small:>8.2f}x {small / floor:>10.2f}x"
            f"        {small_cpu:>7.3f} {large_cpu:>7.3f} {large_cpu / small_cpu:>8.2f}x "
            f"{small_cpu / floor_cpu:>10.2f}x"
        )
    if "export jsonl" in results:
        (small, large) = results["export jsonl"]
        written = {db: (OUT / f"export-{db}.jsonl").stat().st_size / 1e6 for db in files}
        print(
            f"export of every document, throughput: demo {written['demo']:.3f} MB in "
            f"{small:.3f} s ({written['demo'] / small:.2f} MB/s), big {written['big']:.1f} MB "
            f"in {large:.3f} s ({written['big'] / large:.1f} MB/s)"
        )
    labels_small, labels_large = results["labels list"]
    stats_small, stats_large = results["stats --json"]
    ok &= labels_large <= 1.3 * labels_small and stats_large <= 1.3 * stats_small
    if "export 5 docs" in results:
        some_small, some_large = results["export 5 docs"]
        ok &= some_large <= 1.3 * some_small
    ok &= labels_small <= 2.0 * floor
    if not args.no_import:
        got_import = import_ratio(5_000_000, 50_000, max(1, runs // 2))
        (cli, cli_cpu), (proc, proc_cpu) = got_import["cli"], got_import["proc"]
        print(
            f"\none 5 MB document, 50,000 spans: command line {cli:.3f} s, in a running "
            f"process {proc:.3f} s: {cli / proc:.2f}x (CPU {cli_cpu:.3f} s / {proc_cpu:.3f} s: "
            f"{cli_cpu / proc_cpu:.2f}x)"
        )
        ok &= cli <= 1.3 * proc
    print(
        f"\nload average (1, 5, 15 min) before the commands: "
        f"{', '.join(f'{x:.1f}' for x in load_before)}; after: "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
    )
    print(
        "targets (wall): labels list, stats and export 5 docs big/demo <= 1.3x; "
        "labels list demo/floor <= 2x; "
        f"import <= 1.3x: {'met' if ok else 'NOT all met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
