"""The project guideline in the window (issue 22): the dock beside the text follows
`annotator guideline set` run elsewhere without a restart (live: on window activation and on
its poll), older versions, the F1 tab, the label editor's button, the agreement window's
version control, and a tag made by keys recording the version in force."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication

from annotator.cli import main as cli
from annotator.core.model import DocumentStatus
from annotator.gui.dialogs.shortcuts_dialog import ShortcutsDialog

ARTICLE = "Troops crossed the river at dawn. Envoys met in Geneva. Sanctions hit the banks."
GUIDE_1 = "# Guideline\n\n## MILITARY\nArmed force: troops, weapons.\n"
GUIDE_2 = GUIDE_1 + "\n## ECONOMIC\nSanctions count as **ECONOMIC** from now on.\n"


def _set_from_cli(db_url: str, tmp_path: Path, text: str, name: str) -> None:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    assert cli(["--db", db_url, "guideline", "set", str(f), "--author", "lena"]) == 0


def _header(win) -> str:
    return win.guideline.view.header.text()


def _activate(win) -> None:
    QApplication.sendEvent(win, QEvent(QEvent.Type.WindowActivate))


def test_dock_follows_a_guideline_set_from_the_command_line_live(
    qtbot, make_window, db_url, tmp_path
):
    win = make_window()
    dock = win.guideline.dock
    # View > Guideline toggles it; at first it is a tab beside the span list.
    act = win.actions_by_name["guideline"]
    view_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    assert act in view_menu.actions() and act.shortcut().toString() == "Ctrl+Shift+H"
    assert dock in win.tabifiedDockWidgets(win.spans_dock)
    win.actions_by_name["guideline_help"].trigger()  # Help > Project guideline
    qtbot.waitUntil(dock.isVisible)
    qtbot.waitUntil(lambda: "No project guideline yet" in win.guideline.view.browser.toPlainText())

    _set_from_cli(db_url, tmp_path, GUIDE_1, "v1.md")
    _activate(win)  # the user comes back to the window
    qtbot.waitUntil(lambda: "Version 1</b> (in force)" in _header(win), timeout=5_000)
    assert "Armed force: troops, weapons." in win.guideline.view.browser.toPlainText()
    assert "lena" in _header(win)
    assert "Guideline version 1 is now in force" in win.statusBar().currentMessage()

    # Without any user action: the dock's poll picks up the next version.
    win.guideline.timer.setInterval(50)
    _set_from_cli(db_url, tmp_path, GUIDE_2, "v2.md")
    qtbot.waitUntil(lambda: "Version 2</b> (in force)" in _header(win), timeout=5_000)
    text = win.guideline.view.browser.toPlainText()
    assert "Sanctions count as ECONOMIC from now on." in text  # rendered: no ** left
    assert "**" not in text

    # Older versions: the header's link lists them; choosing one shows it as not in force.
    menu = win.guideline.view.versions_menu()
    assert [a.text() for a in menu.actions()] == ["Version 2 (in force)", "Version 1"]
    win.guideline.timer.stop()
    menu.actions()[1].trigger()
    qtbot.waitUntil(lambda: "Version 1</b> (not in force; version 2 is" in _header(win))
    assert "Sanctions" not in win.guideline.view.browser.toPlainText()
    win.guideline.view.header.linkActivated.emit("current")
    assert "Version 2</b> (in force)" in _header(win)

    # Hidden with View > Guideline, shown again with it.
    act.trigger()
    qtbot.waitUntil(lambda: not dock.isVisible())
    act.trigger()
    qtbot.waitUntil(dock.isVisible)


def test_f1_has_a_guideline_tab_and_the_label_editor_opens_the_guideline(
    qtbot, make_window, ws, tmp_path, db_url
):
    ws.guidelines.set(GUIDE_2, author="lena")
    win = make_window()
    win.guideline.dock.hide()
    win.activateWindow()
    qtbot.keyClick(win, Qt.Key.Key_F1)
    dlg = win.findChild(ShortcutsDialog, "shortcutsDialog")
    assert dlg is not None and dlg.tabs is not None
    assert [dlg.tabs.tabText(i) for i in range(dlg.tabs.count())] == [
        "Keyboard shortcuts",
        "Guideline",
    ]
    view = dlg.tabs.widget(1)
    qtbot.waitUntil(lambda: "Version 1</b> (in force)" in view.header.text())
    assert "Sanctions count as ECONOMIC" in view.browser.toPlainText()
    dlg.close()

    labels = win.edit_labels()
    assert labels.form.labelForField(labels.description).text() == "Description"
    qtbot.mouseClick(labels.guideline_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(win.guideline.dock.isVisible)
    labels.close()


def test_keys_tag_under_the_version_in_force_and_agreement_window_limits_to_one(
    qtbot, make_window, ws, import_doc, fresh, tmp_path, db_url
):
    doc = import_doc(ARTICLE)
    win = make_window()
    from conftest import open_in
    from test_tagging import find_and_select

    pane = open_in(qtbot, win, doc)
    pane.view.setFocus()
    find_and_select(qtbot, pane, "Troops crossed the river")
    qtbot.keyClick(pane.view, Qt.Key.Key_1)
    _set_from_cli(db_url, tmp_path, GUIDE_1, "v1.md")
    find_and_select(qtbot, pane, "Sanctions hit the banks")
    qtbot.keyClick(pane.view, Qt.Key.Key_3)
    got = {
        (ARTICLE[s.start : s.end], s.guideline_version)
        for s in fresh().annotations.spans(doc, annotators=("alice",))
    }
    assert got == {("Troops crossed the river", None), ("Sanctions hit the banks", 1)}

    # bob tags the same under version 1: the agreement window offers the version.
    start = ARTICLE.index("Sanctions hit the banks")
    ws.annotations.add(doc, start=start, end=start + 23, label="ECONOMIC", annotator="bob")
    for who in ("alice", "bob"):
        ws.annotations.set_status(doc, who, DocumentStatus.DONE)
    from annotator.gui.widgets.agreement_window import AgreementWindow

    agreement = AgreementWindow(ws)
    qtbot.addWidget(agreement)
    box = agreement.guideline_version
    assert [box.itemText(i) for i in range(box.count())] == [
        "every version",
        "version 1 (in force)",
    ]
    assert agreement.query().guideline_version is None
    box.setCurrentIndex(1)
    assert agreement.query().guideline_version == 1
    agreement.bootstrap.setValue(0)
    agreement.run()
    qtbot.waitUntil(lambda: agreement.report is not None, timeout=10_000)
    report = agreement.report
    assert "only guideline version 1" in report.policies["guideline"]
    # alice's layer mixes no version and version 1: left out, so no pair is left to compare.
    assert any("not covered by alice" in n for n in report.notes)
