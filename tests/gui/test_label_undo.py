"""Label set edits are edits like any other: on the window's undo stack, persisted each way."""

from __future__ import annotations

from PySide6.QtCore import Qt


def _names(fresh) -> list[str]:
    return [lab.name for lab in fresh().labels.list()]


def test_add_rename_remove_label_undo_and_redo(qtbot, make_window, fresh):
    win = make_window()
    dlg = win.edit_labels()
    qtbot.waitUntil(dlg.isVisible)
    dlg.list.setCurrentItem(None)
    dlg.name.setText("HUMANITARIAN")
    dlg.shortcut.setText("4")
    assert dlg.add_label()
    assert _names(fresh)[-1] == "HUMANITARIAN"

    dlg.list.setCurrentItem(dlg.list.findItems("HUMANITARIAN", Qt.MatchFlag.MatchExactly)[0])
    dlg.name.setText("AID")
    assert dlg.save_label()
    assert "AID" in _names(fresh) and "HUMANITARIAN" not in _names(fresh)

    dlg.list.setCurrentItem(dlg.list.findItems("AID", Qt.MatchFlag.MatchExactly)[0])
    assert dlg.remove_label()
    assert "AID" not in _names(fresh)
    dlg.close()

    stack = win.undo_stack
    assert stack.undoText() == "Remove label AID"
    stack.undo()  # the label comes back
    assert "AID" in _names(fresh)
    stack.undo()  # the rename is taken back, shortcut and all
    labels = {lab.name: lab for lab in fresh().labels.list()}
    assert "HUMANITARIAN" in labels and "AID" not in labels
    assert labels["HUMANITARIAN"].shortcut == "4"
    stack.undo()  # and the label was never added
    assert _names(fresh) == ["MILITARY", "DIPLOMATIC", "ECONOMIC"]
    # The label panel followed every step.
    assert [win.label_model.index(r, 0).data() for r in range(win.label_model.rowCount())] == [
        "MILITARY",
        "DIPLOMATIC",
        "ECONOMIC",
    ]
    stack.redo()
    stack.redo()
    assert "AID" in _names(fresh)


def test_label_refused_keeps_the_message_in_the_dialog(qtbot, make_window, fresh):
    win = make_window()
    dlg = win.edit_labels()
    dlg.list.setCurrentItem(None)
    dlg.name.setText("OTHER")
    dlg.shortcut.setText("1")  # MILITARY's key
    assert not dlg.add_label()
    assert "already used by label 'MILITARY'" in dlg.error.text()
    assert "OTHER" not in _names(fresh)
    assert not win.undo_stack.canUndo()
