"""Export: format, destination, annotator and label filters, only-done; runs off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import SpanFilter
from annotator.formats.registry import exporter_names, get_exporter
from annotator.gui.messages import show_error
from annotator.gui.workers import TaskRunner
from annotator.services import Workspace


def _checklist(names: list[str], checked: set[str]) -> QListWidget:
    lst = QListWidget()
    for n in names:
        item = QListWidgetItem(n)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if n in checked else Qt.CheckState.Unchecked)
        lst.addItem(item)
    lst.setMaximumHeight(110)
    return lst


def _checked(lst: QListWidget) -> tuple[str, ...]:
    items = [lst.item(i) for i in range(lst.count())]
    chosen = tuple(i.text() for i in items if i.checkState() == Qt.CheckState.Checked)
    return () if len(chosen) == len(items) else chosen  # all checked means no filter


class ExportDialog(QDialog):
    def __init__(
        self,
        ws: Workspace,
        runner: TaskRunner,
        *,
        annotator: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self._ws = ws
        self._runner = runner
        self.report = None
        self.format = QComboBox()
        self.format.addItems(exporter_names())
        self.dest = QLineEdit()
        self.dest.setPlaceholderText("File (or folder for multi-file formats)")
        browse = QPushButton("Browse…")
        annotators = [a.name for a in ws.documents.annotators()]
        self.annotators = _checklist(
            annotators, {annotator} if annotator in annotators else set(annotators)
        )
        labels = [lab.name for lab in ws.labels.list()]
        self.labels = _checklist(labels, set(labels))
        self.only_done = QCheckBox("Only documents the chosen annotators marked done")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dest_row = QHBoxLayout()
        dest_row.addWidget(self.dest, 1)
        dest_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("Destination", dest_row)
        form.addRow("Annotators", self.annotators)
        form.addRow("Labels", self.labels)
        form.addRow("", self.only_done)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.ActionRole
        )
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)
        self.resize(560, 460)

        browse.clicked.connect(self._browse)
        self.buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(self.start)

    def _multi_file(self) -> bool:
        return bool(getattr(get_exporter(self.format.currentText()), "MULTI_FILE", False))

    def _browse(self) -> None:
        if self._multi_file():
            path = QFileDialog.getExistingDirectory(self, "Export into folder")
        else:
            exts = getattr(get_exporter(self.format.currentText()), "EXTENSIONS", ()) or ("",)
            pattern = " ".join(f"*{e}" for e in exts if e) or "*"
            path, _ = QFileDialog.getSaveFileName(self, "Export to", "", f"Export ({pattern})")
        if path:
            self.dest.setText(path)

    def span_filter(self) -> SpanFilter:
        return SpanFilter(
            annotators=_checked(self.annotators),
            labels=_checked(self.labels),
            only_done=self.only_done.isChecked(),
        )

    def start(self) -> None:
        dest = self.dest.text().strip()
        if not dest:
            self.status.setText("Choose a destination first.")
            return
        fmt, flt = self.format.currentText(), self.span_filter()
        self.export_button.setEnabled(False)
        self.status.setText("Exporting…")
        self._runner.start(
            lambda progress: self._ws.exporter.export(
                fmt, Path(dest), filter=flt, progress=progress
            ),
            finished=self._finished,
            failed=self._failed,
            progress=self._progress,
        )

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _finished(self, report) -> None:
        self.report = report
        self.export_button.setEnabled(True)
        self.progress.setValue(self.progress.maximum())
        self.status.setText(report.summary())

    def _failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self.status.setText(message)
        show_error(self, "Export failed", message)
