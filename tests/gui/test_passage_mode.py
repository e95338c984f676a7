"""Passage mode: one key a passage, its labels shown at once, and the keys for the suggestion
controller's suggestions (the real controller, on seed rules)."""

from __future__ import annotations

from conftest import open_in
from PySide6.QtCore import Qt

from annotator.core.model import SpanOrigin

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


def _with_rules(qtbot, win, ws, doc):
    """Seed rules, a trained controller, the document open in passage mode."""
    ws.suggestions.set_rules("ECONOMIC", "sanction*\ngas")
    ws.suggestions.set_rules("DIPLOMATIC", "talks")
    ctl = win.suggestions
    with qtbot.waitSignal(ctl.trained, timeout=30_000):
        ctl.train_now()
    pane, view = _start(qtbot, win, doc)
    return ctl, pane, view


def _shown(qtbot, ctl, pane):
    """The labels suggested for the current passage, once it is scored (a retraining after
    a tag drops the scores for a moment)."""
    qtbot.waitUntil(lambda: ctl.current(pane) is not None, timeout=30_000)
    return [s.label for s in ctl.current(pane)[1]]


def spans_with_origin(fresh, doc):
    ws = fresh()
    text = ws.documents.get(doc).text
    return sorted(
        (s.label, text[s.start : s.end], s.origin.value) for s in ws.annotations.spans(doc)
    )


def test_a_and_enter_accept_a_label_key_overrides_and_all_advance(
    qtbot, make_window, ws, import_doc, fresh
):
    doc = import_doc(ARTICLE)
    win = make_window()
    ctl, pane, view = _with_rules(qtbot, win, ws, doc)
    strip = ctl.strip(pane)
    assert _shown(qtbot, ctl, pane) == []  # "Drones…": no rule, the model has no label
    qtbot.keyClick(view, Qt.Key.Key_1)  # a plain tag, and on
    assert pane.current_passage == 1
    assert _shown(qtbot, ctl, pane) == ["DIPLOMATIC"]
    # One line shows the suggestion, right under the passage bar that says where I am.
    lay = pane.layout()
    assert lay.indexOf(strip) == lay.indexOf(pane.passage_bar) + 1
    assert strip.isVisible() and "DIPLOMATIC" in strip.text() and "rule" in strip.text()
    assert "DIPLOMATIC" not in pane.passage_bar.labels.text()
    # It wraps rather than widen the pane: panes share the window with the docks.
    assert pane.minimumSizeHint().width() < 300
    qtbot.keyClick(view, Qt.Key.Key_A)  # accept, and on
    assert pane.current_passage == 2
    assert _shown(qtbot, ctl, pane) == ["ECONOMIC"]
    qtbot.keyClick(view, Qt.Key.Key_1)  # override with MILITARY, and on like any tag
    assert pane.current_passage == 3
    assert _shown(qtbot, ctl, pane) == ["ECONOMIC"]
    qtbot.keyClick(view, Qt.Key.Key_Return)  # accept (the last passage: it stays)
    assert spans_with_origin(fresh, doc) == [
        ("DIPLOMATIC", "Talks resumed in Geneva on Monday.", SpanOrigin.SUGGESTED.value),
        ("ECONOMIC", "Gas exports fell again.", SpanOrigin.SUGGESTED.value),
        ("MILITARY", "Drones hit the depot near Kharkiv.", SpanOrigin.MANUAL.value),
        ("MILITARY", "Sanctions bite hard.", SpanOrigin.MANUAL.value),
    ]
    win.undo_stack.undo()  # one undo step takes an accepted suggestion back
    assert ("ECONOMIC", "Gas exports fell again.") not in stored(fresh, doc)


