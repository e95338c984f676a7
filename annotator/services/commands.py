"""Every edit as a command with do/undo, written without Qt (as glue does).

The GUI wraps each in a QUndoCommand on its annotator's undo stack. Each step is its
own committed transaction, so undo and redo are persisted at once like any edit.

A span or status command carries ``actor``, the annotator it acts for, and passes it
to the service on do, undo and redo alike: the service refuses a step that would
change anyone else's span, note or status (``NotYoursError``), whatever the stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.core.model import DocumentStatus, Label, Span
from annotator.services.annotations import AnnotationService
from annotator.services.changes import Changes
from annotator.services.labels import LabelService


@dataclass
class AddSpanCommand:
    service: AnnotationService
    document_id: int
    start: int
    end: int
    label: str
    annotator: str
    note: str = ""
    document_length: int | None = None
    """Length of the document's text when the caller has it (skips a read per tag)."""
    span: Span | None = field(default=None, init=False)

    @property
    def text(self) -> str:
        return f"Tag {self.label}"

    def do(self) -> Changes:
        self.span, changes = self.service.add(
            self.document_id,
            start=self.start,
            end=self.end,
            label=self.label,
            annotator=self.annotator,
            note=self.note,
            document_length=self.document_length,
            actor=self.annotator,
        )
        return changes

    def undo(self) -> Changes:
        assert self.span is not None
        _, changes = self.service.delete(self.span.id, actor=self.annotator)
        return changes

    @property
    def actor(self) -> str:
        return self.annotator


@dataclass
class DeleteSpanCommand:
    service: AnnotationService
    span: Span
    actor: str

    @property
    def text(self) -> str:
        return f"Delete {self.span.label}"

    def do(self) -> Changes:
        _, changes = self.service.delete(self.span.id, actor=self.actor)
        return changes

    def undo(self) -> Changes:
        s = self.span
        self.span, changes = self.service.add(
            s.document_id,
            start=s.start,
            end=s.end,
            label=s.label,
            annotator=s.annotator,
            note=s.note,
            origin=s.origin,
            decided_by=s.decided_by,
            actor=self.actor,
            guideline_version=s.guideline_version,
        )
        return changes


@dataclass
class UpdateSpanCommand:
    service: AnnotationService
    span_id: int
    actor: str
    label: str | None = None
    note: str | None = None
    before: Span | None = field(default=None, init=False)

    @property
    def text(self) -> str:
        return "Change label" if self.label is not None else "Edit note"

    def do(self) -> Changes:
        self.before = self.service.get(self.span_id)
        _, changes = self.service.update(
            self.span_id, label=self.label, note=self.note, actor=self.actor
        )
        return changes

    def undo(self) -> Changes:
        assert self.before is not None
        _, changes = self.service.update(
            self.span_id, label=self.before.label, note=self.before.note, actor=self.actor
        )
        return changes


@dataclass
class SetStatusCommand:
    """Mark a document todo / in progress / done for one annotator, remembering the old status."""

    service: AnnotationService
    document_id: int
    annotator: str
    status: DocumentStatus
    before: DocumentStatus | None = field(default=None, init=False)

    @property
    def text(self) -> str:
        return "Mark done" if self.status is DocumentStatus.DONE else f"Mark {self.status.value}"

    def do(self) -> Changes:
        self.before = self.service.status(self.document_id, self.annotator)
        return self.service.set_status(
            self.document_id, self.annotator, self.status, actor=self.annotator
        )

    def undo(self) -> Changes:
        assert self.before is not None
        return self.service.set_status(
            self.document_id, self.annotator, self.before, actor=self.annotator
        )

    @property
    def actor(self) -> str:
        return self.annotator


@dataclass
class SetDocumentLabelCommand:
    """Give or take back one label of the whole document for one annotator; undo does the
    opposite (a step that changed nothing, the label already as asked, undoes nothing)."""

    service: AnnotationService
    document_id: int
    annotator: str
    label: str
    given: bool
    changed: bool = field(default=False, init=False)

    @property
    def text(self) -> str:
        verb = "Give" if self.given else "Take back"
        return f"{verb} document label {self.label}"

    def do(self) -> Changes:
        had = self.label in self.service.document_labels(self.document_id).get(self.annotator, [])
        self.changed = had != self.given
        return self.service.set_document_label(
            self.document_id, self.annotator, self.label, self.given, actor=self.annotator
        )

    def undo(self) -> Changes:
        if not self.changed:
            return Changes()
        return self.service.set_document_label(
            self.document_id, self.annotator, self.label, not self.given, actor=self.annotator
        )

    @property
    def actor(self) -> str:
        return self.annotator


@dataclass
class AddLabelCommand:
    service: LabelService
    name: str
    color: str | None = None
    shortcut: str = ""
    description: str = ""

    @property
    def text(self) -> str:
        return f"Add label {self.name}"

    def do(self) -> Changes:
        label, changes = self.service.add(
            self.name, color=self.color, shortcut=self.shortcut, description=self.description
        )
        self.name, self.color = label.name, label.color  # as stored (trimmed, default colour)
        return changes

    def undo(self) -> Changes:
        _, changes = self.service.remove(self.name)
        return changes


@dataclass
class UpdateLabelCommand:
    """Rename or restyle a label; undo puts every field back as it was."""

    service: LabelService
    name: str
    new_name: str | None = None
    color: str | None = None
    shortcut: str | None = None
    description: str | None = None
    before: Label | None = field(default=None, init=False)
    _current: str = field(default="", init=False)

    @property
    def text(self) -> str:
        return f"Rename label {self.name}" if self.new_name else f"Edit label {self.name}"

    def do(self) -> Changes:
        self.before = self.service.get(self.name)
        after, changes = self.service.update(
            self.name,
            new_name=self.new_name,
            color=self.color,
            shortcut=self.shortcut,
            description=self.description,
        )
        self._current = after.name
        return changes

    def undo(self) -> Changes:
        b = self.before
        assert b is not None
        _, changes = self.service.update(
            self._current,
            new_name=b.name if b.name != self._current else None,
            color=b.color,
            shortcut=b.shortcut,
            description=b.description,
        )
        return changes


@dataclass
class RemoveLabelCommand:
    """Remove an unused label (the service refuses one that spans use); undo adds it back."""

    service: LabelService
    name: str
    before: Label | None = field(default=None, init=False)

    @property
    def text(self) -> str:
        return f"Remove label {self.name}"

    def do(self) -> Changes:
        self.before = self.service.get(self.name)
        _, changes = self.service.remove(self.name)
        return changes

    def undo(self) -> Changes:
        b = self.before
        assert b is not None
        _, changes = self.service.add(
            b.name, color=b.color, shortcut=b.shortcut, description=b.description
        )
        return changes
