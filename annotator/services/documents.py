"""Reading the corpus: document lists, single documents, search and statistics."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from annotator.core.errors import NotFoundError
from annotator.core.model import Annotator, Document, DocumentSummary
from annotator.storage import Database, Tx, repo


class DocumentService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def count(self) -> int:
        return self._db.read(repo.count_documents)

    def list(self, *, offset: int = 0, limit: int | None = None) -> builtins.list[DocumentSummary]:
        return self._db.read(lambda s: repo.list_documents(s, offset=offset, limit=limit))

    def summaries(self, document_ids: Sequence[int]) -> builtins.list[DocumentSummary]:
        """Fresh summaries of just these documents, for refreshing rows after an edit."""
        if not document_ids:
            return []
        return self._db.read(lambda s: repo.list_documents(s, ids=document_ids))

    def ids_named(self, names: Sequence[str]) -> builtins.list[int]:
        """The documents named by the ids exports write (the external id, or the number of
        a document without one), in id order; a name may be a comma-separated list of
        them. NotFoundError names every one that matches no document."""
        whole = [n.strip() for n in names if n.strip()]
        parts = [p.strip() for n in whole for p in n.split(",") if p.strip()]
        if not parts:  # ``--document ""`` from an empty variable must not mean every document
            raise NotFoundError("No document id given.")
        found = self._db.read(lambda s: repo.ids_by_external_id(s, [*whole, *parts]))
        ids: set[int] = set()
        unknown: builtins.list[str] = []
        for name in whole:
            if name in found:  # an id with a comma in it, named whole
                ids.update(found[name])
                continue
            for part in (p.strip() for p in name.split(",")):
                if part and part not in found:
                    unknown.append(part)
                ids.update(found.get(part, ()))
        if unknown:
            named = list(dict.fromkeys(unknown))
            listed = ", ".join(repr(n) for n in named)
            what = "No document with id" if len(named) == 1 else "No documents with ids"
            raise NotFoundError(f"{what} {listed}.")
        return sorted(ids)

    def get(self, document_id: int) -> Document:
        return self._db.read(lambda s: repo.get_document(s, document_id))

    def delete(self, document_id: int) -> None:
        self._db.write(lambda s: repo.delete_document(s, document_id))

    def search(self, needle: str, *, limit: int = 200) -> builtins.list[tuple[int, int]]:
        """Documents containing ``needle`` (case-insensitive) with the offset of the first hit."""
        if not needle:
            return []
        return self._db.read(lambda s: repo.search_documents(s, needle, limit=limit))

    def annotators(self) -> builtins.list[Annotator]:
        return self._db.read(repo.list_annotators)

    def recount(self) -> int:
        """Compare the span counts SQLite keeps for ``stats`` (schema 0016) with a count of
        the spans, and count them again where they differ; returns how many differed.
        Reads every span (``annotator check``)."""

        def work(s: Tx) -> int:
            off = repo.count_differences(s)
            if off:
                repo.rebuild_counts(s)
            return off

        if not self._db.read(repo.count_differences):
            return 0
        return self._db.write(work)

    def stats(self) -> dict[str, Any]:
        """Everything ``annotator stats --json`` prints, from one read transaction."""

        def work(s: Tx) -> dict[str, Any]:
            # Plain rows, no summary objects: 8,000 documents cost two index reads.
            status: dict[int, dict[str, str]] = {}
            for doc_id, ann, st in repo.status_lines(s):
                status.setdefault(doc_id, {})[ann] = st
            documents = [
                {
                    "id": i,
                    "title": title,
                    "published": published.isoformat() if published else None,
                    "source": source,
                    "author": author,
                    "url": url,
                    "characters": chars,
                    "spans": n,
                    "status": status.get(i, {}),
                }
                for i, title, source, author, url, published, chars, n in repo.corpus_lines(s)
            ]
            counts = repo.span_counts(s)
            by_label: dict[str, int] = {}
            by_annotator: dict[str, int] = {}
            for label, ann, n in counts:
                by_label[label] = by_label.get(label, 0) + n
                by_annotator[ann] = by_annotator.get(ann, 0) + n
            return {
                "documents": documents,
                "labels": [
                    {"name": lab.name, "color": lab.color, "shortcut": lab.shortcut}
                    for lab in repo.list_labels(s)
                ],
                "annotators": [a.name for a in repo.list_annotators(s)],
                "spans": {
                    "total": sum(by_label.values()),
                    "by_label": by_label,
                    "by_annotator": by_annotator,
                    "by_label_and_annotator": [
                        {"label": lab, "annotator": ann, "spans": n} for lab, ann, n in counts
                    ],
                },
            }

        return self._db.read(work)
