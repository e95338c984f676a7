"""Service commands on the QUndoStack. Each do/undo commits at once; the views get an ``Edit``.

A command runs *before* it is pushed (``execute``), so a failed write never lands on
the stack; the stack's first ``redo`` after the push is then skipped.

Undo belongs to an annotator: the main window keeps one stack per annotator (see
``UndoHistories``), a step's text names whose it is ("Tag MILITARY (maria)"), and a
step asked to run while someone else is annotating refuses instead (``current_actor``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from annotator.core.errors import NotYoursError
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


def actor_of(command: object) -> str | None:
    """The annotator a command acts for (None: a shared edit, such as the label set)."""
    actor = getattr(command, "actor", None)
    return actor if isinstance(actor, str) else None


def step_text(command: ServiceCommand) -> str:
    """The menu's words for a step: whose it is, when it is someone's."""
    actor = actor_of(command)
    return f"{command.text} ({actor})" if actor else command.text


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
        current_actor: Callable[[], str] | None = None,
    ) -> None:
        super().__init__(step_text(command))
        self.command = command
        self._apply = apply
        self._on_error = on_error
        self._current_actor = current_actor
        self._skip_redo = True

    def redo(self) -> None:
        if self._skip_redo:  # executed before the push
            self._skip_redo = False
            return
        self._step(forward=True)

    def undo(self) -> None:
        self._step(forward=False)

    def _step(self, *, forward: bool) -> None:
        actor = actor_of(self.command)
        now = self._current_actor() if self._current_actor is not None else None
        if actor is not None and now is not None and actor != now:
            # Never reached through the window (each annotator has a stack of their own);
            # a stack driven from elsewhere still cannot touch someone else's work.
            self.setObsolete(True)
            self._on_error(
                NotYoursError(
                    f"Not changed: “{self.command.text}” is {actor}'s step, "
                    f"and {now} is annotating now."
                )
            )
            return
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
    current_actor: Callable[[], str] | None = None,
) -> UndoableCommand | None:
    """Run ``command`` now; return the undo step to push, or None when it failed.

    ``on_error`` hears of a failure now; ``later_errors`` (default: the same) of a failed
    undo or redo later, when whoever ran it (a dialog) may be gone. ``current_actor``
    says who annotates now: a step of anyone else's is refused, now and later.
    """
    actor = actor_of(command)
    now = current_actor() if current_actor is not None else None
    if actor is not None and now is not None and actor != now:
        on_error(NotYoursError(f"Not changed: this step is {actor}'s, and {now} is annotating."))
        return None
    try:
        edit = _run(command, True)
    except Exception as exc:
        on_error(exc)
        return None
    apply(edit)
    return UndoableCommand(command, apply, later_errors or on_error, current_actor)


class UndoHistories:
    """One undo stack per annotator, in a group whose active stack is the current one's.

    Switching annotator switches history: Ctrl+Z then walks back only the new
    annotator's own steps, and the other's wait, untouched, for their return.
    """

    def __init__(self, parent: QObject) -> None:
        self._parent = parent
        self.group = QUndoGroup(parent)
        self._stacks: dict[str, QUndoStack] = {}

    def stack_for(self, annotator: str) -> QUndoStack:
        stack = self._stacks.get(annotator)
        if stack is None:
            stack = QUndoStack(self._parent)
            stack.setObjectName(f"undo_{annotator}")
            self.group.addStack(stack)
            self._stacks[annotator] = stack
        return stack

    def switch(self, annotator: str) -> QUndoStack:
        stack = self.stack_for(annotator)
        self.group.setActiveStack(stack)
        return stack

    @property
    def active(self) -> QUndoStack:
        stack = self.group.activeStack()
        assert stack is not None, "switch() sets an active stack before any edit"
        return stack
