"""Render the assisted-annotation views, offscreen, on the labelled demo sentences.

    python docs/make_suggest_screenshots.py    # only these; make_screenshots.py does all

Olena has tagged four of the five demo articles (the labelled set of
``benchmarks/data``); ECONOMIC has seed rules. Alice opens the fifth article: the model
trains in the background, passage mode shows the current sentence's suggestion
(suggestions.png), reading mode shows the faint marks (suggestion_marks.png), and the label
dialog shows the seed rules (label_rules.png).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
OUT = HERE / "images"
SHOTS = {
    "suggestions.png": "passage mode: the current sentence's suggested labels with confidence",
    "suggestion_marks.png": "reading mode: faint marks under suggested sentences",
    "label_rules.png": "the label dialog's seed rules",
    "preannotate.png": "accept confident suggestions: precision per label, passages to tag",
}
HELD_OUT = "003_205299107bcd9cb9.txt"
RULES = "econom*\nbudget*\nsanction*\nbillion*\naid\nenergy"


def render(out: Path, work: Path) -> list[Path]:
    sys.path.insert(0, str(HERE))
    from shots import Camera

    work.mkdir(parents=True, exist_ok=True)
    os.environ["ANNOTATOR_DATA_DIR"] = str(work / "data")
    os.environ["ANNOTATOR_CONFIG_DIR"] = str(work / "config")
    os.environ.pop("ANNOTATOR_DB", None)
    sys.path.insert(0, str(HERE.parent))

    from annotator import paths
    from annotator.app import open_workspace
    from annotator.gui.app import application, layout_settings
    from annotator.gui.main_window import MainWindow
    from annotator.services import Workspace
    from annotator.settings import Settings
    from benchmarks.suggest_gold import fill_workspace, load_gold

    app = application()
    url = paths.sqlite_url(work / "suggest.sqlite3")
    seed = Workspace.open(url)
    files = sorted({g.file for g in load_gold()})
    ids = fill_workspace(
        seed, annotator="olena", tagged_files=tuple(f for f in files if f != HELD_OUT)
    )
    seed.suggestions.set_rules("ECONOMIC", RULES)
    seed.close()

    settings = Settings(annotator="alice", welcome_shown=True)
    settings.save()
    ws = open_workspace(url, settings=settings)
    win = MainWindow(ws, settings, layout_settings())
    win.resize(1300, 820)
    win.show()
    cam = Camera(app, win, out)
    settle, save, written = cam.settle, cam.save, cam.written

    try:
        settle(300)
        for extra in win.reading.panes[1:]:
            win.reading.close_pane(extra)
        pane = win.reading.panes[0]
        win.open_document(ids[HELD_OUT], pane=pane)
        ctl = win.suggestions
        ctl.train_now()
        settle(300)
        while ctl.training or ctl.suggester is None:
            settle(100)
        pane.view.setFocus()
        pane.set_passage_mode(True)
        while ctl.scores_for(pane) is None:
            settle(100)
        # Tag the first sentences as a user would (Enter accepts), stop on a suggestion.
        for _ in range(40):
            pane.move_passage(1)
            cur = ctl.current(pane)
            if (
                cur is not None
                and len(cur[1]) >= 1
                and pane.current_passage
                and pane.current_passage > 4
            ):
                break
            if cur is not None:
                ctl.keys.accept(pane, cur[0], tuple(s.label for s in cur[1]))
                pane.move_passage(-1)
        ctl.refresh(pane)
        settle(300)
        save(win, "suggestions.png")

        pane.set_passage_mode(False)
        pane.go_to(0, 0)
        ctl.refresh(pane)
        settle(300)
        save(win, "suggestion_marks.png")

        dlg = win.edit_labels()
        dlg.list.setCurrentRow(2)
        settle()
        save(dlg, "label_rules.png")
        dlg.close()

        # Suggestions ▸ Accept confident suggestions: the dialog that asks first.
        from annotator.gui.dialogs.preannotate_dialog import PreAnnotateDialog

        plan = ctl.preannotation.confident_plan(pane)
        if plan is not None:
            confident, why, spans = plan
            rows = [
                (c.label, c.precision, c.threshold, sum(1 for sp in spans if sp[2] == c.label))
                for c in confident
            ]
            pre = PreAnnotateDialog(
                win,
                document=pane.document.title if pane.document else "",
                rows=rows,
                left_out=why,
                passages=len({(s, e) for s, e, _lab in spans}),
                min_precision=0.95,
            )
            pre.show()
            settle(200)
            save(pre, "preannotate.png")
            pre.close()
    finally:
        cam.close(ws)
    return written


def main() -> int:
    sys.path.insert(0, str(HERE))
    import shots

    return shots.main(render, SHOTS)


if __name__ == "__main__":
    sys.exit(main())
