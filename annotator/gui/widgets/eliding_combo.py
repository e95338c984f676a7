"""A combo box that ends a long current text in "…" and shows the whole of it as a tooltip.

Qt's styles clip a combo box's current text at the edge ("Russia's Withdrawal from
Ukraine: Pro", or "Rus" in a narrow pane); a document's title should elide instead.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPaintEvent, QPalette
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QStylePainter, QWidget


class ElidingComboBox(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Also when the index is set with signals blocked (a pane syncing its title).
        self.currentTextChanged.connect(self.setToolTip)

    def setCurrentIndex(self, index: int) -> None:
        super().setCurrentIndex(index)
        self.setToolTip(self.currentText())

    def _option(self) -> QStyleOptionComboBox:
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        if self.currentIndex() < 0 and self.placeholderText():
            opt.currentText = self.placeholderText()
            opt.palette.setBrush(
                QPalette.ColorRole.ButtonText, opt.palette.brush(QPalette.ColorRole.PlaceholderText)
            )
        return opt

    def shown_text(self) -> str:
        """The current text as painted: whole, or elided to the room the box has for it."""
        opt = self._option()
        room = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField, self
        )
        return self.fontMetrics().elidedText(
            opt.currentText, Qt.TextElideMode.ElideRight, max(room.width() - 4, 0)
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        opt = self._option()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        opt.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)
