"""Relay a ``ChangeFeed``'s batches from its own thread to the GUI thread.

The feed calls subscribers on its polling thread; emitting a signal of an object that lives
in the GUI thread from there is a queued connection, so slots run in the GUI thread.
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QObject, Signal

from annotator.core.model import ChangeKind, SpanChange
from annotator.services import Workspace
from annotator.services.live import ChangeFeed


class LiveRelay(QObject):
    """A window's subscription to the workspace's change feed.

    The windows of one workspace (the main window, comparison, progress) share one feed:
    one thread and, on a team server, one LISTEN connection, so the app stays within the
    connection slots a member's login has (docs/team-setup.md) however many windows are
    open. The feed stops with the last relay; it polls at the shortest interval asked."""

    changed = Signal(object)
    """list[SpanChange], in the GUI thread."""

    def __init__(self, ws: Workspace, *, interval: float = 1.0, parent=None) -> None:
        super().__init__(parent)
        self._ws = ws
        self._interval = interval
        self._feed: ChangeFeed | None = None
        self._unsubscribe = None

    @property
    def running(self) -> bool:
        return self._feed is not None

    def start(self) -> None:
        if self._feed is None:
            feed, users = _SHARED.get(self._ws, (None, 0))
            if feed is None:
                feed = self._ws.change_feed(interval=self._interval)
                feed.start()
            feed.interval = min(feed.interval, self._interval)
            _SHARED[self._ws] = (feed, users + 1)
            self._feed = feed
            self._unsubscribe = feed.subscribe(self._on_batch)

    def stop(self) -> None:
        feed, self._feed = self._feed, None
        if feed is not None:
            if self._unsubscribe is not None:
                self._unsubscribe()
                self._unsubscribe = None
            _feed, users = _SHARED.pop(self._ws, (feed, 1))
            if users > 1:
                _SHARED[self._ws] = (feed, users - 1)
            else:
                feed.stop()

    def _on_batch(self, batch: list[SpanChange]) -> None:
        # Feed thread: only the signal crosses over.
        self.changed.emit(list(batch))


_SHARED: weakref.WeakKeyDictionary[Workspace, tuple[ChangeFeed, int]] = weakref.WeakKeyDictionary()
"""The running feed of each workspace and how many relays use it; GUI thread only."""


def documents_in(batch: list[SpanChange]) -> set[int]:
    """The documents whose spans the batch changed (not their document labels)."""
    return {ch.document_id for ch in batch if ch.kind.is_span}


def document_labels_in(batch: list[SpanChange]) -> set[int]:
    """The documents whose labels of the whole document the batch changed (schema 0017):
    reload those labels, not the spans or text."""
    return {ch.document_id for ch in batch if ch.kind is ChangeKind.DOCUMENT_LABELS}


def needs_refresh(batch: list[SpanChange]) -> bool:
    """The feed gave up watching some skipped numbers: reload whatever is shown."""
    return any(ch.kind is ChangeKind.REFRESH for ch in batch)
