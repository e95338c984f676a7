"""The ORM schema. Rows never leave this package: ``convert.py`` turns them into core objects."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
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


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
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

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
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

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
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
        Index("ix_spans_label", "label_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="RESTRICT"))
    label_id: Mapped[int] = mapped_column(ForeignKey("labels.id", ondelete="RESTRICT"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(20), default="manual")
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    document: Mapped[DocumentRow] = relationship(back_populates="spans", lazy="raise")
    annotator: Mapped[AnnotatorRow] = relationship(lazy="raise")
    label: Mapped[LabelRow] = relationship(lazy="raise")


class DocumentStatusRow(Base):
    __tablename__ = "document_status"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    annotator_id: Mapped[int] = mapped_column(
        ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True
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

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AdjudicationRow(Base):
    """One adjudication decision about a proposed span of a document (schema 0002)."""

    __tablename__ = "adjudications"
    __table_args__ = (
        UniqueConstraint("document_id", "start", "end", "label"),
        Index("ix_adjudications_document", "document_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
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

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    op: Mapped[str] = mapped_column(String(10))
    span_id: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int] = mapped_column(Integer)
    annotator_id: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ImportJournalRow(Base):
    """What the committed batches of a big file's import stored, until the file is whole.

    A big file is written in several transactions (so a teammate's tag never waits long);
    each one also records here what it added, and the last one clears the file's entries.
    Entries left behind belong to an import that was killed part way: the next open takes
    them back (``storage.bulk.recover_imports``), so an import leaves whole files only.
    """

    __tablename__ = "import_journal"
    __table_args__ = (Index("ix_import_journal_token", "token"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(120))
    """``host:pid:random`` of the importing process."""
    kind: Mapped[str] = mapped_column(String(10))
    """``document`` (its spans go with it) or ``span`` (added to a document stored before)."""
    row_id: Mapped[int] = mapped_column(Integer)
