"""The agreement view: choose who and what to compare, run the report off the GUI thread (with
progress through loading, matching and each label), read it as the CLI's tables: team-wide
figures (alpha, Fleiss' kappa, unitizing alpha, mean pairwise F1, bootstrap intervals), pairs,
a heatmap, per document, confusion per pair and the span diagnosis."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.agreement import AgreementReport
from annotator.gui.models.agreement_models import (
    ConfusionModel,
    DiagnosisModel,
    DisplayTableModel,
    DocumentBreakdownModel,
    HeatmapModel,
)
from annotator.gui.window_fit import closes_on_keys, fit_window
from annotator.gui.workers import TaskRunner
from annotator.services import Workspace
from annotator.services.agreement import AgreementQuery, covered_by_two
from annotator.services.agreement_files import write_report
from annotator.services.agreement_report import (
    display_tables,
    summary_table,
    team_summary,
)


@dataclass(frozen=True)
class ComparisonRequest:
    """Open this document for these annotators, at this range, with the report's matching."""

    document_id: int
    annotators: tuple[str, str]
    select: tuple[int, int]
    mode: str
    threshold: float


def _checklist(names: list[str], checked: bool = True) -> QListWidget:
    box = QListWidget()
    for name in names:
        item = QListWidgetItem(name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        box.addItem(item)
    box.setMaximumHeight(130)
    return box


def _checked(box: QListWidget) -> list[str]:
    return [
        box.item(i).text()
        for i in range(box.count())
        if box.item(i).checkState() == Qt.CheckState.Checked
    ]


def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class AgreementWindow(QMainWindow):
    comparisonRequested = Signal(object)
    """A ComparisonRequest: a diagnosis row was double-clicked."""
    reportReady = Signal()
    progressed = Signal(int, int)
    """(steps done, steps) of the running report: documents loaded, pairs matched, labels."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *, viewer: str = "") -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("agreementWindow")
        self.setWindowTitle("Agreement — Annotator")
        self.ws = ws
        self.viewer = viewer
        """Whose window this is: blind mode leaves out what is hidden from them."""
        self.runner = TaskRunner(self)
        self.report: AgreementReport | None = None
        self._info: dict[str, tuple[str, str]] = {}

        self.annotator_list = _checklist(ws.agreement.annotators())
        self.label_list = _checklist([lab.name for lab in ws.labels.list()])
        self.level = QComboBox()
        self.level.addItems(["char", "span", "passage", "document"])
        self.mode = QComboBox()
        self.mode.addItems(["overlap", "exact"])
        self.threshold = QDoubleSpinBox(minimum=0.05, maximum=1.0, singleStep=0.05, value=0.5)
        self.only_done = QCheckBox("Only documents all of them marked done")
        self.overlap_only = QCheckBox("Only the planned overlap set (when a study plan has one)")
        self.overlap_only.setObjectName("overlapOnly")
        self.overlap_only.setChecked(True)
        self.overlap_only.setToolTip(
            "With a study plan, agreement is computed on the documents assigned to several "
            "annotators; untick to compare every document"
        )
        self.coverage = QComboBox()
        self.coverage.addItem("marked it done", "done")
        self.coverage.addItem("touched it at all", "touched")
        self.coverage.setToolTip(
            "Who covers a document: in a covered document, no span of a label is a real 'no';"
            " documents a pair does not both cover are left out of that pair"
        )
        self.guideline_version = QComboBox()
        self.guideline_version.setObjectName("guidelineVersion")
        self.guideline_version.addItem("every version", None)
        newest = ws.guidelines.current_version() or 0
        for v in range(newest, 0, -1):
            self.guideline_version.addItem(
                f"version {v}" + (" (in force)" if v == newest else ""), v
            )
        self.guideline_version.setToolTip(
            "Only annotators' spans made under this guideline version: a layer of a document"
            " counts when every span of it there was made under the version"
        )
        self.bootstrap = QSpinBox(minimum=0, maximum=100_000, singleStep=500, value=1000)
        self.bootstrap.setToolTip("Resamples of the documents for confidence intervals (0: none)")
        self.diagnose = QCheckBox("Span diagnosis (every span with a reason)")
        self.diagnose.setChecked(True)
        self.run_button = QPushButton("&Run")
        self.run_button.setShortcut("F5")
        self.run_button.setToolTip("Compute the report (F5)")
        self.save_button = QPushButton("&Save report…")
        self.save_button.setEnabled(False)
        self.progress = QProgressBar(visible=False)
        self.status = QLabel()
        self.status.setObjectName("agreementStatus")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Annotators", self.annotator_list)
        form.addRow("Labels", self.label_list)
        form.addRow("Level", self.level)
        form.addRow("Span matching", self.mode)
        form.addRow("Overlap threshold", self.threshold)
        form.addRow("An annotator covers a document when they", self.coverage)
        form.addRow("Guideline", self.guideline_version)
        form.addRow("Bootstrap resamples", self.bootstrap)
        form.addRow(self.only_done)
        form.addRow(self.overlap_only)
        form.addRow(self.diagnose)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.save_button)
        side = QWidget()
        side_lay = QVBoxLayout(side)
        side_lay.addLayout(form)
        side_lay.addLayout(buttons)
        side_lay.addWidget(self.progress)
        side_lay.addWidget(self.status)
        side_lay.addStretch(1)

        self.pair_model = DisplayTableModel(self)
        self.label_model = DisplayTableModel(self)
        self.heatmap_model = HeatmapModel(self)
        self.document_model = DocumentBreakdownModel(self)
        self.confusion_model = ConfusionModel(self)
        self.diagnosis_model = DiagnosisModel(self)
        self.summary_model = DisplayTableModel(self)
        self.pair_title, self.label_title = QLabel(), QLabel()
        self.team_line = QLabel()
        self.team_line.setObjectName("teamSummary")
        self.team_line.setWordWrap(True)
        self.team_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_title = QLabel()
        self.summary_view = _table(self.summary_model)
        self.heatmap_view = _table(self.heatmap_model)
        self.heatmap_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.heatmap_view.verticalHeader().setDefaultSectionSize(44)
        font = self.heatmap_view.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heatmap_view.setFont(font)
        self.heatmap_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.pair_choice = QComboBox()
        self.diagnosis_view = _table(self.diagnosis_model)
        self.diagnosis_view.setObjectName("diagnosisView")
        self.diagnosis_view.setToolTip("Double-click a row to open it in the comparison view")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._titled(self.pair_title, _table(self.pair_model)), "Pairs × labels")
        team = QWidget()
        team_lay = QVBoxLayout(team)
        team_lay.setContentsMargins(0, 4, 0, 0)
        team_lay.addWidget(self.team_line)
        team_lay.addWidget(self.label_title)
        team_lay.addWidget(_table(self.label_model), 1)
        team_lay.addWidget(self.summary_title)
        team_lay.addWidget(self.summary_view, 1)
        self.team_tab = team
        self.tabs.insertTab(0, team, "Team")
        self.tabs.setCurrentIndex(0)
        self.tabs.addTab(self.heatmap_view, "Heatmap")
        self.tabs.addTab(_table(self.document_model), "Per document")
        self.tabs.addTab(
            self._titled(self.pair_choice, _table(self.confusion_model)), "Confusion matrix"
        )
        self.tabs.addTab(self.diagnosis_view, "Diagnosis")
        self.no_coverage = QLabel()
        self.no_coverage.setObjectName("noCoverage")
        self.no_coverage.setWordWrap(True)
        self.no_coverage.setStyleSheet(
            "QLabel#noCoverage { background: #fff4ce; color: #3b3000; padding: 8px;"
            " font-size: 11pt; }"
        )
        self.use_touched = QPushButton("Count documents they have &touched")
        self.use_touched.setObjectName("useTouchedCoverage")
        self.use_touched.setToolTip(
            "Coverage 'touched': a document counts for an annotator once they tagged it or"
            " gave it any status, not only when they marked it done"
        )
        self.use_touched.clicked.connect(self.use_touched_coverage)
        banner = QWidget()
        banner.setObjectName("noCoverageBanner")
        banner_lay = QHBoxLayout(banner)
        banner_lay.setContentsMargins(0, 0, 0, 4)
        banner_lay.addWidget(self.no_coverage, 1)
        banner_lay.addWidget(self.use_touched)
        banner.hide()
        self.no_coverage_banner = banner
        right = QWidget()
        right_lay = QVBoxLayout(right)
        right_lay.setContentsMargins(0, 0, 0, 0)
        right_lay.addWidget(banner)
        right_lay.addWidget(self.tabs, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(side)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([320, 1000])
        self.setCentralWidget(split)

        self.run_button.clicked.connect(self.run)
        self.save_button.clicked.connect(self.ask_save)
        self.pair_choice.currentIndexChanged.connect(self._pair_chosen)
        self.diagnosis_view.doubleClicked.connect(self._diagnosis_activated)
        fit_window(self, 1300, 760)
        closes_on_keys(self)

    @staticmethod
    def _titled(title: QWidget, table: QTableView) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addWidget(title)
        lay.addWidget(table, 1)
        return box

    # --- running --------------------------------------------------------------------------

    def query(self) -> AgreementQuery:
        labels = _checked(self.label_list)
        return AgreementQuery(
            annotators=tuple(_checked(self.annotator_list)),
            labels=() if len(labels) == self.label_list.count() else tuple(labels),
            only_done=self.only_done.isChecked(),
            all_documents=not self.overlap_only.isChecked(),
            viewer=self.viewer,
            level=self.level.currentText(),  # type: ignore[arg-type]
            mode=self.mode.currentText(),  # type: ignore[arg-type]
            threshold=round(self.threshold.value(), 4),
            coverage=self.coverage.currentData(),
            diagnose=self.diagnose.isChecked(),
            bootstrap=self.bootstrap.value(),
            guideline_version=self.guideline_version.currentData(),
        )

    def run(self) -> None:
        if self.runner.busy:
            return
        query, ws = self.query(), self.ws

        def work(progress):
            report = ws.agreement.report(query, progress=progress)
            return report, ws.agreement.document_info(report.documents)

        self.progress.setRange(0, 0)
        self.progress.show()
        self.run_button.setEnabled(False)
        self.status.setText("Loading documents, then matching and computing…")
        self.runner.start(work, finished=self._done, failed=self._failed, progress=self._progress)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progressed.emit(done, total)

    def _failed(self, message: str) -> None:
        self.progress.hide()
        self.run_button.setEnabled(True)
        self.status.setText(message)

    def _done(self, result) -> None:
        report, info = result
        self.report, self._info = report, info
        self.progress.hide()
        self.run_button.setEnabled(True)
        self.save_button.setEnabled(True)
        pairs, labels = display_tables(report)
        self.pair_title.setText(pairs.title)
        self.label_title.setText(labels.title)
        self.pair_model.set_table(pairs)
        self.label_model.set_table(labels)
        summary = summary_table(report)
        self.summary_model.set_table(summary)
        self.summary_title.setText(summary.title if summary else "")
        self.summary_view.setVisible(summary is not None)
        self.team_line.setText(team_summary(report))
        self.heatmap_model.set_report(report)
        self.document_model.set_report(report, {k: t for k, (t, _) in info.items()})
        self.diagnosis_model.set_report(report, {k: text for k, (_, text) in info.items()})
        self.pair_choice.blockSignals(True)
        self.pair_choice.clear()
        for a, b in report.comparisons:
            self.pair_choice.addItem(f"{a} (rows) / {b} (columns)", (a, b))
        self.pair_choice.blockSignals(False)
        self._pair_chosen(0)
        notes = f" {len(report.notes)} note(s): " + "; ".join(report.notes) if report.notes else ""
        self.status.setText(
            f"{len(report.documents)} document(s), {len(report.annotators)} annotators,"
            f" {report.level} level.{notes}"
        )
        self._show_coverage(report)
        self.reportReady.emit()

    def _show_coverage(self, report: AgreementReport) -> None:
        """Say plainly when no document is covered by two of the annotators (every figure
        is n/a then), and offer the "touched" coverage in one click."""
        if covered_by_two(report):
            self.no_coverage_banner.hide()
            return
        names = ", ".join(report.annotators)
        if self.coverage.currentData() == "done":
            text = (
                "<b>No document is covered yet.</b> A document counts for an annotator once"
                f" they mark it done, and no document is marked done by two of {names}:"
                " every figure below is n/a. Count the documents they have touched instead,"
                " or mark documents done (Ctrl+D) as they are finished."
            )
        else:
            text = (
                f"<b>No document is covered yet.</b> No document has been tagged or given a"
                f" status by two of {names}: every figure below is n/a."
            )
        if self.only_done.isChecked():
            text += " (Only documents all of them marked done are counted.)"
        self.no_coverage.setText(text)
        self.use_touched.setVisible(self.coverage.currentData() == "done")
        self.no_coverage_banner.show()

    def use_touched_coverage(self) -> None:
        """Switch to the "touched" coverage and run the report again."""
        self.coverage.setCurrentIndex(self.coverage.findData("touched"))
        self.run()

    def _pair_chosen(self, index: int) -> None:
        pair = self.pair_choice.itemData(index) if index >= 0 else None
        self.confusion_model.set_pair(self.report, *(pair or ("", "")))

    def _diagnosis_activated(self, index) -> None:
        if not index.isValid() or self.report is None:
            return
        doc_id, a, b, m = self.diagnosis_model.match_at(index.row())
        span = m.a if m.a is not None else m.b
        assert span is not None
        comp = self.report.comparisons[(a, b)]
        self.comparisonRequested.emit(
            ComparisonRequest(doc_id, (a, b), (span[0], span[1]), comp.mode, comp.threshold)
        )

    # --- saving ---------------------------------------------------------------------------

    def ask_save(self) -> QFileDialog:
        dlg = QFileDialog(
            self, "Save agreement report", "", "HTML (*.html);;CSV (*.csv);;JSON (*.json)"
        )
        dlg.setObjectName("reportFileDialog")
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog)
        dlg.setDefaultSuffix("html")
        dlg.fileSelected.connect(lambda path: self.save_report(Path(path)))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def save_report(self, path: Path) -> None:
        """Write HTML, CSV or JSON (by extension) on a worker thread."""
        report, info = self.report, self._info
        if report is None:
            return
        self.status.setText(f"Writing {path.name}…")
        self.runner.start(
            lambda _p: write_report(path, report, info),
            finished=lambda kind: self.status.setText(f"Wrote the {kind} report to {path}."),
            failed=lambda msg: self.status.setText(f"Not saved: {msg}"),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.runner.wait(10_000)
        super().closeEvent(event)
