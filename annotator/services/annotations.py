"""Tagging use cases: add, change and delete spans; per-annotator document status."""

from __future__ import annotations

from annotator.core.model import (
    CURRENT_GUIDELINE,
    DocumentStatus,
    GuidelineStamp,
    NewSpan,
    Span,
    SpanOrigin,
)
from annotator.services.changes import Changes
from annotator.storage import Database, repo


class AnnotationService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def spans(self, document_id: int, *, annotators: tuple[str, ...] = ()) -> list[Span]:
        return self._db.read(lambda s: repo.list_spans(s, document_id, annotators=annotators))

    def get(self, span_id: int) -> Span:
        return self._db.read(lambda s: repo.get_span(s, span_id))

    def add(
        self,
        document_id: int,
        *,
        start: int,
        end: int,
        label: str,
        annotator: str,
        note: str = "",
        origin: SpanOrigin = SpanOrigin.MANUAL,
        decided_by: str = "",
        document_length: int | None = None,
        guideline_version: int | GuidelineStamp | None = CURRENT_GUIDELINE,
    ) -> tuple[Span, Changes]:
        """``document_length``, when the caller holds the text, saves reading the document
        row: SQLite stores ``length`` after the text, so a 5 MB text costs milliseconds.
        The span records the guideline version in force unless ``guideline_version`` says
        its own (an undone delete puts the span back as it was)."""
        new = NewSpan(start, end, label, annotator, note, origin, decided_by, guideline_version)

        # Tagging a document moves it from todo to in progress for that annotator.
        span = repo.tag(self._db, document_id, new, length=document_length)
        return span, Changes(spans=True, status=True, document_ids=frozenset({document_id}))

    def update(
        self,
        span_id: int,
        *,
        label: str | None = None,
        note: str | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> tuple[Span, Changes]:
        span = self._db.write(
            lambda s: repo.update_span(s, span_id, label=label, note=note, start=start, end=end)
        )
        return span, Changes(spans=True, document_ids=frozenset({span.document_id}))

    def delete(self, span_id: int) -> tuple[Span, Changes]:
        span = self._db.write(lambda s: repo.delete_span(s, span_id))
        return span, Changes(spans=True, document_ids=frozenset({span.document_id}))

    def status(self, document_id: int, annotator: str) -> DocumentStatus:
        return self._db.read(lambda s: repo.status_of(s, document_id, annotator))

    def set_status(self, document_id: int, annotator: str, status: DocumentStatus) -> Changes:
        self._db.write(
            lambda s: repo.set_status(s, document_id, annotator, status), retry_integrity=True
        )
        return Changes(status=True, document_ids=frozenset({document_id}))
