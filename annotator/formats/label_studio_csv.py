"""Label Studio's CSV and TSV exports (label-studio-converter's ``convert_to_csv``), read only:
one row per annotation, gathered into one document per task as JSON-MIN records are
(``formats.label_studio_tasks``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from annotator.core.errors import InputError
from annotator.core.model import AnnotatedDocument
from annotator.formats.base import (
    FormatBase,
)
from annotator.formats.decode import decode_text
from annotator.formats.label_studio_tasks import MinTask, add_min_record

CSV_KEYS = frozenset({"annotator", "annotation_id", "text"})
"""Columns every Label Studio CSV / TSV export of a text project has."""
CSV_FIELD_LIMIT = 256 * 1024 * 1024
"""A whole article is one cell: Python's csv refuses cells over 128 KiB by default, so the
reader lifts the limit (process-wide, as the csv module keeps it) to the import's file
size limit."""


def _csv_header(path: Path) -> list[str] | None:
    """The header row of a CSV / TSV file, or None when it cannot be read."""
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            first = fh.readline(1 << 20)
    except (OSError, UnicodeDecodeError):
        return None
    delimiter = "\t" if path.suffix.lower() == ".tsv" or "\t" in first else ","
    rows = list(csv.reader([first], delimiter=delimiter))
    return rows[0] if rows else None


class LabelStudioCsv(FormatBase):
    """Label Studio's CSV and TSV exports (label-studio-converter's ``convert_to_csv``):
    one row per annotation, a column per task data key, ``annotator``, ``annotation_id``
    and a column per control holding its results as a JSON string (span regions for
    Labels). Rows of one task are gathered into one document, each annotation under its
    annotator, as JSON-MIN records are. Read only: detected by the header, not the name."""

    NAME: ClassVar[str] = "label-studio-csv"
    TITLE: ClassVar[str] = "Label Studio CSV / TSV export"
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".csv", ".tsv")

    def can_read(self, path: Path) -> bool:
        if path.suffix.lower() not in self.EXTENSIONS or not path.is_file():
            return False
        header = _csv_header(path)
        return header is not None and set(header) >= CSV_KEYS

    def read(
        self, path: Path, *, default_annotator: str = "imported"
    ) -> Iterator[AnnotatedDocument]:
        name = str(path)
        content = decode_text(path.read_bytes(), name)
        first = content.split("\n", 1)[0]
        delimiter = "\t" if path.suffix.lower() == ".tsv" or "\t" in first else ","
        reader = csv.DictReader(io.StringIO(content, newline=""), delimiter=delimiter)
        missing = CSV_KEYS - set(reader.fieldnames or ())
        if missing:
            raise InputError(
                f"not a Label Studio CSV export: no column {', '.join(sorted(missing))} "
                f"(header: {', '.join(reader.fieldnames or ())})",
                path=name,
                line=1,
            )
        merged: dict[tuple[str, str], MinTask] = {}
        if csv.field_size_limit() < CSV_FIELD_LIMIT:
            csv.field_size_limit(CSV_FIELD_LIMIT)
        try:
            for row in reader:
                line = reader.line_num
                if None in row:
                    raise InputError("more fields than the header names", path=name, line=line)
                rec = {k: _csv_value(k, v) for k, v in row.items()}
                add_min_record(merged, rec, name, line, default_annotator, self.skipped)
        except csv.Error as exc:
            raise InputError(f"bad CSV ({exc})", path=name, line=reader.line_num) from None
        for task in merged.values():
            yield task.item()


def _csv_value(key: str, value: str | None) -> Any:
    """A CSV cell as the JSON-MIN record would hold it: a control's JSON results parsed,
    an empty ``annotator`` as none."""
    if value is None or (key == "annotator" and value == ""):
        return None
    if key != "text" and value[:1] == "[":
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            return value
        if isinstance(parsed, list) and parsed and all(isinstance(x, dict) for x in parsed):
            return parsed
    return value
