"""What the command modules share: comma-separated option values, an import's report,
one help text. Imported by ``cli`` and its command modules, importing none of them."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

RAW_CSV_HELP = (
    "CSV: write cells starting with = + - @ as they are (default: prefix them with ' so "
    "spreadsheets do not run them as formulas)"
)


def csv_values(values: Sequence[str] | None) -> tuple[str, ...]:
    """Every value of a repeatable option, each also split at commas (``--x a,b --x c``)."""
    out: list[str] = []
    for v in values or ():
        out += [p.strip() for p in v.split(",") if p.strip()]
    return tuple(out)


def print_report(report: Any) -> int:
    """An import's summary on stdout, each refused file on stderr; exit 1 if any was refused."""
    print(report.summary())
    for err in report.errors:
        print(f"annotator: error: {err}", file=sys.stderr)
    return 1 if report.errors else 0
