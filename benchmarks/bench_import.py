"""Import benchmark: ImportService against a bare sqlite3 executemany of the same rows,
and the waits of a teammate tagging every 50 ms during the import.

    python benchmarks/bench_import.py            # 10,000 documents / 1,000,000 spans
    python benchmarks/bench_import.py --quick    # 1/10 of that

1. Generates the corpus as native JSONL (10 documents a file, 100 spans a document).
2. Times, alternately and ``--repeat`` times each, ImportService.import_paths in a
   child process (parse, validate, write in short transactions) and a bare
   ``executemany`` of the already parsed rows into a fresh copy of the same schema in
   one transaction (bench_scale.baseline). The best run of each is compared, so a
   burst of load from other processes does not decide the ratio. Speed = executemany
   seconds / import seconds; the goal is >= 0.25.
3. The import's write transactions are counted and timed (the lock is held only
   inside them and released between them).
4. One more import runs while a second process tags every 50 ms on the same file
   (tests/robustness/driver.py tag-timed); its worst and 99th-percentile tag waits and
   failures are reported.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_scale  # noqa: E402

DRIVER = HERE.parent / "tests" / "robustness" / "driver.py"


class _LockTimes(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.times: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "held the write lock" in record.msg:
            self.times.append(float(record.args[1]))  # type: ignore[index]


def child_import(url: str, folder: str) -> dict[str, object]:
    from annotator.services import Workspace

    handler = _LockTimes()
    log = logging.getLogger("annotator.services.import_write")
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)
    ws = Workspace.open(url)
    t = time.perf_counter()
    report = ws.importer.import_paths([Path(folder)])
    secs = time.perf_counter() - t
    assert not report.errors, report.errors[:3]
    ws.close()
    return {
        "seconds": secs,
        "documents": report.documents_added,
        "spans": report.spans_added,
        "transactions": len(handler.times),
        "lock_max_s": max(handler.times),
        "lock_median_s": statistics.median(handler.times),
    }


def run_child(*args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def with_tagger(root: Path, corpus: Path) -> dict[str, object]:
    from annotator.services import Workspace

    url = f"sqlite:///{root / 'tagged.sqlite3'}"
    seed = root / "seed.jsonl"
    seed.write_text(json.dumps({"id": "seed", "text": "x " * 5000}) + "\n", encoding="utf-8")
    ws = Workspace.open(url)
    assert not ws.importer.import_paths([seed]).errors
    (doc,) = ws.documents.list()
    ws.close()
    stop = root / "stop"
    tagger = subprocess.Popen(
        [sys.executable, str(DRIVER), "tag-timed", url, str(doc.id), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert tagger.stdout is not None and tagger.stdout.readline().strip() == "ready"
    imp = run_child("import", url, str(corpus))
    stop.touch()
    out, _ = tagger.communicate(timeout=120)
    tags = json.loads(out.strip().splitlines()[-1])
    waits = sorted(tags["waits"])
    return {
        "import_seconds": imp["seconds"],
        "tags": len(waits),
        "failures": len(tags["failures"]),
        "worst_s": waits[-1],
        "p99_s": waits[int(0.99 * (len(waits) - 1))],
        "median_s": statistics.median(waits),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1/10 of the size")
    ap.add_argument("--repeat", type=int, default=None, help="runs of each (default 3, full 2)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child_import(*args.child[1:])))
        return
    docs = 1_000 if args.quick else 10_000
    repeat = args.repeat or (3 if args.quick else 2)
    with tempfile.TemporaryDirectory(prefix="annotator-bench-import-") as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        corpus.mkdir()
        size, n_spans = bench_scale.generate(corpus, docs, chars=10_000, spans=100, per_file=10)
        print(f"corpus: {docs} documents, {n_spans} spans, {size / 1e6:.0f} MB", flush=True)
        imports, bases = [], []
        for i in range(repeat):
            imp = run_child("import", f"sqlite:///{root / f'imp{i}.sqlite3'}", str(corpus))
            print("import", imp, flush=True)
            imports.append(imp)
            base = bench_scale.baseline(f"sqlite:///{root / f'base{i}.sqlite3'}", corpus)
            print("executemany", base, flush=True)
            bases.append(base)
        best = min(imports, key=lambda r: float(r["seconds"]))  # type: ignore[arg-type]
        base_s = min(float(b["seconds"]) for b in bases)  # type: ignore[arg-type]
        imp_s = float(best["seconds"])  # type: ignore[arg-type]
        tag = with_tagger(root, corpus)
        print("with tagger", tag, flush=True)
        rows = [
            ("corpus", f"{docs:,} documents, {n_spans:,} spans, {size / 1e6:.0f} MB JSONL"),
            ("runs", f"best of {repeat}, import and executemany alternating"),
            ("import (ImportService)", f"{imp_s:.1f} s = {n_spans / imp_s:,.0f} spans/s"),
            ("bare sqlite3 executemany, same rows", f"{base_s:.1f} s"),
            ("speed vs executemany (goal >= 0.25)", f"{base_s / imp_s:.2f}"),
            (
                "write transactions (lock held only inside)",
                f"{best['transactions']}, median {float(best['lock_median_s']):.3f} s, "  # type: ignore[arg-type]
                f"longest {float(best['lock_max_s']):.3f} s",  # type: ignore[arg-type]
            ),
            ("import with a tagger (every 50 ms)", f"{float(tag['import_seconds']):.1f} s"),  # type: ignore[arg-type]
            (
                "tag waits: worst / p99 / median",
                f"{float(tag['worst_s']):.3f} / {float(tag['p99_s']):.3f} / "  # type: ignore[arg-type]
                f"{float(tag['median_s']):.3f} s over {tag['tags']} tags, "  # type: ignore[arg-type]
                f"{tag['failures']} failed",
            ),
        ]
        print()
        print("| measure | value |\n|---|---|")
        for k, v in rows:
            print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
