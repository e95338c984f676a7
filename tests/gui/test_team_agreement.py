"""Agreement view: the CLI's figures, heatmap colours, diagnosis -> comparison, saved reports."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from team_fixtures import S1, rng, team_doc_fixture  # noqa: F401

from annotator.core.model import DocumentStatus
from annotator.gui.models.agreement_models import (
    ConfusionModel,
    DiagnosisModel,
    DisplayTableModel,
    DocumentBreakdownModel,
    HeatmapModel,
    qcolor,
)
from annotator.gui.widgets.agreement_window import AgreementWindow
from annotator.services.agreement import AgreementQuery
from annotator.services.agreement_report import heat_colour


def cli_tables(db_url: str, *extra: str) -> list[list[list[str]]]:
    """``annotator agree`` in a subprocess; each table as rows of whitespace-split cells."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "annotator",
            "--db",
            db_url,
            "agree",
            "--annotators",
            "ann,ben",
            *extra,
        ],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ),
    ).stdout
    tables = []
    for block in out.split("\n\n")[1:]:
        lines = block.splitlines()
        if len(lines) >= 3 and set(lines[2].replace(" ", "")) == {"-"}:
            tables.append([line.split() for line in lines[1:2] + lines[3:]])
    return tables


def model_rows(model: DisplayTableModel) -> list[list[str]]:
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    cells = [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    return [headers, *cells]


def mark_done(ws, doc: int, *names: str) -> None:
    for name in names:
        ws.annotations.set_status(doc, name, DocumentStatus.DONE)


@pytest.fixture
def agreement(qtbot, make_window, team_doc, ws):
    mark_done(ws, team_doc, "ann", "ben")  # coverage "done" is the default
    win = make_window()
    qtbot.keyClick(
        win.reading.current.view,
        Qt.Key.Key_G,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    view = win.team.agreement
    assert view is not None and view.isVisible()
    qtbot.waitUntil(lambda: view.report is not None and not view.runner.busy, timeout=10_000)
    return win, view


def run_again(qtbot, view: AgreementWindow) -> None:
    qtbot.waitUntil(lambda: not view.runner.busy, timeout=10_000)  # Run is ignored while busy
    with qtbot.waitSignal(view.reportReady, timeout=30_000):
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)


def test_tables_show_what_the_cli_prints(qtbot, agreement, db_url):
    _win, view = agreement
    assert view.report.annotators == ("ann", "ben")
    pairs, labels = cli_tables(db_url)
    assert model_rows(view.pair_model) == pairs
    assert model_rows(view.label_model) == labels
    assert len(pairs) == 4  # header + DIPLOMATIC, ECONOMIC, MILITARY
    assert model_rows(view.label_model)[0][:5] == [
        "label",
        "alpha",
        "alpha-CI",
        "Fleiss",
        "Fleiss-CI",
    ]
    # Span level: P/R/F1, intervals and u-alpha, again the CLI's strings; the summary too.
    view.level.setCurrentText("span")
    run_again(qtbot, view)
    pairs, labels, summary = cli_tables(db_url, "--level", "span")
    assert model_rows(view.pair_model)[0] == [
        "A",
        "B",
        "label",
        "P",
        "R",
        "F1",
        "95%-CI",
        "u-alpha",
        "spans",
    ]
    assert model_rows(view.pair_model) == pairs
    assert model_rows(view.label_model) == labels
    assert model_rows(view.summary_model) == summary
    assert [row[0] for row in summary[1:]] == [
        "DIPLOMATIC",
        "ECONOMIC",
        "MILITARY",
        "(micro)",
        "(macro)",
    ]


def test_heatmap_colours_follow_the_pair_measure(qtbot, agreement):
    _win, view = agreement
    hm = view.heatmap_model
    assert hm.rowCount() == 1 and hm.headerData(0, Qt.Orientation.Vertical) == "ann / ben"
    labels = [hm.headerData(c, Qt.Orientation.Horizontal) for c in range(hm.columnCount())]
    economic = labels.index("ECONOMIC")
    assert hm.index(0, economic).data() == view.report.pair(
        "ann", "ben", "ECONOMIC"
    ).kappa.__format__(".3f")
    for c in range(hm.columnCount()):
        colour = hm.index(0, c).data(Qt.ItemDataRole.BackgroundRole)
        assert colour == qcolor(heat_colour(hm.value(0, c)))
    assert hm.index(0, economic).data(Qt.ItemDataRole.BackgroundRole).hue() == 120  # kappa 1


def test_confusion_and_per_document(qtbot, agreement, team_doc):
    _win, view = agreement
    conf = view.confusion_model
    rows = [conf.headerData(r, Qt.Orientation.Vertical) for r in range(conf.rowCount())]
    cols = [conf.headerData(c, Qt.Orientation.Horizontal) for c in range(conf.columnCount())]
    mil, dip = rows.index("ann: MILITARY"), cols.index("ben: DIPLOMATIC")
    assert conf.index(mil, dip).data() == "1"
    assert conf.index(rows.index("ann: DIPLOMATIC"), cols.index("ben: (none)")).data() == "1"
    docs = view.document_model
    assert {docs.index(r, 0).data().split(":")[0] for r in range(docs.rowCount())} == {
        str(team_doc)
    }


def test_double_click_on_diagnosis_opens_the_comparison_at_the_span(qtbot, agreement, team_doc):
    win, view = agreement
    view.tabs.setCurrentWidget(view.diagnosis_view)
    model = view.diagnosis_model
    row = next(r for r in range(model.rowCount()) if model.index(r, 2).data() == "label_differs")
    assert model.index(row, DiagnosisModel.HEADERS.index("text")).data() == S1
    table = view.diagnosis_view
    table.scrollTo(model.index(row, 1))
    rect = table.visualRect(model.index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: len(win.team.comparisons) == 1, timeout=5_000)
    cmp = win.team.comparisons[0]
    qtbot.waitUntil(lambda: cmp.document_id == team_doc and not cmp.runner.busy, timeout=10_000)
    assert cmp.annotators == ("ann", "ben")
    for pane in cmp.panes.values():
        cur = pane.view.textCursor()
        assert pane.positions.range_to_cp(cur.selectionStart(), cur.selectionEnd()) == rng(S1)
    assert cmp.panel.current_row() == 0
    cmp.close()


@pytest.mark.parametrize("ext", ["html", "csv", "json"])
def test_save_report(qtbot, agreement, tmp_path, ext):
    _win, view = agreement
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    dlg = view.findChild(QFileDialog, "reportFileDialog")
    assert dlg is not None and dlg.isVisible()
    target = tmp_path / f"agreement.{ext}"
    dlg.selectFile(str(target))
    dlg.accept()
    qtbot.waitUntil(lambda: "Wrote the" in view.status.text(), timeout=10_000)
    body = target.read_text(encoding="utf-8")
    if ext == "json":
        assert json.loads(body)["annotators"] == ["ann", "ben"]
    elif ext == "csv":
        assert body.startswith("kind,a,b,label")
    else:
        assert "Heatmap" in body and "Shelling near Kherson" in body


def test_fewer_than_two_annotators_says_so(qtbot, agreement):
    _win, view = agreement
    view.annotator_list.item(1).setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "at least two annotators" in view.status.text(), timeout=5_000)


