"""Each export loaded by the tool that consumes it, or by a small parser written here
independently of our importers."""

from __future__ import annotations

import csv
import itertools
import json
import re
from pathlib import Path

import pytest

from annotator.formats.base import ExportItem

from .conftest import export


def _keys(items: list[ExportItem]) -> dict[str, set[tuple[int, int, str]]]:
    return {d.text: {(s.start, s.end, s.label) for s in spans} for d, spans in items}


def test_spacy_docbin_loads_in_spacy_with_every_span(
    sample: list[ExportItem], tmp_path: Path
) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out = tmp_path / "train.spacy"
    report = export("spacy", sample, out)
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(out).get_docs(nlp.vocab))
    assert [d.text for d in docs] == [d.text for d, _ in sample]
    want = _keys(sample)
    for d in docs:
        got = {(s.start_char, s.end_char, s.label_) for s in d.spans["sc"]}
        assert got == want[d.text]
        spans = sorted(want[d.text])
        overlapping = any(a[1] > b[0] for a, b in itertools.pairwise(spans))
        ents = {(e.start_char, e.end_char, e.label_) for e in d.ents}
        assert ents == (set() if overlapping else want[d.text])
    # Document 1 overlaps, so its spans are reported as missing from doc.ents (but kept in sc).
    assert sum(report.partial.values()) == len(sample[0][1]) + len(sample[1][1])
    assert not report.dropped


def _hf_load(path: Path) -> list[dict[str, object]]:
    datasets = pytest.importorskip("datasets")
    ds = datasets.load_dataset(
        "json", data_files=str(path), split="train", cache_dir=str(path.parent / "hf-cache")
    )
    return list(ds)


def test_native_jsonl_loads_in_hf_datasets(sample: list[ExportItem], tmp_path: Path) -> None:
    export("jsonl", sample, tmp_path / "n.jsonl")
    rows = _hf_load(tmp_path / "n.jsonl")
    assert [r["text"] for r in rows] == [d.text for d, _ in sample]
    for row, (d, spans) in zip(rows, sample, strict=True):
        got = {(s["start"], s["end"], s["label"]) for s in row["spans"]}  # type: ignore[union-attr]
        assert got == {(s.start, s.end, s.label) for s in spans}
        for s in row["spans"]:  # type: ignore[union-attr]
            assert d.text[s["start"] : s["end"]] == s["text"]


def test_doccano_loads_in_hf_datasets(sample: list[ExportItem], tmp_path: Path) -> None:
    export("doccano", sample, tmp_path / "d.jsonl")
    rows = _hf_load(tmp_path / "d.jsonl")
    got: dict[str, set[tuple[int, int, str]]] = {}
    for r in rows:
        got.setdefault(r["text"], set()).update((int(a), int(b), str(c)) for a, b, c in r["label"])  # type: ignore[attr-defined, misc]
    assert got == _keys(sample)


def test_prodigy_loads_in_hf_datasets_and_tokens_agree(
    sample: list[ExportItem], tmp_path: Path
) -> None:
    export("prodigy", sample, tmp_path / "p.jsonl")
    rows = _hf_load(tmp_path / "p.jsonl")
    got: dict[str, set[tuple[int, int, str]]] = {}
    for r in rows:
        text = r["text"]
        tokens = r["tokens"]
        assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == text  # type: ignore[union-attr, index]
        for t in tokens:  # type: ignore[union-attr]
            assert text[t["start"] : t["end"]] == t["text"]  # type: ignore[index]
        for s in r["spans"]:  # type: ignore[union-attr]
            assert tokens[s["token_start"]]["start"] == s["start"]  # type: ignore[index]
            assert tokens[s["token_end"]]["end"] == s["end"]  # type: ignore[index]
        assert r["answer"] == "accept"
        assert isinstance(r["_input_hash"], int) and isinstance(r["_task_hash"], int)
        got.setdefault(text, set()).update((s["start"], s["end"], s["label"]) for s in r["spans"])  # type: ignore[index, union-attr]
    assert got == _keys(sample)


def test_passages_load_in_hf_datasets(sample: list[ExportItem], tmp_path: Path) -> None:
    labels = ("DIPLOMATIC", "ECONOMIC", "MILITARY")
    export("passages", sample, tmp_path / "p.jsonl", label_order=labels, rule="any")
    rows = _hf_load(tmp_path / "p.jsonl")
    texts = {d.id: d.text for d, _ in sample}
    assert rows
    for r in rows:
        assert texts[int(r["doc_id"])][r["start"] : r["end"]] == r["text"]  # type: ignore[arg-type, call-overload, misc]
        assert r["multi_hot"] == [1 if lab in r["labels"] else 0 for lab in labels]  # type: ignore[operator]
    by_text = {str(r["text"]): r["labels"] for r in rows}
    assert by_text["NATO 👨‍👩‍👧 troops 🇫🇷 moved east."] == ["MILITARY"]
    assert by_text["Talks in Genève resumed 👍🏽!"] == ["DIPLOMATIC"]
    assert by_text["Nothing tagged here."] == []


