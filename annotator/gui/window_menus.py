"""The main window's own menus (File, Edit, View, Help), their actions and the toolbar.

``build(window)`` is the one call MainWindow makes; each action is kept in
``window.actions_by_name`` under its name in ``keymap.ACTIONS``, which gives its shortcut.
The slots are the window's, but for the View menu's toggles: those are here, with the two
calls that keep their check marks in step with the panes (``show_passage_mode``,
``sync_tag_and_advance``). Other menus are added from outside: the Team menu
(team_menu.py), study and adjudication entries, restore, user guide and about
(app_actions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from annotator.gui import keymap
from annotator.gui.icons import icon

if TYPE_CHECKING:  # for annotations only; at run time the window is handed in
    from annotator.gui.main_window import MainWindow


def _action(
    win: MainWindow,
    name: str,
    text: str,
    slot: Callable[..., Any],
    *,
    icon_name: str = "",
    checkable: bool = False,
) -> QAction:
    act = QAction(text, win)
    act.setObjectName(f"action_{name}")
    if name in keymap.ACTIONS:
        act.setShortcut(keymap.ACTIONS[name])
    if icon_name:
        act.setIcon(icon(icon_name))
    act.setCheckable(checkable)
    (act.toggled if checkable else act.triggered).connect(slot)
    win.addAction(act)
    win.actions_by_name[name] = act
    return act


def build(win: MainWindow) -> None:
    """The menus, their actions (into ``win.actions_by_name``) and the main toolbar."""

    a = partial(_action, win)
    undo = win.undo_histories.group.createUndoAction(win, "&Undo")
    undo.setShortcut(keymap.ACTIONS["undo"])
    undo.setIcon(icon("undo"))
    redo = win.undo_histories.group.createRedoAction(win, "&Redo")
    redo.setShortcuts([keymap.ACTIONS["redo"], QKeySequence("Ctrl+Y")])
    redo.setIcon(icon("redo"))
    win.actions_by_name.update(undo=undo, redo=redo)
    m = win.menuBar().addMenu("&File")
    m.addAction(a("import", "&Import files…", win.import_files, icon_name="import"))
    m.addAction(a("import_folder", "Import &folder…", win.import_folder))
    m.addAction(a("import_layer", "Import &teammate's work…", win.import_layer))
    m.addAction(a("export", "&Export…", win.export, icon_name="export"))
    m.addSeparator()
    m.addAction(a("quit", "&Quit", win.close))
    m = win.menuBar().addMenu("&Edit")
    m.addActions([undo, redo])
    m.addSeparator()
    m.addAction(a("find", "&Find in document…", win.find, icon_name="find"))
    m.addAction(a("search_corpus", "&Search corpus…", win.focus_corpus_search))
    m.addSeparator()
    m.addAction(a("mark_done", "Mark document &done", lambda: win.toggle_done(), icon_name="done"))
    m.addAction(a("doc_labels", "Document la&bels…", win.open_doc_labels))
    m.addAction(a("labels", "Edit &labels…", win.edit_labels, icon_name="labels"))
    m.addAction(a("annotator", "Switch &annotator…", lambda: win.ask_annotator()))
    m = win.menuBar().addMenu("&View")
    m.addAction(
        a(
            "passage",
            "&Passage mode",
            partial(_toggle_passage, win),
            icon_name="passage",
            checkable=True,
        )
    )
    m.addAction(
        a(
            "tag_and_advance",
            "&Tag and advance in passage mode (T)",
            partial(_toggle_tag_and_advance, win),
            checkable=True,
        )
    )
    m.addAction(a("snap", "Snap selections to &words", partial(_toggle_snap, win), checkable=True))
    m.addAction(
        a(
            "show_all",
            "Show &other annotators' spans",
            partial(_toggle_show_all, win),
            checkable=True,
        )
    )
    m.addAction(
        a("sync_scroll", "S&ynchronised scrolling", partial(_toggle_sync, win), checkable=True)
    )
    m.addSeparator()
    m.addAction(a("new_pane", "&New pane", win.new_pane, icon_name="pane-add"))
    m.addAction(a("close_pane", "&Close pane", win.close_pane))
    m.addAction(a("next_pane", "Next pane", lambda: win.reading.focus_next(1)))
    m.addAction(a("prev_pane", "Previous pane", lambda: win.reading.focus_next(-1)))
    m.addAction(a("corpus", "Go to &corpus", win.focus_corpus))
    m.addSeparator()
    for dock in (win.corpus_dock, win.labels_dock, win.spans_dock):
        m.addAction(dock.toggleViewAction())
    m = win.menuBar().addMenu("&Help")
    m.addAction(a("help", "&Keyboard shortcuts", win.show_shortcuts))
    win.actions_by_name["snap"].setChecked(win.settings.snap_to_words)
    win.actions_by_name["tag_and_advance"].setChecked(win.tag_and_advance)
    tb = win.addToolBar("Main")
    tb.setObjectName("toolbar_main")
    tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for name in (
        "import",
        "export",
        None,
        "undo",
        "redo",
        None,
        "new_pane",
        "passage",
        "mark_done",
        "find",
    ):
        tb.addSeparator() if name is None else tb.addAction(win.actions_by_name[name])


# --- the View menu's toggles ----------------------------------------------------------


def _check_quietly(act: QAction, on: bool) -> None:
    """Show a toggle's state without running its slot (the change came from elsewhere)."""
    act.blockSignals(True)
    act.setChecked(on)
    act.blockSignals(False)


def show_passage_mode(win: MainWindow, on: bool) -> None:
    """View > Passage mode shows whether the current pane is in passage mode."""
    _check_quietly(win.actions_by_name["passage"], on)


def sync_tag_and_advance(win: MainWindow, on: bool) -> None:
    """Tag and advance, turned on or off in one pane (T), is so in all and in the menu."""
    win.tag_and_advance = on
    _check_quietly(win.actions_by_name["tag_and_advance"], on)
    for pane in win.reading.panes:
        if pane.tag_and_advance != on:
            pane.tag_and_advance = on
            pane.refresh_passage_info()


def _toggle_tag_and_advance(win: MainWindow, on: bool) -> None:
    if win.reading.current is not None:
        win.reading.current.set_tag_and_advance(on)
    else:
        sync_tag_and_advance(win, on)


def _toggle_passage(win: MainWindow, on: bool) -> None:
    if win.reading.current is not None:
        win.reading.current.set_passage_mode(on)
        win.reading.current.view.setFocus()


def _toggle_snap(win: MainWindow, on: bool) -> None:
    win.settings.snap_to_words = on
    win.settings.save()
    for pane in win.reading.panes:
        pane.snap_to_words = on


def _toggle_show_all(win: MainWindow, on: bool) -> None:
    win.span_list.show_annotators(on)
    if on != win.show_all_annotators:
        win.show_all_annotators = on
        win.reload_panes()


def _toggle_sync(win: MainWindow, on: bool) -> None:
    win.reading.sync_scroll = on
