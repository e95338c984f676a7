"""Export use cases: stream documents and spans out of one read transaction into a format."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.core.judgement import Judgement
from annotator.core.model import (
    GOLD_ANNOTATOR,
    AnnotatorKind,
    Document,
    DocumentStatus,
    Span,
    SpanFilter,
    SpanOrigin,
)
from annotator.core.validate import display_path, export_problem
from annotator.formats.base import ExportItem, ExportReport, doc_label
from annotator.formats.registry import FormatInfo, export_formats, exporter_class
from annotator.formats.selection import majority_vote, part_path, split_documents
from annotator.services.blind import blind_rule, visible_spans
from annotator.storage import Database, Tx, repo
from annotator.storage import judgements as judgement_store

ProgressFn = Callable[[int, int], None]


class ExportService:
    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    def formats() -> list[FormatInfo]:
        """Every export format with its title, extensions, folder-or-file and options."""
        return export_formats()

    def export(
        self,
        format: str,
        dest: Path,
        *,
        filter: SpanFilter | None = None,
        progress: ProgressFn | None = None,
        options: Mapping[str, Any] | None = None,
        split: Sequence[int] | None = None,
        seed: int = 0,
        majority: bool = False,
        viewer: str | None = None,
    ) -> ExportReport:
        """Write the filtered documents and spans in ``format`` to ``dest``.

        ``options`` are the format's own (see ``formats()``). ``majority`` keeps only
        spans that more than half of the chosen annotators (the filter's, else every
        non-gold annotator) drew identically. ``split`` (e.g. ``(80, 10, 10)``) writes
        train/dev/test parts by document, shuffled with ``seed``, to ``out.train.jsonl``
        and so on, or to ``train/``, ``dev/``, ``test/`` in a folder format's folder.
        ``viewer``: export what that annotator may see (blind mode leaves out teammates'
        spans and status on overlap documents they have not finished).
        """
        cls = exporter_class(format)
        _check_destination(dest)
        flt = filter or SpanFilter()
        report = ExportReport(format=format)

        def work(s: Tx) -> ExportReport:
            opts = dict(options or {})
            if any(o.name == "label_order" for o in cls.OPTIONS):
                order = flt.labels or tuple(lab.name for lab in repo.list_labels(s))
                opts.setdefault("label_order", tuple(order))
            exporter = cls(**opts)
            voters = _voters(s, flt) if majority else ()
            ids = _document_ids(s, flt)
            blind = blind_rule(s, viewer)
            statuses = {
                d: {who: st for who, st in found.items() if not blind.hides(d, who)}
                for d, found in _statuses(s, ids, flt.annotators).items()
            }
            carries_status = getattr(cls, "CARRIES_STATUS", False)
            carries_origin = getattr(cls, "CARRIES_ORIGIN", False)
            carries_guideline = getattr(cls, "CARRIES_GUIDELINE_VERSION", False)
            if carries_status:
                exporter.statuses = statuses  # type: ignore[attr-defined]
            judgements = _judgements(s, ids, flt.annotators)
            carries_judgements = getattr(cls, "CARRIES_JUDGEMENTS", False)
            if carries_judgements:
                exporter.judgements = judgements  # type: ignore[attr-defined]
            whole = {  # labels of whole documents, without what blind mode hides
                d: seen
                for d, found in repo.document_labels(s, ids, flt.annotators).items()
                if (seen := {w: v for w, v in found.items() if not blind.hides(d, w)})
            }
            carries_doc_labels = getattr(cls, "CARRIES_DOC_LABELS", False)
            if carries_doc_labels:
                exporter.doc_labels = whole  # type: ignore[attr-defined]
            predicted = repo.list_predictions(s, ids)  # a model's suggestions (schema 0015)
            carries_predictions = getattr(cls, "CARRIES_PREDICTIONS", False)
            if carries_predictions:
                exporter.predictions = predicted  # type: ignore[attr-defined]
            done = 0

            def items(part: list[int], rep: ExportReport) -> Iterator[ExportItem]:
                nonlocal done
                if not part:
                    return
                part_flt = dataclasses.replace(flt, document_ids=tuple(part), only_done=False)
                for doc, spans in repo.iter_documents_with_spans(s, part_flt):
                    spans = visible_spans(blind, spans)
                    if majority:
                        spans = majority_vote(spans, voters)
                    _check_exportable(doc, spans)
                    if not carries_status and doc.id in statuses:
                        rep.lose(LOST_STATUS, len(statuses[doc.id]))
                    if not carries_judgements and doc.id in judgements:
                        rep.lose(LOST_JUDGEMENTS, len(judgements[doc.id]))
                    if not carries_doc_labels and doc.id in whole:
                        rep.lose(LOST_DOC_LABELS, sum(map(len, whole[doc.id].values())))
                    if not carries_predictions and doc.id in predicted:
                        rep.lose(LOST_PREDICTIONS, len(predicted[doc.id]))
                    if not carries_origin:
                        rep.lose(LOST_ORIGIN, sum(1 for sp in spans if _has_origin(sp)))
                    if not carries_guideline:
                        versioned = sum(1 for sp in spans if sp.guideline_version is not None)
                        rep.lose(LOST_GUIDELINE, versioned)
                    yield doc, spans
                    done += 1
                    if progress is not None:
                        progress(done, len(ids))

            if not split:
                exporter.write(items(ids, report), dest, report)
                return report
            for name, part in split_documents(ids, split, seed).items():
                sub = ExportReport(format=format)
                exporter.write(
                    items(part, sub), part_path(dest, name, multi_file=cls.MULTI_FILE), sub
                )
                report.merge(name, sub)
            return report

        try:
            return self._db.read(work)
        except OSError as exc:
            # Full disk, no permission, a file where a folder should be: one line, the
            # file named; the atomic writers left any earlier export as it was.
            where = exc.filename if exc.filename is not None else dest
            raise AnnotatorError(
                f"Cannot write the export to {display_path(where)}: {exc.strerror or exc}. "
                "Any earlier export there is unchanged."
            ) from exc


def _check_destination(dest: Path) -> None:
    """A file where a folder of the path should be: said plainly, before any work."""
    for parent in dest.parents:
        if parent.exists():
            if not parent.is_dir():
                raise AnnotatorError(
                    f"{display_path(parent)} is a file, not a folder; nothing can be written "
                    f"under it (export to {display_path(dest)})."
                )
            return


def _check_exportable(doc: Document, spans: list[Span]) -> None:
    """What import accepts goes out; what an older version let in is named, not crashed on."""
    problem = export_problem(doc, spans)
    if problem is not None:
        raise AnnotatorError(
            f"Document {doc_label(doc)!r} cannot be exported: {problem}. It was stored "
            "before such values were refused; fix or delete it, then export again."
        )


LOST_JUDGEMENTS = (
    "judged passages (no label, rejected suggestions, skipped; only jsonl carries them)"
)
LOST_STATUS = "per-annotator document status (todo/in progress/done; only jsonl carries it)"


LOST_DOC_LABELS = (
    "document label (a label of the whole document: the format has no place for it; "
    "jsonl, doccano, prodigy, spacy and label-studio carry them)"
)


LOST_PREDICTIONS = (
    "a model's prediction stored as a suggestion (only label-studio carries them, as predictions)"
)


LOST_ORIGIN = "origin of a span (unanimous/adjudicated, decided by; only jsonl carries it)"


LOST_GUIDELINE = "guideline version a span was made under (only jsonl carries it)"


def _has_origin(sp: Span) -> bool:
    return sp.origin in (SpanOrigin.UNANIMOUS, SpanOrigin.ADJUDICATED) or bool(sp.decided_by)


def _judgements(s: Tx, ids: list[int], annotators: tuple[str, ...]) -> dict[int, list[Judgement]]:
    """document id -> the judgements in it (of ``annotators``; everyone's when none are named,
    as this login may read them)."""
    out: dict[int, list[Judgement]] = {}
    if not ids:
        return out
    for i in range(0, len(ids), 500):
        for j in judgement_store.list_judgements(
            s, annotators=annotators, document_ids=ids[i : i + 500]
        ):
            out.setdefault(j.document_id, []).append(j)
    return out


def _statuses(s: Tx, ids: list[int], annotators: tuple[str, ...]) -> dict[int, dict[str, str]]:
    """document id -> {annotator: status} for the exported documents, todo left out."""
    out: dict[int, dict[str, str]] = {}
    for i in range(0, len(ids), 500):
        for summary in repo.list_documents(s, ids=ids[i : i + 500]):
            found = {
                who: st.value
                for who, st in summary.status.items()
                if st is not DocumentStatus.TODO and (not annotators or who in annotators)
            }
            if found:
                out[summary.id] = found
    return out


def _voters(s: Tx, flt: SpanFilter) -> tuple[str, ...]:
    voters = flt.annotators or tuple(
        a.name
        for a in repo.list_annotators(s)
        if a.kind is not AnnotatorKind.GOLD and a.name != GOLD_ANNOTATOR
    )
    if not voters:
        raise AnnotatorError("A majority vote needs annotators, and there are none.")
    return tuple(voters)


def _document_ids(s: Tx, flt: SpanFilter) -> list[int]:
    """The documents an export takes, in id order. ``only_done`` with no annotator chosen
    means done by any annotator."""
    done_by: tuple[str, ...] = ()
    if flt.only_done:
        done_by = flt.annotators or tuple(a.name for a in repo.list_annotators(s))
        if not done_by:
            return []
    ids = repo.document_ids(s, only_done_by=done_by)
    if flt.document_ids:
        wanted = set(flt.document_ids)
        ids = [i for i in ids if i in wanted]
    return ids


__all__ = ["ExportItem", "ExportService"]
