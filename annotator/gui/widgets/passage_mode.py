"""A document pane's passage mode: the J/K walk through the document's passages.

P turns it on and off, Shift+P switches between sentences and paragraphs; in the mode J and
K (or the arrows) walk on and back and T turns tag and advance on and off. The current
passage is marked in the view (tinted while untagged) and kept in the middle third of it,
and the bar under the header says where I am and what the passage is labelled. With nothing
selected a label key tags the whole passage, and with tag and advance moves on. Walking
goes past passages whose only tags of mine came from suggestions (``skip_pretagged``).

The widgets (the bar, the mode's name on the title line) go into the pane's layout; this
object keeps the passages, the current one and what the widgets show, and asks the pane
for its document, view, positions and selection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence

from annotator.core.model import Span
from annotator.core.passage_nav import is_pretagged, step
from annotator.core.segment import Passage, PassageKind, passage_at, passages
from annotator.gui.widgets.elided_label import ElidedLabel
from annotator.gui.widgets.passage_bar import PassageBar, labels_line

if TYPE_CHECKING:  # for annotations only; at run time the pane is handed in
    from annotator.gui.widgets.document_pane import DocumentPane

_NEXT = {Qt.Key.Key_J, Qt.Key.Key_Down}
_PREV = {Qt.Key.Key_K, Qt.Key.Key_Up}
_ENTER = {Qt.Key.Key_Return, Qt.Key.Key_Enter}
_SUGGESTION_KEYS = {Qt.Key.Key_A, Qt.Key.Key_X} | _ENTER


class PassageMode(QObject):
    changed = Signal(bool)
    """Passage mode turned on (True) or off."""
    advanceChanged = Signal(bool)
    """Tag and advance turned on (True) or off."""

    def __init__(self, pane: DocumentPane) -> None:
        super().__init__(pane)
        self._pane = pane
        self.on = False
        self.kind: PassageKind = "sentence"
        self._passages: list[Passage] | None = None
        self.current: int | None = None
        """Index of the current passage in ``passages()``, None when there is none."""
        self.tag_and_advance = True
        """In passage mode a label key tags the passage and moves to the next one."""
        self.skip_pretagged = True
        """Moving between passages (J, K, tag-and-advance) walks past passages whose only
        tags of mine came from suggestions (pre-annotation): they need no decision."""
        self.label = ElidedLabel()  # the mode's name, on the pane's title line
        self.bar = PassageBar()
        self.bar.hide()

    def passages(self) -> list[Passage]:
        if self._passages is None:
            doc = self._pane.document
            self._passages = passages(doc.text, self.kind) if doc else []
        return self._passages

    def forget(self) -> None:
        """Another document is shown: its passages are found when first asked for."""
        self._passages = None
        self.current = None

    def set_on(self, on: bool) -> None:
        pane = self._pane
        self.on = on
        self.label.setText("Passage mode" if on else "")
        self.bar.setVisible(on)
        if on and pane.document is not None:
            self.enter()
            self.keep_in_view()
        else:
            self.current = None
            pane.view.set_passage_mark(None)
        self.show_selection()
        if on and pane.selected_span() is not None:
            pane.message.emit(pane.selection_hint())
        self.changed.emit(on)

    def set_tag_and_advance(self, on: bool) -> None:
        self.tag_and_advance = on
        self.advanceChanged.emit(on)
        self._pane.message.emit(
            "Tag and advance on: a label key tags the passage and moves to the next"
            if on
            else "Tag and advance off: a label key tags the passage, J moves on"
        )
        self.refresh()

    def set_kind(self, kind: PassageKind) -> None:
        self.kind = kind
        self._passages = None
        if self.on and self._pane.document is not None:
            self.enter()

    def show_selection(self) -> None:
        """The selected span's line on the bar (what the keys do to it), in passage mode."""
        self.bar.show_selected(self._pane.selection_hint() if self.on else "")

    def spans(self) -> list[Span]:
        """Shown spans that overlap the current passage."""
        rng = self.current_range()
        if rng is None:
            return []
        pane = self._pane
        qs, qe = pane.positions.range_to_qt(*rng)
        return [e[2] for e in pane.view.highlighter.index.overlapping(qs, qe)]

    def refresh(self) -> None:
        """The bar and the passage mark follow the current passage's labels at once."""
        pane = self._pane
        rng = self.current_range() if self.on and not pane.loading else None
        if rng is None:
            return
        spans = self.spans()
        qs, qe = pane.positions.range_to_qt(*rng)
        # Tinted while untagged; once tagged the label colours show through.
        pane.view.set_passage_mark((qs, qe), tint=not spans)
        self.bar.show_passage(
            kind=self.kind,
            index=self.current or 0,
            total=len(self.passages()),
            labels=labels_line(spans, pane.annotator),
            advance=self.tag_and_advance,
        )

    def enter(self) -> None:
        """The passage at the cursor becomes the current one."""
        pane = self._pane
        self.label.setText(f"Passage mode ({self.kind}s)")
        cp = pane.positions.to_cp(pane.view.textCursor().position())
        self._go(passage_at(self.passages(), cp))

    def _go(self, i: int | None) -> None:
        pane = self._pane
        items = self.passages()
        self.current = i
        if i is None or not items:
            pane.view.set_passage_mark(None)
            return
        p = items[i]
        sel = pane.selected_span()
        if sel is not None and not (sel.start < p.end and p.start < sel.end):
            pane.select_span(None)  # a span left behind takes no more keys
        qs, _qe = pane.positions.range_to_qt(p.start, p.end)
        cur = pane.view.textCursor()
        cur.setPosition(qs)
        pane.view.blockSignals(True)
        pane.view.setTextCursor(cur)
        pane.view.blockSignals(False)
        self.refresh()
        self.keep_in_view()

    def keep_in_view(self) -> None:
        """The current passage whole, in the middle third of the view, with context above
        and below (a passage taller than the view starts a line from its top)."""
        pane = self._pane
        rng = self.current_range() if self.on and not pane.loading else None
        if rng is not None:
            pane.bring_to_middle(*pane.positions.range_to_qt(*rng))

    def move(self, delta: int) -> None:
        """One passage on (``delta`` 1) or back (-1), past pre-tagged passages when
        ``skip_pretagged`` is on; 0 leaves a pre-tagged current passage for the next one."""
        items = self.passages()
        if not items:
            return
        skip = self.is_pretagged if self.skip_pretagged else None
        i = step(self.current, delta, len(items), skip)
        if i is not None and (delta or i != self.current):
            self._go(i)

    def is_pretagged(self, i: int) -> bool:
        """Whether passage ``i``'s only tags of mine came from suggestions (asked of the
        span index: a lookup, not a scan of the document's spans)."""
        pane = self._pane
        me = pane.annotator
        if not me:
            return False
        p = self.passages()[i]
        qs, qe = pane.positions.range_to_qt(p.start, p.end)
        return is_pretagged(
            sp.origin
            for _s, _e, sp in pane.view.highlighter.index.overlapping(qs, qe)
            if sp.annotator == me and sp.start < p.end and sp.end > p.start
        )

    def current_range(self) -> tuple[int, int] | None:
        if self.current is None or not self.passages():
            return None
        p = self.passages()[self.current]
        return p.start, p.end

    def cursor_moved(self) -> None:
        """In passage mode the passage at the cursor (a click, arrows) becomes current."""
        pane = self._pane
        if self.on and pane.document is not None and not pane.view.textCursor().hasSelection():
            cp = pane.positions.to_cp(pane.view.textCursor().position())
            i = passage_at(self.passages(), cp)
            if i != self.current:
                self._go(i)

    def clicked(self, hits: list[Span]) -> bool:
        """A click on the current passage whose spans are its tags selects the passage, not
        a span: True when it did."""
        rng = self.current_range() if self.on else None
        if not (hits and rng is not None and all((h.start, h.end) == rng for h in hits)):
            return False
        # The passage is current now, so a label key adds or removes that label there, as
        # it does after J or K; [ and ] still select its spans.
        self._pane.select_span(None)
        self._pane.message.emit(
            f"{self.kind.capitalize()} {(self.current or 0) + 1} selected:"
            " a label key adds or removes that label"
        )
        return True

    def tag(self, label: str) -> bool:
        """A label key with nothing selected tags the current passage (again: takes the
        label back) and, with tag and advance, moves on; False when there is no passage."""
        if not self.on or (p := self.current_range()) is None:
            return False
        pane = self._pane
        assert pane.document is not None and pane.document.id is not None
        removing = pane.find_span(p[0], p[1], label, pane.annotator) is not None
        pane.tagRequested.emit(pane.document.id, p[0], p[1], label)
        # Without a name the tag waits for it (the window asks): stay on the passage.
        if self.tag_and_advance and not removing and pane.annotator:
            self.move(1)
        return True

    def handle_key(self, key: int, shift: bool) -> bool:
        """P and Shift+P, and in passage mode T, J and K (arrows too); False for others."""
        if key == Qt.Key.Key_P and not shift:
            self.set_on(not self.on)
            return True
        if key == Qt.Key.Key_P and shift:
            self.set_kind("paragraph" if self.kind == "sentence" else "sentence")
            self._pane.message.emit(f"Passages are {self.kind}s")
            return True
        if self.on and not shift and key == Qt.Key.Key_T:
            self.set_tag_and_advance(not self.tag_and_advance)
            return True
        if self.on and not shift and (key in _NEXT or key in _PREV):
            self.move(1 if key in _NEXT else -1)
            return True
        return False

    def key_does_nothing(self, event: QKeyEvent, label_keys: list[str]) -> bool:
        """A key that does nothing in passage mode (Enter, letters) says why; True if it
        spoke, False for the view's own keys (arrows, Page Up/Down, Tab...)."""
        key = event.key()
        text = event.text()
        if key not in _ENTER and not (text and text.isprintable() and not text.isspace()):
            return False
        pane = self._pane
        name = "Enter" if key in _ENTER else QKeySequence(key).toString() or text
        if pane.selected_span() is not None:
            pane.message.emit(
                f"{name} does nothing while a span is selected: {pane.selection_hint()}"
            )
        elif key in _SUGGESTION_KEYS:
            pane.message.emit(
                f"{name} answers a suggestion, and none is shown for this passage "
                "(View ▸ Suggestions); a label key tags it"
            )
        else:
            keys = ", ".join(sorted(label_keys)) or "a label key"
            pane.message.emit(
                f"{name} does nothing in passage mode: {keys} tag the passage · J/K move · "
                "T tag and advance · P leaves"
            )
        return True
