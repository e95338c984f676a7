"""Edit the label set: add, rename, colour, shortcut, description, remove (LabelService).

A label's description is one or two lines (its tooltip); the full definitions and examples
live in the versioned project guideline, which the "Project guideline…" button opens."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError
from annotator.gui.undo import ServiceCommand
from annotator.gui.window_fit import closes_on_keys, fit_window
from annotator.services.commands import AddLabelCommand, RemoveLabelCommand, UpdateLabelCommand
from annotator.services.labels import PALETTE, LabelService


def swatch(color: str) -> QIcon:
    pix = QPixmap(14, 14)
    pix.fill(QColor(color))
    return QIcon(pix)


class LabelDialog(QDialog):
    labelsChanged = Signal()
    guidelineRequested = Signal()
    """The "Project guideline…" button: show the project guideline (the window's dock)."""

    def __init__(
        self,
        labels: LabelService,
        parent: QWidget | None = None,
        *,
        run: Callable[[ServiceCommand, Callable[[Exception], None]], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Labels")
        self._service = labels
        self._run_command = run
        self.list = QListWidget()
        self.name = QLineEdit()
        self.color = "#888888"
        self.color_button = QPushButton()
        self.shortcut = QLineEdit()
        self.shortcut.setMaxLength(1)
        self.shortcut.setPlaceholderText("1–9 or a letter")
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText(
            "No description yet. Say what this label covers in a line or two (shown as its "
            "tooltip); definitions and examples go in the project guideline."
        )
        self.description.setMaximumHeight(80)
        self.guideline_button = QPushButton("Project guideline…")
        self.guideline_button.setObjectName("guidelineButton")
        self.guideline_button.setToolTip(
            "The versioned project guideline: each label's definition and examples"
        )
        self.guideline_button.clicked.connect(self.guidelineRequested)
        self.error = QLabel()
        self.error.setStyleSheet("color: #d9534f")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Colour", self.color_button)
        form.addRow("Key", self.shortcut)
        form.addRow("Description", self.description)
        form.addRow("", self.guideline_button)
        self.form = form  # more sections add rows (the seed rules: dialogs/label_rules.py)
        self.add_button = QPushButton("Add new")
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Store the label's name, colour, key, guideline and rules")
        self.before_save: list[Callable[[], bool]] = []
        """Sections' own saves (the seed rules), run first: one refusal stops the Save."""
        self.remove_button = QPushButton("Remove")
        row = QHBoxLayout()
        for b in (self.add_button, self.save_button, self.remove_button):
            row.addWidget(b)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addLayout(row)
        right.addWidget(self.error)
        body = QHBoxLayout()
        body.addWidget(self.list, 1)
        body.addLayout(right, 2)
        lay = QVBoxLayout(self)
        lay.addLayout(body)
        lay.addWidget(close)
        fit_window(self, 640, 360)
        closes_on_keys(self)

        close.rejected.connect(self.reject)
        self.list.currentItemChanged.connect(lambda cur, _prev: self._show(cur))
        self.list.currentItemChanged.connect(
            lambda cur, _prev: self.add_button.setText("Add new" if cur is not None else "Add")
        )
        self.color_button.clicked.connect(self._pick_color)
        self.add_button.clicked.connect(self._add_clicked)
        self.save_button.clicked.connect(self.save_label)
        self.remove_button.clicked.connect(self.remove_label)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        self.list.clear()
        for lab in self._service.list():
            item = QListWidgetItem(swatch(lab.color), lab.name)
            item.setData(Qt.ItemDataRole.UserRole, lab)
            self.list.addItem(item)
            if lab.name == select:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)

    def _set_color(self, color: str) -> None:
        self.color = color
        self.color_button.setIcon(swatch(color))
        self.color_button.setText(color)

    def fresh_color(self) -> str:
        """A colour no label has yet: the palette's first free one, else a new hue."""
        used = {
            self.list.item(i).data(Qt.ItemDataRole.UserRole).color.lower()
            for i in range(self.list.count())
        }
        for color in PALETTE:
            if color.lower() not in used:
                return color
        hue = (len(used) * 0.618033988749895) % 1.0  # golden-ratio steps stay apart
        color = QColor.fromHsvF(hue, 0.65, 0.8).name()
        return color if color not in used else QColor.fromHsvF(hue, 0.45, 0.6).name()

    def _show(self, item: QListWidgetItem | None) -> None:
        self.error.clear()
        lab = item.data(Qt.ItemDataRole.UserRole) if item else None
        self.name.setText(lab.name if lab else "")
        self._set_color(lab.color if lab else self.fresh_color())
        self.shortcut.setText(lab.shortcut if lab else "")
        self.description.setPlainText(lab.description if lab else "")

    def _pick_color(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.color), self, "Label colour")
        if chosen.isValid():
            self._set_color(chosen.name())

    def _run(self, command: ServiceCommand, select: str | None) -> bool:
        """Run a label command: on the window's undo stack when given one, else directly."""
        failed: list[Exception] = []
        if self._run_command is not None:
            ok = self._run_command(command, failed.append)
        else:
            try:
                command.do()
                ok = True
            except AnnotatorError as exc:
                failed.append(exc)
                ok = False
        if not ok:
            self.error.setText(str(failed[0]) if failed else "Not saved.")
            return False
        self.reload(select)
        self.labelsChanged.emit()
        return True

    def start_new(self) -> None:
        """An empty form with a colour of its own, not a copy of the selected label."""
        self.list.setCurrentItem(None)
        self.list.clearSelection()
        self._show(None)
        self.add_button.setText("Add")
        self.name.setFocus()

    def _add_clicked(self) -> None:
        if self.list.currentItem() is not None:
            self.start_new()  # first press: a fresh form; the second adds
        else:
            self.add_label()

    def add_label(self) -> bool:
        name = self.name.text().strip()
        current = self.list.currentItem()
        if current is not None and current.text() == name:
            self.error.setText("Type a new name to add a label.")
            return False
        return self._run(
            AddLabelCommand(
                self._service,
                name,
                color=self.color,
                shortcut=self.shortcut.text().strip(),
                description=self.description.toPlainText().strip(),
            ),
            name,
        )

    def save_label(self) -> bool:
        item = self.list.currentItem()
        if item is None:
            return False
        old = item.data(Qt.ItemDataRole.UserRole)
        new_name = self.name.text().strip()
        if not all(save() for save in self.before_save):
            return False
        unchanged = (
            new_name == old.name
            and self.color == old.color
            and self.shortcut.text().strip() == old.shortcut
            and self.description.toPlainText().strip() == old.description
        )
        if unchanged:  # the rules alone (saved above): no empty step on the undo stack
            return True
        return self._run(
            UpdateLabelCommand(
                self._service,
                old.name,
                new_name=new_name if new_name != old.name else None,
                color=self.color,
                shortcut=self.shortcut.text().strip(),
                description=self.description.toPlainText().strip(),
            ),
            new_name,
        )

    def remove_label(self) -> bool:
        item = self.list.currentItem()
        if item is None:
            return False
        return self._run(RemoveLabelCommand(self._service, item.text()), None)
