"""Top-level windows that fit the screen they open on, and close on Esc / Ctrl+W.

:func:`fit_window` gives a window its preferred size, shrunk to the screen's available
geometry (the screen minus panels and docks), and keeps its frame inside that geometry
each time it is shown: a 1400×900 window opened at y=20 on a 900-pixel screen would lose
its bottom row of buttons. :func:`closes_on_keys` makes Esc and Ctrl+W close a window;
Esc only when no widget inside used it first (an open popup, a selection to clear).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QWidget

FRAME_ALLOWANCE = QSize(16, 48)
"""Room left for a window manager's frame (title bar, borders) before the window is shown
and its real frame is known."""
SETTLE_MS = 250
"""After a show, when the window manager has framed and placed the window: fit again."""


def available(widget: QWidget) -> QRect:
    """The available geometry of the screen ``widget`` is on (or the primary screen)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fitted_size(widget: QWidget, preferred: QSize) -> QSize:
    """``preferred``, no larger than the available screen less a frame's allowance."""
    room = available(widget).size() - FRAME_ALLOWANCE
    return QSize(
        max(1, min(preferred.width(), room.width())),
        max(1, min(preferred.height(), room.height())),
    )


def keep_on_screen(widget: QWidget) -> None:
    """Shrink and move ``widget`` so its whole frame is inside the available geometry."""
    avail = available(widget)
    frame = widget.frameGeometry()
    extra_w = frame.width() - widget.width()
    extra_h = frame.height() - widget.height()
    if frame.width() > avail.width() or frame.height() > avail.height():
        widget.resize(
            max(1, min(widget.width(), avail.width() - extra_w)),
            max(1, min(widget.height(), avail.height() - extra_h)),
        )
        frame = widget.frameGeometry()
    x = min(max(frame.x(), avail.x()), avail.x() + avail.width() - frame.width())
    y = min(max(frame.y(), avail.y()), avail.y() + avail.height() - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        widget.move(x, y)  # a top-level window's position is its frame's


class _Keeper(QObject):
    """Re-fits its window on every show; closes it on an Esc nothing inside used."""

    def __init__(self, window: QWidget, *, escape: bool) -> None:
        super().__init__(window)
        self._window = window
        self.escape = escape
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window:
            if event.type() == QEvent.Type.Show:
                keep_on_screen(self._window)
                # A window manager adds the frame and places the window after the show.
                QTimer.singleShot(SETTLE_MS, self, lambda: keep_on_screen(self._window))
            elif (
                self.escape
                and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Escape
                and event.modifiers() == Qt.KeyboardModifier.NoModifier
            ):
                self._window.close()
                return True
        return False


def fit_window(window: QWidget, width: int, height: int) -> None:
    """Size ``window`` to ``width`` × ``height`` or the screen, whichever is smaller, and keep
    it on the screen whenever it is shown."""
    window.resize(fitted_size(window, QSize(width, height)))
    if window.findChild(_Keeper) is None:
        _Keeper(window, escape=False)


def closes_on_keys(window: QWidget) -> None:
    """Ctrl+W closes ``window``; so does Esc when no widget inside took it (a dialog's own
    Esc rejects it already). The window is also kept on the screen whenever it is shown."""
    close = window.reject if isinstance(window, QDialog) else window.close
    shortcut = QShortcut(QKeySequence("Ctrl+W"), window)
    shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
    shortcut.activated.connect(close)
    keeper = window.findChild(_Keeper)
    if keeper is None:
        keeper = _Keeper(window, escape=False)
    keeper.escape = not isinstance(window, QDialog)
