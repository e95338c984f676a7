"""Predictions (schema 0015) on SQLite: a stopped import takes back the predictions it
stored, except on a new document someone worked on meanwhile (kept with it)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from annotator.core.model import AnnotatedDocument, Document, NewPrediction, NewSpan
from annotator.core.text import content_hash
from annotator.services import Workspace
from annotator.storage import bulk, import_journal, repo
from annotator.storage.orm import ImportLeaseRow
from annotator.storage.predictions import list_predictions

OLD = "Stored before the import: troops moved north."
NEW = "A new document of the import: envoys met in Geneva."


def _doc(text: str) -> Document:
    return Document(text=text, content_hash=content_hash(text))


def test_recovery_takes_back_predictions_and_keeps_those_of_a_touched_document(
    tmp_path: Path,
) -> None:
    ws = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    try:
        old_id = ws.db.write(lambda s: repo.add_document(s, _doc(OLD)))
        token = "killed-import"
        items = [
            AnnotatedDocument(
                _doc(OLD), predictions=(NewPrediction(27, 33, "MILITARY", 0.9, "v3"),)
            ),
            AnnotatedDocument(
                _doc(NEW),
                predictions=(
                    NewPrediction(30, 36, "DIPLOMATIC", None, "v3"),
                    NewPrediction(30, 36, "DIPLOMATIC", None, "v3"),  # repeated: kept once
                ),
            ),
        ]

        def killed_import(s: object) -> bulk.BatchOutcome:
            import_journal.renew_lease(s, token, "lena: tasks.json", first=True)  # type: ignore[arg-type]
            out = bulk.store_batch(s, items)  # type: ignore[arg-type]
            import_journal.journal(s, token, out)  # type: ignore[arg-type]
            return out

        out = ws.db.write(killed_import)
        assert len(out.prediction_ids) == 2 and out.predictions_repeated == 1
        (new_id,) = out.document_ids
        # Predictions are no annotator's: no span, no annotator row came with them.
        assert ws.db.read(lambda s: repo.list_spans(s, old_id) + repo.list_spans(s, new_id)) == []
        assert [a.name for a in ws.db.read(repo.list_annotators)] == []
        # Someone tags the import's new document before the import is found dead.
        ws.db.write(lambda s: repo.add_span(s, new_id, NewSpan(2, 5, "ECONOMIC", "alice")))
        ws.db.write(lambda s: s.execute(update(ImportLeaseRow).values(expires_at=0)))
        got = ws.db.write(import_journal.recover_imports)
        assert got.kept_documents == [new_id]
        left = ws.db.read(lambda s: list_predictions(s, [old_id, new_id]))
        assert list(left) == [new_id]  # the older document's prediction went back
        assert [(p.start, p.end, p.label, p.score, p.model_version) for p in left[new_id]] == [
            (30, 36, "DIPLOMATIC", None, "v3")
        ]
        assert not ws.db.read(import_journal.has_journal)
    finally:
        ws.close()
