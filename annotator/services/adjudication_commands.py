"""Adjudication actions as do/undo commands without Qt, like :mod:`annotator.services.commands`.

The adjudication panel wraps each in a QUndoCommand on the main window's undo stack. ``do``
may run again after ``undo`` (redo): it repeats the action and keeps the new resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from annotator.agreement import SpanTuple
from annotator.services.adjudication import AdjudicationService, Disagreement, Resolution
from annotator.services.changes import Changes

Action = Literal["accept", "both", "neither", "edit"]


@dataclass
class AdjudicateCommand:
    """One decision on one item: accept an annotator's version, both, neither, or edit."""

    service: AdjudicationService
    item: Disagreement
    action: Action
    decided_by: str
    annotator: str = ""
    """Whose version ``accept`` takes."""
    edit: SpanTuple | None = None
    """The gold span ``edit`` draws."""
    resolution: Resolution | None = field(default=None, init=False)

    @property
    def text(self) -> str:
        if self.action == "accept":
            return f"Accept {self.annotator}'s span"
        if self.action == "edit" and self.edit is not None:
            return f"Gold {self.edit[2]} [{self.edit[0]}, {self.edit[1]})"
        return {"both": "Accept both", "neither": "Accept neither"}.get(self.action, self.action)

    def do(self) -> Changes:
        svc, item, by = self.service, self.item, self.decided_by
        if self.action == "accept":
            self.resolution = svc.accept(item, self.annotator, decided_by=by)
        elif self.action == "both":
            self.resolution = svc.accept_all(item, decided_by=by)
        elif self.action == "neither":
            self.resolution = svc.reject_all(item, decided_by=by)
        elif self.action == "edit":
            if self.edit is None:
                raise ValueError("an edit needs the gold span")
            start, end, label = self.edit
            self.resolution = svc.edit(item, start=start, end=end, label=label, decided_by=by)
        else:
            raise ValueError(f"unknown adjudication action {self.action!r}")
        return self.resolution.changes

    def undo(self) -> Changes:
        assert self.resolution is not None
        return self.service.undo(self.resolution)


@dataclass
class MergeUnanimousCommand:
    service: AdjudicationService
    annotators: tuple[str, ...]
    decided_by: str
    document_ids: tuple[int, ...] = ()
    resolution: Resolution | None = field(default=None, init=False)

    @property
    def text(self) -> str:
        return "Merge unanimous spans into gold"

    def do(self) -> Changes:
        self.resolution = self.service.merge_unanimous(
            annotators=self.annotators, decided_by=self.decided_by, document_ids=self.document_ids
        )
        return self.resolution.changes

    def undo(self) -> Changes:
        assert self.resolution is not None
        return self.service.undo(self.resolution)
