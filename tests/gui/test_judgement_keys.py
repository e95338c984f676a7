"""Judgements made with the window's keys: J past an untagged passage, Enter on a "no label"
suggestion and X on a suggestion store the annotator's judgement; undo takes it back; X with
nothing to reject says so."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.core.judgement import JudgementKind
from benchmarks.suggest_gold import fill_workspace, load_gold
from tests.gui.conftest import open_in

HELD_OUT = "003_205299107bcd9cb9.txt"


def _corpus(ws):
    files = sorted({g.file for g in load_gold()})
    return fill_workspace(ws, tagged_files=tuple(f for f in files if f != HELD_OUT))


def _passage_mode(qtbot, pane):
    if not pane.passage_mode:
        qtbot.keyClick(pane.view, Qt.Key.Key_P)
    assert pane.passage_mode


def test_j_past_an_untagged_passage_judges_it_and_undo_takes_it_back(qtbot, make_window, ws):
    doc = _corpus(ws)[HELD_OUT]
    win = make_window()
    pane = open_in(qtbot, win, doc)
    _passage_mode(qtbot, pane)
    items = pane.passages()
    first = items[pane.current_passage]
    qtbot.keyClick(pane.view, Qt.Key.Key_J)
    (j,) = ws.judgements.list(annotators=["alice"])
    assert (j.document_id, j.start, j.end, j.kind) == (doc, first.start, first.end, "none")
    ex = ws.suggestions.examples(annotators=["alice"])
    assert [(e.start, e.labels) for e in ex] == [(first.start, frozenset())]
    # Back and past it again: judged once, no second undo step.
    steps = win.undo_stack.count()
    qtbot.keyClick(pane.view, Qt.Key.Key_K)
    qtbot.keyClick(pane.view, Qt.Key.Key_J)
    assert win.undo_stack.count() == steps and len(ws.judgements.list()) == 1
    win.undo_stack.undo()
    assert ws.judgements.list() == []
    # A passage I tagged is a positive: walking past it stores no "no label".
    qtbot.keyClicks(pane.view, "1")  # tag and advance: MILITARY, then the next passage
    tagged = items[pane.current_passage - 1]
    qtbot.keyClick(pane.view, Qt.Key.Key_K)
    qtbot.keyClick(pane.view, Qt.Key.Key_J)
    assert [j for j in ws.judgements.list() if j.start == tagged.start] == []
    # The last passage: J goes nowhere, so nothing was walked past.
    pane.move_passage(len(items))
    qtbot.keyClick(pane.view, Qt.Key.Key_J)
    assert [j for j in ws.judgements.list() if j.start == items[-1].start] == []


def test_enter_on_no_label_judges_and_x_rejects_for_good(qtbot, make_window, ws):
    doc = _corpus(ws)[HELD_OUT]
    win = make_window()
    ctl = win.suggestions
    ctl.train_now()
    qtbot.waitUntil(lambda: ctl.suggester is not None and not ctl.training, timeout=60_000)
    pane = open_in(qtbot, win, doc)
    _passage_mode(qtbot, pane)
    qtbot.waitUntil(lambda: ctl.scores_for(pane) is not None, timeout=30_000)
    scored = ctl.scores_for(pane)
    none_i = next(i for i, (_p, row) in enumerate(scored) if not [s for s in row if s.shown])
    some_i = next(i for i, (_p, row) in enumerate(scored) if [s for s in row if s.shown])

    pane.move_passage(none_i - pane.current_passage)
    messages: list[str] = []
    ctl.message.connect(messages.append)
    qtbot.keyClick(pane.view, Qt.Key.Key_X)  # nothing to reject: said, nothing stored
    assert messages and "Nothing to reject" in messages[-1]
    assert pane.current_passage == none_i and ws.judgements.list() == []
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)  # agree with "no label"
    assert pane.current_passage == none_i + 1
    (j,) = ws.judgements.list()
    assert (j.start, j.kind) == (scored[none_i][0].start, JudgementKind.NONE)

    pane.move_passage(some_i - pane.current_passage)
    p, shown = ctl.current(pane)
    qtbot.keyClick(pane.view, Qt.Key.Key_X)
    rejected = {(j.start, j.label) for j in ws.judgements.list() if j.kind == "rejected"}
    assert rejected == {(p.start, s.label) for s in shown}
    win.undo_stack.undo()
    assert {j.kind for j in ws.judgements.list()} == {JudgementKind.NONE}
    win.undo_stack.redo()
    assert len(ws.judgements.list()) == 1 + len(shown)


def test_a_tag_updates_the_suggestions_at_once_without_waiting_for_a_training(
    qtbot, make_window, ws
):
    doc = _corpus(ws)[HELD_OUT]
    win = make_window()
    ctl = win.suggestions
    ctl.train_now()
    qtbot.waitUntil(lambda: ctl.suggester is not None and not ctl.training, timeout=60_000)
    ctl._timer.setInterval(600_000)  # no full training in this test: only the update
    pane = open_in(qtbot, win, doc)
    _passage_mode(qtbot, pane)
    qtbot.waitUntil(lambda: ctl.scores_for(pane) is not None, timeout=30_000)

    def econ(i: int) -> float:
        return next(s.score for s in ctl.scores_for(pane)[i][1] if s.label == "ECONOMIC")

    i = min(range(len(pane.passages())), key=econ)
    low = econ(i)
    pane.move_passage(i - pane.current_passage)
    trained_on = ctl.suggester.model.trained_on
    with qtbot.waitSignal(ctl.updated, timeout=30_000) as got:
        qtbot.keyClicks(pane.view, "3")  # ECONOMIC, tag and advance
    assert got.args == [trained_on + 1] and not ctl.training
    qtbot.waitUntil(lambda: ctl.scores_for(pane) is not None, timeout=30_000)
    assert econ(i) > low + 0.05
