from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotator.core.offsets import OffsetMap, utf16_len

TEXT = st.lists(
    st.sampled_from([*list("ab \n\r"), "😀", "👍🏽", "é", "é", "𝔘", "\u200d", "中"]),
    max_size=40,
).map("".join)


def test_emoji_positions() -> None:
    text = "a😀b😀😀c"
    m = OffsetMap(text)
    assert [m.to_utf16(i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 8, 9]
    assert m.to_cp(3) == 2  # just after the first emoji
    assert m.to_cp(2) == 1  # inside the first emoji: snaps to its start
    assert m.range_to_cp(1, 2) == (1, 2)  # half an emoji widens to the whole one
    assert m.utf16_length == 9 == utf16_len(text)


def test_trivial_text_is_identity() -> None:
    m = OffsetMap("plain ascii")
    assert m.is_trivial
    assert m.to_utf16(5) == 5 and m.to_cp(5) == 5


@given(TEXT)
def test_round_trip_matches_python_utf16(text: str) -> None:
    m = OffsetMap(text)
    for cp in range(len(text) + 1):
        u16 = m.to_utf16(cp)
        assert u16 == len(text[:cp].encode("utf-16-le")) // 2
        assert m.to_cp(u16) == cp


@given(TEXT, st.data())
def test_utf16_ranges_map_to_whole_characters(text: str, data: st.DataObject) -> None:
    m = OffsetMap(text)
    a = data.draw(st.integers(0, m.utf16_length))
    b = data.draw(st.integers(a, m.utf16_length))
    s, e = m.range_to_cp(a, b)
    # The code point range is the smallest one covering the UTF-16 range: it may
    # widen by the other half of an emoji at either end, never more.
    s16, e16 = m.to_utf16(s), m.to_utf16(e)
    assert s16 <= a and a - s16 <= 1
    assert e16 >= b and e16 - b <= 1
    assert s <= e


def test_crlf_shift_keeps_spans_on_their_characters() -> None:
    from annotator.core.text import normalize_with_offsets

    raw = "\ufeffab\r\ncd\re\r\nf"
    clean, shift = normalize_with_offsets(raw)
    assert clean == "ab\ncd\ne\nf"
    # "cd" after the first CRLF
    assert clean[shift.start(5) : shift.end(7)] == "cd"
    # a span ending on the CR of a CRLF takes the LF that replaces the pair
    assert clean[shift.start(1) : shift.end(4)] == "ab\n"
    # a span starting on the LF half starts on the LF
    assert clean[shift.start(5 - 1) : shift.end(7)] == "\ncd"
    assert clean[shift.start(11) : shift.end(12)] == "f"
