"""Every keyboard shortcut, in one table: the actions use it and the shortcut sheet shows it."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

# Main window actions (name -> key sequence).
ACTIONS: dict[str, QKeySequence | QKeySequence.StandardKey] = {
    "import": QKeySequence("Ctrl+O"),
    "export": QKeySequence("Ctrl+E"),
    "quit": QKeySequence("Ctrl+Q"),
    "undo": QKeySequence("Ctrl+Z"),
    "redo": QKeySequence("Ctrl+Shift+Z"),
    "find": QKeySequence("Ctrl+F"),
    "search_corpus": QKeySequence("Ctrl+Shift+F"),
    "new_pane": QKeySequence("Ctrl+T"),
    "close_pane": QKeySequence("Ctrl+W"),
    "next_pane": QKeySequence("F6"),
    "prev_pane": QKeySequence("Shift+F6"),
    "corpus": QKeySequence("Ctrl+L"),
    "mark_done": QKeySequence("Ctrl+D"),
    "doc_labels": QKeySequence("Ctrl+Shift+D"),
    "labels": QKeySequence("Ctrl+Shift+L"),
    "annotator": QKeySequence("Ctrl+Shift+A"),
    "sync_scroll": QKeySequence("Ctrl+Shift+S"),
    "snap": QKeySequence("Ctrl+Shift+W"),
    "show_all": QKeySequence("Ctrl+Shift+O"),
    "help": QKeySequence("F1"),
}

# Team menu (main window) and the comparison window's adjudication keys.
TEAM_MENU: dict[str, str] = {
    "agreement": "Ctrl+Shift+G",
    "compare": "Ctrl+Shift+C",
}
# The agreement study (issue 22): the annotator's queue and the lead's progress view.
STUDY: dict[str, str] = {
    "next_assigned": "Ctrl+N",
    "skip_assigned": "Ctrl+Shift+K",
    "progress": "Ctrl+Shift+P",
}
ADJUDICATION: dict[str, list[str]] = {
    "accept_a": ["A"],
    "accept_b": ["B"],
    "both": ["2", "Ctrl+B"],
    "neither": ["X"],
    "edit": ["E"],
    "merge": ["Ctrl+M"],
    "next": ["F8", "N"],
    "prev": ["Shift+F8", "Shift+N"],
    "undo": ["Ctrl+Z"],
    "redo": ["Ctrl+Shift+Z", "Ctrl+Y"],
    "escape": ["Esc"],
    "close": ["Ctrl+W"],
}

# Suggestions menu (main window).
SUGGESTIONS: dict[str, str] = {
    "accept_all": "Ctrl+Return",
}

SHEET: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Tagging (in the text)",
        [
            (
                "1 … 9",
                "Tag the selection with that label; press again on the same range to remove it",
            ),
            ("1 … 9", "With a span selected: change its label"),
            ("1 … 9", "In passage mode with no selection: tag the current passage"),
            ("Click a span", "Select it (the innermost one where spans nest)"),
            ("[  ]", "Select the previous / next span"),
            ("Delete, Backspace", "Delete the selected span"),
            ("N", "Edit the note of the selected span"),
            ("Esc", "Clear the selection"),
            ("Shift+arrows", "Select text with the keyboard (selections snap to words)"),
        ],
    ),
    (
        "Passage mode",
        [
            ("P", "Passage mode on / off"),
            ("J, Down", "Next passage"),
            ("K, Up", "Previous passage"),
            ("Shift+P", "Passages are sentences / paragraphs"),
            ("1 … 9", "Tag the passage; with tag and advance on, move to the next"),
            ("T", "Tag and advance on / off (on at first)"),
            ("Enter, A", "Accept the suggested labels and go to the next passage"),
            ("X", "Reject the suggestion and go to the next passage"),
            (
                "1 … 9",
                "With a suggestion shown: tag that label instead (override); "
                "with tag and advance on, move to the next",
            ),
            (
                "Ctrl+U",
                "Next most uncertain passage, in the queue's own pane (one left unjudged "
                "is skipped for good)",
            ),
            ("Ctrl+Shift+U", "Skip the uncertain passage on offer: it never comes back"),
            (
                SUGGESTIONS["accept_all"],
                "Accept all suggestions in this document (passages with none: no label); "
                "then click a passage and a label key adds or removes that label",
            ),
        ],
    ),
    (
        "Documents and panes",
        [
            ("Ctrl+L", "Go to the corpus list (Enter opens the document in the current pane)"),
            ("Ctrl+Shift+F", "Search the text of all documents"),
            ("Ctrl+F", "Find in document (Enter next, Shift+Enter previous, Esc close)"),
            ("Ctrl+T / Ctrl+W", "Add a pane / close the current pane"),
            ("F6 / Shift+F6", "Next / previous pane"),
            ("Ctrl+Shift+S", "Synchronised scrolling on / off"),
            ("Ctrl+D", "Mark the current document done (again: back to in progress)"),
            ("Ctrl+Shift+D", "Labels of the whole document: check or uncheck yours"),
            (STUDY["next_assigned"], "Next assigned document (your queue)"),
            (STUDY["skip_assigned"], "Skip the assigned document, with a reason"),
        ],
    ),
    (
        "Edit",
        [
            ("Ctrl+Z", "Undo"),
            ("Ctrl+Shift+Z, Ctrl+Y", "Redo"),
            ("Ctrl+Shift+L", "Edit the label set"),
            ("Ctrl+Shift+A", "Switch annotator"),
            ("Ctrl+Shift+W", "Snap selections to words on / off"),
            ("Ctrl+Shift+O", "Show other annotators' spans on / off"),
            ("Ctrl+Shift+H", "Project guideline beside the text on / off (View menu)"),
        ],
    ),
    (
        "Team",
        [
            (TEAM_MENU["agreement"], "Agreement: pairs × labels, heatmap, diagnosis (F5 runs it)"),
            (TEAM_MENU["compare"], "Compare annotators side by side and adjudicate"),
            (STUDY["progress"], "Study progress: per annotator, agreement so far (F5 refreshes)"),
            (" / ".join(ADJUDICATION["next"]), "Comparison: next disagreement (Shift: previous)"),
            ("A / B", "Accept the first / second annotator's span into gold"),
            (", ".join(ADJUDICATION["both"]), "Accept both"),
            ("X", "Neither: close the disagreement without a gold span"),
            ("E", "Edit: the selected text, with a label, becomes the gold span"),
            ("Ctrl+M", "Merge every unanimous span into gold"),
            ("Esc / Ctrl+W", "Close the comparison (Esc first clears a selection)"),
        ],
    ),
    (
        "Files and help",
        [
            ("Ctrl+O", "Import files or a folder"),
            ("Ctrl+E", "Export"),
            ("F1", "This sheet (its Guideline tab: the project guideline in force)"),
            ("Ctrl+Q", "Quit"),
        ],
    ),
]
