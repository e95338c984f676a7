"""What may be stored: one rule for importers, label edits and exporters.

Whatever passes here the database can hold and every exporter can write: text is
well-formed Unicode (no lone surrogates, no NUL), names (labels, annotators, ids)
hold no control characters, and numbers fit a signed 64-bit integer or are finite
floats. Checks return a problem in words, or ``None``; callers add file and line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from os import PathLike
from typing import Any

from annotator.core.model import AnnotatedDocument, Document, NewSpan, Span

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
MAX_META_DEPTH = 64
MAX_NOTE_CHARS = 10_000
"""Longest span note: a note explains a tag; ten thousand characters is a long page."""
MAX_DOCUMENT_CHARS = 20_000_000
"""Longest document text (code points): four times the longest article benchmarked."""
MAX_SPANS_PER_DOCUMENT = 100_000
"""Most spans one annotator may hold on one document on a team server (enforced there)."""

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: each would
# break a line-based format (CoNLL, brat .ann, CSV) or a one-line list entry.
_BAD_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_BAD_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f\u2028\u2029\ud800-\udfff]")


def _describe(ch: str) -> str:
    code = ord(ch)
    if ch == "\x00":
        return "a NUL character"
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate (U+{code:04X}, not valid Unicode)"
    return f"a control character (U+{code:04X})"


def text_problem(value: str) -> str | None:
    """Free text (document text, notes, meta values): well-formed Unicode, no NUL."""
    bad = _BAD_TEXT.search(value)
    return None if bad is None else f"contains {_describe(bad.group())}"


def name_problem(value: str) -> str | None:
    """A name (label, annotator, document id): no control characters at all."""
    bad = _BAD_NAME.search(value)
    return None if bad is None else f"contains {_describe(bad.group())}"


def line_problem(value: str) -> str | None:
    """A one-line field (title, source, author, url): tabs allowed, no line breaks."""
    bad = _BAD_LINE.search(value)
    return None if bad is None else f"contains {_describe(bad.group())}"


def value_problem(value: Any, depth: int = 0) -> str | None:
    """A JSON-like ``meta`` value: strings, bounded numbers, lists, string-keyed dicts."""
    if depth > MAX_META_DEPTH:
        return "is nested too deeply"
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            return f"holds the integer {_short(value)}, outside the 64-bit range"
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"holds the number {value}, which is not finite"
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, list | tuple):
        for v in value:
            if (p := value_problem(v, depth + 1)) is not None:
                return p
        return None
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                return f"has a key {_short(k)} that is not a string"
            if (p := text_problem(k)) is not None:
                return f"has a key that {p}"
            if (p := value_problem(v, depth + 1)) is not None:
                return f"{k!r} {p}" if depth == 0 else p
        return None
    return f"holds a {type(value).__name__}, which JSON cannot hold"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}…{text[-8:]} ({len(text)} characters)"


_LINE_FIELDS = ("title", "source", "author", "url", "source_path", "source_sha256")


def note_problem(note: str) -> str | None:
    """Why ``note`` cannot be a span note, or None."""
    if len(note) > MAX_NOTE_CHARS:
        return f"a span note is longer than {MAX_NOTE_CHARS:,} characters ({len(note):,})"
    if (p := text_problem(note)) is not None:
        return f"a span note {p}"
    return None


def document_problem(doc: Document) -> str | None:
    if len(doc.text) > MAX_DOCUMENT_CHARS:
        return (
            f"the text is longer than {MAX_DOCUMENT_CHARS:,} characters ({len(doc.text):,}); "
            "split it into several documents"
        )
    if (p := text_problem(doc.text)) is not None:
        return f"the text {p}"
    if (p := name_problem(doc.external_id)) is not None:
        return f"the id {p}"
    if len(doc.external_id) > 200:
        return f"the id {_short(doc.external_id)} is longer than 200 characters"
    if len(doc.source_sha256) > 64:
        return "source_sha256 is longer than 64 characters"
    for name in _LINE_FIELDS:
        if (p := line_problem(getattr(doc, name))) is not None:
            return f"the {name} {p}"
    if (p := value_problem(doc.meta)) is not None:
        return f"meta {p}"
    return None


MAX_NAME = 100
"""Longest label or annotator name (the database column's width)."""


def label_problem(name: str, what: str = "label") -> str | None:
    """Why ``name`` cannot be a label (or annotator) name, or None."""
    if not name.strip():
        return f"the {what} name is empty"
    if (p := name_problem(name)) is not None:
        return f"the {what} {_short(name)} {p}"
    if len(name) > MAX_NAME:
        return f"the {what} {_short(name)} is longer than {MAX_NAME} characters"
    return None


def span_problem(span: NewSpan | Span) -> str | None:
    for what, value in (("label", span.label), ("annotator", span.annotator)):
        if (p := label_problem(value, what)) is not None:
            return p
    if span.decided_by and (p := label_problem(span.decided_by, "decided_by")) is not None:
        return p
    if (p := note_problem(span.note)) is not None:
        return p
    for v in (span.start, span.end):
        if not INT_MIN <= v <= INT_MAX:
            return f"a span offset {_short(v)} is outside the 64-bit range"
    return None


def record_problem(item: AnnotatedDocument) -> str | None:
    """The first reason ``item`` cannot be stored and exported, or None."""
    for who, names in item.doc_labels.items():
        if (p := label_problem(who, "annotator")) is not None:
            return p
        for name in names:
            if (p := label_problem(name, "document label")) is not None:
                return p
    for pred in item.predictions:  # a model's spans: their labels are stored as labels
        if (p := label_problem(pred.label, "label")) is not None:
            return p
    return export_problem(item.document, item.spans)


def export_problem(doc: Document, spans: Iterable[NewSpan | Span]) -> str | None:
    """The same rule for what goes out: a document and its spans, or None when fine."""
    if (p := document_problem(doc)) is not None:
        return p
    names_ok: set[tuple[str, str, str]] = set()  # a corpus repeats a few names many times
    for sp in spans:
        key = (sp.label, sp.annotator, sp.decided_by)
        if key in names_ok and not sp.note and INT_MIN <= sp.start <= sp.end <= INT_MAX:
            continue
        if (p := span_problem(sp)) is not None:
            return p
        names_ok.add(key)
    return None


def display_path(path: str | PathLike[str]) -> str:
    """A file name fit for messages: bytes that are not UTF-8 shown as ``\\xNN``."""
    text = str(path)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
