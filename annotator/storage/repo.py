"""Data functions: each takes the session first and never commits (the caller owns the
transaction). They return core objects; ORM rows stay in this package."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import DateTime, bindparam, delete, func, insert, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from annotator.core.errors import AnnotatorError, NotFoundError, PermissionDeniedError
from annotator.core.model import (
    Annotator,
    AnnotatorKind,
    ChangeKind,
    Document,
    DocumentStatus,
    DocumentSummary,
    Label,
    NewSpan,
    Span,
    SpanChange,
    SpanFilter,
    SpanOrigin,
)
from annotator.storage.orm import (
    AnnotatorRow,
    DocumentRow,
    DocumentStatusRow,
    LabelRow,
    SpanChangeRow,
    SpanRow,
    utcnow,
)

R = TypeVar("R")


def _insert_or_find(s: Session, row: R, find: Callable[[], R | None]) -> R:
    """Insert ``row`` in a savepoint; if a concurrent writer stored the same key first, return
    what ``find`` finds instead. Only the savepoint rolls back, not the caller's transaction,
    so get-or-create races on PostgreSQL cost no retry (SQLite writers never race: they queue)."""
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
        return row
    except IntegrityError:
        found = find()
        if found is None:
            raise  # not a duplicate: a real constraint violation
        return found


# --- conversion -----------------------------------------------------------------


def _document(row: DocumentRow) -> Document:
    return Document(
        id=row.id,
        external_id=row.external_id,
        text=row.text,
        title=row.title,
        source=row.source,
        author=row.author,
        url=row.url,
        published=row.published,
        content_hash=row.content_hash,
        source_path=row.source_path,
        source_sha256=row.source_sha256,
        meta=dict(row.meta or {}),
    )


def _label(row: LabelRow) -> Label:
    return Label(
        id=row.id,
        name=row.name,
        color=row.color,
        shortcut=row.shortcut,
        description=row.description,
    )


def _span(row: SpanRow, label: str, annotator: str) -> Span:
    return Span(
        id=row.id,
        document_id=row.document_id,
        start=row.start,
        end=row.end,
        label=label,
        annotator=annotator,
        note=row.note,
        origin=SpanOrigin(row.origin),
        decided_by=row.decided_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


_SPAN_COLUMNS = (SpanRow, LabelRow.name, AnnotatorRow.name)


def _span_select() -> Any:
    return (
        select(*_SPAN_COLUMNS)
        .join(LabelRow, SpanRow.label_id == LabelRow.id)
        .join(AnnotatorRow, SpanRow.annotator_id == AnnotatorRow.id)
    )


# --- documents ------------------------------------------------------------------


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


def count_documents(s: Session) -> int:
    return s.scalar(select(func.count(DocumentRow.id))) or 0


def list_documents(
    s: Session, *, offset: int = 0, limit: int | None = None, ids: Sequence[int] | None = None
) -> list[DocumentSummary]:
    """Summaries without text, with span counts and status per annotator, in three queries.

    ``ids`` restricts the list to those documents (to refresh a few rows of a list).
    """
    q = (
        select(
            DocumentRow.id,
            DocumentRow.title,
            DocumentRow.source,
            DocumentRow.author,
            DocumentRow.url,
            DocumentRow.published,
            DocumentRow.length,
            DocumentRow.content_hash,
        )
        .order_by(DocumentRow.id)
        .offset(offset)
        .limit(limit)
    )
    if ids is not None:
        q = q.where(DocumentRow.id.in_(list(ids)))
    rows = s.execute(q).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    cq = (
        select(SpanRow.document_id, AnnotatorRow.name, func.count(SpanRow.id))
        .join(AnnotatorRow, SpanRow.annotator_id == AnnotatorRow.id)
        .where(SpanRow.document_id.in_(ids))
        .group_by(SpanRow.document_id, AnnotatorRow.name)
    )
    for doc_id, name, n in s.execute(cq):
        counts[doc_id][name] = n
    status: dict[int, dict[str, DocumentStatus]] = {i: {} for i in ids}
    sq = (
        select(DocumentStatusRow.document_id, AnnotatorRow.name, DocumentStatusRow.status)
        .join(AnnotatorRow, DocumentStatusRow.annotator_id == AnnotatorRow.id)
        .where(DocumentStatusRow.document_id.in_(ids))
    )
    for doc_id, name, st in s.execute(sq):
        status[doc_id][name] = DocumentStatus(st)
    return [
        DocumentSummary(
            id=r.id,
            title=r.title,
            source=r.source,
            author=r.author,
            url=r.url,
            published=r.published,
            length=r.length,
            content_hash=r.content_hash,
            span_counts=counts[r.id],
            status=status[r.id],
        )
        for r in rows
    ]


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


# --- labels ---------------------------------------------------------------------


def list_labels(s: Session) -> list[Label]:
    return [_label(r) for r in s.scalars(select(LabelRow).order_by(LabelRow.position, LabelRow.id))]


def _label_row(s: Session, name: str) -> LabelRow | None:
    return s.scalar(select(LabelRow).where(LabelRow.name == name))


def get_label(s: Session, name: str) -> Label:
    row = _label_row(s, name)
    if row is None:
        raise NotFoundError(f"No label named {name!r}.")
    return _label(row)


def add_label(s: Session, label: Label) -> Label:
    if _label_row(s, label.name) is not None:
        raise AnnotatorError(f"A label named {label.name!r} already exists.")
    pos = (s.scalar(select(func.max(LabelRow.position))) or 0) + 1
    row = LabelRow(
        name=label.name,
        color=label.color,
        shortcut=label.shortcut,
        description=label.description,
        position=pos,
    )
    s.add(row)
    s.flush()
    return _label(row)


def update_label(s: Session, current: str, /, **changes: Any) -> Label:
    """Change the label called ``current``; ``changes`` may hold a new ``name``."""
    row = _label_row(s, current)
    if row is None:
        raise NotFoundError(f"No label named {current!r}.")
    new_name = changes.get("name")
    if new_name and new_name != current and _label_row(s, new_name) is not None:
        raise AnnotatorError(f"A label named {new_name!r} already exists.")
    for key in ("name", "color", "shortcut", "description"):
        if changes.get(key) is not None:
            setattr(row, key, changes[key])
    s.flush()
    return _label(row)


def count_label_spans(s: Session, name: str) -> int:
    return s.scalar(select(func.count(SpanRow.id)).join(LabelRow).where(LabelRow.name == name)) or 0


def remove_label(s: Session, name: str, *, delete_spans: bool = False) -> int:
    """Remove a label; refuses while spans use it unless ``delete_spans``. Returns spans deleted."""
    row = _label_row(s, name)
    if row is None:
        raise NotFoundError(f"No label named {name!r}.")
    n = count_label_spans(s, name)
    if n and not delete_spans:
        raise AnnotatorError(
            f"Label {name!r} is used by {n} span(s); remove them too, or rename the label instead."
        )
    s.execute(delete(SpanRow).where(SpanRow.label_id == row.id))
    s.delete(row)
    s.flush()
    return n


# --- annotators -----------------------------------------------------------------


def list_annotators(s: Session) -> list[Annotator]:
    return [
        Annotator(id=r.id, name=r.name, kind=AnnotatorKind(r.kind))
        for r in s.scalars(select(AnnotatorRow).order_by(AnnotatorRow.name))
    ]


def annotator_id(
    s: Session, name: str, *, create: bool = True, kind: AnnotatorKind = AnnotatorKind.HUMAN
) -> int:
    found = s.scalar(select(AnnotatorRow.id).where(AnnotatorRow.name == name))
    if found is not None:
        return found
    if not create:
        raise NotFoundError(f"No annotator named {name!r}.")
    got = _insert_or_find(
        s,
        AnnotatorRow(name=name, kind=kind.value),
        lambda: s.scalar(select(AnnotatorRow).where(AnnotatorRow.name == name)),
    )
    return got.id


def set_annotator_role(s: Session, name: str, role_name: str | None, *, kind: AnnotatorKind) -> int:
    """Create or update annotator ``name`` and map it to a database login role (team server)."""
    ann = annotator_id(s, name, kind=kind)
    row = s.get(AnnotatorRow, ann)
    assert row is not None
    if row.role_name is not None and role_name is not None and row.role_name != role_name:
        # Re-mapping would hand every span of ``name`` to another login.
        raise AnnotatorError(
            f"Annotator {name!r} already belongs to role {row.role_name!r}; "
            "choose another annotator name."
        )
    row.role_name = role_name
    row.kind = kind.value
    s.flush()
    return ann


# --- spans ----------------------------------------------------------------------


def _label_id(s: Session, name: str) -> int:
    found = s.scalar(select(LabelRow.id).where(LabelRow.name == name))
    if found is None:
        raise NotFoundError(f"No label named {name!r}.")
    return found


def add_span(s: Session, document_id: int, span: NewSpan, *, length: int | None = None) -> Span:
    """Insert one span; an identical span by the same annotator is returned, not doubled."""
    n = document_length(s, document_id) if length is None else length
    if not (0 <= span.start < span.end <= n):
        raise AnnotatorError(
            f"Span [{span.start}, {span.end}) is outside the document (length {n})."
        )
    label_id = _label_id(s, span.label)
    ann_id = annotator_id(s, span.annotator)

    def find() -> SpanRow | None:
        return s.scalar(
            select(SpanRow).where(
                SpanRow.document_id == document_id,
                SpanRow.annotator_id == ann_id,
                SpanRow.label_id == label_id,
                SpanRow.start == span.start,
                SpanRow.end == span.end,
            )
        )

    existing = find()
    if existing is not None:
        return _span(existing, span.label, span.annotator)
    row = SpanRow(
        document_id=document_id,
        annotator_id=ann_id,
        label_id=label_id,
        start=span.start,
        end=span.end,
        note=span.note,
        origin=span.origin.value,
        decided_by=span.decided_by,
    )
    # The unique constraint decides a race between two identical tags: one row, both get it.
    stored = _insert_or_find(s, row, find)
    return _span(stored, span.label, span.annotator)


_TAG_INSERT = sql_text(
    'INSERT INTO spans (document_id, annotator_id, label_id, start, "end", note, origin, '
    "decided_by, created_at, updated_at) "
    "SELECT :doc, a.id, l.id, :start, :end, :note, :origin, :decided_by, :now, :now "
    "FROM annotators a, labels l WHERE a.name = :annotator AND l.name = :label "
    "ON CONFLICT DO NOTHING RETURNING id, annotator_id"
).bindparams(bindparam("now", type_=DateTime()))
_TAG_STATUS = sql_text(
    "INSERT INTO document_status (document_id, annotator_id, status, updated_at) "
    "VALUES (:doc, :ann, :busy, :now) ON CONFLICT (document_id, annotator_id) DO UPDATE "
    "SET status = excluded.status, updated_at = excluded.updated_at "
    "WHERE document_status.status = :todo"
).bindparams(bindparam("now", type_=DateTime()))


def tag_span(s: Session, document_id: int, span: NewSpan, *, length: int | None = None) -> Span:
    """Insert one span and move its document from todo to in progress for its annotator.

    The keyboard's path: one INSERT ... SELECT resolves label and annotator by name and
    skips a duplicate (ON CONFLICT DO NOTHING), one upsert sets the status, so a tag costs
    two statements and the commit. Anything unusual (a new annotator, an unknown label,
    a span stored already) falls back to :func:`add_span`, which says what is wrong.
    """
    n = document_length(s, document_id) if length is None else length
    if not (0 <= span.start < span.end <= n):
        raise AnnotatorError(
            f"Span [{span.start}, {span.end}) is outside the document (length {n})."
        )
    now = utcnow()
    got = s.execute(
        _TAG_INSERT,
        {
            "doc": document_id,
            "start": span.start,
            "end": span.end,
            "note": span.note,
            "origin": span.origin.value,
            "decided_by": span.decided_by,
            "now": now,
            "annotator": span.annotator,
            "label": span.label,
        },
    ).first()
    if got is None:
        stored = add_span(s, document_id, span, length=n)
        ann_id = annotator_id(s, span.annotator)
    else:
        stored = Span(
            id=int(got[0]),
            document_id=document_id,
            start=span.start,
            end=span.end,
            label=span.label,
            annotator=span.annotator,
            note=span.note,
            origin=span.origin,
            decided_by=span.decided_by,
            created_at=now,
            updated_at=now,
        )
        ann_id = int(got[1])
    s.execute(
        _TAG_STATUS,
        {
            "doc": document_id,
            "ann": ann_id,
            "busy": DocumentStatus.IN_PROGRESS.value,
            "todo": DocumentStatus.TODO.value,
            "now": now,
        },
    )
    return stored


def get_span(s: Session, span_id: int) -> Span:
    row = s.execute(_span_select().where(SpanRow.id == span_id)).first()
    if row is None:
        raise NotFoundError(f"No span with id {span_id}.")
    return _span(row[0], row[1], row[2])


def update_span(
    s: Session,
    span_id: int,
    *,
    label: str | None = None,
    note: str | None = None,
    start: int | None = None,
    end: int | None = None,
) -> Span:
    row = s.get(SpanRow, span_id)
    if row is None:
        raise NotFoundError(f"No span with id {span_id}.")
    if label is not None:
        row.label_id = _label_id(s, label)
    if note is not None:
        row.note = note
    if start is not None or end is not None:
        new_start = row.start if start is None else start
        new_end = row.end if end is None else end
        n = document_length(s, row.document_id)
        if not (0 <= new_start < new_end <= n):
            raise AnnotatorError(
                f"Span [{new_start}, {new_end}) is outside the document (length {n})."
            )
        row.start, row.end = new_start, new_end
    row.updated_at = utcnow()
    owner_row = s.get(AnnotatorRow, row.annotator_id)
    owner = owner_row.name if owner_row is not None else "someone else"
    try:
        s.flush()
    except StaleDataError:
        if s.get_bind().dialect.name != "postgresql":  # no policies: someone deleted it
            raise NotFoundError(f"Span {span_id} was deleted meanwhile.") from None
        # Row-level security hides spans a member may not change from UPDATE: no row matched.
        raise PermissionDeniedError(
            f"The server refused to change span {span_id}: it is {owner}'s, "
            "and you may change only your own spans."
        ) from None
    return get_span(s, span_id)


_DELETE_VIA_FUNCTION = "annotator.delete_spans_via_function"


def _deletes_through_function(s: Session) -> bool:
    """On a team server members hold no DELETE privilege on spans (it would let them lock
    the table); they delete through the server's checked function instead."""
    conn = s.connection()
    if conn.dialect.name != "postgresql":
        return False
    if _DELETE_VIA_FUNCTION not in conn.info:  # per server connection: privileges are fixed
        conn.info[_DELETE_VIA_FUNCTION] = bool(
            conn.exec_driver_sql(
                "SELECT NOT has_table_privilege('spans', 'DELETE') "
                "AND to_regprocedure('annotator_delete_spans(integer[])') IS NOT NULL"
            ).scalar()
        )
    return bool(conn.info[_DELETE_VIA_FUNCTION])


