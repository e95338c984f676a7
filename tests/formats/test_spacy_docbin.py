"""spaCy reads our DocBin as training data, and we read spaCy's own DocBins whole."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from annotator.formats.base import ExportItem
from annotator.formats.registry import get_importer

from .conftest import export

spacy = pytest.importorskip("spacy")
from spacy.tokens import Doc, DocBin, Span  # noqa: E402


def _load(path: Path) -> list[Doc]:
    nlp = spacy.blank("en")
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def _overlaps(keys: set[tuple[int, int, str]]) -> bool:
    ordered = sorted(keys)
    return any(a[1] > b[0] for a, b in itertools.pairwise(ordered))


def test_ents_stored_for_non_overlapping_layers_and_sc_always(
    layered: list[ExportItem], tmp_path: Path
) -> None:
    out = tmp_path / "train.spacy"
    report = export("spacy", layered, out)
    docs = _load(out)
    assert [d.text for d in docs] == [d.text for d, _ in layered]
    for sdoc, (d, spans) in zip(docs, layered, strict=True):
        want = {(s.start, s.end, s.label) for s in spans}
        sc = {(s.start_char, s.end_char, s.label_) for s in sdoc.spans["sc"]}
        assert sc == want
        ents = {(e.start_char, e.end_char, e.label_) for e in sdoc.ents}
        assert ents == (set() if _overlaps(want) else want)
        for e in [*sdoc.ents, *sdoc.spans["sc"]]:  # character by character
            assert e.text == d.text[e.start_char : e.end_char]
            assert list(e.text) == list(d.text[e.start_char : e.end_char])
    assert docs[0].ents and not docs[1].ents and docs[2].ents
    assert report.partial == {
        "not in doc.ents: the document has overlapping spans (kept in doc.spans['sc'])": 5
    }
    assert not report.dropped


def test_spacy_ner_training_sees_the_labels(layered: list[ExportItem], tmp_path: Path) -> None:
    """What `spacy debug data` / `spacy train` do first: build Examples, initialise NER."""
    from spacy.training import Example

    out = tmp_path / "train.spacy"
    export("spacy", layered, out)
    nlp = spacy.blank("en")
    examples = [
        Example(nlp.make_doc(d.text), d) for d in DocBin().from_disk(out).get_docs(nlp.vocab)
    ]
    ner = nlp.add_pipe("ner")
    nlp.initialize(lambda: examples)
    assert set(ner.labels) == {"KEY EVENT", "PLACE", "REACTION", "MILITARY"}
    # The gold entities the trainer gets are the non-overlapping layers' spans.
    gold = [{(e.start_char, e.end_char, e.label_) for e in ex.reference.ents} for ex in examples]
    assert gold[0] == {(s.start, s.end, s.label) for s in layered[0][1]}
    assert gold[1] == set()
    assert gold[2] == {(s.start, s.end, s.label) for s in layered[2][1]}


def test_two_annotators_drawing_the_same_span_still_fill_ents(tmp_path: Path) -> None:
    from .conftest import doc, find

    d = doc("Talks in Genève resumed.", 1)
    items: list[ExportItem] = [(d, [find(d, "Genève", "PLACE"), find(d, "Genève", "PLACE", "bob")])]
    report = export("spacy", items, tmp_path / "o.spacy")
    (sdoc,) = _load(tmp_path / "o.spacy")
    assert [(e.text, e.label_) for e in sdoc.ents] == [("Genève", "PLACE")]
    assert not report.partial
    back = list(get_importer("spacy").read(tmp_path / "o.spacy", default_annotator="x"))
    assert sorted(s.annotator for s in back[0].spans) == ["alice", "bob"]


def test_import_reads_every_span_group_and_ents_once(tmp_path: Path) -> None:
    """A DocBin as spaCy users make it: ents, 'sc' and another group, no user_data."""
    nlp = spacy.blank("en")
    sdoc = nlp("Troops 🚀 moved east of Genève today.")
    sdoc.ents = [Span(sdoc, 0, 1, label="MILITARY"), Span(sdoc, 5, 6, label="PLACE")]
    sdoc.spans["sc"] = [Span(sdoc, 0, 1, label="MILITARY"), Span(sdoc, 0, 4, label="KEY EVENT")]
    sdoc.spans["custom"] = [Span(sdoc, 2, 4, label="MOVE"), Span(sdoc, 5, 6, label="PLACE")]
    bare = nlp("Only ents here.")
    bare.ents = [Span(bare, 0, 1, label="ONLY")]
    db = DocBin(docs=[sdoc, bare])
    path = tmp_path / "theirs.spacy"
    db.to_disk(path)
    items = list(get_importer("spacy").read(path, default_annotator="imported"))
    text = items[0].document.text
    got = sorted((s.start, s.end, s.label, text[s.start : s.end]) for s in items[0].spans)
    want = [
        ("MILITARY", "Troops"),
        ("KEY EVENT", "Troops 🚀 moved east"),
        ("MOVE", "moved east"),
        ("PLACE", "Genève"),
    ]
    assert got == sorted((text.index(t), text.index(t) + len(t), lab, t) for lab, t in want)
    assert {s.annotator for s in items[0].spans} == {"imported"}
    assert [(s.label, items[1].document.text[s.start : s.end]) for s in items[1].spans] == [
        ("ONLY", "Only")
    ]


def test_round_trip_gives_back_annotators_and_notes(
    layered: list[ExportItem], tmp_path: Path
) -> None:
    export("spacy", layered, tmp_path / "o.spacy")
    back = list(get_importer("spacy").read(tmp_path / "o.spacy", default_annotator="x"))
    for item, (d, spans) in zip(back, layered, strict=True):
        assert item.document.text == d.text
        want = sorted((s.start, s.end, s.label, s.annotator, s.note) for s in spans)
        assert sorted((s.start, s.end, s.label, s.annotator, s.note) for s in item.spans) == want


@pytest.mark.slow
def test_spacy_debug_data_sees_the_ner_labels(layered: list[ExportItem], tmp_path: Path) -> None:
    """The check the issue reported failing: `spacy debug data` on our DocBin."""
    import os
    import subprocess
    import sys

    export("spacy", layered, tmp_path / "train.spacy")
    cfg = tmp_path / "cfg.cfg"
    run = [sys.executable, "-m", "spacy"]
    subprocess.run([*run, "init", "config", "-l", "en", "-p", "ner", str(cfg)], check=True)
    out = subprocess.run(
        [
            *run,
            "debug",
            "data",
            str(cfg),
            "--paths.train",
            str(tmp_path / "train.spacy"),
            "--paths.dev",
            str(tmp_path / "train.spacy"),
            "--no-format",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert "Named Entity Recognition" in out.stdout, out.stdout + out.stderr
    assert "4 label(s)" in out.stdout
