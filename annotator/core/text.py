"""Text normalisation, done once at import so every offset after it is stable."""

from __future__ import annotations

import hashlib

BOM = "\ufeff"


def normalize_text(text: str) -> str:
    """Strip a leading BOM and turn CRLF and lone CR into LF.

    Nothing else changes: no Unicode normalisation, no whitespace folding, so a
    span's characters are exactly the characters the user saw.
    """
    if text.startswith(BOM):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def content_hash(text: str) -> str:
    """Identity of a document's reading text, used to find duplicates across imports."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def excerpt(text: str, limit: int = 80) -> str:
    """A one-line excerpt for lists and messages."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
