"""CSV cells a spreadsheet will not run: OWASP's rule against formula injection.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel, LibreOffice and Google Sheets as a formula, so passage text or a document
id from an untrusted file could run one on the reader's machine. Such text cells
get a leading ``'``, which spreadsheets show as text; numbers we format ourselves
are left alone. Pipelines that need the raw text turn this off.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: str) -> str:
    """``cell`` with a ``'`` in front when a spreadsheet would take it for a formula."""
    return "'" + cell if cell.startswith(FORMULA_LEADS) else cell


def safe_row(row: Iterable[Any], *, enabled: bool = True) -> list[Any]:
    """The row with every text cell neutralised (other values as they are)."""
    if not enabled:
        return list(row)
    return [neutralize(c) if isinstance(c, str) else c for c in row]
