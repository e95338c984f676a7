"""Run as a script by test_columns_and_titles.py: the main window on an offscreen screen of
the given size (Qt's offscreen default is 800×800), maximised, with the demo corpus, two
panes (the right in passage mode), spans with a note and a teammate's spans; prints what
the key columns and titles show, as JSON.

    python tests/gui/fit_probe.py WIDTH HEIGHT [PNG]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def main() -> None:
    width, height = int(sys.argv[1]), int(sys.argv[2])
    work = Path(tempfile.mkdtemp(prefix="fit-probe-"))
    screen = work / "screen.json"
    screen.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "probe",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
    os.environ["ANNOTATOR_DATA_DIR"] = str(work / "data")
    os.environ["ANNOTATOR_CONFIG_DIR"] = str(work / "config")
    os.environ.pop("ANNOTATOR_DB", None)

    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtGui import QFontMetrics

    from annotator import paths
    from annotator.app import open_workspace
    from annotator.gui.app import application, launch, layout_settings
    from annotator.gui.models.document_list_model import DocumentListModel
    from annotator.gui.models.span_list_model import SpanListModel
    from annotator.services.commands import AddSpanCommand, UpdateSpanCommand
    from annotator.settings import Settings

    def settle(ms: int = 200) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    app = application()
    settings = Settings(annotator="alice", welcome_shown=True)
    settings.save()
    ws = open_workspace(paths.sqlite_url(work / "p.sqlite3"), settings=settings)
    win = launch(ws, settings, layout_settings())
    win.showMaximized()
    settle(400)
    left, right = win.reading.panes
    text = left.document.text
    for label, needle in (
        ("MILITARY", "F-16s and Patriot SAM systems"),
        ("DIPLOMATIC", "bring Russia and Ukraine to the table"),
    ):
        at = text.index(needle)
        win.run(
            AddSpanCommand(ws.annotations, left.document_id, at, at + len(needle), label, "alice")
        )
    at = text.index("economic sanctions")
    ws.annotations.add(left.document_id, start=at, end=at + 18, label="ECONOMIC", annotator="oleh")
    first = min(left.spans.values(), key=lambda s: s.start)
    win.run(
        UpdateSpanCommand(
            ws.annotations, first.id, first.annotator, note="Headline claim, check the source"
        )
    )
    win.actions_by_name["show_all"].setChecked(True)  # the teammate's spans, and the column
    right.set_passage_mode(True)
    right.move_passage(1)
    settle(600)
    if len(sys.argv) > 3:
        win.grab().save(sys.argv[3])

    def column(table, col: int) -> dict[str, object]:
        model = table.model()
        metrics = QFontMetrics(table.font())
        header = str(model.headerData(col, Qt.Orientation.Horizontal))
        texts = [str(model.index(r, col).data() or "") for r in range(model.rowCount())]
        width = table.columnWidth(col)
        # What a cell can show: its width less the item's margins (and a swatch for labels).
        room = width - 8 - (20 if model.index(0, col).data(Qt.ItemDataRole.DecorationRole) else 0)
        elide = Qt.TextElideMode.ElideRight
        return {
            "shown": [metrics.elidedText(t, elide, room) for t in texts],
            "header_shown": QFontMetrics(table.horizontalHeader().font()).elidedText(
                header, elide, width - 6
            ),
            "header": header,
            "hidden": table.isColumnHidden(col),
            "width": table.columnWidth(col),
            "header_needs": QFontMetrics(table.horizontalHeader().font()).horizontalAdvance(header),
            "text_needs": max((metrics.horizontalAdvance(t) for t in texts), default=0),
            "texts": texts,
        }

    corpus = win.corpus.table
    spans = win.span_list.table
    D, S = DocumentListModel, SpanListModel

    def pane(p) -> dict[str, object]:
        shown = getattr(p.picker, "shown_text", None)
        return {
            "title": p.document.title,
            "shown": shown() if shown is not None else None,
            "tooltip": p.picker.toolTip(),
            "picker_width": p.picker.width(),
            "title_needs": p.picker.fontMetrics().horizontalAdvance(p.document.title),
        }

    out = {
        "window": [win.width(), win.height()],
        "corpus_viewport": corpus.viewport().width(),
        "corpus": {
            n: column(corpus, c)
            for n, c in (
                ("title", D.TITLE),
                ("date", D.DATE),
                ("source", D.SOURCE),
                ("status", D.STATUS),
                ("spans", D.SPANS),
            )
        },
        "corpus_title_tooltip": corpus.model().index(0, D.TITLE).data(Qt.ItemDataRole.ToolTipRole),
        "spans_viewport": spans.viewport().width(),
        "spans": {
            n: column(spans, c)
            for n, c in (
                ("label", S.LABEL),
                ("text", S.TEXT),
                ("annotator", S.ANNOTATOR),
                ("note", S.NOTE),
            )
        },
        "panes": [pane(left), pane(right)],
        "mode_label": right.mode_label.text(),
    }
    print("PROBE " + json.dumps(out))
    win.close()
    ws.close()
    app.quit()


if __name__ == "__main__":
    main()
