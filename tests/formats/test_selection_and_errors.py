"""Majority vote and split helpers; importers' error messages; option checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.model import Span
from annotator.formats.registry import get_exporter, get_importer
from annotator.formats.selection import majority_vote, parse_split, part_path, split_documents


def _sp(start: int, end: int, label: str, who: str) -> Span:
    return Span(0, 1, start, end, label, who)


def test_majority_counts_distinct_chosen_annotators() -> None:
    spans = [
        _sp(0, 4, "A", "x"),
        _sp(0, 4, "A", "x"),
        _sp(0, 4, "A", "y"),
        _sp(0, 4, "B", "y"),
        _sp(0, 4, "A", "outsider"),
        _sp(5, 9, "A", "x"),
        _sp(5, 9, "A", "y"),
        _sp(5, 9, "A", "z"),
    ]
    got = [
        (s.start, s.end, s.label, s.annotator) for s in majority_vote(spans, ["x", "y", "z", "w"])
    ]
    # (0, 4, A): x and y = 2 of 4, not more than half; (5, 9, A): 3 of 4.
    assert got == [(5, 9, "A", "majority")]
    assert [s.key for s in majority_vote(spans, ["x", "y", "z"])] == [(0, 4, "A"), (5, 9, "A")]
    with pytest.raises(AnnotatorError):
        majority_vote(spans, [])


def test_split_sizes_seed_and_paths() -> None:
    ids = list(range(1, 101))
    parts = split_documents(ids, (80, 10, 10), seed=5)
    assert [len(v) for v in parts.values()] == [80, 10, 10]
    assert sorted(x for v in parts.values() for x in v) == ids
    assert split_documents(list(reversed(ids)), (80, 10, 10), seed=5) == parts
    assert split_documents(ids, (80, 10, 10), seed=6) != parts
    assert [len(v) for v in split_documents([1, 2, 3], (80, 10, 10), 0).values()] == [3, 0, 0]
    assert sum(len(v) for v in split_documents([1, 2, 3], (1, 1, 1), 0).values()) == 3
    assert parse_split("80/10/10") == (80, 10, 10)
    for bad in ("80/x", "1/2/3/4", "0/0"):
        with pytest.raises(AnnotatorError):
            parse_split(bad)
    assert part_path(Path("out.jsonl"), "dev", multi_file=False) == Path("out.dev.jsonl")
    assert part_path(Path("out"), "dev", multi_file=True) == Path("out/dev")


def test_unknown_option_or_value_is_refused() -> None:
    with pytest.raises(AnnotatorError, match="takes no option"):
        get_exporter("jsonl", overlap="layers")
    with pytest.raises(AnnotatorError, match="must be one of"):
        get_exporter("conll", overlap="widest")


@pytest.mark.parametrize(
    ("name", "fname", "content", "line", "words"),
    [
        (
            "doccano",
            "a.jsonl",
            '{"text": "abc", "label": [[0, 2, "A"]]}\n{"text": "abc", "label": [[2, 9, "A"]]}\n',
            2,
            "out of range",
        ),
        ("doccano", "a.jsonl", '{"text": "abc"}\n\n{"text": 5}\n', 3, "'text'"),
        (
            "prodigy",
            "a.jsonl",
            '{"text": "a😀b", "spans": [{"start": 2, "end": 3, "label": "A", "text": "😀"}]}\n',
            1,
            "code points",
        ),
        ("prodigy", "a.jsonl", "not json\n", 1, "invalid JSON"),
        (
            "label-studio",
            "a.json",
            '[\n{"data": {"text": "abc"}, "annotations": []},\n{"data": {"text": "abc"}, '
            '"annotations": [{"result": [{"value": '
            '{"start": 0, "end": 1, "text": "b", "labels": ["A"]}}]}]}\n]',
            3,
            "code points",
        ),
        ("label-studio", "a.json", '[\n{"data": {"text": "abc"}},\n{"data": 3}\n]', 3, "'data'"),
        ("conll", "a.conll", "-DOCSTART-\tO\n\nTroops\tB-MIL\nmoved\tX-MIL\n", 4, "not O, B-LABEL"),
        (
            "conll",
            "a.conll",
            '-DOCSTART-\tO\n# text = "Troops moved"\n\nTroops\tB-MIL\nleft\tO\n',
            5,
            "does not match",
        ),
    ],
)
def test_importers_name_file_and_line(
    name: str, fname: str, content: str, line: int, words: str, tmp_path: Path
) -> None:
    path = tmp_path / fname
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(get_importer(name).read(path, default_annotator="x"))
    assert err.value.path == str(path) and err.value.line == line
    assert words in str(err.value)


def test_brat_errors_name_the_ann_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_text("Troops moved.", encoding="utf-8")
    (tmp_path / "d.ann").write_text("T1\tMIL 0 6\tTroops\nT2\tMIL 7 99\tmoved\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(get_importer("brat").read(tmp_path, default_annotator="x"))
    assert err.value.path == str(tmp_path / "d.ann") and err.value.line == 2
    (tmp_path / "e.ann").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="no text file"):
        list(get_importer("brat").read(tmp_path / "e.ann", default_annotator="x"))


def test_conll_reads_a_foreign_file_without_text_line(tmp_path: Path) -> None:
    path = tmp_path / "f.conll"
    path.write_text(
        "-DOCSTART- -X- O O\n\nEU B-ORG\nrejects O\nGerman B-MISC\ncall I-MISC\n\nPeter B-PER\n",
        encoding="utf-8",
    )
    (item,) = list(get_importer("conll").read(path, default_annotator="x"))
    assert item.document.text == "EU rejects German call\nPeter"
    assert [(item.document.text[s.start : s.end], s.label) for s in item.spans] == [
        ("EU", "ORG"),
        ("German call", "MISC"),
        ("Peter", "PER"),
    ]


def test_prodigy_skips_rejected_tasks(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    rows = [
        {"text": "a b", "spans": [{"start": 0, "end": 1, "label": "A"}], "answer": "reject"},
        {
            "text": "c d",
            "spans": [{"start": 2, "end": 3, "label": "A"}],
            "answer": "accept",
            "_annotator_id": "ann-1",
        },
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    items = list(get_importer("prodigy").read(path, default_annotator="x"))
    assert [(i.document.text, [(s.start, s.annotator) for s in i.spans]) for i in items] == [
        ("c d", [(2, "ann-1")])
    ]


def test_passage_rule_majority_versus_any(tmp_path: Path) -> None:
    from annotator.core.model import Document
    from annotator.formats.base import ExportReport

    text = "Troops moved east today. Talks resumed."
    d = Document(text=text, id=1)
    spans = [Span(1, 1, 0, 6, "MIL", "a"), Span(2, 1, 25, 38, "DIP", "a")]
    rows = {}
    for rule in ("majority", "any"):
        report = ExportReport("passages")
        get_exporter("passages", rule=rule, label_order=("DIP", "MIL")).write(
            iter([(d, spans)]), tmp_path / f"{rule}.jsonl", report
        )
        rows[rule] = [json.loads(x) for x in (tmp_path / f"{rule}.jsonl").read_text().splitlines()]
        if rule == "majority":  # "Troops" is 6 of 24 characters: labels nothing, and is reported
            assert report.dropped == {
                "labels no passage (covers too little of any passage for the rule)": 1
            }
        else:
            assert not report.dropped
    assert [r["labels"] for r in rows["majority"]] == [[], ["DIP"]]
    assert [r["multi_hot"] for r in rows["any"]] == [[0, 1], [1, 0]]