def delete_span_rows(s: Session, span_ids: Sequence[int]) -> int:
    """Delete spans by id; returns how many rows went (rows one may not delete stay)."""
    ids = [int(i) for i in span_ids]
    if not ids:
        return 0
    if _deletes_through_function(s):
        n = s.execute(
            sql_text("SELECT annotator_delete_spans(CAST(:ids AS integer[]))"), {"ids": ids}
        ).scalar_one()
        s.expire_all()
        return int(n)
    result = s.execute(delete(SpanRow).where(SpanRow.id.in_(ids)))
    return int(getattr(result, "rowcount", 0) or 0)


def delete_span(s: Session, span_id: int) -> Span:
    """Delete one span. On a team server row-level security (or the server's delete
    function) leaves other people's spans alone without an error, so zero rows deleted
    is reported here."""
    gone = get_span(s, span_id)
    if delete_span_rows(s, [span_id]) == 0 and (
        s.get(SpanRow, span_id, populate_existing=True) is not None
    ):
        raise PermissionDeniedError(
            f"The server refused to delete span {span_id}: it is {gone.annotator}'s, "
            "and you may delete only your own spans."
        )
    return gone


def list_spans(
    s: Session, document_id: int, *, annotators: Sequence[str] = (), labels: Sequence[str] = ()
) -> list[Span]:
    """Spans of one document in reading order.

    Selects plain columns on the session's connection (no ORM identity map): a
    document with 50,000 spans loads several times faster than through entities.
    """
    q = (
        select(
            SpanRow.id,
            SpanRow.document_id,
            SpanRow.start,
            SpanRow.end,
            LabelRow.name,
            AnnotatorRow.name,
            SpanRow.note,
            SpanRow.origin,
            SpanRow.decided_by,
            SpanRow.created_at,
            SpanRow.updated_at,
        )
        .join(LabelRow, SpanRow.label_id == LabelRow.id)
        .join(AnnotatorRow, SpanRow.annotator_id == AnnotatorRow.id)
        .where(SpanRow.document_id == document_id)
    )
    if annotators:
        q = q.where(AnnotatorRow.name.in_(annotators))
    if labels:
        q = q.where(LabelRow.name.in_(labels))
    q = q.order_by(SpanRow.start, SpanRow.end, SpanRow.id)
    origins = {o.value: o for o in SpanOrigin}
    return [
        Span(r[0], r[1], r[2], r[3], r[4], r[5], r[6], origins[r[7]], r[8], r[9], r[10])
        for r in s.connection().execute(q)
    ]


