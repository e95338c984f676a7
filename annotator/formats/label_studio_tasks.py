"""Reading Label Studio's tasks: the JSON array (with the line of each task), full tasks with
their annotations, predictions and document-label choices, and JSON-MIN / CSV records (one
per annotation) gathered into one document per task. Shared by the JSON and CSV readers of
``formats.label_studio`` and ``formats.label_studio_csv``; what the format is, and how it is
written, is said there.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.model import AnnotatedDocument, NewPrediction, NewSpan, SpanOrigin
from annotator.core.text import normalize_with_offsets
from annotator.formats.common import (
    build_document,
    check_range,
    doc_label_names,
)
from annotator.formats.decode import check_text

CHOICES_NAME = "document_label"
"""The control our export names document labels by (a ``Choices`` tag of that name)."""


def iter_array(content: str, path: str) -> Iterator[tuple[int, Any]]:
    """Items of a top-level JSON list (or one task object) with the line each starts on."""
    dec = json.JSONDecoder()
    ws = " \t\r\n"

    def skip(pos: int) -> int:
        while pos < len(content) and content[pos] in ws:
            pos += 1
        return pos

    def line_of(pos: int) -> int:
        return content.count("\n", 0, pos) + 1

    def decode(pos: int) -> tuple[Any, int]:
        try:
            return dec.raw_decode(content, pos)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON ({exc.msg})", path=path, line=exc.lineno) from exc
        except RecursionError as exc:
            raise InputError("JSON nested too deeply", path=path, line=line_of(pos)) from exc

    pos = skip(0)
    if content.startswith("{", pos):  # one task, or tasks one a line (JSONL)
        while pos < len(content):
            obj, end = decode(pos)
            yield line_of(pos), obj
            pos = skip(end)
        return
    if not content.startswith("[", pos):
        raise InputError("expected a JSON list of tasks", path=path, line=line_of(pos))
    pos = skip(pos + 1)
    if content.startswith("]", pos):
        return
    while True:
        obj, end = decode(pos)
        yield line_of(pos), obj
        pos = skip(end)
        if content.startswith("]", pos):
            break
        if not content.startswith(",", pos):
            raise InputError("expected ',' or ']' between tasks", path=path, line=line_of(pos))
        pos = skip(pos + 1)
    if skip(pos + 1) != len(content):
        raise InputError("unexpected data after the list of tasks", path=path, line=line_of(pos))


# What Label Studio's JSON-MIN and CSV exports put beside a task's data in each record.
MIN_KEYS = ("annotator", "annotation_id", "created_at", "updated_at", "lead_time")
_MIN_OTHER = ("agreement", "history", "id")


def _is_regions(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and "labels" in v and "start" in v for v in value)
    )


def is_min_record(task: Any) -> bool:
    """A record of Label Studio's JSON-MIN (or CSV) export: the task's data flattened, one
    key per control (a list of span regions for Labels), and who made the annotation."""
    if not isinstance(task, dict) or "data" in task or "annotations" in task:
        return False
    return "annotation_id" in task or any(_is_regions(v) for v in task.values())


_NO_NAMES: Mapping[str, str] = MappingProxyType({})
_USER_NAMES: ContextVar[Mapping[str, str]] = ContextVar("ls_user_names", default=_NO_NAMES)


@contextmanager
def user_names(names: Mapping[str, str]) -> Iterator[None]:
    """Within the block, Label Studio user ids read as these names (``--label-studio-users
    ID=NAME``) instead of ``ls-user-<id>``."""
    for key in names:
        if not key.isdigit():
            raise AnnotatorError(f"label-studio: user id {key!r} is not a number")
    token = _USER_NAMES.set(MappingProxyType(dict(names)))
    try:
        yield
    finally:
        _USER_NAMES.reset(token)


def ls_user(value: Any, default: str) -> str:
    """An annotator name for Label Studio's ``annotator`` / ``completed_by``: an e-mail or
    name as it is, a numeric user id as the name ``user_names`` gives it, else as
    ``ls-user-<id>`` (so that two people never merge)."""
    if isinstance(value, dict):
        value = value.get("email") or value.get("username") or value.get("id")
    if isinstance(value, bool) or value is None:
        return default
    text = str(value).strip()
    if not text or text == "None":
        return default
    if not text.isdigit():
        return text
    return _USER_NAMES.get().get(str(int(text))) or f"ls-user-{text}"


def _is_control(key: str, value: Any) -> bool:
    """A control's results in a JSON-MIN record (not the task's data or the record's own
    keys): a list of result objects."""
    if key == "text" or key in MIN_KEYS or key in _MIN_OTHER:
        return False
    return isinstance(value, list) and bool(value) and all(isinstance(x, dict) for x in value)


class MinTask:
    """One task of a JSON-MIN / CSV export, gathered from its per-annotation records."""

    def __init__(
        self, text: str, raw: str, shift: Any, data: dict[str, Any], path: str, line: int
    ) -> None:
        self.text, self.raw, self.shift, self.data = text, raw, shift, data
        self.path, self.line = path, line
        self.spans: list[NewSpan] = []
        self.annotations: set[Any] = set()
        self.doc_labels: dict[str, list[str]] = {}

    def item(self) -> AnnotatedDocument:
        data = dict(self.data)
        doc = build_document(self.text, data, data.pop("doc_id", None), self.path, self.line)
        whole = {who: tuple(dict.fromkeys(v)) for who, v in self.doc_labels.items()}
        return AnnotatedDocument(doc, tuple(self.spans), line=self.line, doc_labels=whole)


def add_min_record(
    merged: dict[tuple[str, str], MinTask],
    rec: dict[str, Any],
    path: str,
    line: int,
    default_annotator: str,
    skipped: Counter[str],
) -> None:
    raw = rec.get("text")
    if not isinstance(raw, str):
        raise InputError("'text' is missing or not a string", path=path, line=line)
    key = (str(rec.get("id", "")), raw)
    task = merged.get(key)
    if task is None:
        text, shift = normalize_with_offsets(raw)
        check_text(text, path, line)
        data = {
            k: v
            for k, v in rec.items()
            if not _is_control(k, v)
            and _min_choices(k, v) is None
            and k not in MIN_KEYS
            and k not in _MIN_OTHER
        }
        task = merged[key] = MinTask(text, raw, shift, data, path, line)
    ann = (rec.get("annotation_id"), rec.get("annotator"))
    if ann in task.annotations:
        skipped["repeated JSON-MIN records of one annotation"] += 1
        return
    task.annotations.add(ann)
    annotator = ls_user(rec.get("annotator"), default_annotator)
    for control, value in rec.items():
        chosen = _min_choices(control, value)
        if chosen is not None:
            where = f"{control} (choices)"
            task.doc_labels.setdefault(annotator, []).extend(
                doc_label_names(chosen, where, path, line)
            )
            continue
        if not _is_control(control, value):
            continue
        if _is_regions(value):
            for r_i, region in enumerate(value, 1):
                where = f"{control} region {r_i}"
                task.spans += _region_spans(
                    region, task.raw, task.shift, where, path, line, annotator, ""
                )
        else:
            skipped[f"{control} results that are not text spans (JSON-MIN)"] += len(value)


def _min_choices(control: str, value: Any) -> list[Any] | None:
    """A JSON-MIN control's choices (document labels), or None when it holds none: our
    ``document_label`` control (a name for one choice, as the converter shortens it), or
    any control holding ``{"choices": [...]}`` (several)."""
    if isinstance(value, dict) and isinstance(value.get("choices"), list):
        return list(value["choices"])
    if control == CHOICES_NAME:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(x, str) for x in value):
            return value
    return None


def _region_spans(
    value: dict[str, Any],
    raw: str,
    shift: Any,
    where: str,
    path: str,
    line: int,
    annotator: str,
    note: str,
) -> list[NewSpan]:
    """The spans of one Labels region value (``start``, ``end``, ``text``, ``labels``)."""
    labels = value.get("labels")
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise InputError(f"{where}: 'labels' must be a list of names", path=path, line=line)
    start, end = check_range(
        raw, value.get("start"), value.get("end"), where, path, line, value.get("text")
    )
    start, end = shift.start(start), shift.end(end)
    if start >= end:
        raise InputError(f"{where} covers only a CR", path=path, line=line)
    return [
        NewSpan(start, end, lab.strip(), annotator, note, SpanOrigin.IMPORTED) for lab in labels
    ]


def parse_task(
    task: Any,
    path: str,
    line: int,
    default_annotator: str,
    skipped: Counter[str] | None = None,
    index: int = 1,
) -> AnnotatedDocument:
    skipped = Counter() if skipped is None else skipped
    if not isinstance(task, dict):
        raise InputError("a task must be a JSON object", path=path, line=line)
    if "paragraphs" in task and "data" not in task:
        raise InputError(
            "this is a spaCy v2 training JSON file (documents with 'paragraphs'), not Label "
            "Studio tasks: convert it with `python -m spacy convert FILE.json OUT_DIR` and "
            "import the .spacy file it writes",
            path=path,
            line=line,
        )
    if "data" not in task and isinstance(task.get("text"), str):
        if any(isinstance(task.get(k), list) for k in ("annotations", "label", "entities")):
            # Label Studio keeps an annotated task's text in "data"; this is doccano's.
            raise InputError(
                "a task with 'text' and annotations beside it, not in 'data': this looks "
                "like a doccano 1.x export (one record a line: save it as .jsonl and import "
                "it with --format doccano)",
                path=path,
                line=line,
            )
        task = {"data": task}  # a flat task, as Label Studio imports them
    if not isinstance(task.get("data"), dict):
        raise InputError(
            "a task must be an object with a 'data' object or a 'text' string",
            path=path,
            line=line,
        )
    data = dict(task["data"])
    annotations = task.get("annotations") or []
    if not isinstance(annotations, list):
        raise InputError("'annotations' must be a list", path=path, line=line)
    raw = data.pop("text", None)
    if not isinstance(raw, str):
        raise InputError("'text' is missing or not a string", path=path, line=line)
    # Label Studio keeps CRLF text and counts the CRs in its offsets: they move with it.
    text, shift = normalize_with_offsets(raw)
    check_text(text, path, line)
    spans: list[NewSpan] = []
    whole: dict[str, list[str]] = {}  # annotator -> choices (document labels)
    predictions = _predictions(task, raw, shift, path, line, index, skipped)
    for a_i, ann in enumerate(annotations, 1):
        if not isinstance(ann, dict):
            raise InputError(f"annotation {a_i} must be an object", path=path, line=line)
        if "result" not in ann:
            hint = (
                " (this looks like a doccano 1.x export: import it with --format doccano)"
                if "start_offset" in ann
                else ""
            )
            raise InputError(f"annotation {a_i} has no 'result'{hint}", path=path, line=line)
        if ann.get("was_cancelled"):
            skipped["cancelled Label Studio annotations"] += 1
            continue
        annotator = _annotator_of(ann) or default_annotator
        result = ann.get("result") or []
        if not isinstance(result, list):
            raise InputError(f"annotation {a_i}: 'result' must be a list", path=path, line=line)
        for r_i, region in enumerate(result, 1):
            where = f"annotation {a_i} region {r_i}"
            if not isinstance(region, dict):
                raise InputError(f"{where} must be an object", path=path, line=line)
            kind = region.get("type", "labels")
            value = region.get("value")
            if kind == "choices" and isinstance(value, dict):
                chosen = value.get("choices")
                if not isinstance(chosen, list) or not all(
                    isinstance(c, str) and c.strip() for c in chosen
                ):
                    raise InputError(
                        f"{where}: 'choices' must be a list of names", path=path, line=line
                    )
                whole.setdefault(annotator, []).extend(c.strip() for c in chosen)
                continue  # a label of the whole text: the annotator's document label
            if kind != "labels":
                skipped[f"Label Studio {kind} results (not text spans)"] += 1
                continue
            if not isinstance(region.get("value"), dict):
                raise InputError(f"{where} has no 'value' object", path=path, line=line)
            value = region["value"]
            if "start" not in value and "startOffset" in value:
                skipped["Label Studio regions of HTML or rich text (no plain offsets)"] += 1
                continue
            meta = region.get("meta") or {}
            notes = meta.get("text") if isinstance(meta, dict) else None
            note = "\n".join(str(x) for x in notes) if isinstance(notes, list) else str(notes or "")
            spans += _region_spans(value, raw, shift, where, path, line, annotator, note)
    doc = build_document(text, data, data.pop("doc_id", None), path, line)
    labels = {who: tuple(dict.fromkeys(names)) for who, names in whole.items()}
    return AnnotatedDocument(
        doc, tuple(spans), line=line, doc_labels=labels, predictions=tuple(predictions)
    )


MODEL_VERSION_MAX = 200
"""The longest ``model_version`` stored (the column's size)."""


def _score(value: Any, where: str, path: str, line: int) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{where}: 'score' must be a number, not {value!r}", path=path, line=line)
    return float(value)


def _predictions(
    task: dict[str, Any],
    raw: str,
    shift: Any,
    path: str,
    line: int,
    index: int,
    skipped: Counter[str],
) -> list[NewPrediction]:
    """The task's ``predictions`` (a model's results): text spans become suggestions of the
    document, never an annotator's spans. A region's own ``score`` wins over the
    prediction's; ``model_version`` names the source. Offsets are checked as spans' are."""
    given = task.get("predictions")
    if given is None:
        return []
    if not isinstance(given, list):
        raise InputError(f"task {index}: 'predictions' must be a list", path=path, line=line)
    out: list[NewPrediction] = []
    for p_i, pred in enumerate(given, 1):
        at = f"task {index} prediction {p_i}"
        if not isinstance(pred, dict):
            raise InputError(f"{at} must be an object", path=path, line=line)
        result = pred.get("result") or []
        if not isinstance(result, list):
            raise InputError(f"{at}: 'result' must be a list", path=path, line=line)
        version = pred.get("model_version")
        version = "" if version is None or isinstance(version, bool) else str(version).strip()
        if len(version) > MODEL_VERSION_MAX:
            raise InputError(
                f"{at}: 'model_version' is longer than {MODEL_VERSION_MAX} characters",
                path=path,
                line=line,
            )
        overall = _score(pred.get("score"), at, path, line)
        for r_i, region in enumerate(result, 1):
            where = f"{at} region {r_i}"
            if not isinstance(region, dict):
                raise InputError(f"{where} must be an object", path=path, line=line)
            kind = region.get("type", "labels")
            value = region.get("value")
            if kind != "labels" or not isinstance(value, dict) or "start" not in value:
                skipped["Label Studio prediction results that are not text spans"] += 1
                continue
            score = _score(region.get("score"), where, path, line)
            for sp in _region_spans(value, raw, shift, where, path, line, "", ""):
                out.append(
                    NewPrediction(
                        sp.start, sp.end, sp.label, overall if score is None else score, version
                    )
                )
    return out


def _annotator_of(ann: dict[str, Any]) -> str:
    name = ann.get("created_username")
    if isinstance(name, str) and name.strip():
        # Label Studio writes " email, id" (with a leading space); ours is the bare name.
        head, sep, tail = name.strip().rpartition(",")
        return head.strip() if sep and tail.strip().isdigit() else name.strip()
    return ls_user(ann.get("completed_by"), "")
