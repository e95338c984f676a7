"""Scale benchmark: a 10,000-document / 100 MB / 1,000,000-span corpus.

    python benchmarks/bench_scale.py            # full size (a few minutes)
    python benchmarks/bench_scale.py --quick    # 1/10 size

1. Generates the corpus as native JSONL files (10 documents a file) in a tmp dir.
2. Imports it with ImportService in a child process (progress callback on), and
   times a bare sqlite3 ``executemany`` of the same rows into the same schema.
3. In a fresh child process: opens the database, counts, pages through the whole
   corpus list 200 at a time, opens 500 random documents with their spans, and
   reports the peak RSS. A third child exports everything (streamed) and reports its
   peak RSS too.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (  # noqa: SIM905 - a word list reads better as prose
    "troops front line artillery drones ceasefire talks envoy summit sanctions budget "
    "energy grain exports pipeline brigade offensive defence ministry parliament vote "
    "negotiations alliance treaty aid package inflation currency reserves refinery port "
    "border corridor humanitarian convoy mediator statement council resolution the a of "
    "and in on to with from by for at as it was were is are has have had"
).split()
LABELS = ("MILITARY", "DIPLOMATIC", "ECONOMIC")
ANNOTATORS = ("ann", "bob", "cho")


def peak_rss_mb() -> float:
    """Peak RSS of this process. VmHWM, because ru_maxrss carries the parent's peak
    across fork+exec on Linux; getrusage where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def generate(folder: Path, docs: int, chars: int, spans: int, per_file: int) -> tuple[int, int]:
    rng = random.Random(42)
    total_bytes = total_spans = 0
    for f in range(0, docs, per_file):
        lines = []
        for d in range(f, min(f + per_file, docs)):
            words: list[str] = []
            n = 0
            while n < chars:
                w = rng.choice(WORDS)
                words.append(w)
                n += len(w) + 1
            text = f"Document {d}. " + " ".join(words)
            text = text[:chars]
            stride = max(1, (len(text) - 20) // spans)
            sp = [
                {
                    "start": i * stride,
                    "end": i * stride + rng.randint(3, 20),
                    "label": LABELS[i % 3],
                    "annotator": ANNOTATORS[(i // 3) % 3],
                }
                for i in range(spans)
            ]
            lines.append(
                json.dumps(
                    {"id": f"doc{d}", "text": text, "meta": {"title": f"Document {d}"}, "spans": sp}
                )
            )
            total_spans += spans
        data = "\n".join(lines) + "\n"
        (folder / f"part{f // per_file:05d}.jsonl").write_text(data, encoding="utf-8")
        total_bytes += len(data.encode())
    return total_bytes, total_spans


def child_import(url: str, folder: str) -> dict[str, object]:
    from annotator.services import Workspace

    ws = Workspace.open(url)
    calls: list[int] = []
    t = time.perf_counter()
    report = ws.importer.import_paths([Path(folder)], progress=lambda d, _t: calls.append(d))
    secs = time.perf_counter() - t
    assert not report.errors, report.errors[:3]
    return {
        "seconds": secs,
        "documents": report.documents_added,
        "spans": report.spans_added,
        "progress_calls": len(calls),
        "peak_rss_mb": peak_rss_mb(),
    }


def child_browse(url: str) -> dict[str, object]:
    from annotator.services import Workspace
    from annotator.services.backups import BackupService
    from annotator.storage.integrity import check_file

    rss_start = peak_rss_mb()
    db_path = Path(url.removeprefix("sqlite:///"))
    t = time.perf_counter()
    assert check_file(db_path).ok
    check_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    BackupService(db_path, backup_root=db_path.parent / "backups").create()
    backup_s = time.perf_counter() - t
    ws = Workspace.open(url)
    t = time.perf_counter()
    n = ws.documents.count()
    count_ms = (time.perf_counter() - t) * 1000
    pages = []
    for offset in range(0, n, 200):
        t = time.perf_counter()
        ws.documents.list(offset=offset, limit=200)
        pages.append((time.perf_counter() - t) * 1000)
    ids = [d.id for d in ws.documents.list(offset=0, limit=None)]
    rng = random.Random(1)
    opens = []
    for doc_id in rng.sample(ids, min(500, len(ids))):
        t = time.perf_counter()
        ws.documents.get(doc_id)
        ws.annotations.spans(doc_id)
        opens.append((time.perf_counter() - t) * 1000)
    return {
        "documents": n,
        "count_ms": count_ms,
        "open_check_ms": check_ms,
        "backup_s": backup_s,
        "page_first_ms": pages[0],
        "page_last_ms": pages[-1],
        "page_max_ms": max(pages),
        "open_avg_ms": sum(opens) / len(opens),
        "open_max_ms": max(opens),
        "rss_before_open_mb": rss_start,
        "peak_rss_mb": peak_rss_mb(),
    }


def child_export(url: str, dest: str) -> dict[str, object]:
    from annotator.services import Workspace

    ws = Workspace.open(url)
    t = time.perf_counter()
    report = ws.exporter.export("jsonl", Path(dest))
    return {
        "seconds": time.perf_counter() - t,
        "documents": report.documents,
        "spans": report.spans,
        "peak_rss_mb": peak_rss_mb(),
    }


def baseline(url: str, folder: Path) -> dict[str, object]:
    """The same rows through sqlite3.executemany into a fresh copy of the schema."""
    from annotator.core.text import content_hash
    from annotator.storage import open_database

    open_database(url).dispose()  # the schema (and the seeded labels)
    path = url.removeprefix("sqlite:///")
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("PRAGMA temp_store=MEMORY")  # as storage/engine.py sets it (schema 0016's triggers)
    labels = dict(con.execute("SELECT name, id FROM labels").fetchall())
    con.executemany(
        "INSERT INTO annotators (id, name, kind, created_at) VALUES (?, ?, 'human', '2026-01-01')",
        list(enumerate(ANNOTATORS, 1)),
    )
    ann = {name: i for i, name in enumerate(ANNOTATORS, 1)}
    docs, spans = [], []
    doc_id = 0
    for path_ in sorted(folder.glob("*.jsonl")):
        for line in path_.open(encoding="utf-8"):
            rec = json.loads(line)
            doc_id += 1
            docs.append(
                (
                    doc_id,
                    rec["id"],
                    rec["meta"]["title"],
                    rec["text"],
                    len(rec["text"]),
                    content_hash(rec["text"]),
                    "{}",
                )
            )
            spans += [
                (doc_id, ann[s["annotator"]], labels[s["label"]], s["start"], s["end"])
                for s in rec["spans"]
            ]
    t = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    con.executemany(
        "INSERT INTO documents (id, external_id, title, source, author, url, text, length, "
        "content_hash, source_path, source_sha256, meta, created_at) "
        "VALUES (?, ?, ?, '', '', '', ?, ?, ?, '', '', ?, '2026-01-01')",
        docs,
    )
    con.executemany(
        'INSERT INTO spans (document_id, annotator_id, label_id, start, "end", note, origin, '
        "decided_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '', 'imported', '', "
        "'2026-01-01', '2026-01-01')",
        spans,
    )
    con.execute("COMMIT")
    secs = time.perf_counter() - t
    con.close()
    return {"seconds": secs, "documents": len(docs), "spans": len(spans)}


def run_child(*args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1/10 of the size")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        mode, *rest = args.child
        fn = {"import": child_import, "browse": child_browse, "export": child_export}[mode]
        print(json.dumps(fn(*rest)))
        return
    docs = 1_000 if args.quick else 10_000
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        corpus.mkdir()
        t = time.perf_counter()
        size, n_spans = generate(corpus, docs, chars=10_000, spans=100, per_file=10)
        print(
            f"generated {docs} documents, {size / 1e6:.0f} MB, {n_spans} spans "
            f"in {time.perf_counter() - t:.1f}s",
            flush=True,
        )
        url = f"sqlite:///{root / 'bench.sqlite3'}"
        imp = run_child("import", url, str(corpus))
        print("import", imp, flush=True)
        base = baseline(f"sqlite:///{root / 'baseline.sqlite3'}", corpus)
        print("baseline executemany", base, flush=True)
        browse = run_child("browse", url)
        print("browse", browse, flush=True)
        exp = run_child("export", url, str(root / "export.jsonl"))
        print("export", exp, flush=True)
        db_mb = (root / "bench.sqlite3").stat().st_size / 1e6
        imp_s, base_s = float(imp["seconds"]), float(base["seconds"])  # type: ignore[arg-type]
        print()
        print("| measure | value |\n|---|---|")
        rows = [
            (
                "corpus",
                f"{docs:,} documents, {docs * 10_000 / 1e6:.0f} MB of text "
                f"({size / 1e6:.0f} MB JSONL), {n_spans:,} spans, {docs // 10:,} files",
            ),
            ("database size", f"{db_mb:.0f} MB"),
            (
                "import (ImportService)",
                f"{imp_s:.1f} s = {docs / imp_s:,.0f} docs/s, {n_spans / imp_s:,.0f} spans/s",
            ),
            ("bare sqlite3 executemany, same rows", f"{base_s:.1f} s"),
            ("ratio import / executemany", f"{imp_s / base_s:.1f}×"),
            ("import peak RSS", f"{imp['peak_rss_mb']:.0f} MB"),
            ("progress callbacks", f"{imp['progress_calls']}"),
            ("count documents", f"{browse['count_ms']:.1f} ms"),
            (
                "list page (200) first / last / max",
                f"{browse['page_first_ms']:.1f} / "
                f"{browse['page_last_ms']:.1f} / {browse['page_max_ms']:.1f} ms",
            ),
            (
                "open document + spans avg / max",
                f"{browse['open_avg_ms']:.1f} / {browse['open_max_ms']:.1f} ms",
            ),
            (
                "browse process peak RSS",
                f"{browse['peak_rss_mb']:.0f} MB "
                f"(after imports: {browse['rss_before_open_mb']:.0f} MB)",
            ),
            (
                "export all (jsonl)",
                f"{float(exp['seconds']):.1f} s, peak RSS "  # type: ignore[arg-type]
                f"{exp['peak_rss_mb']:.0f} MB",
            ),
        ]
        for k, v in rows:
            print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
