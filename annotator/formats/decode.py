"""Bytes to text, refusing what is not text with a message that names file and line."""

from __future__ import annotations

import codecs
import re

from annotator.core.errors import InputError

_DECLARED = re.compile(
    rb"""(?:<\?xml[^>]*encoding=["']([\w.:-]+)["']|<meta[^>]*charset=["']?([\w.:-]+)|coding[:=]\s*([\w.-]+))""",
    re.IGNORECASE,
)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_text(data: bytes, path: str) -> str:
    """Decode file bytes: UTF-8 (with or without BOM), UTF-16 with BOM, a declared charset.

    Anything else is refused: guessing a legacy code page silently corrupts text
    and every offset after it.
    """
    if not data.strip():
        raise InputError("the file is empty", path=path)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"invalid UTF-16 ({exc.reason})", path=path) from exc
    nul = data.find(b"\x00")
    if nul != -1:
        raise InputError(
            "contains NUL bytes; this looks like a binary file, not text",
            path=path,
            line=_line_of(data, nul),
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    m = _DECLARED.search(data[:4096])
    if m:
        charset = next(g for g in m.groups() if g).decode("ascii")
        try:
            codecs.lookup(charset)
            return data.decode(charset)
        except LookupError:
            raise InputError(f"declares an unknown charset {charset!r}", path=path) from None
        except UnicodeDecodeError as exc:
            raise InputError(
                f"is not valid {charset} as it declares ({exc.reason})",
                path=path,
                line=_line_of(data, exc.start),
            ) from exc
    raise InputError(
        f"is not valid UTF-8 (byte 0x{data[utf8_error.start]:02x} cannot be decoded) and declares "
        "no charset; convert it to UTF-8",
        path=path,
        line=_line_of(data, utf8_error.start),
    )


def check_text(text: str, path: str) -> None:
    """Refuse characters no text document should hold (they break databases and offsets)."""
    nul = text.find("\x00")
    if nul != -1:
        raise InputError("contains a NUL character", path=path, line=text.count("\n", 0, nul) + 1)
    for m in re.finditer("[\ud800-\udfff]", text):
        raise InputError(
            "contains a lone surrogate code point",
            path=path,
            line=text.count("\n", 0, m.start()) + 1,
        )
