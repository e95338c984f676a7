"""A person's decision on a suggestion, as undoable commands (same shape as ``commands``).

Accept turns the suggested labels into the annotator's own spans with origin
``suggested``; override tags the passage with the label the person chose instead;
reject records that the suggestion was wrong for this passage. A rejection, and a
passage walked past with no label (``JudgeCommand``), is a stored judgement of that
annotator (``services.judgements``): a negative example for training, kept across
restarts, and taken back by undo. ``Dismissals`` is the window's view of the rejections,
read from the database per document and kept in step by the commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from annotator.core.judgement import Judgement
from annotator.core.model import NewSpan, Span, SpanOrigin
from annotator.services.annotations import AnnotationService
from annotator.services.changes import Changes

if TYPE_CHECKING:
    from annotator.services.judgements import JudgementService
    from annotator.services.suggestions import SuggestionService

PassageKey = tuple[int, int, int, str]
"""(document id, start, end, annotator)."""


class Dismissals:
    """Passages whose suggestions a person turned down.

    With a ``JudgementService`` each rejection is stored (a judgement of that annotator) and
    the stored ones are read once per document and annotator; without one (scripts that
    replay a session) they live in memory only.
    """

    def __init__(self, judgements: JudgementService | None = None) -> None:
        self.judgements = judgements
        self._keys: set[PassageKey] = set()
        self._loaded: set[tuple[int, str]] = set()

    def _load(self, document_id: int, annotator: str) -> None:
        if self.judgements is None or (document_id, annotator) in self._loaded:
            return
        self._loaded.add((document_id, annotator))
        for start, end in self.judgements.rejected(document_id, annotator):
            self._keys.add((document_id, start, end, annotator))

    def reject(self, key: PassageKey, labels: tuple[str, ...]) -> list[Judgement]:
        """Record a rejection (stored when there is a service); returns the rows added."""
        doc, start, end, who = key
        self._load(doc, who)
        added: list[Judgement] = []
        if self.judgements is not None and labels:
            added, _ch = self.judgements.reject(doc, start, end, who, labels)
        self._keys.add(key)
        return added

    def take_back(self, key: PassageKey, added: list[Judgement], *, was: bool) -> None:
        """Undo a rejection: remove the rows it added; the passage stays dismissed when it
        was before (an earlier rejection of it is still stored)."""
        if self.judgements is not None and added:
            self.judgements.remove(added)
        if not was:
            self._keys.discard(key)

    def add(self, key: PassageKey) -> None:
        self._keys.add(key)

    def discard(self, key: PassageKey) -> None:
        self._keys.discard(key)

    def forget(self) -> None:
        """Read the stored rejections again (another annotator, another database)."""
        self._keys.clear()
        self._loaded.clear()

    def __contains__(self, key: object) -> bool:
        if isinstance(key, tuple) and len(key) == 4:
            self._load(key[0], key[3])
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)


@dataclass
class JudgeCommand:
    """The annotator judged a passage "no label" (walked past it, or agreed with a "no label"
    suggestion): a negative example of theirs. Undo takes back only what this step stored
    (a judgement made before stays)."""

    service: JudgementService
    document_id: int
    start: int
    end: int
    annotator: str
    added: list[Judgement] = field(default_factory=list, init=False)

    @property
    def actor(self) -> str:
        return self.annotator

    @property
    def text(self) -> str:
        return "No label here"

    def do(self) -> Changes:
        self.added, changes = self.service.judge_none(
            self.document_id, self.start, self.end, self.annotator
        )
        return changes

    def undo(self) -> Changes:
        changes = self.service.remove(self.added)
        self.added = []
        return changes


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
    def actor(self) -> str:
        return self.annotator

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
                actor=self.annotator,
            )
            self.spans.append(span)
            changes |= ch
        self.last_edit = (tuple(self.spans), ())
        return changes

    def undo(self) -> Changes:
        changes = Changes(document_ids=frozenset({self.document_id}))
        for span in reversed(self.spans):
            _, ch = self.service.delete(span.id, actor=self.annotator)
            changes |= ch
        self.last_edit = ((), tuple(self.spans))
        self.spans = []
        return changes


@dataclass
class RejectSuggestionCommand:
    """The suggestion of ``labels`` is wrong here: hidden for this passage and, when the
    dismissals have a judgement service, stored as the annotator's rejection."""

    dismissals: Dismissals
    document_id: int
    start: int
    end: int
    annotator: str
    labels: tuple[str, ...] = ()
    _was: bool = field(default=False, init=False)
    _added: list[Judgement] = field(default_factory=list, init=False)

    @property
    def key(self) -> PassageKey:
        return (self.document_id, self.start, self.end, self.annotator)

    @property
    def actor(self) -> str:
        return self.annotator

    @property
    def text(self) -> str:
        return f"Reject {', '.join(self.labels)}" if self.labels else "Reject suggestion"

    def do(self) -> Changes:
        self._was = self.key in self.dismissals
        self._added = self.dismissals.reject(self.key, self.labels)
        return Changes(document_ids=frozenset({self.document_id}))

    def undo(self) -> Changes:
        self.dismissals.take_back(self.key, self._added, was=self._was)
        self._added = []
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
    rejected: tuple[str, ...] = ()
    """The suggested labels turned down (stored as rejections, except ``label`` itself)."""
    span: Span | None = field(default=None, init=False)
    _reject: RejectSuggestionCommand | None = field(default=None, init=False)
    last_edit: tuple[tuple[Span, ...], tuple[Span, ...]] = field(default=((), ()), init=False)

    @property
    def actor(self) -> str:
        return self.annotator

    @property
    def text(self) -> str:
        return f"Tag {self.label} instead"

    def do(self) -> Changes:
        self._reject = RejectSuggestionCommand(
            self.dismissals,
            self.document_id,
            self.start,
            self.end,
            self.annotator,
            tuple(lab for lab in self.rejected if lab != self.label),
        )
        changes = self._reject.do()
        try:
            self.span, ch = self.service.add(
                self.document_id,
                start=self.start,
                end=self.end,
                label=self.label,
                annotator=self.annotator,
                document_length=self.document_length,
                actor=self.annotator,
            )
        except Exception:
            self._reject.undo()  # nothing of a failed step stays stored
            raise
        self.last_edit = ((self.span,), ())
        return changes | ch

    def undo(self) -> Changes:
        assert self.span is not None and self._reject is not None
        _, changes = self.service.delete(self.span.id, actor=self.annotator)
        self.last_edit = ((), (self.span,))
        return changes | self._reject.undo()


