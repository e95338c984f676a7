"""Native JSONL export speed against writing the same records with the json module.

    python benchmarks/bench_export.py [--quick]

Builds documents in memory (no database: this measures the format, not storage) with
1,000,000 spans in all (``--quick``: 100,000), then times

* baseline: ``json.dumps`` of the very records the exporter writes (built beforehand,
  so the baseline does no slicing, checking or counting), one per line, to a file;
* exporter: ``NativeJsonl().write`` on the documents and spans, which builds each
  record, checks each span's range, counts spans per label in the report and writes
  through ``atomic_write`` (fsync and rename included).

Prints the best of three runs of each and the ratio baseline_time / exporter_time
(target: >= 0.5, i.e. the exporter at least half as fast as bare json).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator.core.model import Document, Span
from annotator.formats.base import ExportReport
from annotator.formats.jsonl import NativeJsonl, document_meta

WORDS = [
    "troops",
    "moved",
    "east",
    "talks",
    "in",
    "Genève",
    "resumed",
    "tariffs",
    "rose",
    "NATO",
    "👍🏽",
    "minister",
    "said",
]
LABELS = ("MILITARY", "DIPLOMATIC", "ECONOMIC")


def corpus(total_spans: int, per_doc: int = 50) -> list[tuple[Document, list[Span]]]:
    rng = random.Random(1)
    items = []
    sid = 0
    for d in range(total_spans // per_doc):
        text = " ".join(rng.choice(WORDS) for _ in range(per_doc * 6))
        doc = Document(text=text, id=d + 1, title=f"Doc {d}", source="bench")
        spans = []
        for _ in range(per_doc):
            start = rng.randrange(0, len(text) - 40)
            sid += 1
            spans.append(
                Span(sid, d + 1, start, start + rng.randrange(1, 40), rng.choice(LABELS), "alice")
            )
        items.append((doc, spans))
    return items


def records(items: list[tuple[Document, list[Span]]]) -> list[dict[str, object]]:
    return [
        {
            "id": str(doc.id),
            "text": doc.text,
            "meta": document_meta(doc),
            "spans": [
                {
                    "start": s.start,
                    "end": s.end,
                    "label": s.label,
                    "text": doc.text[s.start : s.end],
                    "annotator": s.annotator,
                    "note": s.note,
                    "guideline_version": s.guideline_version,
                }
                for s in spans
            ],
        }
        for doc, spans in items
    ]


def best_of(n: int, fn: object) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="100,000 spans instead of 1,000,000")
    args = ap.parse_args()
    total = 100_000 if args.quick else 1_000_000
    items = corpus(total)
    recs = records(items)
    with tempfile.TemporaryDirectory() as tmp:
        base_path = Path(tmp) / "baseline.jsonl"
        out_path = Path(tmp) / "export.jsonl"

        def baseline() -> None:
            with base_path.open("w", encoding="utf-8") as fh:
                for r in recs:
                    fh.write(json.dumps(r, ensure_ascii=False))
                    fh.write("\n")

        def exporter() -> None:
            NativeJsonl().write(iter(items), out_path, ExportReport("jsonl"))

        t_base = best_of(3, baseline)
        t_exp = best_of(3, exporter)
        assert base_path.read_bytes() == out_path.read_bytes(), (
            "exporter and baseline wrote different bytes"
        )
        spans = sum(len(s) for _, s in items)
        size = out_path.stat().st_size / 1e6
        print(f"spans: {spans:,} in {len(items):,} documents; file {size:.1f} MB")
    print(f"json.dumps baseline: {t_base:.3f} s ({spans / t_base:,.0f} spans/s)")
    print(f"NativeJsonl.write:   {t_exp:.3f} s ({spans / t_exp:,.0f} spans/s)")
    print(f"ratio (baseline / exporter): {t_base / t_exp:.2f}  (target >= 0.5)")


if __name__ == "__main__":
    main()