def iter_documents_with_spans(
    s: Session, flt: SpanFilter, *, batch: int = 200
) -> Iterator[tuple[Document, list[Span]]]:
    """Documents and their filtered spans, loaded in batches so memory stays bounded."""
    ids = list(flt.document_ids) or document_ids(
        s, only_done_by=flt.annotators if flt.only_done else ()
    )
    if flt.only_done and flt.document_ids:
        done = set(document_ids(s, only_done_by=flt.annotators))
        ids = [i for i in ids if i in done]
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        docs = {
            r.id: _document(r)
            for r in s.scalars(select(DocumentRow).where(DocumentRow.id.in_(chunk)))
        }
        spans: dict[int, list[Span]] = {d: [] for d in chunk}
        q = _span_select().where(SpanRow.document_id.in_(chunk))
        if flt.annotators:
            q = q.where(AnnotatorRow.name.in_(flt.annotators))
        if flt.labels:
            q = q.where(LabelRow.name.in_(flt.labels))
        for r in s.execute(q.order_by(SpanRow.document_id, SpanRow.start, SpanRow.end, SpanRow.id)):
            spans[r[0].document_id].append(_span(r[0], r[1], r[2]))
        for d in chunk:
            if d in docs:
                yield docs[d], spans[d]


def span_counts(s: Session) -> list[tuple[str, str, int]]:
    """(label, annotator, count) over the whole database."""
    q = (
        select(LabelRow.name, AnnotatorRow.name, func.count(SpanRow.id))
        .select_from(SpanRow)
        .join(LabelRow, SpanRow.label_id == LabelRow.id)
        .join(AnnotatorRow, SpanRow.annotator_id == AnnotatorRow.id)
        .group_by(LabelRow.name, AnnotatorRow.name)
        .order_by(LabelRow.name, AnnotatorRow.name)
    )
    return [(a, b, n) for a, b, n in s.execute(q)]