@dataclass
class RejectPredictionsCommand:
    """Turn down imported predictions: each is stored as the annotator's rejection of its
    label on its range (as a rejected suggestion is); undo takes back only what it stored."""

    dismissals: Dismissals
    document_id: int
    spans: list[tuple[int, int, str]]
    annotator: str
    _steps: list[RejectSuggestionCommand] = field(default_factory=list, init=False)

    @property
    def actor(self) -> str:
        return self.annotator

    @property
    def text(self) -> str:
        labels = ", ".join(dict.fromkeys(lab for _s, _e, lab in self.spans))
        return f"Reject predicted {labels}"

    def do(self) -> Changes:
        changes = Changes(document_ids=frozenset({self.document_id}))
        self._steps = []
        by_range: dict[tuple[int, int], list[str]] = {}
        for s, e, lab in self.spans:
            by_range.setdefault((s, e), []).append(lab)
        for (s, e), labels in by_range.items():
            step = RejectSuggestionCommand(
                self.dismissals, self.document_id, s, e, self.annotator, tuple(labels)
            )
            changes |= step.do()
            self._steps.append(step)
        return changes

    def undo(self) -> Changes:
        changes = Changes(document_ids=frozenset({self.document_id}))
        for step in reversed(self._steps):
            changes |= step.undo()
        self._steps = []
        return changes


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

    origin: ClassVar[SpanOrigin] = SpanOrigin.SUGGESTED

    @property
    def actor(self) -> str:
        return self.annotator

    @property
    def text(self) -> str:
        return f"Accept {len(self.spans)} confident suggestion(s)"

    def do(self) -> Changes:
        new = [NewSpan(s, e, lab, self.annotator, origin=self.origin) for s, e, lab in self.spans]
        self.added, changes = self.service.add_many(self.document_id, new, actor=self.annotator)
        self.last_edit = (tuple(self.added), ())
        return changes

    def undo(self) -> Changes:
        changes = _delete_added(self.service, self.document_id, self.added)
        self.last_edit = ((), tuple(self.added))
        self.added = []
        return changes


