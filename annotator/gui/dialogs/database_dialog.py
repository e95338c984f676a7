"""File > Database…: which database this is, and which one to open next time.

The choice is stored in ``Settings.db_url`` and takes effect on restart. A PostgreSQL URL
must not carry a password: settings.json is a plain file, so the password comes from
~/.pgpass or PGPASSWORD at connect time instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from annotator import paths
from annotator.gui.window_fit import closes_on_keys
from annotator.settings import Settings

PG_HINT = "postgresql+psycopg://user@host/database"


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be saved, or None."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError as exc:
        return f"Not a database URL: {exc}."
    if parts.scheme.split("+")[0] not in ("postgresql", "postgres"):
        return f"A server URL starts with postgresql+psycopg:// (e.g. {PG_HINT})."
    secret_query = [k for k in parse_qs(parts.query) if "pass" in k.lower()]
    if password or secret_query:
        return (
            "This URL contains a password"
            + (f" (in ?{secret_query[0]}=)" if secret_query else "")
            + ". Settings are stored as plain text, so a password is never saved: remove it"
            " from the URL and put it in ~/.pgpass (or set PGPASSWORD) — the app reads it"
            " from there when it connects."
        )
    if not parts.hostname or not parts.path.strip("/"):
        return f"The URL needs a host and a database name, e.g. {PG_HINT}."
    return None


class DatabaseDialog(QDialog):
    def __init__(self, current: str, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        closes_on_keys(self)
        self.setObjectName("databaseDialog")
        self.setWindowTitle("Database")
        self.settings = settings
        self.saved_url: str | None = None
        self.current = QLabel(current)
        self.current.setObjectName("currentDatabase")
        self.default = QRadioButton(f"The default file ({paths.default_db_path()})")
        self.sqlite = QRadioButton("Another SQLite file:")
        self.postgres = QRadioButton("A PostgreSQL server:")
        self.group = QButtonGroup(self)
        for b in (self.default, self.sqlite, self.postgres):
            self.group.addButton(b)
        self.path = QLineEdit(placeholderText="/path/to/annotator.sqlite3")
        browse = QPushButton("Browse…")
        self.url = QLineEdit(placeholderText=PG_HINT)
        self.problem = QLabel(wordWrap=True)
        self.problem.setObjectName("databaseProblem")
        self.problem.setStyleSheet("color: #c62828")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        grid = QGridLayout()
        grid.addWidget(self.default, 0, 0, 1, 3)
        grid.addWidget(self.sqlite, 1, 0)
        grid.addWidget(self.path, 1, 1)
        grid.addWidget(browse, 1, 2)
        grid.addWidget(self.postgres, 2, 0)
        grid.addWidget(self.url, 2, 1, 1, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Now open:"))
        lay.addWidget(self.current)
        lay.addWidget(QLabel("Open next time:"))
        lay.addLayout(grid)
        note = "The change applies when you restart Annotator."
        if os.environ.get(paths.ENV_DB):
            note += f" ({paths.ENV_DB} is set and wins over this setting.)"
        lay.addWidget(QLabel(note + " Passwords go in ~/.pgpass or PGPASSWORD, never here."))
        lay.addWidget(self.problem)
        lay.addWidget(self.buttons)

        saved = settings.db_url
        if saved.startswith("sqlite:///"):
            self.sqlite.setChecked(True)
            self.path.setText(saved.removeprefix("sqlite:///"))
        elif saved:
            self.postgres.setChecked(True)
            self.url.setText(saved)
        else:
            self.default.setChecked(True)
        browse.clicked.connect(self._browse)
        self.path.textEdited.connect(lambda _t: self.sqlite.setChecked(True))
        self.url.textEdited.connect(lambda _t: self.postgres.setChecked(True))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "SQLite database",
            self.path.text(),
            "SQLite (*.sqlite3 *.db);;All files (*)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.path.setText(path)
            self.sqlite.setChecked(True)

    def chosen_url(self) -> tuple[str, str | None]:
        """(URL to store, or why not)."""
        if self.default.isChecked():
            return "", None
        if self.sqlite.isChecked():
            text = self.path.text().strip()
            if not text:
                return "", "Choose the SQLite file."
            path = Path(text).expanduser()
            if not path.parent.is_dir():
                return "", f"The folder {path.parent} does not exist."
            return paths.sqlite_url(path.resolve()), None
        url = self.url.text().strip()
        return url, url_problem(url)

    def save(self) -> None:
        url, problem = self.chosen_url()
        if problem:
            self.problem.setText(problem)
            return
        self.settings.db_url = url
        self.settings.save()
        self.saved_url = url
        self.accept()
