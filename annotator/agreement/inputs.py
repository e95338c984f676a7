"""The plain data agreement works on: documents with each annotator's spans, no ORM, no Qt.

An annotator who is absent from a document's ``spans`` mapping has not annotated that
document: their values there are *missing* (left out of alpha, and the document is skipped
for kappa of pairs that include them). An annotator mapped to an empty sequence has read the
document and marked nothing: every character counts as "not in a span". The distinction
matters; callers (services) know who finished which document and pass ``annotators=`` to
:func:`document_from_core` accordingly.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from annotator.core.model import Document, NewSpan, Span

IntArray = npt.NDArray[np.int64]

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
    doc_labels: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Annotator -> the labels they gave the whole document (document level only)."""

    def __post_init__(self) -> None:
        if self.length < 0:
            raise ValueError(f"document {self.key!r}: negative length {self.length}")
        if self.text is not None and len(self.text) != self.length:
            raise ValueError(
                f"document {self.key!r}: length {self.length} but text has {len(self.text)}"
                " code points"
            )
        for annotator, spans in self.spans.items():
            if not spans:
                continue
            starts, ends, _ = zip(*spans, strict=True)
            inside = min(starts) >= 0 and max(ends) <= self.length
            if inside and all(map(operator.lt, starts, ends)):
                continue
            for start, end, label in spans:  # the slow path only to name the culprit
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


def doc_labels_in(documents: Iterable[AgreementDocument]) -> tuple[str, ...]:
    """Every label any annotator gave a whole document, sorted: document level's default."""
    return tuple(sorted({lab for d in documents for got in d.doc_labels.values() for lab in got}))


def annotators_in(documents: Iterable[AgreementDocument]) -> tuple[str, ...]:
    """Every annotator who annotated at least one of the documents, sorted."""
    return tuple(sorted({a for d in documents for a in d.spans}))


def _columns(
    spans: Sequence[SpanTuple], codes: dict[str, int]
) -> tuple[IntArray, IntArray, IntArray]:
    """Starts, ends and label codes (new labels get the next codes) of a span list."""
    if not spans:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    starts, ends, labels = zip(*spans, strict=True)
    for label in sorted(set(labels) - codes.keys()):
        codes[label] = len(codes)
    n = len(labels)
    return (
        np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64),
        np.fromiter(map(codes.__getitem__, labels), dtype=np.int64, count=n),
    )


class SpanIndex:
    """Each (document, annotator)'s spans as start, end and label-code arrays, built once per
    report and shared by every label and pair: scanning tuples again per label is the slow
    part of a report on a long document otherwise."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], tuple[IntArray, IntArray, IntArray]] = {}
        self._codes: dict[str, int] = {}

    def code(self, label: str) -> int:
        """The label's code (-1 for a label no span seen so far has)."""
        return self._codes.get(label, -1)

    def arrays(self, document: AgreementDocument, annotator: str) -> tuple[IntArray, ...]:
        """(starts, ends, label codes) in the order of ``document.spans[annotator]``."""
        key = (document.key, annotator)
        found = self._found.get(key)
        if found is None:
            found = _columns(document.spans.get(annotator, ()), self._codes)
            self._found[key] = found
        return found

    def of_label(
        self, document: AgreementDocument, annotator: str, label: str
    ) -> tuple[IntArray, IntArray]:
        starts, ends, codes = self.arrays(document, annotator)
        mine = codes == self.code(label)
        return starts[mine], ends[mine]

    def positions(self, labels: Sequence[str]) -> IntArray:
        """Index code -> position in ``labels`` (-1 for other labels), for codes so far."""
        out = np.full(len(self._codes), -1, dtype=np.int64)
        for k, label in enumerate(labels):
            code = self._codes.get(label, -1)
            if code >= 0:
                out[code] = k
        return out

    def count(self, document: AgreementDocument, annotator: str, label: str) -> int:
        return int(np.count_nonzero(self.arrays(document, annotator)[2] == self.code(label)))
