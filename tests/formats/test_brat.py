"""brat: a corpus folder as brat users keep it (events, relations, notes, attributes on
every kind, CRLF text) imports whole; our export splits fragments where brat splits lines."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.formats.base import ExportItem
from annotator.formats.brat import BAD_LABEL, LINE_BREAKS, LOST_META
from annotator.formats.registry import get_importer
from annotator.services import Workspace

from .conftest import export

CORPUS = Path(__file__).parent / "fixtures" / "brat_corpus"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    yield w
    w.close()


def test_linebreaks_are_what_splitlines_breaks_at() -> None:
    assert {c for c in map(chr, range(0x3000)) if len(f"a{c}b".splitlines()) > 1} == set(
        LINE_BREAKS
    )


def test_corpus_with_events_relations_notes_and_attributes_imports_whole() -> None:
    items = {
        i.document.external_id: i for i in get_importer("brat").read(CORPUS, default_annotator="x")
    }
    assert sorted(items) == ["doc1", "doc2"]
    d1 = items["doc1"]
    text = d1.document.text
    assert "\r" not in text and "\u2028" in text and "\f" in text
    got = sorted((text[s.start : s.end], s.label, s.note) for s in d1.spans)
    assert got == [
        ("Goma", "Place", "city in the east"),
        ("Rebels", "Group", ""),
        ("Talks in Genève\u2028resumed\fat noon", "KEY_EVENT", ""),
        ("attacked", "Attack", ""),
        ("convoy", "Target", ""),
        ("🚀", "Reaction", ""),
    ]
    kept = d1.document.meta["brat_annotations"]
    assert {line.split("\t")[0] for line in kept} == {
        "E1",
        "R1",
        "A1",
        "A2",
        "M3",
        "#1",
        "#3",
        "N1",
        "*",
    }
    assert [
        (s.label, items["doc2"].document.text[s.start : s.end]) for s in items["doc2"].spans
    ] == [
        ("Group", "Troops"),
        ("Move", "moved east"),
    ]


@pytest.mark.parametrize("fmt", [None, "brat"])
def test_corpus_folder_imports_through_the_service(ws: Workspace, fmt: str | None) -> None:
    report = ws.importer.import_paths([CORPUS], format=fmt, create_labels=True)
    assert not report.errors
    assert report.documents_added == 2 and report.spans_added == 8


def _brat_lines(ann: Path) -> list[str]:
    """The .ann as brat reads it: split with str.splitlines."""
    return ann.read_text(encoding="utf-8").splitlines()


def test_export_fragments_split_at_every_brat_line_break(
    layered: list[ExportItem], tmp_path: Path
) -> None:
    d, spans = layered[0]
    place = next(s for s in spans if s.label == "PLACE")
    spans = [
        *spans,
        dataclasses.replace(place, annotator="bob", note="two\u2028lines\fand\x85more"),
    ]
    items = [(d, spans), *layered[1:]]
    out = tmp_path / "brat"
    report = export("brat", items, out)
    by_text = {doc.text: sp for doc, sp in items}
    back = list(get_importer("brat").read(out, default_annotator="x"))
    for ann in sorted(out.glob("*.ann")):
        text = ann.with_suffix(".txt").read_bytes().decode("utf-8")
        assert text in by_text
        found = set()
        for line in _brat_lines(ann):
            ident, rest = line.split("\t", 1)
            if not ident.startswith("T"):
                continue
            head, shown = rest.split("\t")
            label, where = head.split(" ", 1)
            frags = [tuple(map(int, f.split())) for f in where.split(";")]
            pieces = [text[a:b] for a, b in frags]
            assert not any(c in LINE_BREAKS for p in pieces for c in p)
            assert " ".join(pieces) == shown
            found.add((frags[0][0], frags[-1][1], label))
        want = {(s.start, s.end, s.label) for s in by_text[text] if re.fullmatch(r"\S+", s.label)}
        assert found == want
    # Labels with spaces are refused by name in the report, never written broken.
    assert report.dropped == {BAD_LABEL: sum(s.label == "KEY EVENT" for _, sp in items for s in sp)}
    assert report.lost == {LOST_META: 3}
    notes = {s.note for item in back for s in item.spans}
    assert "two\u2028lines\fand\x85more" in notes
    for item in back:
        src = by_text[item.document.text]
        want_spans = {(s.start, s.end, s.label, s.annotator) for s in src if " " not in s.label}
        assert {(s.start, s.end, s.label, s.annotator) for s in item.spans} == want_spans
