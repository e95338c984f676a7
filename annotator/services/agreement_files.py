"""An agreement report written to a file: HTML, CSV or JSON by the file's extension.

Apart from :mod:`annotator.services.agreement_report` (the tables and the CSV/JSON text)
and :mod:`annotator.services.agreement_html` (the page, built on those tables), so that
neither of the two imports the other back.
"""

from __future__ import annotations

from pathlib import Path

from annotator.agreement import AgreementReport
from annotator.core.errors import AnnotatorError
from annotator.formats.base import atomic_write
from annotator.services.agreement_html import render_html
from annotator.services.agreement_report import DocumentInfo, render_csv, render_json

REPORT_EXTENSIONS = (".html", ".htm", ".csv", ".json")


def write_report(
    path: Path,
    report: AgreementReport,
    info: DocumentInfo | None = None,
    *,
    neutralize_formulas: bool = True,
) -> str:
    """Write the report in the format its extension names, atomically; returns the format."""
    ext = path.suffix.lower()
    if ext in (".html", ".htm"):
        kind, body = "html", render_html(report, info)
    elif ext == ".csv":
        kind, body = "csv", render_csv(report, neutralize_formulas=neutralize_formulas)
    elif ext == ".json":
        kind, body = "json", render_json(report, info) + "\n"
    else:
        raise AnnotatorError(
            f"{path}: unknown report type {ext or '(none)'}; use {', '.join(REPORT_EXTENSIONS)}"
        )
    with atomic_write(path) as fh:
        fh.write(body)
    return kind
