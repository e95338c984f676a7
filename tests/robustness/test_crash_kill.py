"""kill -9 at random moments: every tag reported committed survives, imports and
exports are all-or-nothing, and the database passes ``PRAGMA integrity_check``."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator.app import open_workspace

DRIVER = Path(__file__).with_name("driver.py")
REPO = DRIVER.parent.parent.parent
TEXT = "Artillery units moved east while envoys met in Geneva. " * 40


def _start(*args: str, lease_s: float | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if lease_s is not None:
        env["ANNOTATOR_IMPORT_LEASE_S"] = str(lease_s)
    return subprocess.Popen(
        [sys.executable, str(DRIVER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )


def _first_line(proc: subprocess.Popen[str]) -> str:
    """The first line, read a byte at a time from the pipe itself. ``readline`` would
    buffer what follows it, and ``communicate`` reads the pipe, not that buffer: the
    lines in it would never be counted as reported."""
    assert proc.stdout is not None
    fd, data = proc.stdout.fileno(), b""
    while not data.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte:
            break
        data += byte
    return data.decode()


def _kill_after(
    procs: list[subprocess.Popen[str]], rng: random.Random, *, wait_first: bool
) -> list[list[str]]:
    """SIGKILL each process at a random moment; the complete lines it printed before."""
    outputs = []
    for proc in procs:
        lines: list[str] = []
        if wait_first:
            assert proc.stdout is not None
            first = _first_line(proc)  # the driver is in its loop
            assert first.endswith("\n"), proc.stderr.read() if proc.stderr else ""
            lines.append(first)
        outputs.append(lines)
    time.sleep(rng.uniform(0.0, 0.4) if wait_first else rng.uniform(0.05, 1.2))
    for proc in procs:
        proc.send_signal(signal.SIGKILL)
    for proc, lines in zip(procs, outputs, strict=True):
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        # A line cut off by the kill was never reported: keep complete lines only.
        lines += out.splitlines(keepends=True)
        lines[:] = [ln.strip() for ln in lines if ln.endswith("\n")]
    return outputs


def _check_integrity(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    return con


@pytest.fixture
def db_with_document(tmp_path: Path) -> tuple[str, Path, int]:
    path = tmp_path / "crash.sqlite3"
    url = f"sqlite:///{path}"
    seed = tmp_path / "seed.jsonl"
    seed.write_text(json.dumps({"id": "d", "text": TEXT}) + "\n", encoding="utf-8")
    ws = open_workspace(url)
    ws.importer.import_paths([seed])
    doc_id = ws.documents.list()[0].id
    ws.close()
    return url, path, doc_id


def test_committed_tags_survive_sigkill(db_with_document: tuple[str, Path, int]) -> None:
    """20 kills: 10 rounds of two instances tagging side by side, killed at random points
    (two rounds during start-up, before or while the database opens)."""
    url, path, doc_id = db_with_document
    rng = random.Random(7)
    reported: set[int] = set()
    for round_ in range(10):
        procs = [_start("tag", url, str(doc_id), f"ann{k}") for k in range(2)]
        outs = _kill_after(procs, rng, wait_first=round_ >= 2)
        new = {int(x) for out in outs for x in out}
        reported |= new
        con = _check_integrity(path)
        stored = {r[0] for r in con.execute("SELECT id FROM spans")}
        con.close()
        missing = reported - stored
        assert not missing, f"round {round_}: committed tags lost: {sorted(missing)[:10]}"
    # The kills really did land in the middle of tagging (66 on a 2-core machine loaded
    # by 7 other processes, several hundred on a quiet one).
    assert len(reported) > 40


def test_import_interrupted_by_sigkill_is_all_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "imp.sqlite3"
    url = f"sqlite:///{path}"
    open_workspace(url).close()
    folder = tmp_path / "files"
    folder.mkdir()
    for f in range(60):
        with (folder / f"f{f:03d}.jsonl").open("w", encoding="utf-8") as fh:
            for d in range(20):
                text = f"File {f} document {d}. " + "Troops held the line. " * 30
                fh.write(
                    json.dumps(
                        {
                            "id": f"{f}-{d}",
                            "text": text,
                            "meta": {"file": f},
                            "spans": [{"start": 0, "end": 4, "label": "MILITARY"}],
                        }
                    )
                    + "\n"
                )
    rng = random.Random(3)
    for trial in range(5):
        con = sqlite3.connect(path)
        con.execute("DELETE FROM spans")
        con.execute("DELETE FROM documents")
        con.commit()
        con.close()
        (proc,) = [_start("import", url, str(folder))]
        (lines,) = _kill_after([proc], rng, wait_first=True)
        con = _check_integrity(path)
        per_file = dict(
            con.execute(
                "SELECT json_extract(meta, '$.file'), count(*) FROM documents GROUP BY 1"
            ).fetchall()
        )
        n_spans = con.execute("SELECT count(*) FROM spans").fetchone()[0]
        con.close()
        assert set(per_file.values()) <= {20}, f"trial {trial}: a file was half imported"
        assert n_spans == 20 * len(per_file)
        done = {int(name[1:4]) for name in lines}
        assert done <= set(per_file), f"trial {trial}: a reported import is missing"


def test_export_interrupted_by_sigkill_leaves_old_or_new_file(
    db_with_document: tuple[str, Path, int], tmp_path: Path
) -> None:
    url, _, _ = db_with_document
    ws = open_workspace(url)
    for i in range(300):
        (tmp_path / "more.jsonl").write_text(
            json.dumps({"id": f"m{i}", "text": f"Document {i}. " + "Talks resumed. " * 200}) + "\n",
            encoding="utf-8",
        )
        ws.importer.import_paths([tmp_path / "more.jsonl"])
    total = ws.documents.count()
    ws.close()
    dest = tmp_path / "out" / "export.jsonl"
    rng = random.Random(11)
    for _ in range(4):
        (proc,) = [_start("export", url, str(dest))]
        _kill_after([proc], rng, wait_first=True)
        lines = dest.read_text(encoding="utf-8").splitlines()
        assert len(lines) == total  # never a truncated export under the real name
        assert all(json.loads(line)["text"] for line in lines)


def test_big_file_killed_part_way_is_taken_back_on_the_next_open(tmp_path: Path) -> None:
    """One file big enough for several write batches: a kill between batches leaves the
    committed ones in the file, and the next open takes them back (the import journal)."""
    path = tmp_path / "big.sqlite3"
    url = f"sqlite:///{path}"
    open_workspace(url).close()
    folder = tmp_path / "files"
    folder.mkdir()
    n_docs = 30_000
    with (folder / "big.jsonl").open("w", encoding="utf-8") as fh:
        for d in range(n_docs):
            text = f"Document {d}: troops held the line near the river."
            rec = {
                "id": f"b{d}",
                "text": text,
                "spans": [{"start": 0, "end": 8, "label": "MILITARY"}],
            }
            fh.write(json.dumps(rec) + "\n")
    rng = random.Random(5)
    partial_seen = 0
    for _trial in range(6):
        proc = _start("import", url, str(folder), lease_s=0.5)
        deadline = time.monotonic() + 60
        stored = 0
        while time.monotonic() < deadline and proc.poll() is None:  # until a batch is in
            time.sleep(0.05)
            con = sqlite3.connect(path)
            stored = con.execute("SELECT count(*) FROM documents").fetchone()[0]
            con.close()
            if stored:
                break
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        con = _check_integrity(path)
        before = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        con.close()
        partial_seen += 0 < before < n_docs
        time.sleep(0.6)  # the killed import's lease runs out
        open_workspace(url).close()  # the next open
        con = _check_integrity(path)
        after = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        spans = con.execute("SELECT count(*) FROM spans").fetchone()[0]
        left = con.execute("SELECT count(*) FROM import_journal").fetchone()[0]
        if after:  # the import had finished: whole
            con.execute("DELETE FROM spans")
            con.execute("DELETE FROM documents")
            con.commit()
        con.close()
        assert after in (0, n_docs) and spans == after, f"half a file: {after} documents"
        assert left == 0
    assert partial_seen, "no kill landed between two batches: the test proved nothing"
