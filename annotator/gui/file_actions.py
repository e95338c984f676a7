"""File, search and dialog actions of the main window; long work runs on the task runner."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from annotator.gui.dialogs.label_dialog import LabelDialog
from annotator.gui.dialogs.shortcuts_dialog import ShortcutsDialog
from annotator.gui.messages import show_error
from annotator.gui.widgets.corpus_panel import hits_in

if TYPE_CHECKING:
    from annotator.gui.dialogs.export_dialog import ExportDialog


class FileActionsMixin:
    """Mixed into MainWindow (which provides ws, runner, corpus, reading, progress)."""

    def import_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import", "", "Articles and datasets (*.txt *.md *.jsonl);;All files (*)"
        )
        if paths:
            self.run_import([Path(p) for p in paths])

    def import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import folder")
        if folder:
            self.run_import([Path(folder)])

    def import_layer(self) -> None:
        """A teammate's JSONL export or Annotator database, as their annotator layer."""
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            "Import a teammate's work",
            "",
            "Annotator exports and databases (*.jsonl *.sqlite3 *.sqlite *.db);;All files (*)",
        )
        if not paths:
            return
        name, ok = QInputDialog.getText(
            self,
            "Whose work is it?",
            "Store every span under this annotator\n(leave empty to keep the names in the file):",
        )
        if ok:
            self.run_layer_import([Path(p) for p in paths], as_annotator=name.strip() or None)

    def run_layer_import(self, paths: list[Path], *, as_annotator: str | None) -> None:
        ws = self.ws
        self._start_import(
            "Importing a teammate's work…",
            lambda progress: ws.layers.import_layers(
                paths, as_annotator=as_annotator, progress=progress
            ),
            self._layer_import_done,
        )

    def _start_import(self, message: str, work, finished) -> None:
        """Run an import on the task runner with the status bar's progress."""
        self.progress.setRange(0, 0)
        self.progress.show()
        self.statusBar().showMessage(message)
        self.runner.start(
            work, finished=finished, failed=self._import_failed, progress=self._show_progress
        )

    def _layer_import_done(self, report) -> None:
        self.progress.hide()
        self.doc_model.reload()
        self.label_model.reload()
        self.reload_panes()
        summary = report.summary()
        self.statusBar().showMessage(summary.splitlines()[-1], 10_000)
        if report.errors:
            show_error(
                self,
                "Some files were not imported",
                "\n".join(str(e) for e in report.errors),
                details=summary,
            )
        else:
            box = QMessageBox(QMessageBox.Icon.Information, "Teammate's work imported", summary)
            box.setObjectName("layerImportBox")
            box.setParent(self, box.windowFlags())
            box.open()

    def run_import(self, paths: list[Path], *, create_labels: bool = False) -> None:
        ws = self.ws
        self._start_import(
            "Importing…",
            lambda progress: ws.importer.import_paths(
                paths, progress=progress, create_labels=create_labels
            ),
            self._import_done,
        )

    def _show_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _import_done(self, report) -> None:
        from annotator.services.importing import UnknownLabelsError

        self.progress.hide()
        self.statusBar().showMessage(report.summary().splitlines()[-1], 8000)
        self.doc_model.reload()
        self.label_model.reload()
        # Files refused only for labels the project lacks: offer to create them and retry.
        unknown = [f for f in report.files if isinstance(f.error, UnknownLabelsError)]
        if unknown and self._offer_new_labels(unknown):
            self.run_import([Path(f.path) for f in unknown], create_labels=True)
            others = [e for e in report.errors if not isinstance(e, UnknownLabelsError)]
            if others:
                show_error(self, "Some files were not imported", "\n".join(map(str, others)))
            return
        if report.errors:
            show_error(
                self,
                "Some files were not imported",
                "\n".join(str(e) for e in report.errors),
                details=report.summary(),
            )

    def _offer_new_labels(self, files) -> bool:
        names = sorted({name for f in files for name in f.error.labels})
        shown = ", ".join(names[:8])
        if len(names) > 8:  # 20,000 new labels made a dialog taller than any screen
            shown += f" and {len(names) - 8} more ({len(names)} in all)"
        where = "\n".join(str(f.error) for f in files)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "New labels",
            f"{len(files)} file(s) use labels this project does not have: "
            f"{shown}.\n\nCreate these labels and import the file(s)?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("newLabelsBox")
        box.setDetailedText(where)
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _import_failed(self, message: str) -> None:
        self.progress.hide()
        self.statusBar().clearMessage()
        show_error(self, "Import failed", message)

    def export(self) -> ExportDialog:
        # Imported here: the format registry loads every format module, not needed to start.
        from annotator.gui.dialogs.export_dialog import ExportDialog

        dlg = ExportDialog(self.ws, self.runner, annotator=self.settings.annotator, parent=self)
        dlg.setObjectName("exportDialog")
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def edit_labels(self) -> LabelDialog:
        dlg = LabelDialog(self.ws.labels, self, run=self.run)
        dlg.setObjectName("labelDialog")
        from annotator.gui.dialogs.label_rules import install_rules_editor

        dlg.rules = install_rules_editor(dlg, self.ws.suggestions, self.run)
        dlg.labelsChanged.connect(self.labels_changed)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def show_shortcuts(self) -> ShortcutsDialog:
        dlg = ShortcutsDialog(self)
        dlg.setObjectName("shortcutsDialog")
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.show()
        return dlg

    def find(self) -> None:
        if self.reading.current is not None:
            self.reading.current.find_bar.open_bar()

    def focus_corpus(self) -> None:
        self.corpus_dock.show()
        self.corpus.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_corpus_search(self) -> None:
        self.corpus_dock.show()
        self.corpus.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.corpus.search.selectAll()

    def search_corpus(self, needle: str) -> None:
        if not needle.strip():
            self.corpus.show_search_hits(None)
            return
        ws = self.ws

        def search(_progress):
            # Every hit with its context: the documents found are read on this worker.
            return [
                hit
                for doc_id, _first in ws.documents.search(needle)
                for hit in hits_in(doc_id, ws.documents.get(doc_id).text, needle)
            ]

        self.runner.start(
            search,
            finished=self.corpus.show_search_hits,
            failed=lambda msg: show_error(self, "Search failed", msg),
        )

    def _label_clicked(self, label: str) -> None:
        pane = self.reading.current
        if pane is not None and pane.document is not None:
            pane.apply_label(label)
            pane.view.setFocus()

    def _span_clicked(self, span_id: int) -> None:
        pane = self.reading.current
        span = pane.spans.get(span_id) if pane is not None else None
        if span is not None:
            pane.go_to(span.start, span.start)
            pane.select_span(span_id)
            pane.view.setFocus()
