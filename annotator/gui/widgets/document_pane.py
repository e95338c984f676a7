"""One document in the reading area: header, text view, find bar, and the tagging keys.

The title line holds the document picker and the document labels (``DocLabelsLine``);
passage mode, the J/K walk through the passages, is ``PassageMode`` (``self.walk``).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import Document, Label, Span
from annotator.core.segment import Passage, PassageKind
from annotator.gui.models.document_list_model import DocumentListModel
from annotator.gui.text_positions import TextPositions
from annotator.gui.widgets.doc_labels_line import DocLabelsLine
from annotator.gui.widgets.document_view import DocumentView
from annotator.gui.widgets.elided_label import ElidedLabel
from annotator.gui.widgets.eliding_combo import ElidingComboBox
from annotator.gui.widgets.find_bar import FindBar
from annotator.gui.widgets.middle_keeper import MiddleKeeper
from annotator.gui.widgets.passage_mode import PassageMode


class DocumentPane(QFrame):
    tagRequested = Signal(int, int, int, str)
    """document id, start, end (code points), label."""
    relabelRequested = Signal(int, str)
    deleteRequested = Signal(int)
    noteRequested = Signal(int)
    spanSelected = Signal(int)
    """span id, or -1 when the selection is cleared."""
    documentRequested = Signal(int)
    closeRequested = Signal()
    activated = Signal()
    message = Signal(str)
    passageModeChanged = Signal(bool)
    tagAndAdvanceChanged = Signal(bool)
    docLabelToggled = Signal(int, str, bool)
    """document id, label, given (True) or taken back (False): the annotator's own."""

    def __init__(self, documents: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.picker = ElidingComboBox()  # a long title ends in "…", whole in the tooltip
        self.picker.setModel(documents)
        self.picker.setModelColumn(DocumentListModel.TITLE)
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        # Panes share the width: the picker elides a long title rather than widening the pane.
        self.picker.setMinimumContentsLength(4)
        self.picker.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        # 33, not more: the document labels button beside it takes the rest of what a
        # narrow pane can give (four panes still fit an 800-pixel screen).
        self.picker.setMinimumWidth(33)
        self.picker.setCurrentIndex(-1)
        self.picker.setPlaceholderText("Open a document…")
        self.meta = ElidedLabel()
        self.walk = PassageMode(self)
        """Passage mode: the J/K walk through the document's passages."""
        self.walk.changed.connect(self.passageModeChanged)
        self.walk.advanceChanged.connect(self.tagAndAdvanceChanged)
        self.mode_label = self.walk.label
        self.passage_bar = self.walk.bar
        self.doc_labels_line = DocLabelsLine(self, annotator=lambda: self.annotator)
        self.doc_labels_line.toggled.connect(self._doc_label_toggled)
        self.doc_labels_button = self.doc_labels_line.button
        self.doc_labels_menu = self.doc_labels_line.menu
        self.my_doc_labels_text = self.doc_labels_line.mine
        self.others_doc_labels = self.doc_labels_line.others
        close = QToolButton(text="✕", toolTip="Close pane (Ctrl+W)")
        close.setAutoRaise(True)
        head = QHBoxLayout()
        head.setContentsMargins(4, 2, 4, 2)
        head.setSpacing(2)
        # Title, document labels (mine, teammates') and mode share the row 3:2:2:1 when it
        # is tight: the title is never cut to "Rus"; each label line elides, whole in its tip.
        head.addWidget(self.picker, 3)
        head.addWidget(self.doc_labels_button)
        head.addWidget(self.my_doc_labels_text, 2)
        head.addWidget(self.others_doc_labels, 2)
        head.addWidget(self.mode_label, 1)
        head.addWidget(close)
        self.view = DocumentView()
        self.view.key_handler = self.handle_key
        self.find_bar = FindBar(self.view)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addLayout(head)
        lay.addWidget(self.meta)
        self.meta.setContentsMargins(8, 0, 8, 2)
        self.legend = ElidedLabel()  # whose spans are hatched, when teammates' are shown
        self.legend.setObjectName("othersLegend")
        self.legend.setContentsMargins(8, 0, 8, 2)
        self.legend.hide()
        lay.addWidget(self.legend)
        lay.addWidget(self.passage_bar)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.find_bar)

        self.document: Document | None = None
        self.positions = TextPositions("")
        self.spans: dict[int, Span] = {}
        self.selected_span_id: int | None = None
        self.annotator = ""
        """Who tags here: only this annotator's spans take label keys, Delete and notes."""
        self._select_when_added: tuple[int, int, str] | None = None
        self.snap_to_words = True
        self.view.highlighter.owner = lambda: self.annotator  # teammates' spans: hatched
        self._keys: dict[str, str] = {}
        self._colors: dict[str, str] = {}
        self._middle = MiddleKeeper(self.view, paused=lambda: self.loading)
        """Keeps what ``bring_to_middle`` shows in view until the reader scrolls."""
        self.loading = False
        """Between ``show_loading`` and ``set_document``: the view is empty, so positions
        of the old text must not reach it; edits meanwhile wait in ``_edits_while_loading``."""
        self._edits_while_loading: list[tuple[int, tuple[Span, ...], tuple[Span, ...]]] = []
        self._reloading = False

        self.picker.activated.connect(self._picked)
        # A reload (after an import) resets the rows: the title must stay the shown document's.
        for sig in (documents.modelReset, documents.rowsInserted, documents.layoutChanged):
            sig.connect(self._sync_picker)
        close.clicked.connect(self.closeRequested)
        self.view.focusEntered.connect(self.activated)
        self.view.clicked.connect(self._clicked)
        self.view.cursorPositionChanged.connect(self.walk.cursor_moved)
        self.view.selectionChanged.connect(self._show_snapped_selection)

    # --- content ---------------------------------------------------------------------

    @property
    def document_id(self) -> int | None:
        return self.document.id if self.document is not None else None

    def set_labels(self, labels: list[Label]) -> None:
        self._keys = {lab.shortcut: lab.name for lab in labels if lab.shortcut}
        self._colors = {lab.name: lab.color for lab in labels}
        self.doc_labels_line.label_names = [lab.name for lab in labels]
        self.view.highlighter.set_colors(self._colors)
        self.show_doc_labels()

    def show_loading(self, title: str) -> None:
        self.loading = True
        self._reloading = False
        self.view.setPlaceholderText(f"Loading {title}…")
        self.view.clear()

    def set_document(self, doc: Document, spans: list[Span]) -> None:
        self.loading = False
        self._middle.forget()
        waiting, self._edits_while_loading = self._edits_while_loading, []
        self.document = doc
        self.positions = TextPositions(doc.text)
        self.walk.forget()
        self.selected_span_id = None
        self.spans = {s.id: s for s in spans}
        self.view.set_selected_mark(None)
        self.view.set_passage_mark(None)
        self.view.setPlainText(doc.text)
        self.view.highlighter.set_spans(spans, self.positions)
        bits = [doc.published.isoformat() if doc.published else "", doc.source, doc.author]
        self.meta.setText("  ·  ".join(b for b in bits if b))
        self.doc_labels_line.has_document = True
        self.doc_labels_line.set({})
        self._sync_picker()
        self.update_legend()
        if self.walk.on:
            self.walk.enter()
        # An edit committed while the load ran may or may not be in what it read:
        # applied again by id, it is shown either way.
        for doc_id, added, removed in waiting:
            if doc_id == doc.id:
                self.apply_edit(added, removed)

    def set_doc_labels(self, labels: dict[str, list[str]]) -> None:
        """The document's labels per annotator (what the viewer may see) for the title line."""
        self.doc_labels_line.set(labels)

    @property
    def doc_labels(self) -> dict[str, list[str]]:
        """annotator -> labels of the whole document, as shown on the title line."""
        return self.doc_labels_line.labels

    def my_doc_labels(self) -> list[str]:
        return self.doc_labels_line.my_labels()

    def show_doc_labels(self) -> None:
        self.doc_labels_line.show()

    def _doc_label_toggled(self, label: str, on: bool) -> None:
        if self.document is not None and self.document.id is not None:
            self.docLabelToggled.emit(self.document.id, label, on)

    def open_doc_labels_menu(self) -> QMenu | None:
        """Open the document labels menu under the button; None when no document is shown."""
        if self.document is None:
            self.message.emit("Open a document first: document labels belong to a document")
            return None
        return self.doc_labels_line.popup()

    def begin_reload(self) -> None:
        """The shown document's spans are read again (another annotator, others shown):
        the text stays, and keys keep working on it; edits meanwhile are noted."""
        self._reloading = True
        self._edits_while_loading = []

    def finish_reload(self, spans: list[Span]) -> None:
        """The spans read again; an edit made meanwhile is applied again by id, so it is
        shown whether or not the read saw it. Position and passage stay."""
        self._reloading = False
        waiting, self._edits_while_loading = self._edits_while_loading, []
        self.set_spans(spans)
        for doc_id, added, removed in waiting:
            if doc_id == self.document_id:
                self.apply_edit(added, removed)

    def set_spans(self, spans: list[Span]) -> None:
        self.spans = {s.id: s for s in spans}
        if self.selected_span_id not in self.spans:
            self.select_span(None)
        self.view.highlighter.set_spans(spans, self.positions)
        self.update_legend()
        self.walk.refresh()

    def update_legend(self) -> None:
        """Name the teammates whose spans are shown here (hatched), or hide the legend."""
        others = sorted({s.annotator for s in self.spans.values()} - {self.annotator})
        if not self.annotator or not others:
            self.legend.hide()
            return
        self.legend.setText(
            f"▨ hatched: {', '.join(others)} (read-only)  ·  ■ filled: yours ({self.annotator})"
        )
        self.legend.setToolTip(
            "Spans of teammates are hatched in their label's colour and cannot be changed"
            " here; your own are filled. Hover a span to see whose it is."
        )
        self.legend.show()

    def apply_edit(self, added: tuple[Span, ...], removed: tuple[Span, ...]) -> None:
        if (self.loading or self._reloading) and self.document_id is not None:
            self._edits_while_loading.append((self.document_id, added, removed))
        if self.loading:
            return
        hl = self.view.highlighter
        selected = self.selected_span_id
        for s in removed:
            self.spans.pop(s.id, None)
            hl.remove_span(s.id)
        for s in added:
            self.spans[s.id] = s
            hl.add_span(s)
            if self._select_when_added == (s.start, s.end, s.label) and self.is_mine(s):
                self._select_when_added = None
                selected = s.id
        if selected is not None:  # a relabelled span stays selected; a deleted one does not
            self.select_span(selected if selected in self.spans else None)
        self.update_legend()
        self.walk.refresh()

    def find_span(self, start: int, end: int, label: str, annotator: str) -> Span | None:
        """The shown span with exactly this range, label and annotator (via the index)."""
        qs, qe = self.positions.range_to_qt(start, end)
        for _s, _e, sp in self.view.highlighter.index.overlapping(qs, qe):
            if (sp.start, sp.end, sp.label, sp.annotator) == (start, end, label, annotator):
                return sp
        return None

    def is_mine(self, span: Span) -> bool:
        return span.annotator == self.annotator

    def own_span_on(self, start: int, end: int) -> Span | None:
        """My span with exactly this range (any label), if one is shown."""
        qs, qe = self.positions.range_to_qt(start, end)
        for _s, _e, sp in self.view.highlighter.index.overlapping(qs, qe):
            if (sp.start, sp.end) == (start, end) and self.is_mine(sp):
                return sp
        return None

    def _sync_picker(self, *_args: object) -> None:
        if self.document_id is None:
            self.picker.setCurrentIndex(-1)
            return
        model = self.picker.model()
        for row in range(model.rowCount()):
            if model.index(row, 0).data(DocumentListModel.IdRole) == self.document_id:
                if self.picker.currentIndex() != row:
                    self.picker.setCurrentIndex(row)
                return

    def _picked(self, row: int) -> None:
        doc_id = self.picker.model().index(row, 0).data(DocumentListModel.IdRole)
        if doc_id is not None and doc_id != self.document_id:
            self.documentRequested.emit(doc_id)

    # --- navigation --------------------------------------------------------------------

    def go_to(self, start: int, end: int) -> None:
        """Select code point range ``[start, end)`` and scroll it into view."""
        qs, qe = self.positions.range_to_qt(start, end)
        cur = self.view.textCursor()
        cur.setPosition(qs)
        cur.setPosition(qe, QTextCursor.MoveMode.KeepAnchor)
        self.view.setTextCursor(cur)
        self.view.centerCursor()
        if self.walk.on:
            self.walk.keep_in_view()
        else:
            self.bring_to_middle(qs, qe)

    def select_span(self, span_id: int | None) -> None:
        span = self.spans.get(span_id) if span_id is not None else None
        self.selected_span_id = span.id if span else None
        if span is None:
            self.view.set_selected_mark(None)
        else:
            qs, qe = self.positions.range_to_qt(span.start, span.end)
            self.view.set_selected_mark((qs, qe, self._colors.get(span.label, "#888888")))
        self.walk.show_selection()
        self.spanSelected.emit(self.selected_span_id if span else -1)

    def selected_span(self) -> Span | None:
        return self.spans.get(self.selected_span_id) if self.selected_span_id is not None else None

    def selection_hint(self) -> str:
        """What the keys do to the selected span (and how to get back), '' when none is."""
        span = self.selected_span()
        if span is None:
            return ""
        keys = "/".join(sorted(self._keys)) or "a label key"
        if self.is_mine(span):
            does = f"{keys} relabel it · Delete deletes it · N edits its note"
        else:
            does = f"{span.annotator}'s (read-only): {keys} tag the same text as your own"
        back = "Esc clears it and goes back to the passage" if self.walk.on else "Esc clears it"
        return f"{span.label} span selected — {does} · {back}"

    def _clicked(self, qt_pos: int) -> None:
        hits = self.view.highlighter.spans_at(qt_pos)
        if self.walk.clicked(hits):  # passage mode: the passage, not its tags
            return
        own = [h for h in hits if self.is_mine(h)]
        self.select_span((own or hits)[0].id if hits else None)
        if hits:
            self.message.emit(self.selection_hint())

    def selection_range(self) -> tuple[int, int] | None:
        """The selected text as a code point range, trimmed and snapped to words if wanted."""
        cur = self.view.textCursor()
        if not cur.hasSelection():
            return None
        return self.positions.selection_to_span(
            cur.selectionStart(), cur.selectionEnd(), snap=self.snap_to_words
        )

    def _show_snapped_selection(self) -> None:
        cur = self.view.textCursor()
        rng = self.selection_range() if self.snap_to_words and cur.hasSelection() else None
        qt = self.positions.range_to_qt(*rng) if rng is not None else None
        raw = (cur.selectionStart(), cur.selectionEnd())
        self.view.set_snap_mark(qt if qt is not None and qt != raw else None)

    # --- passage mode (``self.walk``, widgets/passage_mode.py) ---------------------------

    @property
    def passage_mode(self) -> bool:
        return self.walk.on

    @property
    def current_passage(self) -> int | None:
        return self.walk.current

    @property
    def passage_kind(self) -> PassageKind:
        return self.walk.kind

    @passage_kind.setter
    def passage_kind(self, kind: PassageKind) -> None:
        self.walk.kind = kind

    @property
    def tag_and_advance(self) -> bool:
        return self.walk.tag_and_advance

    @tag_and_advance.setter
    def tag_and_advance(self, on: bool) -> None:
        self.walk.tag_and_advance = on

    @property
    def skip_pretagged(self) -> bool:
        return self.walk.skip_pretagged

    @skip_pretagged.setter
    def skip_pretagged(self, on: bool) -> None:
        self.walk.skip_pretagged = on

    def passages(self) -> list[Passage]:
        return self.walk.passages()

    def current_passage_range(self) -> tuple[int, int] | None:
        return self.walk.current_range()

    def set_passage_mode(self, on: bool) -> None:
        self.walk.set_on(on)

    def set_tag_and_advance(self, on: bool) -> None:
        self.walk.set_tag_and_advance(on)

    def move_passage(self, delta: int) -> None:
        self.walk.move(delta)

    def refresh_passage_info(self) -> None:
        self.walk.refresh()

    def bring_to_middle(self, qt_start: int, qt_end: int) -> None:
        """Scroll Qt range ``[qt_start, qt_end)`` into the middle third of the view, and
        keep it there while the layout settles (``MiddleKeeper``)."""
        self._middle.bring(qt_start, qt_end)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._middle.resized()

    # --- keys ---------------------------------------------------------------------------

    def handle_key(self, event: QKeyEvent) -> bool:
        """Single-key commands of the text view; returns False to let the view handle it."""
        if self.document is None:
            return False
        if self.loading:  # the view is empty until the document is back
            if event.text():
                self.message.emit("Still loading the document: press the key again in a moment")
            return bool(event.text())
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = event.key()
        if mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            return False
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        text = event.text()
        if text and text in self._keys:
            self.apply_label(self._keys[text])
            return True
        if self.walk.handle_key(key, shift):  # P, Shift+P; T, J and K in passage mode
            return True
        if key in (Qt.Key.Key_BracketRight, Qt.Key.Key_BracketLeft):
            self._step_span(1 if key == Qt.Key.Key_BracketRight else -1)
            return True
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected_span_id is not None:
            if self._own_selected("deleted"):
                self.deleteRequested.emit(self.selected_span_id)
            return True
        if key == Qt.Key.Key_N and self.selected_span_id is not None:
            if self._own_selected("given a note"):
                self.noteRequested.emit(self.selected_span_id)
            return True
        if key == Qt.Key.Key_Escape:
            cur = self.view.textCursor()
            had = cur.hasSelection() or self.selected_span_id is not None
            cur.clearSelection()
            self.view.setTextCursor(cur)
            self.select_span(None)
            if had and self.walk.on:
                self.message.emit("Selection cleared: label keys tag the passage again")
            return True
        if self.walk.on:
            return self.walk.key_does_nothing(event, list(self._keys))
        return False

    def apply_label(self, label: str) -> None:
        """A label key tags the selection, else relabels the clicked span, else tags the passage."""
        assert self.document is not None and self.document.id is not None
        rng = self.selection_range()
        if rng is not None:
            self.tagRequested.emit(self.document.id, rng[0], rng[1], label)
            cur = self.view.textCursor()
            cur.clearSelection()
            self.view.setTextCursor(cur)
        elif self.selected_span_id is not None:
            if self.walk.on:
                self.message.emit(
                    f"{label} went to the selected span, not the passage — "
                    "Esc clears the selection to tag passages"
                )
            self._label_selected_span(label)
        elif not self.walk.tag(label):  # passage mode tags the passage
            self.message.emit("Select some text (or press P for passage mode), then a label key.")

    def _own_selected(self, verb: str) -> bool:
        span = self.spans.get(self.selected_span_id) if self.selected_span_id is not None else None
        if span is None or self.is_mine(span):
            return span is not None
        self.message.emit(f"That span is {span.annotator}'s: only your own spans can be {verb}.")
        return False

    def _label_selected_span(self, label: str) -> None:
        """My span is relabelled; someone else's stays untouched and I tag the same range."""
        assert self.document is not None and self.document.id is not None
        span = self.spans[self.selected_span_id] if self.selected_span_id is not None else None
        if span is None:
            return
        if self.is_mine(span):
            self.relabelRequested.emit(span.id, label)
            return
        mine = self.own_span_on(span.start, span.end)
        if mine is not None:
            self.select_span(mine.id)
            if mine.label != label:
                self.relabelRequested.emit(mine.id, label)
            else:
                self.message.emit(f"You already tagged this text as {label}.")
            return
        self._select_when_added = (span.start, span.end, label)
        self.tagRequested.emit(self.document.id, span.start, span.end, label)
        self.message.emit(
            f"{span.annotator}'s {span.label} span is read-only: "
            f"you tagged the same text as {label} (your own span)."
        )

    def _step_span(self, delta: int) -> None:
        ordered = sorted(self.spans.values(), key=lambda s: (s.start, s.end, s.id))
        if not ordered:
            return
        ids = [s.id for s in ordered]
        if self.selected_span_id in ids:
            i = ids.index(self.selected_span_id) + delta
        else:
            cp = self.positions.to_cp(self.view.textCursor().position())
            i = next((k for k, s in enumerate(ordered) if s.start >= cp), len(ordered))
            i = i if delta > 0 else i - 1
        span = ordered[i % len(ordered)]
        self.go_to(span.start, span.start)
        self.select_span(span.id)
