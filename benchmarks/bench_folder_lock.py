"""A folder of small files imported beside a teammate: how long the teammate's tags wait.

    python benchmarks/bench_folder_lock.py            # 4,000 files, twice each way
    python benchmarks/bench_folder_lock.py --quick    # 1,500 files, once each way

Two ways, alternating on fresh SQLite files: the writer as it is (groups of small files
sized after each one to the lock budget, ``import_write.TARGET_LOCK_S``), and the baseline,
fixed groups of ``importing.BATCH_FILES`` (200) files per transaction, as before issue 21.
The import runs in this process; a second process (``tests/robustness/driver.py
tag-timed``, the GUI's service calls) adds a span every 50 ms until the import ends. Each
tag's wall time from call to commit is its wait; every write transaction's lock time is
taken from the writer's debug log. The result is the ratio of the worst waits, so the
machine's load cancels out as far as it can.
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DRIVER = REPO / "tests" / "robustness" / "driver.py"


class _Holds(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.holds: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "held the write lock" in record.getMessage():
            self.holds.append(float(record.args[1]))  # type: ignore[index]


def _folder(root: Path, files: int) -> Path:
    folder = root / "files"
    folder.mkdir()
    for f in range(files):
        text = f"Report {f}. " + "Troops held the line while envoys met in Geneva. " * 30
        rec = {"id": f"r{f}", "text": text, "spans": [{"start": 0, "end": 6, "label": "MILITARY"}]}
        (folder / f"r{f:05d}.jsonl").write_text(json.dumps(rec) + "\n", "utf-8")
    return folder


def run_alone(folder: Path, *, fixed: bool) -> float:
    """Import time with nobody else writing."""
    from annotator.app import open_workspace
    from annotator.services import import_write, importing

    saved = (import_write.FIRST_GROUP_FILES, import_write.MIN_GROUP_FILES)
    if fixed:
        import_write.FIRST_GROUP_FILES = import_write.MIN_GROUP_FILES = importing.BATCH_FILES
    tmp = Path(tempfile.mkdtemp(prefix="folder-alone-"))
    ws = open_workspace(f"sqlite:///{tmp / 'alone.sqlite3'}")
    t0 = time.perf_counter()
    try:
        report = ws.importer.import_paths([folder])
    finally:
        took = time.perf_counter() - t0
        import_write.FIRST_GROUP_FILES, import_write.MIN_GROUP_FILES = saved
        ws.close()
    assert not report.errors
    return took


def run_once(folder: Path, *, fixed: bool) -> dict[str, float]:
    from annotator.app import open_workspace
    from annotator.services import import_write, importing

    saved = (import_write.FIRST_GROUP_FILES, import_write.MIN_GROUP_FILES)
    if fixed:
        import_write.FIRST_GROUP_FILES = import_write.MIN_GROUP_FILES = importing.BATCH_FILES
    tmp = Path(tempfile.mkdtemp(prefix="folder-lock-"))
    url = f"sqlite:///{tmp / 'shared.sqlite3'}"
    ws = open_workspace(url)
    seed = tmp / "seed.jsonl"
    seed.write_text(json.dumps({"id": "seed", "text": "x " * 3000}) + "\n", "utf-8")
    ws.importer.import_paths([seed])
    doc = ws.documents.list()[0].id
    stop = tmp / "stop"
    tagger = subprocess.Popen(
        [sys.executable, str(DRIVER), "tag-timed", url, str(doc), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert tagger.stdout is not None and tagger.stdout.readline().strip() == "ready"
    holds = _Holds()
    log = logging.getLogger("annotator.services.import_write")
    log.addHandler(holds)
    log.setLevel(logging.DEBUG)
    t0 = time.perf_counter()
    try:
        report = ws.importer.import_paths([folder])
    finally:
        took = time.perf_counter() - t0
        log.removeHandler(holds)
        stop.touch()
        out, _ = tagger.communicate(timeout=120)
        import_write.FIRST_GROUP_FILES, import_write.MIN_GROUP_FILES = saved
        ws.close()
    assert not report.errors, report.errors[:3]
    result = json.loads(out.strip().splitlines()[-1])
    waits = sorted(result["waits"])
    return {
        "import_s": took,
        "transactions": len(holds.holds),
        "longest_hold_s": max(holds.holds),
        "median_hold_s": statistics.median(holds.holds),
        "worst_wait_s": waits[-1],
        "p99_wait_s": waits[int(len(waits) * 0.99) - 1],
        "tags": len(waits),
        "failed": len(result["failures"]),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--alone", action="store_true", help="no teammate: import time only")
    args = ap.parse_args()
    if args.alone:
        files = 1500 if args.quick else 4000
        with tempfile.TemporaryDirectory() as root:
            folder = _folder(Path(root), files)
            times = {
                "fixed 200": run_alone(folder, fixed=True),
                "sized": run_alone(folder, fixed=False),
            }
            times = {k: min(v, run_alone(folder, fixed=k != "sized")) for k, v in times.items()}
        print(", ".join(f"{k} {v:.1f} s" for k, v in times.items()))
        print(f"import time alone, sized / fixed 200: {times['sized'] / times['fixed 200']:.2f}")
        return
    files, repeat = (1500, 1) if args.quick else (4000, 2)
    with tempfile.TemporaryDirectory() as root:
        folder = _folder(Path(root), files)
        runs: dict[str, list[dict[str, float]]] = {"sized": [], "fixed 200": []}
        for _ in range(repeat):
            runs["fixed 200"].append(run_once(folder, fixed=True))
            runs["sized"].append(run_once(folder, fixed=False))
    best = {k: min(v, key=lambda r: r["worst_wait_s"]) for k, v in runs.items()}
    for name, r in best.items():
        print(f"{name:>10}: " + ", ".join(f"{k} {v:.3f}" for k, v in r.items()))
    ratio = best["sized"]["worst_wait_s"] / best["fixed 200"]["worst_wait_s"]
    print(f"worst teammate wait, sized / fixed 200: {ratio:.2f}")


if __name__ == "__main__":
    main()
