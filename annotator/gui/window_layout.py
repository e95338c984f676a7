"""The main window's layout between sessions: geometry, dock state, the reading panes'
documents and splitter, and the view toggles, kept in the layout settings (QSettings)."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, QTimer

from annotator.gui.models.document_list_model import DocumentListModel


def restore_layout(win: Any) -> None:
    """Geometry, docks, panes and their documents as the last session left them (first
    launch: a default size, docks by share of the width, the first two documents)."""
    st = win.layout_settings
    geometry, state = st.value("geometry"), st.value("state")
    if geometry is not None:
        win.restoreGeometry(geometry)
    else:
        win.resize(1400, 860)
    win.fit_to_screen()  # a geometry saved on a bigger screen (or an old overgrown one)
    if state is not None:
        win.restoreState(state)
    else:
        # After the first layout pass, or the docks keep their size hints. A share of
        # the width, not fixed pixels: on a small screen the panes keep the most.
        QTimer.singleShot(0, lambda: first_dock_widths(win))
    try:
        docs = [int(d) for d in json.loads(str(st.value("documents", "null")) or "null") or []]
    except (ValueError, TypeError):
        docs = []
    if not docs:  # first launch: the first two documents side by side
        docs = [
            win.doc_model.index(r, 0).data(DocumentListModel.IdRole)
            for r in range(min(2, win.doc_model.rowCount()))
        ] or [-1]
    for doc_id in docs:
        pane = win.reading.add_pane()
        if doc_id >= 0 and win.doc_model.row_of(doc_id) is not None:
            win.open_document(doc_id, pane=pane)
    splitter = st.value("splitter")
    if splitter is not None:
        win.reading.splitter.restoreState(splitter)
    win.actions_by_name["sync_scroll"].setChecked(st.value("sync_scroll", False) in (True, "true"))
    win.actions_by_name["show_all"].setChecked(st.value("show_all", False) in (True, "true"))


def save_layout(win: Any) -> None:
    """What ``restore_layout`` reads back, written when the window closes."""
    st = win.layout_settings
    st.setValue("geometry", win.saveGeometry())
    st.setValue("state", win.saveState())
    st.setValue("splitter", win.reading.splitter.saveState())
    st.setValue(
        "documents",
        json.dumps([p.document_id if p.document_id is not None else -1 for p in win.reading.panes]),
    )
    st.setValue("sync_scroll", win.reading.sync_scroll)
    st.setValue("show_all", win.show_all_annotators)
    st.setValue("tag_and_advance", win.tag_and_advance)
    st.sync()


def first_dock_widths(win: Any) -> None:
    """First launch: the docks take a share of the width (the panes keep the most)."""
    w = win.width()
    win.resizeDocks(
        [win.corpus_dock, win.labels_dock],
        # The right docks hold the span list's four columns: on a wide window a quarter of
        # it, so labels, names and notes show whole (a small screen keeps it for the text).
        [
            min(440, max(180, w * 26 // 100)),
            min(420, max(180, w * (25 if w >= 1200 else 22) // 100)),
        ],
        Qt.Orientation.Horizontal,
    )
