"""Label Studio: our tasks read by label-studio-converter (Label Studio's own export
code), and the files Label Studio writes (exports, flat task lists) read by us."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.errors import AnnotatorError
from annotator.formats.base import ExportItem
from annotator.formats.registry import get_exporter, get_importer

from .conftest import export

FIXTURES = Path(__file__).parent / "fixtures"
CONFIG = """<View>
  <Labels name="label" toName="text">
    <Label value="KEY EVENT"/><Label value="PLACE"/><Label value="REACTION"/>
    <Label value="MILITARY"/><Label value="MOVE"/><Label value="DIPLOMATIC"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>"""


def test_no_foreign_user_ids_in_completed_by(layered: list[ExportItem], tmp_path: Path) -> None:
    out = tmp_path / "tasks.json"
    report = export("label-studio", layered, out)
    tasks = json.loads(out.read_text("utf-8"))
    anns = [a for t in tasks for a in t["annotations"]]
    assert anns and all("completed_by" not in a for a in anns)
    assert sorted(a["created_username"] for a in anns) == ["alice", "alice", "alice", "bob"]
    assert sum(report.lost.values()) == 4  # each annotation said to go to the importing user


def test_completed_by_email_only_for_mapped_annotators(
    layered: list[ExportItem], tmp_path: Path
) -> None:
    out = tmp_path / "tasks.json"
    report = export("label-studio", layered, out, emails=(("bob", "bob@example.org"),))
    anns = [a for t in json.loads(out.read_text("utf-8")) for a in t["annotations"]]
    assert [a["completed_by"] for a in anns if "completed_by" in a] == [
        {"email": "bob@example.org"}
    ]
    assert sum(report.lost.values()) == 3
    with pytest.raises(AnnotatorError, match="not an e-mail"):
        get_exporter("label-studio", emails=(("bob", "bob"),))


def test_label_studio_converter_reads_every_span(layered: list[ExportItem], tmp_path: Path) -> None:
    from label_studio_converter import Converter

    out = tmp_path / "tasks.json"
    export("label-studio", layered, out)
    conv = Converter(CONFIG, project_dir=None, download_resources=False)
    conv.convert_to_json_min(str(out), str(tmp_path / "min"), is_dir=False)
    records = json.loads((tmp_path / "min" / "result.json").read_text("utf-8"))
    texts = {d.text: spans for d, spans in layered}
    got: dict[str, set[tuple[int, int, str]]] = {t: set() for t in texts}
    for rec in records:
        for region in rec.get("label", []):
            s, e = region["start"], region["end"]
            assert list(region["text"]) == list(rec["text"][s:e])  # character by character
            got[rec["text"]].update((s, e, lab) for lab in region["labels"])
        assert rec["annotator"] is None  # no foreign user id for Label Studio to resolve
    assert got == {t: {(s.start, s.end, s.label) for s in spans} for t, spans in texts.items()}


def test_round_trip_keeps_annotators_and_notes(layered: list[ExportItem], tmp_path: Path) -> None:
    out = tmp_path / "tasks.json"
    export("label-studio", layered, out)
    back = list(get_importer("label-studio").read(out, default_annotator="x"))
    for item, (d, spans) in zip(back, layered, strict=True):
        assert item.document.text == d.text
        want = sorted((s.start, s.end, s.label, s.annotator, s.note) for s in spans)
        assert sorted((s.start, s.end, s.label, s.annotator, s.note) for s in item.spans) == want


def test_label_studio_export_imports_whole() -> None:
    """CRLF text with offsets counting the CR, emoji, U+2028, a form feed, user ids of
    Label Studio's own, a cancelled annotation, predictions, a relation and a choice."""
    items = list(
        get_importer("label-studio").read(
            FIXTURES / "label_studio_export.json", default_annotator="x"
        )
    )
    assert len(items) == 2
    text = items[0].document.text
    assert "\r" not in text and "\u2028" in text and "\f" in text
    got = sorted((text[s.start : s.end], s.label, s.annotator) for s in items[0].spans)
    assert got == [
        ("Talks in Genève\u2028resumed", "KEY EVENT", "bob@example.com"),
        ("Troops", "MILITARY", "alice@example.com"),
        ("🚀", "KEY EVENT", "alice@example.com"),
    ]
    assert items[0].document.source == "wire"
    assert items[1].spans == () and items[1].document.text == "Nothing here."


def test_flat_tasks_import() -> None:
    items = list(
        get_importer("label-studio").read(
            FIXTURES / "label_studio_flat_tasks.json", default_annotator="x"
        )
    )
    assert [i.document.text for i in items] == ["First flat task 👍.", "Second\none"]
    assert items[1].document.source == "csv"
    assert all(not i.spans for i in items)
