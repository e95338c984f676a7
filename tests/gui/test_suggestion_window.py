"""Suggestions in the real window: training in a process of its own, the passage-mode keys with
undo, faint marks in reading mode, and the label dialog's seed rules."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt

from annotator.core.model import SpanOrigin
from benchmarks.suggest_gold import fill_workspace, load_gold
from tests.gui.conftest import open_in

HELD_OUT = "003_205299107bcd9cb9.txt"


@pytest.fixture
def corpus(ws):
    files = sorted({g.file for g in load_gold()})
    return fill_workspace(ws, tagged_files=tuple(f for f in files if f != HELD_OUT))


def _ready(qtbot, win):
    ctl = win.suggestions
    qtbot.waitUntil(lambda: ctl.suggester is not None and not ctl.training, timeout=60_000)
    return ctl


def _to_suggested(qtbot, win, pane):
    """Passage mode on, then J until the strip offers labels; returns the passage."""
    ctl = win.suggestions
    view = pane.view
    if not pane.passage_mode:
        qtbot.keyClick(view, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: ctl.scores_for(pane) is not None, timeout=30_000)
    for _ in range(40):
        cur = ctl.current(pane)
        if cur is not None and cur[1]:
            return cur
        qtbot.keyClick(view, Qt.Key.Key_J)
    raise AssertionError("no passage with a suggestion")


def test_training_and_scoring_run_in_a_process_of_their_own(qtbot, make_window, ws, corpus):
    """Not a thread of the window's process: fitting holds the interpreter's lock, and a
    long document's tags and repaints waited on it. The window's own pool stays free."""
    win = make_window()
    ctl = win.suggestions
    with qtbot.waitSignal(ctl.trained, timeout=60_000):
        ctl.train_now()
        assert not win.runner.busy  # the window's loads do not queue behind a training
    pid = ctl.process_id
    assert pid is not None and pid != os.getpid()
    sug = ctl.suggester
    assert sug is not None and sug.model is not None
    assert set(sug.model.labels) == {"MILITARY", "DIPLOMATIC", "ECONOMIC"}
    pane = open_in(qtbot, win, corpus[HELD_OUT])
    qtbot.keyClick(pane.view, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: ctl.scores_for(pane) is not None, timeout=30_000)
    scored = ctl.scores_for(pane)
    text = pane.document.text
    # The process's passages and scores are the ones the copy in this process gives.
    local = sug.score([p.text_in(text) for p, _row in scored])
    assert [row for _p, row in scored] == local
    assert ctl.process_id == pid  # one process, kept
    # Retraining after an edit uses the same process; closing the window stops it.
    with qtbot.waitSignal(ctl.trained, timeout=60_000):
        ctl.train_now()
    assert ctl.process_id == pid
    win.close()
    with pytest.raises(ProcessLookupError):  # stopped and reaped
        os.kill(pid, 0)


def test_accept_reject_override_by_keys_with_undo(qtbot, make_window, ws, corpus):
    win = make_window()
    ctl = win.suggestions
    win.suggestions.train_now()
    _ready(qtbot, win)
    pane = open_in(qtbot, win, corpus[HELD_OUT])
    view = pane.view
    doc = corpus[HELD_OUT]

    passage, shown = _to_suggested(qtbot, win, pane)
    strip = ctl.strip(pane)
    assert strip is not None and strip.isVisible() and "Suggested:" in strip.text()
    assert shown[0].label in strip.text() and "Enter" in strip.text()
    labels = {s.label for s in shown}
    index = pane.current_passage
    qtbot.keyClick(view, Qt.Key.Key_Return)  # accept and advance
    mine = ws.annotations.spans(doc, annotators=("alice",))
    assert {(s.start, s.end, s.label, s.origin) for s in mine} == {
        (passage.start, passage.end, lab, SpanOrigin.SUGGESTED) for lab in labels
    }
    assert pane.current_passage == index + 1
    assert {s.label for s in pane.spans.values()} == labels  # the view shows them at once
    win.undo_stack.undo()
    assert ws.annotations.spans(doc, annotators=("alice",)) == []
    assert pane.spans == {}
    win.undo_stack.redo()
    assert len(ws.annotations.spans(doc, annotators=("alice",))) == len(labels)

    passage, _shown = _to_suggested(qtbot, win, pane)
    index = pane.current_passage
    qtbot.keyClick(view, Qt.Key.Key_X)  # reject: nothing stored, next passage
    assert pane.current_passage == index + 1
    assert (doc, passage.start, passage.end, "alice") in ctl.dismissals
    assert not [s for s in ws.annotations.spans(doc) if s.start == passage.start]
    win.undo_stack.undo()
    assert (doc, passage.start, passage.end, "alice") not in ctl.dismissals

    pane.move_passage(-1)
    passage, shown = _to_suggested(qtbot, win, pane)
    other = next(
        lab for lab in ("ECONOMIC", "DIPLOMATIC", "MILITARY") if lab not in {s.label for s in shown}
    )
    key = {"MILITARY": "1", "DIPLOMATIC": "2", "ECONOMIC": "3"}[other]
    index = pane.current_passage
    qtbot.keyClicks(view, key)  # a label key overrides, and tag and advance moves on
    assert pane.current_passage == index + 1
    (span,) = [
        s for s in ws.annotations.spans(doc, annotators=("alice",)) if s.start == passage.start
    ]
    assert (span.label, span.origin) == (other, SpanOrigin.MANUAL)
    pane.move_passage(-1)
    assert ctl.current(pane) is None  # the passage is tagged now: no suggestion shown
    win.undo_stack.undo()
    assert not [
        s for s in ws.annotations.spans(doc, annotators=("alice",)) if s.start == passage.start
    ]


def test_faint_marks_in_reading_mode_can_be_turned_off(qtbot, make_window, corpus):
    win = make_window()
    win.suggestions.train_now()
    ctl = _ready(qtbot, win)
    pane = open_in(qtbot, win, corpus[HELD_OUT])
    qtbot.waitUntil(lambda: ctl.scores_for(pane) is not None, timeout=30_000)
    ctl.refresh(pane)
    assert not pane.passage_mode and len(pane.view.extraSelections()) > 5
    win.actions_by_name["suggestion_marks"].setChecked(False)
    assert pane.view.extraSelections() == []
    win.actions_by_name["suggestion_marks"].setChecked(True)
    assert len(pane.view.extraSelections()) > 5


def test_tags_retrain_debounced(qtbot, make_window, corpus):
    win = make_window()
    ctl = win.suggestions
    ctl.train_now()
    _ready(qtbot, win)
    qtbot.wait(2500)  # past the start-up training
    qtbot.waitUntil(lambda: not ctl.training, timeout=60_000)
    before = ctl.suggester.model.trained_on
    runs: list[int] = []
    ctl.trained.connect(lambda: runs.append(ctl.suggester.model.trained_on))
    ctl._timer.setInterval(300)
    pane = open_in(qtbot, win, corpus[HELD_OUT])
    qtbot.keyClick(pane.view, Qt.Key.Key_P)
    assert pane.tag_and_advance  # a label key tags (or overrides a suggestion) and moves on
    first = pane.current_passage
    for _ in range(3):  # a burst of tags: three passages of the held-out article
        qtbot.keyClicks(pane.view, "1")
    assert pane.current_passage == first + 3
    qtbot.waitUntil(lambda: bool(runs) and not ctl.training, timeout=60_000)
    qtbot.wait(500)
    assert runs == [before + 3]  # one retraining for the burst, and it learnt the new tags


def test_rules_in_the_label_dialog_suggest_with_undo(qtbot, make_window, ws, import_doc):
    doc = import_doc("Sanctions hit the banks hard.\n\nTroops withdrew from the river.\n")
    win = make_window()
    dlg = win.edit_labels()
    dlg.list.setCurrentRow(2)  # ECONOMIC
    assert dlg.rules.label == "ECONOMIC"
    dlg.rules.text.setPlainText("/(broken/")
    assert not dlg.rules.save() and "regular expression" in dlg.rules.error.text()
    dlg.rules.text.setPlainText("sanction*")
    assert dlg.rules.save()
    assert ws.suggestions.rules() == {"ECONOMIC": ["sanction*"]}
    dlg.close()
    ctl = win.suggestions
    with qtbot.waitSignal(ctl.trained, timeout=30_000):
        ctl.train_now()
    pane = open_in(qtbot, win, doc)
    qtbot.keyClick(pane.view, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: ctl.scores_for(pane) is not None, timeout=30_000)
    _passage, shown = ctl.current(pane)
    assert [(s.label, s.source, s.rule) for s in shown] == [("ECONOMIC", "rule", "sanction*")]
    win.undo_stack.undo()  # the rules edit
    assert ws.suggestions.rules() == {}


def test_review_queue_opens_the_most_uncertain_passage_and_lists_conflicts(
    qtbot, make_window, ws, corpus
):
    win = make_window()
    ctl = win.suggestions
    ctl.train_now()
    _ready(qtbot, win)
    want = ws.suggestions.uncertain(ctl.suggester, annotator="alice", limit=1)[0]
    win.actions_by_name["next_uncertain"].trigger()
    queue = win.review_queue
    qtbot.waitUntil(
        lambda: (
            queue.pane is not None
            and queue.pane.document_id == want.document_id
            and queue.pane.current_passage_range() is not None
        ),
        timeout=30_000,
    )
    pane = queue.pane  # the queue's own pane (an empty one, else a new one)
    assert pane.passage_mode
    assert pane.current_passage_range() == (want.start, want.end)

    win.actions_by_name["disagreements"].trigger()
    qtbot.waitUntil(lambda: win.review_queue.dialog is not None, timeout=120_000)
    dlg = win.review_queue.dialog
    assert dlg.list.count() == len(ws.suggestions.disagreements()) > 0
    item = dlg.list.item(0).data(Qt.ItemDataRole.UserRole)
    dlg.list.itemActivated.emit(dlg.list.item(0))
    qtbot.waitUntil(
        lambda: (
            pane.document_id == item.document_id
            and pane.current_passage_range() == (item.start, item.end)
        ),
        timeout=30_000,
    )


def test_faint_marks_cover_the_screen_only_and_follow_scrolling(qtbot, make_window, ws, import_doc):
    """A long document gets marks for what is on screen, not one per passage."""
    sentences = [
        f"Sanctions on grain exports were tightened again in round {i}." for i in range(3000)
    ]
    doc = import_doc(" ".join(sentences))
    ws.suggestions.set_rules("ECONOMIC", "sanction*")
    win = make_window()
    ctl = win.suggestions
    with qtbot.waitSignal(ctl.trained, timeout=60_000):
        ctl.train_now()
    pane = open_in(qtbot, win, doc)
    qtbot.waitUntil(lambda: ctl.scores_for(pane) is not None, timeout=60_000)
    ctl.refresh(pane)
    first = list(pane.view._faint)
    assert 0 < len(first) < 200  # every passage is suggested, only the visible ones marked
    bar = pane.view.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.wait(50)
    last = list(pane.view._faint)
    assert last and last[-1][1] > first[-1][1]
    assert last[-1][1] >= pane.positions.qt_length - 2
