"""Render screenshots of the real main window, offscreen, on a temporary database.

    python docs/make_screenshots.py

Imports the demo corpus, opens two documents side by side, tags passages with all three
labels (one overlap, one nested span, passage mode on in the right pane), and saves
docs/images/main_window.png and docs/images/shortcuts.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
OUT = HERE / "images"


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="annotator-shots-"))
    os.environ["ANNOTATOR_DATA_DIR"] = str(tmp / "data")
    os.environ["ANNOTATOR_CONFIG_DIR"] = str(tmp / "config")
    os.environ.pop("ANNOTATOR_DB", None)

    from PySide6.QtCore import QEventLoop, QTimer

    from annotator import paths
    from annotator.gui.app import application, launch, layout_settings
    from annotator.services import Workspace
    from annotator.services.commands import AddSpanCommand
    from annotator.settings import Settings

    app = application()
    settings = Settings(annotator="alice")
    settings.save()
    ws = Workspace.open(paths.sqlite_url(tmp / "shots.sqlite3"))
    win = launch(ws, settings, layout_settings())
    win.resize(1500, 900)

    def settle(ms: int = 150) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        while win.runner.busy:
            win.runner.wait(50)
            app.processEvents()

    settle(300)
    left, right = win.reading.panes
    plan = {
        left: [
            ("MILITARY", "F-16s and Patriot SAM systems"),
            ("ECONOMIC", "economic sanctions imposed by the West"),
            ("MILITARY", "diminished the capacity of the Russian military"),
            ("DIPLOMATIC", "bring Russia and Ukraine to the table to negotiate a ceasefire"),
            ("ECONOMIC", "Moscow and other urban cities are booming with military demand"),
            ("MILITARY", "military demand"),
        ],
        right: [],
    }
    for pane, items in plan.items():
        text = pane.document.text
        for label, needle in items:
            at = text.find(needle)
            if at >= 0:
                win.run(
                    AddSpanCommand(
                        ws.annotations,
                        pane.document_id,
                        at,
                        at + len(needle),
                        label,
                        settings.annotator,
                    )
                )
    # Right pane: passage mode, tag the first few sentences by keys as a user would.
    right.view.setFocus()
    right.set_passage_mode(True)
    for label in ("MILITARY", "DIPLOMATIC", "ECONOMIC", "DIPLOMATIC"):
        right.move_passage(1)
        right.apply_label(label)
    right.move_passage(1)
    settle()
    left.go_to(0, 0)
    win.reading.set_current(left)
    win._current_changed(left)
    settle(300)
    OUT.mkdir(parents=True, exist_ok=True)
    win.grab().save(str(OUT / "main_window.png"))
    dlg = win.show_shortcuts()
    settle()
    dlg.grab().save(str(OUT / "shortcuts.png"))
    dlg.close()
    win.close()
    ws.close()
    print(f"wrote {OUT / 'main_window.png'} and {OUT / 'shortcuts.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
