"""Which annotators to compare: two or more, one pane each."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.window_fit import closes_on_keys


class CompareDialog(QDialog):
    def __init__(
        self, names: Sequence[str], checked: Sequence[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        closes_on_keys(self)
        self.setObjectName("compareDialog")
        self.setWindowTitle("Compare annotators")
        self.list = QListWidget()
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if name in checked else Qt.CheckState.Unchecked
            )
            self.list.addItem(item)
        self.hint = QLabel("Tick two or more: each gets a pane, with the gold layer beside them.")
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        lay = QVBoxLayout(self)
        lay.addWidget(self.hint)
        lay.addWidget(self.list)
        lay.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.itemChanged.connect(self._update)
        self._update()

    def chosen(self) -> tuple[str, ...]:
        items = (self.list.item(i) for i in range(self.list.count()))
        return tuple(i.text() for i in items if i.checkState() == Qt.CheckState.Checked)

    def _update(self, _item: QListWidgetItem | None = None) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(len(self.chosen()) >= 2)
