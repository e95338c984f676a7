"""Document labels go out in every format that has a place for them, read by the format's
own consumer (spaCy's DocBin, Hugging Face datasets, label-studio-converter) and by our
importer back per annotator; CoNLL and brat name them in the export report as not carried.
Everything goes through the export service on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.services import Workspace
from annotator.services.exporting import LOST_DOC_LABELS
from annotator.storage.doc_labels import document_labels

T1 = "Troops moved east. Talks stalled."
T2 = "Envoys met in Geneva."
# bob gave d1 labels but drew no span there: he must not be lost with the spans.
WANT = {T1: {"alice": ["MILITARY"], "bob": ["DIPLOMATIC", "MILITARY"]}, T2: {}}


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    src = tmp_path / "src.jsonl"
    recs = [
        {
            "id": "d1",
            "text": T1,
            "spans": [{"start": 0, "end": 17, "label": "MILITARY", "annotator": "alice"}],
            "doc_labels": {"alice": ["MILITARY"], "bob": ["MILITARY", "DIPLOMATIC"]},
        },
        {
            "id": "d2",
            "text": T2,
            "spans": [{"start": 0, "end": 6, "label": "DIPLOMATIC", "annotator": "bob"}],
        },
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in recs), "utf-8")
    w = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    assert not w.importer.import_paths([src], create_labels=True).errors
    return w


def _back(tmp_path: Path, path: Path, fmt: str) -> dict[str, dict[str, list[str]]]:
    w = Workspace.open(f"sqlite:///{tmp_path}/back-{fmt}.sqlite3")
    try:
        report = w.importer.import_paths([path], format=fmt, create_labels=True)
        assert not report.errors, report.errors
        docs = w.documents.list()
        found = w.db.read(lambda s: document_labels(s, [d.id for d in docs]))
        return {w.documents.get(d.id).text: found.get(d.id, {}) for d in docs}
    finally:
        w.close()


@pytest.mark.parametrize(
    ("fmt", "ext"),
    [("doccano", "jsonl"), ("prodigy", "jsonl"), ("spacy", "spacy"), ("label-studio", "json")],
)
def test_each_carrying_format_writes_and_reads_back_document_labels(
    ws: Workspace, tmp_path: Path, fmt: str, ext: str
) -> None:
    out = tmp_path / f"out.{ext}"
    report = ws.exporter.export(fmt, out)
    ws.close()
    assert report.doc_labels == 3 and not report.lost.get(LOST_DOC_LABELS)
    assert "3 document label(s) written" in report.summary()
    assert _back(tmp_path, out, fmt) == WANT


def test_doccano_cats_load_as_a_hugging_face_column(ws: Workspace, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    out = tmp_path / "doccano.jsonl"
    ws.exporter.export("doccano", out)
    ws.close()
    ds = datasets.load_dataset(
        "json", data_files=str(out), split="train", cache_dir=str(tmp_path / "hf")
    )
    assert ds["text"] == [T1, T2]
    assert ds["cats"] == [["DIPLOMATIC", "MILITARY"], []]
    per = [{a["annotator"]: a["cats"] for a in anns} for anns in ds["annotations"]]
    assert per == [{"alice": ["MILITARY"], "bob": ["DIPLOMATIC", "MILITARY"]}, {"bob": []}]


def test_spacy_reads_doc_cats_as_textcat_trains_on_them(ws: Workspace, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin
    from spacy.training import Example

    out = tmp_path / "out.spacy"
    ws.exporter.export("spacy", out)
    ws.close()
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(out).get_docs(nlp.vocab))
    assert [d.cats for d in docs] == [
        {"DIPLOMATIC": 1.0, "MILITARY": 1.0},
        {"DIPLOMATIC": 0.0, "MILITARY": 0.0},
    ]
    # spaCy's multi-label text classifier initialises from these examples.
    textcat = nlp.add_pipe("textcat_multilabel")
    nlp.initialize(lambda: [Example(nlp.make_doc(d.text), d) for d in docs])
    assert sorted(textcat.labels) == ["DIPLOMATIC", "MILITARY"]


def test_label_studio_converter_keeps_the_choices(ws: Workspace, tmp_path: Path) -> None:
    """Label Studio's own converter (JSON-MIN) on our export keeps each annotator's choices,
    and our JSON-MIN reader takes them back under the annotator's e-mail."""
    pytest.importorskip("label_studio_converter")
    from label_studio_converter import Converter

    config = """<View>
  <Labels name="label" toName="text">
    <Label value="MILITARY"/><Label value="DIPLOMATIC"/>
  </Labels>
  <Choices name="document_label" toName="text" choice="multiple">
    <Choice value="MILITARY"/><Choice value="DIPLOMATIC"/>
  </Choices>
  <Text name="text" value="$text"/>
</View>"""
    tasks = tmp_path / "tasks.json"
    emails = (("alice", "alice@example.org"), ("bob", "bob@example.org"))
    ws.exporter.export("label-studio", tasks, options={"emails": emails})
    ws.close()
    conv = Converter(config, project_dir=None, download_resources=False)
    conv.convert_to_json_min(str(tasks), str(tmp_path / "min"), is_dir=False)
    path = tmp_path / "min" / "result.json"
    records = json.loads(path.read_text("utf-8"))
    choices = {(r["text"], r["annotator"]): r.get("document_label") for r in records}
    assert choices[(T1, "alice@example.org")] == "MILITARY"
    assert choices[(T1, "bob@example.org")] == {"choices": ["DIPLOMATIC", "MILITARY"]}
    assert _back(tmp_path, path, "label-studio") == {
        T1: {"alice@example.org": ["MILITARY"], "bob@example.org": ["DIPLOMATIC", "MILITARY"]},
        T2: {},
    }


@pytest.mark.parametrize(("fmt", "name"), [("conll", "out.conll"), ("brat", "brat")])
def test_conll_and_brat_name_the_document_labels_they_cannot_carry(
    ws: Workspace, tmp_path: Path, fmt: str, name: str
) -> None:
    report = ws.exporter.export(fmt, tmp_path / name)
    ws.close()
    assert report.lost[LOST_DOC_LABELS] == 3
    assert "3 × document label (a label of the whole document" in report.summary()
