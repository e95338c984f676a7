"""Render the team views, offscreen, on the demo corpus in a temporary database.

    python docs/make_team_screenshots.py     # only these two; make_screenshots.py does all

Three annotators tag the demo articles (agreeing on most spans, differing in label, boundary
or presence on some), then the script saves docs/images/comparison.png (two of them side by
side with the gold pane and the adjudication panel) and docs/images/agreement.png (the
agreement view on its heatmap).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
OUT = HERE / "images"
LABELS = ("MILITARY", "DIPLOMATIC", "ECONOMIC")

# Document 1 by hand: (label by olena, label by marko, text); None = not tagged.
FIRST = [
    ("MILITARY", "MILITARY", "F-16s and Patriot SAM systems"),
    ("ECONOMIC", "ECONOMIC", "economic sanctions imposed by the West"),
    ("DIPLOMATIC", "MILITARY", "bring Russia and Ukraine to the table to negotiate a ceasefire"),
    ("MILITARY", "MILITARY", "extend the mobilizable age of troops"),
    ("ECONOMIC", None, "Moscow and other urban cities are booming with military demand"),
    (None, "ECONOMIC", "strengthen the wartime economic system"),
]


def tag_corpus(ws) -> None:
    from annotator.core.segment import passages

    docs = [d.id for d in ws.documents.list()]
    first = ws.documents.get(docs[0]).text
    for olena, marko, needle in FIRST:
        at = first.find(needle)
        for who, label in (("olena", olena), ("marko", marko), ("ivan", olena)):
            if label and at >= 0:
                ws.annotations.add(
                    docs[0], start=at, end=at + len(needle), label=label, annotator=who
                )
    # Boundary disagreement: marko takes the sanctions clause with its consequence.
    at = first.find("economic sanctions imposed by the West")
    end = first.find("Russian military", at) + len("Russian military")
    ws.annotations.add(docs[0], start=at, end=end, label="ECONOMIC", annotator="ivan")
    for doc_id in docs[1:4]:
        text = ws.documents.get(doc_id).text
        for i, p in enumerate(passages(text, "sentence")[:14]):
            base = LABELS[i % 3]
            for who, flip, skip in (("olena", 99, 99), ("marko", 5, 11), ("ivan", 4, 6)):
                if i % skip == 3:
                    continue
                label = LABELS[(i + 1) % 3] if i % flip == 1 else base
                ws.annotations.add(doc_id, start=p.start, end=p.end, label=label, annotator=who)


SHOTS = {
    "comparison.png": "two annotators side by side with the gold pane and adjudication panel",
    "agreement.png": "the agreement view on its heatmap",
    "agreement_no_coverage.png": "a new team: no document marked done yet, one click to 'touched'",
}


def render(out: Path, work: Path) -> list[Path]:
    """Render SHOTS into ``out``, using ``work`` for the database and settings."""
    sys.path.insert(0, str(HERE))
    from shots import Camera

    tmp = work
    os.environ["ANNOTATOR_DATA_DIR"] = str(tmp / "data")
    os.environ["ANNOTATOR_CONFIG_DIR"] = str(tmp / "config")
    os.environ.pop("ANNOTATOR_DB", None)

    from annotator import paths
    from annotator.gui.app import application, launch, layout_settings
    from annotator.services import Workspace
    from annotator.settings import Settings

    app = application()
    settings = Settings(annotator="alice", welcome_shown=True)
    settings.save()
    ws = Workspace.open(paths.sqlite_url(tmp / "shots.sqlite3"))
    win = launch(ws, settings, layout_settings())

    cam = Camera(app, win, out)
    settle = cam.settle

    settle(300)
    tag_corpus(ws)
    doc0 = ws.documents.list()[0].id
    # Labels of the whole document differ too: each pane's heading shows its annotator's.
    ws.annotations.set_document_label(doc0, "olena", "DIPLOMATIC", True)
    ws.annotations.set_document_label(doc0, "marko", "MILITARY", True)
    ws.annotations.set_document_label(doc0, "marko", "DIPLOMATIC", True)

    cmp = win.team.open_comparison(doc0, ("olena", "marko"))
    assert cmp is not None
    cmp.resize(1500, 940)
    settle(400, cmp.runner)
    cmp.step(1)
    cmp.step(1)
    settle(300, cmp.runner)
    cam.save(cmp, "comparison.png")
    cmp.close()

    view = win.team.open_agreement()
    view.resize(1400, 760)
    settle(300, view.runner)
    for row in range(view.annotator_list.count()):  # the three people, not alice
        item = view.annotator_list.item(row)
        item.setCheckState(
            item.checkState().Checked if item.text() != "alice" else item.checkState().Unchecked
        )
    view.run()
    settle(300, view.runner)
    # Nobody marked a document done: the window says so and offers "touched" coverage.
    cam.save(view, "agreement_no_coverage.png")
    view.use_touched_coverage()
    settle(300, view.runner)
    view.tabs.setCurrentWidget(view.heatmap_view)
    settle(200)
    cam.save(view, "agreement.png")
    view.close()
    win.close()
    ws.close()
    return cam.written


def main() -> int:
    sys.path.insert(0, str(HERE))
    import shots

    return shots.main(render, SHOTS)


if __name__ == "__main__":
    sys.exit(main())
