from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotator.core.segment import paragraphs, passage_at, sentences


def test_sentences_respect_abbreviations_and_lines() -> None:
    text = "U.S. officials met Dr. Smith today. Talks failed!\nHeading line\n\nNew paragraph? Yes."
    got = [p.text_in(text) for p in sentences(text)]
    assert got == [
        "U.S. officials met Dr. Smith today.",
        "Talks failed!",
        "Heading line",
        "New paragraph?",
        "Yes.",
    ]


def test_paragraphs_split_on_blank_lines() -> None:
    text = "  One.\nstill one.\n\n\nTwo 😀.\n \nThree"
    assert [p.text_in(text) for p in paragraphs(text)] == ["One.\nstill one.", "Two 😀.", "Three"]


def test_passage_at_finds_containing_or_next() -> None:
    text = "First one. Second one."
    items = sentences(text)
    assert passage_at(items, 0) == 0
    assert passage_at(items, 10) == 1  # the space between: next passage
    assert passage_at(items, 15) == 1


@given(st.text(alphabet=st.sampled_from(list("ab. !?\n”😀")), max_size=80))
def test_passages_are_trimmed_ordered_and_disjoint(text: str) -> None:
    for items in (sentences(text), paragraphs(text)):
        last = 0
        for p in items:
            assert last <= p.start < p.end <= len(text)
            chunk = p.text_in(text)
            assert chunk == chunk.strip()
            last = p.end


def test_cjk_full_stops_end_sentences_without_a_space() -> None:
    from annotator.core.segment import sentences

    text = (
        "俄罗斯总统开始了第五个任期。他说：“我们会赢！”谈判会继续吗？停火｡ "
        "Then English. Mr. Li left."
    )
    got = [p.text_in(text) for p in sentences(text)]
    assert got == [
        "俄罗斯总统开始了第五个任期。",
        "他说：“我们会赢！”",
        "谈判会继续吗？",
        "停火｡",
        "Then English.",
        "Mr. Li left.",
    ]
    # offsets are code points of the text, trimmed
    for p in sentences(text):
        assert text[p.start : p.end] == text[p.start : p.end].strip()
