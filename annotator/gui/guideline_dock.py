"""The project guideline beside the text: a dock rendering the version in force from Markdown,
with its number and author and a link to older versions; View > Guideline (Ctrl+Shift+H)
toggles it, Help > Project guideline and the F1 sheet's Guideline tab show it too.

The dock follows a new version without a restart: it re-reads the version in force (one
small query, off the GUI thread) when it is shown, when the window is activated, and every
``POLL_MS`` while it is visible, so a lead's ``annotator guideline set`` reaches every open
window. Which version a span records is decided by the database when the span is stored,
never by what the dock shows.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMenu,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import Guideline
from annotator.gui.workers import TaskRunner

if TYPE_CHECKING:
    from annotator.gui.main_window import MainWindow
    from annotator.services.guidelines import GuidelineService

POLL_MS = 15_000
SHORTCUT = "Ctrl+Shift+H"
NO_GUIDELINE = (
    "<p><b>No project guideline yet.</b></p>"
    "<p>A lead writes it in Markdown (each label's definition and examples) and stores it "
    "with <code>annotator guideline set FILE</code>; it then shows here, and every span "
    "records the version in force when it was made.</p>"
)


def _when(g: Guideline) -> str:
    return g.created_at.strftime("%Y-%m-%d %H:%M") if g.created_at else ""


class GuidelineView(QWidget):
    """One guideline version rendered from Markdown, under a line naming the version."""

    currentChanged = Signal(object)
    """The version in force changed (a Guideline), after the first load."""

    def __init__(
        self,
        guidelines: GuidelineService,
        parent: QWidget | None = None,
        *,
        runner: TaskRunner | None = None,
    ) -> None:
        """``runner``: the window's, so that closing the window waits for a read in flight."""
        super().__init__(parent)
        self._service = guidelines
        self._runner = runner or TaskRunner(self)
        self.current: Guideline | None = None
        """The version in force, as last read."""
        self.shown: Guideline | None = None
        """The version on screen (the one in force unless an older one was chosen)."""
        self._loaded = False
        self._reading = False
        self._again = False
        self.header = QLabel()
        self.header.setObjectName("guidelineHeader")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.linkActivated.connect(self._link)
        self.browser = QTextBrowser()
        self.browser.setObjectName("guidelineBrowser")
        self.browser.setOpenExternalLinks(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.header)
        lay.addWidget(self.browser, 1)
        self._render()

    # --- loading ---------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the version in force off the GUI thread; a new one is shown at once
        (unless an older version is being read: its header then says a newer one is in force)."""
        if self._reading:
            self._again = True  # the answer in flight may predate what was asked
            return
        self._reading = True
        svc = self._service
        self._runner.start(
            lambda _progress: svc.current(), finished=self._got_current, failed=self._failed
        )

    def _got_current(self, found: Guideline | None) -> None:
        self._read_done()
        before, self.current = self.current, found
        changed = (before.version if before else None) != (found.version if found else None)
        first = not self._loaded
        self._loaded = True
        if self.shown is None or self.shown == before or first:
            self.shown = found
        self._render()
        if changed and not first:
            self.currentChanged.emit(found)

    def _read_done(self) -> None:
        self._reading = False
        if self._again:
            self._again = False
            QTimer.singleShot(0, self.refresh)

    def _failed(self, message: str) -> None:
        self._read_done()
        self._show_failure(message)

    def _show_failure(self, message: str) -> None:
        self.header.setText(f"<i>The guideline could not be read: {escape(message)}</i>")

    def show_version(self, version: int) -> None:
        """Show an older (or the current) version, read off the GUI thread."""
        svc = self._service

        def shown(g: Guideline) -> None:
            self.shown = g
            self._render()

        self._runner.start(
            lambda _progress: svc.get(version), finished=shown, failed=self._show_failure
        )

    # --- showing ---------------------------------------------------------------------

    def _render(self) -> None:
        g, cur = self.shown, self.current
        if g is None:
            self.header.setText("<b>Guideline</b>")
            self.browser.setHtml(NO_GUIDELINE)
            return
        by = f" · {escape(g.author)}" if g.author else ""
        when = f" · {_when(g)}" if g.created_at else ""
        if cur is not None and g.version == cur.version:
            status = "in force"
        else:
            newest = cur.version if cur is not None else "?"
            status = f"not in force; version {newest} is · <a href='current'>show it</a>"
        links = " · <a href='versions'>older versions</a>" if (cur and cur.version > 1) else ""
        self.header.setText(f"<b>Version {g.version}</b> ({status}){by}{when}{links}")
        self.browser.setMarkdown(g.text)

    def _link(self, href: str) -> None:
        if href == "current" and self.current is not None:
            self.shown = self.current
            self._render()
        elif href == "versions":
            self.versions_menu().popup(self.header.mapToGlobal(self.header.rect().bottomLeft()))

    def versions_menu(self) -> QMenu:
        """Every version, newest first; choosing one shows it."""
        menu = QMenu(self)
        menu.setObjectName("guidelineVersions")
        newest = self.current.version if self.current is not None else 0
        for v in range(newest, 0, -1):
            act = menu.addAction(f"Version {v}" + (" (in force)" if v == newest else ""))
            act.triggered.connect(lambda _checked=False, n=v: self.show_version(n))
        return menu


class GuidelineDock(QObject):
    """The dock, its View and Help menu entries, and what keeps it up to date."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view = GuidelineView(window.ws.guidelines, runner=window.runner)
        self.dock = QDockWidget("Guideline", window)
        self.dock.setObjectName("dock_guideline")
        self.dock.setWidget(self.view)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        spans = getattr(window, "spans_dock", None)
        if _in_saved_layout(window, self.dock):
            window.restoreDockWidget(self.dock)  # where the user left it
        elif spans is not None:
            # First start with this dock: a tab beside the span list, which stays in front.
            window.tabifyDockWidget(spans, self.dock)
            spans.raise_()
        self.action = self.dock.toggleViewAction()
        self.action.setText("&Guideline")
        self.action.setObjectName("action_guideline")
        self.action.setShortcut(QKeySequence(SHORTCUT))
        window.addAction(self.action)
        window.actions_by_name["guideline"] = self.action
        help_action = QAction("Project &guideline", window)
        help_action.setObjectName("action_guideline_help")
        help_action.triggered.connect(self.show_dock)
        window.actions_by_name["guideline_help"] = help_action
        for title, act in (("View", self.action), ("Help", help_action)):
            menu = _menu(window, title)
            if menu is not None:
                menu.addAction(act)
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self._poll)
        self.timer.start()
        self.dock.visibilityChanged.connect(lambda visible: visible and self.view.refresh())
        self.view.currentChanged.connect(self._announce)
        window.installEventFilter(self)
        self.view.refresh()

    def show_dock(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.view.refresh()

    def make_view(self) -> GuidelineView:
        """Another view of the same guideline (the F1 sheet's Guideline tab)."""
        view = GuidelineView(self.window.ws.guidelines)
        view.refresh()
        return view

    def _poll(self) -> None:
        if self.dock.isVisible():
            self.view.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.WindowActivate:
            self._poll()
        return False

    def _announce(self, g: Guideline | None) -> None:
        if g is not None:
            by = f" (set by {g.author})" if g.author else ""
            self.window.statusBar().showMessage(
                f"Guideline version {g.version} is now in force{by}: new spans record it.", 10_000
            )


def _in_saved_layout(window: MainWindow, dock: QDockWidget) -> bool:
    """Whether the window's saved state (QMainWindow.saveState) places this dock: the state
    names each dock by its object name, in UTF-16."""
    state = window.layout_settings.value("state")
    if state is None:
        return False
    raw = bytes(state.data()) if isinstance(state, QByteArray) else bytes(state)
    return dock.objectName().encode("utf-16-be") in raw


def _menu(window: MainWindow, title: str) -> QMenu | None:
    for act in window.menuBar().actions():
        if act.menu() is not None and act.text().replace("&", "") == title:
            return act.menu()
    return None


def install_guideline(window: MainWindow) -> GuidelineDock:
    return GuidelineDock(window)
