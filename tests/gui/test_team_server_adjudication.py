"""Adjudication in the comparison window on a real team server, logged in as an adjudicator
(and, refused, as a plain member): the server's grants are what the window meets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from team_server import ALICE, BOB, CAROL, make_secure_team

from annotator.core.model import SpanOrigin
from annotator.gui.models.document_list_model import DocumentListModel
from annotator.gui.widgets.comparison_window import ComparisonWindow
from annotator.services import Workspace
from annotator.settings import Settings

pytestmark = pytest.mark.postgres
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def team(pg_server):
    t = make_secure_team(pg_server)
    alice, bob = Workspace.open(t.url(ALICE)), Workspace.open(t.url(BOB))
    alice.annotations.add(t.doc, start=15, end=24, label="MILITARY", annotator=ALICE)
    bob.annotations.add(t.doc, start=15, end=24, label="ECONOMIC", annotator=BOB)
    alice.close()
    bob.close()
    yield t
    pg_server.drop_database(t.dbname)


def _window(qtbot, team, role):
    ws = Workspace.open(team.url(role))
    settings = Settings(annotator=role)
    docs = DocumentListModel(ws.documents, settings.annotator)
    docs.reload()
    win = ComparisonWindow(ws, settings, docs, annotators=(ALICE, BOB), live_interval=0.5)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.open_document(team.doc)
    qtbot.waitUntil(lambda: win.document is not None and not win.runner.busy, timeout=15_000)
    return ws, win


def _key(qtbot, win, k, mods=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(win.panes[ALICE].view, k, mods)
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=15_000)
    qtbot.wait(20)


def _gold(team):
    ws = Workspace.open(team.owner_url)
    try:
        return sorted(
            (s.start, s.end, s.label, s.decided_by, s.origin)
            for s in ws.adjudication.gold(team.doc)
        )
    finally:
        ws.close()


def test_adjudicator_accepts_and_undoes_in_the_window(qtbot, team):
    ws, win = _window(qtbot, team, CAROL)
    try:
        before = _gold(team)
        _key(qtbot, win, Qt.Key.Key_N)  # alice's lone span at 0-6
        _key(qtbot, win, Qt.Key.Key_N)  # 15-24: MILITARY (alice) against ECONOMIC (bob)
        _key(qtbot, win, Qt.Key.Key_A)  # accept alice's side
        assert (15, 24, "MILITARY", CAROL, SpanOrigin.ADJUDICATED) in _gold(team)
        _key(qtbot, win, Qt.Key.Key_Z, CTRL)
        assert _gold(team) == before
        _key(qtbot, win, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
        assert (15, 24, "MILITARY", CAROL, SpanOrigin.ADJUDICATED) in _gold(team)
    finally:
        win.close()
        ws.close()


def test_plain_member_is_told_the_server_refused(qtbot, team):
    ws, win = _window(qtbot, team, ALICE)
    try:
        before = _gold(team)
        _key(qtbot, win, Qt.Key.Key_N)
        _key(qtbot, win, Qt.Key.Key_A)
        qtbot.waitUntil(lambda: win.findChild(QMessageBox, "errorBox") is not None, timeout=10_000)
        box = win.findChild(QMessageBox, "errorBox")
        assert "refused" in box.text() or "permission" in box.text().lower()
        assert _gold(team) == before
        assert win.undo_stack.count() == 0
    finally:
        win.close()
        ws.close()
