"""Export with the CLI's choices: format and its options, destination, annotators (or their
majority vote), labels, only-done, a seeded train/dev/test split. Runs off the GUI thread.

Given a ``state`` (the window's QSettings), the dialog opens with the choices of the last
export started from it: format, each format's options, destination, annotators and labels
(names no longer in the project are dropped; "all of them" stays all, newcomers included),
only-done, majority, split and seed.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
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
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError
from annotator.core.model import SpanFilter
from annotator.formats.registry import FormatInfo
from annotator.formats.selection import parse_split
from annotator.gui.messages import show_error
from annotator.gui.window_fit import closes_on_keys, fit_window
from annotator.gui.workers import TaskRunner
from annotator.services import Workspace

NEEDS_MODULE = {"spacy": ("spacy", "pip install 'annotator[spacy]'")}
"""Formats that need an optional library: offered only when it can be imported."""


def importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: blocked in sys.modules
        return False


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


def _choice(lst: QListWidget) -> dict[str, object]:
    """What a checklist holds, to remember: all of it (newcomers too), or these names."""
    names = [lst.item(i).text() for i in range(lst.count())]
    checked = [n for i, n in enumerate(names) if lst.item(i).checkState() == Qt.CheckState.Checked]
    return {"all": bool(names) and len(checked) == len(names), "names": checked}


def _apply_choice(lst: QListWidget, saved: object) -> None:
    """Tick what ``saved`` (from :func:`_choice`) names; nothing changes when none of its
    names is in the list any more."""
    if not isinstance(saved, dict):
        return
    names = saved.get("names")
    wanted = {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()
    items = [lst.item(i) for i in range(lst.count())]
    every = saved.get("all") is True
    if not every and not any(i.text() in wanted for i in items):
        return
    for item in items:
        on = every or item.text() in wanted
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


class ExportDialog(QDialog):
    def __init__(
        self,
        ws: Workspace,
        runner: TaskRunner,
        *,
        annotator: str = "",
        parent: QWidget | None = None,
        state: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self._state = state
        self.setWindowTitle("Export")
        self._ws = ws
        self._runner = runner
        self.report = None
        self._viewer = annotator
        """Blind mode: the export holds what this annotator may see."""
        self._formats: dict[str, FormatInfo] = {f.name: f for f in ws.exporter.formats()}
        self.format = QComboBox()
        for info in self._formats.values():
            self.format.addItem(info.name)
            row = self.format.count() - 1
            self.format.setItemData(row, info.title, Qt.ItemDataRole.ToolTipRole)
            need = NEEDS_MODULE.get(info.name)
            if need is not None and not importable(need[0]):
                item = self.format.model().item(row)
                item.setEnabled(False)
                item.setToolTip(f"{info.title}: needs {need[0]}, not installed ({need[1]})")
        self.format_title = QLabel()
        self.options_form = QFormLayout()
        self.option_widgets: dict[str, QComboBox] = {}
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
        self.majority = QCheckBox("Majority vote: spans more than half of them drew alike")
        self.split = QLineEdit()
        self.split.setPlaceholderText("e.g. 80/10/10 for train/dev/test; empty: one output")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Seed of the shuffle that splits documents")
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
        split_row = QHBoxLayout()
        split_row.addWidget(self.split, 1)
        split_row.addWidget(QLabel("seed"))
        split_row.addWidget(self.seed)
        form.addRow("Format", self.format)
        form.addRow("", self.format_title)
        form.addRow("Options", self.options_form)
        form.addRow("Destination", dest_row)
        form.addRow("Annotators", self.annotators)
        form.addRow("", self.majority)
        form.addRow("Labels", self.labels)
        form.addRow("", self.only_done)
        form.addRow("Split", split_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.ActionRole
        )
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)
        fit_window(self, 600, 560)
        closes_on_keys(self)

        self.format.currentTextChanged.connect(self._format_changed)
        self._format_changed(self.format.currentText())
        self._restore()
        browse.clicked.connect(self._browse)
        self.buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(self.start)

    def _format_changed(self, name: str) -> None:
        """Offer the chosen format's own options (CoNLL overlaps, passage unit and rule...)."""
        info = self._formats[name]
        self.status.setText("")  # an old error was about the old format
        self._follow_extension(info)
        self.format_title.setText(info.title + (" (a folder)" if info.multi_file else ""))
        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        self.option_widgets = {}
        remembered = self._remembered(f"options/{name}", {})
        for opt in info.options:
            box = QComboBox()
            for choice in opt.choices or (opt.default,):
                box.addItem(str(choice))
            box.setCurrentText(str(opt.default))
            if isinstance(remembered, dict) and box.findText(str(remembered.get(opt.name))) >= 0:
                box.setCurrentText(str(remembered[opt.name]))
            box.setToolTip(opt.help)
            self.option_widgets[opt.name] = box
            self.options_form.addRow(opt.name.replace("_", " "), box)
        if not info.options:
            self.options_form.addRow(QLabel("none"))

    def _follow_extension(self, info: FormatInfo) -> None:
        """``out.conll`` becomes ``out.jsonl`` when the format changes to JSONL."""
        text = self.dest.text().strip()
        if not text:
            return
        path = Path(text)
        known = {e for f in self._formats.values() for e in f.extensions if e}
        suffix = next(
            (e for e in sorted(known, key=len, reverse=True) if path.name.endswith(e)), ""
        )
        if not suffix and path.suffix:
            return  # a name of the user's own making: leave it
        stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
        new_ext = "" if info.multi_file else (info.extensions[0] if info.extensions else "")
        if suffix or new_ext:
            self.dest.setText(str(path.with_name(stem + new_ext)))

    def options(self) -> dict[str, str]:
        return {name: box.currentText() for name, box in self.option_widgets.items()}

    def _multi_file(self) -> bool:
        return self._formats[self.format.currentText()].multi_file

    def _browse(self) -> None:
        if self._multi_file():
            path = QFileDialog.getExistingDirectory(self, "Export into folder")
        else:
            exts = self._formats[self.format.currentText()].extensions or ("",)
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
        try:
            split = parse_split(self.split.text()) if self.split.text().strip() else None
        except AnnotatorError as exc:
            self.status.setText(str(exc).replace("--split ", "Split "))
            return
        fmt, flt, options = self.format.currentText(), self.span_filter(), self.options()
        seed, majority = self.seed.value(), self.majority.isChecked()
        self._remember()
        viewer = self._viewer or None
        self.export_button.setEnabled(False)
        self.status.setText("Exporting…")
        self._runner.start(
            lambda progress: self._ws.exporter.export(
                fmt,
                Path(dest),
                filter=flt,
                progress=progress,
                options=options,
                split=split,
                seed=seed,
                majority=majority,
                viewer=viewer,
            ),
            finished=self._finished,
            failed=self._failed,
            progress=self._progress,
        )

    # --- the last choices -------------------------------------------------------------------

    def _remembered(self, key: str, default: object) -> object:
        """A value saved by :meth:`_remember` (JSON, so a one-item list stays a list)."""
        if self._state is None:
            return default
        raw = self._state.value(f"export/{key}")
        if not isinstance(raw, str):
            return default
        try:
            return json.loads(raw)
        except ValueError:
            return default

    def _remember(self) -> None:
        if self._state is None:
            return
        fmt = self.format.currentText()
        values: dict[str, object] = {
            "format": fmt,
            f"options/{fmt}": self.options(),
            "destination": self.dest.text().strip(),
            "annotators": _choice(self.annotators),
            "labels": _choice(self.labels),
            "only_done": self.only_done.isChecked(),
            "majority": self.majority.isChecked(),
            "split": self.split.text().strip(),
            "seed": self.seed.value(),
        }
        for key, value in values.items():
            self._state.setValue(f"export/{key}", json.dumps(value))
        self._state.sync()

    def _restore(self) -> None:
        fmt = self._remembered("format", None)
        if isinstance(fmt, str) and fmt in self._formats:
            row = self.format.findText(fmt)
            if self.format.model().item(row).isEnabled():
                self.format.setCurrentIndex(row)  # its options come back with it
        dest = self._remembered("destination", None)
        if isinstance(dest, str) and dest:
            self.dest.setText(dest)
        for lst, key in ((self.annotators, "annotators"), (self.labels, "labels")):
            _apply_choice(lst, self._remembered(key, None))
        for box, key in ((self.only_done, "only_done"), (self.majority, "majority")):
            on = self._remembered(key, None)
            if isinstance(on, bool):
                box.setChecked(on)
        split, seed = self._remembered("split", None), self._remembered("seed", None)
        if isinstance(split, str):
            self.split.setText(split)
        if isinstance(seed, int):
            self.seed.setValue(seed)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _finished(self, report) -> None:
        self.report = report
        self.export_button.setEnabled(True)
        self.progress.setValue(self.progress.maximum())
        empty = [name for name, part in report.parts.items() if part.documents == 0]
        warning = ""
        if empty:
            warning = (
                f"Warning: the {' and '.join(empty)} part{'s are' if len(empty) > 1 else ' is'} "
                f"empty ({report.documents} document(s) in all): use more documents or a "
                "larger share for it.\n"
            )
        self.status.setText(warning + report.summary())

    def _failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self.status.setText(message)
        show_error(self, "Export failed", message)
