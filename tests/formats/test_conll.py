"""CoNLL export read by the real consumers (spaCy's converters, nltk, seqeval), and the
layouts peers write (CoNLL-2003 four columns, spaCy .iob) read by our importer."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from annotator.formats.base import ExportItem
from annotator.formats.registry import get_importer

from .conftest import doc, export, find

FIXTURES = Path(__file__).parent / "fixtures"
Key = tuple[int, int, str]


def _written(
    items: list[ExportItem], report_dropped: set[tuple[int, int, str, str]]
) -> list[set[Key]]:
    return [
        {
            (s.start, s.end, s.label)
            for s in spans
            if (s.start, s.end, s.label, s.annotator) not in report_dropped
        }
        for _, spans in items
    ]


def _dropped(report: object) -> set[tuple[int, int, str, str]]:
    return {(d.start, d.end, d.label, d.annotator) for d in report.dropped_spans}  # type: ignore[attr-defined]


def _offsets(text: str, tokens: list[str]) -> list[tuple[int, int]]:
    """Where each token lies in ``text``, with only whitespace between (checked)."""
    out, pos = [], 0
    for tok in tokens:
        start = text.index(tok, pos)
        assert not text[pos:start].strip(), (tok, text[pos:start])
        out.append((start, start + len(tok)))
        pos = start + len(tok)
    assert not text[pos:].strip()
    return out


def test_default_is_conll_2003_without_comments(layered: list[ExportItem], tmp_path: Path) -> None:
    out = tmp_path / "o.conll"
    report = export("conll", layered, out)
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[:2] == ["-DOCSTART- -X- O O", ""]  # the line spaCy splits on
    assert lines.count("-DOCSTART- -X- O O") == 3
    body = [ln for ln in lines if ln and not ln.startswith("-DOCSTART-")]
    assert all(len(ln.split(" ")) == 2 and len(ln.split()) == 2 for ln in body)
    assert not any(ln.startswith("#") for ln in body)
    assert "B-KEY%20EVENT" in {ln.split()[1] for ln in body}
    assert report.encoded == {"KEY EVENT": "KEY%20EVENT"}
    n_spans = sum(len(s) for _, s in layered)
    assert report.lost["annotator of a span (CoNLL has no annotator column)"] == n_spans
    assert report.lost["note of a span (CoNLL has no place for notes)"] == 1
    meta = [json.loads(x) for x in (tmp_path / "o.conll.meta").read_text("utf-8").splitlines()]
    assert [m["text"] for m in meta] == [d.text for d, _ in layered]


def test_nltk_and_seqeval_read_every_span(
    layered: list[ExportItem], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nltk.corpus.reader import ConllCorpusReader
    from seqeval.metrics.sequence_labeling import get_entities

    monkeypatch.setenv("NLTK_DATA", str(tmp_path))  # nltk reads only below its data roots
    out = tmp_path / "o.conll"
    report = export("conll", layered, out)
    reader = ConllCorpusReader(str(tmp_path), ["o.conll"], ("words", "pos"))
    sents = [s for s in reader.tagged_sents() if s]  # -DOCSTART- blocks come out empty
    # nltk has no documents: place the tokens in all texts one after another.
    whole = "\n".join(d.text for d, _ in layered)
    starts = [0]
    for d, _ in layered:
        starts.append(starts[-1] + len(d.text) + 1)
    words = [w for s in sents for w, _ in s]
    offs = _offsets(whole, words)
    tags = [t for s in sents for _, t in s]
    got: set[Key] = set()
    for label, a, b in get_entities(tags):
        s, e = offs[a][0], offs[b][1]
        got.add((s, e, unquote(label)))
        # character by character, the whitespace between tokens aside
        assert list("".join(words[a : b + 1])) == [c for c in whole[s:e] if not c.isspace()]
    want = {
        (starts[i] + s, starts[i] + e, lab)
        for i, keys in enumerate(_written(layered, _dropped(report)))
        for s, e, lab in keys
    }
    assert got == want


def test_spacy_conll_converter_reads_documents_and_entities(
    layered: list[ExportItem], tmp_path: Path
) -> None:
    pytest.importorskip("spacy")
    from spacy.training.converters import conll_ner_to_docs

    out = tmp_path / "o.conll"
    report = export("conll", layered, out, docstart="spacy")
    docs = list(conll_ner_to_docs(out.read_text("utf-8"), n_sents=0, no_print=True))
    assert len(docs) == len(layered)
    want = _written(layered, _dropped(report))
    for sdoc, (d, _), keys in zip(docs, layered, want, strict=True):
        words = [t.text for t in sdoc]
        offs = _offsets(d.text, words)
        got = {(offs[e.start][0], offs[e.end - 1][1], unquote(e.label_)) for e in sdoc.ents}
        assert got == keys
        for e in sdoc.ents:  # character by character, whitespace aside
            span_text = d.text[offs[e.start][0] : offs[e.end - 1][1]]
            assert "".join(e.text.split()) == "".join(span_text.split())


def test_default_docstart_is_split_by_spacy(tmp_path: Path) -> None:
    """spaCy's converter splits only on '-DOCSTART- -X- O O': the default writes it, the
    conll2003 line merges every document into one."""
    pytest.importorskip("spacy")
    from spacy.training.converters import conll_ner_to_docs

    d1, d2 = doc("Troops moved.", 1), doc("Talks resumed.", 2)
    items: list[ExportItem] = [(d1, [find(d1, "Troops", "MIL")]), (d2, [])]
    export("conll", items, tmp_path / "a.conll")
    export("conll", items, tmp_path / "b.conll", docstart="conll2003")
    assert (tmp_path / "a.conll").read_text().splitlines()[0] == "-DOCSTART- -X- O O"
    a = list(conll_ner_to_docs((tmp_path / "a.conll").read_text(), n_sents=0, no_print=True))
    b = list(conll_ner_to_docs((tmp_path / "b.conll").read_text(), n_sents=0, no_print=True))
    assert len(a) == 2 and len(b) == 1
    assert [t.text for t in a[0]] == ["Troops", "moved", "."]
    assert [(e.text, e.label_) for e in a[0].ents] == [("Troops", "MIL")]


def test_dropped_spans_do_not_cut_words(tmp_path: Path) -> None:
    d = doc("The president spoke to reporters.", 1)
    items: list[ExportItem] = [
        (d, [find(d, "The president spoke", "EVENT"), find(d, "esident", "PART", "bob")])
    ]
    report = export("conll", items, tmp_path / "o.conll")
    words = [ln.split()[0] for ln in (tmp_path / "o.conll").read_text().splitlines() if ln]
    assert "president" in words and "esident" not in words and "pr" not in words
    assert report.dropped == {
        "overlaps a longer span (CoNLL keeps one tag per token; longest wins)": 1
    }


def test_round_trip_through_our_importer_keeps_labels_with_spaces(
    layered: list[ExportItem], tmp_path: Path
) -> None:
    out = tmp_path / "o.conll"
    report = export("conll", layered, out)
    back = list(get_importer("conll").read(out, default_annotator="x"))
    assert [b.document.text for b in back] == [d.text for d, _ in layered]
    assert [b.document.external_id for b in back] == ["10", "11", "12"]
    want = _written(layered, _dropped(report))
    for item, keys in zip(back, want, strict=True):
        assert {(s.start, s.end, s.label) for s in item.spans} == keys
    assert any(s.label == "KEY EVENT" for b in back for s in b.spans)


def test_conll_2003_four_columns_take_the_last_column(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    from spacy.training.converters import conll_ner_to_docs

    path = FIXTURES / "conll2003.conll"
    items = list(get_importer("conll").read(path, default_annotator="x"))
    assert len(items) == 2
    ours = [[(it.document.text[s.start : s.end], s.label) for s in it.spans] for it in items]
    assert ours[0] == [
        ("EU", "ORG"),
        ("German", "MISC"),
        ("British", "MISC"),
        ("Peter Blackburn", "PER"),
    ]
    assert ours[1] == [("BRUSSELS", "LOC")]
    text = path.read_text().replace("-DOCSTART- -X- -X- O", "-DOCSTART- -X- O O")
    theirs = [
        [(e.text, e.label_) for e in d.ents]
        for d in conll_ner_to_docs(text, n_sents=0, no_print=True)
    ]
    assert theirs == ours


def test_spacy_iob_file_reads_like_spacy_reads_it() -> None:
    pytest.importorskip("spacy")
    from spacy.training.converters import iob_to_docs

    path = FIXTURES / "spacy_sample.iob"
    (item,) = list(get_importer("conll").read(path, default_annotator="x"))
    ours = [(item.document.text[s.start : s.end], s.label) for s in item.spans]
    assert ours == [("London", "GPE"), ("New York City", "GPE"), ("Genève", "KEY EVENT")]
    theirs = [
        (e.text, unquote(e.label_))
        for d in iob_to_docs(path.read_text("utf-8"), n_sents=10, no_print=True)
        for e in d.ents
    ]
    assert theirs == ours
    assert item.document.text.split("\n")[1] == "Talks in Genève 👍"


def test_chunk_column_is_never_taken_for_entities(tmp_path: Path) -> None:
    path = tmp_path / "three.conll"
    path.write_text("EU B-NP B-ORG\nrejects B-VP O\n", encoding="utf-8")
    (item,) = list(get_importer("conll").read(path, default_annotator="x"))
    assert [(s.start, s.end, s.label) for s in item.spans] == [(0, 2, "ORG")]


def test_layers_without_a_record_of_the_columns_is_refused() -> None:
    from annotator.core.errors import AnnotatorError
    from annotator.formats.registry import get_exporter

    with pytest.raises(AnnotatorError, match="overlap=layers needs metadata"):
        get_exporter("conll", overlap="layers", metadata="none")
