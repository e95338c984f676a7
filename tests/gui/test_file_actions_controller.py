"""The file actions controller stands on the collaborators it is given (no main window):
an import with a broken file, a teammate's layer, a corpus search and the label dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox, QProgressBar, QWidget

from annotator.gui.file_actions import FileActionsController
from annotator.gui.models.document_list_model import DocumentListModel
from annotator.gui.undo import UndoHistories, execute
from annotator.gui.widgets.corpus_panel import CorpusPanel
from annotator.gui.widgets.reading_area import ReadingArea
from annotator.gui.workers import TaskRunner
from annotator.services import Workspace


def _controller(qtbot, ws, settings):
    host = QWidget()
    qtbot.addWidget(host)
    docs = DocumentListModel(ws.documents, settings.annotator)
    undo = UndoHistories(host)
    undo.switch(settings.annotator)
    corpus = CorpusPanel(docs)
    dock = QDockWidget("Corpus", host)
    dock.setWidget(corpus)
    seen: dict[str, list] = {"status": [], "lists": [], "panes": [], "labels": [], "edits": []}

    def run(command, on_error):
        step = execute(command, seen["edits"].append, on_error)
        if step is not None:
            undo.active.push(step)
        return step is not None

    progress = QProgressBar(host)
    ctl = FileActionsController(
        window=host,
        ws=ws,
        settings=settings,
        runner=TaskRunner(host),
        progress=progress,
        status=lambda text, ms: seen["status"].append((text, ms)),
        reading=ReadingArea(docs),
        corpus=corpus,
        corpus_dock=dock,
        run=run,
        labels_changed=lambda: seen["labels"].append(True),
        reload_lists=lambda: (seen["lists"].append(True), docs.reload()),
        reload_panes=lambda: seen["panes"].append(True),
    )
    return host, ctl, undo, seen


def test_import_and_search_with_only_its_collaborators(qtbot, ws, settings, tmp_path, fresh):
    host, ctl, _undo, seen = _controller(qtbot, ws, settings)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "article.txt").write_text("Grain corridor reopened near Odesa.\n")
    (folder / "broken.jsonl").write_text('{"text": "ok", "spans": []}\n{not json\n')
    ctl.run_import([folder])
    assert ctl.progress.isVisibleTo(host) and seen["status"] == [("Importing…", 0)]
    qtbot.waitUntil(lambda: bool(seen["lists"]), timeout=10_000)
    assert not ctl.progress.isVisibleTo(host)
    assert "imported" in seen["status"][-1][0].lower() and seen["status"][-1][1] == 8000
    box = host.findChild(QMessageBox, "errorBox")  # parented to the given window
    assert box is not None and "broken.jsonl:2" in box.text()
    box.close()
    assert [d.title for d in fresh().documents.list()] == ["Grain corridor reopened near Odesa."]
    assert not seen["panes"]  # a plain import leaves the open documents' spans alone

    ctl.corpus.search.setText("odesa")
    ctl.search_corpus("odesa")
    qtbot.waitUntil(lambda: ctl.corpus.hits.count() == 1, timeout=10_000)
    assert "1 hit(s) in 1 document(s)" in ctl.corpus.search_status.text()


def test_layer_import_and_labels_with_only_its_collaborators(qtbot, ws, settings, tmp_path, fresh):
    text = "Convoys reached Kherson at dawn."
    article = tmp_path / "a.txt"
    article.write_text(text, encoding="utf-8")
    ws.importer.import_paths([article])
    theirs = Workspace.open(f"sqlite:///{tmp_path / 'bob.sqlite3'}")
    theirs.importer.import_paths([article])
    theirs.annotations.add(
        theirs.documents.list()[0].id, start=0, end=7, label="MILITARY", annotator="me"
    )
    theirs.close()

    host, ctl, undo, seen = _controller(qtbot, ws, settings)
    ctl.run_layer_import([tmp_path / "bob.sqlite3"], as_annotator="bob")
    qtbot.waitUntil(lambda: bool(seen["panes"]), timeout=10_000)
    assert seen["lists"] and seen["status"][-1] == ("imported 1 span(s) from 1 file(s)", 10_000)
    box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "layerImportBox")
    assert box.parent() is host and "1 new" in box.text()
    box.close()
    (doc,) = fresh().documents.list()
    spans = fresh().annotations.spans(doc.id)
    assert [(s.annotator, text[s.start : s.end]) for s in spans] == [("bob", "Convoys")]

    dlg = ctl.edit_labels()
    assert dlg.parent() is host
    dlg.list.setCurrentItem(None)
    dlg.name.setText("HUMANITARIAN")
    dlg.shortcut.setText("4")
    assert dlg.add_label()
    dlg.close()
    assert seen["labels"] and undo.active.undoText() == "Add label HUMANITARIAN"
    assert [lab.name for lab in fresh().labels.list()][-1] == "HUMANITARIAN"
