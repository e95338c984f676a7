"""The main window's panes follow what teammates do elsewhere, through the change feed.

* **Labels of whole documents** given or taken back (the change log has them since schema
  0017, as ``DOCUMENT_LABELS`` changes): the panes showing that document read its labels
  again, off the GUI thread, and their title lines (``DocLabelsLine``) show them: the
  viewer's own, and teammates' where their spans are shown and blind mode lets the viewer
  see them. Texts and spans are not reloaded.
* **Teammates' spans**, while View ▸ Show other annotators' spans is on: a pane showing a
  document whose spans someone else changed reads its spans again (the text stays; keys
  keep working meanwhile), as switching annotator does. The viewer's own changes are
  already shown and are not read again. Blind mode decides what is shown, as on any load.

When the feed lost track of some changes (``REFRESH``) every open document is read again.
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


class LiveView(QObject):
    """Subscribes the window to the change feed (``LiveRelay``); ``stop()`` on close."""

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
        reload_spans: Callable[[int], None],
        interval: float = 1.0,
    ) -> None:
        super().__init__(parent)
        self._ws, self._settings, self._reading = ws, settings, reading
        self._shown, self._runner, self._status = shown, runner, status
        self._reload_spans = reload_spans
        self.relay = LiveRelay(ws, interval=interval, parent=self)
        self.relay.changed.connect(self.on_batch)
        self.relay.start()

    def stop(self) -> None:
        self.relay.stop()

    def on_batch(self, batch: list[SpanChange]) -> None:
        """Documents in view whose labels or (shown) teammates' spans changed; all in view
        if the feed lost track."""
        open_docs = {p.document_id for p in self._reading.panes if p.document_id is not None}
        lost = needs_refresh(batch)
        docs = open_docs if lost else document_labels_in(batch) & open_docs
        if self._shown():  # only the viewer's own spans are shown: nothing of others' to show
            spans: set[int] = set()
        elif lost:
            spans = open_docs
        else:
            me = self._settings.annotator
            spans = {c.document_id for c in batch if c.kind.is_span and c.annotator != me}
            spans &= open_docs
        for doc_id in sorted(spans):
            self._reload_spans(doc_id)  # reads the labels too
        if docs - spans:
            self.reload(docs - spans)

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
