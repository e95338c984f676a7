"""First launch, annotator switching, status, layout memory, import/export off the GUI thread."""

from __future__ import annotations

import json

from conftest import open_in
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from annotator.core.model import DocumentStatus
from annotator.gui.app import launch
from annotator.gui.dialogs.annotator_dialog import AnnotatorDialog
from annotator.gui.dialogs.export_dialog import ExportDialog
from annotator.settings import Settings


def test_first_launch_imports_demo_corpus_and_asks_the_name(qtbot, ws, layout, fresh):
    settings = Settings()
    win = launch(ws, settings, layout)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    assert fresh().documents.count() == 5
    assert win.doc_model.rowCount() == 5
    assert [p.document is not None for p in win.reading.panes] == [True, True]
    # The welcome comes first; the name is asked when it is closed.
    assert win.findChild(AnnotatorDialog, "annotatorDialog") is None
    assert win.welcome_dialog.isVisible()
    win.welcome_dialog.accept()
    dlg = win.findChild(AnnotatorDialog, "annotatorDialog")
    assert dlg is not None and dlg.isVisible()
    qtbot.keyClicks(dlg.combo.lineEdit(), "Olena")
    qtbot.keyClick(dlg.combo.lineEdit(), Qt.Key.Key_Return)
    assert Settings.load().annotator == "Olena"
    assert win.annotator_button.text() == "Olena"
    win.close()
    # A second launch on the same database imports nothing and asks nothing.
    win2 = launch(ws, Settings.load(), layout)
    qtbot.addWidget(win2)
    qtbot.waitUntil(lambda: not win2.runner.busy, timeout=10_000)
    assert fresh().documents.count() == 5
    assert win2.findChild(AnnotatorDialog, "annotatorDialog") is None
    win2.close()


def test_switching_annotator_tags_under_the_new_name_and_hides_others(
    qtbot, make_window, import_doc, fresh
):
    doc = import_doc("Shelling near Kherson continued.\n\nTalks stalled.")
    win = make_window()
    pane = open_in(qtbot, win, doc)
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_P)
    qtbot.keyClick(pane.view, Qt.Key.Key_1)
    assert [s.annotator for s in fresh().annotations.spans(doc)] == ["alice"]

    qtbot.keyClick(
        pane.view,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dlg = win.findChild(AnnotatorDialog, "annotatorDialog")
    dlg.combo.lineEdit().selectAll()
    qtbot.keyClicks(dlg.combo.lineEdit(), "bob")
    qtbot.keyClick(dlg.combo.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not win.runner.busy and pane.document is not None, timeout=10_000)
    assert Settings.load().annotator == "bob"
    assert pane.spans == {}  # alice's span is not shown to bob
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_J)
    qtbot.keyClick(pane.view, Qt.Key.Key_2)
    spans = fresh().annotations.spans(doc)
    assert sorted((s.annotator, s.label) for s in spans) == [
        ("alice", "MILITARY"),
        ("bob", "DIPLOMATIC"),
    ]
    row = win.doc_model.row_of(doc)
    qtbot.waitUntil(lambda: win.doc_model.index(row, win.doc_model.SPANS).data() == "1")


def test_mark_done_with_ctrl_d_and_undo(qtbot, make_window, import_doc, fresh):
    doc = import_doc("Ceasefire talks resumed.")
    win = make_window()
    pane = open_in(qtbot, win, doc)
    pane.view.setFocus()
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(pane.view, Qt.Key.Key_D, ctrl)
    assert fresh().annotations.status(doc, "alice") is DocumentStatus.DONE
    row = win.doc_model.row_of(doc)
    qtbot.waitUntil(lambda: win.doc_model.index(row, win.doc_model.STATUS).data() == "done")
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, ctrl)
    assert fresh().annotations.status(doc, "alice") is DocumentStatus.TODO
    qtbot.waitUntil(lambda: win.doc_model.index(row, win.doc_model.STATUS).data() == "todo")