def test_with_tag_and_advance_off_only_enter_a_and_x_move_on(
    qtbot, make_window, ws, import_doc, fresh
):
    doc = import_doc(ARTICLE)
    win = make_window()
    ctl, pane, view = _with_rules(qtbot, win, ws, doc)
    qtbot.keyClick(view, Qt.Key.Key_T)
    assert not pane.tag_and_advance
    assert _shown(qtbot, ctl, pane) == []
    qtbot.keyClick(view, Qt.Key.Key_A)  # agree with "no label": nothing stored, on
    assert pane.current_passage == 1
    assert _shown(qtbot, ctl, pane) == ["DIPLOMATIC"]
    qtbot.keyClick(view, Qt.Key.Key_3)  # override with ECONOMIC: it stays
    assert pane.current_passage == 1
    assert ctl.current(pane) is None  # tagged now: no suggestion
    qtbot.keyClick(view, Qt.Key.Key_J)
    assert _shown(qtbot, ctl, pane) == ["ECONOMIC"]
    qtbot.keyClick(view, Qt.Key.Key_X)  # reject, and on
    assert pane.current_passage == 3
    assert _shown(qtbot, ctl, pane) == ["ECONOMIC"]
    qtbot.keyClick(view, Qt.Key.Key_Enter)  # the keypad's Enter accepts too
    assert stored(fresh, doc) == [
        ("ECONOMIC", "Gas exports fell again."),
        ("ECONOMIC", "Talks resumed in Geneva on Monday."),
    ]


def test_moving_walks_past_pre_tagged_passages_and_the_menu_turns_it_off(
    qtbot, make_window, import_doc, ws
):
    from annotator.services.suggestion_commands import PreAnnotateCommand

    doc = import_doc(ARTICLE)
    win = make_window()
    pane, view = _start(qtbot, win, doc)
    items = pane.passages()
    # Pre-annotation (one undo step, origin "suggested") tagged sentences 2 and 3.
    spans = [
        (items[1].start, items[1].end, "DIPLOMATIC"),
        (items[2].start, items[2].end, "ECONOMIC"),
    ]
    assert win.run(PreAnnotateCommand(ws.annotations, doc, spans, "alice"))
    assert pane.current_passage == 0
    qtbot.keyClick(view, Qt.Key.Key_J)
    assert pane.current_passage == 3  # J walked past both
    qtbot.keyClick(view, Qt.Key.Key_K)
    assert pane.current_passage == 0  # and so does K
    qtbot.keyClick(view, Qt.Key.Key_1)  # tag-and-advance: on to the next passage to decide
    assert pane.current_passage == 3
    qtbot.keyClick(view, Qt.Key.Key_J)  # nothing after it: stays on the last one
    assert pane.current_passage == 3
    # A passage corrected by hand is no longer walked past (it has a manual tag).
    qtbot.keyClick(view, Qt.Key.Key_K)
    assert pane.current_passage == 0
    pane.go_to(items[2].start, items[2].start)  # a click into a pre-tagged passage shows it
    assert pane.current_passage == 2
    qtbot.keyClick(view, Qt.Key.Key_3)  # removes the pre-tagged ECONOMIC
    qtbot.keyClick(view, Qt.Key.Key_2)  # tags DIPLOMATIC by hand and advances
    assert pane.current_passage == 3
    qtbot.keyClick(view, Qt.Key.Key_K)
    assert pane.current_passage == 2
    # Suggestions ▸ Walk past pre-tagged passages, off: every passage again.
    act = win.actions_by_name["skip_pretagged"]
    assert act.isChecked()
    act.trigger()
    qtbot.keyClick(view, Qt.Key.Key_K)
    assert pane.current_passage == 1
    assert stored_labels(ws, doc, items) == [
        ["MILITARY"],
        ["DIPLOMATIC"],
        ["DIPLOMATIC"],
        [],
    ]


def stored_labels(ws, doc, items):
    spans = ws.annotations.spans(doc, annotators=("alice",))
    return [sorted(s.label for s in spans if (s.start, s.end) == (p.start, p.end)) for p in items]
