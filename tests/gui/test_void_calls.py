"""A million void Qt calls: PySide6 6.12 on Python 3.11 aborts (none_dealloc) long before this."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QWidget


def test_a_million_void_qt_calls_do_not_crash(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    point = QPoint()
    for i in range(500_000):
        widget.setUpdatesEnabled(True)
        point.setX(i)
    assert point.x() == 499_999
    assert widget.updatesEnabled()
