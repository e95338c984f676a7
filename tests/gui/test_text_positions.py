"""The one UTF-16 <-> code point edge: emoji, CRLF-sourced text, word snapping."""

from __future__ import annotations

from annotator.core.text import normalize_text
from annotator.gui.text_positions import TextPositions


def test_positions_after_an_emoji_shift_by_one():
    text = "ab🙂cd 🇺🇦 ef"
    tp = TextPositions(text)
    assert tp.qt_length == len(text.encode("utf-16-le")) // 2
    cp = text.index("cd")
    assert tp.to_qt(cp) == cp + 1
    assert tp.to_cp(tp.to_qt(cp)) == cp
    ef = text.index("ef")
    assert tp.range_to_cp(*tp.range_to_qt(ef, ef + 2)) == (ef, ef + 2)


def test_half_an_emoji_is_widened_never_split():
    text = "x🙂y"
    tp = TextPositions(text)
    assert tp.range_to_cp(1, 2) == (1, 2)  # first half of the surrogate pair
    assert tp.range_to_cp(2, 3) == (1, 2)  # second half


def test_crlf_sourced_text_positions_match_the_normalised_text():
    text = normalize_text("line one\r\nline 🙂 two\r\n")
    tp = TextPositions(text)
    cp = text.index("two")
    assert text[tp.to_cp(tp.to_qt(cp)) :].startswith("two")
    assert tp.selection_to_span(tp.to_qt(cp), tp.to_qt(cp + 3), snap=False) == (cp, cp + 3)


def test_selection_trims_space_and_snaps_to_words():
    text = "The frontline moved east."
    tp = TextPositions(text)
    start = text.index("ontline")
    assert tp.selection_to_span(start - 1, start + 3, snap=True) == (4, 13)
    assert tp.selection_to_span(start - 1, start + 3, snap=False) == (start - 1, start + 3)
    assert tp.selection_to_span(3, 4, snap=True) is None  # only a space
    assert tp.selection_to_span(13, 3, snap=True) == (4, 13)  # backwards selection


def test_snapping_keeps_hyphenated_dotted_and_possessive_tokens_whole():
    text = "Kyiv's F-16s and U.S. aid in 2024-25 (2024–25) cost 1,200 jets. End-"
    tp = TextPositions(text)

    def snapped(inside: str, length: int = 1) -> str:
        cp = text.index(inside)
        rng = tp.selection_to_span(tp.to_qt(cp), tp.to_qt(cp + length), snap=True)
        assert rng is not None
        return text[rng[0] : rng[1]]

    assert snapped("16s") == "F-16s"
    assert snapped("-16s and U", len("-16s and U")) == "F-16s and U.S."
    assert snapped("S. aid") == "U.S."
    assert snapped("U.") == "U.S."
    assert snapped("25 (") == "2024-25"
    assert snapped("–25") == "2024–25"
    assert snapped("'s") == "Kyiv's"
    assert snapped("200") == "1,200"
    assert snapped("jets") == "jets"  # a sentence's full stop is not part of the word
    assert snapped("End") == "End"  # a trailing hyphen joins nothing
    assert snapped("cost 1", len("cost 1")) == "cost 1,200"
