"""The line under a pane's header in passage mode: where I am and the passage's labels.

Suggested labels have a line of their own under it, kept by the suggestion controller
(annotator/gui/suggestions.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from annotator.core.model import Span
from annotator.gui.widgets.elided_label import ElidedLabel


def labels_line(spans: Sequence[Span], me: str) -> str:
    """``MILITARY, ECONOMIC · alice: DIPLOMATIC`` for the spans on a passage."""
    mine = sorted({s.label for s in spans if s.annotator == me})
    others: dict[str, set[str]] = {}
    for s in spans:
        if s.annotator != me:
            others.setdefault(s.annotator, set()).add(s.label)
    bits = [", ".join(mine) if mine else "no label yet"]
    bits += [f"{who}: {', '.join(sorted(labels))}" for who, labels in sorted(others.items())]
    return " · ".join(bits)


class PassageBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.where = ElidedLabel()
        self.labels = ElidedLabel()
        self.labels.setObjectName("passageLabels")
        self.selected = ElidedLabel()
        """While a span is selected: that label keys act on it, and Esc goes back."""
        self.selected.setObjectName("passageSelected")
        self.selected.setStyleSheet("font-weight: bold")
        self.selected.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.where)
        row.addWidget(self.labels, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 2, 8, 2)
        lay.setSpacing(0)
        lay.addLayout(row)
        lay.addWidget(self.selected)

    def show_selected(self, text: str) -> None:
        """The selected span's line ('' hides it)."""
        self.selected.setText(text)
        self.selected.setVisible(bool(text))

    def show_passage(
        self,
        *,
        kind: str,
        index: int,
        total: int,
        labels: str,
        advance: bool,
    ) -> None:
        arrow = " ⇢" if advance else ""
        self.where.setText(f"{kind.capitalize()} {index + 1} of {total}{arrow} ·")
        self.where.setToolTip(
            "Tag and advance is on: a label key tags the passage and moves on (T turns it off)"
            if advance
            else "Tag and advance is off: J moves on (T turns it on)"
        )
        self.labels.setText(labels)
