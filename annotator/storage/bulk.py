"""Bulk writes of validated import batches: few statements, ids kept for an undo.

The import service parses and validates outside any transaction and hands a batch
of records here inside a short write transaction. Documents already stored (same
content hash) are matched, not stored twice; spans already stored are skipped.
What a batch added is returned, so a file written in several transactions can be
taken back whole if a later batch of it fails.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.judgement import Judgement
from annotator.core.model import SPAN_CHANGE_OPS, AnnotatedDocument
from annotator.storage.doc_labels import add_document_labels
from annotator.storage.guidelines import current_version
from annotator.storage.judgements import add_judgements
from annotator.storage.labels import annotator_id
from annotator.storage.orm import (
    Base,
    DocumentLabelRow,
    DocumentRow,
    DocumentStatusRow,
    ImportJournalRow,
    ImportLeaseRow,
    LabelRow,
    PredictionRow,
    SpanChangeRow,
    SpanRow,
    utcnow,
)
from annotator.storage.predictions import add_predictions
from annotator.storage.rows import span_values, sqlite_stamp
from annotator.storage.status import set_status

_IN_CHUNK = 500


@dataclass
class BatchOutcome:
    """What one batch stored: per record, and the ids to delete to take it back."""

    added: list[bool] = field(default_factory=list)
    """Per record: True when its document was new, False when it matched one stored."""
    spans_added: list[int] = field(default_factory=list)
    """Per record: how many of its spans were new."""
    document_ids: list[int] = field(default_factory=list)
    """New documents (their spans go with them when deleted)."""
    span_ids: list[int] = field(default_factory=list)
    """New spans on documents that were already stored."""
    statuses: bool = False
    """True when the batch set a status the file carries (journaled per new document)."""
    identical: int = 0
    """Spans left out because the same annotator's identical span is stored (or repeated)."""
    doc_label_ids: list[int] = field(default_factory=list)
    """New document labels on documents that were already stored."""
    doc_labels_added: int = 0
    """Document labels (per annotator) newly stored."""
    prediction_ids: list[int] = field(default_factory=list)
    """New predictions (a model's spans, schema 0015), on any document: journaled, so a
    take-back knows its own."""
    predictions_repeated: int = 0
    """Predictions left out because the same one is stored (or repeated in the file)."""


def data_version(s: Session) -> tuple[int, int] | None:
    """(connection, SQLite's ``PRAGMA data_version``) for this transaction: the version
    changes when another connection commits; it is comparable only on the same
    connection, hence the first number. None on other databases."""
    if s.get_bind().dialect.name != "sqlite":
        return None
    conn = s.connection()
    version = int(conn.exec_driver_sql("PRAGMA data_version").scalar_one())
    return id(conn.connection.dbapi_connection), version


