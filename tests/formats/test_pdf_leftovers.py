"""PDF leftovers in plain-text articles: page breaks rejoined, captions and furniture out.

The demo article "Chapter 8" was copied out of a PDF: a sentence cut by a page break
("… before the Trump administration" / "comes to power."), a word hyphenated across a page
with a photo caption printed between its halves ("agree-" / caption / "ment disallows").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.segment import sentences
from annotator.core.text import normalize_text
from annotator.formats.pdf_leftovers import CAPTION, JOINED, PAGE_NUMBER, RUNNING_HEADER, repair
from annotator.formats.plaintext import PlainTextImporter, parse_article
from annotator.services import Workspace

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CHAPTER_8 = CORPUS / "000_f66bb1d6edef7f0e.txt"
LONG = "The delegation met again in Geneva to discuss the terms of the draft"


def _sentence_texts(text: str) -> list[str]:
    return [s.text_in(text) for s in sentences(text)]


def test_chapter_8_imports_without_page_break_leftovers(tmp_path: Path) -> None:
    ws = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    try:
        report = ws.importer.import_paths([CHAPTER_8])
        assert not report.errors
        (summary,) = ws.documents.list()
        stored = ws.documents.get(summary.id)
    finally:
        ws.close()
    text = stored.text
    said = _sentence_texts(text)
    # No sentence starts where a page cut it, and none is the caption.
    assert not [s for s in said if s[0].islower()], said
    assert "before the Trump administration comes to power." in text
    assert "to ensure that any resultant agreement disallows a unilateral change" in text
    assert "(Photo:" not in text and "overrunning Suja" not in text
    # The caption is kept in the metadata, and the summary says what was done.
    assert stored.meta["dropped_furniture"] == [
        {
            "kind": CAPTION,
            "text": "Ukrainian troops cross the border into western Russia, overrunning Suja, "
            "Kursk Oblast (Photo: Ukrinform/ Aflo)",
        }
    ]
    out = report.summary()
    assert "2 line(s) broken by a page break rejoined" in out
    assert "skipped 1 photo caption(s) (kept in the metadata, not the text)" in out
    # Everything else of the article is there, word for word.
    raw_words = normalize_text(CHAPTER_8.read_text(encoding="utf-8")).split()
    kept_words = text.split()
    assert len(raw_words) - len(kept_words) > 0
    assert "agreement" in kept_words and "agree-" not in kept_words


@pytest.mark.parametrize("name", ["001", "002", "003", "004"])
def test_articles_without_pdf_leftovers_are_unchanged(name: str) -> None:
    path = next(CORPUS.glob(name + "_*.txt"))
    importer = PlainTextImporter()
    (item,) = importer.read(path)
    assert not importer.repaired and not importer.skipped
    assert "dropped_furniture" not in item.document.meta
    # The body is the file's own text, character for character.
    assert item.document.text in normalize_text(path.read_text(encoding="utf-8"))


def test_page_numbers_and_running_headers_are_dropped_and_the_sentence_rejoined() -> None:
    header = "Strategic Survey 2025"
    text = (
        f"{header}\n\nFirst paragraph ends properly.\n\n{LONG}\n\n"
        f"12\n\n{header}\n\nagreement before the winter. It did not.\n\n"
        f"Another paragraph here.\n\n- 13 -\n\n{header}\n\nLast one."
    )
    fixed = repair(text)
    assert fixed.counts == {JOINED: 1, PAGE_NUMBER: 2, RUNNING_HEADER: 3}
    assert fixed.text == (
        f"First paragraph ends properly.\n\n{LONG} agreement before the winter. It did not."
        "\n\nAnother paragraph here.\n\nLast one."
    )
    assert [d["kind"] for d in fixed.dropped] == [
        RUNNING_HEADER,
        PAGE_NUMBER,
        RUNNING_HEADER,
        PAGE_NUMBER,
        RUNNING_HEADER,
    ]


def test_hyphen_at_the_break_joins_the_word_and_a_caption_between_goes() -> None:
    text = f"{LONG} agree-\n\n\nFigure 3: Troops near the border.\n\nment. Then more."
    fixed = repair(text)
    assert fixed.text == f"{LONG} agreement. Then more."
    assert fixed.counts == {JOINED: 1, CAPTION: 1}


@pytest.mark.parametrize(
    "text",
    [
        # A heading without a full stop, then a paragraph in lower case (a list, a quote...).
        "Recommendations\n\nkeep the channels open.",
        # A long paragraph ending in a full stop, then lower case: a new paragraph.
        f"{LONG}.\n\nand then the talks resumed.",
        # A long paragraph cut, but the next starts with a capital: not a continuation.
        f"{LONG}\n\nThe talks resumed.",
        # Numbers inside a paragraph, a figure named in the prose: reading text.
        "Casualties rose to 12 in May.\n\nFigure 3 shows the front line in detail.",
        # One line between single newlines is never a page: nothing to mend.
        f"{LONG}\nagreement.",
        # Scene breaks repeat, but are no running header; a source line is the article's.
        "One.\n\n* * *\n\nTwo.\n\n* * *\n\nThree.\n\n* * *\n\nFour.",
        "Prices rose again in May.\n\nSource: Reuters",
        "",
    ],
)
def test_text_without_leftovers_comes_back_identical(text: str) -> None:
    fixed = repair(text)
    assert fixed.text == text and not fixed.counts and not fixed.dropped


def test_offsets_of_the_stored_text_are_the_sentences_the_reader_sees() -> None:
    raw = f"Title line\n\n{LONG}\n\n7\n\nagreement 👍🏽 was signed. Next one.\n"
    art = parse_article(raw, "x.txt")
    assert art.text == f"{LONG} agreement 👍🏽 was signed. Next one."
    spans = sentences(art.text)
    assert [s.text_in(art.text) for s in spans] == [
        f"{LONG} agreement 👍🏽 was signed.",
        "Next one.",
    ]
    assert spans[-1].end == len(art.text)


def test_a_long_run_of_cut_paragraphs_is_joined_in_linear_time() -> None:
    """20,000 paragraphs each carrying on the one before: one paragraph, joined once (a
    string grown by += per join would copy megabytes 20,000 times)."""
    parts = [
        f"and column {i} of the troops moved further along the river bank" for i in range(20_000)
    ]
    text = "\n\n".join([LONG, *parts]) + "."
    fixed = repair(text)
    assert fixed.counts == {JOINED: 20_000}
    assert fixed.text == " ".join([LONG, *parts]) + "."
    assert "\n" not in fixed.text
