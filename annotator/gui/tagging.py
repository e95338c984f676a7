"""Tagging commands of the main window: every edit goes through ``run`` onto the undo stack
of the annotator it is for; who annotates, and switching to someone else.

A controller object given its collaborators explicitly (it used to be a mixin of the
window, reading whatever attributes the window happened to have).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QInputDialog, QWidget

from annotator.core.model import DocumentStatus, Span
from annotator.gui.dialogs.annotator_dialog import AnnotatorDialog
from annotator.gui.messages import show_error
from annotator.gui.undo import Edit, ServiceCommand, UndoHistories, execute
from annotator.gui.widgets.reading_area import ReadingArea
from annotator.services import Workspace
from annotator.services.commands import (
    AddSpanCommand,
    DeleteSpanCommand,
    SetDocumentLabelCommand,
    SetStatusCommand,
    UpdateSpanCommand,
)
from annotator.settings import Settings


def shown_doc_labels(
    ws: Workspace, document_id: int, viewer: str, shown: tuple[str, ...]
) -> dict[str, list[str]]:
    """The document labels a pane's title line shows: the viewer's, and teammates' only
    where their spans are shown (``shown`` empty: everyone's) and blind mode lets the
    viewer see them. Safe off the GUI thread (it reads only)."""
    found = ws.annotations.document_labels(document_id, viewer=viewer or None)
    return {w: v for w, v in found.items() if not shown or w in shown}


class TaggingController(QObject):
    """The window's edits and its annotator.

    ``window`` parents dialogs and error boxes; ``apply_edit`` shows a committed step in
    the views; ``status`` writes the status bar; ``annotator_shown`` tells the window's
    corpus rows and name button whose they are; ``reload`` reloads the panes' spans.
    """

    def __init__(
        self,
        *,
        window: QWidget,
        ws: Workspace,
        settings: Settings,
        reading: ReadingArea,
        undo: UndoHistories,
        apply_edit: Callable[[Edit], None],
        status: Callable[[str, int], None],
        annotator_shown: Callable[[str], None],
        reload: Callable[[], None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.ws = ws
        self.settings = settings
        self.reading = reading
        self.undo = undo
        self.apply_edit = apply_edit
        self._status = status
        self._annotator_shown = annotator_shown
        self._reload = reload
        self._after_name: Callable[[], None] | None = None
        """A tag pressed before the first name: made when the name is given."""

    def run(
        self, command: ServiceCommand, on_error: Callable[[Exception], None] | None = None
    ) -> bool:
        """Run an edit now and put it on the undo stack; False (and nothing stacked) on failure."""
        step = execute(
            command,
            self.apply_edit,
            on_error or self._edit_failed,
            later_errors=self._edit_failed,
            current_actor=lambda: self.settings.annotator,
        )
        if step is None:
            return False
        self.undo.active.push(step)
        return True

    def _edit_failed(self, exc: Exception) -> None:
        show_error(self.window, "Not saved", f"The change could not be stored: {exc}")

    def _find_span(self, span_id: int) -> Span | None:
        for pane in self.reading.panes:
            if span_id in pane.spans:
                return pane.spans[span_id]
        return None

    def _own_span(self, span_id: int, verb: str) -> Span | None:
        """The span if it is mine; others' spans are read-only overlays (say so, return None)."""
        span = self._find_span(span_id)
        if span is not None and span.annotator != self.settings.annotator:
            self._status(
                f"That span is {span.annotator}'s: only your own spans can be {verb}.", 5000
            )
            return None
        return span

    def tag(self, document_id: int, start: int, end: int, label: str) -> None:
        """Add a span; the same label on the same range again removes it (a toggle)."""
        if not self.settings.annotator:
            # Not lost: the tag is made as soon as the name is given (switch_annotator).
            self._after_name = lambda: self.tag(document_id, start, end, label)
            self.ask_annotator()
            self._status(
                f"Give your name first: the {label} tag is made as soon as you do "
                "(spans are stored under it).",
                10000,
            )
            return
        me = self.settings.annotator
        for pane in self.reading.panes_showing(document_id)[:1]:
            same = pane.find_span(start, end, label, me)
            if same is not None:
                self.run(DeleteSpanCommand(self.ws.annotations, same, me))
                return
        shown = self.reading.panes_showing(document_id)
        length = len(shown[0].document.text) if shown and shown[0].document else None
        self.run(
            AddSpanCommand(
                self.ws.annotations, document_id, start, end, label, me, document_length=length
            )
        )

    def relabel(self, span_id: int, label: str) -> None:
        span = self._own_span(span_id, "relabelled")
        if span is None or span.label == label:
            return
        for pane in self.reading.panes_showing(span.document_id)[:1]:
            if pane.find_span(span.start, span.end, label, span.annotator) is not None:
                self._status(f"That text already carries {label}.", 5000)
                return
        self.run(
            UpdateSpanCommand(self.ws.annotations, span_id, self.settings.annotator, label=label)
        )

    def delete_span(self, span_id: int) -> None:
        span = self._own_span(span_id, "deleted")
        if span is not None:
            self.run(DeleteSpanCommand(self.ws.annotations, span, self.settings.annotator))

    def edit_note(self, span_id: int) -> QInputDialog | None:
        span = self._own_span(span_id, "given a note")
        if span is None:
            return None
        me = self.settings.annotator
        dlg = QInputDialog(self.window)
        dlg.setObjectName("noteDialog")
        dlg.setWindowTitle("Note")
        dlg.setLabelText(f"Note on this {span.label} span:")
        dlg.setTextValue(span.note)
        dlg.textValueSelected.connect(
            lambda text: (
                text != span.note
                and self.run(UpdateSpanCommand(self.ws.annotations, span_id, me, note=text))
            )
        )
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def set_status(self, document_id: int, status: DocumentStatus) -> None:
        if self.require_annotator():
            self.run(
                SetStatusCommand(self.ws.annotations, document_id, self.settings.annotator, status)
            )

    def set_document_label(self, document_id: int, label: str, given: bool) -> None:
        """Give or take back one of my labels of the whole document (one undoable step)."""
        if self.require_annotator():
            me = self.settings.annotator
            self.run(SetDocumentLabelCommand(self.ws.annotations, document_id, me, label, given))

    # --- annotator ---------------------------------------------------------------------

    def require_annotator(self) -> bool:
        if self.settings.annotator:
            return True
        self.ask_annotator()
        return False

    def ask_annotator(self) -> AnnotatorDialog:
        known = [a.name for a in self.ws.documents.annotators()]
        dlg = AnnotatorDialog(known, self.settings.annotator, self.window)
        dlg.setObjectName("annotatorDialog")
        dlg.accepted.connect(lambda: self.switch_annotator(dlg.name()))
        dlg.finished.connect(lambda _r: self._name_dialog_closed())
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.open()
        return dlg

    def _name_dialog_closed(self) -> None:
        """Back to the text (not the corpus filter), and make a tag that waited for the name."""
        pending, self._after_name = self._after_name, None
        if pending is not None and self.settings.annotator:
            pending()
        elif pending is not None:
            self._status(
                "Not tagged: spans are stored under your name (Ctrl+Shift+A gives it).", 10000
            )
        if self.reading.current is not None:
            self.reading.current.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def switch_annotator(self, name: str) -> None:
        name = name.strip()
        if not name or name == self.settings.annotator:
            return
        before = self.settings.annotator
        self.settings.annotator = name
        self.settings.save()
        # Undo belongs to an annotator: the new one starts on their own history.
        kept = self.undo.active.count()
        stack = self.undo.switch(name)
        for pane in self.reading.panes:
            pane.annotator = name
        self._annotator_shown(name)
        # A tag that waited for the name is made now, on the text still shown and
        # before the panes reload, so that the reload reads it.
        pending, self._after_name = self._after_name, None
        if pending is not None:
            pending()
        n = stack.count()
        steps = f"{n} step(s) of your own to undo" if n else "nothing to undo yet"
        was = f"; {before}'s {kept} step(s) wait for {before}" if before and kept else ""
        self._status(f"Annotating as {name} — {steps}{was}", 8000)
        self._reload()


__all__ = ["TaggingController", "shown_doc_labels"]
