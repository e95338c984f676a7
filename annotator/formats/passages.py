"""Passage classification: one sentence or paragraph per row with the labels it carries.

JSONL (``passages``): ``{"doc_id", "passage_id", "start", "end", "text", "labels",
"multi_hot"}``; CSV (``passages-csv``): the same columns with ``labels`` joined by
``|`` and ``multi_hot`` as one 0/1 column per label. Passages come from
``annotator.core.segment`` (option ``unit``: ``sentence`` or ``paragraph``); ``start``
and ``end`` are code points of the document text and ``text`` is exactly that slice.

When does a passage get a label? Option ``rule``:

* ``majority`` (default): the spans of that label (all chosen annotators together)
  cover more than half of the passage's characters. A passing mention does not
  label a whole paragraph.
* ``any``: a span of that label overlaps the passage at all.

The label order of ``multi_hot`` is the export's label order (the project's labels,
or the chosen subset), the same for every row. A span that gives its label to no
passage (too short for ``majority``, or lying only in the whitespace between passages)
is reported as dropped with that reason. There is no importer: the passages and their
labels are a projection of the spans, not the spans themselves.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from annotator.core.model import Document
from annotator.core.segment import passages
from annotator.core.spreadsheet import safe_row
from annotator.formats.base import (
    ExportItem,
    ExportOption,
    ExportReport,
    FormatBase,
    atomic_write,
    doc_label,
)
from annotator.formats.common import AnySpan, json_line

TOO_SMALL = "labels no passage (covers too little of any passage for the rule)"
OUTSIDE = "lies outside every passage"

PassageRow = dict[str, Any]


def _covered(intervals: list[tuple[int, int]], start: int, end: int) -> int:
    """Characters of ``[start, end)`` covered by the union of ``intervals``."""
    total, reach = 0, start
    for s, e in sorted(intervals):
        s, e = max(s, reach), min(e, end)
        if e > s:
            total += e - s
            reach = e
    return total


def passage_rows(
    doc: Document,
    spans: Sequence[AnySpan],
    labels: Sequence[str],
    *,
    unit: str,
    rule: str,
    report: ExportReport,
) -> Iterator[PassageRow]:
    """Rows for one document; spans that label nothing go to ``report`` as dropped."""
    items = passages(doc.text, "paragraph" if unit == "paragraph" else "sentence")
    useful: set[int] = set()
    doc_id = doc_label(doc)
    for n, p in enumerate(items):
        got = []
        for label in labels:
            hits = [
                (i, sp)
                for i, sp in enumerate(spans)
                if sp.label == label and sp.start < p.end and sp.end > p.start
            ]
            if not hits:
                continue
            if rule == "any":
                ok = True
            else:
                ok = (
                    2 * _covered([(sp.start, sp.end) for _, sp in hits], p.start, p.end)
                    > p.end - p.start
                )
            if ok:
                got.append(label)
                useful.update(i for i, _ in hits)
        yield {
            "doc_id": doc_id,
            "passage_id": f"{doc_id}:{n}",
            "start": p.start,
            "end": p.end,
            "text": p.text_in(doc.text),
            "labels": got,
            "multi_hot": [1 if lab in got else 0 for lab in labels],
        }
    for i, sp in enumerate(spans):
        if i in useful:
            report.spans_per_label[sp.label] += 1
        elif sp.label not in labels:
            report.drop(doc, sp, "label is not among the exported labels")
        elif any(sp.start < p.end and sp.end > p.start for p in items):
            report.drop(doc, sp, TOO_SMALL)
        else:
            report.drop(doc, sp, OUTSIDE)


_OPTIONS = (
    ExportOption("unit", "sentence", ("sentence", "paragraph"), "what one row is"),
    ExportOption("rule", "majority", ("majority", "any"), "when a passage gets a label"),
    ExportOption("label_order", (), help="label order of multi_hot", internal=True),
)


class _PassageBase(FormatBase):
    OPTIONS: ClassVar[tuple[ExportOption, ...]] = _OPTIONS

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.unit: str = self.options["unit"]
        self.rule: str = self.options["rule"]
        self.label_order: tuple[str, ...] = tuple(self.options["label_order"])

    def _labels(self, spans: Sequence[AnySpan]) -> list[str]:
        # Without a label order from the service, fall back to the labels seen per document.
        return list(self.label_order) or sorted({sp.label for sp in spans})


class PassagesJsonl(_PassageBase):
    NAME: ClassVar[str] = "passages"
    TITLE: ClassVar[str] = "Passage classification (JSONL)"
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".jsonl",)

    def write(self, items: Iterable[ExportItem], dest: Path, report: ExportReport) -> None:
        with atomic_write(dest) as fh:
            for doc, spans in items:
                for row in passage_rows(
                    doc, spans, self._labels(spans), unit=self.unit, rule=self.rule, report=report
                ):
                    fh.write(json_line(row))
                    fh.write("\n")
                report.documents += 1
        report.paths.append(str(dest))


class _SafeWriter:
    """A csv writer whose text cells are neutralised unless the option says raw."""

    def __init__(self, writer: Any, options: dict[str, Any], report: ExportReport) -> None:
        self._w = writer
        self._on = bool(options.get("neutralize_formulas", True))
        self._report = report

    def writerow(self, row: Sequence[Any]) -> None:
        safe = safe_row(row, enabled=self._on)
        self._report.warn(FORMULA_GUARD, sum(a != b for a, b in zip(row, safe, strict=True)))
        self._w.writerow(safe)


FORMULA_GUARD = (
    "text cells starting with = + - @, a tab or a CR written with a leading ' (the "
    "spreadsheet formula guard; --raw-csv writes them as they are)"
)


class PassagesCsv(_PassageBase):
    NAME: ClassVar[str] = "passages-csv"
    TITLE: ClassVar[str] = "Passage classification (CSV, one column per label)"
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".csv",)
    OPTIONS: ClassVar[tuple[ExportOption, ...]] = (
        *_OPTIONS,
        ExportOption(
            "neutralize_formulas",
            True,
            (True, False),
            "prefix text cells starting with = + - @ tab or CR with ' (spreadsheet safety)",
        ),
    )

    def write(self, items: Iterable[ExportItem], dest: Path, report: ExportReport) -> None:
        with atomic_write(dest) as fh:
            out = _SafeWriter(csv.writer(fh, lineterminator="\r\n"), self.options, report)
            header_written = False
            for doc, spans in items:
                labels = self._labels(spans)
                if not header_written:
                    out.writerow(
                        ["doc_id", "passage_id", "start", "end", "text", "labels", *labels]
                    )
                    header_written = True
                for row in passage_rows(
                    doc, spans, labels, unit=self.unit, rule=self.rule, report=report
                ):
                    out.writerow(
                        [
                            row["doc_id"],
                            row["passage_id"],
                            row["start"],
                            row["end"],
                            row["text"],
                            "|".join(row["labels"]),
                            *row["multi_hot"],
                        ]
                    )
                report.documents += 1
            if not header_written:
                out.writerow(
                    ["doc_id", "passage_id", "start", "end", "text", "labels", *self.label_order]
                )
        report.paths.append(str(dest))
