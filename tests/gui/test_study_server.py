"""Issue 22 on the real team server, in the window: a member works her queue by keys with her
own login (blind mode hides a teammate's spans even with everyone's spans shown, because the
server does not return them), and the lead's Team ▸ Progress follows the team live."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from study_data import work
from study_server import STUDY, make_study_team
from team_server import ALICE, BOB, LENA

from annotator import paths
from annotator.gui.main_window import MainWindow
from annotator.gui.widgets.progress_window import ProgressWindow
from annotator.services import Workspace
from annotator.settings import Settings

pytestmark = pytest.mark.postgres
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def team(pg_server):
    t = make_study_team(pg_server)
    yield t
    pg_server.drop_database(t.dbname)


def _settle(qtbot, win) -> None:
    qtbot.waitUntil(lambda: not win.runner.busy and not win.study._refreshing, timeout=20_000)
    qtbot.wait(10)


@pytest.mark.slow
def test_member_works_her_queue_by_keys_blind_on_the_server(qtbot, team):
    lead = Workspace.open(team.url(LENA))
    overlap = set(lead.study.overlap_document_ids())
    mine = [i.document_id for i in lead.study.assignments(ALICE)]
    shared = next(
        d
        for d in mine
        if d in overlap and d in {i.document_id for i in lead.study.assignments(BOB)}
    )
    lead.close()
    bob = Workspace.open(team.url(BOB))
    work(bob, shared, BOB)  # bob finished it; alice has not started
    bob.close()
    ws = Workspace.open(team.url(ALICE))
    layout = QSettings(str(paths.config_dir() / "layout.ini"), QSettings.Format.IniFormat)
    win = MainWindow(ws, Settings(annotator=ALICE), layout)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5_000)
    _settle(qtbot, win)
    qtbot.keyClick(win, Qt.Key.Key_O, CTRL | SHIFT)  # everyone's spans, as far as she may
    total = len(mine)
    assert win.study.label.text() == f"0 of {total} done"
    for done in range(1, total + 1):
        qtbot.keyClick(win.reading.current.view, Qt.Key.Key_N, CTRL)
        qtbot.waitUntil(
            lambda d=done: (
                win.reading.current.document_id in mine
                and win.reading.current.document_id
                not in {
                    i.document_id for i in ws.study.assignments(ALICE) if i.status.value == "done"
                }
            ),
            timeout=10_000,
        )
        _settle(qtbot, win)
        pane = win.reading.current
        doc = pane.document_id
        if doc == shared:
            assert {s.annotator for s in pane.spans.values()} == set()
        pane.view.setFocus()
        qtbot.keyClick(pane.view, Qt.Key.Key_P)
        qtbot.keyClick(pane.view, Qt.Key.Key_1)
        qtbot.keyClick(pane.view, Qt.Key.Key_P)
        qtbot.keyClick(pane.view, Qt.Key.Key_D, CTRL)
        _settle(qtbot, win)
        assert win.study.label.text() == f"{done} of {total} done"
        if doc == shared:
            qtbot.waitUntil(
                lambda p=pane: BOB in {s.annotator for s in p.spans.values()}, timeout=10_000
            )
    qtbot.wait(400)  # the corpus rows' refresh (250 ms) runs before the window goes
    _settle(qtbot, win)
    win.close()
    win.runner.wait(10_000)
    ws.close()


def test_lead_progress_follows_the_team_live(qtbot, team):
    lead = Workspace.open(team.url(LENA))
    view = ProgressWindow(lead, bootstrap=0)
    qtbot.addWidget(view)
    view.show()
    view._timer.stop()  # only the change feed may bring news here
    view.refresh()
    qtbot.waitUntil(lambda: view.progress is not None, timeout=15_000)
    row = {view.table.item(r, 0).text(): r for r in range(view.table.rowCount())}
    assert set(row) == set(STUDY)
    assert view.table.item(row[BOB], 6).text() == "0"
    bob = Workspace.open(team.url(BOB))
    doc = bob.study.next_document(BOB)
    assert doc is not None
    bob.annotations.add(doc, start=0, end=7, label="MILITARY", annotator=BOB)
    # No F5: the change feed brings bob's tag to the lead's view.
    qtbot.waitUntil(lambda: view.table.item(row[BOB], 6).text() == "1", timeout=15_000)
    assert view.table.item(row[BOB], 3).text() == "1"  # in progress
    bob.close()
    view.close()
    lead.close()
