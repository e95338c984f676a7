"""The keyboard shortcut sheet (F1), built from ``keymap.SHEET``, and a tab with the project
guideline when the window has one (``gui.guideline_dock``)."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.keymap import SHEET
from annotator.gui.window_fit import closes_on_keys, fit_window


def sheet_html() -> str:
    parts = []
    for title, rows in SHEET:
        parts.append(f"<h3>{escape(title)}</h3><table cellspacing='0' cellpadding='3'>")
        parts += [
            f"<tr><td width='170'><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in rows
        ]
        parts.append("</table>")
    return "".join(parts)


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, guideline: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.browser = QTextBrowser()
        self.browser.setHtml(sheet_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        self.tabs: QTabWidget | None = None
        if guideline is None:
            lay.addWidget(self.browser)
        else:
            self.setWindowTitle("Keyboard shortcuts and guideline")
            self.tabs = QTabWidget()
            self.tabs.setObjectName("helpTabs")
            self.tabs.addTab(self.browser, "Keyboard shortcuts")
            self.tabs.addTab(guideline, "Guideline")
            lay.addWidget(self.tabs)
        lay.addWidget(buttons)
        fit_window(self, 620, 640)
        closes_on_keys(self)
