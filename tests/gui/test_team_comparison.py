"""Comparison view: disagreement marks, navigation keys, adjudication through the undo stack,
live updates from another connection. State is checked through a fresh Workspace."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat
from team_fixtures import S1, S2, S3, rng, team_doc_fixture  # noqa: F401

from annotator.core.model import SpanOrigin
from annotator.gui.models.disagreement_model import DisagreementListModel
from annotator.gui.models.document_list_model import DocumentListModel
from annotator.gui.widgets.comparison_window import ComparisonWindow
from annotator.gui.widgets.disagreement_highlighter import MarkProperty

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def compare(qtbot, ws, settings, team_doc):
    docs = DocumentListModel(ws.documents, settings.annotator)
    docs.reload()
    win = ComparisonWindow(ws, settings, docs, annotators=("ann", "ben"), live_interval=0.2)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.open_document(team_doc)
    qtbot.waitUntil(lambda: win.document is not None and not win.runner.busy, timeout=10_000)
    return win  # qtbot closes it, which stops the change feed


def wait_idle(qtbot, win):
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    qtbot.wait(20)


def gold(fresh, doc):
    return sorted((s.start, s.end, s.label) for s in fresh().adjudication.gold(doc))


def key(qtbot, win, k, mods=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(win.panes["ann"].view, k, mods)
    wait_idle(qtbot, win)


def selected(pane):
    cur = pane.view.textCursor()
    return pane.positions.range_to_cp(cur.selectionStart(), cur.selectionEnd())


def test_marks_the_disagreement_in_both_panes_and_lists_it(qtbot, compare, team_doc):
    win = compare
    rows = [win.model.index(r, DisagreementListModel.CANDIDATES).data() for r in range(2)]
    assert win.model.rowCount() == 2
    assert rows[0] == "ben: DIPLOMATIC · ann: MILITARY"
    assert rows[1] == "ann: DIPLOMATIC · ben: nothing"
    assert win.model.index(0, DisagreementListModel.KIND).data() == "label"
    for name in ("ann", "ben"):
        pane = win.panes[name]
        hl = pane.view.highlighter
        for needle in (S1, S2):  # S2: ben drew nothing there, the mark shows anyway
            qs, qe = pane.positions.range_to_qt(*rng(needle))
            for pos in (qs, qe - 1):
                fmt = hl.format_at(pos)
                assert fmt is not None and fmt.property(MarkProperty) is True
                assert fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
        qs, qe = pane.positions.range_to_qt(*rng(S3))  # unanimous: coloured, not marked
        fmt = hl.format_at(qs + 2)
        assert fmt is not None and not fmt.property(MarkProperty)
    assert win.panes["ann"].spans and win.panes["ben"].spans
    assert {s.annotator for s in win.panes["ann"].spans.values()} == {"ann"}
    assert {s.annotator for s in win.panes["ben"].spans.values()} == {"ben"}


def test_next_and_previous_keys_move_every_pane(qtbot, compare):
    win = compare
    win.panes["ann"].view.setFocus()
    key(qtbot, win, Qt.Key.Key_N)
    assert win.panel.current_row() == 0
    assert selected(win.panes["ann"]) == selected(win.panes["ben"]) == rng(S1)
    key(qtbot, win, Qt.Key.Key_F8)
    assert win.panel.current_row() == 1
    assert selected(win.panes["ben"]) == rng(S2)
    key(qtbot, win, Qt.Key.Key_N, SHIFT)
    assert win.panel.current_row() == 0
    assert selected(win.panes["gold"]) == rng(S1)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ([Qt.Key.Key_A], [(*rng(S1), "MILITARY")]),
        ([Qt.Key.Key_B], [(*rng(S1), "DIPLOMATIC")]),
        ([Qt.Key.Key_2], [(*rng(S1), "DIPLOMATIC"), (*rng(S1), "MILITARY")]),
        ([Qt.Key.Key_X], []),
    ],
    ids=["accept-a", "accept-b", "both", "neither"],
)
def test_decisions_store_gold_and_undo_restores(
    qtbot,
    compare,
    fresh,
    team_doc,
    keys,
    expected,
):
    win = compare
    key(qtbot, win, Qt.Key.Key_N)
    for k in keys:
        key(qtbot, win, k)
    assert gold(fresh, team_doc) == sorted(expected)
    spans = fresh().adjudication.gold(team_doc)
    assert all(s.decided_by == "alice" and s.origin is SpanOrigin.ADJUDICATED for s in spans)
    view = fresh().adjudication.view(team_doc, annotators=("ann", "ben"))
    assert [it.candidates[0].start for it in view.open_items] == [rng(S2)[0]]  # S1 decided
    assert win.model.rowCount() == 1  # the list dropped it
    assert win.panel.current_row() == 0  # and moved on to the next one
    assert sorted((s.start, s.end, s.label) for s in win.panes["gold"].spans.values()) == sorted(
        expected
    )
    key(qtbot, win, Qt.Key.Key_Z, CTRL)
    assert gold(fresh, team_doc) == []
    assert len(fresh().adjudication.view(team_doc, annotators=("ann", "ben")).open_items) == 2
    assert win.model.rowCount() == 2
    key(qtbot, win, Qt.Key.Key_Z, CTRL | SHIFT)  # redo
    assert gold(fresh, team_doc) == sorted(expected)


def test_accept_b_where_b_drew_nothing_is_refused(qtbot, compare, fresh, team_doc):
    win = compare
    key(qtbot, win, Qt.Key.Key_N)
    key(qtbot, win, Qt.Key.Key_N)
    key(qtbot, win, Qt.Key.Key_B)
    assert gold(fresh, team_doc) == []
    assert "ben proposed nothing" in win.statusBar().currentMessage()
    assert win.undo_stack.count() == 0


def test_edit_takes_the_selection_of_a_pane_with_a_label(qtbot, compare, fresh, team_doc):
    win = compare
    key(qtbot, win, Qt.Key.Key_N)
    pane = win.panes["ben"]
    pane.view.setFocus()
    start, end = rng("Kherson continued")
    pane.go_to(start, end)  # as a drag or Shift+arrows would select it
    qtbot.keyClick(pane.view, Qt.Key.Key_E)
    dlg = win.findChild(object, "goldLabelDialog")
    assert dlg is not None and dlg.isVisible()
    assert dlg.textValue() == "DIPLOMATIC"  # the item's first candidate
    dlg.setTextValue("ECONOMIC")
    qtbot.keyClick(dlg, Qt.Key.Key_Return)
    wait_idle(qtbot, win)
    assert gold(fresh, team_doc) == [(start, end, "ECONOMIC")]
    view = fresh().adjudication.view(team_doc, annotators=("ann", "ben"))
    decisions = {c.label: c.decision.value for c in view.disagreements[0].candidates}
    assert decisions == {"DIPLOMATIC": "edited", "MILITARY": "edited"}
    key(qtbot, win, Qt.Key.Key_Z, CTRL)
    assert gold(fresh, team_doc) == []


def test_merge_unanimous_button(qtbot, compare, fresh, team_doc):
    win = compare
    qtbot.mouseClick(win.panel.buttons["merge"], Qt.MouseButton.LeftButton)
    wait_idle(qtbot, win)
    spans = fresh().adjudication.gold(team_doc)
    assert [(s.start, s.end, s.label, s.origin) for s in spans] == [
        (*rng(S3), "ECONOMIC", SpanOrigin.UNANIMOUS)
    ]
    assert "0 unanimous span(s) not yet in gold" in win.panel.summary.text()
    key(qtbot, win, Qt.Key.Key_Z, CTRL)
    assert gold(fresh, team_doc) == []


def test_live_update_from_another_connection(qtbot, compare, fresh, team_doc):
    win = compare
    assert win.live.running
    other = fresh()
    other.annotations.add(
        team_doc, start=rng(S2)[0], end=rng(S2)[1], label="DIPLOMATIC", annotator="ben"
    )

    def shown() -> bool:
        return any(
            (s.start, s.end, s.label) == (*rng(S2), "DIPLOMATIC")
            for s in win.panes["ben"].spans.values()
        )

    qtbot.waitUntil(shown, timeout=8_000)
    qtbot.waitUntil(lambda: win.model.rowCount() == 1, timeout=5_000)  # S2 now agreed
    win.close()
    assert not win.live.running


def test_disagreement_model(qtmodeltester, ws, team_doc):
    model = DisagreementListModel()
    qtmodeltester.check(model)
    model.set_view(ws.adjudication.view(team_doc, annotators=("ann", "ben")))
    assert model.rowCount() == 2
    qtmodeltester.check(model)


def test_compare_menu_asks_whom_when_more_than_two(qtbot, make_window, ws, team_doc):
    from conftest import open_in
    from PySide6.QtWidgets import QApplication

    from annotator.gui.dialogs.compare_dialog import CompareDialog

    ws.annotations.add(team_doc, start=rng(S3)[0], end=rng(S3)[1], label="ECONOMIC", annotator="cy")
    win = make_window()
    open_in(qtbot, win, team_doc)
    qtbot.keyClick(win, Qt.Key.Key_C, CTRL | SHIFT)
    dlg = next(w for w in QApplication.topLevelWidgets() if isinstance(w, CompareDialog))
    assert dlg.isVisible()
    items = {dlg.list.item(i).text(): dlg.list.item(i) for i in range(dlg.list.count())}
    assert {"ann", "ben", "cy"} <= set(items)
    for name, item in items.items():
        item.setCheckState(
            Qt.CheckState.Checked if name in ("ann", "cy") else Qt.CheckState.Unchecked
        )
    items["ann"].setCheckState(Qt.CheckState.Unchecked)
    ok = dlg.buttons.button(dlg.buttons.StandardButton.Ok)
    assert not ok.isEnabled()  # one annotator is not a comparison
    items["ann"].setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(win.team.comparisons), timeout=5_000)
    view = win.team.comparisons[-1]
    qtbot.waitUntil(lambda: view.document is not None and not view.runner.busy, timeout=10_000)
    assert set(view.panes) == {"ann", "cy", "gold"}  # the two chosen, and the gold layer
    view.close()


def test_esc_and_ctrl_w_close_the_comparison(qtbot, compare):
    win = compare
    wait_idle(qtbot, win)
    pane = next(iter(win.panes.values()))
    pane.view.setFocus()
    cur = pane.view.textCursor()
    cur.setPosition(0)
    cur.setPosition(5, cur.MoveMode.KeepAnchor)
    pane.view.setTextCursor(cur)
    qtbot.keyClick(pane.view, Qt.Key.Key_Escape)  # first: the selection goes
    assert win.isVisible() and not pane.view.textCursor().hasSelection()
    qtbot.keyClick(pane.view, Qt.Key.Key_Escape)
    assert not win.isVisible()
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: win.isActiveWindow(), timeout=5_000)
    qtbot.keyClick(pane.view, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert not win.isVisible()


def test_each_pane_shows_its_annotators_document_labels_read_only(qtbot, compare, ws, team_doc):
    """Document labels differ between annotators too: each pane's heading names its own
    annotator's, read-only (no button to change them here), and a reload follows a change."""
    win = compare
    ws.annotations.set_document_label(team_doc, "ann", "DIPLOMATIC", True)
    ws.annotations.set_document_label(team_doc, "ben", "MILITARY", True)
    ws.annotations.set_document_label(team_doc, "ben", "ECONOMIC", True)
    ws.annotations.set_document_label(team_doc, "cy", "MILITARY", True)  # not compared here
    win.refresh()
    qtbot.waitUntil(lambda: win.titles["ann"].text() != "ann", timeout=10_000)
    wait_idle(qtbot, win)
    titles = win.titles
    assert titles["ann"].text() == "ann   ◆ DIPLOMATIC"
    assert titles["ben"].text() == "ben   ◆ ECONOMIC, MILITARY"
    assert titles["gold"].text() == "gold (adjudicated)"
    assert all(pane.others_doc_labels.isHidden() for pane in win.panes.values())
    if os.environ.get("ANNOTATOR_SHOTS"):
        win.grab().save(os.path.join(os.environ["ANNOTATOR_SHOTS"], "comparison_doc_labels.png"))
    assert all(not pane.doc_labels_button.isVisible() for pane in win.panes.values())
    ws.annotations.set_document_label(team_doc, "ann", "DIPLOMATIC", False)
    win.refresh()
    qtbot.waitUntil(lambda: titles["ann"].text() == "ann", timeout=10_000)
    assert titles["ann"].toolTip() == "ann gave the whole document no label"
    assert titles["ben"].text() == "ben   ◆ ECONOMIC, MILITARY"


