"""Token alignment the token-based exporters share (Prodigy, spaCy, CoNLL)."""

from __future__ import annotations

from collections.abc import Sequence

from annotator.core.model import Document
from annotator.core.tokenize import Token, tokenize
from annotator.formats.base import ExportReport
from annotator.formats.common import AnySpan

NOT_ALIGNED = "does not align with tokens"


def aligned_tokens(
    doc: Document, spans: Sequence[AnySpan], report: ExportReport
) -> tuple[list[Token], list[tuple[AnySpan, int, int]]]:
    """Tokens of ``doc`` broken at every span boundary, and each span's token range.

    Returns ``(tokens, [(span, first_token, last_token_inclusive)])``. A span whose
    boundary falls inside a character cluster (between an emoji and its skin tone,
    a letter and its accent) cannot be a token range: it is reported as dropped with
    the reason ``NOT_ALIGNED`` and left out, never widened.
    """
    tokens = tokenize(doc.text, {b for sp in spans for b in (sp.start, sp.end)})
    starts = {t.start: i for i, t in enumerate(tokens)}
    ends = {t.end: i for i, t in enumerate(tokens)}
    out: list[tuple[AnySpan, int, int]] = []
    for sp in spans:
        first, last = starts.get(sp.start), ends.get(sp.end)
        if first is None or last is None:
            report.drop(doc, sp, NOT_ALIGNED)
            continue
        out.append((sp, first, last))
    return tokens, out
