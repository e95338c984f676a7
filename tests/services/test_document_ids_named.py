"""``DocumentService.ids_named``: the ids ``export --document`` takes, on both backends."""

from __future__ import annotations

import pytest

from annotator.core.errors import NotFoundError
from annotator.core.model import Document
from annotator.core.text import content_hash
from annotator.services import Workspace
from annotator.storage import repo


def _doc(ws: Workspace, text: str, external_id: str) -> int:
    doc = Document(text=text, title=text, content_hash=content_hash(text), external_id=external_id)
    return ws.db.write(lambda s: repo.add_document(s, doc))


def test_names_are_the_ids_exports_write(workspace: Workspace) -> None:
    ws = workspace
    a = _doc(ws, "first", "a-1")
    comma = _doc(ws, "second", "x,y")
    bare = _doc(ws, "third", "")  # exported as its number
    twice = [_doc(ws, "fourth", "dup"), _doc(ws, "fifth", "dup")]
    # An external id that is another document's number names the one that has it.
    numbered = _doc(ws, "sixth", str(a))

    assert ws.documents.ids_named(["a-1"]) == [a]
    assert ws.documents.ids_named(["x,y"]) == [comma]  # whole, before splitting
    assert ws.documents.ids_named([f"{bare}, a-1", "dup"]) == sorted([bare, a, *twice])
    assert ws.documents.ids_named([str(a)]) == [numbered]
    # ... and a document without one is named by its number, even where another's
    # external id is that number too: both are exported under it.
    same = _doc(ws, "seventh", str(bare))
    assert ws.documents.ids_named([str(bare)]) == sorted([bare, same])
    with pytest.raises(NotFoundError, match=r"No document with id '0" + str(bare) + "'"):
        ws.documents.ids_named(["0" + str(bare)])  # not how the number is written
    with pytest.raises(NotFoundError, match=r"No documents with ids 'x', 'nope'\."):
        ws.documents.ids_named(["a-1,x", "nope", "x"])
    with pytest.raises(NotFoundError, match="'99999999999999999999999'"):
        ws.documents.ids_named(["99999999999999999999999"])  # past any id, no overflow
    with pytest.raises(NotFoundError, match="No document id given"):
        ws.documents.ids_named([" , ", ""])  # an empty variable in a script: not "all"