def test_layout_and_open_documents_are_remembered(qtbot, make_window, import_doc, layout):
    a = import_doc("First article about drones.")
    b = import_doc("Second article about grain exports.")
    c = import_doc("Third article about talks.")
    win = make_window()
    qtbot.keyClick(win.reading.current.view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert len(win.reading.panes) == 3
    for pane, doc in zip(win.reading.panes, (c, a, b), strict=True):
        open_in(qtbot, win, doc, pane)
    win.actions_by_name["sync_scroll"].setChecked(True)
    win.close()
    assert json.loads(layout.value("documents")) == [c, a, b]

    win2 = make_window()
    assert [p.document_id for p in win2.reading.panes] == [c, a, b]
    assert win2.reading.sync_scroll


def test_find_in_document_and_search_across_the_corpus(qtbot, make_window, import_doc):
    a = import_doc("Nothing relevant here.")
    b = import_doc("The Zaporizhzhia plant was shelled.\n\nLater the Zaporizhzhia area calmed.")
    win = make_window()
    qtbot.keyClick(
        win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert win.corpus.search.hasFocus()
    qtbot.keyClicks(win.corpus.search, "zaporizhzhia")
    qtbot.keyClick(win.corpus.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.corpus.proxy.rowCount() == 1)
    idx = win.corpus.proxy.index(0, 0)
    assert idx.data(win.doc_model.IdRole) == b
    win.corpus.table.setFocus()
    win.corpus.table.setCurrentIndex(idx)
    qtbot.keyClick(win.corpus.table, Qt.Key.Key_Return)
    pane = win.reading.current
    qtbot.waitUntil(lambda: pane.document_id == b and not win.runner.busy)
    assert pane.view.textCursor().selectedText() == "Zaporizhzhia"
    first = pane.view.textCursor().selectionStart()
    qtbot.keyClick(pane.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert pane.find_bar.isVisible()
    qtbot.keyClick(pane.find_bar.edit, Qt.Key.Key_Return)
    assert pane.view.textCursor().selectionStart() > first
    win.corpus.search.clear()
    assert win.corpus.proxy.rowCount() == 2
    del a


def test_import_runs_off_the_gui_thread_and_names_file_and_line(qtbot, make_window, tmp_path):
    win = make_window()
    good = tmp_path / "in" / "article.txt"
    good.parent.mkdir()
    good.write_text("Grain corridor reopened.\n")
    bad = tmp_path / "in" / "broken.jsonl"
    bad.write_text('{"text": "ok", "spans": []}\n{not json\n')
    with qtbot.waitSignal(win.doc_model.modelReset, timeout=10_000):
        win.run_import([good.parent])
    box = win.findChild(QMessageBox, "errorBox")
    assert box is not None and box.isVisible()
    assert "broken.jsonl:2" in box.text()
    assert win.doc_model.rowCount() == 1  # the good file; nothing of the broken one


def test_export_dialog_writes_with_progress_off_the_gui_thread(
    qtbot, make_window, import_doc, tmp_path
):
    from annotator.formats.registry import exporter_names

    doc = import_doc("Artillery duels near Bakhmut.")
    win = make_window()
    pane = open_in(qtbot, win, doc)
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_P)
    qtbot.keyClick(pane.view, Qt.Key.Key_1)
    qtbot.keyClick(win, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dlg = win.findChild(ExportDialog, "exportDialog")
    assert isinstance(dlg, QDialog) and dlg.isVisible()
    assert [dlg.format.itemText(i) for i in range(dlg.format.count())] == exporter_names()
    dest = tmp_path / "out" / "export.jsonl"
    qtbot.keyClicks(dlg.dest, str(dest))
    with qtbot.waitSignal(dlg.progress.valueChanged, timeout=10_000):
        qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=10_000)
    record = json.loads(dest.read_text().splitlines()[0])
    assert [(s["label"], s["text"], s["annotator"]) for s in record["spans"]] == [
        ("MILITARY", "Artillery duels near Bakhmut.", "alice")
    ]
    assert dlg.progress.value() == dlg.progress.maximum()


def test_import_offers_to_create_unknown_labels_then_imports(qtbot, make_window, tmp_path, fresh):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    win = make_window()
    data = tmp_path / "team.jsonl"
    text = "Grain exports rose through Odesa."
    data.write_text(
        json.dumps({"text": text, "spans": [{"start": 0, "end": 12, "label": "TRADE"}]}) + "\n",
        encoding="utf-8",
    )
    asked = []

    def answer_yes() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "newLabelsBox")
        asked.append(box.text())
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)

    QTimer.singleShot(300, answer_yes)
    win.run_import([data])
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    assert "TRADE" in asked[0]
    ws = fresh()
    qtbot.waitUntil(lambda: "TRADE" in [lab.name for lab in ws.labels.list()], timeout=10_000)
    qtbot.waitUntil(lambda: ws.documents.count() == 1 and not win.runner.busy, timeout=10_000)
    (doc,) = ws.documents.list()
    assert [(s.label, text[s.start : s.end]) for s in ws.annotations.spans(doc.id)] == [
        ("TRADE", "Grain export")
    ]


