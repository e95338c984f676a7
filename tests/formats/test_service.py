"""Export and import through the services and the CLI on a real SQLite database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.model import DocumentStatus, SpanFilter
from annotator.formats.registry import exporter_names
from annotator.services import Workspace

TEXTS = [
    "NATO 👨‍👩‍👧 troops moved east. Talks in Genève resumed.",
    "Tariffs rose 5%. Troops stayed home.",
    "Café e\u0301 talks 🇫🇷 continued.",
    "Nothing here at all.",
]


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    w = Workspace.open(url)
    src = tmp_path / "src.jsonl"
    src.write_text(
        "".join(json.dumps({"id": f"doc{i}", "text": t}) + "\n" for i, t in enumerate(TEXTS)),
        encoding="utf-8",
    )
    assert not w.importer.import_paths([src]).errors
    have = {lab.name for lab in w.labels.list()}
    for name in ("MILITARY", "DIPLOMATIC", "ECONOMIC"):
        if name not in have:
            w.labels.add(name)
    docs = {d.title or d.id: d.id for d in w.documents.list()}
    ids = sorted(docs.values())

    def tag(doc_id: int, needle: str, label: str, who: str) -> None:
        text = w.documents.get(doc_id).text
        start = text.index(needle)
        w.annotations.add(doc_id, start=start, end=start + len(needle), label=label, annotator=who)

    for who in ("alice", "bob", "carol"):
        tag(ids[0], "troops", "MILITARY", who)
    tag(ids[0], "Talks in Genève", "DIPLOMATIC", "alice")
    tag(ids[0], "Talks in Genève", "DIPLOMATIC", "bob")
    tag(ids[0], "NATO", "MILITARY", "carol")
    tag(ids[1], "Tariffs rose 5%", "ECONOMIC", "alice")
    tag(ids[2], "talks 🇫🇷", "DIPLOMATIC", "gold")
    w.annotations.set_status(ids[0], "alice", DocumentStatus.DONE)
    w.annotations.set_status(ids[1], "alice", DocumentStatus.DONE)
    yield w
    w.close()


def _keys(path: Path) -> set[tuple[str, int, int, str, str]]:
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        out |= {(rec["id"], s["start"], s["end"], s["label"], s["annotator"]) for s in rec["spans"]}
    return out


def test_formats_listing_for_the_dialog(ws: Workspace) -> None:
    infos = {f.name: f for f in ws.exporter.formats()}
    assert (
        list(infos)
        == exporter_names()
        == [
            "jsonl",
            "doccano",
            "prodigy",
            "spacy",
            "label-studio",
            "brat",
            "conll",
            "passages",
            "passages-csv",
        ]
    )
    assert infos["brat"].multi_file and not infos["jsonl"].multi_file
    assert [o.name for o in infos["conll"].options] == ["overlap", "metadata", "docstart"]
    assert {o.name for o in infos["passages"].options} == {"unit", "rule"}
    assert infos["passages"].can_import is False and infos["doccano"].can_import is True
    assert all(f.title and f.extensions for f in infos.values())


def test_majority_vote_keeps_spans_most_annotators_drew(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "m.jsonl"
    report = ws.exporter.export(
        "jsonl", out, majority=True, filter=SpanFilter(annotators=("alice", "bob", "carol"))
    )
    text = TEXTS[0]
    troops, talks = text.index("troops"), text.index("Talks in Genève")
    # troops: 3 of 3 votes; Talks in Genève: 2 of 3; NATO (carol) and Tariffs (alice): 1 of 3.
    assert _keys(out) == {
        ("doc0", troops, troops + 6, "MILITARY", "majority"),
        ("doc0", talks, talks + len("Talks in Genève"), "DIPLOMATIC", "majority"),
    }
    assert report.spans == 2 and report.documents == 4


def test_gold_layer_and_label_subset_and_only_done(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "g.jsonl"
    ws.exporter.export("jsonl", out, filter=SpanFilter(annotators=("gold",)))
    assert {who for *_, who in _keys(out)} == {"gold"}
    ws.exporter.export("jsonl", out, filter=SpanFilter(labels=("ECONOMIC",)))
    assert {lab for *_, lab, _ in _keys(out)} == {"ECONOMIC"}
    ws.exporter.export("jsonl", out, filter=SpanFilter(annotators=("alice",), only_done=True))
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == [
        "doc0",
        "doc1",
    ]


def test_split_is_by_document_reproducible_and_complete(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl"
    report = ws.exporter.export("jsonl", out, split=(50, 25, 25), seed=3)
    parts = {
        p: [json.loads(x)["id"] for x in (tmp_path / f"s.{p}.jsonl").read_text().splitlines()]
        for p in ("train", "dev", "test")
    }
    assert sorted(x for v in parts.values() for x in v) == ["doc0", "doc1", "doc2", "doc3"]
    assert [len(v) for v in parts.values()] == [2, 1, 1]
    assert set(report.parts) == {"train", "dev", "test"} and report.documents == 4
    again = tmp_path / "again.jsonl"
    ws.exporter.export("jsonl", again, split=(50, 25, 25), seed=3)
    assert [
        json.loads(x)["id"] for x in (tmp_path / "again.train.jsonl").read_text().splitlines()
    ] == parts["train"]


def test_split_of_a_folder_format_writes_subfolders(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    ws.exporter.export("brat", out, split=(80, 20), seed=1)
    assert sorted(p.name for p in out.iterdir()) == ["test", "train"]
    assert len(list(out.glob("*/*.ann"))) == 4
    assert all((out / p / "annotation.conf").is_file() for p in ("train", "test"))


def test_cli_export_and_import_every_round_trip_format(
    ws: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    for name, dest in (
        ("doccano", "d.jsonl"),
        ("prodigy", "p.jsonl"),
        ("label-studio", "l.json"),
        ("brat", "b"),
        ("conll", "c.conll"),
        ("spacy", "s.spacy"),
    ):
        if name == "spacy":
            pytest.importorskip("spacy")
        args = ["--db", url, "export", "--format", name, "-o", str(tmp_path / dest)]
        if name == "conll":
            args += ["--conll-overlap", "longest"]
        assert main(args) == 0, name
        other = f"sqlite:///{tmp_path}/{name}.sqlite3"
        assert (
            main(
                [
                    "--db",
                    other,
                    "import",
                    "--format",
                    name,
                    str(tmp_path / dest),
                    "--annotator",
                    "imp",
                    "--create-labels",
                ]
            )
            == 0
        ), name
        w2 = Workspace.open(other)
        try:
            assert sorted(d.length for d in w2.documents.list()) == sorted(len(t) for t in TEXTS)
        finally:
            w2.close()
    assert (
        main(
            [
                "--db",
                url,
                "export",
                "--format",
                "passages",
                "-o",
                str(tmp_path / "p.jsonl"),
                "--passage-unit",
                "paragraph",
                "--passage-rule",
                "any",
                "--split",
                "80/10/10",
                "--seed",
                "2",
            ]
        )
        == 0
    )
    assert (tmp_path / "p.train.jsonl").is_file()
    printed = capsys.readouterr().out
    # conll cannot carry annotators, and says so
    assert "annotator of a span (CoNLL has no annotator column)" in printed


def test_import_refuses_bad_file_whole_and_names_the_line(ws: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"text": "Troops here.", "label": [[0, 6, "MILITARY"]]})
        + "\n"
        + json.dumps({"text": "Short", "label": [[0, 60, "MILITARY"]]})
        + "\n",
        encoding="utf-8",
    )
    before = ws.documents.count()
    report = ws.importer.import_paths([bad], format="doccano", annotator="x")
    assert report.errors and f"{bad}:2:" in str(report.errors[0])
    assert ws.documents.count() == before


def test_identical_spans_are_kept_once_and_the_report_says_so(tmp_path: Path) -> None:
    ws = Workspace.open(f"sqlite:///{tmp_path / 'dup.sqlite3'}")
    try:
        src = tmp_path / "dup.jsonl"
        span = {"start": 0, "end": 6, "label": "MILITARY", "annotator": "alice"}
        rec = {"id": "d1", "text": "Troops crossed the river.", "spans": [span, span]}
        src.write_text(json.dumps(rec) + "\n", encoding="utf-8")
        first = ws.importer.import_paths([src])
        assert first.spans_added == 1
        assert "skipped 1 identical span(s)" in first.summary()
        again = ws.importer.import_paths([src])
        assert again.spans_added == 0
        assert "skipped 2 identical span(s)" in again.summary()
        doc = ws.documents.list()[0].id
        assert len(ws.annotations.spans(doc)) == 1
    finally:
        ws.close()