# --- status ---------------------------------------------------------------------


def status_of(s: Session, document_id: int, annotator: str) -> DocumentStatus:
    q = (
        select(DocumentStatusRow.status)
        .join(AnnotatorRow, DocumentStatusRow.annotator_id == AnnotatorRow.id)
        .where(DocumentStatusRow.document_id == document_id, AnnotatorRow.name == annotator)
    )
    found = s.scalar(q)
    return DocumentStatus(found) if found else DocumentStatus.TODO


def set_status(s: Session, document_id: int, annotator: str, status: DocumentStatus) -> None:
    ann = annotator_id(s, annotator)
    row = s.get(DocumentStatusRow, (document_id, ann))
    if row is None:
        row = _insert_or_find(
            s,
            DocumentStatusRow(document_id=document_id, annotator_id=ann, status=status.value),
            lambda: s.get(DocumentStatusRow, (document_id, ann), populate_existing=True),
        )
    row.status = status.value
    s.flush()


def add_spans_bulk(s: Session, document_id: int, spans: Iterable[NewSpan], length: int) -> int:
    """Insert many spans of one document in one statement, skipping ones already stored.

    Label and annotator ids are looked up once each; returns how many spans were new.
    """
    label_ids = {r.name: r.id for r in s.execute(select(LabelRow.name, LabelRow.id))}
    ann_ids: dict[str, int] = {}
    existing = {
        tuple(r)
        for r in s.execute(
            select(SpanRow.annotator_id, SpanRow.label_id, SpanRow.start, SpanRow.end).where(
                SpanRow.document_id == document_id
            )
        )
    }
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for sp in spans:
        if not (0 <= sp.start < sp.end <= length):
            raise AnnotatorError(
                f"Span [{sp.start}, {sp.end}) is outside the document (length {length})."
            )
        if sp.label not in label_ids:
            raise NotFoundError(f"No label named {sp.label!r}.")
        if sp.annotator not in ann_ids:
            ann_ids[sp.annotator] = annotator_id(s, sp.annotator)
        key = (ann_ids[sp.annotator], label_ids[sp.label], sp.start, sp.end)
        if key in existing:
            continue
        existing.add(key)
        rows.append(
            {
                "document_id": document_id,
                "annotator_id": key[0],
                "label_id": key[1],
                "start": sp.start,
                "end": sp.end,
                "note": sp.note,
                "origin": sp.origin.value,
                "decided_by": sp.decided_by,
                "created_at": now,
                "updated_at": now,
            }
        )
    if rows:
        # Core insert of the table: the ORM bulk path costs several times more per row.
        s.connection().execute(insert(SpanRow.__table__), rows)  # type: ignore[arg-type]
    return len(rows)


