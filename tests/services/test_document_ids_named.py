"""``DocumentService.resolve_ids``: the ids every ``--document`` takes, on both backends."""

from __future__ import annotations

import pytest

from annotator.core.errors import DocumentIdError
from annotator.core.model import Document
from annotator.core.text import content_hash
from annotator.services import Workspace
from annotator.storage import repo


def _doc(ws: Workspace, text: str, external_id: str) -> int:
    doc = Document(text=text, title=text, content_hash=content_hash(text), external_id=external_id)
    return ws.db.write(lambda s: repo.add_document(s, doc))


def _ids(ws: Workspace, names: list[str]) -> list[int]:
    return list(ws.documents.resolve_ids(names).ids)


def test_names_are_the_ids_exports_write(workspace: Workspace) -> None:
    ws = workspace
    a = _doc(ws, "first", "a-1")
    comma = _doc(ws, "second", "x,y")
    bare = _doc(ws, "third", "")  # exported as its number
    twice = [_doc(ws, "fourth", "dup"), _doc(ws, "fifth", "dup")]
    # An external id that is another document's number names the one that has it.
    numbered = _doc(ws, "sixth", str(a))

    assert _ids(ws, ["a-1"]) == [a]
    assert _ids(ws, ["x,y"]) == [comma]  # whole, before splitting
    assert _ids(ws, [f"{bare}, a-1", "dup"]) == sorted([bare, a, *twice])
    assert _ids(ws, [str(a)]) == [numbered]
    (note,) = ws.documents.resolve_ids([str(a)]).notes  # ... saying so, naming both
    assert f"#{numbered}" in note and f"#{a}" in note and "'a-1'" in note
    # A document's number no export writes (it has an external id) still names it, as
    # scripts written before gave it, when no external id is that number.
    assert ws.documents.resolve_ids([f"{comma},dup"]) == ws.documents.resolve_ids(["x,y", "dup"])
    assert _ids(ws, [str(comma)]) == [comma]
    assert not ws.documents.resolve_ids([str(comma), "a-1"]).notes
    # ... and a document without one is named by its number, even where another's
    # external id is that number too: both are exported under it.
    same = _doc(ws, "seventh", str(bare))
    assert _ids(ws, [str(bare)]) == sorted([bare, same])
    (note,) = ws.documents.resolve_ids([str(bare)]).notes
    assert f"#{bare}" in note and f"#{same}" in note and "both are taken" in note
    with pytest.raises(DocumentIdError, match=r"No document with id '0" + str(bare) + "'"):
        ws.documents.resolve_ids(["0" + str(bare)])  # not how the number is written
    with pytest.raises(DocumentIdError, match=r"No documents with ids 'x', 'nope'\."):
        ws.documents.resolve_ids(["a-1,x", "nope", "x"])
    with pytest.raises(DocumentIdError, match="'99999999999999999999999'"):
        ws.documents.resolve_ids(["99999999999999999999999"])  # past any id, no overflow
    with pytest.raises(DocumentIdError, match="No document id given"):
        ws.documents.resolve_ids([" , ", ""])  # an empty variable in a script: not "all"
