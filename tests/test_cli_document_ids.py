"""Every ``--document`` (export, agree, adjudicate, suggest) takes the ids exports write,
repeated or comma-separated, and still a document's number; an unknown id is named, exits
2 and writes nothing. On a real SQLite file: one real subprocess, the rest the same
``main`` in this process (seconds, not minutes)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.model import GOLD_ANNOTATOR, Document, DocumentStatus
from annotator.core.text import content_hash
from annotator.services import Workspace
from annotator.storage import repo
from tests.test_cli import run

UNANIMOUS = "Sanctions hit the banks."


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Corpus:
    """A: "alpha"; B: "beta"; C: B's number as its external id; D: none (exported as its
    number). Every document is tagged the same by ann and bob and marked done by both."""

    url: str
    a: int
    b: int
    c: int
    d: int


Cli = Callable[..., Result]


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    url = f"sqlite:///{tmp_path / 'ids.sqlite3'}"
    ws = Workspace.open(url)
    try:

        def add(name: str, external_id: str) -> int:
            text = f"Report {name}. {UNANIMOUS} Troops crossed the river."
            doc = Document(
                text=text, title=name, content_hash=content_hash(text), external_id=external_id
            )
            doc_id = ws.db.write(lambda s: repo.add_document(s, doc))
            start = text.index(UNANIMOUS)
            for who in ("ann", "bob"):
                ws.annotations.add(
                    doc_id, start=start, end=start + len(UNANIMOUS), label="ECONOMIC", annotator=who
                )
                ws.annotations.set_status(doc_id, who, DocumentStatus.DONE)
            return doc_id

        a, b = add("A", "alpha"), add("B", "beta")
        c, d = add("C", str(b)), add("D", "")
        ws.suggestions.set_rules("ECONOMIC", "sanction*\n")
    finally:
        ws.close()
    # The legacy number below must be no document's external id, and C's must be B's.
    assert str(a) not in {"alpha", "beta", str(b)} and c != b
    return Corpus(url, a, b, c, d)


@pytest.fixture
def cli(corpus: Corpus, capsys: pytest.CaptureFixture[str]) -> Cli:
    def call(*args: str, check: bool = True) -> Result:
        capsys.readouterr()
        try:
            code = main(["--db", corpus.url, *args])
        except SystemExit as exc:  # argparse's own refusals
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        if check:
            assert code == 0, err
        return Result(code, out, err)

    return call


def _named(corpus: Corpus) -> tuple[str, ...]:
    """``--document`` values naming A (by its number: it has an external id, so only
    scripts written before give that), B (by its external id) and D (by the number its
    export writes), in a comma list and a repeat."""
    return ("--document", f"beta,{corpus.d}", "--document", str(corpus.a))


def _ambiguous_note(corpus: Corpus, stderr: str) -> None:
    """``--document B`` is C's external id and B's number: C is taken, and one line says
    so naming both."""
    notes = [line for line in stderr.splitlines() if line.startswith("annotator: note:")]
    assert len(notes) == 1, stderr
    assert f"#{corpus.c}" in notes[0] and f"#{corpus.b}" in notes[0] and "'beta'" in notes[0]


UNKNOWN = ("--document", "alpha,nope", "--document", "999,zzz")
UNKNOWN_MESSAGE = "No documents with ids 'nope', '999', 'zzz'."


def _all_spans(url: str) -> list[tuple[int, str, int, int, str]]:
    ws = Workspace.open(url)
    try:
        return [
            (d.id, s.annotator, s.start, s.end, s.label)
            for d in ws.documents.list()
            for s in ws.annotations.spans(d.id)
        ]
    finally:
        ws.close()


def test_export(corpus: Corpus, cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "some.jsonl"

    def ids() -> list[str]:
        return [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]

    done = cli("export", *_named(corpus), "-o", str(out))
    assert ids() == ["alpha", "beta", str(corpus.d)] and "note" not in done.stderr
    done = cli("export", "--document", str(corpus.b), "-o", str(out))
    assert ids() == [str(corpus.b)]  # C's record: its id is what was asked for
    _ambiguous_note(corpus, done.stderr)

    out.unlink()
    # The real entry point's exit code: 2, as for argparse's usage errors.
    refused = run(
        "--db", corpus.url, "export", *UNKNOWN, "-o", str(out), env_dir=tmp_path, check=False
    )
    assert refused.returncode == 2 and UNKNOWN_MESSAGE in refused.stderr
    assert not out.exists()


def test_agree(corpus: Corpus, cli: Cli, tmp_path: Path) -> None:
    def docs(r: Result) -> list[tuple[str, str]]:
        return [(d["key"], d["id"]) for d in json.loads(r.stdout)["documents"]]

    base = ("agree", "--json", "--bootstrap", "0")
    done = cli(*base, *_named(corpus))
    assert docs(done) == [
        (str(corpus.a), "alpha"),
        (str(corpus.b), "beta"),
        (str(corpus.d), str(corpus.d)),
    ]
    assert "note" not in done.stderr
    done = cli(*base, "--document", str(corpus.b))
    assert docs(done) == [(str(corpus.c), str(corpus.b))]
    _ambiguous_note(corpus, done.stderr)

    report = tmp_path / "report.html"
    refused = cli(*base, *UNKNOWN, "--report", str(report), check=False)
    assert refused.returncode == 2 and UNKNOWN_MESSAGE in refused.stderr
    assert refused.stdout == "" and not report.exists()


def test_adjudicate(corpus: Corpus, cli: Cli) -> None:
    base = ("adjudicate", "--annotators", "ann,bob", "--merge-unanimous", "--by", "lead")

    def gold() -> set[int]:
        return {d for d, who, *_ in _all_spans(corpus.url) if who == GOLD_ANNOTATOR}

    refused = cli(*base, *UNKNOWN, check=False)
    assert refused.returncode == 2 and UNKNOWN_MESSAGE in refused.stderr
    assert gold() == set()  # not even alpha's, which is known
    done = cli(*base, "--document", str(corpus.b))
    _ambiguous_note(corpus, done.stderr)
    assert gold() == {corpus.c}  # not B
    done = cli(*base, *_named(corpus))
    assert "in 3 document(s)" in done.stdout and "note" not in done.stderr
    assert gold() == {corpus.a, corpus.b, corpus.c, corpus.d}


def test_suggest(corpus: Corpus, cli: Cli) -> None:
    base = ("suggest", "--all", "--json")

    def docs(r: Result) -> set[int]:
        return {json.loads(line)["document_id"] for line in r.stdout.splitlines()}

    done = cli(*base, *_named(corpus))
    assert docs(done) == {corpus.a, corpus.b, corpus.d}
    assert "annotator: note" not in done.stderr
    done = cli(*base, "--document", str(corpus.b))
    assert docs(done) == {corpus.c}
    _ambiguous_note(corpus, done.stderr)

    before = _all_spans(corpus.url)
    refused = cli(
        "suggest", "--apply", "--annotator", "ann", "--min-precision", "0.5", *UNKNOWN, check=False
    )
    assert refused.returncode == 2 and UNKNOWN_MESSAGE in refused.stderr
    assert refused.stdout == "" and _all_spans(corpus.url) == before


def test_what_stats_queue_and_progress_print_is_taken_by_every_document_option(
    corpus: Corpus, cli: Cli, tmp_path: Path
) -> None:
    stats = json.loads(cli("stats", "--json").stdout)
    printed = [d["document"] for d in stats["documents"]]
    assert printed == ["alpha", "beta", str(corpus.b), str(corpus.d)]
    # cy's queue: every document (ann and bob are done with all of them).
    cli("assign", "--annotators", "cy")
    queue = [
        json.loads(line)["document"]
        for line in cli("queue", "--annotator", "cy", "--json").stdout.splitlines()
    ]
    assert sorted(queue) == sorted(printed)
    cli("skip", str(corpus.d), "--annotator", "cy", "--reason", "A press release.")
    progress = json.loads(cli("progress", "--json", "--bootstrap", "0").stdout)
    (cy,) = [p for p in progress["annotators"] if p["name"] == "cy"]
    assert [s["document"] for s in cy["skips"]] == [str(corpus.d)]

    every = ("--document", ",".join(printed))
    out = tmp_path / "all.jsonl"
    cli("export", *every, "-o", str(out))
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4
    agreed = json.loads(cli("agree", "--json", "--bootstrap", "0", *every).stdout)
    assert len(agreed["documents"]) == 4
    suggested = cli("suggest", "--all", "--json", *every).stdout.splitlines()
    assert {json.loads(line)["document_id"] for line in suggested} == {
        corpus.a,
        corpus.b,
        corpus.c,
        corpus.d,
    }
    merged = cli(
        "adjudicate", "--annotators", "ann,bob", "--merge-unanimous", "--by", "lead", *every
    )
    assert "in 4 document(s)" in merged.stdout
