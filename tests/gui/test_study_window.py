"""Issue 22 in the window: each annotator works through their queue by keys (Ctrl+N next
assigned document, P 1 to tag, Ctrl+D done, Ctrl+Shift+K skip), the status bar counts
exactly, blind mode keeps a teammate's spans out of the panes, the corpus tooltips and the
window's export until the document is done, and Team ▸ Progress shows the lead the counts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QLabel
from study_data import add_articles, work

from annotator.core.model import DocumentStatus
from annotator.core.study import StudyPlan
from annotator.gui.dialogs.export_dialog import ExportDialog
from annotator.gui.models.document_list_model import DocumentListModel

PEOPLE = ("alice", "bob", "cat")
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _settle(qtbot, win) -> None:
    qtbot.waitUntil(lambda: not win.runner.busy and not win.study._refreshing, timeout=15_000)
    qtbot.wait(10)


def _progress_row(fresh, who):
    rows = {r.name: r for r in fresh().study.progress(agreement=False).annotators}
    return rows[who]


@pytest.fixture
def study(ws):
    add_articles(ws.db, 1, 40)
    ws.study.assign(StudyPlan(PEOPLE, overlap=0.25, per_document=2, seed=7), assigned_by="lena")
    return ws


@pytest.mark.slow
def test_each_annotator_works_the_queue_by_keys_blind_until_done(
    qtbot, study, make_window, fresh, tmp_path: Path
):
    ws = study
    overlap = set(ws.study.overlap_document_ids())
    # bob finished his first overlap document shared with alice before she starts.
    shared = next(
        d
        for d in (i.document_id for i in ws.study.assignments("bob"))
        if d in overlap and d in {i.document_id for i in ws.study.assignments("alice")}
    )
    work(ws, shared, "bob")
    single = next(i.document_id for i in ws.study.assignments("bob") if not i.overlap)
    work(ws, single, "bob")  # not an overlap document: blind mode leaves it visible
    win = make_window()
    _settle(qtbot, win)
    # Show other annotators' spans: blind mode must still hide bob's here.
    qtbot.keyClick(win, Qt.Key.Key_O, CTRL | SHIFT)
    assert win.show_all_annotators
    checked_shared = False
    for who in PEOPLE:
        if who != win.settings.annotator:
            win.switch_annotator(who)
        _settle(qtbot, win)
        queue = [i.document_id for i in ws.study.queue(who)]
        total = len(ws.study.assignments(who))
        done = total - len(queue)
        assert win.study.label.text() == f"{done} of {total} done"
        seen: list[int] = []
        while len(seen) < len(queue):
            pane = win.reading.current
            doc = fresh().study.next_document(who, pane.document_id)
            assert doc in queue and doc not in seen
            n = len(seen)
            seen.append(doc)
            qtbot.keyClick(pane.view, Qt.Key.Key_N, CTRL)
            qtbot.waitUntil(lambda d=doc: win.reading.current.document_id == d, timeout=10_000)
            _settle(qtbot, win)
            pane = win.reading.current
            pane.view.setFocus()
            if doc == shared and who == "alice":
                assert {s.annotator for s in pane.spans.values()} == set()
                _no_teammate_in_tooltips(win, doc, "bob")
                _window_export_hides(qtbot, win, doc, "bob", tmp_path / "alice.jsonl")
            if who == "cat" and n == 0:
                # cat skips her first one: the reason reaches the lead.
                qtbot.keyClick(pane.view, Qt.Key.Key_K, CTRL | SHIFT)
                dlg = win.findChild(QInputDialog, "skipDialog")
                assert dlg is not None and dlg.isVisible()
                dlg.setTextValue("Duplicate of art-03.")
                dlg.accept()
                _settle(qtbot, win)
                win.activateWindow()
                qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5_000)
                row = _progress_row(fresh, "cat")
                assert row.skipped == 1 and row.skips[0][1] == "Duplicate of art-03."
                continue
            qtbot.keyClick(pane.view, Qt.Key.Key_P)
            qtbot.keyClick(pane.view, Qt.Key.Key_1)
            qtbot.keyClick(pane.view, Qt.Key.Key_P)
            _settle(qtbot, win)
            assert fresh().annotations.status(doc, who) is DocumentStatus.IN_PROGRESS
            row = _progress_row(fresh, who)
            assert (row.done, row.in_progress) == (done, 1)
            qtbot.keyClick(pane.view, Qt.Key.Key_D, CTRL)
            _settle(qtbot, win)
            done += 1
            assert win.study.label.text() == f"{done} of {total} done"
            row = _progress_row(fresh, who)
            assert (row.assigned, row.done, row.in_progress) == (total, done, 0)
            if doc == shared and who == "alice":
                # Done: bob's work is hers to see now (the pane reloaded by itself).
                qtbot.waitUntil(
                    lambda p=pane: "bob" in {s.annotator for s in p.spans.values()},
                    timeout=10_000,
                )
                checked_shared = True
        assert sorted(seen) == sorted(queue)
        qtbot.keyClick(win.reading.current.view, Qt.Key.Key_N, CTRL)
        _settle(qtbot, win)
        assert "queue is done" in win.statusBar().currentMessage()
    assert checked_shared
    # The corpus can show only my assignments.
    win.corpus.only_mine.setChecked(True)
    _settle(qtbot, win)
    assert win.corpus.proxy.rowCount() == len(ws.study.assignments(win.settings.annotator))
    win.corpus.only_mine.setChecked(False)
    assert win.corpus.proxy.rowCount() == 40


def _no_teammate_in_tooltips(win, doc, teammate) -> None:
    row = win.doc_model.row_of(doc)
    for col in (DocumentListModel.STATUS, DocumentListModel.SPANS):
        tip = win.doc_model.index(row, col).data(Qt.ItemDataRole.ToolTipRole) or ""
        assert teammate not in tip


def _window_export_hides(qtbot, win, doc, teammate, dest: Path) -> None:
    dlg = win.export()
    assert isinstance(dlg, ExportDialog)
    dlg.format.setCurrentText("jsonl")
    dlg.dest.setText(str(dest))
    for i in range(dlg.annotators.count()):  # everyone's spans, as far as she may see them
        dlg.annotators.item(i).setCheckState(Qt.CheckState.Checked)
    dlg.start()
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=10_000)
    dlg.close()
    win.activateWindow()  # back to the text, as after any dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5_000)
    win.reading.current.view.setFocus()
    records = [json.loads(x) for x in dest.read_text(encoding="utf-8").splitlines() if x]
    rec = next(
        r
        for r in records
        if r.get("id") == f"art-{doc:02d}" or r.get("title", "").endswith(f"{doc:02d}")
    )
    assert teammate not in {s.get("annotator") for s in rec.get("spans", [])}
    assert teammate not in rec.get("status", {})
    others = [
        r
        for r in records
        if r is not rec and teammate in {s.get("annotator") for s in r.get("spans", [])}
    ]
    assert others  # bob's finished single documents are not hidden: only the overlap one


def test_progress_window_counts_and_agreement(qtbot, study, make_window, fresh):
    ws = study
    overlap = ws.study.overlap_document_ids()
    for doc in overlap[:4]:
        for who in PEOPLE:
            if doc in {i.document_id for i in ws.study.assignments(who)}:
                work(ws, doc, who)
    win = make_window()
    _settle(qtbot, win)
    qtbot.keyClick(win, Qt.Key.Key_P, CTRL | SHIFT)
    view = win.study.progress_window
    assert view is not None and view.isVisible()
    qtbot.waitUntil(lambda: view.progress is not None and not view.runner.busy, timeout=15_000)
    expected = {r.name: r for r in fresh().study.progress(bootstrap=0).annotators}
    table = view.table
    assert table.rowCount() == 3
    for r in range(3):
        name = table.item(r, 0).text()
        assert int(table.item(r, 1).text()) == expected[name].assigned
        assert int(table.item(r, 2).text()) == expected[name].done
    assert view.agreement.rowCount() >= 1
    labels = [view.agreement.item(r, 0).text() for r in range(view.agreement.rowCount())]
    assert "MILITARY" in labels
    assert "4 finished" in view.summary.text()
    # It follows new work: another overlap document done, F5.
    doc = overlap[4]
    for who in PEOPLE:
        if doc in {i.document_id for i in ws.study.assignments(who)}:
            work(ws, doc, who)
    qtbot.keyClick(view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: "5 finished" in view.summary.text(), timeout=15_000)
    QApplication.processEvents()
    view.close()


def test_the_lead_hands_an_annotators_unfinished_documents_over_from_progress(
    qtbot, study, make_window, fresh
):
    """Team ▸ Progress: select cat's row, Hand over…, check who takes them (bob, not alice):
    cat keeps what she finished and the overlap documents bob is already on; bob gets the
    rest; her spans stay hers."""
    from annotator.gui.dialogs.handover_dialog import HandOverDialog

    ws = study
    cats = [i.document_id for i in ws.study.assignments("cat")]
    work(ws, cats[0], "cat")  # finished: stays hers
    work(ws, cats[1], "cat", done=False)  # begun: moves, her span stays in the document
    bobs = {i.document_id for i in ws.study.assignments("bob")}
    win = make_window()
    _settle(qtbot, win)
    qtbot.keyClick(win, Qt.Key.Key_P, CTRL | SHIFT)
    view = win.study.progress_window
    qtbot.waitUntil(lambda: view.progress is not None and not view.runner.busy, timeout=15_000)
    assert not view.hand_over_button.isEnabled()  # nobody selected yet
    row = next(r for r in range(view.table.rowCount()) if view.table.item(r, 0).text() == "cat")
    rect = view.table.visualItemRect(view.table.item(row, 0))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    unfinished = len(cats) - 1
    assert view.hand_over_button.isEnabled()
    assert view.hand_over_button.text() == f"Hand over cat's {unfinished} unfinished…"
    qtbot.mouseClick(view.hand_over_button, Qt.MouseButton.LeftButton)
    dlg = view.findChild(HandOverDialog, "handOverDialog")
    assert dlg is not None and dlg.isVisible()
    assert f"has {unfinished} assigned document(s) not done" in dlg.findChild(QLabel).text()
    items = {
        dlg.receivers.item(i).data(Qt.ItemDataRole.UserRole): dlg.receivers.item(i)
        for i in range(dlg.receivers.count())
    }
    assert set(items) == {"alice", "bob"}  # never to the one leaving
    if os.environ.get("ANNOTATOR_SHOTS"):
        qtbot.wait(50)
        view.grab().save(os.path.join(os.environ["ANNOTATOR_SHOTS"], "progress_handover.png"))
        dlg.grab().save(os.path.join(os.environ["ANNOTATOR_SHOTS"], "handover.png"))
    for it in items.values():
        it.setCheckState(Qt.CheckState.Unchecked)
    dlg._accept()  # nobody checked: refused, said in the dialog
    assert dlg.isVisible() and "at least one" in dlg.error.text()
    items["bob"].setCheckState(Qt.CheckState.Checked)
    dlg._accept()
    qtbot.waitUntil(lambda: "Handed over" in view.message.text(), timeout=15_000)

    other = fresh()
    kept = {i.document_id for i in other.study.assignments("cat")}
    on_both = set(cats[1:]) & bobs
    assert kept == {cats[0]} | on_both
    assert set(cats[1:]) - on_both <= {i.document_id for i in other.study.assignments("bob")}
    assert not set(cats) & {i.document_id for i in other.study.assignments("alice")} - (
        {i.document_id for i in ws.study.assignments("alice")}
    )
    assert [s.label for s in other.annotations.spans(cats[1], annotators=("cat",))] == ["MILITARY"]
    moved = len(set(cats[1:]) - on_both)
    assert f"Handed over {moved} of cat's document(s): bob {moved}." in view.message.text()
    qtbot.waitUntil(
        lambda: (
            _progress_row(fresh, "cat").assigned == len(kept)
            and any(
                view.table.item(r, 0).text() == "cat"
                and int(view.table.item(r, 1).text()) == len(kept)
                for r in range(view.table.rowCount())
            )
        ),
        timeout=15_000,
    )
    view.close()


def test_agreement_window_defaults_to_the_overlap_set(qtbot, study, make_window):
    ws = study
    overlap = set(ws.study.overlap_document_ids())
    for who in PEOPLE:
        for item in ws.study.assignments(who)[:8]:
            work(ws, item.document_id, who)
    from annotator.gui.widgets.agreement_window import AgreementWindow

    win = make_window()
    view = AgreementWindow(ws, win)  # what Team > Agreement opens, without its intervals
    view.bootstrap.setValue(0)
    view.run()
    qtbot.waitUntil(lambda: view.report is not None and not view.runner.busy, timeout=20_000)
    assert "overlap set" in view.report.policies["documents"]
    assert {int(k) for k in view.report.documents} <= overlap
    view.overlap_only.setChecked(False)
    view.run()
    qtbot.waitUntil(
        lambda: not view.runner.busy and "documents" not in view.report.policies, timeout=20_000
    )
    assert len(view.report.documents) == 40
    view.close()


def test_compare_waits_until_the_overlap_document_is_done(qtbot, study, make_window):
    ws = study
    doc = next(i.document_id for i in ws.study.assignments("alice") if i.overlap)
    partner = next(
        p
        for p in PEOPLE
        if p != "alice" and doc in {i.document_id for i in ws.study.assignments(p)}
    )
    work(ws, doc, partner)
    win = make_window()
    _settle(qtbot, win)
    assert win.team.open_comparison(doc, ("alice", partner)) is None
    assert "Blind mode" in win.statusBar().currentMessage()
    ws.annotations.set_status(doc, "alice", DocumentStatus.DONE)
    view = win.team.open_comparison(doc, ("alice", partner))
    assert view is not None
    view.close()


def test_team_assign_dialog_plans_the_study(qtbot, ws, make_window, fresh):
    from annotator.gui.dialogs.assign_dialog import AssignDialog

    add_articles(ws.db, 1, 12)
    win = make_window()
    win.actions_by_name["assign"].trigger()
    dlg = win.findChild(AssignDialog, "assignDialog")
    assert dlg is not None and dlg.isVisible()
    dlg.names.setText("alice, bob, cat")
    dlg.overlap.setValue(0.5)
    dlg.per_document.setValue(4)  # more than the annotators: refused, said in the dialog
    dlg._accept()
    assert dlg.isVisible() and "Annotators per overlap document" in dlg.error.text()
    dlg.per_document.setValue(2)
    dlg.seed.setValue(5)
    dlg.blind.setChecked(False)
    dlg._accept()
    _settle(qtbot, win)
    other = fresh()
    assert other.study.plan() == StudyPlan(PEOPLE, 0.5, 2, 5)
    assert len(other.study.overlap_document_ids()) == 6
    assert other.study.show()["blind"] is False
    assert "assigned 12 document(s)" in win.statusBar().currentMessage()
    assert win.study.label.text() == f"0 of {len(other.study.assignments('alice'))} done"


def test_agreement_leaves_out_what_blind_mode_hides_from_a_study_annotator(
    qtbot, study, make_window
):
    """alice's agreement window does not show two teammates' spans on an overlap document
    she has not finished (she is not on it: bob and cat are)."""
    ws = study
    overlap = set(ws.study.overlap_document_ids())
    hers = {i.document_id for i in ws.study.assignments("alice")}
    doc = next(d for d in overlap if d not in hers)
    for who in ("bob", "cat"):
        work(ws, doc, who)
    mine = next(d for d in overlap if d in hers)  # one she has finished, with her partner
    for who in PEOPLE:
        if mine in {i.document_id for i in ws.study.assignments(who)}:
            work(ws, mine, who)
    lead_view = ws.agreement.report(_query())
    assert str(doc) in lead_view.documents
    win = make_window()
    view = win.team.open_agreement()
    qtbot.waitUntil(lambda: view.report is not None and not view.runner.busy, timeout=20_000)
    assert view.viewer == "alice"
    assert str(doc) not in view.report.documents
    assert str(mine) in view.report.documents
    assert "blind mode" in view.report.policies["documents"]
    view.close()


def _query():  # type: ignore[no-untyped-def]
    from annotator.services.agreement import AgreementQuery

    return AgreementQuery(bootstrap=0)
