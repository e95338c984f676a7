"""Which JSON Lines format a file is, from the keys of its first records.

``.jsonl`` is written by several tools; the extension alone would read a doccano export
as plain documents (its ``label`` list ignored) or bring a Prodigy ``db-out`` file's
rejected answers in as annotations. So the first records are looked at, as glue's
importers test whether they can read a file:

* Prodigy: ``answer``, ``_input_hash``, ``_task_hash``, ``_view_id`` or ``tokens``;
* doccano: ``label`` / ``labels`` (a list), ``entities`` (objects with ``start_offset``), or
  doccano 1.x ``annotations`` (objects with ``start_offset`` and ``user``);
* Label Studio: ``data`` or ``annotations`` without doccano's lists (tasks, one a line);
* native: ``spans`` (objects with ``start``, ``end``, ``label``), or only ``text`` with
  ``id`` / ``meta`` (plain documents: any format's unannotated records look so, so they
  decide nothing while records further on have format keys).

Records that agree on one format decide; records that point to two formats, or to none,
are refused with the formats considered named, so the user can say ``--format``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.core.validate import display_path

SNIFF_RECORDS = 20
"""Records with format-specific keys looked at before deciding."""
SNIFF_LINES = 5000
SNIFF_LINE_BYTES = 16 * 1024 * 1024
"""Longest line the format sniffing reads (records are read by the reader itself)."""
"""Records looked at in all: plain ``{"text"}`` records say little, so reading goes on."""
PLAIN = "plain"
CONSIDERED = ("jsonl", "doccano", "prodigy", "label-studio")
_PRODIGY_KEYS = frozenset({"answer", "_input_hash", "_task_hash", "_view_id", "tokens"})


def record_format(rec: dict[str, Any]) -> str | None:
    """The format one JSON record belongs to, or None when its keys fit none."""
    if _PRODIGY_KEYS & rec.keys():
        return "prodigy"
    anns = rec.get("annotations")
    if isinstance(rec.get("entities"), list) or isinstance(
        rec.get("label", rec.get("labels")), list
    ):
        return "doccano"  # ours also names annotators in "annotations"
    if (
        isinstance(anns, list)
        and anns
        and all(isinstance(a, dict) and "start_offset" in a for a in anns)
    ):
        return "doccano"  # doccano 1.x: the spans themselves, with their user
    if isinstance(anns, list) and "data" not in rec and isinstance(rec.get("text"), str):
        # A Label Studio task keeps its text in "data"; a top-level text beside a list of
        # annotations is doccano's (1.x with no spans on this line, or ours).
        return "doccano"
    if "data" in rec or "annotations" in rec:
        return "label-studio"
    if isinstance(rec.get("spans"), list):
        spans = rec["spans"]
        if all(isinstance(s, dict) and {"start", "end", "label"} <= s.keys() for s in spans):
            return "jsonl"
        return None
    if isinstance(rec.get("text"), str):
        return PLAIN  # a plain document: text, maybe id and meta
    return None


def sniff_jsonl(path: Path) -> str:
    """The importer name for a JSON Lines file; InputError when the records do not agree."""
    found: dict[str, int] = {}
    unknown: tuple[int, list[str]] | None = None
    plain = False
    n = 0
    with path.open("rb") as fh:
        lineno = 0
        # readline(limit): a sparse or endless first line is not read whole to sniff it.
        while raw := fh.readline(SNIFF_LINE_BYTES + 1):
            lineno += 1
            if len(raw) > SNIFF_LINE_BYTES:
                break  # the reader names the line (and its own, larger limit)
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw.decode("utf-8-sig"))
            except (ValueError, RecursionError):  # bad UTF-8 or JSON, 4,300+ digit numbers
                break  # the reader names the line and the error
            if not isinstance(rec, dict):
                break
            fmt = record_format(rec)
            if fmt is None:
                unknown = unknown or (lineno, sorted(rec)[:8])
            elif fmt == PLAIN:
                plain = True
            else:
                found.setdefault(fmt, lineno)
                n += 1
            if n >= SNIFF_RECORDS or lineno >= SNIFF_LINES:
                break
    considered = ", ".join(CONSIDERED)
    if unknown is not None and not found and not plain:
        line, keys = unknown
        raise InputError(
            f"cannot tell which JSONL format this is (keys {', '.join(keys)}); considered "
            f"{considered}: name one with --format",
            path=display_path(path),
            line=line,
        )
    if len(found) > 1:
        which = " and ".join(f"{f} (line {line})" for f, line in sorted(found.items()))
        raise InputError(
            f"records look like different formats: {which}; considered {considered}: "
            "name one with --format",
            path=display_path(path),
        )
    return next(iter(found), "jsonl")


CONLL_SNIFF_LINES = 200
_BIO = re.compile(r"^(O|[BIES]-\S+)$")


def looks_like_conll(path: Path) -> bool:
    """A ``.txt`` file that is really CoNLL columns (CoNLL-2003's ``train.txt``, doccano's
    CoNLL export): its first non-blank lines (up to 200) are tokens with a BIO tag in the
    last column, or ``-DOCSTART-`` lines, and at least one tag is not ``O``. A plain
    article almost never has a tag-shaped last word on nine lines in ten."""
    rows = tagged = entity = 0
    try:
        with path.open("rb") as fh:
            for raw in fh:
                if len(raw) > 4096:
                    return False
                line = raw.decode("utf-8-sig", errors="replace").strip()
                if not line:
                    continue
                rows += 1
                cols = line.split()
                if cols[0] == "-DOCSTART-":
                    tagged += 1
                elif len(cols) >= 2 and _BIO.match(cols[-1]):
                    tagged += 1
                    entity += cols[-1] != "O"
                if rows >= CONLL_SNIFF_LINES:
                    break
    except OSError:
        return False
    return rows >= 2 and entity > 0 and tagged >= 0.9 * rows
