"""Label Studio JSON tasks: a JSON list, one task per document.

``{"id", "data": {"text", "doc_id", ...meta}, "annotations": [{"id", "completed_by",
"created_username", "result": [{"id", "from_name": "label", "to_name": "text",
"type": "labels", "value": {"start", "end", "text", "labels": [LABEL]}}]}]}``

One annotation per annotator. ``completed_by`` is left out: Label Studio reads an
integer there as one of its own user ids (an unknown one rejects the import, a known one
gives the work to that person), so it gets ``{"email": ...}`` only for annotators the user
mapped to Label Studio accounts (option ``emails``, ``--label-studio-email NAME=EMAIL``).
``created_username`` carries the annotator's name, which our reader uses (falling back to
the default annotator); Label Studio itself gives unmapped annotations to the user who
imports them, and the export report says how many annotations that concerns. A span's note goes in
the region's ``meta.text``, where Label Studio keeps region notes. Tasks are written
one per line inside the list so that reader errors can name a line.

Offsets are code points of ``data.text`` (Python ``str`` indices): Label Studio has
stored code points since it fixed its emoji offsets (HumanSignal/label-studio#1559,
closing #1008); the reader checks ``value.text`` against the text and refuses a
mismatch, which is what offsets from an older UTF-16-counting version would give.
Cancelled annotations (``was_cancelled``) are not imported. ``predictions`` (a model's
results, with ``model_version`` and ``score``) are imported as suggestions of the document,
never as anyone's spans, and written back as ``predictions`` by the export. The
reader also takes Label Studio's flat task files (``[{"text": ...}]``, no ``data``
wrapper: the whole task is its data) and strips the whitespace Label Studio leaves
around ``created_username`` (``" alice@example.com, 1"``).

Document labels are a ``choices`` result of each annotator's annotation
(``"from_name": "document_label"``, ``"value": {"choices": [...]}``), for a labelling
config with ``<Choices name="document_label" toName="text" choice="multiple">``; the
reader takes every ``choices`` result as the annotator's document labels, and in JSON-MIN
the ``document_label`` control (one choice: a name; several: ``{"choices": [...]}``) and
any control holding ``{"choices": [...]}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from annotator.core.errors import AnnotatorError
from annotator.core.model import AnnotatedDocument, Prediction
from annotator.formats.base import (
    ExportItem,
    ExportOption,
    ExportReport,
    FormatBase,
    atomic_write,
    doc_label,
)
from annotator.formats.common import (
    doc_labels_of,
    json_line,
    layers_of,
)
from annotator.formats.decode import decode_text
from annotator.formats.jsonl import document_meta
from annotator.formats.label_studio_tasks import (
    CHOICES_NAME,
    MinTask,
    add_min_record,
    is_min_record,
    iter_array,
    parse_task,
    user_names,
)

__all__ = ["CHOICES_NAME", "UNMAPPED", "LabelStudioJson", "user_names"]

UNMAPPED = (
    "annotator of an annotation not mapped to a Label Studio e-mail (Label Studio gives it "
    "to the importing user; created_username keeps the name for this app)"
)


class LabelStudioJson(FormatBase):
    NAME: ClassVar[str] = "label-studio"
    TITLE: ClassVar[str] = "Label Studio JSON tasks"
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".json",)
    CARRIES_DOC_LABELS: ClassVar[bool] = True
    OPTIONS: ClassVar[tuple[ExportOption, ...]] = (
        ExportOption(
            "emails",
            (),
            help="(annotator, Label Studio e-mail) pairs written as completed_by",
            internal=True,  # a mapping, given on the command line, not a dialog choice
        ),
    )
    CARRIES_PREDICTIONS: ClassVar[bool] = True
    """Stored predictions (a model's suggestions) are written back as ``predictions``."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.predictions: dict[int, list[Prediction]] = {}
        """Document id -> its stored predictions (set by the export service)."""
        pairs = dict(self.options["emails"])
        for who, email in pairs.items():
            if not isinstance(email, str) or "@" not in email:
                raise AnnotatorError(f"label-studio: {email!r} (for {who}) is not an e-mail")
        self.emails: dict[str, str] = pairs

    def write(self, items: Iterable[ExportItem], dest: Path, report: ExportReport) -> None:
        n_annotation = 0
        with atomic_write(dest) as fh:
            fh.write("[")
            for n, (doc, spans) in enumerate(items, 1):
                data = {"text": doc.text, "doc_id": doc_label(doc), **document_meta(doc)}
                annotations = []
                whole = doc_labels_of(self.doc_labels, doc)
                for annotator, group, chosen in layers_of(spans, whole):
                    if not annotator:
                        continue
                    n_annotation += 1
                    result = []
                    for k, sp in enumerate(group, 1):
                        region: dict[str, Any] = {
                            "id": f"d{n}a{n_annotation}r{k}",
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            "value": {
                                "start": sp.start,
                                "end": sp.end,
                                "text": doc.text[sp.start : sp.end],
                                "labels": [sp.label],
                            },
                        }
                        if sp.note:
                            region["meta"] = {"text": [sp.note]}
                        result.append(region)
                        report.spans_per_label[sp.label] += 1
                    if chosen:
                        result.append(
                            {
                                "id": f"d{n}a{n_annotation}c",
                                "from_name": CHOICES_NAME,
                                "to_name": "text",
                                "type": "choices",
                                "value": {"choices": list(chosen)},
                            }
                        )
                        report.doc_labels += len(chosen)
                    annotation: dict[str, Any] = {"id": n_annotation}
                    if annotator in self.emails:
                        annotation["completed_by"] = {"email": self.emails[annotator]}
                    else:
                        report.lose(UNMAPPED)
                    annotation["created_username"] = annotator
                    annotation["result"] = result
                    annotations.append(annotation)
                task = {"id": n, "data": data, "annotations": annotations}
                stored = self.predictions.get(doc.id) if doc.id is not None else None
                if stored:
                    task["predictions"] = _prediction_objects(doc.text, stored, n)
                    report.predictions += len(stored)
                fh.write(",\n" if n > 1 else "\n")
                fh.write(json_line(task))
                report.documents += 1
            fh.write("\n]\n")
        report.paths.append(str(dest))

    def can_read(self, path: Path) -> bool:
        return path.suffix.lower() in self.EXTENSIONS

    def read(
        self, path: Path, *, default_annotator: str = "imported"
    ) -> Iterator[AnnotatedDocument]:
        name = str(path)
        content = decode_text(path.read_bytes(), name)
        merged: dict[tuple[str, str], MinTask] = {}  # JSON-MIN: one record per annotation
        for index, (line, task) in enumerate(iter_array(content, name), 1):
            if is_min_record(task):
                add_min_record(merged, task, name, line, default_annotator, self.skipped)
            else:
                yield parse_task(task, name, line, default_annotator, self.skipped, index)
        for task in merged.values():
            yield task.item()


def _prediction_objects(text: str, stored: list[Prediction], task: int) -> list[dict[str, Any]]:
    """Label Studio ``predictions``, one per model version, each region with its own score
    (so a round trip keeps every score, whatever the prediction-level one was)."""
    by_version: dict[str, list[Prediction]] = {}
    for p in stored:
        by_version.setdefault(p.model_version, []).append(p)
    out: list[dict[str, Any]] = []
    for k, (version, group) in enumerate(sorted(by_version.items()), 1):
        result = []
        for r, p in enumerate(group, 1):
            region: dict[str, Any] = {
                "id": f"d{task}p{k}r{r}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "origin": "prediction",
                "value": {
                    "start": p.start,
                    "end": p.end,
                    "text": text[p.start : p.end],
                    "labels": [p.label],
                },
            }
            if p.score is not None:
                region["score"] = p.score
            result.append(region)
        out.append({"model_version": version, "result": result})
    return out