def test_many_unknown_labels_are_offered_in_a_short_question(qtbot, make_window, tmp_path, fresh):
    """3,000 new labels: the question names eight and counts the rest (it listed all)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    win = make_window()
    data = tmp_path / "many.jsonl"
    lines = [
        json.dumps(
            {"text": f"Report {i}.", "spans": [{"start": 0, "end": 6, "label": f"L{i:04d}"}]}
        )
        for i in range(3000)
    ]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    asked = []

    def answer_no() -> None:  # once the question is up (the file takes a while to check)
        boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "newLabelsBox"]
        if not boxes:
            QTimer.singleShot(100, answer_no)
            return
        asked.append(boxes[0].text())
        qtbot.mouseClick(boxes[0].button(QMessageBox.StandardButton.No), Qt.MouseButton.LeftButton)

    QTimer.singleShot(100, answer_no)
    win.run_import([data])
    qtbot.waitUntil(lambda: bool(asked), timeout=20_000)
    assert "L0000, L0001" in asked[0] and "and 2992 more (3000 in all)" in asked[0]
    assert len(asked[0]) < 300, len(asked[0])
    assert fresh().documents.count() == 0


def test_import_a_teammates_database_as_their_layer(qtbot, make_window, ws, tmp_path, fresh):
    """File > Import teammate's work: another desktop's database, stored under a chosen name."""
    from PySide6.QtWidgets import QApplication

    from annotator.services import Workspace

    text = "Convoys reached Kherson at dawn."
    mine = tmp_path / "mine.txt"
    mine.write_text(text, encoding="utf-8")
    assert ws.importer.import_paths([mine]).documents_added == 1
    theirs = Workspace.open(f"sqlite:///{tmp_path / 'bob.sqlite3'}")
    theirs.importer.import_paths([mine])
    (doc,) = theirs.documents.list()
    theirs.annotations.add(doc.id, start=0, end=7, label="MILITARY", annotator="me")
    theirs.close()

    win = make_window()
    win.run_layer_import([tmp_path / "bob.sqlite3"], as_annotator="bob")
    qtbot.waitUntil(
        lambda: any(
            w.objectName() == "layerImportBox" and w.isVisible()
            for w in QApplication.topLevelWidgets()
        ),
        timeout=10_000,
    )
    box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "layerImportBox")
    assert "layer bob: 1 span(s) in file, 1 new" in box.text()
    box.close()
    check = fresh()
    (local,) = check.documents.list()
    assert [(s.annotator, text[s.start : s.end]) for s in check.annotations.spans(local.id)] == [
        ("bob", "Convoys")
    ]


def test_pane_titles_still_name_their_documents_after_an_import(
    qtbot, make_window, import_doc, tmp_path
):
    first = import_doc("Mariupol report\n\nThe port was shelled.")
    second = import_doc("Odesa report\n\nGrain ships left.")
    win = make_window()
    left = open_in(qtbot, win, first)
    right = open_in(qtbot, win, second, pane=win.reading.panes[1])
    folder = tmp_path / "more"
    folder.mkdir()
    for i, title in enumerate(("Avdiivka", "Bakhmut", "Chasiv Yar")):
        (folder / f"n{i}.txt").write_text(f"{title} report\n\nFighting went on near {title}.\n")
    with qtbot.waitSignal(win.doc_model.modelReset, timeout=10_000):
        win.run_import([folder])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    assert win.doc_model.rowCount() == 5
    assert left.picker.currentText() == left.document.title == "Mariupol report"
    assert right.picker.currentText() == right.document.title == "Odesa report"


def test_first_run_focus_goes_to_the_text_and_a_tag_before_the_name_is_kept(
    qtbot, ws, layout, fresh
):
    settings = Settings()
    win = launch(ws, settings, layout)
    qtbot.addWidget(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    win.welcome_dialog.reject()  # closed without answering the name either
    dlg = win.findChild(AnnotatorDialog, "annotatorDialog")
    dlg.reject()
    pane = win.reading.current
    qtbot.waitUntil(lambda: pane.view.hasFocus(), timeout=5_000)
    assert not win.corpus.filter.hasFocus()
    # A passage tagged before any name is given: the key asks the name, then tags.
    qtbot.keyClick(pane.view, Qt.Key.Key_P)
    passage = pane.current_passage_range()
    qtbot.keyClick(pane.view, Qt.Key.Key_1)
    (dlg,) = [d for d in win.findChildren(AnnotatorDialog) if d.isVisible()]
    qtbot.keyClicks(dlg.combo.lineEdit(), "Olena")
    qtbot.keyClick(dlg.combo.lineEdit(), Qt.Key.Key_Return)
    spans = fresh().annotations.spans(pane.document_id)
    assert [(s.annotator, s.label, s.start, s.end) for s in spans] == [
        ("Olena", "MILITARY", *passage)
    ]
    qtbot.waitUntil(lambda: pane.view.hasFocus(), timeout=5_000)
    qtbot.keyClick(pane.view, Qt.Key.Key_2)  # keys keep going to the text
    assert len(fresh().annotations.spans(pane.document_id)) == 2
    win.close()
