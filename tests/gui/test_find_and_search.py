"""Find in document says "n of m"; corpus search lists every hit with context; Enter opens it."""

from __future__ import annotations

from conftest import open_in
from PySide6.QtCore import Qt

DOC = (
    "Kherson report\n\n"
    "Shelling hit Kherson at dawn. 🙂 Residents of KHERSON left.\n\n"
    "By night Kherson was quiet."
)


def test_find_shows_n_of_m(qtbot, make_window, import_doc):
    doc = import_doc(DOC)
    win = make_window()
    pane = open_in(qtbot, win, doc)
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(pane.find_bar.edit, "kherson")
    assert pane.find_bar.status.text() == "1 of 3"
    qtbot.keyClick(pane.find_bar.edit, Qt.Key.Key_Return)
    assert pane.find_bar.status.text() == "2 of 3"  # past the emoji: counted in the text
    qtbot.keyClick(pane.find_bar.edit, Qt.Key.Key_Return)
    assert pane.find_bar.status.text() == "3 of 3"
    qtbot.keyClick(pane.find_bar.edit, Qt.Key.Key_Return)  # wraps around
    assert pane.find_bar.status.text() == "1 of 3"
    qtbot.keyClick(pane.find_bar.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert pane.find_bar.status.text() == "3 of 3"
    pane.find_bar.edit.selectAll()
    qtbot.keyClicks(pane.find_bar.edit, "Odesa")
    assert pane.find_bar.status.text() == "No match"


def test_corpus_search_lists_hits_with_context_and_enter_opens_that_hit(
    qtbot, make_window, import_doc
):
    import_doc("Nothing relevant here.")
    doc = import_doc(DOC)
    win = make_window()
    qtbot.keyClick(
        win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.keyClicks(win.corpus.search, "kherson")
    qtbot.keyClick(win.corpus.search, Qt.Key.Key_Return)
    hits = win.corpus.hits
    qtbot.waitUntil(lambda: hits.count() == 3, timeout=10_000)
    assert hits.isVisible()
    texts = [hits.item(i).text() for i in range(hits.count())]
    assert all(t.startswith("Kherson report\n") for t in texts)
    assert "Residents of »KHERSON« left." in texts[1]
    assert "Shelling hit »Kherson« at dawn" in texts[0]
    assert "3 hit(s) in 1 document(s)" in win.corpus.search_status.text()

    hits.setFocus()
    hits.setCurrentRow(2)
    qtbot.keyClick(hits, Qt.Key.Key_Return)
    pane = win.reading.current
    qtbot.waitUntil(lambda: pane.document_id == doc and not win.runner.busy, timeout=10_000)
    cur = pane.view.textCursor()
    assert cur.selectedText() == "Kherson"
    text = pane.document.text
    assert pane.positions.to_cp(cur.selectionStart()) == text.rindex("Kherson")
    assert pane.view.hasFocus()

    win.corpus.search.clear()
    assert not hits.isVisible() and win.corpus.proxy.rowCount() == 2
