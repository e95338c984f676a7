"""Word snapping in the window: the snapped range shows while selecting and is what is stored."""

from __future__ import annotations

from conftest import open_in
from PySide6.QtCore import Qt

TEXT = "Kyiv asked for F-16s and Patriot SAM systems from the U.S. in 2024-25."


def _select_by_keys(qtbot, pane, start_inside: str, chars: int) -> None:
    view = pane.view
    cur = view.textCursor()
    cur.setPosition(pane.positions.to_qt(TEXT.index(start_inside)))
    view.setTextCursor(cur)
    for _ in range(chars):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)


def _stored(fresh, doc):
    ws = fresh()
    text = ws.documents.get(doc).text
    return [text[s.start : s.end] for s in ws.annotations.spans(doc)]


def test_a_selection_inside_f16s_shows_and_stores_the_whole_token(
    qtbot, make_window, import_doc, fresh
):
    doc = import_doc(TEXT)
    win = make_window()
    pane = open_in(qtbot, win, doc)
    pane.view.setFocus()
    _select_by_keys(qtbot, pane, "-16s", len("-16s and Patr"))
    assert pane.view.textCursor().selectedText() == "-16s and Patr"

    mark = pane.view.snap_mark
    assert mark is not None
    shown = TEXT[pane.positions.to_cp(mark[0]) : pane.positions.to_cp(mark[1])]
    assert shown == "F-16s and Patriot"
    assert any(
        (sel.cursor.selectionStart(), sel.cursor.selectionEnd()) == mark
        for sel in pane.view.extraSelections()
    )

    qtbot.keyClick(pane.view, Qt.Key.Key_1)
    assert _stored(fresh, doc) == ["F-16s and Patriot"]
    assert pane.view.snap_mark is None  # the selection is gone, and so is its preview

    _select_by_keys(qtbot, pane, "S. in", 1)
    qtbot.keyClick(pane.view, Qt.Key.Key_2)
    _select_by_keys(qtbot, pane, "25.", 1)
    qtbot.keyClick(pane.view, Qt.Key.Key_3)
    assert sorted(_stored(fresh, doc)) == sorted(["F-16s and Patriot", "U.S.", "2024-25"])


def test_no_preview_when_the_selection_is_already_whole_or_snapping_is_off(
    qtbot, make_window, import_doc
):
    doc = import_doc(TEXT)
    win = make_window()
    pane = open_in(qtbot, win, doc)
    pane.view.setFocus()
    _select_by_keys(qtbot, pane, "Patriot", len("Patriot"))
    assert pane.view.snap_mark is None
    qtbot.keyClick(
        pane.view,
        Qt.Key.Key_W,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert not pane.snap_to_words
    _select_by_keys(qtbot, pane, "atriot", 3)
    assert pane.view.snap_mark is None
