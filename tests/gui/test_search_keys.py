"""Corpus search from the keyboard (issue 20, item 4): Down/Up move through the hits and
Enter opens the current one, all from the search field; the opened hit is selected and
centred, in the long demo article too."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator import paths

LONG = "Ukraine Must Turn the Tide"


def _hit_in_view(pane) -> tuple[int, int]:
    cur = pane.view.textCursor()
    rect = pane.view.cursorRect(cur)
    return rect.center().y(), pane.view.viewport().height()


def test_down_up_enter_from_the_search_field_open_the_hit_centred(qtbot, ws, make_window):
    report = ws.importer.import_paths([paths.demo_corpus_dir()])
    assert not report.errors
    win = make_window()
    search = win.corpus.search
    qtbot.keyClick(
        win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert search.hasFocus()
    qtbot.keyClicks(search, "sanctions")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    hits = win.corpus.hits
    qtbot.waitUntil(lambda: hits.count() >= 2 and not win.runner.busy, timeout=10_000)
    rows = [hits.item(i) for i in range(hits.count())]
    long_rows = [i for i, it in enumerate(rows) if it.text().startswith(LONG)]
    assert len(long_rows) >= 2

    for target in (long_rows[1], long_rows[-1], 0):
        # Down/Up from the field itself, which keeps the focus while choosing.
        moves = target - hits.currentRow()
        for _ in range(abs(moves)):
            qtbot.keyClick(search, Qt.Key.Key_Down if moves > 0 else Qt.Key.Key_Up)
        assert hits.currentRow() == target and search.hasFocus()
        doc_id, offset = hits.item(target).data(Qt.ItemDataRole.UserRole)

        qtbot.keyClick(search, Qt.Key.Key_Return)  # opens that hit (no new search)
        pane = win.reading.current
        qtbot.waitUntil(lambda d=doc_id, p=pane: p.document_id == d and not win.runner.busy)
        qtbot.wait(50)  # the layout settles
        cur = pane.view.textCursor()
        assert cur.selectedText().lower() == "sanctions"
        assert pane.positions.to_cp(cur.selectionStart()) == offset
        y, height = _hit_in_view(pane)
        bar = pane.view.verticalScrollBar()
        assert height // 3 <= y <= height * 2 // 3 or bar.value() in (0, bar.maximum()), (
            target,
            y,
            height,
        )
        assert 0 <= y <= height
        search.setFocus()
    assert "Down/Up" in win.corpus.search_status.text()


def test_up_down_at_the_ends_stay_and_a_new_text_searches_again(qtbot, ws, make_window):
    report = ws.importer.import_paths([paths.demo_corpus_dir()])
    assert not report.errors
    win = make_window()
    search = win.corpus.search
    search.setFocus()
    qtbot.keyClicks(search, "sanctions")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    hits = win.corpus.hits
    qtbot.waitUntil(lambda: hits.count() > 1 and not win.runner.busy, timeout=10_000)
    qtbot.keyClick(search, Qt.Key.Key_Up)
    assert hits.currentRow() == 0
    n = hits.count()
    for _ in range(n + 3):
        qtbot.keyClick(search, Qt.Key.Key_Down)
    assert hits.currentRow() == n - 1
    search.selectAll()
    qtbot.keyClicks(search, "Donbas")
    qtbot.keyClick(search, Qt.Key.Key_Return)  # a changed text is a new search
    qtbot.waitUntil(
        lambda: "Donbas" in win.corpus.search_status.text() and not win.runner.busy,
        timeout=10_000,
    )
    assert all("donbas" in hits.item(i).text().lower() for i in range(hits.count()))


def test_a_hit_opened_from_the_list_lands_on_the_hit_in_the_long_article(qtbot, ws, make_window):
    """The issue's case: "sanctions", the long article's later hits, opened from the list."""
    report = ws.importer.import_paths([paths.demo_corpus_dir()])
    assert not report.errors
    win = make_window()
    win.corpus.search.setFocus()
    qtbot.keyClicks(win.corpus.search, "sanctions")
    qtbot.keyClick(win.corpus.search, Qt.Key.Key_Return)
    hits = win.corpus.hits
    qtbot.waitUntil(lambda: hits.count() >= 2 and not win.runner.busy, timeout=10_000)
    rows = [i for i in range(hits.count()) if hits.item(i).text().startswith(LONG)]
    for row in reversed(rows):
        hits.setFocus()
        hits.setCurrentRow(row)
        qtbot.keyClick(hits, Qt.Key.Key_Return)
        doc_id, offset = hits.item(row).data(Qt.ItemDataRole.UserRole)
        pane = win.reading.current
        qtbot.waitUntil(lambda d=doc_id, p=pane: p.document_id == d and not win.runner.busy)
        qtbot.wait(50)
        assert pane.positions.to_cp(pane.view.textCursor().selectionStart()) == offset
        y, height = _hit_in_view(pane)
        assert height // 4 <= y <= height * 3 // 4, (row, y, height)
