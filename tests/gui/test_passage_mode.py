"""Passage mode: one key a passage, its labels shown at once, pluggable suggestions."""

from __future__ import annotations

from conftest import open_in
from PySide6.QtCore import Qt

ARTICLE = (
    "Front line report\n\n"
    "Drones hit the depot near Kharkiv. Talks resumed in Geneva on Monday.\n\n"
    "Sanctions bite hard. Gas exports fell again."
)


def stored(fresh, doc):
    ws = fresh()
    text = ws.documents.get(doc).text
    return sorted((s.label, text[s.start : s.end]) for s in ws.annotations.spans(doc))


def _start(qtbot, win, doc):
    pane = open_in(qtbot, win, doc)
    view = pane.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_P)  # the title is not part of the text
    return pane, view


def test_one_key_per_passage_and_the_labels_show_at_once(qtbot, make_window, import_doc, fresh):
    doc = import_doc(ARTICLE)
    win = make_window()
    pane, view = _start(qtbot, win, doc)
    assert pane.tag_and_advance  # on by default
    assert pane.passage_bar.isVisible()
    assert pane.passage_bar.where.text().startswith("Sentence 1 of 4")
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3):
        qtbot.keyClick(view, key)
    assert stored(fresh, doc) == [
        ("DIPLOMATIC", "Talks resumed in Geneva on Monday."),
        ("ECONOMIC", "Sanctions bite hard."),
        ("MILITARY", "Drones hit the depot near Kharkiv."),
    ]
    assert pane.current_passage == 3  # moved on after each key

    qtbot.keyClick(view, Qt.Key.Key_K)  # back: the tagged sentence shows its label
    assert pane.passage_bar.labels.text() == "ECONOMIC"
    (passage_mark,) = [
        s for s in view.extraSelections() if s.format.fontOverline()
    ]  # lined, not tinted grey over the label colour
    assert passage_mark.format.background().style() == Qt.BrushStyle.NoBrush

    qtbot.keyClick(view, Qt.Key.Key_T)  # off: the key tags and stays
    assert "Tag and advance off" in win.statusBar().currentMessage()
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert pane.current_passage == 2
    assert pane.passage_bar.labels.text() == "ECONOMIC, MILITARY"
    qtbot.keyClick(view, Qt.Key.Key_1)  # the same key again removes it, still no move
    assert pane.current_passage == 2
    assert pane.passage_bar.labels.text() == "ECONOMIC"


def test_the_toggle_is_remembered(qtbot, make_window, import_doc, layout):
    doc = import_doc(ARTICLE)
    win = make_window()
    _pane, view = _start(qtbot, win, doc)
    qtbot.keyClick(view, Qt.Key.Key_T)
    assert not win.actions_by_name["tag_and_advance"].isChecked()
    win.save_layout()
    win.close()
    again = make_window(layout=layout)
    assert not again.tag_and_advance
    assert all(not p.tag_and_advance for p in again.reading.panes)


def test_suggestions_are_shown_and_accepted_with_one_key(qtbot, make_window, import_doc, fresh):
    doc = import_doc(ARTICLE)
    win = make_window()
    asked = []

    def provider(*, document_id, start, end, text):
        asked.append(text)
        if "Sanctions" in text or "Gas" in text:
            return [("ECONOMIC", 0.91), ("NOT_A_LABEL", 0.5)]
        if "Talks" in text:
            return [("DIPLOMATIC", 0.8), ("MILITARY", 0.35)]
        return []

    win.set_suggestions_provider(provider)
    pane, view = _start(qtbot, win, doc)
    assert asked[-1] == "Drones hit the depot near Kharkiv."
    assert pane.passage_bar.suggested.text() == ""
    qtbot.keyClick(view, Qt.Key.Key_1)  # tag, advance to "Talks…"
    assert (
        pane.passage_bar.suggested.text() == "Suggested: DIPLOMATIC 80%, MILITARY 35% — A accepts"
    )
    qtbot.keyClick(view, Qt.Key.Key_A)  # both suggestions, then on to "Sanctions…"
    assert pane.suggestions == [("ECONOMIC", 0.91)]  # unknown labels are never offered
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert stored(fresh, doc) == [
        ("DIPLOMATIC", "Talks resumed in Geneva on Monday."),
        ("ECONOMIC", "Sanctions bite hard."),
        ("MILITARY", "Drones hit the depot near Kharkiv."),
        ("MILITARY", "Talks resumed in Geneva on Monday."),
    ]
    assert pane.current_passage == 3


def test_a_failing_provider_does_not_stop_tagging(qtbot, make_window, import_doc, fresh):
    doc = import_doc(ARTICLE)
    win = make_window()

    def broken(**_kw):
        raise RuntimeError("model not loaded")

    win.set_suggestions_provider(broken)
    _pane, view = _start(qtbot, win, doc)
    assert "model not loaded" in win.statusBar().currentMessage()
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert "No suggestions" in win.statusBar().currentMessage()
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert stored(fresh, doc) == [("MILITARY", "Drones hit the depot near Kharkiv.")]
