"""Two processes on one SQLite file: a big import never stalls a teammate's tag.

The importer parses and validates outside the write transaction and writes in short
transactions with a lock-free pause between them; the tagger (a second process, as a
second desktop would be) tags every 50 ms throughout. The bound asserted (1 s) is a
correctness bound from the issue, not a speed goal: before the change one tag waited
25-33 s during an 11 MB import.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

from annotator.services import Workspace

DRIVER = Path(__file__).with_name("driver.py")
WORDS = [
    "troops",
    "front",
    "line",
    "artillery",
    "talks",
    "envoy",
    "summit",
    "budget",
    "energy",
    "grain",
    "port",
]


def _corpus(path: Path, docs: int, chars: int, spans: int) -> int:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as fh:
        for d in range(docs):
            text = f"Doc {d}. " + " ".join(rng.choice(WORDS) for _ in range(chars // 6))
            stride = (len(text) - 30) // spans
            sp = [
                {"start": i * stride, "end": i * stride + 5, "label": "MILITARY", "annotator": "a"}
                for i in range(spans)
            ]
            fh.write(json.dumps({"id": f"d{d}", "text": text, "spans": sp}) + "\n")
    return path.stat().st_size


def test_tags_never_wait_long_during_a_big_import(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    ws = Workspace.open(url)
    seed = tmp_path / "seed.jsonl"
    seed.write_text(json.dumps({"id": "seed", "text": "x " * 3000}) + "\n", encoding="utf-8")
    assert not ws.importer.import_paths([seed]).errors
    (doc,) = ws.documents.list()
    ws.close()
    big = tmp_path / "big.jsonl"
    size = _corpus(big, docs=2_500, chars=10_000, spans=60)
    assert size > 20_000_000  # tens of MB, one file: the case that held the lock longest

    stop = tmp_path / "stop"
    tagger = subprocess.Popen(
        [sys.executable, str(DRIVER), "tag-timed", url, str(doc.id), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert tagger.stdout is not None
    assert tagger.stdout.readline().strip() == "ready"
    t0 = time.monotonic()
    importer = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", url, "import", str(big)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    import_s = time.monotonic() - t0
    stop.touch()
    out, _ = tagger.communicate(timeout=60)
    assert importer.returncode == 0, importer.stderr
    assert "imported 2500 document(s), 150000 span(s)" in importer.stdout
    result = json.loads(out.strip().splitlines()[-1])
    waits, failures = result["waits"], result["failures"]
    assert failures == [], failures[:3]
    # The tagger really tagged while the import ran (one tag per 50 ms at most).
    assert len(waits) >= min(20, int(import_s / 0.05) // 2), (len(waits), import_s)
    worst = max(waits)
    top = [round(w, 3) for w in sorted(waits)[-5:]]
    assert worst < 1.0, f"worst tag waits {top} s during a {import_s:.1f} s import"
