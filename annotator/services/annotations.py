"""Tagging use cases: add, change and delete spans; per-annotator document status and
document labels (labels one annotator gives a whole document).

Every changing call takes ``actor``, the annotator the step is made for. With it the
service refuses (:class:`NotYoursError`, nothing written) to add, change or delete a
span, note or status that belongs to someone else, checked inside the write's own
transaction. The commands of the desk (``services.commands``, suggestion commands)
always pass it, so no keyboard step — made, undone or redone — can touch a teammate's
work. ``actor=None`` is for the few callers that act on purpose for others: tests, the
CLI and a team lead's explicit actions (the team server's row-level security still
applies); gold goes through adjudication, never through here.
"""

from __future__ import annotations

from annotator.core.errors import NotYoursError
from annotator.core.model import (
    CURRENT_GUIDELINE,
    DocumentStatus,
    GuidelineStamp,
    NewSpan,
    Span,
    SpanOrigin,
)
from annotator.services.changes import Changes
from annotator.storage import Database, Tx, repo


def _refuse(actor: str | None, owner: str, what: str) -> None:
    if actor is not None and owner != actor:
        raise NotYoursError(
            f"Not changed: {what} is {owner}'s, and this step is {actor or 'nobody'}'s. "
            "Only your own spans, notes and status can be changed (switch annotator to "
            f"{owner} to change theirs)."
        )


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
        actor: str | None = None,
        guideline_version: int | GuidelineStamp | None = CURRENT_GUIDELINE,
    ) -> tuple[Span, Changes]:
        """``document_length``, when the caller holds the text, saves reading the document
        row: SQLite stores ``length`` after the text, so a 5 MB text costs milliseconds.
        ``actor``: who the step is for; a span for anyone else is refused. The span records
        the guideline version in force unless ``guideline_version`` says its own (an undone
        delete puts the span back as it was)."""
        _refuse(actor, annotator, "the new span")
        new = NewSpan(start, end, label, annotator, note, origin, decided_by, guideline_version)

        # Tagging a document moves it from todo to in progress for that annotator.
        span = repo.tag(self._db, document_id, new, length=document_length)
        return span, Changes(spans=True, status=True, document_ids=frozenset({document_id}))

    def add_many(
        self, document_id: int, spans: list[NewSpan], *, actor: str | None = None
    ) -> tuple[list[Span], Changes]:
        """Store many spans of one document in one transaction (pre-annotation); spans
        already stored are skipped. Returns the spans added, to delete them again on undo.
        ``actor``: spans for anyone else are refused."""
        for sp in spans:
            _refuse(actor, sp.annotator, "a new span")

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

    def delete_many(
        self, document_id: int, span_ids: list[int], *, actor: str | None = None
    ) -> Changes:
        """Delete spans of one document in one transaction (undoing a pre-annotation);
        with ``actor``, refused (nothing deleted) when any of them is someone else's."""

        def work(s: Tx) -> None:
            if actor is not None:
                wanted = set(span_ids)
                for sp in repo.list_spans(s, document_id):
                    if sp.id in wanted:
                        _refuse(actor, sp.annotator, f"span {sp.id}")
            repo.delete_span_rows(s, span_ids)

        self._db.write(work)
        return Changes(spans=True, document_ids=frozenset({document_id}))

    def update(
        self,
        span_id: int,
        *,
        label: str | None = None,
        note: str | None = None,
        start: int | None = None,
        end: int | None = None,
        actor: str | None = None,
    ) -> tuple[Span, Changes]:
        def write(s: Tx) -> Span:
            if actor is not None:
                owner = repo.get_span(s, span_id).annotator
                _refuse(actor, owner, f"span {span_id}")
            return repo.update_span(s, span_id, label=label, note=note, start=start, end=end)

        span = self._db.write(write)
        return span, Changes(spans=True, document_ids=frozenset({span.document_id}))

    def delete(self, span_id: int, *, actor: str | None = None) -> tuple[Span, Changes]:
        def write(s: Tx) -> Span:
            if actor is not None:
                _refuse(actor, repo.get_span(s, span_id).annotator, f"span {span_id}")
            return repo.delete_span(s, span_id)

        span = self._db.write(write)
        return span, Changes(spans=True, document_ids=frozenset({span.document_id}))

    def status(self, document_id: int, annotator: str) -> DocumentStatus:
        return self._db.read(lambda s: repo.status_of(s, document_id, annotator))

    def set_status(
        self,
        document_id: int,
        annotator: str,
        status: DocumentStatus,
        *,
        actor: str | None = None,
    ) -> Changes:
        _refuse(actor, annotator, "that document status")
        self._db.write(
            lambda s: repo.set_status(s, document_id, annotator, status), retry_integrity=True
        )
        return Changes(status=True, document_ids=frozenset({document_id}))

    def document_labels(
        self, document_id: int, *, viewer: str | None = None
    ) -> dict[str, list[str]]:
        """annotator -> the labels they gave the whole document (sorted); with ``viewer``,
        without what blind mode hides from them (teammates' on an unfinished overlap
        document), as their spans are hidden."""

        def read(s: Tx) -> dict[str, list[str]]:
            found = repo.document_labels(s, [document_id]).get(document_id, {})
            # lazily: no command at start-up needs it
            from annotator.services.blind import blind_rule

            rule = blind_rule(s, viewer)
            return {who: v for who, v in found.items() if not rule.hides(document_id, who)}

        return self._db.read(read)

    def set_document_label(
        self,
        document_id: int,
        annotator: str,
        label: str,
        given: bool,
        *,
        actor: str | None = None,
    ) -> Changes:
        """Give (``given``) or take back ``label`` as ``annotator``'s label of the whole
        document; refused (nothing written) when ``actor`` is someone else."""
        _refuse(actor, annotator, "that document label")

        def write(s: Tx) -> None:
            if given:
                repo.add_document_labels(s, document_id, annotator, [label])
            else:
                repo.remove_document_labels(s, document_id, annotator, [label])

        self._db.write(write, retry_integrity=True)
        return Changes(doc_labels=True, document_ids=frozenset({document_id}))
