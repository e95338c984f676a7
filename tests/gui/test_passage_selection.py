"""Passage mode with a span selected (issue 20, item 2): the pane and the status bar say a
span is selected and what the keys do; Esc goes back to the passage; a key that does
nothing says why. Real keys and clicks; the database checked from a second connection."""

from __future__ import annotations

from conftest import open_in
from PySide6.QtCore import Qt

ARTICLE = (
    "Front line report\n\n"
    "Drones hit the depot near Kharkiv. Talks resumed in Geneva on Monday.\n\n"
    "Sanctions bite hard. Gas exports fell again."
)


def stored(fresh, doc):
    ws = fresh()
    text = ws.documents.get(doc).text
    return sorted((s.label, text[s.start : s.end]) for s in ws.annotations.spans(doc))


def _click(qtbot, pane, needle: str) -> None:
    view = pane.view
    cur = view.textCursor()
    cur.setPosition(pane.positions.to_qt(pane.document.text.index(needle) + 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(cur).center())


def _select_and_tag(qtbot, pane, needle: str, key) -> None:
    qtbot.keyClick(pane.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(pane.find_bar.edit, needle)
    qtbot.keyClick(pane.find_bar.edit, Qt.Key.Key_Return)
    qtbot.keyClick(pane.find_bar.edit, Qt.Key.Key_Escape)
    qtbot.keyClick(pane.view, key)


def test_click_span_p_enter_2_says_what_happens_and_esc_goes_back(
    qtbot, make_window, import_doc, fresh
):
    doc = import_doc(ARTICLE)
    win = make_window()
    pane = open_in(qtbot, win, doc)
    view = pane.view
    view.setFocus()
    _select_and_tag(qtbot, pane, "depot near Kharkiv", Qt.Key.Key_1)
    bar = win.statusBar()

    _click(qtbot, pane, "depot")  # clicking into the text selects the span
    assert pane.selected_span_id is not None
    assert "MILITARY span selected" in bar.currentMessage()
    qtbot.keyClick(view, Qt.Key.Key_P)
    assert pane.passage_bar.selected.isVisible()
    assert "Esc clears it" in pane.passage_bar.selected.text()

    for key in (Qt.Key.Key_Return, Qt.Key.Key_A, Qt.Key.Key_X):
        bar.clearMessage()
        qtbot.keyClick(view, key)
        assert "does nothing while a span is selected" in bar.currentMessage()
        assert "Esc" in bar.currentMessage()

    qtbot.keyClick(view, Qt.Key.Key_2)  # relabels the span, and says so
    assert "went to the selected span, not the passage" in bar.currentMessage()
    assert stored(fresh, doc) == [("DIPLOMATIC", "depot near Kharkiv")]

    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert pane.selected_span_id is None
    assert not pane.passage_bar.selected.isVisible()
    assert "label keys tag the passage" in bar.currentMessage()
    first = pane.current_passage
    qtbot.keyClick(view, Qt.Key.Key_3)  # now the passage, and on to the next
    qtbot.keyClick(view, Qt.Key.Key_3)
    assert pane.current_passage == first + 2
    assert ("ECONOMIC", "Drones hit the depot near Kharkiv.") in stored(fresh, doc)
    assert ("ECONOMIC", "Talks resumed in Geneva on Monday.") in stored(fresh, doc)


def test_keys_that_do_nothing_in_passage_mode_say_why(qtbot, make_window, import_doc, fresh):
    doc = import_doc(ARTICLE)
    win = make_window()
    win.actions_by_name["suggestions"].setChecked(False)
    pane = open_in(qtbot, win, doc)
    view = pane.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_P)
    bar = win.statusBar()
    for key, words in (
        (Qt.Key.Key_Return, "answers a suggestion"),
        (Qt.Key.Key_A, "answers a suggestion"),
        (Qt.Key.Key_X, "answers a suggestion"),
        (Qt.Key.Key_Q, "does nothing in passage mode"),
        (Qt.Key.Key_7, "does nothing in passage mode"),
    ):
        bar.clearMessage()
        qtbot.keyClick(view, key)
        assert words in bar.currentMessage(), key
    assert stored(fresh, doc) == []
    assert pane.current_passage == 0


def test_a_span_left_behind_by_j_takes_no_more_keys(qtbot, make_window, import_doc, fresh):
    doc = import_doc(ARTICLE)
    win = make_window()
    pane = open_in(qtbot, win, doc)
    view = pane.view
    view.setFocus()
    _select_and_tag(qtbot, pane, "depot near Kharkiv", Qt.Key.Key_1)
    _click(qtbot, pane, "depot")
    qtbot.keyClick(view, Qt.Key.Key_P)
    assert pane.selected_span_id is not None
    qtbot.keyClick(view, Qt.Key.Key_J)  # the next sentence: the span stays behind
    assert pane.selected_span_id is None
    qtbot.keyClick(view, Qt.Key.Key_2)
    assert stored(fresh, doc) == [
        ("DIPLOMATIC", "Talks resumed in Geneva on Monday."),
        ("MILITARY", "depot near Kharkiv"),
    ]
