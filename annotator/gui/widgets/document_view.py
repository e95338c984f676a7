"""The read-only text view: lazy layout (QPlainTextEdit), span colours, passage and span marks."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPalette,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from annotator.core.model import Span
from annotator.gui.widgets.span_highlighter import SpanHighlighter


class DocumentView(QPlainTextEdit):
    clicked = Signal(int)
    """A click without a drag, at this Qt position."""
    painted = Signal()
    focusEntered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setCenterOnScroll(False)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.setFont(font)
        self.document().setDocumentMargin(12)
        self.highlighter = SpanHighlighter(self)
        self.key_handler: Callable[[QKeyEvent], bool] | None = None
        self._press_pos: int | None = None
        self._passage: tuple[int, int] | None = None
        self._passage_tint = True
        self._selected: tuple[int, int, str] | None = None
        self._snap: tuple[int, int] | None = None
        self._faint: list[tuple[int, int, str]] = []
        self._built: dict[str, list[QTextEdit.ExtraSelection]] = {
            "faint": [],
            "snap": [],
            "passage": [],
            "selected": [],
        }

    # --- marks drawn as extra selections (two, plus faint suggestion marks) -----------
    # Each kind keeps its built selections: a change rebuilds that kind only, and an
    # unchanged mark sets nothing (every cursor move and scroll asks for the faint marks
    # again, and a tag clears the snap mark; rebuilding them all cost a tenth of a tag).

    def set_passage_mark(self, qt_range: tuple[int, int] | None, *, tint: bool = True) -> None:
        """The current passage: tinted while untagged, then only lined so labels show."""
        if (qt_range, tint) != (self._passage, self._passage_tint):
            self._passage, self._passage_tint = qt_range, tint
            self._built["passage"] = self._passage_selections()
            self._update_marks()

    def set_selected_mark(self, qt_range: tuple[int, int, str] | None) -> None:
        """The clicked span: a strong outline colour of its label."""
        if qt_range != self._selected:
            self._selected = qt_range
            self._built["selected"] = self._selected_selections()
            self._update_marks()

    def set_snap_mark(self, qt_range: tuple[int, int] | None) -> None:
        """While selecting: the range a label key will tag, where snapping grows it."""
        if qt_range != self._snap:
            self._snap = qt_range
            self._built["snap"] = self._snap_selections()
            self._update_marks()

    @property
    def snap_mark(self) -> tuple[int, int] | None:
        return self._snap

    def set_faint_marks(self, marks: list[tuple[int, int, str]]) -> None:
        """Suggested passages: (qt start, qt end, label colour), a dotted underline each."""
        if marks != self._faint:
            self._faint = list(marks)
            self._built["faint"] = self._faint_selections()
            self._update_marks()

    def _selection(self, start: int, end: int) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        cur = QTextCursor(self.document())
        cur.setPosition(start)
        cur.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cur
        return sel

    def _faint_selections(self) -> list[QTextEdit.ExtraSelection]:
        out = []
        for start, end, color in self._faint:
            sel = self._selection(start, end)
            sel.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            sel.format.setUnderlineColor(QColor(color))
            out.append(sel)
        return out

    def _snap_selections(self) -> list[QTextEdit.ExtraSelection]:
        if self._snap is None:
            return []
        pal = self.palette()
        sel = self._selection(*self._snap)
        # Under the live selection: its own colour shows where snapping adds text.
        tint = QColor(pal.color(QPalette.ColorRole.Highlight))
        tint.setAlpha(90)
        sel.format.setBackground(tint)
        sel.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        sel.format.setUnderlineColor(pal.color(QPalette.ColorRole.Highlight))
        return [sel]

    def _passage_selections(self) -> list[QTextEdit.ExtraSelection]:
        if self._passage is None:
            return []
        pal = self.palette()
        sel = self._selection(*self._passage)
        # Neutral tint (not a label colour) plus an overline, in light and dark palettes.
        sel.format.setFontOverline(True)
        if self._passage_tint:
            tint = QColor(pal.color(QPalette.ColorRole.Text))
            tint.setAlpha(34)
            sel.format.setBackground(tint)
            sel.format.setForeground(pal.color(QPalette.ColorRole.Text))
        return [sel]

    def _selected_selections(self) -> list[QTextEdit.ExtraSelection]:
        if self._selected is None:
            return []
        sel = self._selection(self._selected[0], self._selected[1])
        sel.format.setBackground(QColor(self._selected[2]))
        sel.format.setForeground(QColor("#ffffff"))
        return [sel]

    def setPlainText(self, text: str) -> None:
        """New content: every mark belonged to the old text (their cursors collapsed)."""
        super().setPlainText(text)
        self._drop_marks()

    def clear(self) -> None:
        super().clear()
        self._drop_marks()

    def _drop_marks(self) -> None:
        self._faint, self._snap, self._passage, self._selected = [], None, None, None
        self._rebuild_marks()

    def _rebuild_marks(self) -> None:
        """Every kind afresh (the palette changed, or the document was replaced)."""
        self._built = {
            "faint": self._faint_selections(),
            "snap": self._snap_selections(),
            "passage": self._passage_selections(),
            "selected": self._selected_selections(),
        }
        self._update_marks()

    def _update_marks(self) -> None:
        b = self._built
        self.setExtraSelections(b["faint"] + b["snap"] + b["passage"] + b["selected"])

    # --- events ----------------------------------------------------------------------

    def paintEvent(self, event):
        self.highlighter.format_visible()
        super().paintEvent(event)
        self.painted.emit()

    def changeEvent(self, event: QEvent) -> None:
        # Span colours are blended over the palette's Base: a switch between light and
        # dark mode must recompute them, or light highlights stay under light text.
        if event.type() == QEvent.Type.PaletteChange:
            self.highlighter.invalidate_all()
            self._rebuild_marks()
        super().changeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.key_handler is not None and self.key_handler(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.focusEntered.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        self._press_pos = self.cursorForPosition(event.position().toPoint()).position()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        pos = self.cursorForPosition(event.position().toPoint()).position()
        if (
            event.button() == Qt.MouseButton.LeftButton
            and self._press_pos == pos
            and not self.textCursor().hasSelection()
        ):
            self.clicked.emit(pos)
        self._press_pos = None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            pos = self.cursorForPosition(
                self.viewport().mapFromGlobal(event.globalPos())
            ).position()
            spans = self.highlighter.spans_at(pos)
            if spans:
                owner = self.highlighter.owner
                me = (owner() if owner is not None else "") or None

                def whose(s: Span) -> str:
                    if me is None:
                        return s.annotator
                    return (
                        f"{s.annotator} (yours)"
                        if s.annotator == me
                        else (f"{s.annotator} (a teammate's, read-only)")
                    )

                lines = [
                    f"<b>{s.label}</b> — {html.escape(whose(s), quote=False)}"
                    + (f": <i>{html.escape(s.note, quote=False)}</i>" if s.note else "")
                    for s in spans
                ]
                QToolTip.showText(event.globalPos(), "<br>".join(lines), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)
