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


def normalize_with_offsets(text: str) -> tuple[str, OffsetShift]:
    """Normalise like ``normalize_text`` and return how old offsets move.

    Only a BOM and the CR of each CRLF are removed (a lone CR becomes LF in
    place), so spans that came with CRLF text keep pointing at the same
    characters. A span that held half of a CRLF holds the LF that replaces it.
    """
    bom = text.startswith(BOM)
    crs: list[int] = []
    i = text.find("\r\n")
    while i != -1:
        crs.append(i)
        i = text.find("\r\n", i + 2)
    return normalize_text(text), OffsetShift(crs, bom=bom)


class OffsetShift:
    """Maps offsets of a text to offsets after its BOM and the CRs of its CRLFs went."""

    __slots__ = ("_bom", "_crs")

    def __init__(self, crs: list[int], *, bom: bool = False) -> None:
        self._crs = crs
        self._bom = bom

    def start(self, offset: int) -> int:
        """A start offset: a position between CR and LF stays on the LF."""
        if not self._crs and not self._bom:
            return offset  # the common case, per span of a big import: no work
        from bisect import bisect_left

        moved = offset - bisect_left(self._crs, offset) if self._crs else offset
        return max(0, moved - 1) if self._bom and offset > 0 else moved

    def end(self, offset: int) -> int:
        """An end offset: one that ends after a CR of a CRLF takes the LF with it."""
        if not self._crs and not self._bom:
            return offset
        moved = self.start(offset)
        if self._crs and offset > 0:
            from bisect import bisect_left

            k = bisect_left(self._crs, offset - 1)
            if k < len(self._crs) and self._crs[k] == offset - 1:
                moved += 1
        return moved


def content_hash(text: str) -> str:
    """Identity of a document's reading text, used to find duplicates across imports."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def excerpt(text: str, limit: int = 80) -> str:
    """A one-line excerpt for lists and messages."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
