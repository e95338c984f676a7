"""Helpers the JSON-based formats share: reading records, checking spans, building documents."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.core.model import Document, NewSpan, Span
from annotator.core.text import content_hash, normalize_text
from annotator.formats.decode import check_text

MAX_LINE_BYTES = 256 * 1024 * 1024
DOC_FIELDS = ("title", "source", "author", "url", "source_path", "source_sha256")

AnySpan = Span | NewSpan


def by_annotator(spans: Iterable[AnySpan]) -> list[tuple[str, list[AnySpan]]]:
    """Spans grouped per annotator, annotators sorted; one empty group for a bare document."""
    groups: dict[str, list[AnySpan]] = {}
    for sp in spans:
        groups.setdefault(sp.annotator, []).append(sp)
    if not groups:
        return [("", [])]
    return [(name, groups[name]) for name in sorted(groups)]


DocLabels = dict[int, dict[str, list[str]]]
"""document id -> {annotator: [label, ...]}: labels of whole documents, set on an exporter
that carries them by the export service (``CARRIES_DOC_LABELS``)."""


def doc_labels_of(table: DocLabels, doc: Document) -> dict[str, list[str]]:
    """The document's labels per annotator (sorted), from the service's table."""
    found = table.get(doc.id, {}) if doc.id is not None else {}
    return {who: sorted(set(v)) for who, v in sorted(found.items()) if v}


def layers_of(
    spans: Iterable[AnySpan], whole: dict[str, list[str]]
) -> list[tuple[str, list[AnySpan], list[str]]]:
    """(annotator, spans, document labels) per annotator who drew a span or gave the
    document a label, sorted; one empty layer ``("", [], [])`` for a bare document."""
    groups: dict[str, list[AnySpan]] = {}
    for sp in spans:
        groups.setdefault(sp.annotator, []).append(sp)
    for who in whole:
        groups.setdefault(who, [])
    if not groups:
        return [("", [], [])]
    return [(name, groups[name], whole.get(name, [])) for name in sorted(groups)]


def doc_label_names(raw: Any, where: str, path: str, line: int | None) -> tuple[str, ...]:
    """A list of label names (document labels) checked: non-empty strings, trimmed."""
    if not isinstance(raw, list | tuple) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise InputError(f"{where} must be a list of label names", path=path, line=line)
    return tuple(dict.fromkeys(x.strip() for x in raw))


_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def json_line(obj: Any) -> str:
    """JSON on one line for every line splitter, not only ``\\n``: the characters
    ``str.splitlines`` also breaks at (U+2028, U+0085, form feed...) can stand only in
    strings, so they are written as ``\\uXXXX`` escapes (the same JSON value)."""
    return _LINE_BREAKS.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(obj, ensure_ascii=False)
    )


def iter_json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a JSONL file."""
    name = str(path)
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if len(raw) > MAX_LINE_BYTES:
                raise InputError("line is too long to be a record", path=name, line=lineno)
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"invalid UTF-8 ({exc.reason})", path=name, line=lineno) from exc
            yield lineno, load_object(line, name, lineno)


def load_object(line: str, path: str, lineno: int | None) -> dict[str, Any]:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON ({exc.msg} at column {exc.colno})", path=path, line=lineno
        ) from exc
    except RecursionError as exc:
        raise InputError("JSON nested too deeply", path=path, line=lineno) from exc
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise InputError(f"invalid JSON ({exc})", path=path, line=lineno) from exc
    if not isinstance(rec, dict):
        raise InputError("a record must be a JSON object", path=path, line=lineno)
    return rec


def require(
    obj: dict[str, Any], key: str, kind: type, where: str, path: str, line: int | None
) -> Any:
    value = obj.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InputError(
            f"{where}: {key!r} is missing or not a {kind.__name__}", path=path, line=line
        )
    return value


def record_text(raw: Any, has_spans: bool, path: str, line: int | None) -> str:
    """The document text of a record, refused if normalising it would move its offsets."""
    if not isinstance(raw, str):
        raise InputError("'text' is missing or not a string", path=path, line=line)
    text = normalize_text(raw)
    check_text(text, f"{path}:{line}" if line else path)
    if text != raw and has_spans:
        raise InputError(
            "text has CR line ends or a BOM and spans point into it; normalise the text and "
            "its offsets together before import",
            path=path,
            line=line,
        )
    return text


def check_range(
    text: str, start: Any, end: Any, where: str, path: str, line: int | None, said: Any = None
) -> tuple[int, int]:
    """Refuse offsets that are not ints, out of range, or disagree with the span's own text."""
    for v in (start, end):
        if not isinstance(v, int) or isinstance(v, bool):
            raise InputError(f"{where}: offsets must be integers, not {v!r}", path=path, line=line)
    if not 0 <= start < end <= len(text):
        raise InputError(
            f"{where} [{start}, {end}) is out of range for a text of {len(text)} characters",
            path=path,
            line=line,
        )
    if said is not None and said != text[start:end]:
        raise InputError(
            f"{where} [{start}, {end}) says {said!r} but the text there is {text[start:end]!r} "
            "(offsets must be code points, not UTF-16 units or bytes)",
            path=path,
            line=line,
        )
    return start, end


def cats_labels(cats: Any, skipped: Counter[str]) -> tuple[str, ...]:
    """spaCy's ``cats`` ({label: score}) as labels of the whole document: a score of 0.5
    or more is the label (textcat's gold convention, 1.0 yes, 0.0 no); the others are
    counted in the import report."""
    if not isinstance(cats, dict):
        return ()
    out = []
    for label, score in cats.items():
        if not isinstance(label, str) or not label.strip():
            continue
        if isinstance(score, int | float) and not isinstance(score, bool) and score >= 0.5:
            out.append(label.strip())
        else:
            skipped["cats scored below 0.5 (not a label of the document)"] += 1
    return tuple(sorted(set(out)))


def build_document(
    text: str, meta: dict[str, Any], external_id: Any, path: str, line: int | None
) -> Document:
    """A Document from a text and a flat metadata dict (unknown keys stay in ``meta``)."""
    meta = dict(meta)
    published = None
    if meta.get("published"):
        raw = str(meta.pop("published"))
        try:
            published = dt.date.fromisoformat(raw[:10])
        except ValueError:
            raise InputError(
                f"published {raw!r} is not a YYYY-MM-DD date", path=path, line=line
            ) from None
    else:
        meta.pop("published", None)
    fields = {k: str(meta.pop(k, "") or "") for k in DOC_FIELDS}
    meta.pop("content_hash", None)
    return Document(
        text=text,
        title=fields["title"],
        source=fields["source"],
        author=fields["author"],
        url=fields["url"],
        source_path=fields["source_path"],
        source_sha256=fields["source_sha256"],
        published=published,
        content_hash=content_hash(text),
        external_id="" if external_id is None else str(external_id),
        meta=meta,
    )
