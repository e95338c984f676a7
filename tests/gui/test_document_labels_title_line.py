"""Document labels on the pane's title line: the annotator's own, given and taken back
from the keyboard (Ctrl+Shift+D opens the checkable list), one undoable step each;
teammates' shown read-only only where their spans are shown."""

from __future__ import annotations

import os

from conftest import open_in
from PySide6.QtCore import Qt

TEXT = "Shelling near Kherson continued overnight.\n\nTalks stalled in Geneva."


def _stored(fresh, doc):
    return fresh().annotations.document_labels(doc)


def _choose(qtbot, win, pane, label: str) -> None:
    """Ctrl+Shift+D, then the arrow keys to ``label`` and Enter, as a keyboard user does."""
    qtbot.keyClick(
        pane.view,
        Qt.Key.Key_D,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    menu = pane.doc_labels_menu
    qtbot.waitUntil(menu.isVisible, timeout=5_000)
    wanted = menu.findChild(type(menu.actions()[0]), f"docLabel_{label}")
    assert wanted is not None, [a.text() for a in menu.actions()]
    for _ in range(len(menu.actions()) + 1):
        if menu.activeAction() is wanted:
            break
        qtbot.keyClick(menu, Qt.Key.Key_Down)
    assert menu.activeAction() is wanted
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=5_000)


def test_title_line_gives_takes_back_and_undoes_document_labels(
    qtbot, make_window, ws, import_doc, fresh, tmp_path
):
    doc = import_doc(TEXT)
    ws.annotations.set_document_label(doc, "bob", "DIPLOMATIC", True)
    win = make_window()
    pane = open_in(qtbot, win, doc)
    button, mine = pane.doc_labels_button, pane.my_doc_labels_text
    assert button.text() == "◇" and mine.isHidden()
    assert pane.others_doc_labels.isHidden()  # bob's spans are not shown: nor his labels

    _choose(qtbot, win, pane, "MILITARY")
    assert _stored(fresh, doc) == {"alice": ["MILITARY"], "bob": ["DIPLOMATIC"]}
    assert (button.text(), mine.text()) == ("◆", "MILITARY")
    _choose(qtbot, win, pane, "ECONOMIC")
    assert _stored(fresh, doc)["alice"] == ["ECONOMIC", "MILITARY"]
    _choose(qtbot, win, pane, "MILITARY")  # checked: unchecking takes it back
    assert _stored(fresh, doc)["alice"] == ["ECONOMIC"]
    assert mine.text() == "ECONOMIC"

    assert win.undo_stack.undoText() == "Take back document label MILITARY (alice)"
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _stored(fresh, doc)["alice"] == ["ECONOMIC", "MILITARY"]
    assert mine.text() == "ECONOMIC, MILITARY"

    win.actions_by_name["show_all"].setChecked(True)  # teammates shown: bob's too, read-only
    qtbot.waitUntil(lambda: pane.others_doc_labels.isVisible(), timeout=10_000)
    assert pane.others_doc_labels.text() == "▨ bob: DIPLOMATIC (read-only)"
    assert _stored(fresh, doc)["bob"] == ["DIPLOMATIC"]  # untouched throughout
    win.resize(1000, 420)
    qtbot.wait(50)
    assert win.grab().save(str(tmp_path / "document_labels.png"))


def test_labels_given_on_another_desktop_reach_the_open_title_line(
    qtbot, make_window, ws, import_doc, fresh
):
    """A teammate labels the open document, and the annotator herself does on another
    desktop: the title line follows through the change feed, without reopening anything."""
    doc = import_doc(TEXT)
    win = make_window()
    pane = open_in(qtbot, win, doc)
    win.actions_by_name["show_all"].setChecked(True)  # teammates' labels shown, read-only
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    document = pane.document
    other = fresh()
    other.annotations.set_document_label(doc, "bob", "DIPLOMATIC", True)
    qtbot.waitUntil(
        lambda: pane.others_doc_labels.text() == "▨ bob: DIPLOMATIC (read-only)", timeout=10_000
    )
    if os.environ.get("ANNOTATOR_SHOTS"):
        win.grab().save(os.path.join(os.environ["ANNOTATOR_SHOTS"], "title_line_live_label.png"))
    other.annotations.set_document_label(doc, "alice", "ECONOMIC", True)
    other.annotations.set_document_label(doc, "bob", "DIPLOMATIC", False)
    qtbot.waitUntil(lambda: pane.my_doc_labels_text.text() == "ECONOMIC", timeout=10_000)
    qtbot.waitUntil(lambda: pane.others_doc_labels.isHidden(), timeout=10_000)
    assert pane.doc_labels_button.text() == "◆"
    assert pane.document is document  # the text was not loaded again
