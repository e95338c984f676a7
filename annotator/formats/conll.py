"""CoNLL-style token/BIO (IOB2): one token per line ``token<TAB>tag``, blank line between
sentences, ``-DOCSTART-`` before each document.

Layout of one document::

    -DOCSTART-<TAB>O
    # doc_id = 12
    # text = "the whole text as a JSON string"
    # meta = {"title": ...}
    # columns = token tag            (layers: token LABEL_A LABEL_B ...)

    Troops<TAB>B-MILITARY
    moved<TAB>O

Tokens come from ``annotator.core.tokenize``, broken at span boundaries; whitespace
tokens are not written. Sentences come from ``annotator.core.segment``, except that a
sentence break is never written inside a span (the sentences it crosses are written
as one). The ``# text =`` line lets the reader rebuild the exact text and every
offset (code points), so a round trip gives the same text and spans; without it
(a foreign file) the reader joins tokens with spaces and sentences with newlines.

Overlaps, by option ``overlap``:

* ``longest`` (default): one tag column; the longest span wins and every span it
  overlaps is reported as dropped.
* ``layers``: one tag column per label (the export's label order); only spans of the
  same label can still collide, and the longer one wins.

Also reported as dropped: spans that do not align with tokens (a boundary inside a
character cluster) and spans that begin or end with whitespace. CoNLL has no place
for the annotator or notes: all chosen annotators' spans meet in the same columns,
and the reader gives every span the annotator named at import.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from annotator.core.errors import InputError
from annotator.core.model import AnnotatedDocument, Document, NewSpan, SpanOrigin
from annotator.core.segment import sentences
from annotator.core.tokenize import Token
from annotator.formats.base import (
    ExportItem,
    ExportOption,
    ExportReport,
    FormatBase,
    atomic_write,
    doc_label,
)
from annotator.formats.common import AnySpan, build_document, record_text
from annotator.formats.jsonl import document_meta
from annotator.formats.tokens import aligned_tokens

DOCSTART = "-DOCSTART-"
LOSES_OVERLAP = "overlaps a longer span (CoNLL keeps one tag per token; longest wins)"
LOSES_SAME_LABEL = "overlaps a longer span of the same label (one column per label)"
EDGE_SPACE = "begins or ends with whitespace, which CoNLL does not write"
Sentence = list[tuple[int, str, list[str]]]
"""(line number, token, tags) per token line."""


class ConllBio(FormatBase):
    NAME: ClassVar[str] = "conll"
    TITLE: ClassVar[str] = "CoNLL token/BIO (IOB2)"
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".conll", ".bio", ".iob")
    OPTIONS: ClassVar[tuple[ExportOption, ...]] = (
        ExportOption("overlap", "longest", ("longest", "layers"), "how to write overlapping spans"),
        ExportOption("label_order", (), help="tag columns in layers mode", internal=True),
    )

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.overlap: str = self.options["overlap"]
        self.label_order: tuple[str, ...] = tuple(self.options["label_order"])

    def write(self, items: Iterable[ExportItem], dest: Path, report: ExportReport) -> None:
        with atomic_write(dest) as fh:
            for doc, spans in items:
                fh.write(self._document(doc, spans, report))
                report.documents += 1
        report.paths.append(str(dest))

    def _document(self, doc: Document, spans: Sequence[AnySpan], report: ExportReport) -> str:
        tokens, placed = aligned_tokens(doc, spans, report)
        keep = [i for i, t in enumerate(tokens) if not t.is_space]
        row_of = {tok_i: row for row, tok_i in enumerate(keep)}
        ranges: list[tuple[AnySpan, int, int]] = []
        for sp, a, b in placed:
            if a not in row_of or b not in row_of:
                report.drop(doc, sp, EDGE_SPACE)
            else:
                ranges.append((sp, row_of[a], row_of[b]))
        if self.overlap == "layers":
            seen = {sp.label for sp, _, _ in ranges}
            columns = [*self.label_order, *sorted(seen - set(self.label_order))] or ["tag"]
            reason = LOSES_SAME_LABEL
        else:
            columns = ["tag"]
            reason = LOSES_OVERLAP
        tags = [["O"] * len(keep) for _ in columns]
        col_of = {lab: i for i, lab in enumerate(columns)}
        for sp, a, b in sorted(
            ranges, key=lambda r: (-(r[0].end - r[0].start), r[0].start, r[0].label)
        ):
            col = tags[col_of.get(sp.label, 0)]
            if any(col[i] != "O" for i in range(a, b + 1)):
                report.drop(doc, sp, reason)
                continue
            col[a] = f"B-{sp.label}"
            for i in range(a + 1, b + 1):
                col[i] = f"I-{sp.label}"
            report.spans_per_label[sp.label] += 1
        breaks = _sentence_starts(doc.text, [tokens[i] for i in keep])
        for _, a, b in ranges:
            breaks.difference_update(range(a + 1, b + 1))
        out = [DOCSTART + "\tO" * len(columns), f"# doc_id = {doc_label(doc)}"]
        out.append("# text = " + json.dumps(doc.text, ensure_ascii=False))
        out.append("# meta = " + json.dumps(document_meta(doc), ensure_ascii=False))
        out.append("# columns = " + " ".join(["token", *columns]))
        for row, tok_i in enumerate(keep):
            if row == 0 or row in breaks:
                out.append("")
            out.append("\t".join([tokens[tok_i].text, *(c[row] for c in tags)]))
        return "\n".join(out) + "\n\n"

    def can_read(self, path: Path) -> bool:
        return path.suffix.lower() in self.EXTENSIONS

    def read(
        self, path: Path, *, default_annotator: str = "imported"
    ) -> Iterator[AnnotatedDocument]:
        name = str(path)
        block: list[tuple[int, str]] = []
        with path.open("rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                try:
                    line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8").rstrip("\r\n")
                except UnicodeDecodeError as exc:
                    raise InputError(
                        f"invalid UTF-8 ({exc.reason})", path=name, line=lineno
                    ) from exc
                if line.split("\t", 1)[0].split(" ", 1)[0] == DOCSTART:
                    if _is_document(block):
                        yield _parse_document(block, name, default_annotator)
                    block = []
                    continue
                block.append((lineno, line))
        if _is_document(block):
            yield _parse_document(block, name, default_annotator)


def _sentence_starts(text: str, tokens: list[Token]) -> set[int]:
    """Rows (indexes into ``tokens``) that begin a new sentence."""
    starts = [p.start for p in sentences(text)]
    out: set[int] = set()
    last = -1
    for row, tok in enumerate(tokens):
        sent = bisect.bisect_right(starts, tok.start) - 1
        if row and sent != last:
            out.add(row)
        last = sent
    return out


def _is_document(block: list[tuple[int, str]]) -> bool:
    """Token lines, or our ``# text =`` line (a document may have no tokens at all)."""
    return any(
        (line.strip() and not _is_comment(line)) or line.startswith("# text = ")
        for _, line in block
    )


