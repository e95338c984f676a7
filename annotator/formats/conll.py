"""CoNLL-2003 NER columns: one token per line ``token tag``, IOB2 tags, a blank line
between sentences, ``-DOCSTART- -X- O O`` and a blank line before each document.

What the readers of this format expect (spaCy's ``conll_ner_to_docs``, nltk's
``ConllCorpusReader``, seqeval, flair, Hugging Face's conll2003 loader) and so what we
write by default: space-separated columns, the tag in the last one, no comment lines.

* Tokens come from ``annotator.core.tokenize``, broken only at the boundaries of the
  spans that are written: a span dropped for overlap never cuts a word.
* Whitespace tokens are not written. Sentences come from ``annotator.core.segment``,
  but a sentence break is never written inside a span.
* Labels may not hold whitespace in a column format: whitespace and ``%`` in a label are
  percent-encoded (``KEY EVENT`` -> ``B-KEY%20EVENT``), and the reader decodes them, so
  the label comes back the same. The report lists every label so written.
* The exact text, the document id and metadata go, by option ``metadata``, to a side file
  ``<file>.meta`` (JSON lines, one per document in order; the reader uses it when it sits
  beside the file), or to ``# text = ...`` comment lines after ``-DOCSTART-`` (``comments``,
  our own layout, which spaCy and nltk cannot read), or nowhere (``none``; reported).
* ``docstart``: ``spacy`` (default) writes ``-DOCSTART- -X- O O``, the only line spaCy's
  converter splits documents on (CoNLL-2003 copies and spaCy's samples use it too, and
  nltk, seqeval and Hugging Face's loader split on any ``-DOCSTART-``); ``conll2003``
  writes ``-DOCSTART- -X- -X- O``, which spaCy's converter merges into one document.

Overlaps, by option ``overlap``: ``longest`` (default) keeps one tag column, the longest
span wins and each span it overlaps is reported as dropped; ``layers`` writes one tag
column per label (not CoNLL-2003: spaCy and nltk read one tag column). Spans drawn
identically by several annotators are written once. CoNLL has no place for annotators or
notes: both are reported as not carried.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

from annotator.core.errors import AnnotatorError
from annotator.core.model import AnnotatedDocument, Document
from annotator.core.segment import sentences
from annotator.core.tokenize import Token, cluster_bounds, tokenize
from annotator.formats.base import (
    WRITTEN_ONCE,
    ExportItem,
    ExportOption,
    ExportReport,
    FormatBase,
    atomic_write,
    doc_label,
)
from annotator.formats.common import AnySpan, json_line
from annotator.formats.conll_read import DOCSTART, read_conll, side_file
from annotator.formats.jsonl import document_meta
from annotator.formats.tokens import NOT_ALIGNED

DOCSTART_LINES = {"conll2003": f"{DOCSTART} -X- -X- O", "spacy": f"{DOCSTART} -X- O O"}
LOSES_OVERLAP = "overlaps a longer span (CoNLL keeps one tag per token; longest wins)"
LOSES_SAME_LABEL = "overlaps a longer span of the same label (one column per label)"
EDGE_SPACE = "begins or ends with whitespace, which CoNLL does not write"
LOST_ANNOTATORS = "annotator of a span (CoNLL has no annotator column)"
LOST_NOTES = "note of a span (CoNLL has no place for notes)"
LOST_METADATA = "document text, id and metadata (metadata=none)"


def encode_label(label: str) -> str:
    """A label safe in a whitespace-separated column: whitespace and % percent-encoded."""
    return "".join(quote(c, safe="") if c.isspace() or c == "%" else c for c in label)


class ConllBio(FormatBase):
    NAME: ClassVar[str] = "conll"
    TITLE: ClassVar[str] = "CoNLL-2003 token/BIO (IOB2)"
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".conll", ".bio", ".iob")
    OPTIONS: ClassVar[tuple[ExportOption, ...]] = (
        ExportOption("overlap", "longest", ("longest", "layers"), "how to write overlapping spans"),
        ExportOption(
            "metadata",
            "side-file",
            ("side-file", "comments", "none"),
            "where the exact text and metadata go",
        ),
        ExportOption("docstart", "spacy", ("spacy", "conll2003"), "document separator line"),
        ExportOption("label_order", (), help="tag columns in layers mode", internal=True),
    )

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.overlap: str = self.options["overlap"]
        self.metadata: str = self.options["metadata"]
        self.docstart: str = DOCSTART_LINES[self.options["docstart"]]
        self.label_order: tuple[str, ...] = tuple(self.options["label_order"])
        if self.overlap == "layers" and self.metadata == "none":
            raise AnnotatorError(
                "conll: overlap=layers needs metadata=side-file or comments, which name the "
                "tag columns; a reader would otherwise take only the last one"
            )

    def write(self, items: Iterable[ExportItem], dest: Path, report: ExportReport) -> None:
        metas: list[str] = []
        with atomic_write(dest) as fh:
            for doc, spans in items:
                body, columns = self._document(doc, spans, report)
                fh.write(body)
                metas.append(self._meta_line(doc, columns))
                report.documents += 1
        report.paths.append(str(dest))
        meta_path = side_file(dest)
        if self.metadata == "side-file":
            with atomic_write(meta_path) as fh:
                fh.write("".join(m + "\n" for m in metas))
            report.paths.append(str(meta_path))
        elif self.metadata == "none" and report.documents:
            report.lose(LOST_METADATA, report.documents)

    @staticmethod
    def _meta_line(doc: Document, columns: list[str]) -> str:
        rec = {"doc_id": doc_label(doc), "text": doc.text, "meta": document_meta(doc)}
        if len(columns) > 1:
            rec["columns"] = columns
        # ASCII: U+2028, U+0085 and friends stay escaped, so no line-splitting reader
        # (str.splitlines) can break a record.
        return json.dumps(rec, ensure_ascii=True)

    def _keep(self, doc: Document, spans: Sequence[AnySpan], report: ExportReport) -> list[AnySpan]:
        """The spans that will be written; every other one reported with its reason."""
        bounds = set(cluster_bounds(doc.text))
        text = doc.text
        ok: list[AnySpan] = []
        for sp in spans:
            if sp.start not in bounds or sp.end not in bounds:
                report.drop(doc, sp, NOT_ALIGNED)
            elif text[sp.start].isspace() or text[sp.end - 1].isspace():
                report.drop(doc, sp, EDGE_SPACE)
            else:
                ok.append(sp)
        reason = LOSES_SAME_LABEL if self.overlap == "layers" else LOSES_OVERLAP
        taken: dict[str, list[tuple[int, int]]] = {}
        seen: set[tuple[int, int, str]] = set()
        kept: list[AnySpan] = []
        for sp in sorted(ok, key=lambda s: (s.start - s.end, s.start, s.label, s.annotator)):
            if (sp.start, sp.end, sp.label) in seen:
                report.lose(WRITTEN_ONCE)  # the report counts what is in the file
                continue
            column = taken.setdefault(sp.label if self.overlap == "layers" else "", [])
            if any(a < sp.end and sp.start < b for a, b in column):
                report.drop(doc, sp, reason)
                continue
            column.append((sp.start, sp.end))
            seen.add((sp.start, sp.end, sp.label))
            kept.append(sp)
        return kept

    def _document(
        self, doc: Document, spans: Sequence[AnySpan], report: ExportReport
    ) -> tuple[str, list[str]]:
        for sp in spans:
            report.lose(LOST_ANNOTATORS)
            if sp.note:
                report.lose(LOST_NOTES)
        kept = self._keep(doc, spans, report)
        tokens = tokenize(doc.text, {b for sp in kept for b in (sp.start, sp.end)})
        rows = [t for t in tokens if not t.is_space]
        first = {t.start: r for r, t in enumerate(rows)}
        last = {t.end: r for r, t in enumerate(rows)}
        if self.overlap == "layers":
            seen = {sp.label for sp in kept}
            columns = [*self.label_order, *sorted(seen - set(self.label_order))] or ["tag"]
        else:
            columns = ["tag"]
        col_of = {lab: i for i, lab in enumerate(columns)}
        tags = [["O"] * len(rows) for _ in columns]
        breaks = _sentence_starts(doc.text, rows)
        for sp in kept:
            a, b = first[sp.start], last[sp.end]
            col = tags[col_of.get(sp.label, 0)]
            label = encode_label(sp.label)
            if label != sp.label:
                report.encoded[sp.label] = label
            col[a] = f"B-{label}"
            for i in range(a + 1, b + 1):
                col[i] = f"I-{label}"
            breaks.difference_update(range(a + 1, b + 1))
            report.spans_per_label[sp.label] += 1
        out = [self.docstart]
        if self.metadata == "comments":
            out.append(f"# doc_id = {doc_label(doc)}")
            out.append("# text = " + json_line(doc.text))
            out.append("# meta = " + json_line(document_meta(doc)))
            out.append("# columns = " + " ".join(["token", *map(encode_label, columns)]))
        for row, tok in enumerate(rows):
            if row == 0 or row in breaks:
                out.append("")
            out.append(" ".join([tok.text, *(c[row] for c in tags)]))
        return "\n".join(out) + "\n\n", columns

    def can_read(self, path: Path) -> bool:
        return path.suffix.lower() in self.EXTENSIONS

    def read(
        self, path: Path, *, default_annotator: str = "imported"
    ) -> Iterator[AnnotatedDocument]:
        return read_conll(path, default_annotator)


def _sentence_starts(text: str, tokens: list[Token]) -> set[int]:
    """Rows (indexes into ``tokens``) that begin a new sentence."""
    starts = [p.start for p in sentences(text)]
    out: set[int] = set()
    last = -1
    for row, tok in enumerate(tokens):
        sent = bisect.bisect_right(starts, tok.start) - 1
        if row and sent != last:
            out.add(row)
        last = sent
    return out
