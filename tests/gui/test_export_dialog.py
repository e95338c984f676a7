"""The export dialog offers what the CLI does: format options, majority vote, seeded split."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt

from annotator.gui.dialogs.export_dialog import ExportDialog, importable
from annotator.gui.workers import TaskRunner


def _dialog(qtbot, ws) -> ExportDialog:
    runner = TaskRunner()
    dlg = ExportDialog(ws, runner, annotator="ann")
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_format_options_follow_the_chosen_format(qtbot, ws):
    dlg = _dialog(qtbot, ws)
    dlg.format.setCurrentText("conll")
    assert list(dlg.option_widgets) == ["overlap", "metadata", "docstart"]
    assert [dlg.option_widgets["overlap"].itemText(i) for i in range(2)] == ["longest", "layers"]
    dlg.format.setCurrentText("passages")
    assert set(dlg.option_widgets) == {"unit", "rule"}
    dlg.format.setCurrentText("jsonl")
    assert dlg.option_widgets == {}
    assert "JSONL" in dlg.format_title.text()


def test_split_majority_and_options_reach_the_export(qtbot, ws, import_doc, tmp_path):
    docs = [import_doc(f"Shelling of depot {i} continued overnight.") for i in range(10)]
    for d in docs:
        for who in ("ann", "bob", "cat"):
            ws.annotations.add(d, start=0, end=8, label="MILITARY", annotator=who)  # Shelling
        ws.annotations.add(d, start=12, end=17, label="ECONOMIC", annotator="ann")  # depot
    dlg = _dialog(qtbot, ws)
    dlg.format.setCurrentText("conll")
    dlg.option_widgets["overlap"].setCurrentText("layers")
    for i in range(dlg.annotators.count()):
        dlg.annotators.item(i).setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(dlg.majority, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dlg.split, "80/20")
    dlg.seed.setValue(7)
    dest = tmp_path / "out.conll"
    qtbot.keyClicks(dlg.dest, str(dest))
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=10_000)
    train, test = tmp_path / "out.train.conll", tmp_path / "out.test.conll"
    assert train.exists() and test.exists() and not dest.exists()
    both = train.read_text(encoding="utf-8") + test.read_text(encoding="utf-8")
    assert both.count("-DOCSTART-") == 10
    assert both.count("B-MILITARY") == 10
    assert "B-ECONOMIC" not in both  # the majority vote dropped ann's lone span
    # The same seed gives the same split from the CLI's side of the service.
    again = tmp_path / "again"
    ws.exporter.export(
        "conll",
        again / "out.conll",
        split=(80, 20),
        seed=7,
        majority=True,
        options={"overlap": "layers"},
    )
    assert (again / "out.train.conll").read_text() == train.read_text()


def test_a_bad_split_is_explained_not_run(qtbot, ws, tmp_path):
    dlg = _dialog(qtbot, ws)
    qtbot.keyClicks(dlg.split, "80/x")
    qtbot.keyClicks(dlg.dest, str(tmp_path / "o.jsonl"))
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert "Split" in dlg.status.text() and dlg.report is None
    assert not (tmp_path / "o.jsonl").exists()


def test_file_extension_follows_the_format_and_an_old_error_is_cleared(qtbot, ws, tmp_path):
    dlg = _dialog(qtbot, ws)
    dlg.format.setCurrentText("conll")
    qtbot.keyClicks(dlg.dest, str(tmp_path / "gui.conll"))
    qtbot.keyClicks(dlg.split, "80/x")
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert "Split" in dlg.status.text()
    dlg.format.setCurrentText("jsonl")
    assert dlg.dest.text() == str(tmp_path / "gui.jsonl")
    assert dlg.status.text() == ""
    dlg.format.setCurrentText("conll")
    assert dlg.dest.text() == str(tmp_path / "gui.conll")
    dlg.dest.setText(str(tmp_path / "mine.txt.bak"))  # a name of the user's own stays
    dlg.format.setCurrentText("jsonl")
    assert dlg.dest.text() == str(tmp_path / "mine.txt.bak")


def test_an_empty_test_split_is_written_with_a_warning(qtbot, ws, import_doc, tmp_path):
    for i in range(3):
        d = import_doc(f"Shelling of depot {i} continued overnight.")
        ws.annotations.add(d, start=0, end=8, label="MILITARY", annotator="ann")
    dlg = _dialog(qtbot, ws)
    dlg.format.setCurrentText("jsonl")
    qtbot.keyClicks(dlg.split, "80/10/10")
    qtbot.keyClicks(dlg.dest, str(tmp_path / "out.jsonl"))
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=10_000)
    empty = [n for n, part in dlg.report.parts.items() if part.documents == 0]
    assert empty, dlg.report.summary()
    assert dlg.status.text().startswith("Warning: the ")
    assert all(n in dlg.status.text().splitlines()[0] for n in empty)


def test_spacy_is_not_offered_when_it_cannot_be_imported(qtbot, ws, monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)  # as if not installed
    dlg = _dialog(qtbot, ws)
    row = dlg.format.findText("spacy")
    item = dlg.format.model().item(row)
    assert not item.isEnabled()
    assert "not installed" in item.toolTip()
    monkeypatch.delitem(sys.modules, "spacy")
    again = _dialog(qtbot, ws)
    if importable("spacy"):
        assert again.format.model().item(row).isEnabled()


def _open_export(qtbot, win) -> ExportDialog:
    win.actions_by_name["export"].trigger()
    dlg = win.findChild(ExportDialog, "exportDialog")
    assert dlg is not None and dlg.isVisible()
    return dlg


def _ticked(lst) -> list[str]:
    return [
        lst.item(i).text()
        for i in range(lst.count())
        if lst.item(i).checkState() == Qt.CheckState.Checked
    ]


def test_the_dialog_remembers_the_last_export(qtbot, ws, import_doc, make_window, tmp_path, layout):
    """Destination, format options and chosen annotators come back at the next open, and
    in a new window (the state lives in the test's own layout.ini, in a tmp folder)."""
    d = import_doc("Shelling of the depot continued overnight.")
    for who in ("alice", "bob", "cat"):
        ws.annotations.add(d, start=0, end=8, label="MILITARY", annotator=who)
    win = make_window()
    dlg = _open_export(qtbot, win)
    assert _ticked(dlg.annotators) == ["alice"]  # the first time: the current annotator
    dlg.format.setCurrentText("conll")
    dlg.option_widgets["overlap"].setCurrentText("layers")
    dlg.annotators.item(1).setCheckState(Qt.CheckState.Checked)  # bob too
    dlg.only_done.setChecked(True)
    qtbot.keyClicks(dlg.split, "80/20")
    dlg.seed.setValue(11)
    dest = tmp_path / "exports" / "team.conll"
    dest.parent.mkdir()
    qtbot.keyClicks(dlg.dest, str(dest))
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.report is not None or "fail" in dlg.status.text(), timeout=10_000)
    dlg.close()
    qtbot.waitUntil(lambda: win.findChild(ExportDialog, "exportDialog") is None, timeout=5_000)

    for window in (win, make_window()):
        again = _open_export(qtbot, window)
        assert again.format.currentText() == "conll"
        assert again.option_widgets["overlap"].currentText() == "layers"
        assert again.dest.text() == str(dest)
        assert _ticked(again.annotators) == ["alice", "bob"]
        assert again.only_done.isChecked()
        assert again.split.text() == "80/20" and again.seed.value() == 11
        again.close()
    layout.sync()  # stored in the test's own layout.ini, as JSON
    assert layout.value("export/format") == '"conll"'


