"""The confirmation before accepting a document's confident suggestions: per label, the
out-of-fold precision it was chosen for, and how many passages it will tag."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class PreAnnotateDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        document: str,
        rows: Sequence[tuple[str, float, float, int]],
        left_out: dict[str, str],
        passages: int,
        min_precision: float,
        walk_past: bool = False,
    ) -> None:
        """``rows``: (label, out-of-fold precision, threshold, passages to tag)."""
        super().__init__(parent)
        self.setObjectName("preAnnotateDialog")
        self.setWindowTitle("Accept confident suggestions")
        lay = QVBoxLayout(self)
        intro = QLabel(
            f"Tag <b>{passages}</b> passage(s) of <b>{document}</b> with the suggestions the "
            f"model is sure of: only labels whose precision on passages it did not train on "
            f"(out-of-fold) is at least {min_precision:.0%}. The spans are yours, marked "
            "<i>suggested</i>; one Undo takes them all back. A passage is tagged only when "
            "the model is that sure of every label it knows, present or absent: one with a "
            "label in doubt is left for you."
            + (
                " In passage mode J, K and tag-and-advance then walk past the tagged "
                "passages (Suggestions ▸ Walk past pre-tagged passages)."
                if walk_past
                else ""
            )
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.table = QTableWidget(len(rows) + len(left_out), 4, self)
        self.table.setObjectName("preAnnotateTable")
        self.table.setHorizontalHeaderLabels(
            ["Label", "Out-of-fold precision", "Threshold", "Passages to tag"]
        )
        self.table.verticalHeader().setVisible(False)
        for i, (label, precision, threshold, n) in enumerate(rows):
            for j, value in enumerate((label, f"{precision:.2f}", f"{threshold:.2f}", str(n))):
                self.table.setItem(i, j, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()  # before the long "left out" rows
        for k, (label, why) in enumerate(left_out.items(), start=len(rows)):
            self.table.setItem(k, 0, QTableWidgetItem(label))
            item = QTableWidgetItem(f"left out: {why}")
            item.setToolTip(why)
            self.table.setItem(k, 1, item)
            self.table.setSpan(k, 1, 1, 3)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(True)
        self.table.resizeRowsToContents()
        self.table.setMinimumWidth(600)
        lay.addWidget(self.table)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(f"Tag {passages} passage(s)")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(passages > 0)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
