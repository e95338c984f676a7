"""The domain in plain Python: documents, labels, annotators, spans, offsets. No I/O."""

from annotator.core.errors import AnnotatorError, InputError, NotFoundError
from annotator.core.model import (
    GOLD_ANNOTATOR,
    AnnotatedDocument,
    Annotator,
    AnnotatorKind,
    Document,
    DocumentStatus,
    DocumentSummary,
    Label,
    NewSpan,
    Span,
    SpanFilter,
    SpanOrigin,
)

__all__ = [
    "GOLD_ANNOTATOR",
    "AnnotatedDocument",
    "Annotator",
    "AnnotatorError",
    "AnnotatorKind",
    "Document",
    "DocumentStatus",
    "DocumentSummary",
    "InputError",
    "Label",
    "NewSpan",
    "NotFoundError",
    "Span",
    "SpanFilter",
    "SpanOrigin",
]
