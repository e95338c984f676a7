"""Reading the corpus: document lists, single documents, search and statistics."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from annotator.core.errors import DocumentIdError
from annotator.core.model import Annotator, Document, DocumentSummary
from annotator.storage import Database, Tx, repo


@dataclass(frozen=True, slots=True)
class NamedDocuments:
    """What ``DocumentService.resolve_ids`` found: the documents' numbers, in order, and a
    line for each value that could have meant another document."""

    ids: tuple[int, ...]
    notes: tuple[str, ...] = ()


def _is_number(name: str) -> bool:
    """Written as a document's number is: digits, no sign, no leading zero."""
    return name.isascii() and name.isdigit() and len(name) <= 18 and str(int(name)) == name


def _note(part: str, taken: Sequence[int], number: int | None, numbered: dict[int, str]) -> str:
    """The line saying which documents ``part`` named when it could have meant others."""
    if number is None:
        return ""
    by_external = [i for i in taken if i != number]
    if number in taken and by_external:  # both are exported under that id
        others = ", ".join(f"#{i}" for i in by_external)
        return (
            f"--document {part} names document #{number} (which has no imported id) and "
            f"{others} (whose imported id is {part!r}); both are taken."
        )
    if number not in taken and number in numbered:
        return (
            f"--document {part} is the imported id of document "
            f"{', '.join(f'#{i}' for i in taken)}, which is taken; document #{number} "
            f"(imported id {numbered[number]!r}) is not: give {numbered[number]!r} for it."
        )
    return ""


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

    def resolve_ids(self, names: Sequence[str]) -> NamedDocuments:
        """The documents named on a command line's ``--document``: by the ids exports write
        (the external id, or the number of a document without one), else, for scripts
        written before, by a document's number. A name may be a comma-separated list;
        one whose whole is an id (an id with a comma in it) is taken whole.

        A value that is both a document's external id and another document's number names
        the one with that external id, and the result carries a note saying so. Raises
        DocumentIdError naming every value that matches no document, or when no value is
        given at all (a script's empty variable must not mean every document)."""
        whole = [n.strip() for n in names if n.strip()]
        parts = [p.strip() for n in whole for p in n.split(",") if p.strip()]
        if not parts:
            raise DocumentIdError("No document id given.")
        values: builtins.list[str] = []
        for name in whole:
            values += [name] if "," in name else []
            values += [p.strip() for p in name.split(",") if p.strip()]
        numbers = {n: int(n) for n in values if _is_number(n)}

        def work(s: Tx) -> tuple[dict[str, builtins.list[int]], dict[int, str]]:
            found = repo.ids_by_external_id(s, values)
            nums = sorted(set(numbers.values()))
            return found, repo.external_ids(s, nums) if nums else {}

        found, numbered = self._db.read(work)
        ids: set[int] = set()
        unknown: builtins.list[str] = []
        notes: dict[str, str] = {}
        for name in whole:
            if "," in name and name in found:  # an id with a comma in it, named whole
                ids.update(found[name])
                continue
            for part in (p.strip() for p in name.split(",") if p.strip()):
                taken = found.get(part)
                number = numbers.get(part)
                if taken:
                    ids.update(taken)
                    note = _note(part, taken, number, numbered)
                    if note:
                        notes[part] = note
                elif number is not None and number in numbered:
                    ids.add(number)  # a document's number, as scripts gave it before
                else:
                    unknown.append(part)
        if unknown:
            named = list(dict.fromkeys(unknown))
            listed = ", ".join(repr(n) for n in named)
            what = "No document with id" if len(named) == 1 else "No documents with ids"
            raise DocumentIdError(
                f"{what} {listed}. Give the ids exports write (a document's imported id, "
                "or its number if it has none)."
            )
        return NamedDocuments(tuple(sorted(ids)), tuple(notes.values()))

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
                    "document": ext or str(i),  # the id exports write and --document takes
                    "title": title,
                    "published": published.isoformat() if published else None,
                    "source": source,
                    "author": author,
                    "url": url,
                    "characters": chars,
                    "spans": n,
                    "status": status.get(i, {}),
                }
                for i, title, source, author, url, published, chars, n, ext in repo.corpus_lines(s)
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
