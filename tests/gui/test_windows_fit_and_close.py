"""Every top-level window fits the available screen and closes on Esc / Ctrl+W; the agreement
window says plainly when no document is covered and offers "touched" coverage in one click.

The offscreen screen is 800×800: a window that asks for 1400×900 (the comparison window) or
1300×760 does not fit unless it is made to.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from team_fixtures import team_doc_fixture  # noqa: F401

from annotator.core.model import DocumentStatus
from annotator.gui.dialogs.export_dialog import ExportDialog
from annotator.gui.dialogs.help_dialog import UserGuideDialog
from annotator.gui.dialogs.label_dialog import LabelDialog
from annotator.gui.dialogs.shortcuts_dialog import ShortcutsDialog
from annotator.gui.models.document_list_model import DocumentListModel
from annotator.gui.widgets.agreement_window import AgreementWindow
from annotator.gui.widgets.comparison_window import ComparisonWindow
from annotator.gui.workers import TaskRunner

CTRL = Qt.KeyboardModifier.ControlModifier


def assert_on_screen(win: QWidget) -> None:
    avail = win.screen().availableGeometry()
    assert avail.contains(win.frameGeometry()), (win.objectName(), win.frameGeometry(), avail)


def assert_visible_inside(win: QWidget, widget: QWidget) -> None:
    """``widget`` is shown and lies wholly within its window (not cut off at an edge)."""
    assert widget.isVisible(), widget.text() if isinstance(widget, QPushButton) else widget
    top_left = widget.mapTo(win, QPoint(0, 0))
    assert QRect(0, 0, win.width(), win.height()).contains(QRect(top_left, widget.size())), (
        widget,
        QRect(top_left, widget.size()),
        win.size(),
    )


def show(qtbot, win: QWidget, *, at: QPoint | None = None) -> None:
    qtbot.addWidget(win)
    if at is not None:
        win.move(at)  # where a window manager might put it: near the top edge
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5_000)


def test_comparison_window_fits_and_its_adjudication_buttons_show(qtbot, ws, settings, team_doc):
    docs = DocumentListModel(ws.documents, settings.annotator)
    docs.reload()
    win = ComparisonWindow(ws, settings, docs, annotators=("ann", "ben"), live_interval=0)
    show(qtbot, win, at=QPoint(0, 20))
    win.open_document(team_doc)
    qtbot.waitUntil(lambda: win.document is not None and not win.runner.busy, timeout=10_000)
    assert_on_screen(win)
    buttons = win.panel.findChildren(QPushButton)
    assert buttons
    for b in buttons:
        assert_visible_inside(win, b)
    qtbot.keyClick(win.panes["ann"].view, Qt.Key.Key_W, CTRL)
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=2_000)


@pytest.mark.parametrize("key", ["esc", "ctrl+w"])
def test_agreement_window_fits_and_closes_on_esc_and_ctrl_w(qtbot, ws, team_doc, key):
    win = AgreementWindow(ws)
    show(qtbot, win, at=QPoint(30, 20))
    assert_on_screen(win)
    assert_visible_inside(win, win.run_button)
    assert_visible_inside(win, win.save_button)
    target = win.annotator_list  # focus somewhere inside, as after ticking an annotator
    target.setFocus()
    if key == "esc":
        qtbot.keyClick(target, Qt.Key.Key_Escape)
    else:
        qtbot.keyClick(target, Qt.Key.Key_W, CTRL)
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=2_000)
    win.runner.wait(10_000)


def _dialogs(ws, runner):
    yield "labels", LabelDialog(ws.labels)
    yield "export", ExportDialog(ws, runner, annotator="ann")
    yield "guide", UserGuideDialog()
    yield "shortcuts", ShortcutsDialog()


def test_dialogs_fit_and_close_on_ctrl_w(qtbot, ws, team_doc):
    runner = TaskRunner()
    for name, dlg in _dialogs(ws, runner):
        show(qtbot, dlg, at=QPoint(200, 300))
        assert_on_screen(dlg)
        qtbot.keyClick(QApplication.focusWidget() or dlg, Qt.Key.Key_W, CTRL)
        qtbot.waitUntil(lambda d=dlg: not d.isVisible(), timeout=2_000)
        assert not dlg.isVisible(), name
    runner.wait(10_000)


def _run(qtbot, win: AgreementWindow) -> None:
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    with qtbot.waitSignal(win.reportReady, timeout=30_000):
        win.run()


def test_a_new_team_is_told_no_document_is_covered_and_gets_touched_in_one_click(
    qtbot, ws, team_doc
):
    # ann and ben tagged the document but nobody marked it done: with the default coverage
    # ("done") nothing is covered, and every figure is n/a.
    win = AgreementWindow(ws)
    show(qtbot, win)
    _run(qtbot, win)
    banner = win.no_coverage_banner
    assert banner.isVisible()
    assert "No document is covered yet" in win.no_coverage.text()
    assert "ann, ben" in win.no_coverage.text()
    assert_visible_inside(win, win.use_touched)
    assert win.report is not None
    assert all(r.kappa != r.kappa for r in win.report.pair_rows)  # NaN: n/a
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)  # Run is ignored while busy
    with qtbot.waitSignal(win.reportReady, timeout=30_000):
        qtbot.mouseClick(win.use_touched, Qt.MouseButton.LeftButton)
    assert win.coverage.currentData() == "touched"
    assert not banner.isVisible()
    kappa = win.report.pair("ann", "ben", "MILITARY").kappa
    assert kappa == kappa  # a number now, not NaN
    win.runner.wait(10_000)


def test_the_banner_goes_once_documents_are_done(qtbot, ws, team_doc):
    for name in ("ann", "ben"):
        ws.annotations.set_status(team_doc, name, DocumentStatus.DONE)
    win = AgreementWindow(ws)
    show(qtbot, win)
    _run(qtbot, win)
    assert not win.no_coverage_banner.isVisible()
    win.runner.wait(10_000)
