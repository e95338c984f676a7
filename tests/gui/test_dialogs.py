"""Label set editing and the shortcut sheet."""

from __future__ import annotations

from conftest import open_in
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from annotator.gui.dialogs.label_dialog import LabelDialog
from annotator.gui.dialogs.shortcuts_dialog import ShortcutsDialog


def test_label_dialog_adds_and_renames_and_panes_follow(qtbot, make_window, import_doc, fresh):
    doc = import_doc("Energy prices rose sharply.")
    win = make_window()
    pane = open_in(qtbot, win, doc)
    qtbot.keyClick(
        pane.view,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dlg = win.findChild(LabelDialog, "labelDialog")
    assert dlg is not None and dlg.isVisible()
    dlg.list.setCurrentRow(-1)
    dlg.name.setText("HUMANITARIAN")
    qtbot.keyClicks(dlg.shortcut, "4")
    dlg.description.setPlainText("Aid, refugees, civilian harm.")
    qtbot.mouseClick(dlg.add_button, Qt.MouseButton.LeftButton)
    assert "HUMANITARIAN" in [lab.name for lab in fresh().labels.list()]
    qtbot.waitUntil(lambda: not win.runner.busy)
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_P)
    qtbot.keyClick(pane.view, Qt.Key.Key_4)
    assert [s.label for s in fresh().annotations.spans(doc)] == ["HUMANITARIAN"]

    dlg.name.setText("HUMANITARIAN AID")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert [s.label for s in fresh().annotations.spans(doc)] == ["HUMANITARIAN AID"]
    qtbot.waitUntil(lambda: not win.runner.busy)
    assert [s.label for s in pane.spans.values()] == ["HUMANITARIAN AID"]
    dlg.shortcut.setText("1")  # taken by MILITARY: refused with a message
    assert not dlg.save_label()
    assert "already used" in dlg.error.text()


def test_f1_shows_the_shortcut_sheet(qtbot, make_window):
    win = make_window()
    win.reading.current.view.setFocus()
    qtbot.keyClick(win.reading.current.view, Qt.Key.Key_F1)
    dlg = win.findChild(ShortcutsDialog, "shortcutsDialog")
    assert dlg is not None and dlg.isVisible()
    text = dlg.browser.toPlainText()
    assert "Passage mode" in text and "Ctrl+Z" in text


def test_add_new_gives_an_empty_form_and_a_colour_of_its_own(qtbot, make_window, fresh):
    win = make_window()
    dlg = win.edit_labels()
    qtbot.waitUntil(dlg.isVisible)
    dlg.list.setCurrentRow(0)  # MILITARY, red
    assert dlg.name.text() == "MILITARY"
    qtbot.mouseClick(dlg.add_button, Qt.MouseButton.LeftButton)
    assert dlg.list.currentItem() is None
    assert dlg.name.text() == "" and dlg.shortcut.text() == ""
    assert dlg.description.toPlainText() == ""
    used = {lab.color.lower() for lab in fresh().labels.list()}
    assert dlg.color.lower() not in used
    assert "MILITARY" in [lab.name for lab in fresh().labels.list()]  # nothing added yet
    qtbot.keyClicks(dlg.name, "HUMANITARIAN")
    qtbot.mouseClick(dlg.add_button, Qt.MouseButton.LeftButton)
    labels = {lab.name: lab.color.lower() for lab in fresh().labels.list()}
    assert labels["HUMANITARIAN"] not in used
    # a second new label gets yet another colour
    qtbot.mouseClick(dlg.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dlg.name, "LEGAL")
    qtbot.mouseClick(dlg.add_button, Qt.MouseButton.LeftButton)
    colors = [lab.color.lower() for lab in fresh().labels.list()]
    assert len(colors) == 5 and len(set(colors)) == 5


def test_label_dialog_has_one_save_and_placeholders_that_are_not_content(
    qtbot, make_window, ws, fresh
):
    """MILITARY's empty seed-rules box showed grey "sanction*, budget, /\\bGDP\\b/", which read
    as MILITARY's rules; and "Save rules" beside "Save changes" left one of them unsaved."""
    win = make_window()
    dlg = win.edit_labels()
    qtbot.waitUntil(dlg.isVisible)
    dlg.list.setCurrentRow(0)
    assert dlg.name.text() == "MILITARY"
    saves = [b for b in dlg.findChildren(QPushButton) if "save" in b.text().lower()]
    assert saves == [dlg.save_button] and saves[0].isVisible()
    hint = dlg.rules.text.placeholderText()
    assert dlg.rules.text.toPlainText() == ""
    for example in ("sanction", "budget", "GDP", "*", "/"):
        assert example not in hint, hint
    assert hint.startswith("No seed rules for MILITARY yet")
    assert dlg.description.placeholderText().startswith("No description yet")
    # The one Save stores the rules and the label's own fields together...
    dlg.rules.text.setPlainText("troop*\nshelling")
    dlg.description.setPlainText("Armed force and its use.")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    db = fresh()
    assert db.suggestions.rules()["MILITARY"] == ["troop*", "shelling"]
    assert next(lab for lab in db.labels.list() if lab.name == "MILITARY").description == (
        "Armed force and its use."
    )
    # ...and a bad rule stops the whole Save, with the reason shown: nothing half stored.
    dlg.list.setCurrentRow(1)
    dlg.rules.text.setPlainText("/(broken/")
    dlg.description.setPlainText("Talks.")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert "regular expression" in dlg.rules.error.text()
    name = dlg.name.text()
    db = fresh()
    assert name not in db.suggestions.rules()
    assert next(lab for lab in db.labels.list() if lab.name == name).description != "Talks."
    # Mended, the same Save stores both: two undo steps (rules, then the label).
    dlg.rules.text.setPlainText("treaty")
    steps = win.undo_stack.count()
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    db = fresh()
    assert db.suggestions.rules()[name] == ["treaty"]
    assert next(lab for lab in db.labels.list() if lab.name == name).description == "Talks."
    assert win.undo_stack.count() == steps + 2
    # Rules alone: one undo step, no empty label step.
    dlg.rules.text.setPlainText("treaty\nsummit")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert fresh().suggestions.rules()[name] == ["treaty", "summit"]
    assert win.undo_stack.count() == steps + 3
