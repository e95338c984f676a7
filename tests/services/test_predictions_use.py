"""Imported predictions as suggestions (issue 24): listed by `annotator suggest` with their
model version as the source and origin ``predicted``; a person's accept makes a span of
theirs with origin ``predicted``, a reject is stored as their rejection; both undo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator import cli
from annotator.core.judgement import JudgementKind
from annotator.core.model import SpanOrigin
from annotator.services import Workspace
from annotator.services.suggestion_commands import (
    AcceptPredictionsCommand,
    Dismissals,
    RejectPredictionsCommand,
)

FIXTURE = Path(__file__).parents[1] / "formats" / "fixtures" / "label_studio_model_predictions.json"


def _open(tmp_path: Path) -> tuple[Workspace, str, int]:
    url = f"sqlite:///{tmp_path}/p.sqlite3"
    ws = Workspace.open(url)
    assert not ws.importer.import_paths([FIXTURE], create_labels=True).errors
    navy = next(d.id for d in ws.documents.list() if ws.documents.get(d.id).text[:4] == "Navy")
    return ws, url, navy


def test_suggest_lists_predictions_with_origin_predicted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, url, navy = _open(tmp_path)
    ws.close()
    assert cli.main(["--db", url, "suggest", "--document", str(navy), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    predicted = [r for r in rows if r.get("origin") == "predicted"]
    assert [
        (r["start"], r["end"], r["label"], r["score"], r["model_version"]) for r in predicted
    ] == [
        (0, 10, "MILITARY", 0.93, "ner-v3"),
        (31, 36, "MILITARY", None, "rules-2026-11"),
        (68, 77, "DIPLOMATIC", 0.74, "ner-v3"),
    ]
    # For one annotator: what they have not decided on (user 5 tagged "Navy ships" already).
    args = ["--db", url, "suggest", "--document", str(navy), "--annotator", "ls-user-5"]
    assert cli.main(args) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "predicted" in line]
    assert lines == [
        f"{navy}\t31-36\tMILITARY\t-\tpredicted · model rules-2026-11",
        f"{navy}\t68-77\tDIPLOMATIC\t0.74\tpredicted · model ner-v3",
    ]


def test_accepting_a_prediction_makes_my_span_origin_predicted_and_rejecting_is_stored(
    tmp_path: Path,
) -> None:
    ws, _url, navy = _open(tmp_path)
    try:
        pending = ws.predictions.pending(navy, "eve")
        assert len(pending) == 3
        odesa, ceasefire = pending[1], pending[2]
        accept = AcceptPredictionsCommand(
            ws.annotations, navy, [(odesa.start, odesa.end, odesa.label)], "eve"
        )
        accept.do()
        (span,) = ws.annotations.spans(navy, annotators=("eve",))
        assert (span.start, span.end, span.label, span.origin) == (
            31,
            36,
            "MILITARY",
            SpanOrigin.PREDICTED,
        )
        # Native JSONL carries the origin: it imports back as a predicted span of eve's.
        out = tmp_path / "out.jsonl"
        ws.exporter.export("jsonl", out)
        other = Workspace.open(f"sqlite:///{tmp_path}/other.sqlite3")
        try:
            assert not other.importer.import_paths([out]).errors
            back = [s for d in other.documents.list() for s in other.annotations.spans(d.id)]
            assert [(s.annotator, s.origin) for s in back if s.annotator == "eve"] == [
                ("eve", SpanOrigin.PREDICTED)
            ]
        finally:
            other.close()
        reject = RejectPredictionsCommand(
            Dismissals(ws.judgements), navy, [(ceasefire.start, ceasefire.end, "DIPLOMATIC")], "eve"
        )
        reject.do()
        (j,) = ws.judgements.list(annotators=["eve"])
        assert (j.start, j.end, j.kind, j.label) == (68, 77, JudgementKind.REJECTED, "DIPLOMATIC")
        assert [(p.start, p.end) for p in ws.predictions.pending(navy, "eve")] == [(0, 10)]
        # The predictions themselves stay: a suggestion for everyone else too.
        assert len(ws.predictions.pending(navy, "fay")) == 3
        reject.undo()
        accept.undo()
        assert ws.annotations.spans(navy, annotators=("eve",)) == []
        assert ws.judgements.list(annotators=["eve"]) == []
        assert len(ws.predictions.pending(navy, "eve")) == 3
    finally:
        ws.close()
