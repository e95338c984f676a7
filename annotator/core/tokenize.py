"""Deterministic, offset-exact tokens for the token-based formats (Prodigy, spaCy, CoNLL).

Rules, in order:

* Text is first cut into character clusters that are never split: a base character
  with its combining marks (``e`` + U+0301), variation selectors, emoji modifiers
  (skin tones), tag characters, keycap marks, ZWJ-joined emoji sequences
  (👨‍👩‍👧) and regional-indicator pairs (flags). An astral character is one code
  point in a Python ``str``, so it can never be split either.
* A run of word clusters (letters, digits, ``_``, and their marks) is one token; every
  other non-space cluster (punctuation, symbols, emoji) is a token of its own.
* ``ws`` is what spaCy calls ``whitespace_``: true when the token is followed by one
  ordinary space (U+0020), which belongs to that token. Any other whitespace (a second
  space, a newline, a tab) becomes a whitespace token, as spaCy does, so
  ``"".join(t.text + (" " if t.ws else "") for t in tokens) == text`` always holds.
* ``boundaries`` forces extra token breaks (the exporters pass span starts and ends),
  so a span never has to be widened or dropped just because a word ran on. A forced
  break inside a cluster is ignored: that span does not align and is reported.

Offsets are code points (Python ``str`` indices), like everything in the app.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

ZWJ = "\u200d"


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int
    ws: bool

    @property
    def is_space(self) -> bool:
        return self.text.isspace()


def _extends(ch: str) -> bool:
    """Does ``ch`` attach to the character before it?"""
    o = ord(ch)
    if 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF:  # variation selectors
        return True
    if 0x1F3FB <= o <= 0x1F3FF or 0xE0020 <= o <= 0xE007F:  # skin tones, tag characters
        return True
    if o == 0x20E3:  # combining enclosing keycap
        return True
    return unicodedata.category(ch) in ("Mn", "Mc", "Me")


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def cluster_bounds(text: str) -> list[int]:
    """Offsets where a cluster starts, plus ``len(text)``: the only places a token may break."""
    out: list[int] = []
    i, n = 0, len(text)
    while i < n:
        out.append(i)
        if text[i] == "\r" and i + 1 < n and text[i + 1] == "\n":
            i += 2
            continue
        if _regional(text[i]) and i + 1 < n and _regional(text[i + 1]):
            i += 2
        else:
            i += 1
        while i < n:
            if _extends(text[i]) and not text[i - 1].isspace():
                i += 1
            elif text[i] == ZWJ and not text[i - 1].isspace():
                # ZWJ joins the next character too, when there is a visible one.
                i += 2 if i + 1 < n and not text[i + 1].isspace() else 1
            else:
                break
    out.append(n)
    return out


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def tokenize(text: str, boundaries: Iterable[int] = ()) -> list[Token]:
    """Tokens covering ``text`` exactly; see the module docstring for the rules."""
    bounds = cluster_bounds(text)
    forced = set(boundaries)
    tokens: list[Token] = []
    n = len(text)
    k = 0  # index into bounds
    while k < len(bounds) - 1:
        start = bounds[k]
        ch = text[start]
        if ch.isspace():
            # A single space after a token is that token's ws; longer runs are tokens.
            if (
                ch == " "
                and tokens
                and not tokens[-1].ws
                and not tokens[-1].is_space
                and start not in forced
            ):
                last = tokens[-1]
                tokens[-1] = Token(last.text, last.start, last.end, True)
                k += 1
                continue
            end_k = k + 1
            while (
                end_k < len(bounds) - 1
                and text[bounds[end_k]].isspace()
                and bounds[end_k] not in forced
            ):
                end_k += 1
        elif _is_word(ch):
            end_k = k + 1
            while (
                end_k < len(bounds) - 1
                and _is_word(text[bounds[end_k]])
                and bounds[end_k] not in forced
            ):
                end_k += 1
        else:
            end_k = k + 1
        end = bounds[end_k] if end_k < len(bounds) else n
        tokens.append(Token(text[start:end], start, end, False))
        k = end_k
    return tokens


def token_index(tokens: list[Token]) -> tuple[dict[int, int], dict[int, int]]:
    """Maps from a token's start offset and from its end offset to its index."""
    return {t.start: i for i, t in enumerate(tokens)}, {t.end: i for i, t in enumerate(tokens)}


def join_tokens(tokens: Iterable[Token]) -> str:
    return "".join(t.text + (" " if t.ws else "") for t in tokens)