def test_agreement_models(qtmodeltester, ws, team_doc):
    mark_done(ws, team_doc, "ann", "ben")
    report = ws.agreement.report(
        AgreementQuery(annotators=("ann", "ben"), level="span", diagnose=True)
    )
    info = ws.agreement.document_info(report.documents)
    from annotator.services.agreement_report import display_tables, summary_table

    table = DisplayTableModel()
    qtmodeltester.check(table)
    table.set_table(display_tables(report)[0])
    qtmodeltester.check(table)
    summary = DisplayTableModel()
    summary.set_table(summary_table(report))
    assert summary.rowCount() == len(report.labels) + 2
    qtmodeltester.check(summary)
    heat = HeatmapModel()
    heat.set_report(report)
    qtmodeltester.check(heat)
    docs = DocumentBreakdownModel()
    docs.set_report(report, {k: t for k, (t, _) in info.items()})
    qtmodeltester.check(docs)
    conf = ConfusionModel()
    conf.set_pair(report, "ann", "ben")
    assert conf.rowCount() == len(report.labels) + 1
    qtmodeltester.check(conf)
    diag = DiagnosisModel()
    diag.set_report(report, {k: text for k, (_, text) in info.items()})
    assert diag.rowCount() == len(report.diagnosis("ann", "ben"))
    qtmodeltester.check(diag)


def test_three_annotators_team_figures_computed_off_the_gui_thread(qtbot, agreement, ws, team_doc):
    """A third annotator: Fleiss' kappa and team-wide u-alpha over all three, mean pairwise
    F1 with intervals; the run happens on the worker while the window keeps answering."""
    _win, view = agreement
    s1 = rng(S1)
    ws.annotations.add(team_doc, start=s1[0], end=s1[1], label="MILITARY", annotator="cal")
    mark_done(ws, team_doc, "cal")
    # The window's annotator list was filled when it opened: add cal as the window would.
    from annotator.gui.widgets.agreement_window import _checklist

    view.annotator_list.addItem(_checklist(["cal"]).takeItem(0))
    assert view.team_tab is view.tabs.widget(0)
    view.level.setCurrentText("passage")
    steps: list[tuple[int, int]] = []
    view.progressed.connect(lambda done, total: steps.append((done, total)))
    run_again(qtbot, view)
    report = view.report
    assert report.annotators == ("ann", "ben", "cal")
    row = report.label("MILITARY")
    assert not math.isnan(row.fleiss) and row.fleiss_units > 0
    assert "Fleiss" in view.team_line.text() and "resamples" in view.team_line.text()
    assert steps and steps[-1][0] == steps[-1][1]  # loading, then each label, to the end
    view.level.setCurrentText("span")
    run_again(qtbot, view)
    assert len(view.report.comparisons) == 3
    assert "u-alpha over all 3 annotators" in view.team_line.text()
    assert "mean pairwise F1 micro" in view.team_line.text()
    assert view.summary_view.isVisible()
