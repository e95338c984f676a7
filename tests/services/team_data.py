"""Shared set-up for the team tests: two documents tagged by ann and bob through the service."""

from __future__ import annotations

from annotator.core.model import Document, DocumentStatus
from annotator.core.text import content_hash
from annotator.services import Workspace
from annotator.storage import repo

TEXT_1 = (
    "Tanks crossed the border at dawn. Ministers met in Geneva for talks. "
    "Oil prices rose sharply. Artillery shelled the city overnight."
)
TEXT_2 = "Sanctions hit the banks. Troops withdrew from the river. Envoys signed a truce."


def add_document(ws: Workspace, text: str, title: str) -> int:
    doc = Document(text=text, title=title, content_hash=content_hash(text))
    return ws.db.write(lambda s: repo.add_document(s, doc))


def tag(
    ws: Workspace, doc: int, text: str, piece: str, label: str, who: str, shift: int = 0
) -> None:
    start = text.index(piece)
    ws.annotations.add(doc, start=start, end=start + len(piece) + shift, label=label, annotator=who)


def two_annotators(ws: Workspace) -> tuple[int, int]:
    d1 = add_document(ws, TEXT_1, "First")
    d2 = add_document(ws, TEXT_2, "Second")
    # Document 1: agree on MILITARY, label differs on Geneva, boundary on oil, only ann shells.
    tag(ws, d1, TEXT_1, "Tanks crossed the border at dawn.", "MILITARY", "ann")
    tag(ws, d1, TEXT_1, "Tanks crossed the border at dawn.", "MILITARY", "bob")
    tag(ws, d1, TEXT_1, "Ministers met in Geneva for talks.", "DIPLOMATIC", "ann")
    tag(ws, d1, TEXT_1, "Ministers met in Geneva for talks.", "ECONOMIC", "bob")
    tag(ws, d1, TEXT_1, "Oil prices rose sharply.", "ECONOMIC", "ann")
    tag(ws, d1, TEXT_1, "Oil prices rose", "ECONOMIC", "bob")
    tag(ws, d1, TEXT_1, "Artillery shelled the city overnight.", "MILITARY", "ann")
    # Document 2.
    tag(ws, d2, TEXT_2, "Sanctions hit the banks.", "ECONOMIC", "ann")
    tag(ws, d2, TEXT_2, "Sanctions hit the banks.", "ECONOMIC", "bob")
    tag(ws, d2, TEXT_2, "Troops withdrew from the river.", "MILITARY", "bob")
    tag(ws, d2, TEXT_2, "Envoys signed a truce.", "DIPLOMATIC", "ann")
    tag(ws, d2, TEXT_2, "Envoys signed a truce.", "DIPLOMATIC", "bob")
    for d in (d1, d2):
        for who in ("ann", "bob"):
            ws.annotations.set_status(d, who, DocumentStatus.DONE)
    return d1, d2
