"""The main window's panes follow labels of whole documents given or taken back elsewhere.

A teammate (or this annotator on another desktop) labels a document; the change log has it
since schema 0017 and the change feed brings it here as a ``DOCUMENT_LABELS`` change. The
panes showing that document read its labels again, off the GUI thread, and their title
lines (``DocLabelsLine``) show them: the viewer's own, and teammates' where their spans are
shown and blind mode lets the viewer see them. Texts and spans are not reloaded.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from annotator.core.model import SpanChange
from annotator.gui.live_updates import LiveRelay, document_labels_in, needs_refresh
from annotator.gui.tagging import shown_doc_labels
from annotator.gui.widgets.reading_area import ReadingArea
from annotator.gui.workers import TaskRunner
from annotator.services import Workspace
from annotator.settings import Settings


class LiveDocLabels(QObject):
    """Starts a change feed (``LiveRelay``) for the window; ``stop()`` on close."""

    def __init__(
        self,
        parent: QObject,
        *,
        ws: Workspace,
        settings: Settings,
        reading: ReadingArea,
        shown: Callable[[], tuple[str, ...]],
        runner: TaskRunner,
        status: Callable[[str, int], None],
        interval: float = 1.0,
    ) -> None:
        super().__init__(parent)
        self._ws, self._settings, self._reading = ws, settings, reading
        self._shown, self._runner, self._status = shown, runner, status
        self.relay = LiveRelay(ws, interval=interval, parent=self)
        self.relay.changed.connect(self.on_batch)
        self.relay.start()

    def stop(self) -> None:
        self.relay.stop()

    def on_batch(self, batch: list[SpanChange]) -> None:
        """Documents in view whose labels changed (all in view if the feed lost track)."""
        open_docs = {p.document_id for p in self._reading.panes if p.document_id is not None}
        docs = open_docs if needs_refresh(batch) else document_labels_in(batch) & open_docs
        if docs:
            self.reload(docs)

    def reload(self, document_ids: set[int]) -> None:
        ws, viewer, shown = self._ws, self._settings.annotator, self._shown()

        def work(_progress) -> dict[int, dict[str, list[str]]]:
            return {d: shown_doc_labels(ws, d, viewer, shown) for d in sorted(document_ids)}

        def done(found: dict[int, dict[str, list[str]]]) -> None:
            if (viewer, shown) != (self._settings.annotator, self._shown()):
                return  # switched meanwhile: that reloads the panes, labels and all
            for doc_id, whole in found.items():
                for pane in self._reading.panes_showing(doc_id):
                    if not pane.loading:
                        pane.set_doc_labels(whole)

        self._runner.start(
            work,
            finished=done,
            failed=lambda msg: self._status(f"Cannot read the document labels: {msg}", 5000),
        )
