"""Passage-level agreement: did the annotators put the same sentences in a label?

Sentences come from :func:`annotator.core.segment.sentences`, whose ranges are already
trimmed of surrounding whitespace (inner spaces still count). For each sentence, annotator
and label the judgement is 1 when spans of that label cover *more than half* of the
sentence's characters, ``2 * covered > end - start``, else 0; exactly half is 0. Covered
characters come from the character coverage vector through a prefix sum, so one document
costs O(length), whatever the number of sentences. Kappa and alpha then run on the sentence
table exactly as on the character table.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence

import numpy as np
import numpy.typing as npt

from annotator.agreement.character import coverage
from annotator.agreement.inputs import AgreementDocument
from annotator.agreement.table import MISSING, UnitTable, build_table
from annotator.core.segment import Passage, sentences


def sentence_bounds(
    document: AgreementDocument,
) -> tuple[list[Passage], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The sentences of the document and their start and end arrays."""
    if document.text is None:
        raise ValueError(f"document {document.key!r}: passage level needs the document text")
    items = sentences(document.text)
    starts = np.array([p.start for p in items], dtype=np.int64)
    ends = np.array([p.end for p in items], dtype=np.int64)
    return items, starts, ends


def passage_votes(
    length: int,
    spans: Sequence[tuple[int, int, str]],
    label: str,
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
) -> npt.NDArray[np.int8]:
    """1 for each passage more than half covered by spans of ``label``, else 0."""
    return votes_from_coverage(coverage(length, spans, label), starts, ends)


def votes_from_coverage(
    cov: npt.NDArray[np.bool_], starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> npt.NDArray[np.int8]:
    """1 for each passage more than half covered, from the label's coverage vector."""
    prefix = np.concatenate(([0], np.cumsum(cov, dtype=np.int64)))
    covered = prefix[ends] - prefix[starts]
    votes: npt.NDArray[np.int8] = (2 * covered > ends - starts).astype(np.int8)
    return votes


Bounds = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]


def cached_bounds(document: AgreementDocument, cache: MutableMapping[str, Bounds]) -> Bounds:
    """The document's sentence starts and ends, segmented once per report."""
    found = cache.get(document.key)
    if found is None:
        _, starts, ends = sentence_bounds(document)
        found = cache[document.key] = (starts, ends)
    return found


def passage_block(
    document: AgreementDocument,
    annotators: Sequence[str],
    label: str,
    cache: MutableMapping[str, Bounds] | None = None,
) -> npt.NDArray[np.int8]:
    """annotators x sentences for one document: 1, 0, or -1 when not annotated.

    ``cache`` keeps each document's sentence bounds across labels (segmenting is the cost).
    """
    found = cache.get(document.key) if cache is not None else None
    if found is None:
        _, starts, ends = sentence_bounds(document)
        if cache is not None:
            cache[document.key] = (starts, ends)
    else:
        starts, ends = found
    block = np.full((len(annotators), starts.size), MISSING, dtype=np.int8)
    for i, annotator in enumerate(annotators):
        if document.annotated_by(annotator):
            spans = document.spans[annotator]
            block[i] = passage_votes(document.length, spans, label, starts, ends)
    return block


def passage_table(
    documents: Sequence[AgreementDocument],
    *,
    annotators: Sequence[str],
    label: str,
    cache: MutableMapping[str, Bounds] | None = None,
) -> UnitTable:
    """The concatenated sentence table of ``label`` over ``documents``."""
    names = tuple(annotators)
    blocks = [passage_block(d, names, label, cache) for d in documents]
    return build_table(tuple(d.key for d in documents), names, blocks)


def passage_alpha(
    documents: Sequence[AgreementDocument], *, annotators: Sequence[str], label: str
) -> float:
    """Nominal alpha of ``label`` over all sentences of ``documents``."""
    return passage_table(documents, annotators=annotators, label=label).alpha()


def passage_kappa(
    documents: Sequence[AgreementDocument], *, pair: tuple[str, str], label: str
) -> float:
    """Cohen's kappa of ``label`` for two annotators over the sentences both annotated."""
    return passage_table(documents, annotators=pair, label=label).kappa(*pair)
