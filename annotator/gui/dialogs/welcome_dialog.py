"""The first-run welcome: what labels are, the keys that tag, how to export. Shown once."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from annotator.gui.window_fit import closes_on_keys

WELCOME_HTML = """
<h2>Welcome to Annotator</h2>
<p>Read articles and tag the passages that matter. Every tag is saved at once:
there is no save button.</p>
<h3>Labels</h3>
<p>A <b>label</b> names what a passage is about. The demo project comes with
<b>MILITARY</b> (key <b>1</b>), <b>DIPLOMATIC</b> (<b>2</b>) and <b>ECONOMIC</b>
(<b>3</b>); edit them or add your own with <i>Edit &gt; Edit labels</i>
(Ctrl+Shift+L).</p>
<h3>Tagging with the keyboard</h3>
<ul>
<li>Select text (mouse or Shift+arrows), then press a label's number key.
    The same key on the same text again removes the tag.</li>
<li><b>P</b> switches passage mode: <b>J</b>/<b>K</b> step through sentences,
    a number key tags the current one.</li>
<li><b>Ctrl+Z</b> undoes, <b>Ctrl+D</b> marks the document done,
    <b>F1</b> lists every shortcut.</li>
</ul>
<h3>Exporting</h3>
<p><i>File &gt; Export</i> (Ctrl+E) writes the tagged documents as JSONL,
CoNLL, spaCy, doccano, Label Studio and more, with filters and a train/dev/test split.</p>
<p>The five sample articles are loaded so you can try it now.
<i>Help &gt; User guide</i> tells the rest.</p>
"""


class WelcomeDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        closes_on_keys(self)
        self.setWindowTitle("Welcome to Annotator")
        self.text = QLabel(WELCOME_HTML)
        self.text.setWordWrap(True)
        buttons = QDialogButtonBox()
        start = buttons.addButton("Start", QDialogButtonBox.ButtonRole.AcceptRole)
        start.setDefault(True)
        buttons.accepted.connect(self.accept)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addWidget(buttons)
        # A fixed width lets the layout use the label's height for that width (else the
        # wrapped text is cut off at the bottom).
        self.text.setFixedWidth(540)
        self.adjustSize()
