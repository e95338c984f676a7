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
        print(cmd.span.id, flush=True)
        i += 1


def import_files(ws_url: str, folder: Path) -> None:
    ws = open_workspace(ws_url)
    for path in sorted(folder.glob("*.jsonl")):
        report = ws.importer.import_paths([path])
        assert not report.errors, report.errors
        print(path.name, flush=True)


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
    print("ready", flush=True)
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
    print(json.dumps({"waits": waits, "failures": failures}), flush=True)


def export(ws_url: str, dest: Path) -> None:
    ws = open_workspace(ws_url)
    while True:
        report = ws.exporter.export("jsonl", dest)
        print(report.documents, flush=True)


if __name__ == "__main__":
    mode, url, arg = sys.argv[1:4]
    if mode == "tag":
        tag(url, int(arg), sys.argv[4])
    elif mode == "import":
        import_files(url, Path(arg))
    elif mode == "tag-timed":
        tag_timed(url, int(arg), Path(sys.argv[4]))
    elif mode == "export":
        export(url, Path(arg))
    else:
        raise SystemExit(f"unknown mode {mode}")