# --- change feed ----------------------------------------------------------------


def last_change_seq(s: Session) -> int:
    """The newest entry of the span change log (0 when empty): where a new feed starts."""
    return s.scalar(select(func.max(SpanChangeRow.id))) or 0


def changes_after(
    s: Session, after: int, *, also: Collection[int] = (), limit: int = 1000
) -> list[SpanChange]:
    """Logged span changes with ``seq > after`` or ``seq in also``, oldest first.

    ``also`` re-asks for gaps below ``after``: on PostgreSQL a sequence number taken by a
    transaction that commits late shows up after higher ones (written by triggers, 0003).
    """
    cond = SpanChangeRow.id > after
    if also:
        cond = or_(cond, SpanChangeRow.id.in_(list(also)))
    q = (
        select(SpanChangeRow, AnnotatorRow.name)
        .outerjoin(AnnotatorRow, SpanChangeRow.annotator_id == AnnotatorRow.id)
        .where(cond)
        .order_by(SpanChangeRow.id)
        .limit(limit)
    )
    return [
        SpanChange(
            seq=row.id,
            kind=ChangeKind(row.op),
            span_id=row.span_id,
            document_id=row.document_id,
            annotator=name or "",
            changed_at=row.changed_at,
        )
        for row, name in s.execute(q)
    ]


def prune_changes(s: Session, *, before: Any) -> int:
    """Forget change-log entries older than ``before`` (a naive UTC datetime)."""
    result = s.execute(delete(SpanChangeRow).where(SpanChangeRow.changed_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
