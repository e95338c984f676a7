"""Two annotators' layers on one small document, shared by the team view tests."""

from __future__ import annotations

import pytest

TEXT = (
    "Shelling near Kherson continued overnight. "
    "Talks stalled in Geneva on Tuesday. "
    "Grain prices rose sharply in Odesa."
)
S1 = "Shelling near Kherson continued overnight."
S2 = "Talks stalled in Geneva"
S3 = "Grain prices rose sharply in Odesa."


def rng(needle: str) -> tuple[int, int]:
    at = TEXT.index(needle)
    return at, at + len(needle)


@pytest.fixture(name="team_doc")
def team_doc_fixture(ws, import_doc):
    """ann and ben disagree on S1's label, only ann tagged S2, both tagged S3 the same."""
    doc = import_doc(TEXT)
    add = ws.annotations.add
    add(doc, start=rng(S1)[0], end=rng(S1)[1], label="MILITARY", annotator="ann")
    add(doc, start=rng(S1)[0], end=rng(S1)[1], label="DIPLOMATIC", annotator="ben")
    add(doc, start=rng(S2)[0], end=rng(S2)[1], label="DIPLOMATIC", annotator="ann")
    add(doc, start=rng(S3)[0], end=rng(S3)[1], label="ECONOMIC", annotator="ann")
    add(doc, start=rng(S3)[0], end=rng(S3)[1], label="ECONOMIC", annotator="ben")
    return doc