def test_brat_files_parse_back_independently(sample: list[ExportItem], tmp_path: Path) -> None:
    out = tmp_path / "brat"
    export("brat", sample, out)
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    assert {"DIPLOMATIC", "ECONOMIC", "MILITARY"} <= set(conf.split("[relations]")[0].split())
    got: dict[str, set[tuple[int, int, str]]] = {}
    for ann in sorted(out.glob("*.ann")):
        text = ann.with_suffix(".txt").read_bytes().decode("utf-8")
        found = got.setdefault(text, set())
        for line in ann.read_text(encoding="utf-8").splitlines():
            if not line.startswith("T"):
                continue
            _, head, shown = line.split("\t")
            label, where = head.split(" ", 1)
            frags = [tuple(map(int, f.split())) for f in where.split(";")]
            assert " ".join(text[a:b] for a, b in frags) == shown
            found.add((frags[0][0], frags[-1][1], label))
    assert got == _keys(sample)


def _parse_conll(path: Path) -> list[tuple[str, set[tuple[int, int, str]]]]:
    """A plain IOB2 reader: offsets from the '# text =' line, one tag column per layer."""
    docs: list[tuple[str, set[tuple[int, int, str]]]] = []
    text = ""
    pos = 0
    spans: set[tuple[int, int, str]] = set()
    open_: dict[int, tuple[int, int, str]] = {}

    def close_all() -> None:
        spans.update(open_.values())
        open_.clear()

    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("-DOCSTART-"):
            close_all()
            if text:
                docs.append((text, spans))
            text, pos, spans = "", 0, set()
        elif line.startswith("# text = "):
            text = json.loads(line[len("# text = ") :])
        elif re.match(r"# \w+ = ", line):
            continue
        elif not line:
            close_all()
        else:
            tok, *tags = line.split(" ")
            start = text.index(tok, pos)
            assert not text[pos:start].strip(), "only whitespace between tokens"
            pos = start + len(tok)
            for col, tag in enumerate(tags):
                m = re.fullmatch(r"([BI])-(.+)|O", tag)
                assert m, tag
                cur = open_.get(col)
                if cur and (tag == "O" or m.group(1) == "B" or cur[2] != m.group(2)):
                    spans.add(open_.pop(col))
                    cur = None
                if tag == "O":
                    continue
                open_[col] = (cur[0], pos, cur[2]) if cur else (start, pos, m.group(2))
    close_all()
    docs.append((text, spans))
    return sorted(docs)


def test_conll_layers_parse_back_independently(sample: list[ExportItem], tmp_path: Path) -> None:
    out = tmp_path / "o.conll"
    report = export(
        "conll",
        sample,
        out,
        overlap="layers",
        metadata="comments",
        label_order=("DIPLOMATIC", "ECONOMIC", "MILITARY"),
    )
    lost = {(d.start, d.end, d.label) for d in report.dropped_spans}
    want = sorted((t, {k for k in keys if k not in lost}) for t, keys in _keys(sample).items())
    assert _parse_conll(out) == want
    # Same-label overlap in document 1: "troops" (bob) lies inside alice's longer MILITARY span.
    assert report.dropped == {"overlaps a longer span of the same label (one column per label)": 1}


def test_conll_longest_parse_back_independently(sample: list[ExportItem], tmp_path: Path) -> None:
    out = tmp_path / "o.conll"
    report = export("conll", sample, out, overlap="longest", metadata="comments")
    lost = {(d.start, d.end, d.label) for d in report.dropped_spans}
    # Document 1: bob's "troops" inside alice's MILITARY span; document 2: alice's "troops"
    # inside bob's longer DIPLOMATIC span.
    assert {label for _, _, label in lost} == {"MILITARY"}
    assert sum(report.dropped.values()) == len(report.dropped_spans) == 2
    want = sorted((t, {k for k in keys if k not in lost}) for t, keys in _keys(sample).items())
    assert _parse_conll(out) == want


def test_passages_csv_has_one_column_per_label(sample: list[ExportItem], tmp_path: Path) -> None:
    labels = ("DIPLOMATIC", "ECONOMIC", "MILITARY")
    export("passages-csv", sample, tmp_path / "p.csv", label_order=labels, unit="paragraph")
    with (tmp_path / "p.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["doc_id", "passage_id", "start", "end", "text", "labels", *labels]
    texts = {str(d.id): d.text for d, _ in sample}
    for r in rows:
        assert texts[r["doc_id"]][int(r["start"]) : int(r["end"])] == r["text"]
        assert [lab for lab in labels if r[lab] == "1"] == [x for x in r["labels"].split("|") if x]
