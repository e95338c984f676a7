"""Documents as passages, read a chunk at a time: what suggesting, the uncertainty queue
and pre-annotation score."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from annotator.core.errors import AnnotatorError
from annotator.core.segment import Passage, PassageKind, passages
from annotator.core.team import DocumentLayers
from annotator.storage import Database, Tx, repo
from annotator.storage import suggestions as store


def document_passages(
    db: Database, document_ids: Sequence[int], annotators: Sequence[str], level: PassageKind
) -> Iterator[tuple[int, str, str, list[Passage]]]:
    """(id, external id else id, text, passages) of the named documents, else of those the
    annotators have not tagged; an unknown id is an error before anything is yielded."""

    def ids(s: Tx) -> tuple[list[int], dict[int, str]]:
        wanted = list(document_ids) or store.untagged_document_ids(s, annotators)
        return wanted, repo.external_ids(s, wanted)

    wanted, ext = db.read(ids)
    missing = sorted(set(wanted) - set(ext))
    if missing:
        raise AnnotatorError(f"No document with id {missing[0]}.")
    for i in range(0, len(wanted), 200):
        chunk = wanted[i : i + 200]

        def read(s: Tx, c: list[int] = chunk) -> list[DocumentLayers]:
            return list(store.iter_labelled_documents(s, annotators=[], document_ids=c))

        layers = db.read(read)
        for layer in layers:
            text = layer.text or ""
            yield layer.id, ext.get(layer.id) or str(layer.id), text, passages(text, level)
