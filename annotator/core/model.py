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

    def text_in(self, text: str) -> str:
        return text[self.start : self.end]

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


class ChangeKind(str, enum.Enum):  # noqa: UP042 - keep str() of members
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class SpanChange:
    """One committed change to a span, by anyone: an entry of the live change feed.

    ``seq`` increases with each change; a deleted span keeps its id and document here.
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
