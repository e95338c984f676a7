"""What goes out: CSV cells a spreadsheet will not run, folder exports that are whole
or absent, and one-line messages (never a traceback) for ordinary OS trouble."""

from __future__ import annotations

import csv
import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import cli
from annotator.formats import atomic
from annotator.services import Workspace

REPO = Path(__file__).resolve().parents[2]
HOSTILE = {
    "id": "+1+cmd|' /C calc'!A0",
    "text": '=HYPERLINK("http://x") was typed.\n\n@SUM(A1) too.',
    "spans": [
        {"start": 0, "end": 10, "label": "=EVIL", "annotator": "@ann"},
        {"start": 0, "end": 10, "label": "=EVIL", "annotator": "-bob"},
        {"start": 36, "end": 44, "label": "=EVIL", "annotator": "@ann"},
    ],
}


@pytest.fixture
def hostile_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    src = tmp_path / "h.jsonl"
    src.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    ws = Workspace.open(url)
    assert not ws.importer.import_paths([src], create_labels=True).errors
    ws.close()
    return url


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [c for row in csv.reader(fh) for c in row]


def _formula_like(cells: list[str]) -> list[str]:
    return [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_passages_csv_neutralises_formulas_unless_raw(hostile_db: str, tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    assert cli.main(["--db", hostile_db, "export", "--format", "passages-csv", "-o", str(out)]) == 0
    cells = _cells(out)
    assert _formula_like(cells) == []
    assert "'=EVIL" in cells and "'+1+cmd|' /C calc'!A0" in cells
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    raw = tmp_path / "raw.csv"
    argv = ["--db", hostile_db, "export", "--format", "passages-csv", "-o", str(raw), "--raw-csv"]
    assert cli.main(argv) == 0
    assert "=EVIL" in _cells(raw) and _formula_like(_cells(raw))


def test_agree_csv_report_neutralises_names_not_numbers(
    hostile_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "r.csv"
    argv = ["--db", hostile_db, "agree", "--annotators", "@ann,-bob", "--coverage", "touched"]
    argv += ["--report", str(report)]
    assert cli.main(argv) == 0
    cells = _cells(report)
    assert _formula_like([c for c in cells if not _number(c)]) == []
    assert "'@ann" in cells and "'-bob" in cells and "'=EVIL" in cells
    assert cli.main([*argv, "--csv"]) == 0
    printed = [c for row in csv.reader(capsys.readouterr().out.splitlines()) for c in row]
    assert "'=EVIL" in printed
    assert cli.main([*argv, "--raw-csv"]) == 0
    assert "@ann" in _cells(report)


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _brat(url: str, dest: Path) -> int:
    return cli.main(["--db", url, "export", "--format", "brat", "-o", str(dest)])


def test_folder_export_replaces_an_earlier_export_whole(hostile_db: str, tmp_path: Path) -> None:
    dest = tmp_path / "brat"
    assert _brat(hostile_db, dest) == 0
    assert (dest / atomic.MARKER).exists() and list(dest.glob("*.ann"))
    (dest / "stale.ann").write_text("from an older export")
    assert _brat(hostile_db, dest) == 0
    assert not (dest / "stale.ann").exists()  # the new export replaced the folder whole
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_folder_export_refuses_a_folder_of_other_files(
    hostile_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "thesis.docx").write_bytes(b"precious")
    assert _brat(hostile_db, dest) == 1
    err = capsys.readouterr().err
    assert "not an export" in err and "thesis.docx" in err and err.count("\n") == 1
    assert (dest / "thesis.docx").read_bytes() == b"precious"


def test_a_failed_folder_export_keeps_the_old_one(
    hostile_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "brat"
    assert _brat(hostile_db, dest) == 0
    before = {p.name: p.read_bytes() for p in dest.iterdir()}
    monkeypatch.setattr(
        atomic,
        "_exchange",
        lambda a, b: (_ for _ in ()).throw(OSError(28, "No space left on device", str(a))),
    )
    assert _brat(hostile_db, dest) == 1
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_stale_parts_of_killed_exports_are_cleaned(hostile_db: str, tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(dead.stdout)  # a process that has ended
    out = tmp_path / "out.jsonl"
    stale_file = tmp_path / f".out.jsonl.{pid}-abc123.part"
    stale_file.write_bytes(b"x" * 1000)
    stale_dir = tmp_path / f".brat.{pid}-def456.part"
    (stale_dir / "sub").mkdir(parents=True)
    live = tmp_path / f".out.jsonl.{os.getpid()}-zzz.part"  # a run still going: kept
    live.write_bytes(b"y")
    assert cli.main(["--db", hostile_db, "export", "-o", str(out)]) == 0
    assert not stale_file.exists() and live.exists()
    assert _brat(hostile_db, tmp_path / "brat") == 0
    assert not stale_dir.exists()


def test_folder_moved_aside_by_a_killed_export_is_put_back(tmp_path: Path) -> None:
    dest = tmp_path / "brat"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    aside = tmp_path / f".brat.{int(dead.stdout)}-old.part"
    aside.mkdir()
    (aside / "a.ann").write_text("T1\tX 0 1\tx\n")
    atomic.clean_stale_parts(dest)
    assert (dest / "a.ann").exists() and not aside.exists()


@pytest.mark.parametrize("fmt", ["jsonl", "brat"])
def test_export_onto_the_wrong_kind_of_path_is_one_line(
    hostile_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "keep.bin").write_bytes(b"1")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    targets = [a_file / "under.jsonl"] + ([folder] if fmt == "jsonl" else [a_file])
    for target in targets:
        assert cli.main(["--db", hostile_db, "export", "--format", fmt, "-o", str(target)]) == 1
        err = capsys.readouterr().err
        assert err.startswith("annotator: error: ") and err.count("\n") == 1, err
        assert "Traceback" not in err
    assert a_file.read_text() == "x" and (folder / "keep.bin").read_bytes() == b"1"


def test_full_disk_during_export_is_one_line(
    hostile_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    assert cli.main(["--db", hostile_db, "export", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and str(out) in err and err.count("\n") == 1
    assert out.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_full_disk_during_backup_is_one_line(
    hostile_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.storage import backup

    def full(path: Path) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(backup, "_fsync_file", full)  # the disk fills as the copy lands
    code = cli.main(["--db", hostile_db, "backup", "create"])
    err = capsys.readouterr().err
    assert code == 1 and "No space left on device" in err and err.count("\n") == 1, err


def test_closed_stdout_ends_quietly(hostile_db: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ANNOTATOR_DATA_DIR": str(tmp_path / "d"),
        "ANNOTATOR_CONFIG_DIR": str(tmp_path / "c"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator", "--db", hostile_db, "stats"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # `annotator stats | head -0`
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert err == "" and proc.returncode in (0, 141)
