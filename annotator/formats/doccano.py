"""doccano sequence-labelling JSONL: ``{"text", "label": [[start, end, "LABEL"], ...], ...}``.

One line per document. ``label`` holds every span of the chosen annotators (a span
several of them drew identically once), which is what doccano and its consumers read;
``annotations`` names who drew what: ``[{"annotator": "alice", "label": [[s, e, L]]}]``.
The reader takes ``annotations`` when present, else ``label`` with the record's
``annotator``; doccano 1.x exports, whose ``annotations`` are the spans themselves
(``{"label", "start_offset", "end_offset", "user"}``), give one annotator per ``user``
(``doccano-user-<id>``), and label ids of early 1.x exports become ``label-<id>``
(older exports wrote one line per document and annotator; those lines still import, the
document stored once). doccano 2.x ``relations`` between ``entities`` are kept as the
``doccano_relations`` metadata with their entities written out as ``[start, end, label]``
(no id points at nothing) and counted in the import report; the export counts the spans
in ``label`` and warns how many overlapping spans a doccano project that does not allow
overlap drops. Document metadata goes in top-level fields
(``doc_id``, ``title``, ``source``, ``author``, ``url``, ``published`` and the document's
own meta keys), which is where doccano puts the extra columns it imports.

Document labels are written as doccano's "intent detection and slot filling" projects
export them: ``cats`` lists the labels any chosen annotator gave the whole document, and
each entry of ``annotations`` has the ``cats`` of its annotator. The reader takes them
back per annotator, a top-level ``cats`` for the record's annotator, and ``entities``
given as ``[start, end, "LABEL"]`` as that project type writes them.

Offsets are code points of ``text`` (Python ``str`` indices), as doccano's Python
backend counts them. The reader also takes doccano's newer ``entities`` form
(``{"start_offset", "end_offset", "label"}``) and the older ``labels`` key; doccano's
``Comments`` are kept as metadata. Span notes are not part of the format: the export
report counts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from annotator.core.errors import InputError
from annotator.core.model import AnnotatedDocument, NewSpan, SpanOrigin
from annotator.formats.base import (
    WRITTEN_ONCE,
    ExportItem,
    ExportReport,
    FormatBase,
    atomic_write,
    doc_label,
)
from annotator.formats.common import (
    build_document,
    check_range,
    doc_label_names,
    doc_labels_of,
    iter_json_lines,
    json_line,
    layers_of,
    record_text,
)
from annotator.formats.jsonl import document_meta

_RESERVED = (
    "text",
    "label",
    "labels",
    "entities",
    "annotator",
    "annotations",
    "doc_id",
    "id",
    "Comments",
    "relations",
    "cats",
)
LOST_NOTES = "note of a span (doccano has no place for span notes)"
OVERLAP = (
    "span overlapping an earlier one: doccano drops it on import unless the project "
    "allows overlapping spans (project settings: 'Allow overlapping spans')"
)
RELATIONS = "doccano relations (kept as document metadata 'doccano_relations', by their spans)"
DANGLING = "doccano relations pointing at no entity of their record (dropped)"


class DoccanoJsonl(FormatBase):
    NAME: ClassVar[str] = "doccano"
    TITLE: ClassVar[str] = "doccano JSONL (sequence labelling)"
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".jsonl",)
    CARRIES_DOC_LABELS: ClassVar[bool] = True

    def write(self, items: Iterable[ExportItem], dest: Path, report: ExportReport) -> None:
        with atomic_write(dest) as fh:
            for doc, spans in items:
                meta = {k: v for k, v in document_meta(doc).items() if k not in _RESERVED}
                rec: dict[str, Any] = {"doc_id": doc_label(doc), "text": doc.text}
                union = sorted({(sp.start, sp.end, sp.label) for sp in spans})
                rec["label"] = [list(k) for k in union]
                report.warn(OVERLAP, _overlapping(union))
                whole = doc_labels_of(self.doc_labels, doc)
                if self.doc_labels:  # a column on every line once the export has any
                    rec["cats"] = sorted({x for v in whole.values() for x in v})
                    report.doc_labels += sum(map(len, whole.values()))
                rec["annotations"] = [
                    {
                        "annotator": annotator,
                        "label": [[sp.start, sp.end, sp.label] for sp in group],
                        **({"cats": chosen} if self.doc_labels else {}),
                    }
                    for annotator, group, chosen in layers_of(spans, whole)
                    if annotator
                ]
                rec.update(meta)
                fh.write(json_line(rec))
                fh.write("\n")
                report.spans_per_label.update(label for _, _, label in union)  # in the file
                report.lose(WRITTEN_ONCE, len(spans) - len(union))
                report.lose(LOST_NOTES, sum(1 for sp in spans if sp.note))
                report.documents += 1
        report.paths.append(str(dest))

    def can_read(self, path: Path) -> bool:
        return False  # .jsonl is the native format's; doccano needs --format doccano

    def read(
        self, path: Path, *, default_annotator: str = "imported"
    ) -> Iterator[AnnotatedDocument]:
        name = str(path)
        for lineno, rec in iter_json_lines(path):
            groups = _groups(rec, name, lineno, default_annotator)
            text = record_text(rec.get("text"), any(g for _, g in groups), name, lineno)
            spans = []
            for i, (annotator, (start, end, label)) in enumerate(
                ((who, item) for who, group in groups for item in group), 1
            ):
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
            if rec.get("relations"):
                kept = _relations(rec, name, lineno)
                if len(rec["relations"]) > len(kept):
                    self.skipped[DANGLING] += len(rec["relations"]) - len(kept)
                if kept:
                    self.skipped[RELATIONS] += len(kept)
                if kept:
                    meta["doccano_relations"] = kept
            doc = build_document(text, meta, rec.get("doc_id", rec.get("id")), name, lineno)
            whole = _doc_labels(rec, name, lineno, default_annotator)
            yield AnnotatedDocument(doc, tuple(spans), line=lineno, doc_labels=whole)


def _doc_labels(
    rec: dict[str, Any], path: str, line: int, default_annotator: str
) -> dict[str, tuple[str, ...]]:
    """annotator -> document labels: each of our ``annotations``' ``cats``, else the
    record's ``cats`` (doccano's intent detection) for the record's annotator."""
    out: dict[str, tuple[str, ...]] = {}
    anns = rec.get("annotations")
    per_annotator = isinstance(anns, list) and any(
        isinstance(a, dict) and "cats" in a and isinstance(a.get("annotator"), str) for a in anns
    )
    if per_annotator:
        for i, ann in enumerate(anns, 1):  # type: ignore[arg-type]
            if isinstance(ann, dict) and ann.get("cats"):
                who = str(ann.get("annotator") or "").strip() or default_annotator
                out[who] = doc_label_names(ann["cats"], f"annotation {i}: 'cats'", path, line)
        return out
    if rec.get("cats"):
        who = str(rec.get("annotator") or default_annotator)
        out[who] = doc_label_names(rec["cats"], "'cats'", path, line)
    return out


