"""What a user action changed, so each view refreshes only when concerned (Anki's OpChanges)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Changes:
    documents: bool = False
    labels: bool = False
    spans: bool = False
    annotators: bool = False
    status: bool = False
    doc_labels: bool = False
    """Labels of whole documents (the title line)."""
    document_ids: frozenset[int] = field(default_factory=frozenset)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            documents=self.documents or other.documents,
            labels=self.labels or other.labels,
            spans=self.spans or other.spans,
            annotators=self.annotators or other.annotators,
            status=self.status or other.status,
            doc_labels=self.doc_labels or other.doc_labels,
            document_ids=self.document_ids | other.document_ids,
        )

    @property
    def any(self) -> bool:
        return (
            self.documents
            or self.labels
            or self.spans
            or self.annotators
            or self.status
            or self.doc_labels
        )
