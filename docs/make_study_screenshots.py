"""Render the agreement study's progress view, offscreen, in a temporary database.

    python docs/make_study_screenshots.py     # only this one; make_screenshots.py does all

The demo corpus and forty short articles are assigned to three annotators with 25% double
annotation; they work part of their queues (one skips a document), then the script saves
docs/images/progress.png: Team ▸ Progress as the lead sees it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
OUT = HERE / "images"

SHOTS = {"progress.png": "Team ▸ Progress: the study per annotator and agreement so far"}
PEOPLE = ("olena", "marko", "ivan")
SENTENCES = (
    "Artillery units moved closer to the front line near the river.",
    "Diplomats from both sides met in Istanbul to discuss a grain corridor.",
    "New sanctions target the export of steel and fertiliser.",
    "The navy sent two frigates to escort merchant ships.",
    "A trade agreement lowered tariffs on machinery.",
)
LABELS = ("MILITARY", "DIPLOMATIC", "ECONOMIC", "MILITARY", "ECONOMIC")


def add_corpus(ws) -> None:  # type: ignore[no-untyped-def]
    from annotator.core.model import Document
    from annotator.core.text import content_hash
    from annotator.storage import repo

    for i in range(1, 41):
        body = " ".join(SENTENCES[(i + j) % 5] for j in range(2 + i % 4))
        text = f"Analysis {i:02d}. {body}"
        doc = Document(
            text=text,
            title=f"Analysis {i:02d}",
            external_id=f"an-{i:02d}",
            content_hash=content_hash(text),
        )
        ws.db.write(lambda s, d=doc: repo.add_document(s, d))


def work_queues(ws) -> None:  # type: ignore[no-untyped-def]
    """Each works a different share of their queue; marko labels sanctions as diplomatic."""
    from annotator.core.model import DocumentStatus

    share = {"olena": 0.9, "marko": 0.6, "ivan": 0.3}
    for who in PEOPLE:
        queue = ws.study.queue(who)
        for n, item in enumerate(queue[: int(len(queue) * share[who])]):
            if who == "ivan" and n == 1:
                ws.study.skip(item.document_id, who, "Not analysis: a news digest.")
                continue
            text = ws.documents.get(item.document_id).text
            for k, sentence in enumerate(SENTENCES):
                at = text.find(sentence)
                if at < 0:
                    continue
                label = LABELS[k]
                if who == "marko" and k == 2 and item.document_id % 3 == 0:
                    label = "DIPLOMATIC"
                ws.annotations.add(
                    item.document_id, start=at, end=at + len(sentence), label=label, annotator=who
                )
            ws.annotations.set_status(item.document_id, who, DocumentStatus.DONE)
        if who == "ivan" and len(queue) > 5:
            ws.annotations.add(
                queue[5].document_id, start=0, end=8, label="MILITARY", annotator=who
            )


def spread_over_two_weeks(ws) -> None:  # type: ignore[no-untyped-def]
    """The script tags in a second; a real study takes weeks. Spread the change log (one
    tag every 40 s, a break after every 25) and the done marks over two weeks, so pace and
    the weekly trend look as they would."""
    import datetime as dt

    from sqlalchemy import text

    start = dt.datetime(2026, 11, 23, 9, 0)

    def shift(s) -> None:  # type: ignore[no-untyped-def]
        rows = s.execute(text("SELECT id FROM span_changes ORDER BY id")).all()
        for n, (row_id,) in enumerate(rows):
            at = start + dt.timedelta(seconds=40 * n + 3600 * (n // 25))
            s.execute(
                text("UPDATE span_changes SET changed_at = :at WHERE id = :i"),
                {"at": at, "i": row_id},
            )
        done = s.execute(
            text("SELECT document_id, annotator_id FROM document_status ORDER BY document_id")
        ).all()
        for n, (doc, ann) in enumerate(done):
            at = start + dt.timedelta(days=(n * 13) // max(len(done), 1), hours=n % 8)
            s.execute(
                text(
                    "UPDATE document_status SET updated_at = :at "
                    "WHERE document_id = :d AND annotator_id = :a"
                ),
                {"at": at, "d": doc, "a": ann},
            )

    ws.db.write(shift)


def render(out: Path, work: Path) -> list[Path]:
    """Render SHOTS into ``out``, using ``work`` for the database and settings."""
    sys.path.insert(0, str(HERE))
    from shots import Camera

    os.environ["ANNOTATOR_DATA_DIR"] = str(work / "data")
    os.environ["ANNOTATOR_CONFIG_DIR"] = str(work / "config")
    os.environ.pop("ANNOTATOR_DB", None)

    from annotator import paths
    from annotator.core.study import StudyPlan
    from annotator.gui.app import application, launch, layout_settings
    from annotator.services import Workspace
    from annotator.settings import Settings

    app = application()
    settings = Settings(annotator="lena", welcome_shown=True)
    settings.save()
    work.mkdir(parents=True, exist_ok=True)
    ws = Workspace.open(paths.sqlite_url(work / "study.sqlite3"))
    add_corpus(ws)
    ws.study.assign(StudyPlan(PEOPLE, overlap=0.25, per_document=2, seed=7), assigned_by="lena")
    work_queues(ws)
    spread_over_two_weeks(ws)
    win = launch(ws, settings, layout_settings())
    cam = Camera(app, win, out)
    cam.settle(300)
    view = win.study.open_progress()
    view.resize(900, 620)
    cam.settle(400, view.runner)
    while view.progress is None:
        cam.settle(100, view.runner)
    # The lead has selected the annotator behind: Hand over… offers their unfinished ones.
    late = next(iter(view.progress.behind), PEOPLE[-1])
    row = next(r for r in range(view.table.rowCount()) if view.table.item(r, 0).text() == late)
    view.table.selectRow(row)
    cam.settle(100)
    cam.save(view, "progress.png")
    view.close()
    cam.close(ws)
    return cam.written


def main() -> int:
    sys.path.insert(0, str(HERE))
    import shots

    return shots.main(render, SHOTS)


if __name__ == "__main__":
    sys.exit(main())
