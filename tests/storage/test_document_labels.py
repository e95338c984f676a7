"""Document labels (schema 0012) on SQLite: a big import refused part way takes back the
labels it gave documents that were already stored, and so does the recovery after a kill."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from annotator.services import Workspace
from annotator.storage import bulk, import_journal
from annotator.storage.doc_labels import add_document_labels, document_labels


def _line(text: str, **extra: object) -> str:
    return json.dumps({"text": text, "spans": [], **extra}) + "\n"


def test_a_cancelled_big_import_takes_back_labels_on_stored_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    try:
        base = tmp_path / "base.jsonl"
        base.write_text(_line("Stored before."), "utf-8")
        assert not ws.importer.import_paths([base]).errors
        monkeypatch.setattr("annotator.services.import_write.BATCH_ROWS", 2)
        big = tmp_path / "big.jsonl"
        big.write_text(
            _line("Stored before.", doc_labels={"alice": ["MILITARY"]})
            + "".join(_line(f"New document {i}.") for i in range(6)),
            "utf-8",
        )
        calls = iter([False, True])  # the file starts; stop after its first batch
        report = ws.importer.import_paths(
            [big], create_labels=True, cancel=lambda: next(calls, True)
        )
        assert report.cancelled
        ids = [d.id for d in ws.documents.list()]
        assert len(ids) == 1  # the new documents went back
        assert ws.db.read(lambda s: document_labels(s, ids)) == {}  # and alice's label too
    finally:
        ws.close()


def test_recovery_after_a_kill_takes_back_journalled_document_labels(tmp_path: Path) -> None:
    ws = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    try:
        base = tmp_path / "base.jsonl"
        base.write_text(_line("Stored before."), "utf-8")
        assert not ws.importer.import_paths([base]).errors
        (doc_id,) = [d.id for d in ws.documents.list()]
        dead = f"{socket.gethostname()}:999999999:feedbeef"  # no such process

        def killed_import(s: object) -> None:
            added = add_document_labels(s, doc_id, "alice", ["MILITARY"])  # type: ignore[arg-type]
            import_journal.journal(s, dead, bulk.BatchOutcome(doc_label_ids=added))  # type: ignore[arg-type]

        ws.db.write(killed_import)
        assert ws.db.read(lambda s: document_labels(s, [doc_id])) == {
            doc_id: {"alice": ["MILITARY"]}
        }
        ws.db.write(import_journal.recover_imports)
        assert ws.db.read(lambda s: document_labels(s, [doc_id])) == {}
    finally:
        ws.close()
