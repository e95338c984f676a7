"""Documents: add, find, list, search, delete.

Data functions take the session first and never commit: the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from annotator.core.errors import NotFoundError
from annotator.core.model import (
    Document,
    DocumentStatus,
    DocumentSummary,
)
from annotator.storage import tallies
from annotator.storage.orm import (
    AnnotatorRow,
    DocumentRow,
    DocumentStatusRow,
    SpanRow,
)
from annotator.storage.rows import _document

# --- documents ------------------------------------------------------------------


# What a corpus list shows of each document: all stored before the text (SQLite reads no
# overflow page of a long article for them).
_SUMMARY_COLUMNS = (
    DocumentRow.id,
    DocumentRow.title,
    DocumentRow.source,
    DocumentRow.author,
    DocumentRow.url,
    DocumentRow.published,
)


def find_document_id_by_hash(s: Session, content_hash: str) -> int | None:
    return s.scalar(select(DocumentRow.id).where(DocumentRow.content_hash == content_hash))


def add_document(s: Session, doc: Document) -> int:
    row = DocumentRow(
        external_id=doc.external_id,
        title=doc.title,
        source=doc.source,
        author=doc.author,
        url=doc.url,
        published=doc.published,
        text=doc.text,
        length=len(doc.text),
        content_hash=doc.content_hash,
        source_path=doc.source_path,
        source_sha256=doc.source_sha256,
        meta=dict(doc.meta),
    )
    s.add(row)
    s.flush()
    return row.id


def get_document(s: Session, document_id: int) -> Document:
    row = s.get(DocumentRow, document_id)
    if row is None:
        raise NotFoundError(f"No document with id {document_id}.")
    return _document(row)


def document_length(s: Session, document_id: int) -> int:
    n = s.scalar(select(DocumentRow.length).where(DocumentRow.id == document_id))
    if n is None:
        raise NotFoundError(f"No document with id {document_id}.")
    return n


def document_ids(s: Session, *, only_done_by: Sequence[str] = ()) -> list[int]:
    q = select(DocumentRow.id).order_by(DocumentRow.id)
    if only_done_by:
        q = q.where(
            DocumentRow.id.in_(
                select(DocumentStatusRow.document_id)
                .join(AnnotatorRow, DocumentStatusRow.annotator_id == AnnotatorRow.id)
                .where(AnnotatorRow.name.in_(only_done_by))
                .where(DocumentStatusRow.status == DocumentStatus.DONE.value)
            )
        )
    return list(s.scalars(q))


def external_ids(s: Session, ids: Sequence[int]) -> dict[int, str]:
    """The external id ("" for none) of each of the documents ``ids`` that exists."""
    q = select(DocumentRow.id, DocumentRow.external_id).where(DocumentRow.id.in_(list(ids)))
    return {i: ext or "" for i, ext in s.execute(q)}


def ids_by_external_id(s: Session, names: Sequence[str]) -> dict[str, list[int]]:
    """The documents each name stands for, as exports write it: the external id, or for
    a document without one its number (both, when one's external id is the other's
    number: the export writes that id twice). Names that match nothing are left out.

    On SQLite ``external_id`` is stored before the text, so the lookup reads the start of
    each document's row and never a text's overflow pages."""
    wanted = sorted(set(names))
    found: dict[str, list[int]] = {}
    for i in range(0, len(wanted), 500):
        part = wanted[i : i + 500]
        q = select(DocumentRow.external_id, DocumentRow.id).where(DocumentRow.external_id.in_(part))
        for ext, doc_id in s.execute(q.order_by(DocumentRow.id)):
            found.setdefault(ext, []).append(doc_id)
    numbers = {  # as the export writes a number: no sign, no leading zero
        int(n): n
        for n in wanted
        if n.isascii() and n.isdigit() and len(n) <= 18 and str(int(n)) == n
    }
    if numbers:
        nums = sorted(numbers)
        for i in range(0, len(nums), 500):
            by_number = select(DocumentRow.id).where(
                DocumentRow.id.in_(nums[i : i + 500]), DocumentRow.external_id == ""
            )
            for doc_id in s.scalars(by_number):
                found[numbers[doc_id]] = sorted([*found.get(numbers[doc_id], ()), doc_id])
    return found


def count_documents(s: Session) -> int:
    return s.scalar(select(func.count(DocumentRow.id))) or 0


def list_documents(
    s: Session, *, offset: int = 0, limit: int | None = None, ids: Sequence[int] | None = None
) -> list[DocumentSummary]:
    """Summaries without text, with span counts and status per annotator, from indexes where
    the rows would make SQLite read the text (a few small queries, no text read).

    ``ids`` restricts the list to those documents (to refresh a few rows of a list).
    """
    whole = ids is None and offset == 0 and limit is None
    q = select(*_SUMMARY_COLUMNS).order_by(DocumentRow.id).offset(offset).limit(limit)
    if ids is not None:
        q = q.where(DocumentRow.id.in_(list(ids)))
    rows = s.execute(q).all()
    if not rows:
        return []
    # Length and hash from their index (ix_documents_sizes): they are stored after the
    # text, and reading them from the rows would read every text's overflow pages.
    zq = select(DocumentRow.id, DocumentRow.length, DocumentRow.content_hash)
    if not whole:
        zq = zq.where(DocumentRow.id.in_([r.id for r in rows]))
    sizes = {i: (n, h) for i, n, h in s.execute(zq)}
    ids = [r.id for r in rows]
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    status: dict[int, dict[str, DocumentStatus]] = {i: {} for i in ids}
    # Counted by ids on the (document_id, annotator_id) index and named afterwards; the
    # whole corpus needs no list of ids (8,000 parameters).
    people = {i: n for i, n in s.execute(select(AnnotatorRow.id, AnnotatorRow.name))}
    cq = select(SpanRow.document_id, SpanRow.annotator_id, func.count()).group_by(
        SpanRow.document_id, SpanRow.annotator_id
    )
    sq = select(
        DocumentStatusRow.document_id, DocumentStatusRow.annotator_id, DocumentStatusRow.status
    )
    if not whole:
        cq = cq.where(SpanRow.document_id.in_(ids))
        sq = sq.where(DocumentStatusRow.document_id.in_(ids))
    for doc_id, ann_id, n in s.execute(cq):
        if doc_id in counts:
            counts[doc_id][people[ann_id]] = int(n)
    for doc_id, ann_id, st in s.execute(sq):
        if doc_id in status:
            status[doc_id][people[ann_id]] = DocumentStatus(st)
    return [
        DocumentSummary(
            id=r.id,
            title=r.title,
            source=r.source,
            author=r.author,
            url=r.url,
            published=r.published,
            length=sizes[r.id][0],
            content_hash=sizes[r.id][1],
            span_counts=counts[r.id],
            status=status[r.id],
        )
        for r in rows
    ]


CorpusLine = tuple[int, str, str, str, str, "dt.date | None", int, int, str]
"""(id, title, source, author, url, published, characters, spans, external id) of one
document."""


def corpus_lines(s: Session) -> list[CorpusLine]:
    """Every document's summary line for ``annotator stats``, in id order, as plain rows.

    Two statements, neither reading a text: the names and date from the table (stored
    before the text), and the length with the span count from indexes (the length is
    stored after the text; on SQLite it comes from ix_documents_sizes and each count from
    the counts kept by triggers, ``span_tally_document``; on the server each count is a
    range of ix_spans_document_annotator: half the work of grouping the whole index).
    """
    conn = s.connection()  # Core rows: no ORM result machinery for 8,000 rows
    names = conn.execute(
        select(*_SUMMARY_COLUMNS, DocumentRow.external_id).order_by(DocumentRow.id)
    ).all()
    n_spans: ColumnElement[Any]
    if tallies.kept(s):  # counts kept by triggers (schema 0016): a few rows a document
        t = tallies.BY_DOCUMENT
        n_spans = func.coalesce(
            select(func.sum(t.c.n)).where(t.c.document_id == DocumentRow.id).scalar_subquery(), 0
        )
    else:
        n_spans = (
            select(func.count())
            .select_from(SpanRow)
            .where(SpanRow.document_id == DocumentRow.id)
            .scalar_subquery()
        )
    # fetchall in one call (iterating the result fetches row by row: 0.01 s more for
    # 8,000), and both lists in id order, so they are joined by walking them together.
    sizes: Sequence[Any] = conn.execute(
        select(DocumentRow.id, DocumentRow.length, n_spans).order_by(DocumentRow.id)
    ).all()
    if [r[0] for r in sizes] != [r[0] for r in names]:  # a server's two statements may
        by_id = {r[0]: (r[1], r[2]) for r in sizes}  # see a document added between them
        sizes = [(r[0], *by_id.get(r[0], (0, 0))) for r in names]
    return [
        (i, title, source, author, url, published, n, k, ext or "")
        for (i, title, source, author, url, published, ext), (_i, n, k) in zip(
            names, sizes, strict=True
        )
    ]


def status_lines(s: Session) -> list[tuple[int, str, str]]:
    """(document id, annotator, status) of every status set, in document and name order."""
    q = select(DocumentStatusRow.document_id, AnnotatorRow.name, DocumentStatusRow.status).join(
        AnnotatorRow, DocumentStatusRow.annotator_id == AnnotatorRow.id
    )
    # Sorted here: a server's collation may order names otherwise than Python does.
    return sorted((d, a, st) for d, a, st in s.execute(q))


def delete_document(s: Session, document_id: int) -> None:
    s.execute(delete(DocumentRow).where(DocumentRow.id == document_id))


def search_documents(s: Session, needle: str, *, limit: int = 200) -> list[tuple[int, int]]:
    """(document id, first match offset) for documents containing ``needle``, case-insensitive.

    The offset is found in Python so it is a code point index on every backend.
    """
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    q = (
        select(DocumentRow.id, DocumentRow.text)
        .where(DocumentRow.text.ilike(pattern, escape="\\"))
        .order_by(DocumentRow.id)
        .limit(limit)
    )
    low = needle.casefold()
    out = []
    for doc_id, text in s.execute(q):
        out.append((doc_id, max(0, text.casefold().find(low))))
    return out
