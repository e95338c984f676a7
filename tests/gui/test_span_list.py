"""The span dock is readable and keeps its selection through edits."""

from __future__ import annotations

from conftest import open_in
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit

from annotator.gui.models.span_list_model import SpanListModel

TEXT = "Shelling near Kherson continued overnight. Talks stalled in Geneva. Gas exports fell."


def _selected(win) -> list[int]:
    return [
        r.data(SpanListModel.IdRole) for r in win.span_list.table.selectionModel().selectedRows()
    ]


def test_text_column_is_the_wide_one_and_annotators_show_with_others(
    qtbot, make_window, import_doc, ws
):
    doc = import_doc(TEXT)
    ws.annotations.add(doc, start=0, end=8, label="MILITARY", annotator="alice")
    win = make_window()
    open_in(qtbot, win, doc)
    table = win.span_list.table
    text_w = table.columnWidth(SpanListModel.TEXT)
    fm = table.fontMetrics()
    # Well past five characters even in the narrowest dock of an 800 px screen.
    assert text_w >= fm.horizontalAdvance("Shelling near")
    assert text_w >= table.viewport().width() // 2
    assert text_w > table.columnWidth(SpanListModel.LABEL)
    assert table.isColumnHidden(SpanListModel.ANNOTATOR)  # only my spans: no column for it
    win.actions_by_name["show_all"].setChecked(True)
    assert not table.isColumnHidden(SpanListModel.ANNOTATOR)


def test_selection_stays_on_the_span_after_a_note_is_saved(qtbot, make_window, import_doc, ws):
    doc = import_doc(TEXT)
    for word in ("Shelling", "Talks", "Gas"):
        start = TEXT.index(word)
        ws.annotations.add(
            doc, start=start, end=start + len(word), label="MILITARY", annotator="alice"
        )
    win = make_window()
    pane = open_in(qtbot, win, doc)
    table = win.span_list.table
    index = win.span_model.index(1, SpanListModel.TEXT)  # "Talks"
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center()
    )
    talks = win.span_model.span_at(1).id
    assert _selected(win) == [talks] and pane.selected_span_id == talks

    qtbot.keyClick(pane.view, Qt.Key.Key_N)
    dlg = win.findChild(QInputDialog, "noteDialog")
    line = dlg.findChild(QLineEdit)
    qtbot.keyClicks(line, "ceasefire talks")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.span_model.index(1, SpanListModel.NOTE).data() == "ceasefire talks")
    assert _selected(win) == [talks]

    # the note saved from the list's context menu path keeps it too
    win.span_list.select_span(talks)
    dlg = win.edit_note(talks)
    dlg.setTextValue("stalled")
    dlg.accept()
    qtbot.waitUntil(lambda: win.span_model.index(1, SpanListModel.NOTE).data() == "stalled")
    assert _selected(win) == [talks]
