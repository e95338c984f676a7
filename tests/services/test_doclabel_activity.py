"""Team ▸ Progress reads the change log for each annotator's active hours and tags per hour:
the document labels the log also holds (schema 0017) are no tagging activity."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, bindparam, text
from study_data import add_articles

from annotator.core.study import StudyPlan
from annotator.services import Workspace


def _ann(ws: Workspace) -> tuple[int, float, float | None]:
    (p,) = [p for p in ws.study.progress(bootstrap=0).annotators if p.name == "ann"]
    return p.spans, p.active_hours, p.tags_per_hour


def test_document_labels_count_as_no_span_activity(workspace: Workspace) -> None:
    ws = workspace
    add_articles(ws.db, 1, 4)
    ws.study.assign(StudyPlan(("ann", "bob"), overlap=0.0, per_document=1, seed=3))
    doc = ws.study.queue("ann")[0].document_id
    ws.annotations.add(doc, start=0, end=7, label="MILITARY", annotator="ann")
    before = _ann(ws)
    assert before[0] == 1 and before[1] > 0 and before[2] is not None
    # ann labels the whole document, takes one back, and gives another, hours later (a
    # second working stretch if these counted as tagging).
    ws.annotations.set_document_label(doc, "ann", "ECONOMIC", True)
    ws.annotations.set_document_label(doc, "ann", "ECONOMIC", False)
    ws.annotations.set_document_label(doc, "ann", "DIPLOMATIC", True)
    with ws.db._write_engine.begin() as conn:
        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=3)
        moved = conn.execute(
            text("UPDATE span_changes SET changed_at = :at WHERE op = 'doclabel'").bindparams(
                bindparam("at", type_=DateTime)
            ),
            {"at": later},
        ).rowcount
    assert moved == 3  # the log has them (so the live views hear of them) ...
    assert _ann(ws) == before  # ... and progress counts none of them
