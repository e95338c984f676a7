"""Cold start: time from launching ``python -m annotator`` to its main window's first paint.

    python benchmarks/bench_startup.py [--runs 7] [--platform offscreen]
    python benchmarks/bench_startup.py --bundle build/dist/annotator/annotator   # the bundle

Each run starts a new process with ANNOTATOR_EXIT_AFTER_SHOW=1: the app prints the time
from the launch (ANNOTATOR_T0, taken here just before the process is spawned) to the
window's first paint event, then quits. Measured inside: that printed figure. Measured
outside: from spawning until that line arrives on the pipe, and until the process exited.

Two scenarios, each the median of ``--runs``:
  * initialised: a data dir with a database, settings and layout already there (the
    usual start; includes the integrity check of the database, no daily backup due);
  * first run: empty data and config dirs every time (creates the database, runs the
    migrations, imports the demo corpus, shows the welcome).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


COMMAND = [sys.executable, "-m", "annotator"]


def launch(home: Path, platform: str) -> tuple[float, float, float]:
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        ANNOTATOR_DATA_DIR=str(home / "data"),
        ANNOTATOR_CONFIG_DIR=str(home / "config"),
        ANNOTATOR_EXIT_AFTER_SHOW="1",
        QT_QPA_PLATFORM=platform,
    )
    env.pop("ANNOTATOR_DB", None)
    t0 = time.time()
    env["ANNOTATOR_T0"] = repr(t0)
    start = time.perf_counter()
    proc = subprocess.Popen(
        COMMAND,
        cwd=home,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    inside = seen = None
    for line in proc.stdout:
        if line.startswith("startup: window shown after"):
            seen = time.perf_counter() - start
            inside = float(line.split()[-2])
    code = proc.wait(timeout=60)
    total = time.perf_counter() - start
    if code != 0 or inside is None or seen is None:
        raise SystemExit(f"run failed (exit {code}, shown line {'seen' if inside else 'missing'})")
    return inside, seen, total


def scenario(name: str, runs: int, platform: str, *, fresh: bool) -> dict[str, float]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="annotator-bench-start-") as tmp:
        base = Path(tmp)
        if not fresh:
            launch(base / "home", platform)  # initialise: database, demo corpus, settings
            from_settings = base / "home" / "config" / "settings.json"
            text = from_settings.read_text(encoding="utf-8")
            # As after a first session: welcome seen, a name set.
            text = text.replace('"annotator": ""', '"annotator": "bench"')
            from_settings.write_text(text, encoding="utf-8")
        for i in range(runs):
            home = base / (f"fresh{i}" if fresh else "home")
            home.mkdir(exist_ok=True)
            rows.append(launch(home, platform))
    inside, seen, total = (statistics.median(col) for col in zip(*rows, strict=True))
    print(
        f"{name:<12} runs={runs}  inside {inside:.3f} s  outside (line seen) {seen:.3f} s  "
        f"process total {total:.3f} s  [inside min {min(r[0] for r in rows):.3f} "
        f"max {max(r[0] for r in rows):.3f}]"
    )
    return {"inside": inside, "seen": seen, "total": total}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    p.add_argument("--bundle", type=Path, help="time this executable instead of python -m")
    args = p.parse_args()
    if args.bundle:
        COMMAND[:] = [str(args.bundle.resolve())]
    print(
        f"{' '.join(COMMAND)}: python {sys.version.split()[0]}, platform {args.platform}, "
        f"{os.cpu_count()} CPUs"
    )
    scenario("initialised", args.runs, args.platform, fresh=False)
    scenario("first run", args.runs, args.platform, fresh=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