def _groups(
    rec: dict[str, Any], path: str, line: int, default_annotator: str
) -> list[tuple[str, list[tuple[Any, Any, Any]]]]:
    """(annotator, raw spans) of a record: from ``annotations`` when present."""
    anns = rec.get("annotations")
    if anns is None:
        who = str(rec.get("annotator") or default_annotator)
        return [(who, _raw_spans(rec, path, line))]
    if not isinstance(anns, list):
        raise InputError("'annotations' must be a list", path=path, line=line)
    if anns and all(isinstance(a, dict) and "start_offset" in a for a in anns):
        return _v1_groups(anns, path, line, default_annotator)
    out = []
    for i, ann in enumerate(anns, 1):
        if not isinstance(ann, dict) or not isinstance(ann.get("annotator"), str):
            raise InputError(
                f"annotation {i} must be an object with an 'annotator' name", path=path, line=line
            )
        out.append((ann["annotator"].strip() or default_annotator, _raw_spans(ann, path, line)))
    return out


def _v1_groups(
    anns: list[dict[str, Any]], path: str, line: int, default_annotator: str
) -> list[tuple[str, list[tuple[Any, Any, Any]]]]:
    """doccano 1.x: ``annotations`` holds the spans themselves, each with the ``user`` id
    who drew it and the ``label`` (a name, or the label's id in older 1.x exports)."""
    groups: dict[str, list[tuple[Any, Any, Any]]] = {}
    for i, a in enumerate(anns, 1):
        user = a.get("user")
        who = default_annotator if user is None else f"doccano-user-{user}"
        label = a.get("label")
        if isinstance(label, int) and not isinstance(label, bool):
            label = f"label-{label}"  # doccano 1.x label ids: rename after import
        if not isinstance(label, str):
            raise InputError(
                f"annotation {i}: 'label' must be a name or a label id", path=path, line=line
            )
        groups.setdefault(who, []).append((a.get("start_offset"), a.get("end_offset"), label))
    return sorted(groups.items())


def _raw_spans(rec: dict[str, Any], path: str, line: int) -> list[tuple[Any, Any, Any]]:
    out: list[tuple[Any, Any, Any]] = []
    if "entities" in rec:
        ents = rec["entities"]
        if not isinstance(ents, list):
            raise InputError("'entities' must be a list", path=path, line=line)
        for i, e in enumerate(ents, 1):
            if isinstance(e, list) and len(e) == 3:  # intent detection: [start, end, "LABEL"]
                out.append((e[0], e[1], e[2]))
                continue
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


def _overlapping(union: list[tuple[int, int, str]]) -> int:
    """How many of ``union`` (sorted) overlap a span kept before them, as a project that
    does not allow overlapping spans keeps them: the first of each overlapping run."""
    n, end = 0, -1
    for start, stop, _ in union:
        if start < end:
            n += 1
        else:
            end = stop
    return n


def _relations(rec: dict[str, Any], path: str, line: int) -> list[dict[str, Any]]:
    """doccano 2.x ``relations`` (``from_id`` / ``to_id`` of ``entities``) with their
    entities written out (``[start, end, label]``), so that no id points at nothing once
    the entities are spans; relations whose ids name no entity are left out."""
    rels = rec["relations"]
    if not isinstance(rels, list):
        raise InputError("'relations' must be a list", path=path, line=line)
    ents = rec.get("entities")
    by_id = {
        str(e["id"]): [e.get("start_offset"), e.get("end_offset"), e.get("label")]
        for e in (ents if isinstance(ents, list) else [])
        if isinstance(e, dict) and isinstance(e.get("id"), int | str)
    }
    out = []
    for r in rels:
        if not isinstance(r, dict):
            continue
        src, dst = by_id.get(str(r.get("from_id"))), by_id.get(str(r.get("to_id")))
        if src is not None and dst is not None:
            out.append({"type": r.get("type"), "from": src, "to": dst})
    return out
