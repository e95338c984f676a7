"""Import without --format: JSON Lines files placed by their keys, through the import
service on a real SQLite database; fixtures in the shapes the peer tools write."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.formats.detect import sniff_jsonl
from annotator.services import Workspace

from .conftest import export

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    yield w
    w.close()


def _stored(w: Workspace) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(text, [(span text, label, annotator)]) per stored document, in id order."""
    out = []
    for summary in w.documents.list():
        text = w.documents.get(summary.id).text
        spans = sorted(
            (text[s.start : s.end], s.label, s.annotator) for s in w.annotations.spans(summary.id)
        )
        out.append((text, spans))
    return out


@pytest.mark.parametrize(
    ("fixture", "name"),
    [
        ("doccano_export.jsonl", "doccano"),
        ("doccano_entities.jsonl", "doccano"),
        ("prodigy_db_out.jsonl", "prodigy"),
    ],
)
def test_fixtures_are_placed_by_their_keys(fixture: str, name: str) -> None:
    assert sniff_jsonl(FIXTURES / fixture) == name


def test_doccano_export_imports_whole_without_format(ws: Workspace) -> None:
    report = ws.importer.import_paths([FIXTURES / "doccano_export.jsonl"], create_labels=True)
    assert not report.errors
    stored = _stored(ws)
    assert [len(spans) for _, spans in stored] == [2, 1, 0]
    assert stored[0][1] == [
        ("Talks in Genève\u2028resumed", "KEY EVENT", "imported"),
        ("Troops", "MILITARY", "imported"),
    ]
    assert stored[1][1] == [("Tariffs rose 5% 👍🏽", "ECONOMIC", "imported")]
    assert "\f" in stored[0][0]


def test_prodigy_db_out_takes_accepted_answers_and_says_what_it_skipped(ws: Workspace) -> None:
    report = ws.importer.import_paths([FIXTURES / "prodigy_db_out.jsonl"], create_labels=True)
    assert not report.errors
    assert report.files[0].skipped == {
        "reject answers (only accept is imported)": 1,
        "ignore answers (only accept is imported)": 1,
    }
    assert "skipped 1 reject answers" in report.summary()
    stored = _stored(ws)
    assert [t for t, _ in stored] == [
        "Troops moved east of Genève today.",
        "Talks in Genève resumed.",
    ]
    assert stored[0][1] == [("Genève", "PLACE", "news-alice"), ("Troops", "MILITARY", "news-alice")]
    assert stored[1][1] == [("Talks in Genève", "KEY EVENT", "news-bob")]


def test_label_studio_tasks_one_a_line_are_placed(ws: Workspace, tmp_path: Path) -> None:
    tasks = json.loads((FIXTURES / "label_studio_export.json").read_text("utf-8"))
    path = tmp_path / "ls.jsonl"
    path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks), "utf-8")
    assert sniff_jsonl(path) == "label-studio"
    report = ws.importer.import_paths([path], create_labels=True)
    assert not report.errors
    assert sum(len(s) for _, s in _stored(ws)) == 3


def test_every_jsonl_export_comes_back_as_itself(layered, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("jsonl", "doccano", "prodigy"):
        export(name, layered, tmp_path / f"{name}.jsonl")
        assert sniff_jsonl(tmp_path / f"{name}.jsonl") == name


def test_unknown_and_mixed_files_are_refused_naming_the_formats(
    ws: Workspace, tmp_path: Path
) -> None:
    odd = tmp_path / "odd.jsonl"
    odd.write_text('{"sentence": "x", "tags": [1]}\n', "utf-8")
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(
        '{"text": "a", "label": [[0, 1, "X"]]}\n{"text": "b", "answer": "accept"}\n', "utf-8"
    )
    for path, words in ((odd, "cannot tell"), (mixed, "doccano (line 1) and prodigy (line 2)")):
        with pytest.raises(InputError) as exc:
            sniff_jsonl(path)
        assert words in str(exc.value)
        assert "jsonl, doccano, prodigy, label-studio" in str(exc.value)
    report = ws.importer.import_paths([odd, mixed])
    assert len(report.errors) == 2 and report.documents_added == 0


def test_unannotated_records_first_decide_nothing(tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    lines = [json.dumps({"id": i, "text": f"Plain {i}."}) for i in range(30)]
    lines.append(json.dumps({"id": 99, "text": "Troops.", "label": [[0, 6, "MILITARY"]]}))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    assert sniff_jsonl(path) == "doccano"
    plain = tmp_path / "plain.jsonl"
    plain.write_text("\n".join(lines[:30]) + "\n", "utf-8")
    assert sniff_jsonl(plain) == "jsonl"
