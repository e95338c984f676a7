"""The CLI as a user runs it: a real subprocess on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from annotator import __version__

REPO = Path(__file__).resolve().parent.parent


def run(*args: str, env_dir: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ANNOTATOR_DATA_DIR": str(env_dir / "data"),
        "ANNOTATOR_CONFIG_DIR": str(env_dir / "cfg"),
    }
    env.pop("ANNOTATOR_DB", None)
    proc = subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def test_version(tmp_path: Path) -> None:
    assert run("--version", env_dir=tmp_path).stdout.strip() == f"annotator {__version__}"


def test_import_corpus_then_stats_json(tmp_path: Path) -> None:
    out = run("import", "corpus/", env_dir=tmp_path).stdout
    assert "imported 5 document(s)" in out
    # The default database is a SQLite file under the data dir.
    assert (tmp_path / "data" / "annotator.sqlite3").exists()
    printed = run("stats", "--json", env_dir=tmp_path).stdout
    assert printed.count("\n") == 1  # compact, one line: cheap for 8,000 documents
    stats = json.loads(printed)
    docs = stats["documents"]
    assert len(docs) == 5
    by_title = {d["title"]: d for d in docs}
    assert (
        by_title[
            "Putin unlikely to come to the negotiation table, regardless of who wins US election"
        ]["source"]
        == "cnn.com"
    )
    assert by_title["Russia’s Withdrawal from Ukraine: Prospects and Reality"]["published"] is None
    dates = sorted(d["published"] for d in docs if d["published"])
    assert dates == ["2024-10-25", "2024-12-06", "2025-05-15"]
    assert all(d["title"] and not d["title"].startswith(("#", "<", "date ")) for d in docs)
    # Importing again stores nothing twice and says so.
    again = run("import", "corpus/", env_dir=tmp_path).stdout
    assert "imported 0 document(s)" in again and again.count("duplicate, not stored again") == 5


def test_db_option_and_env_choose_the_database(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    run("--db", f"sqlite:///{other}", "import", "corpus/001_1b77e67b279ac622.txt", env_dir=tmp_path)
    assert other.exists()
    env = {
        **os.environ,
        "ANNOTATOR_DATA_DIR": str(tmp_path / "d2"),
        "ANNOTATOR_DB": f"sqlite:///{other}",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "annotator", "stats", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=True,
    )
    assert len(json.loads(proc.stdout)["documents"]) == 1


def test_export_filters_and_span_text(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    text = "Drones 😀 hit depots. Talks in Geneva.\r\nOil fell."

    def span(piece: str, label: str, who: str) -> dict[str, object]:
        start = text.index(piece)
        return {
            "start": start,
            "end": start + len(piece),
            "label": label,
            "annotator": who,
            "text": piece,
        }

    spans = [
        span("Drones 😀 hit depots.", "MILITARY", "ann"),
        span("Talks in Geneva.\r\n", "DIPLOMATIC", "bob"),
        span("Oil fell.", "ECONOMIC", "ann"),
    ]
    data.write_text(
        json.dumps({"id": "x", "text": text, "spans": spans}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    run("import", str(data), env_dir=tmp_path)
    out = tmp_path / "out.jsonl"
    run(
        "export",
        "--format",
        "jsonl",
        "-o",
        str(out),
        "--annotator",
        "ann",
        "--label",
        "ECONOMIC",
        env_dir=tmp_path,
    )
    (rec,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [(s["label"], s["annotator"], s["text"]) for s in rec["spans"]] == [
        ("ECONOMIC", "ann", "Oil fell.")
    ]
    assert rec["text"][rec["spans"][0]["start"] : rec["spans"][0]["end"]] == "Oil fell."
    assert not list(tmp_path.glob(".out.jsonl.*"))  # no temp file left behind


def test_labels_commands(tmp_path: Path) -> None:
    run(
        "labels",
        "add",
        "HUMANITARIAN",
        "--color",
        "#aa00ff",
        "--shortcut",
        "4",
        "--description",
        "Aid",
        env_dir=tmp_path,
    )
    listing = run("labels", "list", env_dir=tmp_path).stdout
    assert "HUMANITARIAN" in listing and "#aa00ff" in listing and "[4]" in listing
    dup = run("labels", "add", "OTHER", "--shortcut", "1", env_dir=tmp_path, check=False)
    assert dup.returncode == 1 and "already used by label 'MILITARY'" in dup.stderr
    run("labels", "edit", "HUMANITARIAN", "--rename", "AID", env_dir=tmp_path)
    run("labels", "remove", "AID", env_dir=tmp_path)
    assert "AID" not in run("labels", "list", env_dir=tmp_path).stdout


def test_bad_file_exit_code_and_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{oops\n', encoding="utf-8")
    proc = run("import", str(bad), env_dir=tmp_path, check=False)
    assert proc.returncode == 1
    assert f"{bad}:2: invalid JSON" in proc.stderr
    stats = json.loads(run("stats", "--json", env_dir=tmp_path).stdout)
    assert stats["documents"] == []


def test_a_command_closes_what_it_opened_before_the_process_ends(tmp_path: Path) -> None:
    """The exit skips the interpreter's last walk over every object (``annotator.launch``), so
    the command closes its database itself: the write-ahead log is folded back into the
    file and removed, and the instance marker is emptied, not left to the OS."""
    db = tmp_path / "p.sqlite3"
    run("--db", f"sqlite:///{db}", "import", "corpus/001_1b77e67b279ac622.txt", env_dir=tmp_path)
    assert db.exists()
    assert not Path(f"{db}-wal").exists()
    marker = Path(f"{db}.lock")
    assert not marker.exists() or marker.read_text() == ""
    stats = json.loads(run("--db", f"sqlite:///{db}", "stats", "--json", env_dir=tmp_path).stdout)
    assert len(stats["documents"]) == 1
    assert not Path(f"{db}-wal").exists()
