"""Articles as plain text or Markdown, in the shapes analysts collect them.

Recognised shapes (each yields a clean reading text plus the metadata it holds):

* a pseudo-XML file with ``<TITLE>``, ``<PUBLISHED_DATE>``, ``<URL>``, ``<AUTHOR>``,
  ``<SUMMARY>``, ``<HIGHLIGHTS>`` and ``<CONTENT>`` sections;
* an inline ``date YYYY-MM-DD`` lead before the first sentence;
* a Markdown ``#`` heading (possibly a bare ``#`` with the title on the next line);
* a title repeated on its first two lines;
* a chapter title with a byline in parentheses at the end:
  ``(December 6, 2024, Name,\\nRole, Institution)``.

Plain files fall back to a short first line as the title, else the file name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from annotator.core.errors import InputError
from annotator.core.model import AnnotatedDocument, Document
from annotator.core.segment import sentences
from annotator.core.text import content_hash, normalize_text
from annotator.formats.base import FormatBase
from annotator.formats.decode import check_text, decode_text
from annotator.formats.pdf_leftovers import JOINED, repair

_TAG = re.compile(r"<([A-Z_]+)>(.*?)</\1>", re.DOTALL)
_DATE_LEAD = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*")
_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_LONG_DATE = re.compile(r"\b([A-Z][a-z]+)\.? (\d{1,2}), (\d{4})\b")
_BYLINE = re.compile(r"\n\(([^()]{5,400})\)\s*\Z")
_APPEARED = re.compile(
    r"\n[ \t]*This (?:post|article|story) (?:first )?appeared (?:first )?on ([\w.-]+\.\w+)"
    r"\.?[ \t]*\s*\Z",
    re.IGNORECASE,
)
MAX_TITLE = 200


@dataclass
class ParsedArticle:
    text: str
    title: str = ""
    published: dt.date | None = None
    author: str = ""
    url: str = ""
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    repairs: Counter[str] = field(default_factory=Counter)
    """What :func:`repair` did to the text (page breaks joined, captions dropped...)."""


def _iso_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _long_date(value: str) -> dt.date | None:
    m = _LONG_DATE.search(value)
    if not m or m.group(1).lower() not in _MONTHS:
        return None
    try:
        return dt.date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    except ValueError:
        return None


def _first_sentence_title(text: str) -> str:
    sents = sentences(text)
    if not sents:
        return ""
    first = " ".join(sents[0].text_in(text).split())
    return first if len(first) <= 100 else first[:99].rsplit(" ", 1)[0] + "…"


def _parse_tagged(text: str, path: str) -> ParsedArticle | None:
    tags = {m.group(1): m.group(2).strip() for m in _TAG.finditer(text)}
    if "CONTENT" not in tags:
        return None
    meta: dict[str, Any] = {}
    for key in ("SUMMARY", "HIGHLIGHTS"):
        if tags.get(key):
            meta[key.lower()] = tags[key]
    url = tags.get("URL", "")
    host = re.match(r"https?://(?:www\.)?([^/]+)", url)
    return ParsedArticle(
        text=tags["CONTENT"],
        title=" ".join(tags.get("TITLE", "").split()),
        published=_iso_date(tags.get("PUBLISHED_DATE", "")),
        author=tags.get("AUTHOR", ""),
        url=url,
        source=host.group(1) if host else "",
        meta=meta,
    )


def _split_title(lines: list[str]) -> tuple[str, int]:
    """(title, index of the first body line) from the leading lines, or ("", 0)."""
    idx = [i for i, ln in enumerate(lines) if ln.strip()]
    if not idx:
        return "", 0
    first = lines[idx[0]].strip()
    if first.startswith("#"):
        heading = first.lstrip("#").strip()
        if heading:
            return heading, idx[0] + 1
        # A bare "#": the title is the next non-empty line.
        if len(idx) > 1:
            return lines[idx[1]].strip(), idx[1] + 1
        return "", idx[0] + 1
    if len(idx) > 1 and lines[idx[1]].strip() == first and len(first) <= MAX_TITLE:
        return first, idx[1] + 1
    looks_like_heading = len(first) <= MAX_TITLE and not first.endswith((".", ",", ";"))
    if looks_like_heading and len(idx) > 1:
        return first, idx[0] + 1
    return "", 0


def parse_article(raw: str, path: str) -> ParsedArticle:
    text = normalize_text(raw)
    check_text(text, path)
    tagged = _parse_tagged(text, path)
    if tagged is not None:
        art = tagged
    else:
        art = ParsedArticle(text=text)
        m = _DATE_LEAD.match(text)
        if m:
            art.published = _iso_date(m.group(1))
            art.text = text[m.end() :]
        else:
            lines = text.split("\n")
            title, body_start = _split_title(lines)
            if title:
                art.title = " ".join(title.split())
                art.text = "\n".join(lines[body_start:])
        byline = _BYLINE.search(art.text)
        if byline:
            parts = [p.strip() for p in " ".join(byline.group(1).split()).split(",") if p.strip()]
            date = _long_date(byline.group(1))
            if date is not None:
                art.published = art.published or date
                # "December 6, 2024, Name, Role, Institution": who follows the year.
                year = str(date.year)
                rest = parts[parts.index(year) + 1 :] if year in parts else []
                if rest:
                    art.author = rest[0]
                if len(rest) > 1:
                    art.meta["affiliation"] = ", ".join(rest[1:])
                    art.source = rest[-1]
                art.text = art.text[: byline.start()]
        appeared = _APPEARED.search(art.text)
        if appeared:
            art.source = appeared.group(1)
            art.text = art.text[: appeared.start()]
    fixed = repair(art.text)
    if fixed.counts:
        art.text = fixed.text
        art.repairs = fixed.counts
        art.meta["dropped_furniture"] = fixed.dropped
    art.text = art.text.strip("\n").rstrip()
    if not art.text.strip():
        raise InputError("has no text to annotate after its metadata", path=path)
    if not art.title:
        art.title = _first_sentence_title(art.text) or Path(path).stem
    return art


class PlainTextImporter(FormatBase):
    NAME: ClassVar[str] = "text"
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".txt", ".md", ".markdown", ".text")

    def can_read(self, path: Path) -> bool:
        return path.suffix.lower() in self.EXTENSIONS

    def read(self, path: Path, *, default_annotator: str = "") -> Iterator[AnnotatedDocument]:
        data = path.read_bytes()
        art = parse_article(decode_text(data, str(path)), str(path))
        for kind, n in art.repairs.items():
            if kind == JOINED:
                self.repaired[kind] += n
            else:  # kept in the document's metadata, not in its text
                self.skipped[f"{kind} (kept in the metadata, not the text)"] += n
        yield AnnotatedDocument(
            Document(
                text=art.text,
                title=art.title,
                source=art.source,
                author=art.author,
                url=art.url,
                published=art.published,
                content_hash=content_hash(art.text),
                source_path=path.name,
                source_sha256=hashlib.sha256(data).hexdigest(),
                meta=art.meta,
            )
        )
