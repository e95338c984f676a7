"""The uncertainty queue as users run it: it opens in a pane of its own (the document being
read stays), never offers a passage twice (judged or skipped), skips on a key, and shows
how far it has got."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from annotator.core.judgement import JudgementKind
from benchmarks.suggest_gold import fill_workspace, load_gold
from tests.gui.conftest import open_in

HELD_OUT = "003_205299107bcd9cb9.txt"


def _offered(qtbot, win, before):
    queue = win.review_queue
    qtbot.waitUntil(
        lambda: (
            queue.current is not None
            and queue.current is not before
            and queue.pane is not None
            and queue.pane.document_id == queue.current.document_id
            and queue.pane.current_passage_range() == (queue.current.start, queue.current.end)
        ),
        timeout=30_000,
    )
    return queue.current


def test_queue_never_repeats_skips_on_a_key_and_keeps_the_pane_in_use(qtbot, make_window, ws):
    files = sorted({g.file for g in load_gold()})
    ids = fill_workspace(ws, tagged_files=tuple(f for f in files if f != HELD_OUT))
    reading = ids[files[0]]
    win = make_window()
    ctl = win.suggestions
    ctl.train_now()
    qtbot.waitUntil(lambda: ctl.suggester is not None and not ctl.training, timeout=60_000)
    in_use = open_in(qtbot, win, reading)
    for other in win.reading.panes[1:]:  # just the one pane, in use
        win.reading.close_pane(other)
    assert win.reading.panes == [in_use]
    queue = win.review_queue

    win.actions_by_name["next_uncertain"].trigger()
    first = _offered(qtbot, win, None)
    pane = queue.pane
    assert pane is not in_use and len(win.reading.panes) == 2
    assert in_use.document_id == reading  # the pane being read was not taken over
    assert pane.passage_mode and first.document_id == ids[HELD_OUT]
    assert queue.progress is not None and "0 judged · 0 skipped" in queue.progress.text()
    left = queue.left

    # Judge it (walk past: "no label"), then on: judged, and never offered again.
    qtbot.keyClick(pane.view, Qt.Key.Key_J)
    win.actions_by_name["next_uncertain"].trigger()
    second = _offered(qtbot, win, first)
    assert "1 judged · 0 skipped" in queue.progress.text()
    assert queue.left == left - 1
    # The skip key: stored as skipped, counted, and the next one is offered.
    assert win.actions_by_name["skip_uncertain"].shortcut() == QKeySequence("Ctrl+Shift+U")
    win.actions_by_name["skip_uncertain"].trigger()
    third = _offered(qtbot, win, second)
    assert "1 judged · 1 skipped" in queue.progress.text()
    skipped = [j for j in ws.judgements.list() if j.kind is JudgementKind.SKIPPED]
    assert [(j.start, j.end) for j in skipped] == [(second.start, second.end)]
    # A skip is not a negative example: only the walked-past passage is.
    negatives = [e for e in ws.suggestions.examples(annotators=["alice"]) if not e.labels]
    assert [(e.start, e.end) for e in negatives] == [(first.start, first.end)]

    seen = [(first.document_id, first.start), (second.document_id, second.start)]
    seen.append((third.document_id, third.start))
    before = third
    for _ in range(6):  # Ctrl+U without judging: each one is skipped, none comes back
        win.actions_by_name["next_uncertain"].trigger()
        before = _offered(qtbot, win, before)
        seen.append((before.document_id, before.start))
    assert len(seen) == len(set(seen))
    assert len(win.reading.panes) == 2 and queue.pane is pane and in_use.document_id == reading
    assert "1 judged · 7 skipped" in queue.progress.text()
    # The model service agrees: nothing offered is a candidate any more.
    rest = ws.suggestions.uncertain(ctl.suggester, annotator="alice", limit=10_000)
    assert not {(r.document_id, r.start) for r in rest} & set(seen[:-1])


def test_another_annotators_queue_is_their_own(qtbot, make_window, ws):
    files = sorted({g.file for g in load_gold()})
    fill_workspace(ws, tagged_files=tuple(f for f in files if f != HELD_OUT))
    win = make_window()
    ctl = win.suggestions
    ctl.train_now()
    qtbot.waitUntil(lambda: ctl.suggester is not None and not ctl.training, timeout=60_000)
    queue = win.review_queue
    win.actions_by_name["next_uncertain"].trigger()
    first = _offered(qtbot, win, None)
    win.switch_annotator("bob")
    assert win.settings.annotator == "bob"
    win.actions_by_name["next_uncertain"].trigger()
    again = _offered(qtbot, win, first)
    # alice's offered passage is not skipped in bob's name, and bob's queue starts afresh.
    assert ws.judgements.list() == []
    assert (again.document_id, again.start) == (first.document_id, first.start)
    assert "0 judged · 0 skipped" in queue.progress.text()