@dataclass
class AcceptPredictionsCommand(PreAnnotateCommand):
    """Accept imported predictions (a model's spans, schema 0015): each becomes the
    annotator's own span at the prediction's range, origin ``predicted``; one undo step."""

    origin: ClassVar[SpanOrigin] = SpanOrigin.PREDICTED

    @property
    def text(self) -> str:
        labels = ", ".join(dict.fromkeys(lab for _s, _e, lab in self.spans))
        return f"Accept predicted {labels}"


@dataclass
class AcceptAllCommand:
    """Accept every suggestion of a document at once, to read and fix after: the shown
    labels become the annotator's spans (origin ``suggested``) and the passages with
    nothing suggested are judged "no label". One undo step: undo deletes exactly the spans
    and judgements it added; a failure stores nothing of it."""

    annotations: AnnotationService
    judgements: JudgementService
    document_id: int
    spans: list[tuple[int, int, str]]
    none: list[tuple[int, int]]
    annotator: str
    added: list[Span] = field(default_factory=list, init=False)
    judged: list[Judgement] = field(default_factory=list, init=False)
    last_edit: tuple[tuple[Span, ...], tuple[Span, ...]] = field(default=((), ()), init=False)

    @property
    def actor(self) -> str:
        return self.annotator

    @property
    def text(self) -> str:
        n = len({(s, e) for s, e, _lab in self.spans})
        return f"Accept all suggestions ({n} tagged, {len(self.none)} no label)"

    def do(self) -> Changes:
        changes = Changes(document_ids=frozenset({self.document_id}))
        if self.spans:
            new = [
                NewSpan(s, e, lab, self.annotator, origin=SpanOrigin.SUGGESTED)
                for s, e, lab in self.spans
            ]
            self.added, ch = self.annotations.add_many(self.document_id, new, actor=self.annotator)
            changes |= ch
        try:
            self.judged, ch = self.judgements.add(
                Judgement(self.document_id, s, e, self.annotator) for s, e in self.none
            )
        except Exception:
            if self.added:  # nothing of a failed step stays stored
                self.annotations.delete_many(
                    self.document_id, [sp.id for sp in self.added], actor=self.annotator
                )
                self.added = []
            raise
        self.last_edit = (tuple(self.added), ())
        return changes | ch

    def undo(self) -> Changes:
        changes = Changes(document_ids=frozenset({self.document_id}))
        if self.judged:
            changes |= self.judgements.remove(self.judged)
        if self.added:
            changes |= _delete_added(self.annotations, self.document_id, self.added)
        self.last_edit = ((), tuple(self.added))
        self.added, self.judged = [], []
        return changes


def _delete_added(service: AnnotationService, document_id: int, added: list[Span]) -> Changes:
    """Delete the spans a step added, found by what they are (range, label, annotator), not
    by id: a later step deleted and its undo put back may have given one a new id."""
    keys = {(sp.start, sp.end, sp.label, sp.annotator) for sp in added}
    whose = tuple({sp.annotator for sp in added})
    ids = [
        sp.id
        for sp in service.spans(document_id, annotators=whose)
        if (sp.start, sp.end, sp.label, sp.annotator) in keys
    ]
    return service.delete_many(document_id, ids, actor=whose[0] if len(whose) == 1 else None)
