"""`annotator agree` end to end on one long document, against the `krippendorff` package.

One document of 5,000,000 characters, three annotators with about 50,000 spans each (the
annotators share "true" spans, then each jitters boundaries, drops some, relabels some and
adds spurious ones), every annotator has marked the document done. The database is a
temporary SQLite file built before any timing.

Timed, each as its own process (``python -m annotator --db URL agree --level L``, process
start, imports, database read, figures, printing; best of ``--repeat``): char, span and
passage level, default options (1,000 bootstrap resamples, no diagnosis). Peak memory is the
child's maximum resident set size (``wait4``). Baseline in the same run: the `krippendorff`
package's ``alpha`` alone on the same annotators x characters matrices (one per label,
uint8, built beforehand and not timed), summed over the labels; the char-level alphas of
both are compared to 1e-9.

Targets: char level >= 2x faster than the baseline; span level within 2x of it (time <= 2x
baseline); peak memory < 1 GB at every level. Then a scaling table (spans per annotator vs
time and peak memory at span and char level, characters growing with the spans) to show
linear growth.

    python benchmarks/bench_agree_cli.py            # 5M characters, 50k spans, scaling to 100k
    python benchmarks/bench_agree_cli.py --quick    # 1M characters, 10k spans, a few minutes
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import krippendorff
import numpy as np

from annotator.agreement.character import coverage
from annotator.core.model import Document, DocumentStatus, NewSpan
from annotator.core.text import content_hash
from annotator.services import Workspace
from annotator.storage import repo

ANNOTATORS = ("ann", "bob", "cat")
WORDS = ["the", "war", "army", "front", "talks", "sanctions", "economy", "oil", "drones", "grain"]
REPO = Path(__file__).resolve().parent.parent


def make_text(chars: int, rnd: random.Random) -> str:
    parts: list[str] = []
    n = 0
    while n < chars:
        sentence = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(6, 20))).capitalize()
        parts.append(sentence + ". ")
        n += len(sentence) + 2
    return "".join(parts)[:chars]


def make_spans(
    chars: int, per_annotator: int, labels: list[str], seed: int
) -> dict[str, list[tuple[int, int, str]]]:
    rng = np.random.default_rng(seed)
    n_true = int(per_annotator / 0.95)
    starts = rng.integers(0, chars - 120, n_true)
    lengths = rng.integers(5, 100, n_true)
    kinds = rng.integers(0, len(labels), n_true)
    out: dict[str, list[tuple[int, int, str]]] = {}
    for name in ANNOTATORS:
        keep = rng.random(n_true) > 0.15
        js = rng.integers(-4, 5, n_true)
        je = rng.integers(-4, 5, n_true)
        relabel = rng.random(n_true) < 0.1
        other = rng.integers(0, len(labels), n_true)
        spans = set()
        for k in np.flatnonzero(keep):
            a = max(0, int(starts[k] + js[k]))
            b = min(chars, int(starts[k] + lengths[k] + je[k]))
            if a < b:
                spans.add((a, b, labels[int(other[k] if relabel[k] else kinds[k])]))
        n_spurious = max(0, per_annotator - len(spans))
        for s, n, lab in zip(
            rng.integers(0, chars - 100, n_spurious),
            rng.integers(5, 90, n_spurious),
            rng.integers(0, len(labels), n_spurious),
            strict=True,
        ):
            spans.add((int(s), int(s + n), labels[int(lab)]))
        out[name] = sorted(spans)
    return out


def build(folder: Path, chars: int, per_annotator: int, seed: int) -> tuple[str, dict, int]:
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    ws = Workspace.open(url)
    labels = [lab.name for lab in ws.labels.list()][:3]
    text = make_text(chars, random.Random(seed))
    doc = Document(text=text, title="Long document", content_hash=content_hash(text))
    doc_id = ws.db.write(lambda s: repo.add_document(s, doc))
    spans = make_spans(chars, per_annotator, labels, seed)
    for name, items in spans.items():
        news = [NewSpan(s, e, lab, name) for s, e, lab in items]
        ws.db.write(lambda s, news=news: repo.add_spans_bulk(s, doc_id, news, len(text)))
        ws.annotations.set_status(doc_id, name, DocumentStatus.DONE)
    ws.close()
    return url, spans, len(text)


# A small launcher process runs the command and reports the child's wall time, CPU time
# (user + system) and peak resident memory. Measuring from this (large) benchmark process
# instead would count the pages a fork copies before exec in the child's peak.
LAUNCHER = """
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([code, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0]))
"""


def _env(env_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "ANNOTATOR_DATA_DIR": str(env_dir / "data"),
        "ANNOTATOR_CONFIG_DIR": str(env_dir / "cfg"),
    }
    env.pop("ANNOTATOR_DB", None)
    return env


def agree_cmd(url: str, level: str, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "annotator", "--db", url, "agree", "--level", level, *extra]


def run_json(url: str, env_dir: Path) -> dict:
    """The char-level report as JSON (no timing): to compare the alphas."""
    cmd = agree_cmd(url, "char", ["--json", "--bootstrap", "0"])
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(env_dir), cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"agree failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def measure(url: str, level: str, env_dir: Path, repeat: int) -> tuple[float, float, float]:
    """Best wall time, best CPU time and the largest peak RSS (MB) over ``repeat`` runs."""
    wall = cpu = float("inf")
    peak = 0.0
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", LAUNCHER, *agree_cmd(url, level, [])],
            capture_output=True,
            text=True,
            env=_env(env_dir),
            cwd=REPO,
            check=True,
        ).stdout
        code, w, c, rss = json.loads(out)
        if code != 0:
            raise SystemExit(f"agree --level {level} exited {code}")
        wall, cpu, peak = min(wall, w), min(cpu, c), max(peak, rss)
    return wall, cpu, peak


def in_process(url: str, level: str, repeat: int) -> float:
    """Best CPU time of the report alone (database read + figures) inside this process:
    the part that grows with the input, without process start-up noise."""
    from annotator.services.agreement import AgreementQuery

    ws = Workspace.open(url)
    best = float("inf")
    try:
        for _ in range(repeat):
            c0 = time.process_time()
            ws.agreement.report(AgreementQuery(level=level))  # type: ignore[arg-type]
            best = min(best, time.process_time() - c0)
    finally:
        ws.close()
    return best


def baseline(
    spans: dict, length: int, labels: list[str], repeat: int
) -> tuple[float, float, dict[str, float]]:
    """Wall and CPU time of ``krippendorff.alpha`` alone, summed over the labels (best of
    ``repeat`` per label); the matrices are built first and not timed."""
    wall = cpu = 0.0
    alphas = {}
    for label in labels:
        matrix = np.vstack([coverage(length, spans[n], label) for n in ANNOTATORS]).astype(np.uint8)
        best_w = best_c = float("inf")
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            alphas[label] = float(krippendorff.alpha(matrix, level_of_measurement="nominal"))
            best_w = min(best_w, time.perf_counter() - t0)
            best_c = min(best_c, time.process_time() - c0)
        wall += best_w
        cpu += best_c
        del matrix
    return wall, cpu, alphas


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--chars", type=int, default=5_000_000)
    ap.add_argument("--spans", type=int, default=50_000, help="spans per annotator")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--quick", action="store_true", help="1M characters, 10k spans, one run")
    ap.add_argument("--no-scaling", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.chars, args.spans, args.repeat = 1_000_000, 10_000, 1
    chars_per_span = args.chars / args.spans
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        url, spans, length = build(folder, args.chars, args.spans, args.seed)
        labels = sorted({s[2] for items in spans.values() for s in items})
        n_spans = {n: len(v) for n, v in spans.items()}
        print(
            f"1 document, {length:,} characters, spans {n_spans}, labels {labels}"
            f" (database built in {time.perf_counter() - t0:.1f} s)"
        )
        base_w, base_c, theirs = baseline(spans, length, labels, args.repeat)
        print(
            f"baseline: krippendorff.alpha on {len(labels)} matrices 3 x {length:,}:"
            f" wall {base_w:.2f} s, CPU {base_c:.2f} s"
        )
        ours = {r["label"]: r["alpha"] for r in run_json(url, folder)["label_rows"]}
        worst = max(abs(ours[lab] - theirs[lab]) for lab in labels)
        print(f"char-level alphas vs the package: max difference {worst:.2e}")
        failed |= worst > 1e-9
        print(
            f"{'level':<9}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}"
            f"{'wall/base':>11}{'CPU/base':>10}  targets (on CPU time)"
        )
        for level, goal in (("char", 0.5), ("span", 2.0), ("passage", None)):
            w, c, rss = measure(url, level, folder, args.repeat)
            ratio = c / base_c
            target = (
                f"CPU <= {goal:g} x baseline: {'met' if ratio <= goal else 'MISSED'}"
                if goal
                else "time (reported)"
            )
            mem = "met" if rss < 1024 else "MISSED"
            failed |= rss >= 1024
            print(
                f"{level:<9}{w:>8.2f}{c:>8.2f}{rss:>9.0f}{w / base_w:>10.2f}x{ratio:>9.2f}x"
                f"  {target}; peak < 1 GB: {mem}"
            )
        if not args.no_scaling:
            sizes = [args.spans // 4, args.spans // 2, args.spans, args.spans * 2]
            if args.quick:
                sizes = sizes[:3]
            print(f"\nscaling (characters = spans per annotator x {chars_per_span:.0f}):")
            print(
                f"{'spans/ann':>10}{'chars':>12}{'span CPU s':>11}{'span MB':>9}"
                f"{'char CPU s':>11}{'char MB':>9}{'span report s':>14}{'char report s':>14}"
            )
            rows: list[tuple[int, float, float, float, float]] = []
            for n in sizes:
                sub = folder / f"s{n}"
                sub.mkdir()
                u, _, ln = build(sub, int(n * chars_per_span), n, args.seed + n)
                _, ts, ms = measure(u, "span", sub, args.repeat)
                _, tc, mc = measure(u, "char", sub, args.repeat)
                rs = in_process(u, "span", args.repeat)
                rc = in_process(u, "char", args.repeat)
                print(
                    f"{n:>10,}{ln:>12,}{ts:>11.2f}{ms:>9.0f}{tc:>11.2f}{mc:>9.0f}"
                    f"{rs:>14.2f}{rc:>14.2f}"
                )
                (sub / "bench.sqlite3").unlink()
                rows.append((n, ts, tc, rs, rc))
            # Linear growth: a least-squares line CPU = a + b * spans through the points;
            # "a" is the fixed cost (process start, imports, opening the database).
            x = np.array([r[0] for r in rows], dtype=np.float64)
            for name, col in (
                ("span command", 1),
                ("char command", 2),
                ("span report", 3),
                ("char report", 4),
            ):
                y = np.array([r[col] for r in rows])
                b, a = np.polyfit(x, y, 1)
                worst = float(np.max(np.abs(a + b * x - y) / y))
                print(
                    f"{name}: CPU = {a:.2f} s + {b * 1e6:.1f} us x spans per annotator;"
                    f" largest deviation from the line {worst:.1%}"
                )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
