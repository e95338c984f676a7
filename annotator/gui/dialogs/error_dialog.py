"""Unexpected exceptions: a short message, the details in the log, "Copy details" for a report.

``install_excepthook`` routes every uncaught exception (PySide6 hands exceptions raised in
slots and event handlers to ``sys.excepthook``) to ``report_exception``: the full report goes
to the log file, the user sees one sentence and can copy the scrubbed report
(``annotator.log.exception_report``: no passwords) to paste into a bug report.
"""

from __future__ import annotations

import logging
import sys
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.window_fit import closes_on_keys
from annotator.log import exception_report, log_file, scrub

log = logging.getLogger("annotator.gui")
_MAX_OPEN = 3  # a slot failing in a loop must not bury the user in dialogs
_open: list[ErrorDialog] = []


class ErrorDialog(QDialog):
    def __init__(self, exc: BaseException, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        closes_on_keys(self)
        self.setObjectName("unexpectedErrorDialog")
        self.setWindowTitle("Something went wrong")
        self.report = exception_report(exc)
        summary = scrub(f"{type(exc).__name__}: {exc}")
        if len(summary) > 300:
            summary = summary[:300] + "…"
        self.message = QLabel(
            "Annotator hit an unexpected error. Your tags saved so far are safe in the "
            "database; the action that failed may not have finished.\n\n"
            f"{summary}\n\nThe details were written to {log_file()}."
        )
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit(self.report, readOnly=True, visible=False)
        self.details.setMinimumHeight(220)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton("Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        show = buttons.addButton("Show details", QDialogButtonBox.ButtonRole.HelpRole)
        show.clicked.connect(lambda: self.details.setVisible(not self.details.isVisible()))
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.message)
        lay.addWidget(self.details)
        lay.addWidget(buttons)
        self.setMinimumWidth(520)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.report)
        self.copy_button.setText("Copied")


def report_exception(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    parent: QWidget | None = None,
) -> ErrorDialog | None:
    """Log the exception and show it; returns the dialog (None when no dialog can be shown)."""
    if exc.__traceback__ is None and tb is not None:
        exc = exc.with_traceback(tb)
    log.error("unexpected error:\n%s", exception_report(exc))
    if QApplication.instance() is None or len(_open) >= _MAX_OPEN:
        return None
    dlg = ErrorDialog(exc, parent or QApplication.activeWindow())
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _open.append(dlg)
    dlg.finished.connect(lambda _r, d=dlg: d in _open and _open.remove(d))
    dlg.open()
    return dlg


def _hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    try:
        report_exception(exc_type, exc, tb)
    except Exception:  # the hook itself must never raise
        sys.__excepthook__(exc_type, exc, tb)


def install_excepthook() -> None:
    sys.excepthook = _hook
