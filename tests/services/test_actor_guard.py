"""A command made for one annotator cannot change another's span, note or status
(issue 20, item 1): the service refuses inside the write, and nothing changes."""

from __future__ import annotations

import pytest

from annotator.core.errors import NotYoursError
from annotator.core.model import DocumentStatus
from annotator.services import Workspace
from annotator.services.commands import (
    AddSpanCommand,
    DeleteSpanCommand,
    SetStatusCommand,
    UpdateSpanCommand,
)
from annotator.services.suggestion_commands import AcceptSuggestionCommand


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    """The conftest's workspace: SQLite, and the real PostgreSQL (``postgres`` mark)."""
    return workspace


@pytest.fixture
def doc(ws, tmp_path):
    f = tmp_path / "in" / "a.txt"
    f.parent.mkdir()
    f.write_text("Drones hit the depot. Talks resumed in Geneva.\n", encoding="utf-8")
    report = ws.importer.import_paths([f])
    assert not report.errors
    return ws.documents.list()[0].id


def _theirs(ws, doc):
    return [(s.id, s.label, s.note) for s in ws.annotations.spans(doc, annotators=("bob",))]


def test_commands_for_alice_cannot_touch_bobs_span(ws, doc):
    bobs, _ = ws.annotations.add(doc, start=0, end=6, label="MILITARY", annotator="bob")
    ws.annotations.update(bobs.id, note="his")
    before = _theirs(ws, doc)

    with pytest.raises(NotYoursError, match="bob's"):
        DeleteSpanCommand(ws.annotations, bobs, "alice").do()
    with pytest.raises(NotYoursError, match="bob's"):
        UpdateSpanCommand(ws.annotations, bobs.id, "alice", label="ECONOMIC").do()
    with pytest.raises(NotYoursError, match="bob's"):
        UpdateSpanCommand(ws.annotations, bobs.id, "alice", note="").do()
    assert _theirs(ws, doc) == before

    # The service itself, for any other path (a list's Delete, a stale id).
    with pytest.raises(NotYoursError):
        ws.annotations.delete(bobs.id, actor="alice")
    with pytest.raises(NotYoursError):
        ws.annotations.update(bobs.id, note="mine now", actor="alice")
    with pytest.raises(NotYoursError):
        ws.annotations.add(doc, start=7, end=10, label="MILITARY", annotator="bob", actor="alice")
    with pytest.raises(NotYoursError):
        ws.annotations.set_status(doc, "bob", DocumentStatus.DONE, actor="alice")
    assert _theirs(ws, doc) == before
    assert ws.annotations.status(doc, "bob") is DocumentStatus.IN_PROGRESS


def test_a_stale_step_whose_span_id_now_is_bobs_is_refused(ws, doc, db_backend):
    """alice tags, deletes, and the id comes back as bob's span (SQLite reuses the
    highest rowid): her old relabel step, redone, must not change bob's span."""
    if db_backend != "sqlite":
        pytest.skip("PostgreSQL's sequences never hand an id out twice")
    add = AddSpanCommand(ws.annotations, doc, 0, 6, "MILITARY", "alice")
    add.do()
    assert add.span is not None
    relabel = UpdateSpanCommand(ws.annotations, add.span.id, "alice", label="DIPLOMATIC")
    relabel.do()
    relabel.undo()
    add.undo()
    bobs, _ = ws.annotations.add(doc, start=7, end=10, label="ECONOMIC", annotator="bob")
    assert bobs.id == add.span.id  # the id is bob's now
    with pytest.raises(NotYoursError):
        relabel.do()
    assert _theirs(ws, doc) == [(bobs.id, "ECONOMIC", "")]


def test_own_steps_still_work_both_ways(ws, doc):
    add = AddSpanCommand(ws.annotations, doc, 0, 6, "MILITARY", "alice")
    add.do()
    assert add.span is not None
    note = UpdateSpanCommand(ws.annotations, add.span.id, "alice", note="ok")
    note.do()
    status = SetStatusCommand(ws.annotations, doc, "alice", DocumentStatus.DONE)
    status.do()
    status.undo()
    note.undo()
    delete = DeleteSpanCommand(ws.annotations, ws.annotations.get(add.span.id), "alice")
    delete.do()
    delete.undo()
    accept = AcceptSuggestionCommand(ws.annotations, doc, 7, 10, ("ECONOMIC",), "alice")
    accept.do()
    accept.undo()
    spans = ws.annotations.spans(doc, annotators=("alice",))
    assert [(s.label, s.note) for s in spans] == [("MILITARY", "")]
    assert ws.annotations.status(doc, "alice") is DocumentStatus.IN_PROGRESS


def test_every_command_of_an_annotator_names_its_actor() -> None:
    """The undo history refuses a step of someone else's only when the step says whose it
    is (``actor``): a command acting for an annotator that did not say so (pre-annotation
    and "no label" judgements did not) would pass as a shared edit."""
    import dataclasses
    import inspect

    from annotator.services import commands, suggestion_commands

    # (Adjudication's ``annotator`` is whose version gold takes: its steps are gold's.)
    checked = []
    for module in (commands, suggestion_commands):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not dataclasses.is_dataclass(cls):
                continue
            fields = {f.name for f in dataclasses.fields(cls)}
            if "annotator" not in fields and "actor" not in fields:
                continue
            checked.append(name)
            assert "actor" in fields or isinstance(getattr(cls, "actor", None), property), name
    assert {"JudgeCommand", "PreAnnotateCommand", "AcceptAllCommand"} <= set(checked)
