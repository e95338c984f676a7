"""A person's decision on a suggestion, as undoable commands (same shape as ``commands``).

Accept turns the suggested labels into the annotator's own spans with origin
``suggested``; override tags the passage with the label the person chose instead;
reject records that the suggestion was wrong for this passage. Dismissals (reject,
override) live in memory for the session: they only hide a suggestion, and store nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from annotator.core.model import NewSpan, Span, SpanOrigin
from annotator.services.annotations import AnnotationService
from annotator.services.changes import Changes

if TYPE_CHECKING:
    from annotator.services.suggestions import SuggestionService

PassageKey = tuple[int, int, int, str]
"""(document id, start, end, annotator)."""


class Dismissals:
    """Passages whose suggestions a person turned down this session."""

    def __init__(self) -> None:
        self._keys: set[PassageKey] = set()

    def add(self, key: PassageKey) -> None:
        self._keys.add(key)

    def discard(self, key: PassageKey) -> None:
        self._keys.discard(key)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)


@dataclass
class AcceptSuggestionCommand:
    """Tag a passage with its suggested labels (those the annotator has not already)."""

    service: AnnotationService
    document_id: int
    start: int
    end: int
    labels: tuple[str, ...]
    annotator: str
    document_length: int | None = None
    spans: list[Span] = field(default_factory=list, init=False)
    last_edit: tuple[tuple[Span, ...], tuple[Span, ...]] = field(default=((), ()), init=False)
    """(added, removed) spans of the last do or undo, for the views."""

    @property
    def text(self) -> str:
        return f"Accept {', '.join(self.labels)}" if self.labels else "Accept: no label"

    def do(self) -> Changes:
        have = {
            sp.label
            for sp in self.service.spans(self.document_id, annotators=(self.annotator,))
            if (sp.start, sp.end) == (self.start, self.end)
        }
        changes = Changes(document_ids=frozenset({self.document_id}))
        self.spans = []
        for label in self.labels:
            if label in have:
                continue
            span, ch = self.service.add(
                self.document_id,
                start=self.start,
                end=self.end,
                label=label,
                annotator=self.annotator,
                origin=SpanOrigin.SUGGESTED,
                document_length=self.document_length,
            )
            self.spans.append(span)
            changes |= ch
        self.last_edit = (tuple(self.spans), ())
        return changes

    def undo(self) -> Changes:
        changes = Changes(document_ids=frozenset({self.document_id}))
        for span in reversed(self.spans):
            _, ch = self.service.delete(span.id)
            changes |= ch
        self.last_edit = ((), tuple(self.spans))
        self.spans = []
        return changes


@dataclass
class RejectSuggestionCommand:
    """The suggestion is wrong here: hide it for this passage; nothing is stored."""

    dismissals: Dismissals
    document_id: int
    start: int
    end: int
    annotator: str
    _was: bool = field(default=False, init=False)

    @property
    def key(self) -> PassageKey:
        return (self.document_id, self.start, self.end, self.annotator)

    @property
    def text(self) -> str:
        return "Reject suggestion"

    def do(self) -> Changes:
        self._was = self.key in self.dismissals
        self.dismissals.add(self.key)
        return Changes(document_ids=frozenset({self.document_id}))

    def undo(self) -> Changes:
        if not self._was:
            self.dismissals.discard(self.key)
        return Changes(document_ids=frozenset({self.document_id}))


@dataclass
class OverrideSuggestionCommand:
    """A label key instead of the suggestion: the person's label, and the suggestion dismissed."""

    service: AnnotationService
    dismissals: Dismissals
    document_id: int
    start: int
    end: int
    label: str
    annotator: str
    document_length: int | None = None
    span: Span | None = field(default=None, init=False)
    _reject: RejectSuggestionCommand | None = field(default=None, init=False)
    last_edit: tuple[tuple[Span, ...], tuple[Span, ...]] = field(default=((), ()), init=False)

    @property
    def text(self) -> str:
        return f"Tag {self.label} instead"

    def do(self) -> Changes:
        self._reject = RejectSuggestionCommand(
            self.dismissals, self.document_id, self.start, self.end, self.annotator
        )
        changes = self._reject.do()
        self.span, ch = self.service.add(
            self.document_id,
            start=self.start,
            end=self.end,
            label=self.label,
            annotator=self.annotator,
            document_length=self.document_length,
        )
        self.last_edit = ((self.span,), ())
        return changes | ch

    def undo(self) -> Changes:
        assert self.span is not None and self._reject is not None
        _, changes = self.service.delete(self.span.id)
        self.last_edit = ((), (self.span,))
        return changes | self._reject.undo()


@dataclass
class SetRulesCommand:
    """Replace a label's seed rules (the label dialog); undo restores the old rules."""

    service: SuggestionService
    label: str
    rules: str
    before: str | None = field(default=None, init=False)

    @property
    def text(self) -> str:
        return f"Edit rules of {self.label}"

    def do(self) -> Changes:
        self.before, changes = self.service.set_rules(self.label, self.rules)
        return changes

    def undo(self) -> Changes:
        assert self.before is not None
        _, changes = self.service.set_rules(self.label, self.before)
        return changes


@dataclass
class PreAnnotateCommand:
    """Accept every confident suggestion of a document at once: one undo step.

    ``spans``: (start, end, label) to add as the annotator's own, origin ``suggested``; all
    are stored in one transaction, and undo deletes exactly the ones it added.
    """

    service: AnnotationService
    document_id: int
    spans: list[tuple[int, int, str]]
    annotator: str
    added: list[Span] = field(default_factory=list, init=False)
    last_edit: tuple[tuple[Span, ...], tuple[Span, ...]] = field(default=((), ()), init=False)

    @property
    def text(self) -> str:
        return f"Accept {len(self.spans)} confident suggestion(s)"

    def do(self) -> Changes:
        new = [
            NewSpan(s, e, lab, self.annotator, origin=SpanOrigin.SUGGESTED)
            for s, e, lab in self.spans
        ]
        self.added, changes = self.service.add_many(self.document_id, new)
        self.last_edit = (tuple(self.added), ())
        return changes

    def undo(self) -> Changes:
        changes = self.service.delete_many(self.document_id, [sp.id for sp in self.added])
        self.last_edit = ((), tuple(self.added))
        self.added = []
        return changes
