"""Keys pressed before the first-run name is given (issue 20, item 5): the tag waits for
the name and is then made, shown and coloured; the passage does not run ahead; and Qt
never hears of a cursor position outside the text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from annotator.gui.app import launch
from annotator.gui.dialogs.annotator_dialog import AnnotatorDialog
from annotator.settings import Settings


def _out_of_range(qtlog) -> list[str]:
    return [r.message for r in qtlog.records if "out of range" in r.message]


def test_cancel_name_p_1_then_name_tags_colours_and_warns_nothing(qtbot, qtlog, ws, layout, fresh):
    settings = Settings()
    win = launch(ws, settings, layout)
    qtbot.addWidget(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    win.welcome_dialog.reject()
    win.findChild(AnnotatorDialog, "annotatorDialog").reject()  # cancel the name prompt
    pane = win.reading.current
    qtbot.waitUntil(lambda: pane.view.hasFocus(), timeout=5_000)

    qtbot.keyClick(pane.view, Qt.Key.Key_P)
    first = pane.current_passage
    passage = pane.current_passage_range()
    qtbot.keyClick(pane.view, Qt.Key.Key_1)
    assert pane.current_passage == first  # not ahead of a tag that is not made yet
    assert "name" in win.statusBar().currentMessage()
    (dlg,) = [d for d in win.findChildren(AnnotatorDialog) if d.isVisible()]
    qtbot.keyClicks(dlg.combo.lineEdit(), "Olena")
    qtbot.keyClick(dlg.combo.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    qtbot.wait(50)

    spans = fresh().annotations.spans(pane.document_id)
    assert [(s.annotator, s.label, s.start, s.end) for s in spans] == [
        ("Olena", "MILITARY", *passage)
    ]
    # Shown: in the pane's spans, coloured in the text, and on the passage bar.
    assert [s.label for s in pane.spans.values()] == ["MILITARY"]
    qt_pos = pane.positions.to_qt(passage[0]) + 1
    fmt = pane.view.highlighter.format_at(qt_pos)
    assert fmt is not None and fmt.background().color() != QColor(
        pane.view.palette().base().color()
    )
    pane.move_passage(0)
    qtbot.waitUntil(
        lambda: (
            pane.current_passage_range() != passage or pane.passage_bar.labels.text() == "MILITARY"
        ),
        timeout=2000,
    )
    assert _out_of_range(qtlog) == []
    win.close()


def test_a_pane_that_is_loading_takes_no_edit_at_old_positions(
    qtbot, qtlog, make_window, import_doc
):
    """An edit arriving while a pane reloads (the view already cleared) must not place
    cursors in the empty view."""
    from conftest import open_in

    doc = import_doc("Drones hit the depot near Kharkiv. " * 20)
    win = make_window()
    pane = open_in(qtbot, win, doc)
    pane.set_passage_mode(True)
    cur = pane.view.textCursor()
    cur.setPosition(10)
    cur.setPosition(300, cur.MoveMode.KeepAnchor)
    pane.view.setTextCursor(cur)
    win.open_document(doc, pane=pane)  # reload begins: the view is cleared at once
    win.tag(doc, 200, 300, "MILITARY")  # a tag committed meanwhile
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    assert [(s.start, s.end) for s in pane.spans.values()] == [(200, 300)]
    assert pane.view.highlighter.spans_at(pane.positions.to_qt(250))
    assert _out_of_range(qtlog) == []
