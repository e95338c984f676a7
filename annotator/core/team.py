"""Value objects of team work: adjudication decisions and per-document span layers."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from annotator.core.model import Span


class Decision(enum.StrEnum):
    """What an adjudicator decided about one proposed span (start, end, label) of a document."""

    ACCEPTED = "accepted"
    """Copied into the gold layer as proposed."""
    REJECTED = "rejected"
    """Left out of the gold layer ("neither")."""
    EDITED = "edited"
    """Replaced by a gold span the adjudicator drew by hand."""


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    document_id: int
    start: int
    end: int
    label: str
    decision: Decision
    decided_by: str
    decided_at: dt.datetime | None = None

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


@dataclass(frozen=True, slots=True)
class DocumentLayers:
    """One document's spans by several annotators, for agreement: the text only when asked.

    ``annotated`` names the annotators who worked on the document (a status other than todo,
    or at least one span of any label): the others count as missing, not as "marked nothing".
    """

    id: int
    title: str
    length: int
    spans: tuple[Span, ...]
    annotated: frozenset[str]
    text: str | None = None
    done: frozenset[str] = frozenset()
    """The annotators who marked the document done (a subset of ``annotated``)."""
    external_id: str = ""
    """The id the document was imported with, if any."""
    plain_spans: Mapping[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    """Annotator -> ``(start, end, label)`` per span, filled *instead of* ``spans`` when the
    caller asks for plain spans (agreement needs nothing more, and reads them ~10x faster)."""
