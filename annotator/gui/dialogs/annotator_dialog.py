"""Who is annotating: asked on first launch, and to switch (Ctrl+Shift+A)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from annotator.core.model import GOLD_ANNOTATOR
from annotator.gui.window_fit import closes_on_keys


class AnnotatorDialog(QDialog):
    def __init__(self, known: list[str], current: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        closes_on_keys(self)
        self.setWindowTitle("Annotator")
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.addItems([n for n in known if n != GOLD_ANNOTATOR])
        self.combo.setEditText(current)
        self.combo.lineEdit().setPlaceholderText("Your name")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(current.strip()))
        self.combo.editTextChanged.connect(lambda t: ok.setEnabled(bool(t.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Your spans are stored under this name. Pick one or type a new one:"))
        lay.addWidget(self.combo)
        lay.addWidget(self.buttons)

    def name(self) -> str:
        return self.combo.currentText().strip()
