"""Sentences and paragraphs with exact offsets, for passage mode, passage export and agreement.

Rule based and deterministic: no model downloads, the same input always gives the
same passages, and every passage is a ``[start, end)`` range with surrounding
whitespace trimmed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PassageKind = Literal["sentence", "paragraph"]

_PARA_BREAK = re.compile(r"\n[ \t\u00a0]*\n\s*")
# End of sentence: terminal punctuation, optional closing quotes/brackets, then whitespace;
# or a CJK full stop, exclamation or question mark (。！？, and the half-width ｡), which
# ends a sentence with no space after it (Chinese and Japanese write none).
_SENT_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|[。！？｡]+[」』”’）)\]]*|\n")
_ABBREV = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "jr",
        "sr",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "u.n",
        "no",
        "fig",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "maj",
        "adm",
        "gov",
        "sen",
        "rep",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "inc",
        "ltd",
        "co",
        "corp",
    ]
)


@dataclass(frozen=True, slots=True)
class Passage:
    start: int
    end: int
    kind: PassageKind

    def text_in(self, text: str) -> str:
        return text[self.start : self.end]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def paragraphs(text: str) -> list[Passage]:
    """Blocks separated by blank lines."""
    out: list[Passage] = []
    pos = 0
    for m in _PARA_BREAK.finditer(text):
        r = _trimmed(text, pos, m.start())
        if r:
            out.append(Passage(r[0], r[1], "paragraph"))
        pos = m.end()
    r = _trimmed(text, pos, len(text))
    if r:
        out.append(Passage(r[0], r[1], "paragraph"))
    return out


def _is_abbreviation(text: str, end: int) -> bool:
    """Is the word ending at ``end`` (just before a '.') a known abbreviation or an initial?"""
    start = end
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(\"“'":
        start -= 1
    word = text[start:end].lower().rstrip(".")
    if not word:
        return False
    if word in _ABBREV:
        return True
    # Initials such as "J." or "U.S": single letters separated by dots.
    return all(len(part) == 1 and part.isalpha() for part in word.split("."))


def sentences(text: str) -> list[Passage]:
    """Sentences inside paragraphs; a line break always ends a sentence (headings, bullets)."""
    out: list[Passage] = []
    for para in paragraphs(text):
        pos = para.start
        for m in _SENT_END.finditer(text, para.start, para.end):
            if m.group() != "\n":
                if (
                    m.group().startswith(".")
                    and len(m.group()) == 1
                    and _is_abbreviation(text, m.start())
                ):
                    continue
                nxt = m.end()
                while nxt < para.end and text[nxt] in " \t":
                    nxt += 1
                if nxt < para.end and text[nxt].islower():
                    continue
            r = _trimmed(text, pos, m.end() if m.group() != "\n" else m.start())
            if r:
                out.append(Passage(r[0], r[1], "sentence"))
            pos = m.end()
        r = _trimmed(text, pos, para.end)
        if r:
            out.append(Passage(r[0], r[1], "sentence"))
    return out


def passages(text: str, kind: PassageKind) -> list[Passage]:
    return sentences(text) if kind == "sentence" else paragraphs(text)


def passage_at(items: list[Passage], offset: int) -> int | None:
    """Index of the passage containing ``offset``, or of the next one after it."""
    from bisect import bisect_right

    i = bisect_right([p.start for p in items], offset) - 1
    if i >= 0 and offset < items[i].end:
        return i
    return i + 1 if i + 1 < len(items) else (i if i >= 0 else None)
