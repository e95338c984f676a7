"""Label Studio ``predictions`` (issue 24): a model's spans are stored as suggestions of
their document (schema 0015, origin ``predicted`` once a person accepts one), never as an
annotator's spans, and never reach agreement. The fixture was made for these tests in the
shape Label Studio's task export writes: annotations by integer ``completed_by``, and
predictions with ``model_version``, a prediction-level ``score`` and a region's own."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.services import Workspace
from annotator.services.agreement import AgreementQuery
from annotator.services.exporting import LOST_PREDICTIONS
from annotator.storage.predictions import list_predictions

FIXTURE = Path(__file__).parent / "fixtures" / "label_studio_model_predictions.json"


def test_predictions_import_as_suggestions_never_as_anyones_spans(tmp_path: Path) -> None:
    ws = Workspace.open(f"sqlite:///{tmp_path}/ls.sqlite3")
    try:
        report = ws.importer.import_paths([FIXTURE], create_labels=True)
        assert not report.errors, report.errors
        (f,) = report.files
        assert (f.documents_added, f.spans_added, f.predictions_added) == (2, 5, 4)
        assert f.skipped == {"Label Studio prediction results that are not text spans": 1}
        assert "4 prediction(s) stored as suggestions (origin predicted)" in report.summary()
        docs = {ws.documents.get(d.id).text[:4]: d.id for d in ws.documents.list()}
        spans = [s for d in docs.values() for s in ws.annotations.spans(d)]
        assert Counter(s.annotator for s in spans) == {"ls-user-5": 2, "ls-user-8": 3}
        assert {s.origin.value for s in spans} == {"imported"}
        got = ws.db.read(lambda s: list_predictions(s, list(docs.values())))
        navy = ws.documents.get(docs["Navy"]).text
        assert [
            (navy[p.start : p.end], p.label, p.score, p.model_version) for p in got[docs["Navy"]]
        ] == [
            ("Navy ships", "MILITARY", 0.93, "ner-v3"),  # the region's own score wins
            ("Odesa", "MILITARY", None, "rules-2026-11"),
            ("ceasefire", "DIPLOMATIC", 0.74, "ner-v3"),  # else the prediction's
        ]
        assert [(p.label, p.score) for p in got[docs["Whea"]]] == [("ECONOMIC", 0.66)]
        # No model annotator, and agreement compares the two people only.
        assert ws.agreement.annotators() == ["ls-user-5", "ls-user-8"]
        compared = ws.agreement.documents(AgreementQuery(coverage="touched", all_documents=True))
        assert sorted(sum((len(v) for v in d.spans.values()), 0) for d in compared) == [2, 3]
        # Imported again: the same predictions are not stored twice.
        again = ws.importer.import_paths([FIXTURE], create_labels=True)
        assert again.files[0].predictions_added == 0
    finally:
        ws.close()


def test_a_prediction_with_bad_offsets_is_refused_by_file_and_task(tmp_path: Path) -> None:
    tasks = json.loads(FIXTURE.read_text("utf-8"))
    tasks[1]["predictions"][0]["result"][0]["value"]["start"] = 1  # text says "Wheat exports"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tasks, indent=1), "utf-8")
    ws = Workspace.open(f"sqlite:///{tmp_path}/ls.sqlite3")
    try:
        report = ws.importer.import_paths([bad], create_labels=True)
        (err,) = report.errors
        assert isinstance(err, InputError) and err.path == str(bad)
        assert "task 2 prediction 1 region 1 [1, 13) says 'Wheat exports'" in str(err)
        assert ws.documents.list() == []  # nothing of the file stored
    finally:
        ws.close()


@pytest.mark.parametrize("score", ["0.9", True, float("nan")])
def test_a_prediction_score_that_is_no_number_is_refused(tmp_path: Path, score: object) -> None:
    from annotator.formats.registry import get_importer

    tasks = json.loads(FIXTURE.read_text("utf-8"))
    tasks[0]["predictions"][1]["score"] = score
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tasks), "utf-8")
    with pytest.raises(InputError, match="task 1 prediction 2: 'score' must be a number"):
        list(get_importer("label-studio").read(bad, default_annotator="x"))


CONFIG = """<View>
  <Labels name="label" toName="text">
    <Label value="MILITARY"/><Label value="DIPLOMATIC"/><Label value="ECONOMIC"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>"""


def _stored(ws: Workspace) -> set[tuple[str, str, float | None, str]]:
    ids = [d.id for d in ws.documents.list()]
    texts = {i: ws.documents.get(i).text for i in ids}
    got = ws.db.read(lambda s: list_predictions(s, ids))
    return {
        (texts[d][p.start : p.end], p.label, p.score, p.model_version)
        for d, preds in got.items()
        for p in preds
    }


def test_label_studio_export_writes_predictions_back(tmp_path: Path) -> None:
    """Exported as Label Studio ``predictions`` (one per model version, each region with its
    score), they import back the same; Label Studio's converter reads their regions against
    the labelling config with the code it reads annotations' results with."""
    from label_studio_converter import Converter

    ws = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    out = tmp_path / "out.json"
    try:
        assert not ws.importer.import_paths([FIXTURE], create_labels=True).errors
        before = _stored(ws)
        report = ws.exporter.export("label-studio", out)
        assert report.predictions == 4 and not report.lost.get(LOST_PREDICTIONS)
        assert "4 prediction(s) of a model written as predictions" in report.summary()
        elsewhere = ws.exporter.export("conll", tmp_path / "out.conll")
        assert elsewhere.lost[LOST_PREDICTIONS] == 4  # said, not dropped silently
    finally:
        ws.close()
    tasks = json.loads(out.read_text("utf-8"))
    assert [[p["model_version"] for p in t["predictions"]] for t in tasks] == [
        ["ner-v3", "rules-2026-11"],
        ["ner-v3"],
    ]
    back = Workspace.open(f"sqlite:///{tmp_path}/b.sqlite3")
    try:
        again = back.importer.import_paths([out], create_labels=True)
        assert again.files[0].predictions_added == 4 and again.files[0].spans_added == 5
        assert _stored(back) == before
    finally:
        back.close()
    # Label Studio's converter reads results of annotations only: each prediction's result
    # is handed to it in an annotation's place.
    as_annotations = [
        {
            **t,
            "annotations": [
                {"id": k, "result": p["result"]} for k, p in enumerate(t["predictions"])
            ],
        }
        for t in tasks
    ]
    src = tmp_path / "as_annotations.json"
    src.write_text(json.dumps(as_annotations), "utf-8")
    conv = Converter(CONFIG, project_dir=None, download_resources=False)
    conv.convert_to_json_min(str(src), str(tmp_path / "min"), is_dir=False)
    records = json.loads((tmp_path / "min" / "result.json").read_text("utf-8"))
    read = {
        (r["text"], lab)
        for rec in records
        for r in rec.get("label", [])
        for lab in r["labels"]
        if rec["text"][r["start"] : r["end"]] == r["text"]
    }
    assert read == {(text, label) for text, label, _score, _v in before}
