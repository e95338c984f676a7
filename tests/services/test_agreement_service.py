"""The agreement service reads the database into the same report build_report computes."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.agreement import AgreementReport, build_report, document_from_core
from annotator.agreement.report import ReportLevel
from annotator.core.errors import AnnotatorError
from annotator.core.model import DocumentStatus
from annotator.services import Workspace
from annotator.services import agreement_report as out
from annotator.services.agreement import AgreementQuery
from annotator.services.agreement_files import write_report
from tests.services.team_data import TEXT_1, add_document, tag, two_annotators


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    yield w
    w.close()


def _expected(ws: Workspace, level: ReportLevel) -> AgreementReport:
    docs = []
    for summary in ws.documents.list():
        doc = ws.documents.get(summary.id)
        spans = ws.annotations.spans(summary.id, annotators=("ann", "bob"))
        docs.append(document_from_core(doc, spans, annotators=("ann", "bob"), key=str(summary.id)))
    return build_report(docs, level=level, annotators=("ann", "bob"))


def _same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or x == y


@pytest.mark.parametrize("level", ["char", "span", "passage"])
def test_report_equals_build_report(ws: Workspace, level: ReportLevel) -> None:
    two_annotators(ws)
    got = ws.agreement.report(AgreementQuery(level=level))
    want = _expected(ws, level)
    assert got.annotators == ("ann", "bob") and got.documents == want.documents
    assert len(got.pair_rows) == len(want.pair_rows) == 3
    for g, w in zip(got.pair_rows, want.pair_rows, strict=True):
        assert (g.a, g.b, g.label, g.units) == (w.a, w.b, w.label, w.units)
        for f in ("kappa", "precision", "recall", "f1", "u_alpha"):
            assert _same(getattr(g, f), getattr(w, f)), f
    for g, w in zip(got.label_rows, want.label_rows, strict=True):
        assert _same(g.alpha, w.alpha) and g.positives == w.positives
    assert out.display_tables(got) == out.display_tables(want)
    # Not a degenerate fixture: figures differ between labels and are defined.
    measure = [r.f1 if level == "span" else r.kappa for r in got.pair_rows]
    assert all(not math.isnan(v) for v in measure) and len(set(measure)) > 1


def test_span_level_counts(ws: Workspace) -> None:
    two_annotators(ws)
    rep = ws.agreement.report(AgreementQuery(level="span", mode="exact"))
    mil = rep.pair("ann", "bob", "MILITARY")
    # ann: tanks, artillery; bob: tanks, troops -> one exact match of 2 + 2.
    assert (mil.precision, mil.recall, mil.f1) == (0.5, 0.5, 0.5)
    assert rep.confusion("ann", "bob")[("DIPLOMATIC", "ECONOMIC")] == 1


def test_filters_and_missing_annotators(ws: Workspace) -> None:
    d1, d2 = two_annotators(ws)
    d3 = add_document(ws, "Drones struck a depot.", "Third")
    tag(ws, d3, "Drones struck a depot.", "Drones struck a depot.", "MILITARY", "ann")
    rep = ws.agreement.report(AgreementQuery(labels=("MILITARY",)))
    assert rep.labels == ("MILITARY",)
    # Coverage "done": ann tagged d3 but did not mark it done, so nobody covers it.
    assert any(f"document {d3}: not covered by ann, bob" in n for n in rep.notes)
    assert (str(d3), ("ann", "bob")) in rep.uncovered
    touched = ws.agreement.report(AgreementQuery(labels=("MILITARY",), coverage="touched"))
    assert any(f"document {d3}: not covered by bob" in n for n in touched.notes)
    ws.annotations.set_status(d3, "ann", DocumentStatus.DONE)
    ws.annotations.set_status(d3, "bob", DocumentStatus.DONE)
    # bob marked d3 done without a span: a real "no" now, so d3 counts for the pair.
    both = ws.agreement.report(AgreementQuery(labels=("MILITARY",)))
    assert both.uncovered == ()
    assert (
        both.pair("ann", "bob", "MILITARY").units == rep.pair("ann", "bob", "MILITARY").units + 22
    )
    done = ws.agreement.report(AgreementQuery(only_done=True))
    assert done.documents == (str(d1), str(d2), str(d3))
    ws.annotations.set_status(d2, "bob", DocumentStatus.IN_PROGRESS)
    assert ws.agreement.report(AgreementQuery(only_done=True)).documents == (str(d1), str(d3))
    one = ws.agreement.report(AgreementQuery(document_ids=(d2,)))
    assert one.documents == (str(d2),)
    with pytest.raises(AnnotatorError, match="No annotator named 'zoe'"):
        ws.agreement.report(AgreementQuery(annotators=("ann", "zoe")))
    with pytest.raises(AnnotatorError, match="No label named"):
        ws.agreement.report(AgreementQuery(labels=("NOPE",)))


def test_progress_and_streaming_without_text(ws: Workspace) -> None:
    two_annotators(ws)
    seen: list[tuple[int, int]] = []
    query = AgreementQuery(annotators=("ann", "bob"))
    docs = ws.agreement.documents(query, progress=lambda d, t: seen.append((d, t)))
    assert all(d.text is None for d in docs)
    assert seen[-1] == (2, 2) and seen[0] == (1, 2)
    passage = ws.agreement.documents(AgreementQuery(annotators=("ann", "bob"), level="passage"))
    assert passage[0].text == TEXT_1


def test_gold_is_not_a_default_annotator(ws: Workspace) -> None:
    two_annotators(ws)
    ws.adjudication.merge_unanimous(annotators=("ann", "bob"), decided_by="eve")
    assert ws.agreement.annotators() == ["ann", "bob"]
    rep = ws.agreement.report()
    assert rep.annotators == ("ann", "bob")


def test_report_files(ws: Workspace, tmp_path: Path) -> None:
    two_annotators(ws)
    rep = ws.agreement.report(AgreementQuery(level="span", diagnose=True))
    info = ws.agreement.document_info(rep.documents)
    page = tmp_path / "r.html"
    assert write_report(page, rep, info) == "html"
    body = page.read_text(encoding="utf-8")
    assert body.count('class="heat"') == len(rep.pair_rows)
    assert "Ministers met in Geneva for talks." in body  # excerpt in the diagnosis
    assert "http://" not in body and "https://" not in body and "<script" not in body
    data = tmp_path / "r.json"
    write_report(data, rep, info)
    parsed = json.loads(data.read_text(encoding="utf-8"))
    assert [p["f1"] for p in parsed["pairs"]] == [r.f1 for r in rep.pair_rows]
    # The full diagnosis: matched spans too, so every F1 can be rebuilt from the lines.
    lines = parsed["comparisons"][0]["diagnosis"]
    assert len(lines) == len(rep.diagnosis("ann", "bob"))
    matched = sum(m["status"] == "matched" for m in lines)
    assert matched == sum(
        r.score(lab).matched for r in rep.comparisons.values() for lab in rep.labels
    )
    assert matched > 0
    assert parsed["policies"]["coverage"].startswith(
        "an annotator covers a document they marked done"
    )
    assert "overlap" in parsed["policies"]["matching"]
    assert parsed["documents"][0]["title"]
    table = tmp_path / "r.csv"
    write_report(table, rep)
    rows = table.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("kind,a,b,label")
    assert sum(r.startswith("diagnosis,") for r in rows) == len(lines)
    assert any(r.startswith("policy,,,coverage") for r in rows)
    with pytest.raises(AnnotatorError, match="unknown report type"):
        write_report(tmp_path / "r.pdf", rep)
    assert not (tmp_path / "r.pdf").exists()
