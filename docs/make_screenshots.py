"""Render every screenshot of the docs from the real app, offscreen, on a clean database.

    python docs/make_screenshots.py            # writes docs/images/*.png

Starts from empty data and config folders: the app imports the demo corpus, two documents
open side by side and passages are tagged with all three labels (an overlap, a nested span,
passage mode in the right pane) through the same commands the keys use. Then each view is
grabbed: see SHOTS. Then the team views (comparison.png, agreement.png) are rendered by
make_team_screenshots.py on a database of their own, so this one command regenerates every
image in the docs.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

if "QT_QPA_PLATFORM" not in os.environ:
    # Offscreen, on a 1920×1080 screen (Qt's offscreen default is 800×800, and the
    # window keeps itself within its screen).
    _screen = Path(tempfile.gettempdir()) / "annotator-shots-screen.json"
    _screen.write_text(
        '{"screens": [{"name": "shots", "x": 0, "y": 0, "width": 1920, "height": 1080,'
        ' "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}',
        encoding="utf-8",
    )
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_screen}"
HERE = Path(__file__).resolve().parent
OUT = HERE / "images"
SHOTS = {
    "main_window.png": "two articles side by side, the right one in passage mode",
    "main_window_dark.png": "the same with a dark system palette",
    "tagging.png": "one article with tagged passages, a span selected, labels and span list",
    "passage_mode.png": "passage mode: the passage bar with its labels, the suggestion under it",
    "span_list.png": "the span list with the selected span",
    "search_hits.png": "search across documents: every hit with its context",
    "welcome.png": "the first-run welcome",
    "export.png": "the export dialog",
    "restore.png": "File > Restore from backup",
    "shortcuts.png": "the keyboard shortcut sheet (F1)",
    "guideline.png": "the project guideline in its dock beside the text (View > Guideline)",
}
LEFT_TAGS = [
    ("MILITARY", "F-16s and Patriot SAM systems"),
    ("ECONOMIC", "economic sanctions imposed by the West"),
    ("MILITARY", "diminished the capacity of the Russian military"),
    ("DIPLOMATIC", "bring Russia and Ukraine to the table to negotiate a ceasefire"),
    ("ECONOMIC", "Moscow and other urban cities are booming with military demand"),
    ("MILITARY", "military demand"),
]


RULES = {  # seed rules: the suggestion engine offers them before it has learnt anything
    "MILITARY": "military\narmy\ntroops\nweapon*\nattack*\noffensive\nmissile*",
    "DIPLOMATIC": "negotiat*\nceasefire\ntalks\ndiplomat*\npeace",
    "ECONOMIC": "sanction*\neconom*\nbudget*\noil\ntrade",
}


def _dark_palette():
    """A dark palette as a desktop in dark mode hands to Qt apps."""
    from PySide6.QtGui import QColor, QPalette

    pal = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, "#2b2b2b"),
        (roles.WindowText, "#e0e0e0"),
        (roles.Base, "#1e1e1e"),
        (roles.AlternateBase, "#2a2a2a"),
        (roles.Text, "#e0e0e0"),
        (roles.Button, "#353535"),
        (roles.ButtonText, "#e0e0e0"),
        (roles.ToolTipBase, "#353535"),
        (roles.ToolTipText, "#e0e0e0"),
        (roles.Highlight, "#3d7ad6"),
        (roles.HighlightedText, "#ffffff"),
        (roles.PlaceholderText, "#8a8a8a"),
    ):
        pal.setColor(role, QColor(colour))
    return pal


def render(out: Path, work: Path) -> list[Path]:
    """Render SHOTS into ``out``, using ``work`` for the database, settings and backups."""
    sys.path.insert(0, str(HERE))
    from shots import Camera

    os.environ["ANNOTATOR_DATA_DIR"] = str(work / "data")
    os.environ["ANNOTATOR_CONFIG_DIR"] = str(work / "config")
    os.environ.pop("ANNOTATOR_DB", None)

    from PySide6.QtCore import Qt

    from annotator import paths
    from annotator.app import open_workspace
    from annotator.gui import app_actions
    from annotator.gui.app import application, launch, layout_settings, show_welcome
    from annotator.services.commands import AddSpanCommand
    from annotator.settings import Settings

    app = application()
    settings = Settings(annotator="alice", welcome_shown=True)
    settings.save()
    ws = open_workspace(paths.sqlite_url(work / "shots.sqlite3"), settings=settings)
    win = launch(ws, settings, layout_settings())
    win.resize(1500, 900)

    cam = Camera(app, win, out)
    settle, save, written = cam.settle, cam.save, cam.written
    try:
        settle(300)
        left, right = win.reading.panes
        text = left.document.text
        for label, needle in LEFT_TAGS:
            at = text.find(needle)
            if at < 0:
                raise RuntimeError(f"the demo article lacks {needle!r}")
            cmd = AddSpanCommand(
                ws.annotations, left.document_id, at, at + len(needle), label, settings.annotator
            )
            win.run(cmd)
        # Right pane: passage mode, the first sentences tagged by keys as a user would.
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
        ctl = win.suggestions
        settle(300)
        while ctl.busy or ctl.suggester is None:  # as a user sees it a moment later: the
            settle(100)  # shipped seed rules (then the tags above) suggesting in the strip
        ctl.refresh(right)
        settle(300)
        save(win, "main_window.png")

        # The app follows the system palette: the same window on a dark one.
        light_style, light_palette = app.style().name(), app.palette()
        app.setStyle("Fusion")
        app.setPalette(_dark_palette())
        settle(300)
        save(win, "main_window_dark.png")
        app.setStyle(light_style)
        app.setPalette(light_palette)
        settle()

        # Passage mode with suggestions: the right pane, its passage bar and the suggestion
        # strip (the real controller, here on seed rules; make_suggest_screenshots.py shows
        # the learnt model).
        for label, rules in RULES.items():
            ws.suggestions.set_rules(label, rules)
        ctl.train_now()
        settle()
        while ctl.busy:  # the start-up training and the retraining after the tags above too
            settle(100)
        if ctl.suggester is None or not ctl.suggester.ready:
            raise RuntimeError(f"suggestions did not train {ctl.unavailable}")
        docks = (win.corpus_dock, win.labels_dock, win.spans_dock)
        for dock in docks:  # the pane is the subject; room for it on a small screen too
            dock.hide()
        left.hide()
        win.resize(900, 820)
        win.reading.set_current(right)
        right.view.setFocus()
        while ctl.scores_for(right) is None:
            settle(100)
        for _ in range(40):  # on to a passage with a suggested label
            if (cur := ctl.current(right)) is not None and cur[1]:
                break
            right.move_passage(1)
        ctl.refresh(right)
        right.view.centerCursor()
        settle(300)
        save(right, "passage_mode.png")
        win.actions_by_name["suggestions"].setChecked(False)  # no faint marks further on
        left.show()
        for dock in docks:
            dock.show()
        win.spans_dock.raise_()  # in front of the Guideline tab beside it
        win.resize(1500, 900)
        win.reading.splitter.setSizes([1, 1])

        # Search across documents: hits with context in the corpus dock.
        win.corpus.search.setText("sanctions")
        win.file_actions.search_corpus("sanctions")
        win.resizeDocks([win.corpus_dock], [420], Qt.Orientation.Horizontal)
        settle(300)
        save(win.corpus_dock, "search_hits.png")
        win.corpus.search.clear()
        settle()

        # One pane: a selected span and the span list following it.
        win.reading.close_pane(right)
        win.resize(1300, 820)
        settle()
        win.reading.set_current(left)
        win._current_changed(left)
        win.resizeDocks([win.spans_dock], [430], Qt.Orientation.Horizontal)
        chosen = next(s for s in left.spans.values() if text[s.start : s.end].startswith("F-16s"))
        left.go_to(chosen.start, chosen.start)
        left.select_span(chosen.id)
        win.span_list.select_span(chosen.id)
        left.view.setFocus()
        settle(300)
        save(win, "tagging.png")
        save(win.spans_dock, "span_list.png")

        # The project guideline (docs/guideline-example.md) in its dock beside the text,
        # as a lead's second version: the header links to the first.
        example = (HERE / "guideline-example.md").read_text(encoding="utf-8")
        ws.guidelines.set(example.split("\n## ECONOMIC")[0] + "\n", author="lena")
        ws.guidelines.set(example, author="lena")
        win.guideline.show_dock()
        win.resizeDocks([win.guideline.dock], [460], Qt.Orientation.Horizontal)
        settle(300)
        save(win, "guideline.png")
        win.spans_dock.raise_()

        dlg = show_welcome(win)
        settle()
        save(dlg, "welcome.png")
        dlg.close()

        dlg = win.export()
        settle()
        save(dlg, "export.png")
        dlg.close()

        now = dt.datetime.now(dt.UTC)
        ws.backups.create("daily", now=now - dt.timedelta(days=2, hours=3))
        ws.backups.create("daily", now=now - dt.timedelta(days=1, hours=1))
        ws.backups.create("manual", now=now)
        dlg = app_actions.open_restore_dialog(win)
        settle()
        save(dlg, "restore.png")
        dlg.close()

        dlg = win.show_shortcuts()
        settle()
        save(dlg, "shortcuts.png")
        dlg.close()
    finally:
        cam.close(ws)
    return written


def main() -> int:
    sys.path.insert(0, str(HERE))
    import make_study_screenshots as study
    import make_suggest_screenshots as suggest
    import make_team_screenshots as team

    shots = {**SHOTS, **team.SHOTS, **suggest.SHOTS, **study.SHOTS}
    with tempfile.TemporaryDirectory(prefix="annotator-shots-") as tmp:
        written = render(OUT, Path(tmp) / "main")
        written += team.render(OUT, Path(tmp) / "team")
        written += suggest.render(OUT, Path(tmp) / "suggest")
        written += study.render(OUT, Path(tmp) / "study")
    for path in written:
        print(f"wrote {path.relative_to(HERE.parent)}  ({shots[path.name]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
