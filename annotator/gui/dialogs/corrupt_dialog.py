"""A damaged (or not-a-database) file at the database path, found on start-up.

Names the file, says it was not touched, and offers: restore the newest backup (the
damaged file's bytes are kept beside the backups first; BackupService.restore), open a
different database file, or quit. The dialog itself never writes to the damaged file.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from annotator.gui.window_fit import closes_on_keys
from annotator.services.opening import CorruptDatabaseError


class CorruptChoice(Enum):
    QUIT = "quit"
    RESTORE = "restore"
    OPEN_OTHER = "open_other"


class CorruptDatabaseDialog(QDialog):
    def __init__(self, error: CorruptDatabaseError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        closes_on_keys(self)
        self.setObjectName("corruptDatabaseDialog")
        self.setWindowTitle("The database cannot be opened")
        self.error = error
        self.choice = CorruptChoice.QUIT
        newest = error.newest
        if newest is not None:
            when = newest.created.astimezone().strftime("%Y-%m-%d %H:%M")
            offer = (
                f"The newest backup is <b>{newest.name}</b> ({newest.kind}, {when}). "
                "Restoring it puts it in place of the damaged file; the damaged file's "
                "bytes are kept in the backup folder first."
            )
        else:
            offer = "There is no backup of this database. You can open a different database file."
        self.message = QLabel(
            f"<p>The database file<br><b>{_esc(str(error.path))}</b><br>cannot be used: "
            f"{_esc(error.problem)}.</p>"
            "<p>It was <b>not changed</b>: Annotator left it exactly as it is.</p>"
            f"<p>{offer}</p>"
        )
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.restore_button = None
        if newest is not None:
            self.restore_button = self.buttons.addButton(
                "Restore newest backup", QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.restore_button.clicked.connect(lambda: self._choose(CorruptChoice.RESTORE))
        self.open_button = self.buttons.addButton(
            "Open another database…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_button.clicked.connect(lambda: self._choose(CorruptChoice.OPEN_OTHER))
        self.quit_button = self.buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.clicked.connect(lambda: self._choose(CorruptChoice.QUIT))
        lay = QVBoxLayout(self)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def _choose(self, choice: CorruptChoice) -> None:
        self.choice = choice
        if choice is CorruptChoice.QUIT:
            self.reject()
        else:
            self.accept()


def _esc(text: str) -> str:
    from html import escape

    return escape(text)
