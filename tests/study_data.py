"""A corpus and a scripted agreement study shared by the study tests (issue 22).

Forty short articles of different lengths, each with an external id; ``work`` is what an
annotator does on one document: tag a span or two, then mark it done.
"""

from __future__ import annotations

from annotator.core.model import Document, DocumentStatus
from annotator.core.text import content_hash
from annotator.services import Workspace
from annotator.storage import Database, repo

SENTENCES = (
    "Troops crossed the river at dawn.",
    "Envoys met in Geneva to discuss the ceasefire.",
    "Sanctions on grain exports were tightened.",
    "The navy moved two frigates into the strait.",
    "Ministers signed a trade agreement on tariffs.",
)


def article(i: int) -> Document:
    body = " ".join(SENTENCES[(i + j) % len(SENTENCES)] for j in range(1 + i % 7))
    text = f"Article {i:02d}. {body}"
    return Document(
        text=text,
        title=f"Article {i:02d}",
        external_id=f"art-{i:02d}",
        content_hash=content_hash(text),
    )


def add_articles(db: Database, first: int, count: int) -> list[int]:
    return [
        db.write(lambda s, i=i: repo.add_document(s, article(i)))
        for i in range(first, first + count)
    ]


def work(ws: Workspace, document_id: int, who: str, *, done: bool = True) -> None:
    """Tag "Article" as MILITARY (everyone agrees) and, for bob, the number as ECONOMIC."""
    ws.annotations.add(document_id, start=0, end=7, label="MILITARY", annotator=who)
    if who.endswith("bob"):
        ws.annotations.add(document_id, start=8, end=10, label="ECONOMIC", annotator=who)
    if done:
        ws.annotations.set_status(document_id, who, DocumentStatus.DONE)
