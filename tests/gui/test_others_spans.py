"""Other annotators' spans are read-only overlays: keys act on my spans only."""

from __future__ import annotations

from conftest import open_in
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from annotator.settings import Settings

TEXT = "Shelling near Kherson continued overnight.\n\nTalks stalled in Geneva."


def _click_at(qtbot, pane, cp: int) -> None:
    view = pane.view
    cur = view.textCursor()
    cur.setPosition(pane.positions.to_qt(cp))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(cur).center())


def _bob_sees_alice(qtbot, make_window, ws, import_doc):
    doc = import_doc(TEXT)
    start = TEXT.index("Kherson")
    ws.annotations.add(
        doc, start=start, end=start + len("Kherson"), label="MILITARY", annotator="alice"
    )
    settings = Settings(annotator="bob")
    settings.save()
    win = make_window(settings=settings)
    win.actions_by_name["show_all"].setChecked(True)
    pane = open_in(qtbot, win, doc)
    qtbot.waitUntil(lambda: len(pane.spans) == 1 and not win.runner.busy, timeout=10_000)
    pane.view.setFocus()
    return doc, win, pane, start


def _stored(fresh, doc):
    return sorted((s.annotator, s.label, s.start, s.end) for s in fresh().annotations.spans(doc))


def test_label_key_on_alices_span_makes_bobs_own_span(qtbot, make_window, ws, import_doc, fresh):
    doc, win, pane, start = _bob_sees_alice(qtbot, make_window, ws, import_doc)
    end = start + len("Kherson")
    _click_at(qtbot, pane, start + 2)
    (alice,) = pane.spans.values()
    assert pane.selected_span_id == alice.id

    qtbot.keyClick(pane.view, Qt.Key.Key_2)

    assert _stored(fresh, doc) == [
        ("alice", "MILITARY", start, end),
        ("bob", "DIPLOMATIC", start, end),
    ]
    assert "read-only" in win.statusBar().currentMessage()
    assert "alice" in win.statusBar().currentMessage()
    # bob's new span is the selected one, in the text and in the span list
    bob = next(s for s in pane.spans.values() if s.annotator == "bob")
    assert pane.selected_span_id == bob.id

    def selected_in_list() -> list[str]:
        rows = win.span_list.table.selectionModel().selectedRows()
        return [win.span_model.span_at(r.row()).annotator for r in rows]

    qtbot.waitUntil(lambda: selected_in_list() == ["bob"], timeout=1000)

    # a second label key now relabels bob's span, never alice's
    _click_at(qtbot, pane, start + 2)
    assert pane.selected_span_id == bob.id  # a click prefers my span where both lie
    qtbot.keyClick(pane.view, Qt.Key.Key_3)
    assert _stored(fresh, doc) == [
        ("alice", "MILITARY", start, end),
        ("bob", "ECONOMIC", start, end),
    ]


def test_delete_and_note_leave_alices_span_alone(qtbot, make_window, ws, import_doc, fresh):
    doc, win, pane, start = _bob_sees_alice(qtbot, make_window, ws, import_doc)
    before = _stored(fresh, doc)
    _click_at(qtbot, pane, start + 2)
    (alice,) = pane.spans.values()
    assert pane.selected_span_id == alice.id

    qtbot.keyClick(pane.view, Qt.Key.Key_Delete)
    assert _stored(fresh, doc) == before
    assert "only your own spans can be deleted" in win.statusBar().currentMessage()

    qtbot.keyClick(pane.view, Qt.Key.Key_N)
    assert win.findChild(QInputDialog, "noteDialog") is None
    assert "note" in win.statusBar().currentMessage()

    # the span list's context menu paths go through the same gate
    win.span_list.deleteRequested.emit(alice.id)
    assert win.edit_note(alice.id) is None
    assert _stored(fresh, doc) == before
    assert win.undo_stack.count() == 0


