"""Shared material for the format tests: documents with the characters that break offsets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotator.core.model import Document, Span
from annotator.core.text import content_hash, normalize_text
from annotator.formats.base import ExportItem, ExportReport
from annotator.formats.registry import get_exporter, get_importer

EMOJI_TEXT = (
    "NATO 👨‍👩‍👧 troops 🇫🇷 moved east.  Talks in Genève resumed 👍🏽!\n"
    "Second paragraph? Yes: tariffs rose 5%.\n\n"
    "Café́ e\u0301 \U0001d400 final line"
)
CRLF_SOURCE = "Line one has troops.\r\nLine two has talks.\r\n"


def doc(text: str, id: int = 1, **kw: object) -> Document:
    return Document(text=text, id=id, content_hash=content_hash(text), title=f"Doc {id}", **kw)  # type: ignore[arg-type]


_next_id = iter(range(1, 10**9))


def span(
    d: Document, start: int, end: int, label: str, annotator: str = "alice", note: str = ""
) -> Span:
    assert 0 <= start < end <= len(d.text)
    return Span(next(_next_id), d.id or 0, start, end, label, annotator, note)


def find(d: Document, needle: str, label: str, annotator: str = "alice", note: str = "") -> Span:
    pos = d.text.index(needle)
    return span(d, pos, pos + len(needle), label, annotator, note)


@pytest.fixture
def sample() -> list[ExportItem]:
    """Three documents: emoji, ZWJ, flags, combining marks, an astral letter, CRLF-born text,
    two annotators, a note, and overlapping spans."""
    d1 = doc(EMOJI_TEXT, 1)
    d2 = doc(normalize_text(CRLF_SOURCE), 2, url="https://example.org/a")
    d3 = doc("Nothing tagged here.", 3)
    s1 = [
        find(d1, "NATO 👨‍👩‍👧 troops", "MILITARY"),
        find(d1, "troops", "MILITARY", "bob"),
        find(d1, "Talks in Genève", "DIPLOMATIC", note="a note\twith tab\nand line"),
        find(d1, "tariffs rose 5%", "ECONOMIC", "bob"),
        find(d1, "Café́ e\u0301 \U0001d400", "DIPLOMATIC"),
        find(d1, "👍🏽", "DIPLOMATIC", "bob"),
    ]
    s2 = [find(d2, "troops", "MILITARY"), find(d2, "troops.\nLine two", "DIPLOMATIC", "bob")]
    return [(d1, sorted(s1, key=lambda s: (s.start, s.end))), (d2, s2), (d3, [])]


HARD_TEXT = (
    "Breaking: 🚀 launch in Genève.\fPage two starts\u2028after a separator.\n"
    "The KEY EVENT 👍🏽 came\u0085later, 👨‍👩‍👧 too."
)
OVERLAP_TEXT = "Troops moved east 🇫🇷 while talks stalled.\fNew page\u2028here."


@pytest.fixture
def layered() -> list[ExportItem]:
    """A non-overlapping layer (alice alone, labels with spaces, emoji, form feed, U+2028,
    U+0085 inside spans), an overlapping one (bob with alice), and CRLF-born text."""
    d1 = doc(HARD_TEXT, 10)
    s1 = [
        find(d1, "🚀 launch", "KEY EVENT"),
        find(d1, "Genève", "PLACE"),
        find(d1, "starts\u2028after", "KEY EVENT", note="crosses U+2028"),
        find(d1, "👍🏽", "REACTION"),
        find(d1, "came\u0085later", "KEY EVENT"),
    ]
    d2 = doc(OVERLAP_TEXT, 11)
    s2 = [
        find(d2, "Troops moved east", "MILITARY", "bob"),
        find(d2, "moved east 🇫🇷", "MOVE", "bob"),
        find(d2, "talks", "DIPLOMATIC", "bob"),
        find(d2, "talks stalled", "KEY EVENT"),
        find(d2, "stalled.\fNew", "MOVE"),
    ]
    d3 = doc(normalize_text("Line one: troops.\r\nLine two: talks 😀.\r\n"), 12)
    s3 = [find(d3, "troops", "MILITARY"), find(d3, "talks 😀", "KEY EVENT")]
    key = lambda s: (s.start, s.end, s.label, s.annotator)  # noqa: E731
    return [(d1, sorted(s1, key=key)), (d2, sorted(s2, key=key)), (d3, sorted(s3, key=key))]


def export(name: str, items: list[ExportItem], dest: Path, **options: object) -> ExportReport:
    report = ExportReport(format=name)
    get_exporter(name, **options).write(iter(items), dest, report)
    return report


def reimport(name: str, path: Path) -> list[tuple[str, set[tuple[int, int, str, str]]]]:
    """(text, {(start, end, label, annotator)}) per document, records of one text merged."""
    merged: dict[str, set[tuple[int, int, str, str]]] = {}
    for item in get_importer(name).read(path, default_annotator="imported"):
        merged.setdefault(item.document.text, set()).update(
            (s.start, s.end, s.label, s.annotator) for s in item.spans
        )
    return sorted(merged.items())


@pytest.fixture(autouse=True)
def _hf_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hugging Face datasets must never reach the network or the user's cache."""
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf" / "datasets"))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
