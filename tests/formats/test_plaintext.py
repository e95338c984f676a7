from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.formats.decode import decode_text
from annotator.formats.plaintext import PlainTextImporter, parse_article

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _read(name: str):  # type: ignore[no-untyped-def]
    (item,) = PlainTextImporter().read(next(CORPUS.glob(name + "*")))
    return item.document


def test_tagged_file() -> None:
    doc = _read("004")
    assert doc.title.startswith("Ukraine Must Turn the Tide Before It Can Negotiate")
    assert doc.published == dt.date(2024, 10, 25)
    assert doc.author == "Jack Watling"
    assert doc.url.startswith("https://www.foreignaffairs.com/")
    assert doc.source == "foreignaffairs.com"
    assert doc.text.startswith("President Volodymyr Zelensky")
    assert "<CONTENT>" not in doc.text and "</CONTENT>" not in doc.text
    assert doc.meta["summary"].startswith("Ukraine needs a stable front")
    assert "highlights" in doc.meta


def test_inline_date_lead() -> None:
    doc = _read("002")
    assert doc.published == dt.date(2025, 5, 15)
    assert doc.text.startswith("As the war in Ukraine")
    assert "date 2025" not in doc.text
    assert doc.title.startswith("As the war in Ukraine has ground into its third year")


def test_hash_heading_and_trailer() -> None:
    doc = _read("003")
    assert (
        doc.title
        == "Putin unlikely to come to the negotiation table, regardless of who wins US election"
    )
    assert doc.text.startswith("Russia is watching US policy like a hawk.")
    assert doc.source == "cnn.com"
    assert "appeared first" not in doc.text


def test_repeated_title() -> None:
    doc = _read("001")
    assert doc.title == "Russia’s Withdrawal from Ukraine: Prospects and Reality"
    assert doc.text.startswith("Russia is unlikely to make significant territorial gains")


def test_chapter_title_with_byline() -> None:
    doc = _read("000")
    assert doc.title.startswith("Chapter 8: The Continuing War of Attrition in Ukraine")
    assert doc.published == dt.date(2024, 12, 6)
    assert doc.author == "Michihiro Tajima"
    assert doc.source == "The Japan Institute of International Affairs"
    assert doc.text.endswith("cultural exchanges should continue.")
    assert doc.source_sha256 and doc.content_hash and doc.source_path.startswith("000_")


def test_crlf_and_bom_are_normalised() -> None:
    art = parse_article("\ufeffTitle line\r\n\r\nBody one.\r\nBody two.\rEnd.", "x.txt")
    assert art.title == "Title line"
    assert art.text == "Body one.\nBody two.\nEnd."
    assert "\r" not in art.text


def test_markdown_heading() -> None:
    art = parse_article("# A heading\n\nBody text.", "x.md")
    assert (art.title, art.text) == ("A heading", "Body text.")


def test_plain_paragraph_without_title_uses_first_sentence() -> None:
    art = parse_article("Just one sentence here. And another.", "notes.txt")
    assert art.title == "Just one sentence here."
    assert art.text == "Just one sentence here. And another."


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"", "empty", None),
        (b"   \n\n", "empty", None),
        (b"fine\nline two\x00\x01\x02", "NUL bytes", 2),
        (b"ok\n\xff\xfe\xfa broken", "not valid UTF-8", 2),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", 3),
    ],
)
def test_decode_refuses_bad_bytes(data: bytes, message: str, line: int | None) -> None:
    with pytest.raises(InputError, match=message) as exc:
        decode_text(data, "bad.txt")
    assert exc.value.path == "bad.txt"
    assert exc.value.line == line
    assert str(exc.value).startswith("bad.txt")


def test_decode_uses_declared_charset() -> None:
    data = '<?xml version="1.0" encoding="latin-1"?><TITLE>Caf\xe9</TITLE>'.encode("latin-1")
    assert "Café" in decode_text(data, "x.txt")


def test_decode_utf16_with_bom() -> None:
    assert decode_text("héllo 😀".encode("utf-16"), "x.txt") == "héllo 😀"


def test_atomic_write_leaves_nothing_on_error_and_normal_permissions(tmp_path: Path) -> None:
    import os

    from annotator.formats.base import atomic_write

    dest = tmp_path / "out.jsonl"
    with atomic_write(dest) as fh:
        fh.write("one\n")
    umask = os.umask(0o022)
    os.umask(umask)
    assert dest.stat().st_mode & 0o777 == 0o666 & ~umask
    with pytest.raises(RuntimeError), atomic_write(dest) as fh:
        fh.write("half written")
        raise RuntimeError("disk gone")
    assert dest.read_text() == "one\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
