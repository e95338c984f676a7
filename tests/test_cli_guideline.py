"""`annotator guideline set|show|list` and `annotator agree --guideline-version` through the
command line's own entry point on a real SQLite file (issue 22). In-process, not a subprocess
per command (test_cli.py does that for the basics): a dozen commands in well under a second."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotator.cli import main


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"

    def _run(*args: str, env_dir: Path, check: bool = True) -> Result:
        code = main(["--db", url, *args])
        out, err = capsys.readouterr()
        if check and code != 0:
            raise AssertionError(f"exit {code}\n{out}\n{err}")
        return Result(code, out, err)

    return _run


GUIDE_1 = "# Guideline\n\n## MILITARY\nArmed force: troops, weapons.\n"
GUIDE_2 = GUIDE_1 + "\n## ECONOMIC\nSanctions are ECONOMIC.\n"


def test_set_show_list_and_bad_files(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    proc = run("guideline", "show", env_dir=tmp_path, check=False)
    assert proc.returncode == 1 and "no guideline yet" in proc.stderr
    f = tmp_path / "guide.md"
    f.write_text(GUIDE_1, encoding="utf-8")
    out = run("guideline", "set", str(f), "--author", "lena", env_dir=tmp_path).stdout
    assert out.startswith("guideline version 1 stored")
    f.write_text(GUIDE_2, encoding="utf-8")
    out = run("guideline", "set", str(f), "--author", "mia", env_dir=tmp_path).stdout
    assert out.startswith("guideline version 2 stored")
    shown = run("guideline", "show", env_dir=tmp_path)
    assert shown.stdout == GUIDE_2
    assert shown.stderr.startswith("guideline version 2 by mia, ")
    old = run("guideline", "show", "--version", "1", env_dir=tmp_path)
    assert old.stdout == GUIDE_1 and "version 1 by lena" in old.stderr
    data = json.loads(run("guideline", "show", "--json", env_dir=tmp_path).stdout)
    assert (data["version"], data["author"], data["text"]) == (2, "mia", GUIDE_2)
    assert data["created_at"]
    listed = run("guideline", "list", env_dir=tmp_path).stdout.splitlines()
    assert [line.split()[0] for line in listed] == ["1", "2"]
    missing = run("guideline", "show", "--version", "3", env_dir=tmp_path, check=False)
    assert missing.returncode == 1
    assert "No guideline version 3; this project has versions 1 to 2." in missing.stderr

    binary = tmp_path / "scan.md"
    binary.write_bytes(b"%PDF-1.7\n\x00\x00binary")
    for path, message in (
        (binary, f"{binary}:2: contains NUL bytes"),
        (tmp_path / "nope.md", f"{tmp_path / 'nope.md'}: no such file"),
        (tmp_path, f"{tmp_path}: is a folder"),
    ):
        proc = run("guideline", "set", str(path), env_dir=tmp_path, check=False)
        assert proc.returncode == 1, path
        assert message in proc.stderr
    assert (
        run("guideline", "show", "--json", env_dir=tmp_path).stdout
        == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    )  # nothing stored by the refused files


def _doc(i: int, agree: bool) -> dict[str, object]:
    text = f"Troops crossed river {i}. Talks resumed in Geneva. Sanctions hit banks."
    tanks = (0, text.index("."))
    talks = (text.index("Talks"), text.index("Geneva") + 6)
    spans = [
        {"start": tanks[0], "end": tanks[1], "label": "MILITARY", "annotator": "ann"},
        {"start": tanks[0], "end": tanks[1], "label": "MILITARY", "annotator": "bob"},
        {"start": talks[0], "end": talks[1], "label": "DIPLOMATIC", "annotator": "ann"},
        {
            "start": talks[0],
            "end": talks[1],
            "label": "DIPLOMATIC" if agree else "ECONOMIC",
            "annotator": "bob",
        },
    ]
    return {"id": f"d{i}", "text": text, "spans": spans, "status": {"ann": "done", "bob": "done"}}


def test_agree_limited_to_a_guideline_version(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "guide.md"
    f.write_text(GUIDE_1, encoding="utf-8")
    run("guideline", "set", str(f), env_dir=tmp_path)
    first = tmp_path / "round1.jsonl"
    first.write_text("".join(json.dumps(_doc(i, False)) + "\n" for i in range(3)), "utf-8")
    run("import", str(first), env_dir=tmp_path)  # no versions in the file: version 1
    f.write_text(GUIDE_2, encoding="utf-8")
    run("guideline", "set", str(f), env_dir=tmp_path)
    second = tmp_path / "round2.jsonl"
    second.write_text("".join(json.dumps(_doc(i, True)) + "\n" for i in range(3, 6)), "utf-8")
    run("import", str(second), env_dir=tmp_path)

    def agree(*extra: str) -> dict[str, object]:
        args = ("agree", "--level", "span", "--bootstrap", "0", "--json", *extra)
        return json.loads(run(*args, env_dir=tmp_path).stdout)

    everything, v1, v2 = (
        agree(),
        agree("--guideline-version", "1"),
        agree("--guideline-version", "2"),
    )
    assert len(everything["documents"]) == 6
    assert [d["id"] for d in v1["documents"]] == ["d0", "d1", "d2"]
    assert [d["id"] for d in v2["documents"]] == ["d3", "d4", "d5"]
    assert "only guideline version 2" in v2["policies"]["guideline"]
    assert "every guideline version" in everything["policies"]["guideline"]

    def f1(report: dict[str, object], label: str) -> float:
        rows = report["pairs"]
        assert isinstance(rows, list)
        return float(next(r for r in rows if r["label"] == label)["f1"])

    assert f1(v2, "DIPLOMATIC") == 1.0 and f1(v1, "DIPLOMATIC") == 0.0
    assert 0.0 < f1(everything, "DIPLOMATIC") < 1.0
    bad = run("agree", "--guideline-version", "7", env_dir=tmp_path, check=False)
    assert bad.returncode == 1 and "No guideline version 7" in bad.stderr
