"""Run every benchmark with one command and record their output in docs/benchmarks.md.

    python benchmarks/run_all.py            # full sizes (several minutes)
    python benchmarks/run_all.py --quick    # small sizes, a smoke run
    python benchmarks/run_all.py gui export # only these

Each benchmark prints its own method and numbers; this runner appends them, with the
date, machine and command, to the "Latest run" section at the end of
docs/benchmarks.md, which also holds each benchmark's method and the reference
figures. Timings live here, never in unit tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "docs" / "benchmarks.md"
MARK = "## Latest run"
# name -> (script, arguments for --quick)
BENCHMARKS: dict[str, tuple[str, list[str]]] = {
    "startup": ("bench_startup.py", ["--runs", "3"]),
    "gui": ("bench_gui.py", ["--mb", "1", "--spans", "10000", "--tags", "200"]),
    "export": ("bench_export.py", ["--quick"]),
    "agreement": ("bench_agreement.py", ["--quick"]),
    "agree_cli": ("bench_agree_cli.py", ["--quick"]),
    "concurrency": ("bench_concurrency.py", ["--quick"]),
    "scale": ("bench_scale.py", ["--quick"]),
    "import": ("bench_import.py", ["--quick"]),
    "suggest": ("bench_suggest.py", ["--quick"]),
    "cli": ("bench_cli.py", ["--quick"]),
    "blind": ("bench_blind.py", ["--quick"]),
    "suggest_scale": ("bench_suggest_scale.py", ["--quick"]),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], metavar="NAME")
    ap.add_argument("--quick", action="store_true", help="small sizes")
    ap.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    args = ap.parse_args()
    names = args.names or list(BENCHMARKS)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    chunks = []
    failed = 0
    for name in names:
        script, quick = BENCHMARKS[name]
        path = HERE / script
        if not path.exists():
            print(f"-- {name}: {script} not present, skipped")
            continue
        cmd = [sys.executable, str(path), *(quick if args.quick else [])]
        print(f"-- {name}: {' '.join(cmd[1:])}", flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=HERE.parent)
        took = time.perf_counter() - t0
        out = (proc.stdout + proc.stderr).strip()
        print(out)
        status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
        failed += proc.returncode != 0
        chunks.append(
            f"### {name}: {status}, {took:.0f} s\n\n```\n$ python benchmarks/{script} "
            f"{' '.join(cmd[2:])}\n{out}\n```\n"
        )
    if not args.no_write and chunks:
        head = DOC.read_text(encoding="utf-8").split(MARK)[0].rstrip() + "\n\n"
        when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        machine = (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        size = "--quick sizes" if args.quick else "full sizes"
        DOC.write_text(
            head + f"{MARK}\n\n{when}, {machine}, {size}.\n\n" + "\n".join(chunks),
            encoding="utf-8",
        )
        print(f"wrote {DOC}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
