"""The plain data agreement works on: documents with each annotator's spans, no ORM, no Qt.

An annotator who is absent from a document's ``spans`` mapping has not annotated that
document: their values there are *missing* (left out of alpha, and the document is skipped
for kappa of pairs that include them). An annotator mapped to an empty sequence has read the
document and marked nothing: every character counts as "not in a span". The distinction
matters; callers (services) know who finished which document and pass ``annotators=`` to
:func:`document_from_core` accordingly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from annotator.core.model import Document, NewSpan, Span

SpanTuple = tuple[int, int, str]
"""``(start, end, label)`` with ``[start, end)`` in code points of the document text."""


@dataclass(frozen=True, slots=True)
class AgreementDocument:
    """One document: its length, each annotator's spans, and the text (passage level only)."""

    key: str
    length: int
    spans: Mapping[str, Sequence[SpanTuple]] = field(default_factory=dict)
    text: str | None = None
    name: str = ""
    """The document's own id (the one it was imported with), for reports; may be empty."""
    title: str = ""

    def __post_init__(self) -> None:
        if self.length < 0:
            raise ValueError(f"document {self.key!r}: negative length {self.length}")
        if self.text is not None and len(self.text) != self.length:
            raise ValueError(
                f"document {self.key!r}: length {self.length} but text has {len(self.text)}"
                " code points"
            )
        for annotator, spans in self.spans.items():
            for start, end, label in spans:
                if not 0 <= start < end <= self.length:
                    raise ValueError(
                        f"document {self.key!r}: span [{start}, {end}) {label} by {annotator}"
                        f" is empty or outside [0, {self.length})"
                    )

    def spans_of(self, annotator: str, label: str | None = None) -> list[SpanTuple]:
        """The annotator's spans (of one label if given), sorted; [] if they did not annotate."""
        spans = self.spans.get(annotator, ())
        return sorted(s for s in spans if label is None or s[2] == label)

    def annotated_by(self, annotator: str) -> bool:
        return annotator in self.spans


def document_from_core(
    document: Document,
    spans: Iterable[Span | NewSpan],
    *,
    annotators: Iterable[str] = (),
    key: str | None = None,
    with_text: bool = True,
) -> AgreementDocument:
    """Adapt a core document and its spans; every name in ``annotators`` counts as having
    annotated the document even without spans (see the module docstring)."""
    by_annotator: dict[str, list[SpanTuple]] = {name: [] for name in annotators}
    for span in spans:
        by_annotator.setdefault(span.annotator, []).append((span.start, span.end, span.label))
    fallback = document.id if document.id is not None else document.title
    name = key if key is not None else str(fallback)
    return AgreementDocument(
        key=name,
        length=document.length,
        spans={k: tuple(v) for k, v in by_annotator.items()},
        text=document.text if with_text else None,
    )


def labels_in(documents: Iterable[AgreementDocument]) -> tuple[str, ...]:
    """Every label any annotator used, sorted: the default label set of a report."""
    return tuple(sorted({s[2] for d in documents for spans in d.spans.values() for s in spans}))


def annotators_in(documents: Iterable[AgreementDocument]) -> tuple[str, ...]:
    """Every annotator who annotated at least one of the documents, sorted."""
    return tuple(sorted({a for d in documents for a in d.spans}))
