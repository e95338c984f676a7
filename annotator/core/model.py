"""Plain value objects handed between layers. ORM rows never leave storage; these do."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from annotator.core.judgement import NewJudgement

GOLD_ANNOTATOR = "gold"
"""Name of the adjudicated layer; it is an annotator like any other so it exports like one."""


class AnnotatorKind(str, enum.Enum):  # noqa: UP042 - keep str() of members
    HUMAN = "human"
    GOLD = "gold"


class SpanOrigin(str, enum.Enum):  # noqa: UP042 - keep str() of members
    MANUAL = "manual"
    IMPORTED = "imported"
    UNANIMOUS = "unanimous"
    ADJUDICATED = "adjudicated"
    SUGGESTED = "suggested"
    """A suggestion the annotator accepted: their own span, marked as suggested-then-accepted."""
    PREDICTED = "predicted"
    """An imported prediction (a model's, e.g. Label Studio ``predictions``) the annotator
    accepted: their own span, marked as predicted-then-accepted."""


class GuidelineStamp(enum.Enum):
    """Which guideline version a new span records, when it does not say one itself."""

    CURRENT = "current"
    """The project guideline's version in force when the span is stored (None if no
    guideline has been set): every span made in the app or imported without a version."""


CURRENT_GUIDELINE = GuidelineStamp.CURRENT


class DocumentStatus(str, enum.Enum):  # noqa: UP042 - keep str() of members
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    color: str = "#888888"
    shortcut: str = ""
    description: str = ""
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Annotator:
    name: str
    kind: AnnotatorKind = AnnotatorKind.HUMAN
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A stored document. ``text`` is the normalised reading text all offsets point into."""

    text: str
    title: str = ""
    source: str = ""
    author: str = ""
    url: str = ""
    published: dt.date | None = None
    content_hash: str = ""
    source_path: str = ""
    source_sha256: str = ""
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    id: int | None = None
    external_id: str = ""

    @property
    def length(self) -> int:
        return len(self.text)


@dataclass(frozen=True, slots=True)
class NewSpan:
    """A span as it comes in from a user or a file, before it has an id."""

    start: int
    end: int
    label: str
    annotator: str
    note: str = ""
    origin: SpanOrigin = SpanOrigin.MANUAL
    decided_by: str = ""
    guideline_version: int | GuidelineStamp | None = CURRENT_GUIDELINE
    """The guideline version the span was made under: by default the one in force when it
    is stored; a number or None (made under no recorded version) keeps what a file or an
    undo says."""


@dataclass(frozen=True, slots=True)
class NewPrediction:
    """A model's span read from a file (Label Studio ``predictions``): a suggestion, never
    anyone's label. ``score`` is the model's confidence when the file gives one."""

    start: int
    end: int
    label: str
    score: float | None = None
    model_version: str = ""


@dataclass(frozen=True, slots=True)
class Prediction:
    """A stored prediction (schema 0015) of a document: shown as a suggestion, accepted
    only by a person (then it becomes their span, origin ``predicted``)."""

    id: int
    document_id: int
    start: int
    end: int
    label: str
    score: float | None = None
    model_version: str = ""
    imported_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Guideline:
    """One version of the project guideline (Markdown: each label's definition, examples)."""

    version: int
    text: str
    author: str = ""
    created_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled range ``[start, end)`` in code points of its document's text."""

    id: int
    document_id: int
    start: int
    end: int
    label: str
    annotator: str
    note: str = ""
    origin: SpanOrigin = SpanOrigin.MANUAL
    decided_by: str = ""
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    guideline_version: int | None = None
    """The guideline version in force when the span was made; None for spans made before
    versions were recorded (schema 0010) or while no guideline was set."""

    def text_in(self, text: str) -> str:
        return text[self.start : self.end]

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


class ChangeKind(str, enum.Enum):  # noqa: UP042 - keep str() of members
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    REFRESH = "refresh"
    """Not a span change: the feed lost track of some changes (a gap too wide to keep
    watching) and views should reload what they show. Its ``document_id`` is 0."""
    HIDDEN = "hidden"
    """Not delivered: a change blind mode hides from the login (a teammate's, on an overlap
    document not yet done). The team server hands the feed its number only, so the feed
    moves past it instead of watching it as a gap; its ``document_id`` is 0."""
    DOCUMENT_LABELS = "doclabel"
    """Not a span change: a label of the whole document was added or taken back (schema
    0017). ``document_id`` and ``annotator`` are the label's; ``span_id`` is the id of its
    document-label row, no span's. Views reload that document's labels, not its spans."""

    @property
    def is_span(self) -> bool:
        """True for the changes of a span (insert, update, delete)."""
        return self in (ChangeKind.INSERT, ChangeKind.UPDATE, ChangeKind.DELETE)


SPAN_CHANGE_OPS = ("insert", "update", "delete")
"""The ``op`` values of the change log that name a span (the rest do not)."""


@dataclass(frozen=True, slots=True)
class SpanChange:
    """One committed change to a span, by anyone: an entry of the live change feed.

    ``seq`` increases with each change; a deleted span keeps its id and document here.
    Not every entry is a span's: ``kind`` ``DOCUMENT_LABELS`` is a label of the whole
    document and ``REFRESH`` is the feed's own; check ``kind.is_span`` before taking
    ``span_id`` for a span.
    """

    seq: int
    kind: ChangeKind
    span_id: int
    document_id: int
    annotator: str
    changed_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class AnnotatedDocument:
    """What formats read and write: one document with the spans that go with it."""

    document: Document
    spans: tuple[NewSpan, ...] = ()
    line: int = 0
    """Line of the source file the record starts on (0 when the format has no lines)."""
    status: dict[str, DocumentStatus] = field(default_factory=dict, hash=False, compare=False)
    """Per-annotator document status the file carries (native JSONL), set on import."""
    judgements: tuple[NewJudgement, ...] = field(default=(), hash=False, compare=False)
    """Passages judged "no label", rejected or skipped, per annotator (native JSONL)."""
    doc_labels: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    """Per-annotator labels of the whole document (Prodigy textcat, Label Studio choices,
    native JSONL ``doc_labels``), stored on import."""
    predictions: tuple[NewPrediction, ...] = field(default=(), hash=False, compare=False)
    """A model's spans the file carries (Label Studio ``predictions``): stored as
    suggestions of the document (table ``predictions``), never as an annotator's spans."""


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """A document without its text, for lists: cheap to load for a whole corpus."""

    id: int
    title: str
    source: str
    author: str
    url: str
    published: dt.date | None
    length: int
    content_hash: str
    span_counts: dict[str, int] = field(default_factory=dict, hash=False, compare=False)
    status: dict[str, DocumentStatus] = field(default_factory=dict, hash=False, compare=False)

    def status_for(self, annotator: str) -> DocumentStatus:
        return self.status.get(annotator, DocumentStatus.TODO)


@dataclass(frozen=True, slots=True)
class SpanFilter:
    """Which spans an export or comparison takes; empty tuples mean all."""

    annotators: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    document_ids: tuple[int, ...] = ()
    only_done: bool = False
