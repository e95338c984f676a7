"""Keep a range of a text view in the middle third of it, as passage mode and "go to" do.

Now, and once more each time the layout settles: the view lays text out lazily, and a
block laid out for the first time (a long article's paragraphs after a jump), a resize or
a bar shown above the view moves what was measured. Until the reader scrolls by
themselves (wheel, drag, Page Up/Down): then the view is theirs again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit


class MiddleKeeper(QObject):
    def __init__(self, view: QPlainTextEdit, *, paused: Callable[[], bool]) -> None:
        super().__init__(view)
        self._view = view
        self._paused = paused
        """True while the view holds no text to measure (a document loading)."""
        self._target: tuple[int, int] | None = None
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._to_middle)
        bar = view.verticalScrollBar()
        # The lazy layout changes the bar's range as blocks are laid out (and a resize
        # lays everything out anew): the target is put back in the middle each time.
        bar.rangeChanged.connect(lambda _lo, _hi: self._target and self._timer.start())
        bar.actionTriggered.connect(lambda _action: self.forget())

    def bring(self, qt_start: int, qt_end: int) -> None:
        """Scroll Qt range ``[qt_start, qt_end)`` into the middle third, and keep it there."""
        self._target = (qt_start, qt_end)
        self._to_middle()
        self._timer.start()

    def forget(self) -> None:
        self._target = None
        self._timer.stop()

    def resized(self) -> None:
        if self._target is not None:
            self._timer.start()

    def _to_middle(self) -> None:
        if self._target is None or self._paused():
            return
        qs, qe = self._target
        view = self._view
        n = view.document().characterCount()
        if not (0 <= qs <= qe < n):
            return
        bar = view.verticalScrollBar()
        line = max(1, view.fontMetrics().lineSpacing())
        height = view.viewport().height()
        for _ in range(8):
            cur = QTextCursor(view.document())
            cur.setPosition(qs)
            top = view.cursorRect(cur).top()
            cur.setPosition(qe)
            bottom = view.cursorRect(cur).bottom()
            if top >= height // 3 and bottom <= height * 2 // 3:
                return  # in the middle third already: the view stays put
            tall = bottom - top
            want = line if tall > height - 2 * line else (height - tall) // 2
            step = round((top - want) / line)  # the bar counts lines
            before = bar.value()
            bar.setValue(before + step)
            if step == 0 or bar.value() == before:
                return
