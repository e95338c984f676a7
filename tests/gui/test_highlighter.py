"""Span highlighting stays local: a big document formats only what is shown or edited."""

from __future__ import annotations

import random

from PySide6.QtWidgets import QApplication

from annotator.core.model import Span
from annotator.gui.text_positions import TextPositions
from annotator.gui.widgets.document_view import DocumentView
from annotator.gui.widgets.span_index import SpanIndex


def _spans(text: str, n: int) -> list[Span]:
    rnd = random.Random(7)
    out = []
    for i in range(n):
        s = rnd.randrange(0, len(text) - 100)
        out.append(Span(i + 1, 1, s, s + rnd.randint(3, 90), rnd.choice("ABC"), "x"))
    return out


def test_index_finds_exactly_the_overlapping_spans():
    text = "word " * 5000
    spans = _spans(text, 2000)
    idx = SpanIndex()
    for s in spans:
        idx.add(s, s.start, s.end)
    for lo, hi in ((0, 50), (1000, 1300), (20_000, 24_990)):
        want = {s.id for s in spans if s.start < hi and s.end > lo}
        assert {r[2].id for r in idx.overlapping(lo, hi)} == want
    idx.remove(spans[0].id)
    assert spans[0].id not in {r[2].id for r in idx.overlapping(spans[0].start, spans[0].end)}


def test_big_document_formats_only_visible_blocks_and_edits_touch_their_block(qtbot):
    paras = [f"Paragraph {i} 🙂 " + "artillery and diplomacy " * 20 for i in range(3000)]
    text = "\n".join(paras)
    view = DocumentView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    view.highlighter.set_colors({"A": "#d9534f", "B": "#3b82c4", "C": "#3fa65b"})
    tp = TextPositions(text)
    view.setPlainText(text)
    view.highlighter.set_spans(_spans(text, 20_000), tp)
    view.repaint()
    QApplication.processEvents()
    shown = view.highlighter.blocks_formatted
    assert 0 < shown < 100  # of 3000 blocks

    at = text.index("Paragraph 1500 ")
    before = view.highlighter.blocks_formatted
    view.highlighter.add_span(Span(99_999, 1, at, at + 9, "A", "x"))
    fmt = view.highlighter.format_at(tp.to_qt(at))
    assert fmt is not None and "A" in fmt.property(fmt.Property.UserProperty).split(",")
    assert view.highlighter.blocks_formatted - before == 1


def test_index_build_matches_one_by_one_adds_in_any_order():
    text = "word " * 4000
    spans = _spans(text, 1500)
    spans.append(Span(50_000, 1, 10, 19_000, "A", "x"))  # a long one, kept apart
    built, added = SpanIndex(), SpanIndex()
    built.build((s.start, s.end, s) for s in reversed(spans))
    for s in spans:
        added.add(s, s.start, s.end)
    for lo in range(0, 20_000, 997):
        assert built.overlapping(lo, lo + 300) == added.overlapping(lo, lo + 300)
    built.remove(spans[3].id)
    assert spans[3].id not in {e[2].id for e in built.overlapping(spans[3].start, spans[3].end)}


def _marks(view: DocumentView) -> list[tuple[int, int]]:
    return sorted(
        (s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in view.extraSelections()
    )


def test_marks_rebuild_only_what_changed_and_follow_new_text(qtbot):
    """Each kind of mark keeps its built selections; new text drops them all, so the same
    ranges set again on reloaded text are drawn afresh (not as collapsed old cursors)."""
    view = DocumentView()
    qtbot.addWidget(view)
    text = "Tanks rolled in. Talks began today. Oil rose."
    view.setPlainText(text)
    view.set_faint_marks([(0, 16, "#d9534f"), (17, 35, "#3b82c4")])
    view.set_passage_mark((17, 35))
    assert _marks(view) == [(0, 16), (17, 35), (17, 35)]
    faint = view._built["faint"]
    view.set_faint_marks([(0, 16, "#d9534f"), (17, 35, "#3b82c4")])  # unchanged: kept
    view.set_snap_mark((36, 45))
    assert view._built["faint"] is faint
    assert _marks(view) == [(0, 16), (17, 35), (17, 35), (36, 45)]
    view.set_snap_mark(None)
    assert _marks(view) == [(0, 16), (17, 35), (17, 35)]

    view.setPlainText(text)  # the same document loaded again (e.g. after a label edit)
    assert _marks(view) == []
    view.set_faint_marks([(0, 16, "#d9534f")])
    assert _marks(view) == [(0, 16)]
    view.clear()
    assert _marks(view) == []