def _is_comment(line: str) -> bool:
    return line.startswith("#") and "\t" not in line


def _parse_document(
    block: list[tuple[int, str]], path: str, default_annotator: str
) -> AnnotatedDocument:
    given_text: str | None = None
    meta: dict[str, Any] = {}
    doc_id = ""
    first_line = block[0][0] if block else 0
    sents: list[Sentence] = [[]]
    width = -1
    for lineno, line in block:
        if _is_comment(line):
            key, sep, value = line[1:].strip().partition(" = ")
            if not sep:
                continue
            try:
                if key == "text":
                    given_text = json.loads(value)
                elif key == "meta":
                    meta = json.loads(value)
            except (ValueError, RecursionError) as exc:  # also 4,300+ digit integers
                raise InputError(
                    f"# {key} = is not valid JSON ({getattr(exc, 'msg', exc)})",
                    path=path,
                    line=lineno,
                ) from exc
            if key == "doc_id":
                doc_id = value
            continue
        if not line.strip():
            if sents[-1]:
                sents.append([])
            continue
        cells = line.split("\t") if "\t" in line else line.split()
        if len(cells) < 2:
            raise InputError("expected 'token<TAB>tag'", path=path, line=lineno)
        if width not in (-1, len(cells)):
            raise InputError(
                f"expected {width} columns, found {len(cells)}", path=path, line=lineno
            )
        width = len(cells)
        sents[-1].append((lineno, cells[0], cells[1:]))
    sents = [s for s in sents if s]
    if given_text is not None and not isinstance(given_text, str):
        raise InputError("# text = must hold a JSON string", path=path, line=first_line)
    if not isinstance(meta, dict):
        raise InputError("# meta = must hold a JSON object", path=path, line=first_line)
    if given_text is None:
        text = "\n".join(" ".join(tok for _, tok, _ in s) for s in sents)
    else:
        text = record_text(given_text, True, path, first_line)
    offsets = _locate(text, sents, path, first_line)
    spans: list[NewSpan] = []
    for col in range(max(width - 1, 0)):
        for start, end, label in _bio_spans(sents, offsets, col, path):
            spans.append(NewSpan(start, end, label, default_annotator, origin=SpanOrigin.IMPORTED))
    spans.sort(key=lambda s: (s.start, s.end, s.label))
    doc = build_document(text, meta, doc_id, path, first_line)
    return AnnotatedDocument(doc, tuple(spans), line=first_line)


def _locate(
    text: str, sents: list[Sentence], path: str, first_line: int | None = None
) -> list[list[tuple[int, int]]]:
    """Offsets of each token, found in order in ``text`` with only whitespace between."""
    out: list[list[tuple[int, int]]] = []
    pos = 0
    for sent in sents:
        row: list[tuple[int, int]] = []
        for lineno, tok, _ in sent:
            while pos < len(text) and text[pos].isspace() and not text.startswith(tok, pos):
                pos += 1
            if not text.startswith(tok, pos):
                found = text[pos : pos + len(tok)]
                raise InputError(
                    f"token {tok!r} does not match the text here ({found!r})",
                    path=path,
                    line=lineno,
                )
            row.append((pos, pos + len(tok)))
            pos += len(tok)
        out.append(row)
    if text[pos:].strip():
        last = next((sent[-1][0] for sent in reversed(sents) if sent), first_line or None)
        raise InputError("the # text = line has text after the last token", path=path, line=last)
    return out


def _bio_spans(
    sents: list[Sentence], offsets: list[list[tuple[int, int]]], col: int, path: str
) -> Iterator[tuple[int, int, str]]:
    for sent, offs in zip(sents, offsets, strict=True):
        open_label: str | None = None
        start = end = 0
        for (lineno, _, tags), (s, e) in zip(sent, offs, strict=True):
            tag = tags[col]
            if tag == "O":
                kind, label = "O", ""
            elif len(tag) > 2 and tag[1] == "-" and tag[0] in "BI":
                kind, label = tag[0], tag[2:]
            else:
                raise InputError(
                    f"tag {tag!r} is not O, B-LABEL or I-LABEL", path=path, line=lineno
                )
            if open_label is not None and (kind != "I" or label != open_label):
                yield start, end, open_label
                open_label = None
            if kind == "O":
                continue
            if open_label is None:  # B-, or an I- that starts a span (IOB1 style)
                open_label, start = label, s
            end = e
        if open_label is not None:
            yield start, end, open_label
