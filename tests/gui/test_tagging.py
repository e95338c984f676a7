"""Tagging like a user: keys and mouse on the real widgets; the database checked afresh."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QInputDialog, QLineEdit

ARTICLE = (
    "Front line report\n\n"
    "Drones 🙂 hit the depot near Kharkiv. Talks resumed in Geneva on Monday.\n\n"
    "Sanctions bite hard. Gas exports fell again."
)


def find_and_select(qtbot, pane, needle: str) -> None:
    """Ctrl+F, type, Enter, Esc: the match stays selected in the text."""
    qtbot.keyClick(pane.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(pane.find_bar.edit, needle)
    qtbot.keyClick(pane.find_bar.edit, Qt.Key.Key_Return)
    qtbot.keyClick(pane.find_bar.edit, Qt.Key.Key_Escape)
    assert pane.view.textCursor().selectedText() == needle


def stored(fresh, doc_id, annotators=("alice",)):
    ws = fresh()
    text = ws.documents.get(doc_id).text
    return [
        (s.label, text[s.start : s.end])
        for s in ws.annotations.spans(doc_id, annotators=annotators)
    ]


def test_select_text_press_1_tags_it_in_view_list_and_database(
    qtbot, make_window, import_doc, fresh
):
    doc = import_doc(ARTICLE)
    win = make_window()
    pane = win.reading.current
    from conftest import open_in

    open_in(qtbot, win, doc)
    pane.view.setFocus()
    find_and_select(qtbot, pane, "depot near Kharkiv")
    qtbot.keyClick(pane.view, Qt.Key.Key_1)

    assert stored(fresh, doc) == [("MILITARY", "depot near Kharkiv")]
    (span,) = pane.spans.values()
    qt_pos = pane.positions.to_qt(span.start) + 2
    fmt = pane.view.highlighter.format_at(qt_pos)
    assert fmt is not None and fmt.background().color() != QColor(
        pane.view.palette().base().color()
    )
    # The list and the counts follow on the next loop turn, before the next paint.
    qtbot.waitUntil(lambda: win.span_model.rowCount() == 1, timeout=1000)
    assert win.span_model.index(0, 0).data() == "MILITARY"
    assert win.span_model.index(0, 1).data() == "depot near Kharkiv"
    assert win.label_model.index(0, 2).data() == "1"


def test_keyboard_selection_snaps_to_words_and_emoji_offsets_are_code_points(
    qtbot, make_window, import_doc, fresh
):
    doc = import_doc(ARTICLE)
    win = make_window()
    from conftest import open_in

    pane = open_in(qtbot, win, doc)
    view = pane.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    # Right steps over the emoji as one character (two UTF-16 units in Qt).
    for _ in range(len("Drones 🙂 h")):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    for _ in range(2):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.textCursor().selectedText() == "it"
    assert view.textCursor().selectionStart() == len("Drones 🙂 h") + 1  # UTF-16 units
    qtbot.keyClick(view, Qt.Key.Key_2)
    assert stored(fresh, doc) == [("DIPLOMATIC", "hit")]
    (span,) = fresh().annotations.spans(doc)
    assert (span.start, span.end) == (9, 12)  # code points: the emoji counts one


def test_mouse_double_click_selects_a_word_and_the_label_panel_click_tags_it(
    qtbot, make_window, import_doc, fresh
):
    doc = import_doc(ARTICLE)
    win = make_window()
    from conftest import open_in

    pane = open_in(qtbot, win, doc)
    view = pane.view
    at = pane.positions.to_qt(pane.document.text.index("Geneva")) + 2
    cur = view.textCursor()
    cur.setPosition(at)
    point = view.cursorRect(cur).center()
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert view.textCursor().selectedText() == "Geneva"
    table = win.label_panel.table
    rect = table.visualRect(win.label_model.index(2, 0))  # ECONOMIC
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert stored(fresh, doc) == [("ECONOMIC", "Geneva")]


def test_passage_mode_by_keys_only(qtbot, make_window, import_doc, fresh):
    doc = import_doc(ARTICLE)
    win = make_window()
    from conftest import open_in

    pane = open_in(qtbot, win, doc)
    view = pane.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_P)
    assert pane.passage_mode and win.actions_by_name["passage"].isChecked()
    assert view.extraSelections()  # the current passage is drawn
    qtbot.keyClick(view, Qt.Key.Key_T)  # tag and advance off: several labels a passage
    assert not pane.tag_and_advance and not win.actions_by_name["tag_and_advance"].isChecked()
    qtbot.keyClick(view, Qt.Key.Key_1)  # first sentence: MILITARY
    qtbot.keyClick(view, Qt.Key.Key_J)
    qtbot.keyClick(view, Qt.Key.Key_2)  # second: DIPLOMATIC and ECONOMIC
    qtbot.keyClick(view, Qt.Key.Key_3)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Up)  # back to the third
    qtbot.keyClick(view, Qt.Key.Key_3)
    qtbot.keyClick(view, Qt.Key.Key_K)
    qtbot.keyClick(view, Qt.Key.Key_3)  # second again with 3: toggles ECONOMIC off
    assert sorted(stored(fresh, doc)) == sorted(
        [
            ("MILITARY", "Drones 🙂 hit the depot near Kharkiv."),
            ("DIPLOMATIC", "Talks resumed in Geneva on Monday."),
            ("ECONOMIC", "Sanctions bite hard."),
        ]
    )
    qtbot.keyClick(view, Qt.Key.Key_J)
    qtbot.keyClick(view, Qt.Key.Key_J)
    qtbot.keyClick(view, Qt.Key.Key_J)  # stops at the last passage
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert ("MILITARY", "Gas exports fell again.") in stored(fresh, doc)


def test_undo_and_redo_commit_each_step(qtbot, make_window, import_doc, fresh):
    doc = import_doc(ARTICLE)
    win = make_window()
    from conftest import open_in

    pane = open_in(qtbot, win, doc)
    pane.view.setFocus()
    find_and_select(qtbot, pane, "Kharkiv")
    qtbot.keyClick(pane.view, Qt.Key.Key_1)
    find_and_select(qtbot, pane, "Geneva")
    qtbot.keyClick(pane.view, Qt.Key.Key_2)
    assert sorted(stored(fresh, doc)) == [("DIPLOMATIC", "Geneva"), ("MILITARY", "Kharkiv")]

    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, ctrl)
    assert stored(fresh, doc) == [("MILITARY", "Kharkiv")]
    qtbot.waitUntil(lambda: win.span_model.rowCount() == 1, timeout=1000)
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, ctrl)
    assert stored(fresh, doc) == []
    assert (
        not pane.spans
        and pane.view.highlighter.format_at(
            pane.positions.to_qt(pane.document.text.index("Kharkiv"))
        )
        is None
    )
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, ctrl | shift)
    assert stored(fresh, doc) == [("MILITARY", "Kharkiv")]
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, ctrl | shift)
    assert sorted(stored(fresh, doc)) == [("DIPLOMATIC", "Geneva"), ("MILITARY", "Kharkiv")]
    assert len(pane.spans) == 2


def test_click_span_then_relabel_note_and_delete_with_undo(qtbot, make_window, import_doc, fresh):
    doc = import_doc(ARTICLE)
    win = make_window()
    from conftest import open_in

    pane = open_in(qtbot, win, doc)
    view = pane.view
    view.setFocus()
    find_and_select(qtbot, pane, "Sanctions bite hard")
    qtbot.keyClick(view, Qt.Key.Key_1)
    cur = view.textCursor()
    cur.setPosition(pane.positions.to_qt(pane.document.text.index("bite")))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(cur).center())
    assert pane.selected_span_id is not None
    qtbot.keyClick(view, Qt.Key.Key_3)  # relabel the selected span
    assert stored(fresh, doc) == [("ECONOMIC", "Sanctions bite hard")]

    qtbot.keyClick(view, Qt.Key.Key_N)
    dlg = win.findChild(QInputDialog, "noteDialog")
    assert dlg is not None and dlg.isVisible()
    line = dlg.findChild(QLineEdit)
    line.selectAll()
    qtbot.keyClicks(line, "energy revenue")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert fresh().annotations.spans(doc)[0].note == "energy revenue"
    qtbot.waitUntil(lambda: win.span_model.index(0, 3).data() == "energy revenue", timeout=1000)
    # The closed dialog handed activation back (a window manager does; offscreen Qt does
    # not): window shortcuts such as Ctrl+Z need the main window active.
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=1000)

    cur.setPosition(pane.positions.to_qt(pane.document.text.index("bite")))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(cur).center())
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert stored(fresh, doc) == []
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    spans = fresh().annotations.spans(doc)
    assert [(s.label, s.note) for s in spans] == [("ECONOMIC", "energy revenue")]


def test_overlapping_and_nested_spans_stay_visible(qtbot, make_window, import_doc):
    doc = import_doc(ARTICLE)
    win = make_window()
    from conftest import open_in

    pane = open_in(qtbot, win, doc)
    pane.snap_to_words = True
    pane.view.setFocus()
    find_and_select(qtbot, pane, "Talks resumed in")
    qtbot.keyClick(pane.view, Qt.Key.Key_1)
    find_and_select(qtbot, pane, "in Geneva")
    qtbot.keyClick(pane.view, Qt.Key.Key_2)
    find_and_select(qtbot, pane, "resumed")
    qtbot.keyClick(pane.view, Qt.Key.Key_3)
    text, hl, pos = pane.document.text, pane.view.highlighter, pane.positions
    only_a = hl.format_at(pos.to_qt(text.index("Talks")))
    nested = hl.format_at(pos.to_qt(text.index("resumed")))
    both = hl.format_at(pos.to_qt(text.index("in Geneva")))
    only_b = hl.format_at(pos.to_qt(text.index("Geneva")))
    colors = {f.background().color().name() for f in (only_a, nested, both, only_b)}
    assert len(colors) == 4  # each combination has its own blend
    assert both.fontUnderline() and nested.fontUnderline() and not only_a.fontUnderline()
    in_geneva = hl.spans_at(pos.to_qt(text.index("in Geneva")))
    assert {s.label for s in in_geneva} == {"MILITARY", "DIPLOMATIC"}
    assert {s.label for s in hl.spans_at(pos.to_qt(text.index("resumed")))} == {
        "MILITARY",
        "ECONOMIC",
    }


def test_crlf_source_document_offsets_match_normalised_text(qtbot, make_window, import_doc, fresh):
    raw = "Title line\r\n\r\nFirst 🙂 para.\r\nSecond line with Kyiv.\r\n".encode()
    doc = import_doc(raw, "crlf.txt")
    win = make_window()
    from conftest import open_in

    pane = open_in(qtbot, win, doc)
    assert "\r" not in pane.view.toPlainText()
    pane.view.setFocus()
    find_and_select(qtbot, pane, "Kyiv")
    qtbot.keyClick(pane.view, Qt.Key.Key_1)
    assert stored(fresh, doc) == [("MILITARY", "Kyiv")]
    (span,) = fresh().annotations.spans(doc)
    assert fresh().documents.get(doc).text[span.start : span.end] == "Kyiv"


def test_span_colours_follow_a_palette_switch(qtbot, make_window, import_doc):
    """Light/dark switch while running: highlights are re-blended over the new Base colour."""
    from conftest import open_in
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    doc = import_doc("Artillery duels continued near Bakhmut overnight.")
    win = make_window()
    pane = open_in(qtbot, win, doc)
    pane.view.setFocus()
    find_and_select(qtbot, pane, "Artillery")
    qtbot.keyClick(pane.view, Qt.Key.Key_1)
    view = pane.view
    qtbot.waitUntil(lambda: view.highlighter.format_at(pane.positions.to_qt(2)) is not None)
    light = view.highlighter.format_at(pane.positions.to_qt(2)).background().color()
    app = QApplication.instance()
    old = app.palette()
    dark = QPalette(old)
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e0e0e0"))
    try:
        app.setPalette(dark)  # delivered as posted events, as a desktop's theme switch is
        qtbot.waitUntil(lambda: view.palette().color(QPalette.ColorRole.Base).name() == "#1e1e1e")
        view.viewport().repaint()
        now = view.highlighter.format_at(pane.positions.to_qt(2)).background().color()
        assert now.lightness() < light.lightness() - 60, (light.name(), now.name())
        assert now.lightness() < 128  # a dark tint under light text
    finally:
        app.setPalette(old)
