"""Find in document (Ctrl+F): Enter finds the next hit, Shift+Enter the previous, Esc closes."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QToolButton, QWidget


class FindBar(QWidget):
    closed = Signal()

    def __init__(self, view: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self.edit = QLineEdit(placeholderText="Find in document")
        self.edit.setClearButtonEnabled(True)
        self.status = QLabel()
        prev_btn = QToolButton(text="▲", toolTip="Previous (Shift+Enter)")
        next_btn = QToolButton(text="▼", toolTip="Next (Enter)")
        close_btn = QToolButton(text="✕", toolTip="Close (Esc)")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        for w in (self.edit, prev_btn, next_btn, self.status, close_btn):
            lay.addWidget(w)
        self.edit.returnPressed.connect(lambda: self.find())
        self.edit.textEdited.connect(lambda _t: self.find(from_start=True))
        prev_btn.clicked.connect(lambda: self.find(backward=True))
        next_btn.clicked.connect(lambda: self.find())
        close_btn.clicked.connect(self.close_bar)
        self.edit.installEventFilter(self)
        self._total_key: tuple[str, int] | None = None
        self._total = 0
        self.hide()

    def open_bar(self) -> None:
        cur = self._view.textCursor()
        if cur.hasSelection() and "\u2029" not in cur.selectedText():
            self.edit.setText(cur.selectedText())
        self.show()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self._view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.closed.emit()

    def find(self, *, backward: bool = False, from_start: bool = False) -> bool:
        needle = self.edit.text()
        if not needle:
            self.status.clear()
            return False
        view = self._view
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        if from_start:
            cur = view.textCursor()
            cur.setPosition(cur.selectionStart())
            view.setTextCursor(cur)
        found = view.find(needle, flags)
        if not found:  # wrap around
            cur = view.textCursor()
            cur.movePosition(
                QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
            )
            view.setTextCursor(cur)
            found = view.find(needle, flags)
        self.status.setText(self._position_text(needle) if found else "No match")
        return found

    def _position_text(self, needle: str) -> str:
        """ "3 of 12": the same case-insensitive, non-overlapping hits Qt's find steps through."""
        doc = self._view.document()
        pattern = re.compile(re.escape(needle), re.IGNORECASE)
        key = (needle, doc.revision())
        if self._total_key != key:
            self._total_key, self._total = key, sum(1 for _ in pattern.finditer(doc.toPlainText()))
        before = QTextCursor(doc)
        before.setPosition(
            self._view.textCursor().selectionStart(), QTextCursor.MoveMode.KeepAnchor
        )
        index = sum(1 for _ in pattern.finditer(before.selectedText())) + 1
        return f"{index} of {self._total}"

    def eventFilter(self, obj, event) -> bool:
        if obj is self.edit and event.type() == QKeyEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            ):
                self.find(backward=True)
                return True
        return super().eventFilter(obj, event)
