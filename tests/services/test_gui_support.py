"""Service additions the desktop needs: row refresh, status read and undoable status."""

from __future__ import annotations

import pytest

from annotator.core.model import Document, DocumentStatus
from annotator.core.text import content_hash
from annotator.services import Workspace
from annotator.services.commands import SetStatusCommand


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_DATA_DIR", str(tmp_path / "data"))
    w = Workspace.open(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    yield w
    w.close()


def _add_doc(ws: Workspace, text: str) -> int:
    from annotator.storage import repo

    doc = Document(text=text, title=text[:10], content_hash=content_hash(text))
    return ws.db.write(lambda s: repo.add_document(s, doc))


def test_summaries_returns_only_the_asked_documents_with_fresh_counts(ws):
    a = _add_doc(ws, "First document text.")
    b = _add_doc(ws, "Second document text.")
    ws.annotations.add(b, start=0, end=6, label="MILITARY", annotator="ann")
    rows = ws.documents.summaries([b])
    assert [r.id for r in rows] == [b]
    assert rows[0].span_counts == {"ann": 1}
    assert rows[0].status_for("ann") is DocumentStatus.IN_PROGRESS
    assert ws.documents.summaries([]) == []
    assert {r.id for r in ws.documents.summaries([a, b])} == {a, b}


def test_status_reads_todo_until_set(ws):
    a = _add_doc(ws, "Some text here.")
    assert ws.annotations.status(a, "ann") is DocumentStatus.TODO
    ws.annotations.set_status(a, "ann", DocumentStatus.DONE)
    assert ws.annotations.status(a, "ann") is DocumentStatus.DONE


def test_set_status_command_undo_restores_previous_status(ws):
    a = _add_doc(ws, "Some text here.")
    ws.annotations.add(a, start=0, end=4, label="MILITARY", annotator="ann")
    cmd = SetStatusCommand(ws.annotations, a, "ann", DocumentStatus.DONE)
    changes = cmd.do()
    assert changes.status and a in changes.document_ids
    assert ws.annotations.status(a, "ann") is DocumentStatus.DONE
    cmd.undo()
    assert ws.annotations.status(a, "ann") is DocumentStatus.IN_PROGRESS
    assert cmd.text == "Mark done"


def test_span_listing_matches_single_span_reads(ws):
    a = _add_doc(ws, "Kyiv 🙂 talks and more talks.")
    s1, _ = ws.annotations.add(a, start=7, end=12, label="DIPLOMATIC", annotator="ann", note="n")
    s2, _ = ws.annotations.add(a, start=0, end=4, label="MILITARY", annotator="bob")
    listed = ws.annotations.spans(a)
    assert listed == [ws.annotations.get(s2.id), ws.annotations.get(s1.id)]
    assert [s.id for s in ws.annotations.spans(a, annotators=("ann",))] == [s1.id]
    assert listed[1].created_at is not None


def test_label_rename_keeps_its_spans(ws):
    a = _add_doc(ws, "Aid convoys arrived.")
    ws.annotations.add(a, start=0, end=3, label="ECONOMIC", annotator="ann")
    label, changes = ws.labels.update("ECONOMIC", new_name="ECONOMY", color="#123456")
    assert (label.name, label.color) == ("ECONOMY", "#123456")
    assert changes.spans
    assert [s.label for s in ws.annotations.spans(a)] == ["ECONOMY"]


def test_add_with_known_document_length_still_checks_the_range(ws):
    import pytest as _pytest

    from annotator.core.errors import AnnotatorError

    a = _add_doc(ws, "Short text.")
    span, _ = ws.annotations.add(
        a, start=0, end=5, label="MILITARY", annotator="ann", document_length=11
    )
    assert ws.annotations.get(span.id).end == 5
    with _pytest.raises(AnnotatorError):
        ws.annotations.add(
            a, start=5, end=12, label="MILITARY", annotator="ann", document_length=11
        )


def test_offset_map_many_to_utf16_matches_single_conversions():
    from annotator.core.offsets import OffsetMap

    text = "a🙂b🇺🇦c d"
    m = OffsetMap(text)
    cps = list(range(len(text) + 1))
    assert m.many_to_utf16(cps) == [m.to_utf16(c) for c in cps]
    assert OffsetMap("plain").many_to_utf16([0, 3]) == [0, 3]
