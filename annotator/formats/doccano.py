"""doccano sequence-labelling JSONL: ``{"text", "label": [[start, end, "LABEL"], ...], ...}``.

One line per document and annotator (doccano exports one file per user; we keep them
in one file and name the user in ``annotator``). Document metadata goes in top-level
fields (``doc_id``, ``title``, ``source``, ``author``, ``url``, ``published`` and the
document's own meta keys), which is where doccano puts the extra columns it imports.

Offsets are code points of ``text`` (Python ``str`` indices), as doccano's Python
backend counts them. The reader also takes doccano's newer ``entities`` form
(``{"start_offset", "end_offset", "label"}``) and the older ``labels`` key. Notes
and span origins are not part of the format and are not written.
"""

from __future__ import annotations

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
    by_annotator,
    check_range,
    iter_json_lines,
    record_text,
)
from annotator.formats.jsonl import document_meta

_RESERVED = ("text", "label", "labels", "entities", "annotator", "doc_id", "id", "Comments")


class DoccanoJsonl(FormatBase):
    NAME: ClassVar[str] = "doccano"
    TITLE: ClassVar[str] = "doccano JSONL (sequence labelling)"
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".jsonl",)

    def write(self, items: Iterable[ExportItem], dest: Path, report: ExportReport) -> None:
        with atomic_write(dest) as fh:
            for doc, spans in items:
                meta = {k: v for k, v in document_meta(doc).items() if k not in _RESERVED}
                for annotator, group in by_annotator(spans):
                    rec: dict[str, Any] = {"doc_id": doc_label(doc), "text": doc.text}
                    rec["label"] = [[sp.start, sp.end, sp.label] for sp in group]
                    if annotator:
                        rec["annotator"] = annotator
                    rec.update(meta)
                    fh.write(json.dumps(rec, ensure_ascii=False))
                    fh.write("\n")
                    report.spans_per_label.update(sp.label for sp in group)
                report.documents += 1
        report.paths.append(str(dest))

    def can_read(self, path: Path) -> bool:
        return False  # .jsonl is the native format's; doccano needs --format doccano

    def read(
        self, path: Path, *, default_annotator: str = "imported"
    ) -> Iterator[AnnotatedDocument]:
        name = str(path)
        for lineno, rec in iter_json_lines(path):
            raw = _raw_spans(rec, name, lineno)
            text = record_text(rec.get("text"), bool(raw), name, lineno)
            annotator = str(rec.get("annotator") or default_annotator)
            spans = []
            for i, (start, end, label) in enumerate(raw, 1):
                where = f"label {i}"
                if not isinstance(label, str) or not label.strip():
                    raise InputError(
                        f"{where}: the label must be a non-empty string", path=name, line=lineno
                    )
                start, end = check_range(text, start, end, where, name, lineno)
                spans.append(
                    NewSpan(start, end, label.strip(), annotator, origin=SpanOrigin.IMPORTED)
                )
            meta = {k: v for k, v in rec.items() if k not in _RESERVED}
            if rec.get("Comments"):  # doccano's document comments: kept, not dropped
                meta["Comments"] = rec["Comments"]
            doc = build_document(text, meta, rec.get("doc_id", rec.get("id")), name, lineno)
            yield AnnotatedDocument(doc, tuple(spans), line=lineno)


def _raw_spans(rec: dict[str, Any], path: str, line: int) -> list[tuple[Any, Any, Any]]:
    out: list[tuple[Any, Any, Any]] = []
    if "entities" in rec:
        ents = rec["entities"]
        if not isinstance(ents, list):
            raise InputError("'entities' must be a list", path=path, line=line)
        for i, e in enumerate(ents, 1):
            if not isinstance(e, dict):
                raise InputError(f"entity {i} must be an object", path=path, line=line)
            out.append((e.get("start_offset"), e.get("end_offset"), e.get("label")))
        return out
    raw = rec.get("label", rec.get("labels", []))
    if not isinstance(raw, list):
        raise InputError("'label' must be a list of [start, end, label]", path=path, line=line)
    for i, item in enumerate(raw, 1):
        if not isinstance(item, list) or len(item) != 3:
            raise InputError(
                f'label {i} must be [start, end, "LABEL"], not {item!r}', path=path, line=line
            )
        out.append((item[0], item[1], item[2]))
    return out