def _existing_hashes(s: Session, hashes: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    unique = sorted(set(hashes))
    for i in range(0, len(unique), _IN_CHUNK):
        chunk = unique[i : i + _IN_CHUNK]
        q = select(DocumentRow.content_hash, DocumentRow.id).where(
            DocumentRow.content_hash.in_(chunk)
        )
        found.update({h: d for h, d in s.execute(q)})
    return found


def _label_ids(s: Session, names: set[str]) -> dict[str, int]:
    """Ids of the labels a batch uses (not of every label: there may be a million)."""
    wanted = sorted(names)
    found: dict[str, int] = {}
    for i in range(0, len(wanted), _IN_CHUNK):
        q = select(LabelRow.name, LabelRow.id).where(LabelRow.name.in_(wanted[i : i + _IN_CHUNK]))
        found.update({n: d for n, d in s.execute(q)})
    return found


def store_batch(s: Session, items: Sequence[AnnotatedDocument]) -> BatchOutcome:
    """Store ``items`` (validated, labels existing) in the caller's transaction."""
    out = BatchOutcome()
    label_ids = _label_ids(
        s,
        {sp.label for it in items for sp in it.spans}
        | {p.label for it in items for p in it.predictions},
    )
    ann_ids: dict[str, int] = {}
    doc_ids = _existing_hashes(s, [it.document.content_hash for it in items])
    now = utcnow()
    guideline = current_version(s)
    sqlite = s.get_bind().dialect.name == "sqlite"
    new_span_rows: list[dict[str, Any]] = []
    old_span_rows: list[dict[str, Any]] = []
    seen: dict[int, set[tuple[int, int, int, int]]] = {}
    new_docs: set[int] = set()
    statuses: list[tuple[int, AnnotatedDocument]] = []
    doc_labelled: list[tuple[int, AnnotatedDocument]] = []
    predicted: list[tuple[int, AnnotatedDocument]] = []
    for it in items:
        doc = it.document
        doc_id = doc_ids.get(doc.content_hash)
        is_new = doc_id is None
        if doc_id is None:
            doc_id = _insert_document(s, it, now, sqlite)
            doc_ids[doc.content_hash] = doc_id
            out.document_ids.append(doc_id)
            new_docs.add(doc_id)
            seen[doc_id] = set()
        elif doc_id not in seen:
            q = select(SpanRow.annotator_id, SpanRow.label_id, SpanRow.start, SpanRow.end)
            rows_ = s.execute(q.where(SpanRow.document_id == doc_id))
            seen[doc_id] = {(a, b, c, d) for a, b, c, d in rows_}
        out.added.append(is_new)
        if it.status or it.judgements:
            statuses.append((doc_id, it))
        if it.doc_labels:
            doc_labelled.append((doc_id, it))
        if it.predictions:
            predicted.append((doc_id, it))
        keys = seen[doc_id]
        rows = new_span_rows if doc_id in new_docs else old_span_rows
        n = 0
        for sp in it.spans:
            if not (0 <= sp.start < sp.end <= len(doc.text)):
                raise InputError(
                    f"span [{sp.start}, {sp.end}) is outside the document", line=it.line or None
                )
            if sp.label not in label_ids:
                raise InputError(
                    f"uses label {sp.label!r}, which the project does not have (was the file "
                    "changed after it was checked, or the label removed meanwhile?)",
                    line=it.line or None,
                )
            if sp.annotator not in ann_ids:
                ann_ids[sp.annotator] = annotator_id(s, sp.annotator)
            key = (ann_ids[sp.annotator], label_ids[sp.label], sp.start, sp.end)
            if key in keys:
                out.identical += 1
                continue
            keys.add(key)
            n += 1
            rows.append(span_values(doc_id, key[0], key[1], sp, now, guideline))
        out.spans_added.append(n)
    conn = s.connection()
    if new_span_rows and sqlite:
        # The driver's own executemany: SQLAlchemy's per-row parameter processing costs
        # more than SQLite's insert. Values are already plain (stamps as SQLAlchemy
        # writes them for SQLite).
        stamp = sqlite_stamp(now)
        conn.exec_driver_sql(
            _SQLITE_SPAN_INSERT,
            [
                (
                    r["document_id"],
                    r["annotator_id"],
                    r["label_id"],
                    r["start"],
                    r["end"],
                    r["note"],
                    r["origin"],
                    r["decided_by"],
                    stamp,
                    stamp,
                    r["guideline_version"],
                )
                for r in new_span_rows
            ],
        )
    elif new_span_rows:
        conn.execute(insert(SpanRow.__table__), new_span_rows)  # type: ignore[arg-type]
    if old_span_rows:
        ids = conn.execute(
            insert(SpanRow.__table__).returning(SpanRow.__table__.c.id),  # type: ignore[arg-type]
            old_span_rows,
        )
        out.span_ids += [int(i) for i in ids.scalars()]
    out.statuses = bool(statuses)
    for doc_id, it in statuses:  # per-annotator status the file carries (native JSONL)
        for who, status in it.status.items():
            set_status(s, doc_id, who, status)
        if it.judgements:  # and judged passages: stored once, like identical spans
            n = len(it.document.text)
            for j in it.judgements:
                if not (0 <= j.start < j.end <= n):
                    raise AnnotatorError(f"Judgement [{j.start}, {j.end}) is outside the document.")
            add_judgements(
                s,
                [
                    Judgement(doc_id, j.start, j.end, j.annotator, j.kind, j.label)
                    for j in it.judgements
                ],
                lengths={doc_id: n},
            )
    for doc_id, it in doc_labelled:  # labels of the whole document, per annotator
        for who, names in it.doc_labels.items():
            label_ids_added = add_document_labels(s, doc_id, who, names)
            out.doc_labels_added += len(label_ids_added)
            out.doc_label_ids += label_ids_added  # journaled: a take-back knows its own
    for doc_id, it in predicted:  # a model's spans: suggestions, no annotator's
        added_ids, repeated = add_predictions(
            s, doc_id, len(it.document.text), it.predictions, label_ids, now=now
        )
        out.prediction_ids += added_ids
        out.predictions_repeated += repeated
    return out


_SQLITE_SPAN_INSERT = (
    'INSERT INTO spans (document_id, annotator_id, label_id, start, "end", note, origin, '
    "decided_by, created_at, updated_at, guideline_version) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SQLITE_DOC_INSERT = (
    "INSERT INTO documents (external_id, title, source, author, url, published, text, length, "
    "content_hash, source_path, source_sha256, meta, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)


def _insert_document(s: Session, it: AnnotatedDocument, now: dt.datetime, sqlite: bool) -> int:
    doc = it.document
    values: dict[str, Any] = {
        "external_id": doc.external_id,
        "title": doc.title,
        "source": doc.source,
        "author": doc.author,
        "url": doc.url,
        "published": doc.published,
        "text": doc.text,
        "length": len(doc.text),
        "content_hash": doc.content_hash,
        "source_path": doc.source_path,
        "source_sha256": doc.source_sha256,
        "meta": dict(doc.meta),
        "created_at": now,
    }
    if not sqlite:
        q = insert(DocumentRow).returning(DocumentRow.id)
        return int(s.execute(q, values).scalar_one())
    values["published"] = doc.published.isoformat() if doc.published else None
    values["meta"] = json.dumps(values["meta"])
    values["created_at"] = sqlite_stamp(now)
    row = s.connection().exec_driver_sql(_SQLITE_DOC_INSERT, tuple(values.values())).first()
    assert row is not None
    return int(row[0])


def take_back(s: Session, outcomes: Sequence[BatchOutcome]) -> None:
    """Delete what ``outcomes`` stored, in a transaction in which nobody else can have
    touched it yet (used only before the rows were ever committed)."""
    span_ids = [i for o in outcomes for i in o.span_ids]
    doc_ids = [i for o in outcomes for i in o.document_ids]
    labelled = [i for o in outcomes for i in o.doc_label_ids]
    predicted = [i for o in outcomes for i in o.prediction_ids]
    for i in range(0, len(predicted), _IN_CHUNK):
        chunk = predicted[i : i + _IN_CHUNK]
        s.execute(delete(PredictionRow).where(PredictionRow.id.in_(chunk)))
    for i in range(0, len(labelled), _IN_CHUNK):
        chunk = labelled[i : i + _IN_CHUNK]
        s.execute(delete(DocumentLabelRow).where(DocumentLabelRow.id.in_(chunk)))
    for i in range(0, len(span_ids), _IN_CHUNK):
        s.execute(delete(SpanRow).where(SpanRow.id.in_(span_ids[i : i + _IN_CHUNK])))
    for i in range(0, len(doc_ids), _IN_CHUNK):
        s.execute(delete(DocumentRow).where(DocumentRow.id.in_(doc_ids[i : i + _IN_CHUNK])))


# --- the import journal and lease: whole files only, and nobody else's work lost ---------

LEASE_S = float(os.environ.get("ANNOTATOR_IMPORT_LEASE_S", "120"))
"""How long an import's lease lasts after its last write transaction. Each batch renews
it; an import that has not written for this long is taken for dead. (The environment
variable is for tests that kill imports and must not wait two minutes.)"""


class LeaseLostError(AnnotatorError):
    """The import's lease expired and another instance took back what it had stored."""


def new_journal_token() -> str:
    """A random token naming one file's import (no host or process id: nothing to leak)."""
    return uuid.uuid4().hex


def db_now(s: Session) -> float:
    """Seconds since the epoch on the database's clock (the server's, on PostgreSQL)."""
    if s.get_bind().dialect.name == "sqlite":
        q = "SELECT (julianday('now') - 2440587.5) * 86400.0"
    else:
        q = "SELECT extract(epoch from clock_timestamp())"
    return float(s.connection().exec_driver_sql(q).scalar_one())


def renew_lease(s: Session, token: str, owner: str, *, first: bool) -> None:
    """Take (``first``) or renew the import's lease in the batch's own transaction.

    Renewing a lease that is gone raises ``LeaseLostError``: the import was judged dead
    (it did not write for ``LEASE_S``) and what it stored was taken back, so writing on
    would leave half a file.
    """
    expires = db_now(s) + LEASE_S
    if first:
        s.add(ImportLeaseRow(token=token, owner=owner[:200], expires_at=expires))
        s.flush()
        return
    done = s.execute(
        update(ImportLeaseRow).where(ImportLeaseRow.token == token).values(expires_at=expires)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        raise LeaseLostError(
            "the import paused longer than its lease and another instance took back what it "
            "had stored (keeping what others had done on its documents); import the file again"
        )


def _change_mark(s: Session) -> int:
    """The change log's last id: any later change to a span is after this batch."""
    return int(s.scalar(select(func.coalesce(func.max(SpanChangeRow.id), 0))) or 0)


def journal(s: Session, token: str, outcome: BatchOutcome) -> None:
    """Record, in the batch's own transaction, what it stored (with the change-log mark)."""
    mark = _change_mark(s)
    rows: list[dict[str, Any]] = [
        {"token": token, "kind": "document", "row_id": i, "ref": None, "mark": mark}
        for i in outcome.document_ids
    ]
    rows += [
        {"token": token, "kind": "span", "row_id": i, "ref": None, "mark": mark}
        for i in outcome.span_ids
    ]
    new_docs = set(outcome.document_ids)
    if new_docs and outcome.statuses:
        q = select(
            DocumentStatusRow.document_id, DocumentStatusRow.annotator_id, DocumentStatusRow.status
        ).where(DocumentStatusRow.document_id.in_(sorted(new_docs)))
        for doc, ann, status in s.execute(q):
            rows.append(
                {
                    "token": token,
                    "kind": "status",
                    "row_id": doc,
                    "ref": ann,
                    "mark": _STATUS_CODE.get(status, -1),
                }
            )
    rows += [
        {"token": token, "kind": "doclabel", "row_id": i, "ref": None, "mark": mark}
        for i in outcome.doc_label_ids
    ]
    rows += [
        {"token": token, "kind": "prediction", "row_id": i, "ref": None, "mark": mark}
        for i in outcome.prediction_ids
    ]

    if rows:
        s.execute(insert(ImportJournalRow.__table__), rows)  # type: ignore[arg-type]


_STATUS_CODE = {"todo": 0, "in_progress": 1, "done": 2, "skipped": 3}


def end_journal(s: Session, token: str) -> None:
    """The file is whole (or was taken back): its entries and its lease go."""
    s.execute(delete(ImportJournalRow).where(ImportJournalRow.token == token))
    s.execute(delete(ImportLeaseRow).where(ImportLeaseRow.token == token))


@dataclass
class TakenBack:
    """What a take-back removed, and what it kept because someone else had touched it."""

    documents: int = 0
    spans: int = 0
    kept_documents: list[int] = field(default_factory=list)
    """The import's new documents kept: others' spans, status or decisions are on them."""
    kept_titles: list[str] = field(default_factory=list)
    kept_spans: int = 0
    """The import's spans on older documents kept: someone changed them since."""


def _document_children(s: Session) -> list[tuple[str, str, str]]:
    """(table, column, parent) of every table that refers to documents (besides spans and
    status) or to spans, whatever later schemas add (adjudications, judgements,
    assignments...): a row there is someone's work on the document."""
    out = []
    for table in Base.metadata.sorted_tables:
        if table.name in ("spans", "document_status", "documents"):
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name in ("documents", "spans"):
                out.append((table.name, fk.parent.name, fk.column.table.name))
    return out


_OWN_KINDS = {
    DocumentLabelRow.__tablename__: "doclabel",
    PredictionRow.__tablename__: "prediction",
}
"""Tables of rows an import itself adds to its documents, with their journal kind."""


def _children_on(s: Session, token: str) -> set[int]:
    """The import's new documents that a row of another table refers to."""
    found: set[int] = set()
    for table, column, parent in _document_children(s):
        if parent == "documents":
            q = (
                f"SELECT DISTINCT t.{column} FROM {table} t JOIN import_journal j "
                f"ON j.row_id = t.{column} WHERE j.token = :t AND j.kind = 'document'"
            )
            own = _OWN_KINDS.get(table)
            if own is not None:  # the import's own rows are not a touch
                q += (
                    " AND t.id NOT IN (SELECT o.row_id FROM import_journal o "
                    f"WHERE o.token = :t AND o.kind = '{own}')"
                )
        else:
            q = (
                f"SELECT DISTINCT sp.document_id FROM {table} t JOIN spans sp "
                f"ON sp.id = t.{column} JOIN import_journal j ON j.row_id = sp.document_id "
                "WHERE j.token = :t AND j.kind = 'document'"
            )
        found.update(int(d) for (d,) in s.execute(text(q), {"t": token}))
    return found


def take_back_token(s: Session, token: str) -> TakenBack:
    """Take back what the import ``token`` stored, keeping everything of anyone else.

    A new document of the import is kept whole (with the import's own spans on it) when,
    after the batch that created it committed, anyone changed a span on it that is not
    the import's (the change log says so, inserts, edits and deletions alike), set a
    status the file did not set, or referred to it from another table (adjudications,
    ...). A span the import added to an older document is kept when someone changed it
    since. Everything else the journal names is deleted; the journal and lease go.
    """
    J = ImportJournalRow
    out = TakenBack()
    doc_j = select(J.row_id, J.mark).where(J.token == token, J.kind == "document")
    docs = {int(d): int(m or 0) for d, m in s.execute(doc_j)}
    span_j = select(J.row_id, J.mark).where(J.token == token, J.kind == "span")
    own_spans = {int(i): int(m or 0) for i, m in s.execute(span_j)}
    keep: set[int] = set()
    if docs or own_spans:
        first = min([*docs.values(), *own_spans.values()])
        # Span ops only: a label of a whole document is in the log too (schema 0017), its
        # row id no span's; others' labels on the import's documents keep them through
        # ``_children_on``, which sees the rows themselves.
        q = select(SpanChangeRow.id, SpanChangeRow.span_id, SpanChangeRow.document_id).where(
            SpanChangeRow.id > first, SpanChangeRow.op.in_(SPAN_CHANGE_OPS)
        )
        touched_spans: set[int] = set()
        for cid, span_id, doc_id in s.execute(q):
            if span_id in own_spans:
                if cid > own_spans[span_id]:
                    touched_spans.add(span_id)
                continue
            mark = docs.get(doc_id)
            if mark is not None and cid > mark:
                keep.add(doc_id)
        own_status = {
            (int(d), int(a or 0)): int(m if m is not None else -1)
            for d, a, m in s.execute(
                select(J.row_id, J.ref, J.mark).where(J.token == token, J.kind == "status")
            )
        }
        status_q = (
            select(
                DocumentStatusRow.document_id,
                DocumentStatusRow.annotator_id,
                DocumentStatusRow.status,
            )
            .join(J, J.row_id == DocumentStatusRow.document_id)
            .where(J.token == token, J.kind == "document")
        )
        for doc_id, ann, status in s.execute(status_q):
            if own_status.get((doc_id, ann)) != _STATUS_CODE.get(status, -2):
                keep.add(doc_id)
        keep |= _children_on(s, token)
        gone_spans = [i for i in own_spans if i not in touched_spans]
        gone_docs = [d for d in docs if d not in keep]
        out.kept_spans = len(touched_spans)
        out.kept_documents = sorted(keep)
        if keep:
            titled = select(DocumentRow.id, DocumentRow.title, DocumentRow.external_id).where(
                DocumentRow.id.in_(out.kept_documents[:5])
            )
            out.kept_titles = [t or e or f"#{i}" for i, t, e in s.execute(titled)]
        out.spans = _count_deleted(s, SpanRow, gone_spans)
        out.spans += _spans_on(s, gone_docs)
        out.documents = _count_deleted(s, DocumentRow, gone_docs)
    # The import's labels of whole documents: on older documents (and gone ones) they go;
    # on a new document kept for someone else's work they stay with it, like its spans.
    own_labels = [
        int(i) for (i,) in s.execute(select(J.row_id).where(J.token == token, J.kind == "doclabel"))
    ]
    for i in range(0, len(own_labels), _IN_CHUNK):
        s.execute(
            delete(DocumentLabelRow).where(
                DocumentLabelRow.id.in_(own_labels[i : i + _IN_CHUNK]),
                DocumentLabelRow.document_id.not_in(sorted(keep)),
            )
        )
    # Its predictions the same way: with a kept document they stay, else they go.
    own_predictions = [
        int(i)
        for (i,) in s.execute(select(J.row_id).where(J.token == token, J.kind == "prediction"))
    ]
    for i in range(0, len(own_predictions), _IN_CHUNK):
        s.execute(
            delete(PredictionRow).where(
                PredictionRow.id.in_(own_predictions[i : i + _IN_CHUNK]),
                PredictionRow.document_id.not_in(sorted(keep)),
            )
        )
    end_journal(s, token)
    return out


def _count_deleted(s: Session, row: Any, ids: Sequence[int]) -> int:
    n = 0
    for i in range(0, len(ids), _IN_CHUNK):
        res = s.execute(delete(row).where(row.id.in_(ids[i : i + _IN_CHUNK])))
        n += int(res.rowcount or 0)  # type: ignore[attr-defined]
    return n


def _spans_on(s: Session, doc_ids: Sequence[int]) -> int:
    n = 0
    for i in range(0, len(doc_ids), _IN_CHUNK):
        q = select(func.count(SpanRow.id)).where(
            SpanRow.document_id.in_(doc_ids[i : i + _IN_CHUNK])
        )
        n += int(s.scalar(q) or 0)
    return n


def has_journal(s: Session) -> bool:
    return s.scalar(select(ImportJournalRow.id).limit(1)) is not None


def _may_take_back(s: Session) -> bool:
    """On the team server only those who may delete documents (leads) take back."""
    if s.get_bind().dialect.name != "postgresql":
        return True
    q = text("SELECT has_table_privilege('documents', 'DELETE')")
    return bool(s.scalar(q))


def recover_imports(s: Session) -> TakenBack:
    """Take back what imports that stopped part way stored (their lease expired), keeping
    every document someone else touched. Each expired lease is claimed by deleting it, so
    two instances opening at once never both take the same import back."""
    tokens = {t for (t,) in s.execute(select(ImportJournalRow.token).distinct())}
    total = TakenBack()
    if not tokens or not _may_take_back(s):
        return total
    now = db_now(s)
    live = {
        t
        for (t,) in s.execute(select(ImportLeaseRow.token).where(ImportLeaseRow.expires_at >= now))
    }
    for token in sorted(tokens - live):
        claimed = s.execute(
            delete(ImportLeaseRow).where(
                ImportLeaseRow.token == token, ImportLeaseRow.expires_at < now
            )
        )
        has_lease = s.scalar(select(ImportLeaseRow.token).where(ImportLeaseRow.token == token))
        if not claimed.rowcount and has_lease is not None:  # type: ignore[attr-defined]
            continue  # renewed meanwhile: alive after all
        got = take_back_token(s, token)
        total.documents += got.documents
        total.spans += got.spans
        total.kept_documents += got.kept_documents
        total.kept_titles += got.kept_titles
        total.kept_spans += got.kept_spans
    return total
