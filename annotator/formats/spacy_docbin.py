"""spaCy ``DocBin`` (``.spacy``), the training format of ``spacy train``.

Each document becomes one ``Doc`` built from the built-in tokenizer
(``annotator.core.tokenize``) broken at span boundaries, with ``spaces`` from its
``ws``, so ``doc.text`` is exactly the document text and every character offset is
the same (spaCy offsets are code points, like ours). We use our tokenizer rather than
a language's rule tokenizer because it can always align a span: nothing is widened
with ``alignment_mode="expand"`` and nothing is lost to a tokenizer that ran a word on.

* Every span goes in ``doc.spans["sc"]`` (overlaps kept).
* ``doc.ents`` gets the spans too when none of them overlap (spans that several
  annotators drew identically count once); when some do, ``doc.ents`` is left empty
  and each span is reported as written in part ("not in doc.ents"). The DocBin keeps
  spaCy's default attributes, ``ENT_IOB`` and ``ENT_TYPE`` among them, so ``doc.ents``
  is really stored (``attrs=["ORTH"]`` would silently drop it).
* A span whose boundary splits a character cluster cannot be a token range: it is
  reported as dropped ("does not align with tokens").
* The reader takes every span group and ``doc.ents``; a span found in several of them
  (``sc`` and ``ents``, or two groups) comes in once.
* ``doc.user_data`` keeps the document id and metadata and, per span of ``sc``, its
  annotator (``"annotator_spans"``), so the reader can give spans back to annotators.
* Document labels go in ``doc.cats`` as ``textcat_multilabel`` trains on them: every
  document label of the export is a category, 1.0 when some annotator gave the document
  that label, else 0.0; ``user_data["annotator_doc_labels"]`` keeps who gave which, and
  the reader takes that (else ``cats`` of 0.5 or more, for the import's annotator).

spaCy is an optional extra (``pip install 'annotator[spacy]'``), imported only when
this format is used.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.model import AnnotatedDocument, NewSpan, SpanOrigin
from annotator.formats.base import (
    ExportItem,
    ExportReport,
    FormatBase,
    atomic_write_bytes,
    doc_label,
)
from annotator.formats.common import (
    build_document,
    cats_labels,
    doc_label_names,
    doc_labels_of,
    record_text,
)
from annotator.formats.jsonl import document_meta
from annotator.formats.tokens import aligned_tokens

SPAN_KEY = "sc"
NOT_IN_ENTS = "not in doc.ents: the document has overlapping spans (kept in doc.spans['sc'])"


def _check_unpacked_size(data: bytes, name: str, budget: int) -> None:
    """Refuse a DocBin that unpacks to more than ``budget`` bytes, counting in 1 MB steps
    and keeping nothing: a 4 MB zip bomb unpacked to 8.5 GB before it was refused."""
    unpack = zlib.decompressobj()
    total = 0
    rest = data
    while rest:
        try:
            chunk = unpack.decompress(rest, 1 << 20)
        except zlib.error:
            return  # not zlib: DocBin's own reading names the problem
        total += len(chunk)
        if total > budget:
            raise InputError(
                f"unpacks to more than {budget / 2**20:.0f} MB (compressed {len(data)} bytes); "
                "refused unread. Raise the import limit (settings: max_import_mb) if it is real",
                path=name,
            )
        rest = unpack.unconsumed_tail
        if not chunk and not rest:
            break


def _spacy() -> Any:
    try:
        import spacy
    except ImportError:
        raise AnnotatorError(
            "The spacy format needs spaCy: pip install 'annotator[spacy]' (or pip install spacy)."
        ) from None
    return spacy


class SpacyDocBin(FormatBase):
    NAME: ClassVar[str] = "spacy"
    TITLE: ClassVar[str] = "spaCy DocBin (.spacy)"
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".spacy",)
    CARRIES_DOC_LABELS: ClassVar[bool] = True

    def write(self, items: Iterable[ExportItem], dest: Path, report: ExportReport) -> None:
        spacy = _spacy()
        categories = sorted({x for d in self.doc_labels.values() for v in d.values() for x in v})
        from spacy.tokens import Doc, DocBin
        from spacy.tokens import Span as SpacySpan

        vocab = spacy.vocab.Vocab()
        db = DocBin(store_user_data=True)  # default attrs: ORTH, ENT_IOB, ENT_TYPE, ...
        for doc, spans in items:
            tokens, placed = aligned_tokens(doc, spans, report)
            sdoc = Doc(vocab, words=[t.text for t in tokens], spaces=[t.ws for t in tokens])
            if sdoc.text != doc.text:  # pragma: no cover - join_tokens guarantees it
                raise AnnotatorError(f"tokens of document {doc_label(doc)} do not rebuild its text")
            sdoc.spans[SPAN_KEY] = [
                SpacySpan(sdoc, a, b + 1, label=sp.label) for sp, a, b in placed
            ]
            ents = sorted({(a, b, sp.label) for sp, a, b in placed})
            overlap = any(ents[i][1] >= ents[i + 1][0] for i in range(len(ents) - 1))
            if overlap:
                for sp, _, _ in placed:
                    report.drop(doc, sp, NOT_IN_ENTS, partial=True)
            else:
                sdoc.ents = [SpacySpan(sdoc, a, b + 1, label=label) for a, b, label in ents]
            sdoc.user_data["annotator_doc_id"] = doc_label(doc)
            sdoc.user_data["annotator_meta"] = document_meta(doc)
            sdoc.user_data["annotator_spans"] = [
                [sp.start, sp.end, sp.label, sp.annotator, sp.note] for sp, _, _ in placed
            ]
            whole = doc_labels_of(self.doc_labels, doc)
            if categories:
                given = {x for v in whole.values() for x in v}
                sdoc.cats = {c: 1.0 if c in given else 0.0 for c in categories}
                sdoc.user_data["annotator_doc_labels"] = whole
                report.doc_labels += sum(map(len, whole.values()))
            report.spans_per_label.update(sp.label for sp, _, _ in placed)
            db.add(sdoc)
            report.documents += 1
        with atomic_write_bytes(dest) as fh:
            fh.write(db.to_bytes())
        report.paths.append(str(dest))

    max_unpacked_bytes: int = 512 * 1024 * 1024
    """A DocBin is zlib-compressed: it is refused unread when it would unpack to more than
    this (the import service sets it from the import limit)."""

    def can_read(self, path: Path) -> bool:
        return path.suffix.lower() in self.EXTENSIONS

    def read(
        self, path: Path, *, default_annotator: str = "imported"
    ) -> Iterator[AnnotatedDocument]:
        name = str(path)
        data = path.read_bytes()
        _check_unpacked_size(data, name, self.max_unpacked_bytes)
        spacy = _spacy()
        from spacy.tokens import DocBin

        try:
            db = DocBin().from_bytes(data)
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"not a spaCy DocBin ({exc})", path=name) from exc
        for n, sdoc in enumerate(db.get_docs(spacy.vocab.Vocab()), 1):
            where = f"document {n}"
            found = _span_counts(sdoc)
            text = record_text(sdoc.text, bool(found), name, None)
            extra = sdoc.user_data.get("annotator_spans") or []
            owners: dict[tuple[int, int, str], list[tuple[str, str]]] = {}
            for s in extra:
                if isinstance(s, list | tuple) and len(s) == 5:
                    owners.setdefault((s[0], s[1], s[2]), []).append((str(s[3]), str(s[4])))
            spans = []
            for key, count in found.items():
                start, end, label = key
                if not label.strip():
                    raise InputError(f"{where}: a span has no label", path=name)
                mine = owners.get(key, [])
                # As many spans as the fullest source holds, or as our user_data names.
                for k in range(max(count, len(mine))):
                    who, note = mine[k] if k < len(mine) else (default_annotator, "")
                    spans.append(NewSpan(start, end, label, who, note, SpanOrigin.IMPORTED))
            meta = sdoc.user_data.get("annotator_meta") or {}
            if not isinstance(meta, dict):
                raise InputError(f"{where}: user_data annotator_meta is not a mapping", path=name)
            doc_id = sdoc.user_data.get("annotator_doc_id", "")
            yield AnnotatedDocument(
                build_document(text, meta, doc_id, name, None),
                tuple(spans),
                line=n,
                doc_labels=self._doc_labels(sdoc, where, name, default_annotator),
            )

    def _doc_labels(
        self, sdoc: Any, where: str, name: str, default_annotator: str
    ) -> dict[str, tuple[str, ...]]:
        """Who gave which label of the whole document: our ``user_data``, else ``cats``."""
        ours = sdoc.user_data.get("annotator_doc_labels")
        if ours is None:
            whole = cats_labels(sdoc.cats, self.skipped)
            return {default_annotator: whole} if whole else {}
        if not isinstance(ours, dict) or not all(isinstance(k, str) for k in ours):
            raise InputError(f"{where}: user_data annotator_doc_labels is not a mapping", path=name)
        out = {}
        for who, raw in ours.items():
            labels = doc_label_names(raw, f"{where}: document labels of {who}", name, None)
            if labels:
                out[who.strip() or default_annotator] = labels
        return out


def _span_counts(sdoc: Any) -> dict[tuple[int, int, str], int]:
    """Every span of every span group and of ``doc.ents``, each key counted as often as
    the one source holding it most often has it (so ``sc`` + ``ents`` is not doubled)."""
    out: dict[tuple[int, int, str], int] = {}
    sources = [list(group) for group in sdoc.spans.values()] + [list(sdoc.ents)]
    for source in sources:
        counts: dict[tuple[int, int, str], int] = {}
        for sp in source:
            key = (sp.start_char, sp.end_char, sp.label_)
            counts[key] = counts.get(key, 0) + 1
        for key, c in counts.items():
            out[key] = max(out.get(key, 0), c)
    return dict(sorted(out.items()))
