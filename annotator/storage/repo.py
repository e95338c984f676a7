"""Data functions: each takes the session first and never commits (the caller owns the
transaction). They return core objects; ORM rows stay in this package.

One module per aggregate (documents, labels and annotators, spans, status, change log);
this module gathers them, so callers keep writing ``repo.add_span(s, ...)``.
"""

from __future__ import annotations

from annotator.core.model import NewSpan
from annotator.storage.changes import (
    changes_after,
    last_change_seq,
    prune_changes,
)
from annotator.storage.doc_labels import (
    add_document_labels,
    document_labels,
    remove_document_labels,
)
from annotator.storage.documents import (
    add_document,
    corpus_lines,
    count_documents,
    delete_document,
    document_ids,
    document_length,
    external_ids,
    find_document_id_by_hash,
    get_document,
    ids_by_external_id,
    list_documents,
    search_documents,
    status_lines,
)
from annotator.storage.guidelines import (
    add_guideline,
    current_version,
    get_guideline,
    list_guidelines,
)
from annotator.storage.labels import (
    add_label,
    add_labels,
    annotator_id,
    count_label_spans,
    count_labels,
    existing_label_names,
    get_label,
    list_annotators,
    list_labels,
    remove_label,
    set_annotator_role,
    update_label,
)
from annotator.storage.orm import AnnotatorRow, DocumentRow, LabelRow, SpanRow
from annotator.storage.predictions import list_predictions
from annotator.storage.rows import (
    _document,
    _span,
    _span_select,
)
from annotator.storage.spans import (
    add_span,
    add_spans_bulk,
    delete_span,
    delete_span_rows,
    get_span,
    iter_documents_with_spans,
    list_spans,
    span_counts,
    tag,
    tag_span,
    tag_span_driver,
    update_span,
)
from annotator.storage.status import (
    set_status,
    status_of,
)
from annotator.storage.tallies import differences as count_differences
from annotator.storage.tallies import rebuild as rebuild_counts

__all__ = [
    "AnnotatorRow",
    "DocumentRow",
    "LabelRow",
    "NewSpan",
    "SpanRow",
    "_document",
    "_span",
    "_span_select",
    "add_document",
    "add_document_labels",
    "add_guideline",
    "add_label",
    "add_labels",
    "add_span",
    "add_spans_bulk",
    "annotator_id",
    "changes_after",
    "corpus_lines",
    "count_differences",
    "count_documents",
    "count_label_spans",
    "count_labels",
    "current_version",
    "delete_document",
    "delete_span",
    "delete_span_rows",
    "document_ids",
    "document_labels",
    "document_length",
    "existing_label_names",
    "external_ids",
    "find_document_id_by_hash",
    "get_document",
    "get_guideline",
    "get_label",
    "get_span",
    "ids_by_external_id",
    "iter_documents_with_spans",
    "last_change_seq",
    "list_annotators",
    "list_documents",
    "list_guidelines",
    "list_labels",
    "list_predictions",
    "list_spans",
    "prune_changes",
    "rebuild_counts",
    "remove_document_labels",
    "remove_label",
    "search_documents",
    "set_annotator_role",
    "set_status",
    "span_counts",
    "status_lines",
    "status_of",
    "tag",
    "tag_span",
    "tag_span_driver",
    "update_label",
    "update_span",
]
