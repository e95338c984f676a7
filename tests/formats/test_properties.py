"""Property tests: random texts with emoji, ZWJ sequences, combining marks and CRLF (as
normalised at import), random spans, through every round-trip format."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.model import Document, Span
from annotator.core.text import content_hash, normalize_text
from annotator.core.tokenize import cluster_bounds, join_tokens, tokenize
from annotator.formats.base import WRITTEN_ONCE
from annotator.formats.tokens import NOT_ALIGNED

from .conftest import export, reimport

PIECES = st.sampled_from(
    [
        "NATO",
        "troops",
        "é",
        "e\u0301",
        "👨‍👩‍👧",
        "👍🏽",
        "🇫🇷",
        "\U0001d400",
        "中文",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\r",
        "\t",
        ".",
        ",",
        "!",
        "#",
        "-",
        "'",
        "5%",
        "a",
        "Z",
        "_",
        "\u00a0",
        "\u200d",
        "\ufe0f",
    ]
)
TEXTS = (
    st.lists(PIECES, min_size=1, max_size=30)
    .map(lambda xs: normalize_text("".join(xs)))
    .filter(lambda t: bool(t.strip()))
)
LABELS = st.sampled_from(["MILITARY", "DIPLOMATIC", "ECONOMIC"])
ANNOTATORS = st.sampled_from(["alice", "bob"])


@st.composite
def documents(draw: st.DrawFn) -> tuple[Document, list[Span]]:
    text = draw(TEXTS)
    doc = Document(text=text, id=7, content_hash=content_hash(text))
    spans = []
    for k in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append(Span(k + 1, 7, start, end, draw(LABELS), draw(ANNOTATORS)))
    spans.sort(key=lambda s: (s.start, s.end, s.label, s.annotator))
    # The app stores one span per (annotator, start, end, label).
    unique = {(s.annotator, s.key): s for s in spans}
    return doc, sorted(unique.values(), key=lambda s: (s.start, s.end, s.label, s.annotator))


FORMATS = {
    "jsonl": ("o.jsonl", True),
    "doccano": ("o.jsonl", True),
    "prodigy": ("o.jsonl", True),
    "spacy": ("o.spacy", True),
    "label-studio": ("o.json", True),
    "brat": ("o_brat", True),
    "conll": ("o.conll", False),
}


@pytest.mark.parametrize("name", sorted(FORMATS))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(item=documents())
def test_random_round_trip(name: str, item: tuple[Document, list[Span]]) -> None:
    if name == "spacy":
        pytest.importorskip("spacy")
    doc, spans = item
    fname, with_annotator = FORMATS[name]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / fname
        report = export(
            name, [(doc, spans)], path, **({"overlap": "layers"} if name == "conll" else {})
        )
        lost = {
            (d.start, d.end, d.label, d.annotator)
            for d in report.dropped_spans
            if d.reason not in report.partial
        }
        bounds = set(cluster_bounds(doc.text))
        for d in report.dropped_spans:
            if d.reason == NOT_ALIGNED:  # only a boundary inside a cluster or trailing whitespace
                assert (
                    d.start not in bounds
                    or d.end not in bounds
                    or doc.text[d.end - 1].isspace()
                    or doc.text[d.start].isspace()
                ), d
        want = {
            (s.start, s.end, s.label, s.annotator if with_annotator else "imported")
            for s in spans
            if (s.start, s.end, s.label, s.annotator) not in lost
        }
        got = reimport(name, path)
        assert got == [(doc.text, want)]
        once = report.lost[WRITTEN_ONCE]  # a twin of another annotator's span, in it
        assert report.spans + sum(report.dropped.values()) + once == len(spans)
    if name in ("jsonl", "doccano", "label-studio"):
        assert not report.dropped  # formats with character offsets never drop


@settings(max_examples=300, deadline=None)
@given(text=st.text(min_size=0, max_size=60) | TEXTS, cuts=st.sets(st.integers(0, 60), max_size=8))
def test_tokens_cover_text_exactly_and_never_split_a_cluster(text: str, cuts: set[int]) -> None:
    tokens = tokenize(text, cuts)
    assert join_tokens(tokens) == text
    bounds = set(cluster_bounds(text))
    pos = 0
    for t in tokens:
        assert t.text and text[t.start : t.end] == t.text and t.start == pos
        assert t.start in bounds and t.end in bounds
        pos = t.end + (1 if t.ws else 0)
        if t.ws:
            assert text[t.end] == " "
    assert pos == len(text)
    for c in cuts:
        if c in bounds:
            assert c in {t.start for t in tokens} | {t.end for t in tokens} | {len(text)}
