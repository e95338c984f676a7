"""Team ▸ Progress ▸ Hand over…: an annotator's unfinished documents go to others.

The lead picks who takes them; the service balances them by text length and never gives a
document to someone already on it (``StudyService.hand_over``, as ``annotator handover``).
"""

from __future__ import annotations

import html
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


class HandOverDialog(QDialog):
    def __init__(
        self,
        leaving: str,
        unfinished: int,
        candidates: Sequence[str],
        *,
        behind: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("handOverDialog")
        self.setWindowTitle(f"Hand over {leaving}'s documents")
        self.leaving = leaving
        self.setMinimumWidth(420)
        about = QLabel(
            f"<b>{html.escape(leaving)}</b> has {unfinished} assigned document(s) not done. They "
            "go to the annotators checked below, balanced by text length; a document never "
            f"goes to someone already on it. {html.escape(leaving)}'s spans and finished "
            "documents stay as they are."
        )
        about.setWordWrap(True)
        self.receivers = QListWidget()
        self.receivers.setObjectName("handOverReceivers")
        late = set(behind)
        for name in candidates:
            if name == leaving:
                continue
            item = QListWidgetItem(name + (" (behind)" if name in late else ""))
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            # Those behind the team are not given more by default.
            item.setCheckState(Qt.CheckState.Unchecked if name in late else Qt.CheckState.Checked)
            self.receivers.addItem(item)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Hand over")
        self.ok.setEnabled(unfinished > 0)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(about)
        lay.addWidget(QLabel("To:"))
        lay.addWidget(self.receivers)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

    def chosen(self) -> list[str]:
        out = []
        for i in range(self.receivers.count()):
            item = self.receivers.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def _accept(self) -> None:
        if not self.chosen():
            self.error.setText("Check at least one annotator to take the documents.")
            return
        self.accept()
