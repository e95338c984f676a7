"""File > Restore from backup…: pick a backup of the open database, confirm, restore.

The dialog only chooses; the window closes the workspace, restores and reopens it
(``annotator.gui.app_actions.restore_backup``), because a restore is refused while any
Annotator, this one included, has the database open.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.window_fit import closes_on_keys, fit_window
from annotator.services.backups import BackupInfo, BackupService

_KIND_TEXT = {
    "daily": "daily",
    "manual": "made by hand",
    "pre-migration": "before a schema upgrade",
    "pre-restore": "the database as it was before a restore",
}


class RestoreBackupDialog(QDialog):
    restoreRequested = Signal(str)
    """The name of the backup to restore, after the user confirmed."""

    def __init__(self, backups: BackupService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restoreBackupDialog")
        self.setWindowTitle("Restore from backup")
        self.service = backups
        self.backups: list[BackupInfo] = backups.list()
        intro = QLabel(
            f"Backups of <b>{backups.db_path}</b>, newest first. Restoring replaces the "
            "database with the chosen copy; the current database is saved as a "
            "<i>pre-restore</i> backup first, so a restore can itself be undone."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        for b in self.backups:
            when = b.created.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            item = QListWidgetItem(
                f"{when}   {_KIND_TEXT.get(b.kind, b.kind)}   {b.size / 1e6:.1f} MB"
            )
            item.setData(Qt.ItemDataRole.UserRole, b.name)
            item.setToolTip(str(b.path))
            self.list.addItem(item)
        self.empty = QLabel(f"No backups yet (they are kept in {backups.folder}).")
        self.empty.setVisible(not self.backups)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = self.buttons.addButton(
            "Restore…", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setEnabled(False)
        self.list.currentRowChanged.connect(lambda r: self.restore_button.setEnabled(r >= 0))
        self.list.itemDoubleClicked.connect(lambda _i: self.confirm())
        self.restore_button.clicked.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        if self.backups:
            self.list.setCurrentRow(0)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.list)
        lay.addWidget(self.empty)
        lay.addWidget(self.buttons)
        fit_window(self, 560, 380)
        closes_on_keys(self)
        self.confirmation: QMessageBox | None = None

    def selected(self) -> BackupInfo | None:
        row = self.list.currentRow()
        return self.backups[row] if 0 <= row < len(self.backups) else None

    def confirm(self) -> QMessageBox | None:
        chosen = self.selected()
        if chosen is None:
            return None
        when = chosen.created.astimezone().strftime("%Y-%m-%d %H:%M")
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Restore this backup?",
            f"Replace the database with the backup from {when}?\n\n"
            "Tags made since then will no longer be in the database (the current "
            "database is kept as a pre-restore backup). The window reopens afterwards.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("restoreConfirmation")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Restore")
        box.buttonClicked.connect(
            lambda b: (
                box.standardButton(b) == QMessageBox.StandardButton.Yes
                and self._confirmed(chosen.name)
            )
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirmation = box
        box.open()
        return box

    def _confirmed(self, name: str) -> None:
        self.accept()
        self.restoreRequested.emit(name)
