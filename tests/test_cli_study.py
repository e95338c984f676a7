"""Issue 22 from the command line, as a lead and annotators run it, on a real SQLite file,
the JSON shapes of the issue's Interface section kept exactly. The first plan is made by a
real subprocess; the rest calls the same ``main`` in this process (seconds, not minutes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import run

from annotator.cli import main


class Result:
    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = code, stdout, stderr


@pytest.fixture
def cli_in(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def call(db: str, *args: str, check: bool = True) -> Result:
        capsys.readouterr()
        code = main(["--db", db, *args])
        out, err = capsys.readouterr()
        if check:
            assert code == 0, err
        return Result(code, out, err)

    return call


def _corpus(folder: Path, n: int, first: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(first, first + n):
        body = " ".join(
            ["Troops crossed the river.", "Envoys met in Geneva."][: 1 + i % 2] * (i % 4 + 1)
        )
        (folder / f"art-{i:02d}.txt").write_text(f"Article {i}. {body}\n", encoding="utf-8")
    return folder


def test_assign_queue_skip_progress_and_project_from_the_cli(
    tmp_path: Path,
    cli_in,  # type: ignore[no-untyped-def]
) -> None:
    db = f"sqlite:///{tmp_path / 'study.sqlite3'}"

    def cli(*args: str, check: bool = True) -> Result:
        return cli_in(db, *args, check=check)

    cli("import", str(_corpus(tmp_path / "in", 40)))
    out = run(
        "--db",
        db,
        "assign",
        "--annotators",
        "ann,bob,cat",
        "--overlap",
        "0.25",
        "--per-document",
        "2",
        "--seed",
        "3",
        "--json",
        env_dir=tmp_path,
    )
    plan = json.loads(out.stdout)
    assert list(plan) == ["assignments"]
    rows = plan["assignments"]
    assert len(rows) == 40 and all(set(r) == {"document", "annotators"} for r in rows)
    assert sorted(len(r["annotators"]) for r in rows) == [1] * 30 + [2] * 10
    # Same seed elsewhere: the same plan.
    again = f"sqlite:///{tmp_path / 'again.sqlite3'}"
    cli_in(again, "import", str(tmp_path / "in"))
    out2 = cli_in(
        again,
        "assign",
        "--annotators",
        "ann,bob,cat",
        "--overlap",
        "0.25",
        "--per-document",
        "2",
        "--seed",
        "3",
        "--json",
    )
    assert json.loads(out2.stdout) == plan

    show = json.loads(cli("project", "show", "--json").stdout)
    assert show["blind"] is True and show["overlap_documents"] == 10
    cli("project", "blind", "off")
    assert json.loads(cli("project", "show", "--json").stdout)["blind"] is False
    cli("project", "blind", "on")

    lines = cli("queue", "--annotator", "ann", "--json").stdout.splitlines()
    queue = [json.loads(x) for x in lines]
    mine = [r["document"] for r in rows if "ann" in r["annotators"]]
    assert sorted(q["document"] for q in queue) == sorted(mine)
    assert all(set(q) == {"document", "title"} for q in queue)
    cli("skip", queue[0]["document"], "--annotator", "ann", "--reason", "A press release.")
    after = [
        json.loads(x) for x in cli("queue", "--annotator", "ann", "--json").stdout.splitlines()
    ]
    assert [q["document"] for q in after] == [q["document"] for q in queue[1:]]

    prog = json.loads(cli("progress", "--json", "--bootstrap", "0").stdout)
    assert {"annotators", "overlap_documents", "agreement"} <= set(prog)
    assert prog["overlap_documents"] == 10
    people = {p["name"]: p for p in prog["annotators"]}
    assert set(people) == {"ann", "bob", "cat"}
    for p in people.values():
        assert {"name", "assigned", "done", "in_progress", "skipped", "spans"} <= set(p)
    assert people["ann"]["skipped"] == 1
    assert people["ann"]["skips"] == [
        {"document": queue[0]["document"], "reason": "A press release."}
    ]
    assert sum(p["assigned"] for p in people.values()) == 50
    text = cli("progress").stdout
    assert "ann skipped" in text and "A press release." in text

    # Later documents follow the stored plan; a handover moves unfinished work.
    cli("import", str(_corpus(tmp_path / "later", 4, first=41)))
    later = json.loads(cli("assign", "--json").stdout)["assignments"]
    assert len(later) == 4
    moved = cli("handover", "--from", "cat", "--to", "ann,bob").stdout
    assert "handed over" in moved
    assert cli("queue", "--annotator", "cat").stdout == ""


def test_assign_refuses_a_bad_plan_and_changes_nothing(
    tmp_path: Path,
    cli_in,  # type: ignore[no-untyped-def]
) -> None:
    db = f"sqlite:///{tmp_path / 'study.sqlite3'}"
    cli_in(db, "import", str(_corpus(tmp_path / "in", 4)))
    for args, words in (
        (("--annotators", "ann,bob", "--overlap", "1.5", "--per-document", "2"), "--overlap"),
        (("--annotators", "ann,bob", "--overlap", "0.5", "--per-document", "3"), "--per-document"),
        (("--annotators", "ann,ann", "--overlap", "0.5", "--per-document", "2"), "twice"),
        ((), "No plan yet"),
    ):
        proc = cli_in(db, "assign", *args, check=False)
        assert proc.returncode == 1 and words in proc.stderr, proc.stderr
    show = json.loads(cli_in(db, "project", "show", "--json").stdout)
    assert show["assigned_documents"] == 0 and show["plan"] is None
