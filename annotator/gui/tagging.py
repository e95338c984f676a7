"""Tagging commands of the main window: every edit goes through ``run`` onto the undo stack."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from annotator.core.model import DocumentStatus
from annotator.gui.dialogs.annotator_dialog import AnnotatorDialog
from annotator.gui.messages import show_error
from annotator.gui.undo import ServiceCommand, execute
from annotator.services.commands import (
    AddSpanCommand,
    DeleteSpanCommand,
    SetStatusCommand,
    UpdateSpanCommand,
)


class TaggingMixin:
    """Mixed into MainWindow (which provides ws, settings, undo_stack, reading, apply_edit)."""

    def run(self, command: ServiceCommand, on_error=None) -> bool:
        """Run an edit now and put it on the undo stack; False (and nothing stacked) on failure."""
        step = execute(
            command,
            self.apply_edit,
            on_error or self._edit_failed,
            later_errors=self._edit_failed,
        )
        if step is None:
            return False
        self.undo_stack.push(step)
        return True

    def _edit_failed(self, exc: Exception) -> None:
        show_error(self, "Not saved", f"The change could not be stored: {exc}")

    def _find_span(self, span_id: int):
        for pane in self.reading.panes:
            if span_id in pane.spans:
                return pane.spans[span_id]
        return None

    def _own_span(self, span_id: int, verb: str):
        """The span if it is mine; others' spans are read-only overlays (say so, return None)."""
        span = self._find_span(span_id)
        if span is not None and span.annotator != self.settings.annotator:
            self.statusBar().showMessage(
                f"That span is {span.annotator}'s: only your own spans can be {verb}.", 5000
            )
            return None
        return span

    def tag(self, document_id: int, start: int, end: int, label: str) -> None:
        """Add a span; the same label on the same range again removes it (a toggle)."""
        if not self.settings.annotator:
            # Not lost: the tag is made as soon as the name is given.
            self._after_name = lambda: self.tag(document_id, start, end, label)
            self.ask_annotator()
            return
        me = self.settings.annotator
        for pane in self.reading.panes_showing(document_id)[:1]:
            same = pane.find_span(start, end, label, me)
            if same is not None:
                self.run(DeleteSpanCommand(self.ws.annotations, same))
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
                self.statusBar().showMessage(f"That text already carries {label}.", 5000)
                return
        self.run(UpdateSpanCommand(self.ws.annotations, span_id, label=label))

    def delete_span(self, span_id: int) -> None:
        span = self._own_span(span_id, "deleted")
        if span is not None:
            self.run(DeleteSpanCommand(self.ws.annotations, span))

    def edit_note(self, span_id: int) -> QInputDialog | None:
        span = self._own_span(span_id, "given a note")
        if span is None:
            return None
        dlg = QInputDialog(self)
        dlg.setObjectName("noteDialog")
        dlg.setWindowTitle("Note")
        dlg.setLabelText(f"Note on this {span.label} span:")
        dlg.setTextValue(span.note)
        dlg.textValueSelected.connect(
            lambda text: (
                text != span.note
                and self.run(UpdateSpanCommand(self.ws.annotations, span_id, note=text))
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

    # --- annotator ---------------------------------------------------------------------

    def require_annotator(self) -> bool:
        if self.settings.annotator:
            return True
        self.ask_annotator()
        return False

    def ask_annotator(self) -> AnnotatorDialog:
        known = [a.name for a in self.ws.documents.annotators()]
        dlg = AnnotatorDialog(known, self.settings.annotator, self)
        dlg.setObjectName("annotatorDialog")
        dlg.accepted.connect(lambda: self.switch_annotator(dlg.name()))
        dlg.finished.connect(lambda _r: self._name_dialog_closed())
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.open()
        return dlg

    def _name_dialog_closed(self) -> None:
        """Back to the text (not the corpus filter), and make a tag that waited for the name."""
        pending, self._after_name = getattr(self, "_after_name", None), None
        if pending is not None and self.settings.annotator:
            pending()
        if self.reading.current is not None:
            self.reading.current.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def switch_annotator(self, name: str) -> None:
        name = name.strip()
        if not name or name == self.settings.annotator:
            return
        self.settings.annotator = name
        self.settings.save()
        self.doc_model.set_annotator(name)
        for pane in self.reading.panes:
            pane.annotator = name
        self._show_annotator()
        study = getattr(self, "study", None)
        if study is not None:
            study.refresh()  # my queue's counts and what blind mode hides from me
        self.statusBar().showMessage(f"Annotating as {name}", 5000)
        self.reload_panes()


__all__ = ["TaggingMixin"]
