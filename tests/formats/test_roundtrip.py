"""Export then import through our own importer gives the same text and spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.formats.base import ExportItem

from .conftest import export, reimport

# format -> (file name, carries the annotator?)
ROUND_TRIP = {
    "jsonl": ("out.jsonl", True),
    "doccano": ("out.jsonl", True),
    "prodigy": ("out.jsonl", True),
    "spacy": ("out.spacy", True),
    "label-studio": ("out.json", True),
    "brat": ("out_brat", True),
    "conll": ("out.conll", False),
}


def expected(
    items: list[ExportItem], dropped: set[tuple[str, int, int, str, str]], with_annotator: bool
) -> list[tuple[str, set[tuple[int, int, str, str]]]]:
    out = []
    for d, spans in items:
        keep = {
            (s.start, s.end, s.label, s.annotator if with_annotator else "imported")
            for s in spans
            if (str(d.id), s.start, s.end, s.label, s.annotator) not in dropped
        }
        out.append((d.text, keep))
    return sorted(out)


@pytest.mark.parametrize("name", sorted(ROUND_TRIP))
def test_round_trip_keeps_text_and_spans(
    name: str, sample: list[ExportItem], tmp_path: Path
) -> None:
    if name == "spacy":
        pytest.importorskip("spacy")
    fname, with_annotator = ROUND_TRIP[name]
    options = {"overlap": "layers"} if name == "conll" else {}
    report = export(name, sample, tmp_path / fname, **options)
    dropped = {
        (d.document, d.start, d.end, d.label, d.annotator)
        for d in report.dropped_spans
        if d.reason not in report.partial
    }
    assert report.documents == 3
    assert sum(report.dropped.values()) == len(dropped)
    assert reimport(name, tmp_path / fname) == expected(sample, dropped, with_annotator)


def test_nothing_dropped_from_the_sample_in_lossless_formats(
    sample: list[ExportItem], tmp_path: Path
) -> None:
    """The sample's spans all align with tokens: no format may drop one of them."""
    for name in ("jsonl", "doccano", "prodigy", "label-studio", "brat"):
        fname = ROUND_TRIP[name][0]
        report = export(name, sample, tmp_path / name / fname)
        assert not report.dropped, (name, report.dropped)
        assert report.spans == sum(len(s) for _, s in sample)


def test_notes_survive_where_the_format_has_a_place_for_them(
    sample: list[ExportItem], tmp_path: Path
) -> None:
    from annotator.formats.registry import get_importer

    note = "a note\twith tab\nand line"
    for name, fname in (("jsonl", "o.jsonl"), ("label-studio", "o.json"), ("brat", "o_brat")):
        export(name, sample, tmp_path / fname)
        notes = {
            s.note
            for item in get_importer(name).read(tmp_path / fname, default_annotator="x")
            for s in item.spans
        }
        assert note in notes, name
