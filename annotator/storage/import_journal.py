"""The import journal and lease: an import's whole files only, and nobody else's work lost.

Every batch an import commits is journalled under the import's token (``journal``) while
the import holds a lease it renews (``renew_lease``). An import that ends cleanly drops
its journal (``end_journal``); one killed on the way leaves it, and the next open of the
database, once the lease has run out, takes back what it stored (``recover_imports``,
``take_back_token``), keeping every document someone else touched meanwhile. The batches
themselves are written by ``storage.bulk``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from annotator.core.errors import AnnotatorError
from annotator.core.model import SPAN_CHANGE_OPS
from annotator.storage.orm import (
    Base,
    DocumentLabelRow,
    DocumentRow,
    DocumentStatusRow,
    ImportJournalRow,
    ImportLeaseRow,
    PredictionRow,
    SpanChangeRow,
    SpanRow,
)

if TYPE_CHECKING:  # what a batch stored; the batches are written by storage.bulk
    from annotator.storage.bulk import BatchOutcome

_IN_CHUNK = 500  # ids in one IN (...): well below every backend's parameter limit

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
