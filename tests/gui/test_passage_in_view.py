"""The current passage is always fully visible, with context above and below (issue 20,
item 3): after J/K, after Ctrl+U's jump into another document, and with synchronised
scrolling on. Measured on the real view: the passage's first and last line rectangles."""

from __future__ import annotations

from conftest import open_in
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

SENTENCES = " ".join(
    f"Sentence number {i} tells of shelling near the town and of talks about grain exports."
    for i in range(1, 400)
)
PARAGRAPHS = "\n\n".join(SENTENCES[i : i + 900] for i in range(0, len(SENTENCES), 900))


def _passage_rect(pane):
    start, end = pane.current_passage_range()
    qs, qe = pane.positions.range_to_qt(start, end)
    cur = QTextCursor(pane.view.document())
    cur.setPosition(qs)
    top = pane.view.cursorRect(cur).top()
    cur.setPosition(qe)
    bottom = pane.view.cursorRect(cur).bottom()
    return top, bottom


def _assert_in_view(qtbot, pane, what: str) -> None:
    qtbot.wait(20)  # a layout pass
    top, bottom = _passage_rect(pane)
    height = pane.view.viewport().height()
    line = pane.view.fontMetrics().lineSpacing()
    # Fully visible, at least a line of context either side, and not pinned to an edge.
    assert line <= top and bottom <= height - line, (what, top, bottom, height)
    # In the middle third, unless the text ends first (the first or last passages).
    bar = pane.view.verticalScrollBar()
    assert top <= height * 2 // 3 or bar.value() == bar.maximum(), (what, top, bottom, height)
    assert bottom >= height // 3 or bar.value() == 0, (what, top, bottom, height)


def _window(qtbot, make_window, import_doc, sync: bool):
    doc = import_doc(PARAGRAPHS, "long.txt")
    other = import_doc(PARAGRAPHS.replace("grain", "steel"), "other.txt")
    win = make_window()
    win.resize(1200, 700)
    left = open_in(qtbot, win, doc, win.reading.panes[0])
    if len(win.reading.panes) < 2:
        win.new_pane()
    right = open_in(qtbot, win, other, win.reading.panes[1])
    win.actions_by_name["sync_scroll"].setChecked(sync)
    left.view.setFocus()
    qtbot.waitUntil(lambda: win.reading.current is left, timeout=2000)
    return win, left, right, doc


def test_j_keeps_the_passage_in_the_middle(qtbot, make_window, import_doc):
    _win, pane, _right, _doc = _window(qtbot, make_window, import_doc, sync=True)
    qtbot.keyClick(pane.view, Qt.Key.Key_P)
    for i in range(40):
        qtbot.keyClick(pane.view, Qt.Key.Key_J)
        _assert_in_view(qtbot, pane, f"J #{i + 1}")
    for i in range(10):
        qtbot.keyClick(pane.view, Qt.Key.Key_K)
        _assert_in_view(qtbot, pane, f"K #{i + 1}")


def test_jump_into_a_document_like_ctrl_u_shows_the_passage(qtbot, make_window, import_doc):
    win, pane, right, doc = _window(qtbot, make_window, import_doc, sync=False)
    text = pane.document.text
    for sync in (False, True):
        win.actions_by_name["sync_scroll"].setChecked(sync)
        for n in (150, 300, 20):
            start = text.index(f"Sentence number {n} ")
            win.open_document(right.document_id, pane=pane)  # away first, as Ctrl+U goes
            qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
            win.review_queue.open_passage(doc, start)  # what Ctrl+U does with its pick
            qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
            qtbot.waitUntil(lambda s=start: pane.current_passage_range()[0] == s, timeout=5000)
            _assert_in_view(qtbot, pane, f"sync={sync} sentence {n}")
            # The other pane scrolled by the user: synced or not, this passage stays.
            right.view.verticalScrollBar().setValue(right.view.verticalScrollBar().maximum())
            _assert_in_view(qtbot, pane, f"sync={sync} after the other pane scrolled")
            right.view.verticalScrollBar().setValue(0)
            _assert_in_view(qtbot, pane, f"sync={sync} after the other pane scrolled up")
