"""Character-level alpha per label: annotator.agreement vs the ``krippendorff`` package.

Three annotators, synthetic seeded spans over N characters (default 10 million, split into
documents of 20,000 characters). For each label both implementations get the same binary
coders x characters matrix (uint8; the package rejects bool). Times are wall-clock, best of
``--repeat`` runs. Our time includes building the matrix from spans; the package gets the
matrix for free. Exits non-zero if the two alphas differ by more than 1e-9.

    python benchmarks/bench_agreement.py            # 10M characters
    python benchmarks/bench_agreement.py --quick    # 200k characters
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable

import krippendorff
import numpy as np

from annotator.agreement import AgreementDocument
from annotator.agreement.character import character_table
from annotator.agreement.table import UnitTable

LABELS = ("MILITARY", "DIPLOMATIC", "ECONOMIC")
ANNOTATORS = ("ann", "bob", "cat")


def synthetic(total: int, doc_len: int, seed: int) -> list[AgreementDocument]:
    """Annotators share 'true' spans, then each jitters boundaries, drops and adds spans."""
    rng = np.random.default_rng(seed)
    docs = []
    for d in range(max(1, total // doc_len)):
        n_true = doc_len // 400
        starts = rng.integers(0, doc_len - 300, n_true)
        lengths = rng.integers(20, 300, n_true)
        labels = rng.integers(0, len(LABELS), n_true)
        spans = {}
        for name in ANNOTATORS:
            out = []
            for s, n, lab in zip(starts, lengths, labels, strict=True):
                if rng.random() < 0.15:
                    continue  # missed
                js, je = rng.integers(-5, 6, 2)
                a, b = max(0, int(s + js)), min(doc_len, int(s + n + je))
                if a < b:
                    label = LABELS[lab] if rng.random() > 0.1 else LABELS[rng.integers(3)]
                    out.append((a, b, label))
            for _ in range(n_true // 10):  # spurious
                s = int(rng.integers(0, doc_len - 100))
                out.append((s, s + int(rng.integers(5, 100)), LABELS[rng.integers(3)]))
            spans[name] = out
        docs.append(AgreementDocument(f"doc{d}", doc_len, spans))
    return docs


def package_alpha(matrix: np.ndarray) -> float:
    return float(krippendorff.alpha(matrix, level_of_measurement="nominal"))


def best_of(repeat: int, fn: Callable[[], float]) -> tuple[float, float]:
    times = []
    value = float("nan")
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--chars", type=int, default=10_000_000)
    parser.add_argument("--doc-len", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--quick", action="store_true", help="200,000 characters, one run")
    args = parser.parse_args(argv)
    if args.quick:
        args.chars, args.repeat = 200_000, 1
    docs = synthetic(args.chars, args.doc_len, args.seed)
    n_chars = sum(d.length for d in docs)
    print(f"{len(docs)} documents, {n_chars:,} characters, {len(ANNOTATORS)} annotators")
    print(f"{'label':<12}{'ours s':>9}{'(alpha s)':>11}{'package s':>11}{'ratio':>8}  alpha")
    failed = False
    total_ours = total_pkg = 0.0
    for label in LABELS:
        t_table, table = best_of_table(args.repeat, docs, label)
        t_alpha, ours = best_of(args.repeat, table.alpha)
        matrix = table.values.astype(np.uint8)  # no missing values in this data
        t_pkg, theirs = best_of(args.repeat, functools.partial(package_alpha, matrix))
        t_ours = t_table + t_alpha
        total_ours += t_ours
        total_pkg += t_pkg
        print(
            f"{label:<12}{t_ours:>9.3f}{t_alpha:>11.3f}{t_pkg:>11.3f}"
            f"{t_pkg / t_ours:>7.1f}x  {ours:.12f}"
        )
        if abs(ours - theirs) > 1e-9:
            print(f"  MISMATCH: package gives {theirs:.12f}", file=sys.stderr)
            failed = True
    print(
        f"{'total':<12}{total_ours:>9.3f}{'':>11}{total_pkg:>11.3f}{total_pkg / total_ours:>7.1f}x"
    )
    print("alphas agree to 1e-9" if not failed else "ALPHAS DIFFER")
    return 1 if failed else 0


def best_of_table(
    repeat: int, docs: list[AgreementDocument], label: str
) -> tuple[float, UnitTable]:
    """Best time to build the coders x characters table of one label from the spans."""
    times = []
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        table = character_table(docs, annotators=ANNOTATORS, label=label)
        times.append(time.perf_counter() - t0)
    return min(times), table


if __name__ == "__main__":
    raise SystemExit(main())
