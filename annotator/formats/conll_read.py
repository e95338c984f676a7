"""Reading CoNLL-style column files: CoNLL-2003 (``EU NNP B-NP B-ORG``), two-column
``token tag`` files (tab or spaces), our own export with its ``.meta`` side file or
``# text =`` comments, and spaCy's ``.iob`` layout (one sentence per line, tokens
``word|tag`` or ``word|POS|tag``).

The NER tag is always the LAST column (the others are POS, chunk or anything else and
are ignored), unless our side file or ``# columns =`` line names several tag columns
(``overlap=layers`` exports). Tags are IOB2 or IOB1 (``O``, ``B-X``, ``I-X``); labels
are percent-decoded (``KEY%20EVENT`` -> ``KEY EVENT``), the safe form our writer uses.
Without the exact text, the text is rebuilt: tokens joined by spaces, sentences by
newlines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from annotator.core.errors import InputError
from annotator.core.model import AnnotatedDocument, NewSpan, SpanOrigin
from annotator.formats.common import build_document, record_text

DOCSTART = "-DOCSTART-"
_COMMENT = re.compile(r"^# (doc_id|text|meta|columns) = (.*)$")
_TAG = re.compile(r"^(O|[BI]-.+)$")
Row = tuple[int, str, list[str]]
"""(line number, token, tag columns) per token."""


def side_file(path: Path) -> Path:
    """Where the exact texts and metadata of a CoNLL export go: ``out.conll.meta``."""
    return path.with_name(path.name + ".meta")


def _decode_lines(path: Path) -> Iterator[tuple[int, str]]:
    name = str(path)
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"invalid UTF-8 ({exc.reason})", path=name, line=lineno) from exc
            yield lineno, line.rstrip("\r\n")


def _side_records(path: Path) -> list[dict[str, Any]] | None:
    meta = side_file(path)
    if not meta.is_file():
        return None
    out = []
    for lineno, line in _decode_lines(meta):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError) as exc:  # also 4,300+ digit integers
            raise InputError(
                f"invalid JSON ({getattr(exc, 'msg', exc)})", path=str(meta), line=lineno
            ) from exc
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
            raise InputError("expected an object with a 'text' string", path=str(meta), line=lineno)
        out.append(rec)
    return out


def read_conll(path: Path, default_annotator: str) -> Iterator[AnnotatedDocument]:
    name = str(path)
    side = _side_records(path)
    n = 0
    block: list[tuple[int, str]] = []

    started = False

    def flush() -> Iterator[AnnotatedDocument]:
        nonlocal n
        # With a side file every -DOCSTART- opens a document, even one without tokens.
        if not (_is_document(block) or (side is not None and started)):
            return
        rec = None
        if side is not None:
            if n >= len(side):
                raise InputError(
                    f"{side_file(path).name} has {len(side)} document(s), the file more",
                    path=name,
                    line=block[0][0],
                )
            rec = side[n]
        n += 1
        yield _parse_document(block, name, default_annotator, rec)

    for lineno, line in _decode_lines(path):
        if line.split(None, 1)[:1] == [DOCSTART]:
            yield from flush()
            block = []
            started = True
            continue
        block.append((lineno, line))
    yield from flush()
    if side is not None and n != len(side):
        raise InputError(
            f"{side_file(path).name} has {len(side)} document(s) but the file has {n}",
            path=name,
        )


def _is_document(block: list[tuple[int, str]]) -> bool:
    """Token lines, or our ``# text =`` line (a document may have no tokens at all)."""
    return any(
        (line.strip() and not _COMMENT.match(line)) or line.startswith("# text = ")
        for _, line in block
    )


def _iob_cells(line: str) -> list[list[str]] | None:
    """The tokens of a spaCy ``.iob`` line (``w|O w|B-X`` or ``w|POS|O ...``), else None."""
    cells = line.split()
    if not cells or "\t" in line:
        return None
    parts = [c.rsplit("|", 1) for c in cells]
    if all(len(p) == 2 and p[0] and _TAG.match(p[1]) for p in parts):
        return [[p[0].split("|", 1)[0], p[1]] for p in parts]
    return None


def _parse_document(
    block: list[tuple[int, str]], path: str, default_annotator: str, rec: dict[str, Any] | None
) -> AnnotatedDocument:
    given_text: Any = rec.get("text") if rec else None
    meta: Any = rec.get("meta", {}) if rec else {}
    doc_id: Any = rec.get("doc_id", "") if rec else ""
    columns: Any = rec.get("columns") if rec else None
    first_line = block[0][0] if block else 0
    sents: list[list[Row]] = [[]]
    width = -1
    for lineno, line in block:
        m = _COMMENT.match(line)
        if m:
            key, value = m.groups()
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
            elif key == "columns":
                columns = value.split()[1:]
            continue
        if not line.strip():
            if sents[-1]:
                sents.append([])
            continue
        iob = _iob_cells(line)
        if iob is not None and (width == -1 or width == 0):
            width = 0  # a whole sentence on one line
            sents[-1].extend((lineno, tok, [tag]) for tok, tag in iob)
            sents.append([])
            continue
        cells = line.split("\t") if "\t" in line else line.split()
        if len(cells) < 2:
            raise InputError(
                "expected a token and a tag column ('token tag' or CoNLL-2003 "
                "'token POS chunk tag')",
                path=path,
                line=lineno,
            )
        if width not in (-1, len(cells)):
            raise InputError(
                f"expected {width} columns, found {len(cells)}", path=path, line=lineno
            )
        width = len(cells)
        n_tags = len(columns) if isinstance(columns, list) and len(columns) > 1 else 1
        sents[-1].append((lineno, cells[0], cells[-n_tags:]))
    sents = [s for s in sents if s]
    if given_text is not None and not isinstance(given_text, str):
        raise InputError("the document text must be a JSON string", path=path, line=first_line)
    if not isinstance(meta, dict):
        raise InputError("the document meta must be a JSON object", path=path, line=first_line)
    if given_text is None:
        text = "\n".join(" ".join(tok for _, tok, _ in s) for s in sents)
    else:
        text = record_text(given_text, True, path, first_line)
    offsets = _locate(text, sents, path)
    spans: list[NewSpan] = []
    n_cols = max((len(tags) for s in sents for _, _, tags in s), default=0)
    for col in range(n_cols):
        for start, end, label in _bio_spans(sents, offsets, col, path):
            spans.append(NewSpan(start, end, label, default_annotator, origin=SpanOrigin.IMPORTED))
    spans.sort(key=lambda s: (s.start, s.end, s.label))
    doc = build_document(text, meta, doc_id, path, first_line)
    return AnnotatedDocument(doc, tuple(spans), line=first_line)


def _locate(text: str, sents: list[list[Row]], path: str) -> list[list[tuple[int, int]]]:
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
        last = next((sent[-1][0] for sent in reversed(sents) if sent), None)
        raise InputError("the document text goes on after the last token", path=path, line=last)
    return out


def _bio_spans(
    sents: list[list[Row]], offsets: list[list[tuple[int, int]]], col: int, path: str
) -> Iterator[tuple[int, int, str]]:
    for sent, offs in zip(sents, offsets, strict=True):
        open_label: str | None = None
        start = end = 0
        for (lineno, _, tags), (s, e) in zip(sent, offs, strict=True):
            tag = tags[col]
            if tag == "O":
                kind, label = "O", ""
            elif _TAG.match(tag):
                kind, label = tag[0], unquote(tag[2:])
            else:
                raise InputError(
                    f"tag {tag!r} in the last column is not O, B-LABEL or I-LABEL",
                    path=path,
                    line=lineno,
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
