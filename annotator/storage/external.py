"""Reading another Annotator database file (a teammate's) without ever writing to it.

The file is opened through an SQLite URI with ``mode=ro``, so not even a migration or a WAL
checkpoint can change it. Its schema must be one this version knows; only tables of schema
0001 are read (and the spans' guideline versions where the file has them, schema 0010), so
any known revision will do.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, inspect, literal, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from annotator.core.errors import InputError
from annotator.core.model import AnnotatedDocument, DocumentStatus, NewSpan, SpanOrigin
from annotator.storage.documents import list_documents
from annotator.storage.migrate import HEAD, KNOWN, current_revision
from annotator.storage.orm import AnnotatorRow, DocumentRow, LabelRow, SpanRow
from annotator.storage.rows import _document

SQLITE_MAGIC = b"SQLite format 3\x00"
_TABLES = {"documents", "spans", "labels", "annotators", "document_status"}


def is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def _readonly_engine(path: Path) -> Engine:
    uri = "file:" + quote(str(path.resolve())) + "?mode=ro"
    return create_engine("sqlite://", creator=lambda: _connect(uri))


def _connect(uri: str) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    conn.execute("PRAGMA query_only=ON")
    return conn


def _check(engine: Engine, name: str) -> None:
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if not tables >= _TABLES:
                raise InputError("not an Annotator database (tables missing)", path=name)
            rev = current_revision(conn)
    except DBAPIError as exc:
        raise InputError(f"cannot be read as a database ({exc.orig})", path=name) from exc
    if rev not in KNOWN:
        raise InputError(
            f"written by a newer Annotator (schema {rev}; this version knows up to {HEAD})",
            path=name,
        )


def read_annotated_documents(path: Path) -> Iterator[AnnotatedDocument]:
    """Every document of the database file with all its spans, one at a time.

    Spans keep their annotator, origin and who decided them. ``line`` is the document's id
    in that file, so messages can point at it.
    """
    name = str(path)
    if not is_sqlite_file(path):
        raise InputError("not an SQLite database file", path=name)
    engine = _readonly_engine(path)
    try:
        _check(engine, name)
        with Session(engine) as s, s.begin():
            ids = list(s.scalars(select(DocumentRow.id).order_by(DocumentRow.id)))
            # Plain columns, not the SpanRow entity: a file of an older known schema lacks
            # the columns added since (guideline_version, schema 0010).
            span_columns = {c["name"] for c in inspect(s.connection()).get_columns("spans")}
            versions = "guideline_version" in span_columns
            cols = (
                SpanRow.start,
                SpanRow.end,
                LabelRow.name,
                AnnotatorRow.name,
                SpanRow.note,
                SpanRow.origin,
                SpanRow.decided_by,
                SpanRow.guideline_version if versions else literal(None),
            )
            for doc_id in ids:
                row = s.get(DocumentRow, doc_id)
                assert row is not None
                doc = _document(row)
                q = (
                    select(*cols)
                    .join(LabelRow, SpanRow.label_id == LabelRow.id)
                    .join(AnnotatorRow, SpanRow.annotator_id == AnnotatorRow.id)
                    .where(SpanRow.document_id == doc_id)
                )
                spans = tuple(
                    NewSpan(
                        start=r[0],
                        end=r[1],
                        label=r[2],
                        annotator=r[3],
                        note=r[4],
                        origin=SpanOrigin(r[5]),
                        decided_by=r[6],
                        # The teammate's span keeps the version it was made under; a file
                        # older than schema 0010 recorded none.
                        guideline_version=r[7] if versions else None,
                    )
                    for r in s.execute(q.order_by(SpanRow.start, SpanRow.end, SpanRow.id))
                )
                s.expunge(row)
                yield AnnotatedDocument(replace(doc, id=None), spans, doc_id)
    except DBAPIError as exc:
        raise InputError(f"cannot be read as a database ({exc.orig})", path=name) from exc
    finally:
        engine.dispose()


def read_statuses(path: Path) -> dict[str, dict[str, DocumentStatus]]:
    """content hash -> annotator -> status, for every document of the file."""
    engine = _readonly_engine(path)
    try:
        _check(engine, str(path))
        with Session(engine) as s, s.begin():
            return {d.content_hash: dict(d.status) for d in list_documents(s)}
    finally:
        engine.dispose()