def test_a_teammates_document_label_shows_in_the_heading_without_a_reload(
    qtbot, compare, fresh, team_doc
):
    """Another desktop labels the whole document and takes it back: the open comparison's
    heading follows through the change feed alone, and only the labels are read again (the
    text and spans stay, no full reload)."""
    win = compare
    titles = win.titles
    assert titles["ben"].text() == "ben"
    doc_before, loads = win.panes["ben"].document, win._token
    other = fresh()
    other.annotations.set_document_label(team_doc, "ben", "ECONOMIC", True)
    qtbot.waitUntil(lambda: titles["ben"].text() == "ben   ◆ ECONOMIC", timeout=8_000)
    assert titles["ben"].toolTip() == "ben's labels of the whole document: ECONOMIC"
    assert titles["ann"].text() == "ann"
    if os.environ.get("ANNOTATOR_SHOTS"):
        win.grab().save(os.path.join(os.environ["ANNOTATOR_SHOTS"], "comparison_live_label.png"))
    other.annotations.set_document_label(team_doc, "ben", "ECONOMIC", False)
    qtbot.waitUntil(lambda: titles["ben"].text() == "ben", timeout=8_000)
    assert win.panes["ben"].document is doc_before and win._token == loads


def test_the_windows_of_one_workspace_share_one_change_feed(
    qtbot, make_window, compare, fresh, team_doc
):
    """One feed thread (and on a team server one LISTEN connection) however many windows
    are open: a member's login has a few connection slots. Closing one window leaves the
    others live; the feed stops with the last."""
    main = make_window()
    feed = compare.live._feed
    assert feed is not None and main.live.relay._feed is feed
    assert feed.interval == 0.2  # the shortest asked for (the comparison window's)
    compare.close()
    assert not compare.live.running and main.live.relay.running
    fresh().annotations.set_document_label(team_doc, "ben", "MILITARY", True)
    with qtbot.waitSignal(main.live.relay.changed, timeout=8_000):
        pass
    main.close()
    assert not main.live.relay.running
    assert feed._stop.is_set()
