"""Imported predictions in the real window (issue 24): the passage-mode strip shows them with
their model version as the source, before any model is trained; Enter accepts (my span,
origin ``predicted``), X rejects (stored), undo takes either back."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from annotator.core.judgement import JudgementKind
from annotator.core.model import SpanOrigin
from tests.gui.conftest import open_in

FIXTURE = Path(__file__).parents[1] / "formats" / "fixtures" / "label_studio_model_predictions.json"


def test_strip_shows_predictions_and_keys_accept_or_reject_them(
    qtbot, make_window, ws, tmp_path
) -> None:
    assert not ws.importer.import_paths([FIXTURE], create_labels=True).errors
    navy = next(d.id for d in ws.documents.list() if ws.documents.get(d.id).text[:4] == "Navy")
    win = make_window()
    ctl = win.suggestions
    pane = open_in(qtbot, win, navy)
    qtbot.keyClick(pane.view, Qt.Key.Key_P)  # passage mode: the first sentence
    strip = ctl.strip(pane)
    assert strip is not None
    qtbot.waitUntil(lambda: "Predicted:" in strip.text(), timeout=10_000)
    text = strip.text()
    for part in ("MILITARY", "Navy ships", "0.93", "predicted · model ner-v3", "Odesa"):
        assert part in text, (part, text)
    assert "predicted · model rules-2026-11" in text and "DIPLOMATIC" in text
    win.grab().save(str(tmp_path / "predicted.png"))

    qtbot.keyClick(pane.view, Qt.Key.Key_Return)  # accept all three, one undo step
    mine = ws.annotations.spans(navy, annotators=("alice",))
    assert sorted((s.start, s.end, s.label, s.origin) for s in mine) == [
        (0, 10, "MILITARY", SpanOrigin.PREDICTED),
        (31, 36, "MILITARY", SpanOrigin.PREDICTED),
        (68, 77, "DIPLOMATIC", SpanOrigin.PREDICTED),
    ]
    win.undo_stack.undo()
    assert ws.annotations.spans(navy, annotators=("alice",)) == []

    pane.move_passage(-pane.current_passage)
    qtbot.waitUntil(lambda: "Predicted:" in strip.text(), timeout=10_000)
    qtbot.keyClick(pane.view, Qt.Key.Key_X)  # reject: stored as alice's rejections
    got = sorted(
        (j.start, j.end, j.label, j.kind) for j in ws.judgements.list(annotators=["alice"])
    )
    assert got == [
        (0, 10, "MILITARY", JudgementKind.REJECTED),
        (31, 36, "MILITARY", JudgementKind.REJECTED),
        (68, 77, "DIPLOMATIC", JudgementKind.REJECTED),
    ]
    assert ws.annotations.spans(navy, annotators=("alice",)) == []
    qtbot.waitUntil(lambda: "Predicted:" not in strip.text(), timeout=10_000)
    win.undo_stack.undo()
    assert ws.judgements.list(annotators=["alice"]) == []
    qtbot.waitUntil(lambda: "Predicted:" in strip.text(), timeout=10_000)
