"""Leftovers of a PDF in a plain-text article: page breaks, captions, page furniture.

Text copied out of a PDF keeps the page layout: a sentence cut by a page break continues
after a blank line (``... before the Trump administration`` / ``comes to power.``), a
hyphenated word is split across pages (``agree-`` / ``ment disallows``), and the photo
caption, page number or running header printed between the two halves sits in the
middle of the sentence. Read as they are, the pieces become sentences of their own.

:func:`repair` rejoins the halves and takes out what it can recognise as furniture:

* a **photo caption**: a one-line paragraph ending in ``(Photo: …)`` / ``(Photo by …)`` or
  starting with ``Photo:``, ``Figure 3:``, ``Map:``… (not ``Source:``, which web articles use
  in their text);
* a **page number**: a paragraph of just ``12``, ``- 12 -``, ``Page 12`` or ``12 of 40``;
* a **running header**: the same short line of words standing alone three times or more
  (not a scene break such as ``* * *``).

A paragraph is joined to the next one only when it stops mid-sentence (no closing
punctuation) and the next one starts with a lower-case letter; a word hyphenated at the
break loses its hyphen. An article without such leftovers comes back unchanged, so
text from web pages and notes is never touched. Nothing is dropped silently: the
removed pieces are returned, for the document's metadata and the import summary.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_PARA_BREAK = re.compile(r"\n[ \t]*\n\s*")
_CAPTION_TAIL = re.compile(r"\((?:photo|photograph|image|picture)s?\b[^()]*\)\s*\Z", re.I)
_CAPTION_HEAD = re.compile(
    r"\A(?:photo|photograph|image|picture|figure|fig\.|chart|table|map)s?"
    r"(?:\s+\d+(?:\.\d+)?)?\s*[:.–—-]\s",
    re.I,
)
_PAGE_NUMBER = re.compile(
    r"\A(?:[-–—]\s*\d{1,4}\s*[-–—]|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r"|\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)\Z",
    re.I,
)
_ENDS_SENTENCE = tuple(".!?:;…\"'”’)]»")
MAX_CAPTION = 300
MAX_HEADER = 100
HEADER_REPEATS = 3

CAPTION = "photo caption(s)"
PAGE_NUMBER = "page number(s)"
RUNNING_HEADER = "running header(s)"
JOINED = "line(s) broken by a page break rejoined"


@dataclass
class Repair:
    text: str
    dropped: list[dict[str, str]] = field(default_factory=list)
    """Each piece taken out: ``{"kind": CAPTION, "text": ...}``, in reading order."""
    counts: Counter[str] = field(default_factory=Counter)
    """What was done: kind -> how many (JOINED, CAPTION, PAGE_NUMBER, RUNNING_HEADER)."""


def _furniture(para: str, headers: set[str]) -> str | None:
    """The kind of page furniture ``para`` is, or None for reading text."""
    if "\n" in para.strip():
        return None
    line = para.strip()
    if _PAGE_NUMBER.match(line):
        return PAGE_NUMBER
    if line in headers:
        return RUNNING_HEADER
    if len(line) <= MAX_CAPTION and (_CAPTION_TAIL.search(line) or _CAPTION_HEAD.match(line)):
        return CAPTION
    return None


def _continues(before: str, after: str, *, joined: bool = False) -> bool:
    """True when ``after`` carries on the sentence ``before`` stops in (``joined``: ``before``
    is the end of a paragraph already joined, so its line is long)."""
    tail = before.rstrip()
    head = after.lstrip()
    if not tail or not head or not head[0].isalpha() or not head[0].islower():
        return False
    last_line = tail.rsplit("\n", 1)[-1]
    if len(last_line) < 40 and not (joined and "\n" not in tail):
        return False  # a heading, a list label, a byline: not a cut sentence
    return not tail.endswith(_ENDS_SENTENCE)


def repair(text: str) -> Repair:
    """``text`` with page-break leftovers repaired (see the module docstring)."""
    breaks = list(_PARA_BREAK.finditer(text))
    if not breaks:
        return Repair(text)
    paras: list[str] = []
    seps: list[str] = []
    start = 0
    for m in breaks:
        paras.append(text[start : m.start()])
        seps.append(m.group())
        start = m.end()
    paras.append(text[start:])
    short = Counter(p.strip() for p in paras if 0 < len(p.strip()) <= MAX_HEADER)
    headers = {
        line
        for line, n in short.items()
        if n >= HEADER_REPEATS
        and "\n" not in line
        and not line.endswith((".", "!", "?"))
        and sum(ch.isalpha() for ch in line) >= 3
    }
    result = Repair(text)
    kept: list[list[str]] = []
    kept_seps: list[str] = []
    sep: str | None = None
    for i, para in enumerate(paras):
        if i > 0 and sep is None:
            sep = seps[i - 1]  # after dropped furniture: the gap before it stays
        kind = _furniture(para, headers) if para.strip() else None
        if kind is not None:
            result.dropped.append({"kind": kind, "text": para.strip()})
            result.counts[kind] += 1
            continue
        if kept and _continues(kept[-1][-1], para, joined=len(kept[-1]) > 1):
            # Pieces, joined once at the end: a long run of joins stays linear.
            pieces = kept[-1]
            prev = pieces[-1].rstrip()
            if re.search(r"[^\W\d_]-\Z", prev):  # "agree-" + "ment": one word again
                pieces[-1] = prev[:-1]
            else:
                pieces[-1] = prev + " "
            pieces.append(para.lstrip())
            result.counts[JOINED] += 1
        else:
            if kept:
                kept_seps.append(sep or "")
            kept.append([para])
        sep = None
    if not result.counts:
        return Repair(text)
    out = ["".join(kept[0])] if kept else []
    for gap, pieces in zip(kept_seps, kept[1:], strict=True):
        out += [gap, *pieces]
    result.text = "".join(out)
    return result
