"""The tagging controller stands on the collaborators it is given (no main window):
a tag, a refused step for someone else, a switch of annotator with its own history."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from annotator.gui.models.document_list_model import DocumentListModel
from annotator.gui.tagging import TaggingController
from annotator.gui.undo import UndoHistories
from annotator.gui.widgets.reading_area import ReadingArea


def test_controller_tags_and_switches_with_only_its_collaborators(
    qtbot, ws, settings, import_doc, fresh
):
    doc = import_doc("Drones hit the depot. Talks resumed in Geneva.")
    host = QWidget()
    qtbot.addWidget(host)
    reading = ReadingArea(DocumentListModel(ws.documents, settings.annotator))
    undo = UndoHistories(host)
    undo.switch(settings.annotator)
    edits, messages, shown, reloads = [], [], [], []
    ctl = TaggingController(
        window=host,
        ws=ws,
        settings=settings,
        reading=reading,
        undo=undo,
        apply_edit=edits.append,
        status=lambda text, _ms: messages.append(text),
        annotator_shown=shown.append,
        reload=lambda: reloads.append(True),
    )
    ctl.tag(doc, 0, 6, "MILITARY")
    assert [s.label for s in fresh().annotations.spans(doc)] == ["MILITARY"]
    assert len(edits) == 1 and undo.active.undoText() == "Tag MILITARY (alice)"

    ctl.switch_annotator("bob")
    assert shown == ["bob"] and reloads and "Annotating as bob" in messages[-1]
    assert not undo.active.canUndo()  # bob's own, empty history
    ctl.tag(doc, 7, 10, "ECONOMIC")
    undo.active.undo()
    spans = fresh().annotations.spans(doc)
    assert [(s.annotator, s.label) for s in spans] == [("alice", "MILITARY")]
