"""The label dialog's seed-rules section: words and patterns that propose the selected label.

It has no save button of its own: the dialog's one Save stores the rules (when they
changed) together with the label's other fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidgetItem,
    QPlainTextEdit,
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
        self._loaded = ""
        self.text = QPlainTextEdit(objectName="rulesEdit")
        self.text.setMaximumHeight(90)
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: #d9534f")
        hint = QLabel(HELP, wordWrap=True)
        hint.setTextFormat(Qt.TextFormat.RichText)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in (self.text, hint, self.error):
            lay.addWidget(w)

    def show_label(self, name: str) -> None:
        self.label = name
        self.error.clear()
        lines = self._service.rules().get(name, []) if name else []
        self._loaded = "\n".join(lines)
        self.text.setPlainText(self._loaded)
        # A sentence, not example rules: grey "sanction*" in MILITARY's empty box read as
        # MILITARY's rules.
        self.text.setPlaceholderText(
            f"No seed rules for {name} yet. Add one a line (see below)."
            if name
            else "Save the new label first, then give it seed rules."
        )
        self.setEnabled(bool(name))

    def changed(self) -> bool:
        return self.text.toPlainText().strip() != self._loaded.strip()

    def save(self) -> bool:
        if not self.label:
            return False
        failed: list[Exception] = []
        ok = self._run(
            SetRulesCommand(self._service, self.label, self.text.toPlainText()), failed.append
        )
        self.error.setText("" if ok else (str(failed[0]) if failed else "Not saved."))
        if ok:
            self._loaded = self.text.toPlainText()
        return ok

    def save_if_changed(self) -> bool:
        """The dialog's Save, before the label's fields: False (and the reason shown) when the
        rules are refused, so nothing of the form is stored."""
        return self.save() if self.label and self.changed() else True


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
    dialog.before_save.append(editor.save_if_changed)  # type: ignore[attr-defined]
    dialog.resize(dialog.width(), max(dialog.height(), 520))
    return editor
