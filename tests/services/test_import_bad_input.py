"""Every kind of bad input: a clear message naming file and line, and the database unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.services import Workspace


def _snapshot(ws: Workspace) -> tuple[object, ...]:
    docs = ws.documents.list()
    spans = tuple(sp for d in docs for sp in ws.annotations.spans(d.id))
    return (tuple(d.content_hash for d in docs), spans, tuple(ws.labels.list()))


@pytest.fixture
def seeded(workspace: Workspace, tmp_path: Path) -> Workspace:
    good = tmp_path / "seed.jsonl"
    good.write_text(
        json.dumps(
            {
                "id": "s",
                "text": "Already here.",
                "spans": [{"start": 0, "end": 7, "label": "MILITARY", "annotator": "ann"}],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    assert not workspace.importer.import_paths([good]).errors
    return workspace


def _record(text: str, spans: list[dict[str, object]]) -> str:
    return json.dumps({"id": "x", "text": text, "spans": spans}, ensure_ascii=False)


GOOD_LINE = _record(
    "Troops moved.", [{"start": 0, "end": 6, "label": "MILITARY", "annotator": "a"}]
)

CASES = {
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary file", 3),
    "latin1.txt": ("Caf\xe9 au lait\n".encode("latin-1"), "not valid UTF-8", 1),
    "empty.txt": (b"", "empty", None),
    "nul.jsonl": ((GOOD_LINE + "\n" + _record("a\x00b", []) + "\n").encode(), "NUL", None),
    "malformed.jsonl": ((GOOD_LINE + "\n{not json\n").encode(), "invalid JSON", 2),
    "range.jsonl": (
        (
            GOOD_LINE
            + "\n"
            + _record("short", [{"start": 2, "end": 40, "label": "MILITARY"}])
            + "\n"
        ).encode(),
        "out of range",
        2,
    ),
    "mismatch.jsonl": (
        (
            GOOD_LINE
            + "\n"
            + _record("a😀b text", [{"start": 3, "end": 7, "label": "MILITARY", "text": "b te"}])
            + "\n"
        ).encode(),
        "offsets must be code points",
        2,
    ),
    "unknown_label.jsonl": (
        (
            GOOD_LINE
            + "\n"
            + _record("Oil prices rose.", [{"start": 0, "end": 3, "label": "ENERGY"}])
            + "\n"
        ).encode(),
        "unknown label.*ENERGY.*--create-labels",
        2,
    ),
    "not_object.jsonl": ((GOOD_LINE + "\n[1, 2]\n").encode(), "must be a JSON object", 2),
    "missing_text.jsonl": ((GOOD_LINE + '\n{"id": 1}\n').encode(), "'text' is missing", 2),
    "deep.jsonl": (
        (GOOD_LINE + "\n" + "[" * 100000 + "]" * 100000 + "\n").encode(),
        "nested too deeply",
        2,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_names_file_and_line_and_stores_nothing(
    seeded: Workspace, tmp_path: Path, name: str
) -> None:
    data, message, line = CASES[name]
    path = tmp_path / name
    path.write_bytes(data)
    before = _snapshot(seeded)
    report = seeded.importer.import_paths([path])
    assert len(report.errors) == 1
    err = report.errors[0]
    assert str(path) in str(err)
    import re

    assert re.search(message, str(err)), str(err)
    if line is not None:
        assert err.line == line  # type: ignore[attr-defined]
        assert f"{path}:{line}:" in str(err)
    # The good first record of a bad file is not stored either: imports are atomic per file.
    assert _snapshot(seeded) == before


def test_unknown_labels_are_created_when_asked(seeded: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "new_label.jsonl"
    path.write_text(
        _record("Oil prices rose.", [{"start": 0, "end": 3, "label": "ENERGY"}]) + "\n",
        encoding="utf-8",
    )
    report = seeded.importer.import_paths([path], create_labels=True)
    assert not report.errors
    assert report.files[0].labels_created == ["ENERGY"]
    assert "ENERGY" in [lab.name for lab in seeded.labels.list()]


def test_one_bad_file_does_not_stop_the_others(seeded: Workspace, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Good article.\n\nBody.", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_bytes(b"GIF89a\x00\x01bad")
    report = seeded.importer.import_paths([tmp_path / "in"])
    assert report.documents_added == 1
    assert len(report.errors) == 1 and "b.txt" in str(report.errors[0])


def test_missing_path_is_reported(workspace: Workspace, tmp_path: Path) -> None:
    from annotator.core.errors import AnnotatorError

    with pytest.raises(AnnotatorError, match="no such file"):
        workspace.importer.import_paths([tmp_path / "nope"])
