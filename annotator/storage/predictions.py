"""Predictions: a model's spans imported with a document (schema 0015).

Suggestions, never anyone's labels: no annotator, no export of spans or agreement reads
this table. Data functions take the session first and never commit: the caller owns the
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from annotator.core.errors import InputError
from annotator.core.model import NewPrediction, Prediction
from annotator.storage.orm import LabelRow, PredictionRow, utcnow

_IN_CHUNK = 500

Key = tuple[int, int, int, str]
"""(label id, start, end, model version): one prediction of a document."""


def add_predictions(
    s: Session,
    document_id: int,
    length: int,
    items: Sequence[NewPrediction],
    label_ids: Mapping[str, int],
    *,
    now: dt.datetime | None = None,
) -> tuple[list[int], int]:
    """Store ``items`` on the document (of ``length`` code points; labels in ``label_ids``).

    A prediction already stored (same label, range and model version) is kept as it is.
    Returns the ids of the rows added, and how many were left out as already stored.
    """
    if not items:
        return [], 0
    q = select(
        PredictionRow.label_id, PredictionRow.start, PredictionRow.end, PredictionRow.model_version
    ).where(PredictionRow.document_id == document_id)
    seen: set[Key] = {(a, b, c, d) for a, b, c, d in s.execute(q)}
    rows: list[dict[str, Any]] = []
    repeated = 0
    stamp = now or utcnow()
    for p in items:
        if not (0 <= p.start < p.end <= length):
            raise InputError(f"prediction [{p.start}, {p.end}) is outside the document")
        if p.label not in label_ids:
            raise InputError(
                f"a prediction uses label {p.label!r}, which the project does not have"
            )
        key = (label_ids[p.label], p.start, p.end, p.model_version)
        if key in seen:
            repeated += 1
            continue
        seen.add(key)
        rows.append(
            {
                "document_id": document_id,
                "label_id": key[0],
                "start": p.start,
                "end": p.end,
                "score": p.score,
                "model_version": p.model_version,
                "imported_at": stamp,
            }
        )
    if not rows:
        return [], repeated
    table = PredictionRow.__table__
    got = s.execute(insert(table).returning(table.c.id), rows)  # type: ignore[arg-type]
    return [int(i) for i in got.scalars()], repeated


def list_predictions(s: Session, document_ids: Sequence[int]) -> dict[int, list[Prediction]]:
    """document id -> its predictions, by position then label and model version."""
    out: dict[int, list[Prediction]] = {}
    ids = sorted(set(document_ids))
    P = PredictionRow
    for i in range(0, len(ids), _IN_CHUNK):
        q = (
            select(
                P.id,
                P.document_id,
                P.start,
                P.end,
                LabelRow.name,
                P.score,
                P.model_version,
                P.imported_at,
            )
            .join(LabelRow, P.label_id == LabelRow.id)
            .where(P.document_id.in_(ids[i : i + _IN_CHUNK]))
            .order_by(P.document_id, P.start, P.end, LabelRow.name, P.model_version, P.id)
        )
        for r in s.execute(q):
            out.setdefault(int(r[1]), []).append(
                Prediction(
                    int(r[0]),
                    int(r[1]),
                    int(r[2]),
                    int(r[3]),
                    str(r[4]),
                    None if r[5] is None else float(r[5]),
                    str(r[6]),
                    r[7],
                )
            )
    return out
