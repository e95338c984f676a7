"""Help > User guide: docs/user-guide.md rendered in a QTextBrowser, from the installed files.

The guide and its screenshots ship with the package (``paths.docs_dir()``: inside the wheel
or the bundle, else the source tree), so this works offline and without a browser.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from annotator import paths
from annotator.gui.window_fit import closes_on_keys, fit_window


class UserGuideDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("userGuideDialog")
        self.setWindowTitle("Annotator user guide")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        guide = paths.user_guide()
        self.missing = QLabel(f"The user guide is missing from this installation ({guide}).")
        if guide.is_file():
            self.browser.setSource(
                QUrl.fromLocalFile(str(guide)), QTextDocument.ResourceType.MarkdownResource
            )
        self.missing.setVisible(not guide.is_file())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        back = buttons.addButton("Back", QDialogButtonBox.ButtonRole.ActionRole)
        back.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(back.setEnabled)
        back.setEnabled(False)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.missing)
        lay.addWidget(self.browser)
        lay.addWidget(buttons)
        fit_window(self, 900, 760)
        closes_on_keys(self)
