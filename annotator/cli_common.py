"""What the command modules share: comma-separated option values, ``--document``'s ids,
an import's report, help texts. Imported by ``cli`` and its command modules, importing
none of them."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotator.services import Workspace

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


DOCUMENT_HELP = (
    "only these documents, by the id exports write: a document's imported id, or its "
    "number if it has none (repeat or comma-separate). A document's number is still taken "
    "where no imported id is that value; where one is, the imported id wins and a note says so"
)


def document_ids(ws: Workspace, given: Sequence[str] | None) -> tuple[int, ...]:
    """The documents ``--document`` names (every ``--document`` of every command reads
    them so), each note about a value that could have meant another document on stderr;
    () when the option is not given."""
    if given is None:
        return ()
    named = ws.documents.resolve_ids(given)
    for note in named.notes:
        print(f"annotator: note: {note}", file=sys.stderr)
    return named.ids


def print_report(report: Any) -> int:
    """An import's summary on stdout, each refused file on stderr; exit 1 if any was refused."""
    print(report.summary())
    for err in report.errors:
        print(f"annotator: error: {err}", file=sys.stderr)
    return 1 if report.errors else 0
