"""The Team menu (agreement, comparison) and File > Database…, added to a main window.

Kept out of main_window.py: ``install_team_menu(window)`` is the one call it makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from annotator.gui.dialogs.compare_dialog import CompareDialog
from annotator.gui.dialogs.database_dialog import DatabaseDialog
from annotator.gui.keymap import TEAM_MENU

if TYPE_CHECKING:
    # Imported when first opened: the agreement window brings numpy and the agreement
    # package, which would cost every start-up ~150 ms (docs/benchmarks.md, cold start).
    from annotator.gui.widgets.agreement_window import AgreementWindow, ComparisonRequest
    from annotator.gui.widgets.comparison_window import ComparisonWindow

KEYS = TEAM_MENU


class TeamActions(QObject):
    """Opens the team windows of one main window and closes them with it."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.agreement: AgreementWindow | None = None
        self.comparisons: list[ComparisonWindow] = []
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            for w in [*self.comparisons, self.agreement]:
                if w is not None:
                    w.close()
        return False

    def open_agreement(self) -> AgreementWindow:
        from annotator.gui.widgets.agreement_window import AgreementWindow

        if self.agreement is None:
            self.agreement = AgreementWindow(
                self.window.ws, self.window, viewer=self.window.settings.annotator
            )
            self.agreement.comparisonRequested.connect(self._compare_request)
            self.agreement.destroyed.connect(lambda: setattr(self, "agreement", None))
            self.agreement.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.agreement.run()
        self.agreement.show()
        self.agreement.raise_()
        self.agreement.activateWindow()
        return self.agreement

    def _compare_request(self, req: ComparisonRequest) -> None:
        self.open_comparison(
            req.document_id,
            req.annotators,
            select=req.select,
            mode=req.mode,
            threshold=req.threshold,
        )

    def open_comparison(
        self,
        document_id: int | None = None,
        annotators: Sequence[str] = (),
        *,
        select: tuple[int, int] | None = None,
        mode: str = "overlap",
        threshold: float = 0.5,
    ) -> ComparisonWindow | None:
        """Compare ``annotators`` (default: the first two people) on a document (default: the
        current pane's)."""
        from annotator.gui.widgets.comparison_window import ComparisonWindow

        win = self.window
        names = tuple(annotators) or tuple(win.ws.agreement.annotators()[:2])
        if len(names) < 2:
            win.statusBar().showMessage("Comparing needs two annotators with spans.", 6000)
            return None
        if document_id is None:
            pane = win.reading.current
            document_id = pane.document_id if pane is not None else None
        if document_id is None:
            win.statusBar().showMessage("Open a document first.", 5000)
            return None
        if document_id in win.ws.study.blind_rule(win.settings.annotator).documents:
            # Blind mode (issue 22): an annotator of the study compares an overlap document
            # only once they have finished it; leads (not in the plan) are not held back.
            win.statusBar().showMessage(
                "Blind mode: mark this document done before you compare it with teammates.",
                8000,
            )
            return None
        view = ComparisonWindow(
            win.ws,
            win.settings,
            win.doc_model,
            annotators=names,
            mode=mode,  # type: ignore[arg-type]
            threshold=threshold,
            parent=win,
        )
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.comparisons.append(view)
        view.destroyed.connect(lambda _o=None, v=view: self._forget(v))
        view.open_document(document_id, select=select)
        view.show()
        view.activateWindow()
        return view

    def compare_from_menu(self) -> CompareDialog | ComparisonWindow | None:
        """Team > Compare annotators: with more than two people to choose from, ask whom."""
        names = tuple(self.window.ws.agreement.annotators())
        if len(names) <= 2:
            return self.open_comparison(annotators=names)
        dlg = CompareDialog(names, names[:2], self.window)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.accepted.connect(lambda: self.open_comparison(annotators=dlg.chosen()))
        dlg.open()
        return dlg

    def _forget(self, view: ComparisonWindow) -> None:
        if view in self.comparisons:
            self.comparisons.remove(view)

    def database(self) -> DatabaseDialog:
        dlg = DatabaseDialog(self.window.ws.display_url, self.window.settings, self.window)
        dlg.accepted.connect(
            lambda: self.window.statusBar().showMessage(
                "Database saved: Annotator opens it when you restart.", 10_000
            )
        )
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg


def _menu_titled(window: QMainWindow, title: str) -> QAction | None:
    for act in window.menuBar().actions():
        if act.text().replace("&", "") == title:
            return act
    return None


def install_team_menu(window: QMainWindow) -> TeamActions:
    """Add Team > Agreement…, Team > Compare annotators… and File > Database…."""
    team = TeamActions(window)
    menu = QMenu("&Team", window)
    menu.setObjectName("menu_team")
    for name, text, slot in (
        ("agreement", "&Agreement…", team.open_agreement),
        ("compare", "&Compare annotators…", team.compare_from_menu),
    ):
        act = QAction(text, window)
        act.setObjectName(f"action_{name}")
        act.setShortcut(QKeySequence(KEYS[name]))
        act.triggered.connect(slot)
        window.addAction(act)
        menu.addAction(act)
        window.actions_by_name[name] = act
    help_menu = _menu_titled(window, "Help")
    if help_menu is not None:
        window.menuBar().insertMenu(help_menu, menu)
    else:
        window.menuBar().addMenu(menu)
    db = QAction("&Database…", window)
    db.setObjectName("action_database")
    db.triggered.connect(team.database)
    window.actions_by_name["database"] = db
    file_menu = _menu_titled(window, "File")
    if file_menu is not None:
        quit_action = window.actions_by_name.get("quit")
        file_menu.menu().insertAction(quit_action, db)
        file_menu.menu().insertSeparator(quit_action)
    return team
