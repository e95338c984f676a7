"""``annotator export --document ID``: a pipeline exports the documents it names, by the
ids exports write, from a real SQLite file (issue 26)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import run

DOCS = [
    {"id": "alpha", "text": "Troops moved to the front line.", "spans": [[0, 6, "MILITARY"]]},
    {"id": "beta", "text": "Sanctions hit the budget.", "spans": [[0, 9, "ECONOMIC"]]},
    {"id": "x,y", "text": "An id with a comma in it.", "spans": []},
    {"id": "gamma", "text": "Envoys met at the summit.", "spans": [[0, 6, "DIPLOMATIC"]]},
    {"text": "A document imported without an id.", "spans": [[2, 10, "ECONOMIC"]]},
]


def _records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _setup(tmp_path: Path) -> tuple[str, list[dict[str, object]]]:
    src = tmp_path / "in.jsonl"
    lines = []
    for d in DOCS:
        spans = [
            {"start": a, "end": b, "label": lab, "annotator": "ann"} for a, b, lab in d["spans"]
        ]  # type: ignore[attr-defined]
        rec = {k: v for k, v in d.items() if k != "spans"}
        lines.append(json.dumps({**rec, "spans": spans}))
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    run("--db", db, "import", str(src), env_dir=tmp_path)
    everything = tmp_path / "all.jsonl"
    run("--db", db, "export", "-o", str(everything), env_dir=tmp_path)
    return db, _records(everything)


def test_export_takes_only_the_named_documents(tmp_path: Path) -> None:
    db, every = _setup(tmp_path)
    by_id = {str(r["id"]): r for r in every}
    numbered = [i for i in by_id if i.isdigit()]
    assert len(numbered) == 1  # the document without an id is written by its number
    out = tmp_path / "some.jsonl"
    done = run(
        "--db",
        db,
        "export",
        "--document",
        f"gamma,{numbered[0]}",
        "--document",
        "x,y",  # named whole: the id has a comma
        "--document",
        "alpha",
        "-o",
        str(out),
        env_dir=tmp_path,
    )
    assert "4 document(s)" in done.stdout
    got = _records(out)
    # In the order of the full export, each record exactly as it writes it.
    assert [r["id"] for r in got] == [
        r["id"] for r in every if r["id"] in {"alpha", "x,y", "gamma", numbered[0]}
    ]
    for rec in got:
        assert rec == by_id[str(rec["id"])]
    assert {s["label"] for r in got for s in r["spans"]} == {  # type: ignore[attr-defined]
        "MILITARY",
        "DIPLOMATIC",
        "ECONOMIC",
    }

    # With another filter: the named documents, and only that label's spans.
    out2 = tmp_path / "one.jsonl"
    run(
        "--db",
        db,
        "export",
        "--document",
        "beta,alpha",
        "--label",
        "ECONOMIC",
        "-o",
        str(out2),
        env_dir=tmp_path,
    )
    got2 = _records(out2)
    assert [r["id"] for r in got2] == ["alpha", "beta"]
    assert [len(r["spans"]) for r in got2] == [0, 1]  # type: ignore[arg-type]


def test_an_unknown_document_id_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    db, _every = _setup(tmp_path)
    out = tmp_path / "none.jsonl"
    done = run(
        "--db",
        db,
        "export",
        "--document",
        "alpha,nope",
        "--document",
        "x",  # half of "x,y" names nothing
        "--document",
        "007",  # not how a number is written
        "-o",
        str(out),
        env_dir=tmp_path,
        check=False,
    )
    assert done.returncode == 2  # a usage error, as argparse's
    assert "No documents with ids 'nope', 'x', '007'." in done.stderr
    assert not out.exists()

    # An empty id (a script's unset variable) is refused, not read as "every document".
    empty = run(
        "--db", db, "export", "--document", "", "-o", str(out), env_dir=tmp_path, check=False
    )
    assert empty.returncode == 2 and "No document id given." in empty.stderr
    assert not out.exists()
