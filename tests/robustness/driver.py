"""A stand-in for the GUI, run as a subprocess by the crash tests and killed with SIGKILL.

It opens the database exactly as the app does (``app.open_workspace``) and works
like a user: ``tag`` makes one committed transaction per tag through the same
command objects the GUI's undo stack runs; ``import`` imports files one by one;
``export`` exports over and over. After each commit it prints what it committed
and flushes, so the test knows what must survive.
"""

from __future__ import annotations

import sys
from pathlib import Path

from annotator.app import open_workspace
from annotator.services.commands import AddSpanCommand


def say(*parts: object) -> None:
    """One line to stdout in one write: a kill never leaves half a line for a reader
    to join with the next (print writes the text and its end separately)."""
    sys.stdout.write(" ".join(map(str, parts)) + "\n")
    sys.stdout.flush()


def tag(ws_url: str, document_id: int, annotator: str) -> None:
    ws = open_workspace(ws_url)
    n = ws.documents.get(document_id).length
    i = 0
    while True:
        start = (i * 7) % (n - 5)
        cmd = AddSpanCommand(
            ws.annotations,
            document_id,
            start,
            start + 1 + i % 4,
            "MILITARY",
            annotator,
            note=f"tag {i}",
        )
        cmd.do()
        assert cmd.span is not None
        say(cmd.span.id)
        i += 1


def import_files(ws_url: str, folder: Path) -> None:
    import os

    if os.environ.get("DRIVER_BATCH_ROWS"):  # many small batches: more moments to kill in
        from annotator.services import import_write

        rows = int(os.environ["DRIVER_BATCH_ROWS"])
        import_write.BATCH_ROWS = import_write.MIN_ROWS = import_write.MAX_ROWS = rows
    ws = open_workspace(ws_url)
    for path in sorted(folder.glob("*.jsonl")):
        report = ws.importer.import_paths([path])
        assert not report.errors, report.errors
        say(path.name)


def tag_timed(ws_url: str, document_id: int, stop_file: Path) -> None:
    """Tag every 50 ms until ``stop_file`` exists; print each tag's wait, then a summary.

    A failed tag is printed, not raised: the test counts failures.
    """
    import json
    import time

    from annotator.services.annotations import AnnotationService
    from annotator.storage import open_database

    svc = AnnotationService(open_database(ws_url))
    waits: list[float] = []
    failures: list[str] = []
    i = 0
    say("ready")
    while not stop_file.exists():
        t = time.perf_counter()
        try:
            svc.add(
                document_id, start=i, end=i + 3, label="MILITARY", annotator="tagger", note=f"t{i}"
            )
        except Exception as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
        waits.append(time.perf_counter() - t)
        i += 1
        time.sleep(max(0.0, 0.05 - (time.perf_counter() - t)))
    say(json.dumps({"waits": waits, "failures": failures}))


def import_forks(ws_url: str) -> None:
    """For each folder named on stdin, fork a child that imports it (as ``import`` does);
    print the child's pid, then its exit status once it ends. The modules are loaded once,
    so a test that kills twenty imports does not pay twenty interpreter start-ups."""
    import os

    import annotator.services.import_write  # noqa: F401 - loaded before the forks

    say("ready")
    for line in sys.stdin:
        folder = Path(line.strip())
        pid = os.fork()
        if pid == 0:
            try:
                import_files(ws_url, folder)
            finally:
                os._exit(0)
        say(pid)
        _, status = os.waitpid(pid, 0)
        say(f"exit {status}")


def tag_new(ws_url: str, db_path: Path, stop_file: Path) -> None:
    """Tag the newest documents (an import's, while it runs) until ``stop_file`` exists.

    Each committed tag is printed as ``span_id document_id``; a tag on a document that was
    taken back meanwhile fails and is not printed (it was never saved).
    """
    import random
    import sqlite3

    from annotator.services.annotations import AnnotationService
    from annotator.storage import open_database

    svc = AnnotationService(open_database(ws_url))
    rng = random.Random(3)
    con = sqlite3.connect(db_path, timeout=30)
    say("ready")
    i = 0
    while not stop_file.exists():
        ids = [r[0] for r in con.execute("SELECT id FROM documents ORDER BY id DESC LIMIT 40")]
        con.commit()  # end the read transaction: see the next batch
        if not ids:
            continue
        doc = rng.choice(ids)
        try:
            span, _ = svc.add(doc, start=0, end=3 + i % 5, label="ECONOMIC", annotator="tagger")
        except Exception:
            continue
        say(span.id, doc)
        i += 1


def export(ws_url: str, dest: Path) -> None:
    ws = open_workspace(ws_url)
    while True:
        report = ws.exporter.export("jsonl", dest)
        say(report.documents)


if __name__ == "__main__":
    mode, url, arg = sys.argv[1:4]
    if mode == "tag":
        tag(url, int(arg), sys.argv[4])
    elif mode == "import":
        import_files(url, Path(arg))
    elif mode == "tag-timed":
        tag_timed(url, int(arg), Path(sys.argv[4]))
    elif mode == "import-forks":
        import_forks(url)
    elif mode == "tag-new":
        tag_new(url, Path(arg), Path(sys.argv[4]))
    elif mode == "export":
        export(url, Path(arg))
    else:
        raise SystemExit(f"unknown mode {mode}")
