"""The document labels on a pane's title line.

The current annotator's labels of the whole document sit on a button whose menu (Ctrl+Shift+D
in the window) checks and unchecks them; teammates' are shown beside it, read-only, when
their spans are shown. The widgets go into the pane's title row; this object keeps what
they show and says when the annotator gives or takes back a label.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMenu, QSizePolicy, QToolButton, QWidget

from annotator.gui.widgets.elided_label import ElidedLabel


class DocLabelsLine(QObject):
    toggled = Signal(str, bool)
    """label, given (True) or taken back (False): the annotator's own."""

    def __init__(self, parent: QWidget, *, annotator: Callable[[], str]) -> None:
        super().__init__(parent)
        self._annotator = annotator
        self.has_document = False
        self.label_names: list[str] = []
        self.labels: dict[str, list[str]] = {}
        """annotator -> labels of the whole document, as shown."""
        self.button = QToolButton(parent)
        self.button.setObjectName("docLabelsButton")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button.setAutoRaise(True)
        self.button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.menu = QMenu(self.button)
        self.menu.setObjectName("docLabelsMenu")
        self.button.setMenu(self.menu)
        self.menu.aboutToShow.connect(self._fill_menu)
        self.mine = ElidedLabel()  # mine; the line asks for no width of its own
        self.mine.setObjectName("myDocLabels")
        self.mine.hide()
        self.others = ElidedLabel()  # teammates' document labels, read-only
        self.others.setObjectName("othersDocLabels")
        self.others.hide()

    def my_labels(self) -> list[str]:
        me = self._annotator()
        return self.labels.get(me, []) if me else []

    def set(self, labels: dict[str, list[str]]) -> None:
        """The document's labels per annotator (what the viewer may see)."""
        self.labels = {who: sorted(v) for who, v in labels.items() if v}
        self.show()

    def show(self) -> None:
        """My document labels on the button, teammates' beside it."""
        mine = self.my_labels()
        me = self._annotator()
        self.button.setEnabled(self.has_document)
        self.button.setText("◆" if mine else "◇")  # short: panes share the width
        self.button.setToolTip(
            ("Your labels of the whole document: " + ", ".join(mine) if mine else "")
            + ("\n" if mine else "No label of the whole document yet.\n")
            + "Give or take back a label of the whole document (Ctrl+Shift+D)"
        )
        self.button.setAccessibleName("Document labels: " + (", ".join(mine) or "none"))
        self.mine.setText(", ".join(mine))
        self.mine.setVisible(bool(mine))
        others = [f"{who}: {', '.join(v)}" for who, v in self.labels.items() if who != me]
        self.others.setText(("▨ " + " · ".join(others) + " (read-only)") if others else "")
        self.others.setVisible(bool(others))

    def popup(self) -> QMenu:
        """Open the menu under the button (the keyboard way: arrows, Space or Enter checks
        a label, Esc closes)."""
        self.menu.popup(self.button.mapToGlobal(self.button.rect().bottomLeft()))
        return self.menu

    def _fill_menu(self) -> None:
        menu = self.menu
        menu.clear()
        mine = set(self.my_labels())
        names = self.label_names + sorted(mine - set(self.label_names))
        if not self.has_document or not names:
            menu.addAction("No labels yet (Edit ▸ Edit labels…)").setEnabled(False)
            return
        me = self._annotator()
        head = menu.addAction(
            f"Labels of the whole document ({me})" if me else "Labels of the whole document"
        )
        head.setEnabled(False)
        for name in names:
            act = menu.addAction(name)
            act.setCheckable(True)
            act.setChecked(name in mine)
            act.setObjectName(f"docLabel_{name}")
            act.toggled.connect(lambda on, n=name: self.toggled.emit(n, on))
