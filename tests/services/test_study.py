"""Issue 22: a scripted agreement study through the services, on SQLite and PostgreSQL.

A lead assigns 40 documents to three annotators with 25% double annotation; each works
through their queue; the progress counts are checked exactly after every step; blind mode
keeps a teammate's spans out of the window's load, exports and the suggestions' training
data on an overlap document until the viewer marks it done; agreement defaults to the
overlap set.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from study_data import add_articles, article, work

from annotator.core.model import DocumentStatus, SpanFilter
from annotator.core.study import StudyPlan
from annotator.services import Workspace

PEOPLE = ("ann", "bob", "cat")
PLAN = StudyPlan(PEOPLE, overlap=0.25, per_document=2, seed=7)


def _by_external(ws: Workspace, result_json: dict[str, object]) -> dict[str, tuple[str, ...]]:
    rows = result_json["assignments"]
    assert isinstance(rows, list)
    return {r["document"]: tuple(r["annotators"]) for r in rows}


def _expected(ws: Workspace) -> dict[str, Counter[str]]:
    """What progress must say, computed here from the assignments and statuses directly."""
    out: dict[str, Counter[str]] = {p: Counter() for p in PEOPLE}
    for p in PEOPLE:
        for item in ws.study.assignments(p):
            out[p]["assigned"] += 1
            status = ws.annotations.status(item.document_id, p)
            out[p][status.value] += 1
    return out


def _check_progress(
    ws: Workspace, done: Counter[str], started: Counter[str], skipped: Counter[str]
) -> None:
    prog = ws.study.progress(bootstrap=0).as_json()
    rows = {r["name"]: r for r in prog["annotators"]}  # type: ignore[union-attr,index]
    for p in PEOPLE:
        r = rows[p]
        assert (r["done"], r["in_progress"], r["skipped"]) == (done[p], started[p], skipped[p]), p
        assert r["assigned"] == len(ws.study.assignments(p))
        assert r["assigned"] - r["done"] - r["in_progress"] - r["skipped"] == r["todo"]
    assert prog["overlap_documents"] == 10


@pytest.mark.slow
def test_scripted_study_assign_work_blind_progress_agreement(
    workspace: Workspace, tmp_path: Path
) -> None:
    ws = workspace
    ids = add_articles(ws.db, 1, 40)
    result = ws.study.assign(PLAN, assigned_by="lena")
    plan_json = result.as_json()
    assert set(plan_json) == {"assignments"}
    assigned = _by_external(ws, plan_json)
    # Every document to at least one annotator; a quarter to two different ones.
    assert sorted(assigned) == sorted(f"art-{i:02d}" for i in range(1, 41))
    sizes = Counter(len(v) for v in assigned.values())
    assert sizes == {1: 30, 2: 10}
    assert all(len(set(v)) == len(v) and set(v) <= set(PEOPLE) for v in assigned.values())
    # Loads balanced by text length: no one carries more than the longest article extra.
    lengths = {f"art-{i:02d}": len(article(i).text) for i in range(1, 41)}
    load = Counter({p: 0 for p in PEOPLE})
    for doc, who in assigned.items():
        for p in who:
            load[p] += lengths[doc]
    assert max(load.values()) - min(load.values()) <= max(lengths.values())
    # Seeded and repeatable: the same corpus and plan elsewhere give the same assignment.
    other = Workspace.open(f"sqlite:///{tmp_path / 'again.sqlite3'}")
    add_articles(other.db, 1, 40)
    assert _by_external(other, other.study.assign(PLAN).as_json()) == assigned
    other.close()
    # Assigning again assigns nothing (every document has its annotators).
    assert ws.study.assign(PLAN).assignments == []
    assert ws.study.show()["blind"] is True  # on by default once a plan has overlap

    done: Counter[str] = Counter()
    started: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    _check_progress(ws, done, started, skipped)
    overlap = set(ws.study.overlap_document_ids())
    assert len(overlap) == 10

    # cat skips her first document, with a reason the lead sees.
    first_cat = ws.study.queue("cat")[0]
    ws.study.skip(first_cat.document_id, "cat", "Not an analysis piece: a press release.")
    skipped["cat"] += 1
    _check_progress(ws, done, started, skipped)
    assert first_cat.document_id not in {i.document_id for i in ws.study.queue("cat")}
    prog = ws.study.progress(bootstrap=0)
    cat = next(p for p in prog.annotators if p.name == "cat")
    assert cat.skips == [(first_cat.external_id, "Not an analysis piece: a press release.")]

    checked_blind = 0
    queues = {p: [i.document_id for i in ws.study.queue(p)] for p in PEOPLE}
    step = 0
    while any(queues.values()):
        for p in PEOPLE:
            if not queues[p]:
                continue
            doc = ws.study.next_document(p)
            assert doc == queues[p].pop(0)
            # Half-way through a document: in progress, exactly.
            work(ws, doc, p, done=False)
            started[p] += 1
            _check_progress(ws, done, started, skipped)
            partners = [
                q
                for q in PEOPLE
                if q != p and doc in {i.document_id for i in ws.study.assignments(q)}
            ]
            if doc in overlap and partners:
                partner = partners[0]
                if ws.annotations.status(doc, partner) is not DocumentStatus.DONE:
                    # The partner does this one now, out of turn, and finishes it first.
                    checked_blind += _blind_holds(ws, doc, p, partner, tmp_path / f"x{step}.jsonl")
                    if doc in queues[partner]:
                        queues[partner].remove(doc)
                    else:  # the one she skipped: done after all, no longer counted skipped
                        skipped[partner] -= 1
                    done[partner] += 1
                    _check_progress(ws, done, started, skipped)
            ws.annotations.set_status(doc, p, DocumentStatus.DONE)
            started[p] -= 1
            done[p] += 1
            _check_progress(ws, done, started, skipped)
            step += 1
    assert checked_blind >= 5
    assert all(ws.study.queue(p) == [] for p in PEOPLE)

    # Agreement defaults to the overlap set, and says so.
    report = ws.agreement.report()
    assert "overlap set" in report.policies["documents"]
    assert {int(k) for k in report.documents} <= overlap
    everything = ws.agreement.report(_all_documents())
    assert len(everything.documents) > len(report.documents)
    prog = ws.study.progress(bootstrap=50)
    ag = prog.agreement
    overlap_done = sum(
        1
        for d in overlap
        if sum(1 for p in PEOPLE if ws.annotations.status(d, p) is DocumentStatus.DONE) >= 2
    )
    assert ag["documents"] == overlap_done == prog.overlap_done
    assert set(ag["labels"]) >= {"MILITARY"}
    assert ag["labels"]["MILITARY"]["alpha"] == 1.0
    assert ag["by_week"] and ag["by_week"][-1]["cumulative"] == overlap_done
    json.dumps(prog.as_json())

    # Documents imported later follow the stored plan, on request.
    add_articles(ws.db, 41, 4)
    later = ws.study.assign()
    assert len(later.assignments) == 4
    assert sum(1 for a in later.assignments if a.overlap) == round(0.25 * 44) - 10
    assert ids[0] not in {a.document_id for a in later.assignments}


def _all_documents():  # type: ignore[no-untyped-def]
    from annotator.services.agreement import AgreementQuery

    return AgreementQuery(all_documents=True, bootstrap=0)


def _blind_holds(ws: Workspace, doc: int, viewer: str, partner: str, out: Path) -> int:
    """The partner has work on ``doc``; ``viewer`` (not done) sees none of it anywhere."""
    work(ws, doc, partner, done=False)
    ws.annotations.set_document_label(doc, partner, "MILITARY", True, actor=partner)
    ws.annotations.set_status(doc, partner, DocumentStatus.DONE)
    # The title line's document labels: the partner's hidden as their spans are.
    assert partner not in ws.annotations.document_labels(doc, viewer=viewer)
    assert ws.annotations.document_labels(doc)[partner] == ["MILITARY"]
    everyone = {s.annotator for s in ws.annotations.spans(doc)}
    assert partner in everyone and viewer in everyone
    # The window's load.
    seen = {s.annotator for s in ws.study.visible_spans(doc, viewer)}
    assert seen == {viewer}
    # Exports.
    ws.exporter.export("jsonl", out, filter=SpanFilter(document_ids=(doc,)), viewer=viewer)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]
    spans = [sp for rec in lines for sp in rec.get("spans", [])]
    assert spans and {sp.get("annotator") for sp in spans} == {viewer}
    assert f'"{partner}"' not in json.dumps(lines)  # nor their status
    # Suggestions' training data.
    examples = ws.suggestions.examples(viewer=viewer)
    assert not [e for e in examples if e.document_id == doc and e.annotator == partner]
    assert [e for e in ws.suggestions.examples() if e.document_id == doc and e.annotator == partner]
    # The partner finished first, so the partner sees the viewer's work (they are done).
    assert {s.annotator for s in ws.study.visible_spans(doc, partner)} == {viewer, partner}
    # Blind mode off: everyone sees everything.
    ws.study.set_blind(False)
    assert {s.annotator for s in ws.study.visible_spans(doc, viewer)} == {viewer, partner}
    ws.study.set_blind(True)
    return 1


def test_handover_moves_unfinished_work_never_to_someone_already_on_it(
    workspace: Workspace,
) -> None:
    ws = workspace
    add_articles(ws.db, 1, 20)
    ws.study.assign(StudyPlan(PEOPLE, overlap=0.5, per_document=2, seed=1))
    cats = ws.study.assignments("cat")
    finished = cats[0].document_id
    work(ws, finished, "cat")
    before = {p: {i.document_id for i in ws.study.assignments(p)} for p in PEOPLE}
    moved = ws.study.hand_over("cat", ["ann", "bob"])
    after = {p: {i.document_id for i in ws.study.assignments(p)} for p in PEOPLE}
    assert after["cat"] == {finished}  # done work stays hers
    assert sum(moved.values()) == len(cats) - 1
    for p in ("ann", "bob"):
        assert before[p] <= after[p]
    # Every document still has the same number of annotators, all different.
    count_before = Counter(d for p in PEOPLE for d in before[p])
    count_after = Counter(d for p in PEOPLE for d in after[p])
    assert count_before == count_after


@pytest.mark.slow
def test_the_suggestions_process_trains_only_on_what_the_viewer_may_see(
    workspace: Workspace,
) -> None:
    from annotator.services.model_process import ModelProcess, available

    if not available():
        pytest.skip("needs scikit-learn")
    ws = workspace
    add_articles(ws.db, 1, 12)
    ws.study.assign(StudyPlan(("ann", "bob"), overlap=1.0, per_document=2, seed=1))
    for item in ws.study.assignments("bob")[:10]:
        work(ws, item.document_id, "bob")
    finished = [i.document_id for i in ws.study.assignments("ann")[:2]]
    for doc in finished:
        work(ws, doc, "ann")
    everyone = ws.suggestions.examples()
    hers = ws.suggestions.examples(viewer="ann")
    # bob's labels only where she has finished the document herself.
    assert {e.document_id for e in hers if e.annotator == "bob"} <= set(finished)
    assert len(hers) < len(everyone)
    worker = ModelProcess(ws.db.url)
    try:
        _gen, for_her = worker.train("sentence", "ann")
        _gen, for_lead = worker.train("sentence")
    finally:
        worker.close()
    assert for_lead.model is not None and for_lead.model.trained_on == len(everyone)
    trained = for_her.model.trained_on if for_her.model is not None else len(hers)
    assert trained == len(hers)


def test_a_populated_0006_database_upgrades_to_the_study_schema(db_url: str) -> None:
    """Migration 0009 on a database with work in it (SQLite and PostgreSQL): nothing is lost,
    and a study can be planned on it at once."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from annotator.storage import Database, open_database
    from annotator.storage.migrate import HEAD, MIGRATIONS_DIR, current_revision

    old = Database(db_url)
    with old._write_engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
    with old.engine.connect() as conn:
        assert current_revision(conn) == "0006"
    ids = add_articles(old, 1, 6)
    # Work as a 0006-era app stored it: plain SQL against the 0006 tables.
    with old._write_engine.begin() as conn:
        ann = conn.execute(
            text(
                "INSERT INTO annotators (name, kind, created_at) "
                "VALUES ('ann', 'human', CURRENT_TIMESTAMP) RETURNING id"
            )
        ).scalar_one()
        lab = conn.execute(text("SELECT id FROM labels WHERE name = 'MILITARY'")).scalar_one()
        conn.execute(
            text(
                'INSERT INTO spans (document_id, annotator_id, label_id, "start", "end", note, '
                "origin, decided_by, created_at, updated_at) VALUES (:d, :a, :l, 0, 7, '', "
                "'manual', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"d": ids[0], "a": ann, "l": lab},
        )
        conn.execute(
            text(
                "INSERT INTO document_status (document_id, annotator_id, status, updated_at) "
                "VALUES (:d, :a, 'done', CURRENT_TIMESTAMP)"
            ),
            {"d": ids[0], "a": ann},
        )
    old.dispose()

    ws = Workspace(open_database(db_url))
    with ws.db.engine.connect() as conn:
        assert current_revision(conn) == HEAD
    assert [s.annotator for s in ws.annotations.spans(ids[0])] == ["ann"]
    assert ws.annotations.status(ids[0], "ann") is DocumentStatus.DONE
    result = ws.study.assign(StudyPlan(("ann", "bob"), overlap=0.5, per_document=2, seed=2))
    assert len(result.assignments) == 6
    assert ws.study.counts("ann")[0] == (
        1 if ids[0] in {a.document_id for a in result.assignments if "ann" in a.annotators} else 0
    )
    ws.close()
