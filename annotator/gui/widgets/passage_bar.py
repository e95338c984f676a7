"""The line under a pane's header in passage mode: where I am, the passage's labels, suggestions.

Suggestions come from an optional provider (the assisted-annotation service plugs in
here): any callable taking the passage by keyword and returning ``(label, score)``
pairs, best first. The bar shows them and ``A`` accepts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from annotator.core.model import Span
from annotator.gui.widgets.elided_label import ElidedLabel

Suggestion = tuple[str, float]


class SuggestionsProvider(Protocol):
    """Suggested labels for one passage. Called on the GUI thread when a passage becomes
    current, so it must answer quickly (a cached or precomputed lookup)."""

    def __call__(
        self, *, document_id: int, start: int, end: int, text: str
    ) -> Sequence[Suggestion]: ...


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
        self.suggested = ElidedLabel()
        self.suggested.setObjectName("passageSuggestions")
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.where)
        top.addWidget(self.labels, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 2, 8, 2)
        lay.setSpacing(0)
        lay.addLayout(top)
        lay.addWidget(self.suggested)  # a line of its own, shown only with suggestions
        self.suggested.hide()

    def show_passage(
        self,
        *,
        kind: str,
        index: int,
        total: int,
        labels: str,
        suggestions: Sequence[Suggestion],
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
        if suggestions:
            shown = ", ".join(f"{label} {score:.0%}" for label, score in suggestions)
            self.suggested.setText(f"Suggested: {shown} — A accepts")
        else:
            self.suggested.setText("")
        self.suggested.setVisible(bool(suggestions))
