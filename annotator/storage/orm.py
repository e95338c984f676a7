"""The ORM schema. Rows never leave this package: ``convert.py`` turns them into core objects."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names: SQLite batch migrations recreate tables and need them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Ids are 64-bit on PostgreSQL (migration 0011); on SQLite an INTEGER PRIMARY KEY is the
# 64-bit rowid already, and BIGINT there would lose the rowid alias.
Id = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DocumentRow(Base):
    __tablename__ = "documents"
    # Columns stored after the text (length, content_hash), read without it: on SQLite a
    # long text spills into overflow pages that a plain scan reads to reach them (schema 0013).
    __table_args__ = (Index("ix_documents_sizes", "id", "length", "content_hash"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source_path: Mapped[str] = mapped_column(Text, default="")
    source_sha256: Mapped[str] = mapped_column(String(64), default="")
    meta: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    spans: Mapped[list[SpanRow]] = relationship(
        back_populates="document", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class LabelRow(Base):
    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    color: Mapped[str] = mapped_column(String(20), default="#888888")
    shortcut: Mapped[str] = mapped_column(String(20), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    rules: Mapped[str] = mapped_column(Text, default="", server_default="")
    """Seed rules for suggestions, one a line (schema 0004)."""


class AnnotatorRow(Base):
    __tablename__ = "annotators"
    __table_args__ = (Index("ix_annotators_role_name", "role_name", unique=True),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="human")
    role_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    """The database role that may write this annotator's spans (team server only)."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SpanRow(Base):
    __tablename__ = "spans"
    __table_args__ = (
        UniqueConstraint("document_id", "annotator_id", "label_id", "start", "end"),
        CheckConstraint('"start" >= 0 AND "end" > "start"', name="range"),
        Index("ix_spans_document_annotator", "document_id", "annotator_id"),
        Index("ix_spans_label_annotator", "label_id", "annotator_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    document_id: Mapped[int] = mapped_column(Id, ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(Id, ForeignKey("annotators.id", ondelete="RESTRICT"))
    label_id: Mapped[int] = mapped_column(Id, ForeignKey("labels.id", ondelete="RESTRICT"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(20), default="manual")
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    guideline_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The project guideline's version in force when the span was made (schema 0010);
    NULL for older spans and for spans made while no guideline was set."""

    document: Mapped[DocumentRow] = relationship(back_populates="spans", lazy="raise")
    annotator: Mapped[AnnotatorRow] = relationship(lazy="raise")
    label: Mapped[LabelRow] = relationship(lazy="raise")


class GuidelineRow(Base):
    """One version of the project guideline (schema 0010). Versions are only ever added:
    setting a guideline stores the next number, and spans record the one in force."""

    __tablename__ = "guidelines"
    __table_args__ = (CheckConstraint("version >= 1", name="version"),)

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DocumentStatusRow(Base):
    __tablename__ = "document_status"

    document_id: Mapped[int] = mapped_column(
        Id, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    annotator_id: Mapped[int] = mapped_column(
        Id, ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20), default="todo")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class JudgementRow(Base):
    """An annotator's "no label here" on a passage, or a suggestion they rejected (schema 0008).

    Only a judged passage is a negative example: an untagged passage of a document not
    marked done is unlabelled. ``label`` is the rejected label (empty for ``none``).
    """

    __tablename__ = "judgements"
    __table_args__ = (
        UniqueConstraint("document_id", "annotator_id", "start", "end", "kind", "label"),
        CheckConstraint('"start" >= 0 AND "end" > "start"', name="range"),
        Index("ix_judgements_annotator_document", "annotator_id", "document_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    document_id: Mapped[int] = mapped_column(Id, ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(Id, ForeignKey("annotators.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DocumentLabelRow(Base):
    """A label one annotator gave a whole document (schema 0012): Prodigy textcat answers,
    Label Studio choices, native JSONL ``doc_labels``."""

    __tablename__ = "document_labels"
    __table_args__ = (UniqueConstraint("document_id", "annotator_id", "label_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    """A row id of its own, so that an import's journal can name the rows it added."""
    document_id: Mapped[int] = mapped_column(Id, ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(Id, ForeignKey("annotators.id", ondelete="CASCADE"))
    label_id: Mapped[int] = mapped_column(Id, ForeignKey("labels.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PredictionRow(Base):
    """A model's span of a document read from a file (schema 0015): Label Studio
    ``predictions``. A suggestion, no one's label: shown in the suggestions pane, and a
    person's accept makes it their span (origin ``predicted``)."""

    __tablename__ = "predictions"
    __table_args__ = (
        UniqueConstraint("document_id", "label_id", "start", "end", "model_version"),
        CheckConstraint('"start" >= 0 AND "end" > "start"', name="range"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    """A row id of its own, so that an import's journal can name the rows it added."""
    document_id: Mapped[int] = mapped_column(Id, ForeignKey("documents.id", ondelete="CASCADE"))
    label_id: Mapped[int] = mapped_column(Id, ForeignKey("labels.id", ondelete="RESTRICT"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    model_version: Mapped[str] = mapped_column(String(200), default="")
    """Where the prediction came from (Label Studio's ``model_version``); may be empty."""
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AdjudicationRow(Base):
    """One adjudication decision about a proposed span of a document (schema 0002)."""

    __tablename__ = "adjudications"
    __table_args__ = (
        UniqueConstraint("document_id", "start", "end", "label"),
        Index("ix_adjudications_document", "document_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    document_id: Mapped[int] = mapped_column(Id, ForeignKey("documents.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SpanChangeRow(Base):
    """One span insert, update or delete, written by database triggers (migration 0003).

    Deleted spans leave their row here (a tombstone), so a change feed sees deletions.
    No foreign keys: the log outlives the spans and documents it names.
    """

    __tablename__ = "span_changes"
    # Ids are never reused: they are the feed's cursor.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    op: Mapped[str] = mapped_column(String(10))
    span_id: Mapped[int] = mapped_column(Id)
    document_id: Mapped[int] = mapped_column(Id)
    annotator_id: Mapped[int] = mapped_column(Id)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ImportJournalRow(Base):
    """What the committed batches of a big file's import stored, until the file is whole.

    A big file is written in several transactions (so a teammate's tag never waits long);
    each one also records here what it added, and the last one clears the file's entries.
    Entries left behind belong to an import that stopped part way: once its lease
    (``ImportLeaseRow``) has expired the next open takes them back
    (``storage.import_journal.recover_imports``), keeping every document someone else touched.
    """

    __tablename__ = "import_journal"
    __table_args__ = (
        Index("ix_import_journal_token", "token"),
        Index("ix_import_journal_token_kind_row", "token", "kind", "row_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    token: Mapped[str] = mapped_column(String(120))
    """The import's random token (its lease)."""
    kind: Mapped[str] = mapped_column(String(10))
    """``document`` (its spans go with it), ``span`` (added to a document stored before)
    or ``status`` (a status the file set on one of its new documents)."""
    row_id: Mapped[int] = mapped_column(Id)
    """The document or span id (for ``status``: the document id)."""
    ref: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """For ``status``: the annotator id (schema 0007)."""
    mark: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    """For ``document`` and ``span``: the change log's last id when the batch committed, so
    any later change to the row is someone else's; for ``status``: the status written."""


class ImportLeaseRow(Base):
    """A running import's lease (schema 0007): renewed by each of its write transactions.

    Liveness is judged by the database, not by process ids (which are reused, and mean
    nothing on another machine): an import whose lease has expired is no longer writing,
    and what its journal holds may be taken back. An import that finds its lease gone
    stops: someone took back what it had stored.
    """

    __tablename__ = "import_leases"

    token: Mapped[str] = mapped_column(String(120), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), default="")
    """Who imports (the annotator name and file), for messages; no host or process id."""
    expires_at: Mapped[float] = mapped_column(Float)
    """Seconds since the epoch on the database's clock (SQLite: this machine's)."""


class ProjectSettingRow(Base):
    """A project-wide setting, by key (schema 0009): ``blind`` ("on"/"off"), ``study_plan``
    (the assignment plan, JSON)."""

    __tablename__ = "project_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AssignmentRow(Base):
    """One document assigned to one annotator by a study plan (schema 0009)."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("document_id", "annotator_id"),
        Index("ix_assignments_annotator", "annotator_id", "position"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    document_id: Mapped[int] = mapped_column(Id, ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(Id, ForeignKey("annotators.id", ondelete="CASCADE"))
    overlap: Mapped[bool] = mapped_column(Boolean, default=False)
    """The document is in the overlap set (several annotators label it independently)."""
    position: Mapped[int] = mapped_column(Integer, default=0)
    skip_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    """Why the annotator skipped it (empty: not skipped); the lead sees it in Progress."""
    skipped_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    assigned_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
