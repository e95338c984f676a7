"""Prodigy / spaCy-style JSONL: ``text``, ``tokens``, ``spans``, hashes, ``answer``, ``meta``.

One task per document and annotator (``_annotator_id`` and ``_session_id`` name the
annotator, as in a Prodigy multi-session dataset). Tokens come from
``annotator.core.tokenize`` broken at every span boundary, each
``{"text", "start", "end", "id", "ws"}`` with spaCy's ``ws``; whitespace runs other
than one trailing space are tokens, as spaCy makes them. Spans are
``{"start", "end", "token_start", "token_end", "label"}`` with ``token_end``
inclusive. A span whose boundary splits a character cluster cannot be a token range
and is reported as dropped ("does not align with tokens").

Offsets are code points of ``text``. ``_input_hash`` and ``_task_hash`` are stable
signed 32-bit integers from SHA-256 of the text (and of the annotator and spans):
deterministic, but not Prodigy's own MurmurHash values. The reader takes only
``"answer": "accept"`` tasks (and tasks without an answer); rejected and ignored tasks
are skipped, as Prodigy's own training commands do, and counted in ``skipped``
for the import report.

Document labels are written as Prodigy's ``choice`` interface saves them, beside the spans
(a ``blocks`` task of ``ner_manual`` and ``choice``): ``options`` lists the document's
labels (``{"id": label, "text": label}``), ``accept`` the ids the task's annotator chose.
An annotator who gave labels but drew no span gets a task of their own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from annotator.core.errors import InputError
from annotator.core.model import AnnotatedDocument, NewSpan, SpanOrigin
from annotator.formats.base import (
    ExportItem,
    ExportReport,
    FormatBase,
    atomic_write,
    doc_label,
)
from annotator.formats.common import (
    build_document,
    check_range,
    doc_labels_of,
    iter_json_lines,
    json_line,
    layers_of,
    record_text,
)
from annotator.formats.jsonl import document_meta
from annotator.formats.tokens import aligned_tokens

LOST_NOTES = "note of a span (Prodigy spans have no place for notes)"


def stable_hash(*parts: str) -> int:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


class ProdigyJsonl(FormatBase):
    NAME: ClassVar[str] = "prodigy"
    TITLE: ClassVar[str] = "Prodigy / spaCy-style JSONL (tokens and spans)"
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".jsonl",)
    CARRIES_DOC_LABELS: ClassVar[bool] = True

    def write(self, items: Iterable[ExportItem], dest: Path, report: ExportReport) -> None:
        with atomic_write(dest) as fh:
            for doc, spans in items:
                tokens, placed = aligned_tokens(doc, spans, report)
                tok_json = [
                    {"text": t.text, "start": t.start, "end": t.end, "id": i, "ws": t.ws}
                    for i, t in enumerate(tokens)
                ]
                meta = {"doc_id": doc_label(doc), **document_meta(doc)}
                input_hash = stable_hash(doc.text)
                where = {id(sp): (a, b) for sp, a, b in placed}
                whole = doc_labels_of(self.doc_labels, doc)
                options = sorted({x for v in whole.values() for x in v})
                for annotator, group, chosen in layers_of((sp for sp, _, _ in placed), whole):
                    out_spans = [
                        {
                            "start": sp.start,
                            "end": sp.end,
                            "token_start": where[id(sp)][0],
                            "token_end": where[id(sp)][1],
                            "label": sp.label,
                        }
                        for sp in group
                    ]
                    key = json.dumps(
                        [annotator, [[s["start"], s["end"], s["label"]] for s in out_spans]]
                        + ([chosen] if chosen else [])
                    )
                    task: dict[str, Any] = {
                        "text": doc.text,
                        "tokens": tok_json,
                        "spans": out_spans,
                        "_input_hash": input_hash,
                        "_task_hash": stable_hash(doc.text, key),
                        "answer": "accept",
                        "meta": meta,
                    }
                    if options:
                        task["options"] = [{"id": x, "text": x} for x in options]
                        task["accept"] = list(chosen)
                        report.doc_labels += len(chosen)
                    if annotator:
                        task["_annotator_id"] = annotator
                        task["_session_id"] = annotator
                    fh.write(json_line(task))
                    fh.write("\n")
                    report.spans_per_label.update(sp.label for sp in group)
                    report.lose(LOST_NOTES, sum(1 for sp in group if sp.note))
                report.documents += 1
        report.paths.append(str(dest))

    def can_read(self, path: Path) -> bool:
        return False  # .jsonl is the native format's; Prodigy needs --format prodigy

    def read(
        self, path: Path, *, default_annotator: str = "imported"
    ) -> Iterator[AnnotatedDocument]:
        name = str(path)
        for lineno, rec in iter_json_lines(path):
            answer = rec.get("answer", "accept")
            if answer != "accept":
                self.skipped[f"{answer!s} answers (only accept is imported)"] += 1
                continue
            raw_spans = rec.get("spans") or []
            if not isinstance(raw_spans, list):
                raise InputError("'spans' must be a list", path=name, line=lineno)
            text = record_text(rec.get("text"), bool(raw_spans), name, lineno)
            _check_tokens(rec.get("tokens"), text, name, lineno)
            annotator = str(rec.get("_annotator_id") or default_annotator)
            whole = _document_labels(rec, name, lineno)
            spans = []
            for i, sp in enumerate(raw_spans, 1):
                where = f"span {i}"
                if not isinstance(sp, dict):
                    raise InputError(f"{where} must be an object", path=name, line=lineno)
                if sp.get("answer", "accept") != "accept":
                    # Prodigy's span-level review (spans.manual with answers per span):
                    # a span rejected inside an accepted task is no annotation.
                    self.skipped[f"spans answered {sp.get('answer')!s} inside accepted tasks"] += 1
                    continue
                label = sp.get("label")
                if not isinstance(label, str) or not label.strip():
                    raise InputError(
                        f"{where}: 'label' must be a non-empty string", path=name, line=lineno
                    )
                start, end = check_range(
                    text, sp.get("start"), sp.get("end"), where, name, lineno, sp.get("text")
                )
                spans.append(
                    NewSpan(start, end, label.strip(), annotator, origin=SpanOrigin.IMPORTED)
                )
            meta = rec.get("meta") or {}
            if not isinstance(meta, dict):
                raise InputError("'meta' must be an object", path=name, line=lineno)
            meta = dict(meta)
            doc_id = meta.pop("doc_id", None)
            yield AnnotatedDocument(
                build_document(text, meta, doc_id, name, lineno),
                tuple(spans),
                line=lineno,
                doc_labels={annotator: whole} if whole else {},
            )


def _check_tokens(tokens: Any, text: str, path: str, line: int) -> None:
    """Tokens are optional on input, but when present they must agree with the text."""
    if tokens is None:
        return
    if not isinstance(tokens, list):
        raise InputError("'tokens' must be a list", path=path, line=line)
    for i, tok in enumerate(tokens):
        if not isinstance(tok, dict):
            raise InputError(f"token {i} must be an object", path=path, line=line)
        check_range(
            text, tok.get("start"), tok.get("end"), f"token {i}", path, line, tok.get("text")
        )


def _document_labels(rec: dict[str, Any], path: str, line: int) -> tuple[str, ...]:
    """Labels of the whole text an accepted task gives: a textcat task's ``label`` (when it
    has no spans), a choice task's ``accept`` (option ids; an option's ``text`` when its id
    is a number). They are stored as the annotator's document labels."""
    out: list[str] = []
    label = rec.get("label")
    if isinstance(label, str) and label.strip() and not rec.get("spans"):
        out.append(label.strip())
    accepted = rec.get("accept")
    if isinstance(accepted, list):
        options = rec.get("options")
        text_of = {
            str(o.get("id")): o.get("text")
            for o in (options if isinstance(options, list) else [])
            if isinstance(o, dict) and "id" in o
        }
        for choice in accepted:
            if isinstance(choice, bool) or not isinstance(choice, str | int):
                raise InputError("'accept' must list option ids", path=path, line=line)
            name = str(choice)
            if isinstance(choice, int) and isinstance(text_of.get(name), str):
                name = str(text_of[name])
            if name.strip():
                out.append(name.strip())
    return tuple(dict.fromkeys(out))
