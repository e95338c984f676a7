"""Team ▸ Assign documents…: the study plan (who, how much overlap, k, seed) and blind mode."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError
from annotator.core.study import StudyPlan


class AssignDialog(QDialog):
    def __init__(
        self,
        annotators: Sequence[str],
        plan: StudyPlan | None,
        *,
        blind: bool,
        unassigned: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("assignDialog")
        self.setWindowTitle("Assign documents")
        self.names = QLineEdit(", ".join(plan.annotators if plan else annotators))
        self.names.setPlaceholderText("ann, bob, cat")
        self.overlap = QDoubleSpinBox(minimum=0.0, maximum=1.0, singleStep=0.05, decimals=2)
        self.overlap.setValue(plan.overlap if plan else 0.25)
        self.per_document = QSpinBox(minimum=1, maximum=20)
        self.per_document.setValue(plan.per_document if plan else 2)
        self.seed = QSpinBox(minimum=0, maximum=2_000_000_000)
        self.seed.setValue(plan.seed if plan else 0)
        self.blind = QCheckBox(
            "Blind mode: annotators do not see each other's work on overlap "
            "documents until they mark them done"
        )
        self.blind.setChecked(blind)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Annotators (comma-separated)", self.names)
        form.addRow("Overlap (share of documents)", self.overlap)
        form.addRow("Annotators per overlap document", self.per_document)
        form.addRow("Seed", self.seed)
        about = QLabel(
            f"{unassigned} document(s) not assigned yet: each goes to one annotator, the "
            "overlap share to several, loads balanced by text length. Documents already "
            "assigned keep their annotators." + (" The stored plan is filled in." if plan else "")
        )
        about.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Assign")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(about)
        lay.addLayout(form)
        lay.addWidget(self.blind)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

    def plan(self) -> StudyPlan:
        names = tuple(n.strip() for n in self.names.text().split(",") if n.strip())
        return StudyPlan(names, self.overlap.value(), self.per_document.value(), self.seed.value())

    def _accept(self) -> None:
        try:
            self.plan().check()
        except AnnotatorError as exc:
            self.error.setText(
                str(exc)
                .replace("--per-document", "Annotators per overlap document")
                .replace("--overlap", "Overlap")
                .replace("--annotators A,B,C", "")
            )
            return
        self.accept()
