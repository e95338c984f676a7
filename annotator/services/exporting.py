"""Export use cases: stream documents and spans out of one read transaction into a format."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from annotator.core.model import SpanFilter
from annotator.formats.base import ExportItem, ExportReport
from annotator.formats.registry import get_exporter
from annotator.storage import Database, Tx, repo

ProgressFn = Callable[[int, int], None]


class ExportService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def export(
        self,
        format: str,
        dest: Path,
        *,
        filter: SpanFilter | None = None,
        progress: ProgressFn | None = None,
    ) -> ExportReport:
        exporter = get_exporter(format)
        flt = filter or SpanFilter()
        report = ExportReport(format=format)

        def work(s: Tx) -> ExportReport:
            total = len(flt.document_ids) or repo.count_documents(s)

            def items() -> Iterator[ExportItem]:
                for n, item in enumerate(repo.iter_documents_with_spans(s, flt), 1):
                    yield item
                    if progress is not None:
                        progress(n, total)

            exporter.write(items(), dest, report)
            return report

        return self._db.read(work)


__all__ = ["ExportItem", "ExportService"]
