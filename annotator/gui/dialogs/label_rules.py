"""The label dialog's seed-rules section: words and patterns that propose the selected label."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.undo import ServiceCommand
from annotator.services.suggestion_commands import SetRulesCommand

if TYPE_CHECKING:  # the service module imports numpy; the dialog only needs the type
    from annotator.services.suggestions import SuggestionService

HELP = (
    "One rule a line: a word or phrase (<code>peace talks</code>), <code>*</code> for any "
    "letters (<code>sanction*</code>), or <code>/regex/</code>. Before the model has "
    "learnt a label, passages its rules match are suggested; afterwards the model weighs them."
)


class RulesEditor(QWidget):
    """Edits the rules of the label selected in the dialog's list; saving is one undo step."""

    def __init__(
        self,
        service: SuggestionService,
        run: Callable[[ServiceCommand, Callable[[Exception], None]], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._run = run
        self.label = ""
        self.text = QPlainTextEdit(objectName="rulesEdit")
        self.text.setPlaceholderText("sanction*\nbudget\n/\\bGDP\\b/")
        self.text.setMaximumHeight(90)
        self.save_button = QPushButton("Save rules")
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: #d9534f")
        hint = QLabel(HELP, wordWrap=True)
        hint.setTextFormat(Qt.TextFormat.RichText)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in (self.text, hint, self.save_button, self.error):
            lay.addWidget(w)
        self.save_button.clicked.connect(self.save)

    def show_label(self, name: str) -> None:
        self.label = name
        self.error.clear()
        lines = self._service.rules().get(name, []) if name else []
        self.text.setPlainText("\n".join(lines))
        self.setEnabled(bool(name))

    def save(self) -> bool:
        if not self.label:
            return False
        failed: list[Exception] = []
        ok = self._run(
            SetRulesCommand(self._service, self.label, self.text.toPlainText()), failed.append
        )
        self.error.setText("" if ok else (str(failed[0]) if failed else "Not saved."))
        return ok


def install_rules_editor(
    dialog: QWidget,
    service: SuggestionService,
    run: Callable[[ServiceCommand, Callable[[Exception], None]], bool],
) -> RulesEditor:
    """Add the section under the label form; it follows the list's current label."""
    editor = RulesEditor(service, run, dialog)
    dialog.form.addRow("Seed rules", editor)  # type: ignore[attr-defined]
    items = dialog.list  # type: ignore[attr-defined]

    def follow(item: QListWidgetItem | None) -> None:
        editor.show_label(item.text() if item is not None else "")

    items.currentItemChanged.connect(lambda cur, _prev: follow(cur))
    follow(items.currentItem())
    dialog.resize(dialog.width(), max(dialog.height(), 520))
    return editor
