"""Every fixture in the shape a peer tool writes imports whole without --format, through
the import service on a real SQLite database; a file we cannot place is refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.services import Workspace

FIXTURES = Path(__file__).parent / "fixtures"

# fixture -> (documents, spans, labels)
WHOLE = {
    "doccano_export.jsonl": (3, 3, {"MILITARY", "KEY EVENT", "ECONOMIC"}),
    "doccano_entities.jsonl": (1, 2, {"MILITARY", "PLACE"}),
    "prodigy_db_out.jsonl": (2, 3, {"MILITARY", "PLACE", "KEY EVENT"}),
    "label_studio_export.json": (2, 3, {"MILITARY", "KEY EVENT"}),
    "label_studio_flat_tasks.json": (2, 0, set()),
    "brat_corpus": (2, 8, {"Attack", "Group", "Target", "Place", "Reaction", "KEY_EVENT", "Move"}),
    "conll2003.conll": (2, 5, {"ORG", "MISC", "PER", "LOC"}),
    "spacy_sample.iob": (1, 3, {"GPE", "KEY EVENT"}),
    "doccano_v1_users.jsonl": (3, 6, {"label-3", "label-4", "label-5", "label-6"}),
    "doccano_v1_text_labels.jsonl": (1, 3, {"ECONOMIC", "MILITARY"}),
    "conll2003_txt": (3, 7, {"LOC", "PER", "MISC"}),
    "label_studio_predictions.json": (2, 6, {"MILITARY", "PLACE", "ECONOMIC"}),
    "label_studio_model_predictions.json": (2, 5, {"MILITARY", "DIPLOMATIC", "ECONOMIC"}),
    "prodigy_textcat.jsonl": (3, 0, set()),
    "prodigy_span_review.jsonl": (2, 3, {"MILITARY", "DIPLOMATIC", "ECONOMIC"}),
    "brat_events": (1, 6, {"Organization", "Attack", "Place", "Statement"}),
}


def test_every_fixture_is_listed() -> None:
    assert {p.name for p in FIXTURES.iterdir()} == set(WHOLE)


@pytest.mark.parametrize("name", sorted(WHOLE))
def test_fixture_imports_whole(name: str, tmp_path: Path) -> None:
    docs, spans, labels = WHOLE[name]
    ws = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    try:
        report = ws.importer.import_paths([FIXTURES / name], create_labels=True)
        assert not report.errors, report.errors
        assert (report.documents_added, report.spans_added) == (docs, spans)
        stored = set()
        for summary in ws.documents.list():
            text = ws.documents.get(summary.id).text
            assert "\r" not in text
            for s in ws.annotations.spans(summary.id):
                assert 0 <= s.start < s.end <= len(text)
                assert text[s.start : s.end].strip() == text[s.start : s.end]
                stored.add(s.label)
        assert stored == labels
    finally:
        ws.close()


def test_a_file_no_format_fits_is_refused_by_name(tmp_path: Path) -> None:
    odd = tmp_path / "export.jsonl"
    odd.write_text('{"sentence": "Troops moved.", "ner_tags": [1, 0]}\n', "utf-8")
    ws = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    try:
        report = ws.importer.import_paths([odd])
        (err,) = report.errors
        assert str(odd) in str(err) and "doccano, prodigy, label-studio" in str(err)
        assert report.documents_added == 0
    finally:
        ws.close()