def test_teammates_spans_are_hatched_with_their_name_and_a_legend(
    qtbot, make_window, ws, import_doc, monkeypatch
):
    """Until now only the tooltip told alice's spans from bob's own: both were filled alike."""
    from PySide6.QtGui import QTextCharFormat

    from annotator.gui.widgets.span_highlighter import OTHERS

    doc, win, pane, start = _bob_sees_alice(qtbot, make_window, ws, import_doc)
    talks = TEXT.index("Talks")
    ws.annotations.add(doc, start=talks, end=talks + 5, label="DIPLOMATIC", annotator="bob")
    both = TEXT.index("near")
    ws.annotations.add(
        doc, start=both, end=both + 9, label="ECONOMIC", annotator="bob"
    )  # "near Kher"
    win.reload_panes()
    qtbot.waitUntil(lambda: len(pane.spans) == 3 and not win.runner.busy, timeout=10_000)
    hl = pane.view.highlighter

    def fmt_at(cp: int) -> QTextCharFormat:
        fmt = hl.format_at(pane.positions.to_qt(cp))
        assert fmt is not None
        return fmt

    alice_only = fmt_at(start + len("Kherson") - 1)  # "n" of Kherson: alice's span alone
    bob_only = fmt_at(talks + 1)
    overlap = fmt_at(start + 1)  # "Kher" lies in bob's "near Kher" too
    assert alice_only.background().style() == Qt.BrushStyle.BDiagPattern  # hatched
    assert alice_only.property(OTHERS) == "alice"
    assert bob_only.background().style() == Qt.BrushStyle.SolidPattern  # filled: his own
    assert not bob_only.property(OTHERS)
    # Under bob's own fill, alice's span still shows: a dashed underline.
    assert overlap.background().style() == Qt.BrushStyle.SolidPattern
    assert overlap.underlineStyle() == QTextCharFormat.UnderlineStyle.DashUnderline
    assert overlap.property(OTHERS) == "alice"
    # The legend names whose spans are hatched; the tooltip says whose a span is.
    assert pane.legend.isVisible()
    assert "alice" in pane.legend.text() and "hatched" in pane.legend.text()
    shown: list[str] = []
    monkeypatch.setattr(
        "annotator.gui.widgets.document_view.QToolTip.showText",
        lambda _pos, text, *_a: shown.append(text),
    )
    view = pane.view
    cur = view.textCursor()
    cur.setPosition(pane.positions.to_qt(start + 1))
    point = view.viewport().mapToGlobal(view.cursorRect(cur).center())
    from PySide6.QtGui import QHelpEvent

    view.event(QHelpEvent(QHelpEvent.Type.ToolTip, view.cursorRect(cur).center(), point))
    assert shown and "alice (a teammate's, read-only)" in shown[-1]
    assert "bob (yours)" in shown[-1]
    # Only bob's spans shown: no hatch, no legend.
    win.actions_by_name["show_all"].setChecked(False)
    qtbot.waitUntil(lambda: len(pane.spans) == 2 and not win.runner.busy, timeout=10_000)
    assert not pane.legend.isVisible()
    assert fmt_at(talks + 1).background().style() == Qt.BrushStyle.SolidPattern


def test_a_teammates_new_span_shows_while_others_are_shown(
    qtbot, make_window, ws, import_doc, fresh
):
    """Alice tags on her own desktop; Bob, who shows others' spans, sees it come in
    without reopening the document, and keeps his place and selection."""
    doc, win, pane, start = _bob_sees_alice(qtbot, make_window, ws, import_doc)
    (alice,) = pane.spans.values()
    pane.select_span(alice.id)
    talks = TEXT.index("Talks")
    fresh().annotations.add(doc, start=talks, end=talks + 5, label="DIPLOMATIC", annotator="alice")
    qtbot.waitUntil(lambda: len(pane.spans) == 2, timeout=8_000)
    assert pane.selected_span_id == alice.id
    assert {(s.annotator, s.start) for s in pane.spans.values()} == {
        ("alice", start),
        ("alice", talks),
    }
    qtbot.waitUntil(lambda: win.span_model.rowCount() == 2, timeout=5_000)  # the span list too
    # With only his own spans shown, her next one is not even read: no reload is asked for
    # (a reload would show nothing of hers, so count the requests, not the spans).
    win.actions_by_name["show_all"].setChecked(False)
    qtbot.waitUntil(lambda: not pane.spans and not win.runner.busy, timeout=8_000)
    asked: list[int] = []
    win.live._reload_spans = asked.append
    fresh().annotations.add(doc, start=0, end=8, label="MILITARY", annotator="alice")
    with qtbot.waitSignal(win.live.relay.changed, timeout=8_000) as got:
        pass
    assert any(c.document_id == doc and c.annotator == "alice" for c in got.args[0])
    assert asked == [] and not pane.spans
    win.actions_by_name["show_all"].setChecked(True)  # shown again: the next one is asked for
    qtbot.waitUntil(lambda: len(pane.spans) == 3 and not win.runner.busy, timeout=8_000)
    fresh().annotations.add(doc, start=9, end=14, label="MILITARY", annotator="alice")
    qtbot.waitUntil(lambda: asked == [doc], timeout=8_000)