def test_all_annotators_stays_all_and_unknown_names_are_ignored(qtbot, ws, import_doc, layout):
    d = import_doc("Shelling of the depot continued overnight.")
    for who in ("ann", "bob"):
        ws.annotations.add(d, start=0, end=8, label="MILITARY", annotator=who)
    runner = TaskRunner()
    first = ExportDialog(ws, runner, annotator="ann", state=layout)
    qtbot.addWidget(first)
    for i in range(first.annotators.count()):
        first.annotators.item(i).setCheckState(Qt.CheckState.Checked)
    first.dest.setText(str(layout.fileName()) + ".jsonl")
    first._remember()
    ws.annotations.add(d, start=0, end=8, label="MILITARY", annotator="cy")  # a newcomer
    second = ExportDialog(ws, runner, annotator="ann", state=layout)
    qtbot.addWidget(second)
    assert _ticked(second.annotators) == ["ann", "bob", "cy"]
    layout.setValue("export/annotators", '{"all": false, "names": ["gone"]}')
    layout.setValue("export/destination", "not json")
    third = ExportDialog(ws, runner, annotator="ann", state=layout)
    qtbot.addWidget(third)
    assert _ticked(third.annotators) == ["ann"]  # the default, not an empty choice
    assert third.dest.text() == ""
