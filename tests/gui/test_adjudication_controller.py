"""The adjudication controller stands on the collaborators it is given (no comparison
window): its keys and buttons, a decision and its undo, gold drawn from a selection,
refusals, and Esc closing the window it was given."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMainWindow, QSplitter, QToolBar
from team_fixtures import S1, S2, rng, team_doc_fixture  # noqa: F401

from annotator.core.model import GOLD_ANNOTATOR
from annotator.gui.adjudication_actions import AdjudicationController
from annotator.gui.models.disagreement_model import DisagreementListModel
from annotator.gui.models.document_list_model import DocumentListModel
from annotator.gui.widgets.adjudication_panel import AdjudicationPanel
from annotator.gui.widgets.document_pane import DocumentPane

PAIR = ("ann", "ben")


def gold(fresh, doc):
    return sorted((s.start, s.end, s.label, s.decided_by) for s in fresh().adjudication.gold(doc))


def test_controller_decides_and_undoes_with_only_its_collaborators(
    qtbot, ws, settings, team_doc, fresh
):
    host = QMainWindow()
    qtbot.addWidget(host)
    docs = DocumentListModel(ws.documents, settings.annotator)
    document = ws.documents.get(team_doc)
    panes = {}
    for name in (*PAIR, GOLD_ANNOTATOR):
        panes[name] = DocumentPane(docs)
        panes[name].set_document(document, ws.annotations.spans(team_doc, annotators=(name,)))
    model = DisagreementListModel(host)
    panel = AdjudicationPanel(model)
    central = QSplitter(Qt.Orientation.Vertical)
    for pane in panes.values():
        central.addWidget(pane)
    central.addWidget(panel)
    host.setCentralWidget(central)
    stack = QUndoStack(host)
    seen: dict[str, list] = {"refresh": [], "rows": [], "follow": [], "status": [], "step": []}
    last = [None]

    def refresh() -> None:
        seen["refresh"].append(True)
        model.set_view(ws.adjudication.view(team_doc, annotators=PAIR))

    def current_item():
        row = panel.current_row()
        return model.item(row) if 0 <= row < model.rowCount() else None

    ctl = AdjudicationController(
        window=host,
        adjudication=ws.adjudication,
        settings=settings,
        annotators=PAIR,
        panes=panes,
        last_pane=lambda: last[0],
        panel=panel,
        undo_stack=stack,
        current_item=current_item,
        document_id=lambda: team_doc,
        labels=ws.labels.list,
        step=seen["step"].append,
        refresh=refresh,
        rows_changed=lambda ids: seen["rows"].append(set(ids)),
        follow_next=seen["follow"].append,
        status=lambda text, _ms: seen["status"].append(text),
    )
    refresh()
    host.show()
    qtbot.waitExposed(host)
    acts = ctl.actions_by_name
    # Its actions live on the window it was given: keys, the panel's buttons, a toolbar.
    assert {a.objectName() for a in host.actions()} >= {"action_accept_a", "action_escape"}
    assert acts["accept_a"].text() == "Accept ann" and acts["accept_b"].text() == "Accept ben"
    assert list(panel.buttons) == ["accept_a", "accept_b", "both", "neither", "edit", "merge"]
    assert panel.buttons["accept_b"].text().startswith("Accept ben  (")
    bar = host.findChild(QToolBar, "toolbar_compare")
    assert bar is not None and acts["next"] in bar.actions()

    acts["accept_a"].trigger()  # nothing chosen yet: refused, said, nothing stored
    assert "Choose a disagreement first" in seen["status"][-1] and stack.count() == 0
    acts["next"].trigger()
    assert seen["step"] == [1]

    panel.select_row(0)  # S1: ann MILITARY, ben DIPLOMATIC
    seen["refresh"].clear()
    acts["accept_a"].trigger()
    assert gold(fresh, team_doc) == [(*rng(S1), "MILITARY", "alice")]
    assert seen["follow"] == [True] and seen["rows"] == [{team_doc}] and seen["refresh"]
    assert model.rowCount() == 1 and stack.count() == 1
    acts["undo"].trigger()
    assert gold(fresh, team_doc) == [] and model.rowCount() == 2

    panel.select_row(1)  # S2: only ann drew it
    acts["accept_b"].trigger()
    assert "ben proposed nothing here" in seen["status"][-1] and stack.index() == 0

    # E: the selection of the pane used last becomes gold, with the label chosen next.
    start, end = rng(S2)
    panes["ben"].go_to(start, start + 5)
    panes["ann"].go_to(start, end)
    last[0] = panes["ben"]
    dlg = ctl.edit_gold()
    assert dlg is not None and dlg.parent() is host and dlg.textValue() == "DIPLOMATIC"
    dlg.setTextValue("ECONOMIC")
    dlg.accept()
    assert gold(fresh, team_doc) == [(start, start + 5, "ECONOMIC", "alice")]

    settings.annotator = ""
    assert not ctl.decide("neither") and "Set your name first" in seen["status"][-1]
    assert not ctl.merge_unanimous()

    host.activateWindow()
    panes["ann"].view.setFocus()
    qtbot.waitUntil(panes["ann"].view.hasFocus, timeout=5000)
    assert panes["ann"].view.textCursor().hasSelection()
    acts["escape"].trigger()  # a selection in the focused pane: only that is cleared
    assert host.isVisible() and not panes["ann"].view.textCursor().hasSelection()
    acts["escape"].trigger()
    assert not host.isVisible()
