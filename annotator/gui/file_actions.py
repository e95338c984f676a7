"""File, search and dialog actions of the main window; long work runs on the task runner.

A controller object given its collaborators explicitly (it used to be a mixin of the
window, reading whatever attributes the window happened to have).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QMessageBox,
    QProgressBar,
    QWidget,
)

from annotator.gui.dialogs.label_dialog import LabelDialog
from annotator.gui.dialogs.shortcuts_dialog import ShortcutsDialog
from annotator.gui.messages import show_error
from annotator.gui.undo import ServiceCommand
from annotator.gui.widgets.corpus_panel import CorpusPanel, hits_in
from annotator.gui.widgets.reading_area import ReadingArea
from annotator.gui.workers import TaskRunner
from annotator.services import Workspace
from annotator.settings import Settings

if TYPE_CHECKING:
    from annotator.gui.dialogs.export_dialog import ExportDialog


class FileActionsController(QObject):
    """Imports, export, the label and shortcut dialogs, find and corpus search, and the
    label and span panels' clicks: the window's File, Edit and Go menus.

    Owns nothing stored: every import, export and search runs on ``runner`` (the window's
    task runner) against ``ws``; the controller shows their progress on ``progress`` and
    their outcome through ``status`` (the status bar: text, timeout in ms; ``""`` clears it)
    and message boxes parented to ``window``.

    Calls, after an import: ``reload_lists`` (the corpus rows and the label list) and, for a
    teammate's layer, ``reload_panes`` (the open documents' spans); the label dialog edits
    through ``run`` (the tagging controller's, so each change is an undo step) and reports a
    change of labels to ``labels_changed``. It reads ``settings.annotator`` for the export,
    ``reading`` for the current pane (find, label and span clicks) and shows ``corpus`` in
    ``corpus_dock`` (focus, search hits).

    Slots for the window's menus and panes: ``import_files``, ``import_folder``,
    ``import_layer``, ``export``, ``edit_labels``, ``show_shortcuts``, ``find``,
    ``focus_corpus``, ``focus_corpus_search``, ``search_corpus`` (the corpus panel's
    ``searchRequested``), ``label_clicked`` (the label panel's ``labelActivated``) and
    ``span_clicked`` (the span list's ``spanActivated``); ``run_import`` and
    ``run_layer_import`` import given paths without a file dialog. It emits no signals.
    """

    def __init__(
        self,
        *,
        window: QWidget,
        ws: Workspace,
        settings: Settings,
        runner: TaskRunner,
        progress: QProgressBar,
        status: Callable[[str, int], None],
        reading: ReadingArea,
        corpus: CorpusPanel,
        corpus_dock: QDockWidget,
        run: Callable[[ServiceCommand, Callable[[Exception], None]], bool],
        labels_changed: Callable[[], None],
        reload_lists: Callable[[], None],
        reload_panes: Callable[[], None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.ws = ws
        self.settings = settings
        self.runner = runner
        self.progress = progress
        self._status = status
        self.reading = reading
        self.corpus = corpus
        self.corpus_dock = corpus_dock
        self.run = run
        self._labels_changed = labels_changed
        self._reload_lists = reload_lists
        self._reload_panes = reload_panes

    def import_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self.window, "Import", "", "Articles and datasets (*.txt *.md *.jsonl);;All files (*)"
        )
        if paths:
            self.run_import([Path(p) for p in paths])

    def import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Import folder")
        if folder:
            self.run_import([Path(folder)])

    def import_layer(self) -> None:
        """A teammate's JSONL export or Annotator database, as their annotator layer."""
        paths, _ = QFileDialog.getOpenFileNames(
            self.window,
            "Import a teammate's work",
            "",
            "Annotator exports and databases (*.jsonl *.sqlite3 *.sqlite *.db);;All files (*)",
        )
        if not paths:
            return
        name, ok = QInputDialog.getText(
            self.window,
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
        self._status(message, 0)
        self.runner.start(
            work, finished=finished, failed=self._import_failed, progress=self._show_progress
        )

    def _layer_import_done(self, report) -> None:
        self.progress.hide()
        self._reload_lists()
        self._reload_panes()
        summary = report.summary()
        self._status(summary.splitlines()[-1], 10_000)
        if report.errors:
            show_error(
                self.window,
                "Some files were not imported",
                "\n".join(str(e) for e in report.errors),
                details=summary,
            )
        else:
            box = QMessageBox(QMessageBox.Icon.Information, "Teammate's work imported", summary)
            box.setObjectName("layerImportBox")
            box.setParent(self.window, box.windowFlags())
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
        self._status(report.summary().splitlines()[-1], 8000)
        self._reload_lists()
        suggestions = getattr(self.window, "suggestions", None)
        if suggestions is not None and any(f.predictions_added for f in report.files):
            suggestions.predicted.forget()  # the open documents may have new ones
        # Files refused only for labels the project lacks: offer to create them and retry.
        unknown = [f for f in report.files if isinstance(f.error, UnknownLabelsError)]
        if unknown and self._offer_new_labels(unknown):
            self.run_import([Path(f.path) for f in unknown], create_labels=True)
            others = [e for e in report.errors if not isinstance(e, UnknownLabelsError)]
            if others:
                show_error(self.window, "Some files were not imported", "\n".join(map(str, others)))
            return
        if report.errors:
            show_error(
                self.window,
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
            self.window,
        )
        box.setObjectName("newLabelsBox")
        box.setDetailedText(where)
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _import_failed(self, message: str) -> None:
        self.progress.hide()
        self._status("", 0)
        show_error(self.window, "Import failed", message)

    def export(self) -> ExportDialog:
        # Imported here: the format registry loads every format module, not needed to start.
        from annotator.gui.dialogs.export_dialog import ExportDialog

        dlg = ExportDialog(
            self.ws,
            self.runner,
            annotator=self.settings.annotator,
            parent=self.window,
            state=self.window.layout_settings,
        )
        dlg.setObjectName("exportDialog")
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def edit_labels(self) -> LabelDialog:
        dlg = LabelDialog(self.ws.labels, self.window, run=self.run)
        dlg.setObjectName("labelDialog")
        from annotator.gui.dialogs.label_rules import install_rules_editor

        dlg.rules = install_rules_editor(dlg, self.ws.suggestions, self.run)
        dlg.labelsChanged.connect(self._labels_changed)
        guideline = getattr(self.window, "guideline", None)
        if guideline is not None:
            dlg.guidelineRequested.connect(guideline.show_dock)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def show_shortcuts(self) -> ShortcutsDialog:
        guideline = getattr(self.window, "guideline", None)
        dlg = ShortcutsDialog(
            self.window, guideline=guideline.make_view() if guideline is not None else None
        )
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
            failed=lambda msg: show_error(self.window, "Search failed", msg),
        )

    def label_clicked(self, label: str) -> None:
        pane = self.reading.current
        if pane is not None and pane.document is not None:
            pane.apply_label(label)
            pane.view.setFocus()

    def span_clicked(self, span_id: int) -> None:
        pane = self.reading.current
        span = pane.spans.get(span_id) if pane is not None else None
        if span is not None:
            pane.go_to(span.start, span.start)
            pane.select_span(span_id)
            pane.view.setFocus()


__all__ = ["FileActionsController"]
