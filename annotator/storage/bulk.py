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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.judgement import Judgement
from annotator.core.model import AnnotatedDocument
from annotator.storage.doc_labels import add_document_labels
from annotator.storage.guidelines import current_version
from annotator.storage.judgements import add_judgements
from annotator.storage.labels import annotator_id
from annotator.storage.orm import (
    DocumentLabelRow,
    DocumentRow,
    LabelRow,
    PredictionRow,
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
