"""The main window: wires corpus, reading area, labels and spans; owns the undo stack."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QMoveEvent,
    QResizeEvent,
    QShowEvent,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QInputDialog,
    QLabel,
    QMainWindow,
    QProgressBar,
    QToolButton,
    QWidget,
)

from annotator.core.model import DocumentStatus, Span
from annotator.gui import app_actions, window_layout, window_menus
from annotator.gui.dialogs.annotator_dialog import AnnotatorDialog
from annotator.gui.dialogs.label_dialog import LabelDialog
from annotator.gui.dialogs.shortcuts_dialog import ShortcutsDialog
from annotator.gui.file_actions import FileActionsController
from annotator.gui.icons import icon
from annotator.gui.live_view import LiveView
from annotator.gui.messages import show_error
from annotator.gui.models.document_list_model import DocumentListModel
from annotator.gui.models.label_list_model import LabelListModel
from annotator.gui.models.span_list_model import SpanListModel
from annotator.gui.tagging import TaggingController, shown_doc_labels
from annotator.gui.team_menu import install_team_menu
from annotator.gui.undo import Edit, ServiceCommand, UndoHistories
from annotator.gui.widgets.corpus_panel import CorpusPanel
from annotator.gui.widgets.document_pane import DocumentPane
from annotator.gui.widgets.label_panel import LabelPanel
from annotator.gui.widgets.reading_area import ReadingArea
from annotator.gui.widgets.span_list import SpanList
from annotator.gui.window_fit import keep_on_screen
from annotator.gui.workers import TaskRunner
from annotator.services import Workspace
from annotator.settings import Settings

if TYPE_CHECKING:
    from annotator.gui.dialogs.export_dialog import ExportDialog


class MainWindow(QMainWindow):
    def __init__(self, ws: Workspace, settings: Settings, layout: QSettings) -> None:
        super().__init__()
        self.ws = ws
        self.settings = settings
        self.layout_settings = layout
        self.setWindowTitle("Annotator")
        self.setWindowIcon(icon("app"))
        # Undo belongs to an annotator: one history each, the current one's active.
        self.undo_histories = UndoHistories(self)
        self.undo_histories.switch(settings.annotator)
        self.runner = TaskRunner(self)
        self.show_all_annotators = False
        self.tag_and_advance = layout.value("tag_and_advance", True) not in (False, "false")
        self._load_tokens: dict[int, int] = {}
        self._dirty_docs: set[int] = set()
        # Corpus rows (span counts, status) refresh on a worker, at most every 250 ms.
        self._refresh_timer = QTimer(self, singleShot=True, interval=250)
        self._refresh_timer.timeout.connect(self._refresh_rows)
        # The span list and label counts follow an edit on the next loop turn (before the
        # next paint), not inside the key press: see flush_lists.
        self._list_edits: list[tuple[int, tuple[Span, ...], tuple[Span, ...]]] = []
        self._list_timer = QTimer(self, singleShot=True, interval=0)
        self._list_timer.timeout.connect(self.flush_lists)

        self.doc_model = DocumentListModel(ws.documents, settings.annotator, self)
        self.label_model = LabelListModel(ws.labels, self)
        self.span_model = SpanListModel(self)
        self.reading = ReadingArea(self.doc_model)
        self.setCentralWidget(self.reading)
        self.tagging = TaggingController(
            window=self,
            ws=ws,
            settings=settings,
            reading=self.reading,
            undo=self.undo_histories,
            apply_edit=self.apply_edit,
            status=lambda text, ms: self.statusBar().showMessage(text, ms),
            annotator_shown=self._annotator_switched,
            reload=self.reload_panes,
        )
        self.corpus = CorpusPanel(self.doc_model)
        self.label_panel = LabelPanel(self.label_model)
        self.span_list = SpanList(self.span_model)
        self._dock("corpus", "Corpus", self.corpus, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock("labels", "Labels", self.label_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("spans", "Spans", self.span_list, Qt.DockWidgetArea.RightDockWidgetArea)
        self.annotator_button = QToolButton(autoRaise=True)
        self.annotator_button.setToolTip("Current annotator — click to switch (Ctrl+Shift+A)")
        self.progress = QProgressBar(maximumWidth=200, visible=False)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(QLabel("Annotator:"))
        self.statusBar().addPermanentWidget(self.annotator_button)
        self.file_actions = FileActionsController(
            window=self,
            ws=ws,
            settings=settings,
            runner=self.runner,
            progress=self.progress,
            status=lambda text, ms: self.statusBar().showMessage(text, ms),
            reading=self.reading,
            corpus=self.corpus,
            corpus_dock=self.corpus_dock,
            run=self.tagging.run,
            labels_changed=self.labels_changed,
            reload_lists=self._reload_lists,
            reload_panes=self.reload_panes,
        )
        self.actions_by_name: dict[str, QAction] = {}
        """The actions of the window's menus by name (``keymap.ACTIONS``)."""
        window_menus.build(self)  # File, Edit, View, Help and the toolbar
        self.team = install_team_menu(self)
        # What teammates do elsewhere: document labels, and their spans when shown.
        self.live = LiveView(
            self,
            ws=ws,
            settings=settings,
            reading=self.reading,
            shown=self.visible_annotators,
            runner=self.runner,
            status=lambda text, ms: self.statusBar().showMessage(text, ms),
            reload_spans=self.reload_document,
        )

        self.reading.paneAdded.connect(self._pane_added)
        self.reading.currentChanged.connect(self._current_changed)
        self.corpus.documentActivated.connect(self._open_from_corpus)
        self.corpus.markDoneRequested.connect(self.toggle_done)
        self.corpus.searchRequested.connect(self.file_actions.search_corpus)
        self.label_panel.labelActivated.connect(self.file_actions.label_clicked)
        self.label_panel.editRequested.connect(self.edit_labels)
        self.span_list.spanActivated.connect(self.file_actions.span_clicked)
        self.span_list.deleteRequested.connect(self.delete_span)
        self.span_list.noteRequested.connect(self.edit_note)
        self.annotator_button.clicked.connect(lambda: self.ask_annotator())

        self.doc_model.reload()
        self.label_model.reload()
        self.span_model.set_colors({lab.name: lab.color for lab in self.label_model.labels()})
        self._show_annotator()
        self.span_list.show_annotators(False)
        self.restore_layout()
        app_actions.install(self)  # restore from backup, user guide, about, instance notice
        from annotator.gui.review_queue import install_review_queue
        from annotator.gui.suggestions import install_suggestions

        self.suggestions = install_suggestions(self)  # assisted annotation (issue 16)
        self.review_queue = install_review_queue(self, self.suggestions)
        from annotator.gui.guideline_dock import install_guideline

        self.guideline = install_guideline(self)  # project guideline dock (issue 22)

        from annotator.gui.study_actions import install_study

        self.study = install_study(self)  # assignments, queue, blind mode, progress (issue 22)

    @property
    def undo_stack(self) -> QUndoStack:
        """The current annotator's undo history."""
        return self.undo_histories.active

    # --- tagging: the controller's, here for the menus, panes and the other controllers ---

    def run(
        self, command: ServiceCommand, on_error: Callable[[Exception], None] | None = None
    ) -> bool:
        return self.tagging.run(command, on_error)

    def tag(self, document_id: int, start: int, end: int, label: str) -> None:
        self.tagging.tag(document_id, start, end, label)

    def relabel(self, span_id: int, label: str) -> None:
        self.tagging.relabel(span_id, label)

    def delete_span(self, span_id: int) -> None:
        self.tagging.delete_span(span_id)

    def edit_note(self, span_id: int) -> QInputDialog | None:
        return self.tagging.edit_note(span_id)

    def set_status(self, document_id: int, status: DocumentStatus) -> None:
        self.tagging.set_status(document_id, status)

    def require_annotator(self) -> bool:
        return self.tagging.require_annotator()

    def ask_annotator(self) -> AnnotatorDialog:
        return self.tagging.ask_annotator()

    def switch_annotator(self, name: str) -> None:
        self.tagging.switch_annotator(name)

    def _annotator_switched(self, name: str) -> None:
        self.doc_model.set_annotator(name)
        self._show_annotator()
        study = getattr(self, "study", None)
        if study is not None:
            study.refresh()  # my queue's counts and what blind mode hides from me

    # --- file actions: the controller's, here for the menus and the other controllers ---

    def import_files(self) -> None:
        self.file_actions.import_files()

    def import_folder(self) -> None:
        self.file_actions.import_folder()

    def import_layer(self) -> None:
        self.file_actions.import_layer()

    def run_import(self, paths: list[Path], *, create_labels: bool = False) -> None:
        self.file_actions.run_import(paths, create_labels=create_labels)

    def run_layer_import(self, paths: list[Path], *, as_annotator: str | None) -> None:
        self.file_actions.run_layer_import(paths, as_annotator=as_annotator)

    def export(self) -> ExportDialog:
        return self.file_actions.export()

    def edit_labels(self) -> LabelDialog:
        return self.file_actions.edit_labels()

    def show_shortcuts(self) -> ShortcutsDialog:
        return self.file_actions.show_shortcuts()

    def find(self) -> None:
        self.file_actions.find()

    def focus_corpus(self) -> None:
        self.file_actions.focus_corpus()

    def focus_corpus_search(self) -> None:
        self.file_actions.focus_corpus_search()

    def _reload_lists(self) -> None:
        self.doc_model.reload()
        self.label_model.reload()

    # --- construction ---------------------------------------------------------------

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        setattr(self, f"{name}_dock", dock)
        return dock

    # --- panes and documents -----------------------------------------------------------

    def _pane_added(self, pane: DocumentPane) -> None:
        pane.set_labels(self.label_model.labels())
        pane.annotator = self.settings.annotator
        pane.tag_and_advance = self.tag_and_advance
        pane.snap_to_words = self.settings.snap_to_words
        pane.passage_kind = "paragraph" if self.settings.passage_kind == "paragraph" else "sentence"
        pane.documentRequested.connect(lambda doc_id, p=pane: self.open_document(doc_id, pane=p))
        pane.tagRequested.connect(self.tag)
        pane.relabelRequested.connect(self.relabel)
        pane.deleteRequested.connect(self.delete_span)
        pane.noteRequested.connect(self.edit_note)
        pane.docLabelToggled.connect(self.tagging.set_document_label)
        pane.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        pane.spanSelected.connect(
            lambda sid, p=pane: (
                p is self.reading.current and self.span_list.select_span(sid if sid >= 0 else None)
            )
        )
        pane.passageModeChanged.connect(
            lambda on, p=pane: (
                p is self.reading.current and window_menus.show_passage_mode(self, on)
            )
        )
        pane.passageModeChanged.connect(self._fit_soon)
        pane.tagAndAdvanceChanged.connect(lambda on: window_menus.sync_tag_and_advance(self, on))
        self._fit_soon()

    def new_pane(self) -> DocumentPane:
        pane = self.reading.add_pane()
        pane.view.setFocus()
        return pane

    def close_pane(self) -> None:
        if self.reading.current is not None:
            self.reading.close_pane(self.reading.current)

    def visible_annotators(self) -> tuple[str, ...]:
        return () if self.show_all_annotators else (self.settings.annotator,)

    def open_document(
        self,
        document_id: int,
        *,
        pane: DocumentPane | None = None,
        hit: tuple[int, int] | None = None,
    ) -> None:
        """Load a document and its spans off the GUI thread, then show it in ``pane``."""
        pane = pane or self.reading.current or self.new_pane()
        token = self._load_tokens.get(id(pane), 0) + 1
        self._load_tokens[id(pane)] = token
        # The same document again (its spans for another annotator): the text stays, and
        # keys keep working on it while the spans are read.
        again = pane.document_id == document_id and not pane.loading
        if again:
            pane.begin_reload()
        else:
            summary = self.doc_model.summary(document_id)
            pane.show_loading(summary.title if summary else "document")
        annotators = self.visible_annotators()
        viewer = self.settings.annotator
        ws = self.ws

        def load(_progress):
            # Blind mode (issue 22): no teammate's spans on an unfinished overlap document.
            return (
                ws.documents.get(document_id),
                ws.study.visible_spans(document_id, viewer, annotators=annotators),
                shown_doc_labels(ws, document_id, viewer, annotators),
            )

        def loaded(result) -> None:
            if pane not in self.reading.panes or self._load_tokens.get(id(pane)) != token:
                return  # closed, or another document was asked for meanwhile
            doc, spans, whole = result
            if again and pane.document_id == document_id and not pane.loading:
                pane.finish_reload(spans)
            else:
                pane.set_document(doc, spans)
            pane.set_doc_labels(whole)
            if hit is not None:
                pane.go_to(*hit)
            if pane is self.reading.current:
                self._current_changed(pane)

        self.runner.start(
            load, finished=loaded, failed=lambda msg: show_error(self, "Cannot open document", msg)
        )

    def refresh_doc_labels(self, document_ids: Iterable[int]) -> None:
        """Show the stored document labels again in every pane showing these documents."""
        for doc_id in set(document_ids):
            panes = self.reading.panes_showing(doc_id)
            if panes:
                whole = shown_doc_labels(
                    self.ws, doc_id, self.settings.annotator, self.visible_annotators()
                )
                for pane in panes:
                    pane.set_doc_labels(whole)

    def open_doc_labels(self) -> None:
        """Edit ▸ Document labels (Ctrl+Shift+D): the current pane's labels menu."""
        pane = self.reading.current
        if pane is None:
            self.statusBar().showMessage("Open a document first", 5000)
            return
        pane.open_doc_labels_menu()

    def reload_document(self, document_id: int) -> None:
        """Read the spans and labels of ``document_id`` again in every pane showing it."""
        for pane in self.reading.panes_showing(document_id):
            if not pane.loading:
                self.open_document(document_id, pane=pane)

    def reload_panes(self) -> None:
        for pane in self.reading.panes:
            if pane.document_id is not None:
                self.open_document(pane.document_id, pane=pane)

    def _open_from_corpus(self, document_id: int, offset: int) -> None:
        needle = self.corpus.search.text()
        hit = (offset, offset + len(needle)) if offset >= 0 and needle else None
        self.open_document(document_id, hit=hit)
        if self.reading.current is not None:
            self.reading.current.view.setFocus()

    def _current_changed(self, pane: DocumentPane) -> None:
        doc = pane.document
        self.span_model.set_document(
            pane.document_id, doc.text if doc else "", list(pane.spans.values())
        )
        self.label_model.set_counts(self.span_model.label_counts())
        window_menus.show_passage_mode(self, pane.passage_mode)
        if doc is not None and doc.id is not None:
            self.corpus.select_document(doc.id)
            self.setWindowTitle(f"{doc.title or 'Document'} — Annotator")

    # --- applying edits ------------------------------------------------------------------

    def apply_edit(self, edit: Edit) -> None:
        """Show one committed step in the panes at once; the span list and label counts
        follow on the next loop turn, and corpus rows at most every 250 ms."""
        shown = set(self.visible_annotators())
        by_doc: dict[int, tuple[list[Span], list[Span]]] = {}
        for s in edit.added:
            by_doc.setdefault(s.document_id, ([], []))[0].append(s)
        for s in edit.removed:
            by_doc.setdefault(s.document_id, ([], []))[1].append(s)
        for doc_id, (added, removed) in by_doc.items():
            visible = tuple(s for s in added if not shown or s.annotator in shown)
            for pane in self.reading.panes_showing(doc_id):
                pane.apply_edit(visible, tuple(removed))
            self._list_edits.append((doc_id, visible, tuple(removed)))
        if self._list_edits:
            self._list_timer.start()
        self.mark_rows_dirty(edit.changes.document_ids)
        if edit.changes.doc_labels:
            self.refresh_doc_labels(edit.changes.document_ids)
        if edit.changes.labels:
            self.labels_changed()

    def flush_lists(self) -> None:
        """Bring the span list and the label counts up to the panes.

        Run by a zero timer after the key press that made the edit, so a tag's own time is
        the commit and the highlight (a 50,000-row list's row insert and the counts cost
        about 0.2 ms more, an eighth of a tag); the list is current again before the window
        next paints. Edits of a document the list no longer shows are dropped (it was
        reloaded from the pane); the list then selects the span the current pane has
        selected, if any.
        """
        self._list_timer.stop()
        edits, self._list_edits = self._list_edits, []
        touched = False
        for doc_id, added, removed in edits:
            if self.span_model.document_id == doc_id:
                self.span_model.apply_edit(added, removed)
                touched = True
        if touched:
            self.label_model.set_counts(self.span_model.label_counts())
            pane = self.reading.current
            if (
                pane is not None
                and pane.selected_span_id is not None
                and pane.document_id == self.span_model.document_id
            ):
                self.span_list.select_span(pane.selected_span_id)

    def mark_rows_dirty(self, document_ids: Iterable[int]) -> None:
        self._dirty_docs.update(document_ids)
        self._refresh_timer.start()

    def _refresh_rows(self) -> None:
        ids, self._dirty_docs = list(self._dirty_docs), set()
        if ids:
            docs = self.ws.documents
            self.runner.start(
                lambda _p: docs.summaries(ids),
                finished=self.doc_model.update_rows,
                failed=lambda msg: self.statusBar().showMessage(msg, 5000),
            )

    def labels_changed(self) -> None:
        self.label_model.reload()
        labels = self.label_model.labels()
        for pane in self.reading.panes:
            pane.set_labels(labels)
        self.span_model.set_colors({lab.name: lab.color for lab in labels})
        self.reload_panes()

    # --- layout --------------------------------------------------------------------------

    def fit_to_screen(self) -> None:
        """Keep the whole window, frame included, on the available part of its screen."""
        if not (self.isMaximized() or self.isFullScreen()):
            keep_on_screen(self)

    def restore_layout(self) -> None:
        """Geometry, docks, panes and their documents as the last session left them."""
        window_layout.restore_layout(self)

    def save_layout(self) -> None:
        window_layout.save_layout(self)

    def _fit_soon(self) -> None:
        """After the layout has taken a new pane or header text into account."""
        QTimer.singleShot(0, self.fit_to_screen)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The window manager adds its frame and places the window after the show: until
        # then a move is its placement, and the frame must fit too.
        self._placing = True
        QTimer.singleShot(2000, lambda: setattr(self, "_placing", False))
        self._fit_soon()

    def moveEvent(self, event: QMoveEvent) -> None:
        super().moveEvent(event)
        if getattr(self, "_placing", False):
            self._fit_soon()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() > event.oldSize().width() or (
            event.size().height() > event.oldSize().height()
        ):
            self._fit_soon()  # a layout that grew (new pane, longer header) never leaves the screen

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.suggestions.close()
        self.live.stop()
        self.runner.wait(10_000)
        super().closeEvent(event)

    # --- annotator and status ----------------------------------------------------------

    def _show_annotator(self) -> None:
        self.annotator_button.setText(self.settings.annotator or "(nobody — click to set)")

    def toggle_done(self, document_id: int | None = None) -> None:
        if document_id is None:
            document_id = self.reading.current.document_id if self.reading.current else None
        summary = self.doc_model.summary(document_id) if document_id is not None else None
        if summary is None or not self.require_annotator():
            return
        done = summary.status_for(self.settings.annotator) is DocumentStatus.DONE
        self.set_status(document_id, DocumentStatus.IN_PROGRESS if done else DocumentStatus.DONE)
