"""Help > About: the app version (annotator.__version__), the libraries and the database."""

from __future__ import annotations

from html import escape

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from annotator.gui.window_fit import closes_on_keys
from annotator.services import Workspace
from annotator.services.about import about_info


def about_rows(ws: Workspace | None) -> list[tuple[str, str]]:
    info = about_info(ws)
    rows = [
        ("Annotator", info.app_version + (" (bundle)" if info.frozen else "")),
        ("Python", info.python),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        *info.libraries.items(),
        ("Platform", info.platform),
    ]
    if ws is not None:
        rows += [("Database backend", info.backend), ("Database", info.database)]
    return rows


def about_text(ws: Workspace | None) -> str:
    """Plain text of the same rows: what "Copy" puts on the clipboard."""
    return "\n".join(f"{k}: {v}" for k, v in about_rows(ws))


class AboutDialog(QDialog):
    def __init__(self, ws: Workspace | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        closes_on_keys(self)
        self.setWindowTitle("About Annotator")
        table = "".join(
            f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in about_rows(ws)
        )
        self.text = QLabel(
            "<h2>Annotator</h2><p>Tag passages of articles and export training data.</p>"
            f"<table cellpadding='3'>{table}</table>"
        )
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setWordWrap(True)
        self.plain = about_text(ws)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self._copy)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addWidget(buttons)
        self.setMinimumWidth(520)

    def _copy(self) -> None:
        from PySide6.QtGui import QGuiApplication

        QGuiApplication.clipboard().setText(self.plain)
