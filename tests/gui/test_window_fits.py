"""The main window stays on the screen: panes share the width, headers elide, geometry clamps."""

from __future__ import annotations

from conftest import open_in
from PySide6.QtCore import QRect, Qt

LONG_TITLE = "Situation report " + "with a very long title that goes on " * 8


def _inside(win) -> None:
    avail = win.screen().availableGeometry()
    assert avail.contains(win.frameGeometry()), (win.frameGeometry(), avail)
    local = QRect(0, 0, win.width(), win.height())
    for part in (win.labels_dock, win.spans_dock, win.corpus_dock, win.statusBar()):
        top_left = part.mapTo(win, part.rect().topLeft())
        assert local.contains(QRect(top_left, part.size())), part.objectName()


def test_passage_modes_and_new_panes_keep_the_window_on_screen(qtbot, make_window, import_doc):
    doc = import_doc(f"{LONG_TITLE}\n\nShelling continued. Talks stalled.", name="long.txt")
    import_doc("Second report\n\nGas exports fell.")
    win = make_window()
    pane = open_in(qtbot, win, doc)
    _inside(win)
    view = pane.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_P)
    qtbot.keyClick(view, Qt.Key.Key_P, Qt.KeyboardModifier.ShiftModifier)
    for _ in range(2):
        qtbot.keyClick(win.reading.current.view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert len(win.reading.panes) == 4
    for p in win.reading.panes[1:]:
        open_in(qtbot, win, doc, pane=p)
    qtbot.wait(50)  # the fit runs one event-loop turn after a layout change
    _inside(win)
    widths = [p.width() for p in win.reading.panes]
    assert max(widths) - min(widths) <= 2  # the panes share the width
    for p in win.reading.panes:
        assert p.picker.width() <= p.width()
        assert p.meta.width() <= p.width()


def test_an_oversized_saved_geometry_is_clamped_to_the_screen(qtbot, make_window, layout):
    first = make_window()
    avail = first.screen().availableGeometry()
    first.setGeometry(avail.x() + 300, avail.y() + 200, avail.width() + 900, avail.height() + 500)
    first.save_layout()
    first.close()

    win = make_window(layout=layout)
    qtbot.wait(50)
    _inside(win)
