"""Tagging use cases: add, change and delete spans; per-annotator document status."""

from __future__ import annotations

from annotator.core.model import DocumentStatus, NewSpan, Span, SpanOrigin
from annotator.services.changes import Changes
from annotator.storage import Database, Tx, repo


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
    ) -> tuple[Span, Changes]:
        """``document_length``, when the caller holds the text, saves reading the document
        row: SQLite stores ``length`` after the text, so a 5 MB text costs milliseconds."""
        new = NewSpan(start, end, label, annotator, note, origin, decided_by)

        # Tagging a document moves it from todo to in progress for that annotator.
        span = repo.tag(self._db, document_id, new, length=document_length)
        return span, Changes(spans=True, status=True, document_ids=frozenset({document_id}))

    def add_many(self, document_id: int, spans: list[NewSpan]) -> tuple[list[Span], Changes]:
        """Store many spans of one document in one transaction (pre-annotation); spans
        already stored are skipped. Returns the spans added, to delete them again on undo."""

        def work(s: Tx) -> list[Span]:
            n = repo.document_length(s, document_id)
            before = {sp.id for sp in repo.list_spans(s, document_id)}
            if repo.add_spans_bulk(s, document_id, spans, n) == 0:
                return []
            s.flush()
            names = {sp.annotator for sp in spans}
            for name in names:
                if repo.status_of(s, document_id, name) == DocumentStatus.TODO:
                    repo.set_status(s, document_id, name, DocumentStatus.IN_PROGRESS)
            return [sp for sp in repo.list_spans(s, document_id) if sp.id not in before]

        added = self._db.write(work)
        return added, Changes(spans=True, status=True, document_ids=frozenset({document_id}))

    def delete_many(self, document_id: int, span_ids: list[int]) -> Changes:
        """Delete spans of one document in one transaction (undoing a pre-annotation)."""
        self._db.write(lambda s: repo.delete_span_rows(s, span_ids))
        return Changes(spans=True, document_ids=frozenset({document_id}))

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
