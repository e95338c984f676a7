"""Service commands on the QUndoStack. Each do/undo commits at once; the views get an ``Edit``.

A command runs *before* it is pushed (``execute``), so a failed write never lands on
the stack; the stack's first ``redo`` after the push is then skipped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from annotator.core.model import Span
from annotator.services.changes import Changes
from annotator.services.commands import AddSpanCommand, DeleteSpanCommand, UpdateSpanCommand


class ServiceCommand(Protocol):
    @property
    def text(self) -> str: ...
    def do(self) -> Changes: ...
    def undo(self) -> Changes: ...


@dataclass(frozen=True)
class Edit:
    """What one step changed: the Changes flags, and spans to add to or remove from views."""

    changes: Changes
    added: tuple[Span, ...] = ()
    removed: tuple[Span, ...] = ()


def _run(command: ServiceCommand, forward: bool) -> Edit:
    """Run one direction of a command and say which spans appeared and disappeared."""
    if isinstance(command, AddSpanCommand):
        if forward:
            changes = command.do()
            return Edit(changes, added=(command.span,) if command.span else ())
        gone = command.span
        changes = command.undo()
        return Edit(changes, removed=(gone,) if gone else ())
    if isinstance(command, DeleteSpanCommand):
        if forward:
            gone = command.span
            return Edit(command.do(), removed=(gone,))
        changes = command.undo()
        return Edit(changes, added=(command.span,))
    if isinstance(command, UpdateSpanCommand):
        if forward:
            changes = command.do()
            before = command.before
            assert before is not None
            after = dataclasses.replace(
                before,
                label=before.label if command.label is None else command.label,
                note=before.note if command.note is None else command.note,
            )
            return Edit(changes, added=(after,), removed=(before,))
        before = command.before
        assert before is not None
        changes = command.undo()
        current = dataclasses.replace(
            before,
            label=before.label if command.label is None else command.label,
            note=before.note if command.note is None else command.note,
        )
        return Edit(changes, added=(before,), removed=(current,))
    changes = command.do() if forward else command.undo()
    # Commands that touch several spans (accepting a suggestion) report them themselves.
    added, removed = getattr(command, "last_edit", ((), ()))
    return Edit(changes, added=tuple(added), removed=tuple(removed))


class UndoableCommand(QUndoCommand):
    def __init__(
        self,
        command: ServiceCommand,
        apply: Callable[[Edit], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        super().__init__(command.text)
        self.command = command
        self._apply = apply
        self._on_error = on_error
        self._skip_redo = True

    def redo(self) -> None:
        if self._skip_redo:  # executed before the push
            self._skip_redo = False
            return
        self._step(forward=True)

    def undo(self) -> None:
        self._step(forward=False)

    def _step(self, *, forward: bool) -> None:
        try:
            edit = _run(self.command, forward)
        except Exception as exc:
            # The database refused (a concurrent change, a busy file): drop this step
            # rather than leave the stack believing something that is not stored.
            self.setObsolete(True)
            self._on_error(exc)
            return
        self._apply(edit)


def execute(
    command: ServiceCommand,
    apply: Callable[[Edit], None],
    on_error: Callable[[Exception], None],
    *,
    later_errors: Callable[[Exception], None] | None = None,
) -> UndoableCommand | None:
    """Run ``command`` now; return the undo step to push, or None when it failed.

    ``on_error`` hears of a failure now; ``later_errors`` (default: the same) of a failed
    undo or redo later, when whoever ran it (a dialog) may be gone.
    """
    try:
        edit = _run(command, True)
    except Exception as exc:
        on_error(exc)
        return None
    apply(edit)
    return UndoableCommand(command, apply, later_errors or on_error)
