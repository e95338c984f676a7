"""Team ▸ Progress: the study's progress per annotator and agreement on the overlap set so far.

Counts come from ``StudyService.progress`` on a worker; the window refreshes on F5, on every
batch of the live change feed (teammates' tags, on the server) and every 15 s (statuses).
The lead hands a selected annotator's unfinished documents to others from here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.study import AnnotatorProgress
from annotator.gui.dialogs.handover_dialog import HandOverDialog
from annotator.gui.live_updates import LiveRelay
from annotator.gui.workers import TaskRunner
from annotator.services import Workspace
from annotator.services.study import StudyProgress

COLUMNS = (
    "Annotator",
    "Assigned",
    "Done",
    "In progress",
    "Skipped",
    "To do",
    "Spans",
    "Active h",
    "Tags / h",
)
BEHIND = QColor("#fde2e1")


def _item(value: object, *, right: bool = True) -> QTableWidgetItem:
    item = QTableWidgetItem(str(value))
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class ProgressWindow(QWidget):
    handedOver = Signal(str)
    """An annotator's unfinished documents went to others (who left)."""

    def __init__(
        self,
        ws: Workspace,
        parent: QWidget | None = None,
        *,
        live: bool = True,
        bootstrap: int = 200,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("progressWindow")
        self.setWindowTitle("Study progress — Annotator")
        self.resize(860, 560)
        self.ws = ws
        self.bootstrap = bootstrap
        self.progress: StudyProgress | None = None
        self.runner = TaskRunner(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("progressTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.agreement = QTableWidget(0, 4)
        self.agreement.setObjectName("agreementTable")
        self.agreement.setHorizontalHeaderLabels(("Label", "Alpha", "95% interval", "Units"))
        self.agreement.verticalHeader().hide()
        self.agreement.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.agreement.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.trend = QLabel()
        self.trend.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("progressMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # it names annotators
        self.message.setWordWrap(True)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hand_over_button = QPushButton("Hand over…")
        self.hand_over_button.setObjectName("handOverButton")
        self.hand_over_button.setToolTip(
            "Give the selected annotator's unfinished documents to others"
        )
        self.hand_over_button.setEnabled(False)
        self.hand_over_button.clicked.connect(self.hand_over_dialog)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        refresh = QPushButton("Refresh (F5)")
        refresh.clicked.connect(self.refresh)
        QShortcut(QKeySequence("F5"), self, activated=self.refresh)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 3)
        lay.addWidget(QLabel("<b>Agreement on the finished part of the overlap set</b>"))
        lay.addWidget(self.agreement, 2)
        lay.addWidget(self.trend)
        lay.addWidget(self.notes)
        lay.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(self.hand_over_button)
        row.addStretch(1)
        row.addWidget(refresh)
        lay.addLayout(row)
        self._timer = QTimer(self, interval=15_000)
        self._timer.timeout.connect(self.refresh)
        self._relay: LiveRelay | None = None
        if live:
            self._timer.start()
            self._relay = LiveRelay(ws, interval=1.0, parent=self)
            self._relay.changed.connect(lambda _batch: self.refresh())
            self._relay.start()
        self._pending = False

    def refresh(self) -> None:
        if self.runner.busy:
            self._pending = True
            return
        ws, n = self.ws, self.bootstrap
        self.runner.start(
            lambda _p: ws.study.progress(bootstrap=n),
            finished=self.show_progress,
            failed=lambda msg: self.summary.setText(f"Cannot read the progress: {msg}"),
        )

    def show_progress(self, progress: StudyProgress) -> None:
        self.progress = progress
        people = progress.annotators
        late = set(progress.behind)
        self.table.setRowCount(len(people))
        for r, p in enumerate(people):
            rate = "–" if p.tags_per_hour is None else f"{p.tags_per_hour:.0f}"
            cells = (
                p.name,
                p.assigned,
                p.done,
                p.in_progress,
                p.skipped,
                p.todo,
                p.spans,
                f"{p.active_hours:.1f}",
                rate,
            )
            for c, value in enumerate(cells):
                item = _item(value, right=c > 0)
                if p.name in late:
                    item.setBackground(BEHIND)
                    item.setToolTip(f"{p.name} is behind the team")
                self.table.setItem(r, c, item)
        assigned = sum(p.assigned for p in people)
        done = sum(p.done for p in people)
        behind = f" Behind: {', '.join(progress.behind)}." if progress.behind else ""
        self.summary.setText(
            f"<b>{done} of {assigned}</b> assignments done; overlap set "
            f"{progress.overlap_documents} document(s), {progress.overlap_done} finished by two "
            f"or more of their annotators.{behind}"
        )
        ag = progress.agreement
        labels = ag.get("labels", {})
        self.agreement.setRowCount(len(labels))
        for r, (label, row) in enumerate(sorted(labels.items())):
            alpha = row.get("alpha")
            ci = row.get("ci")
            self.agreement.setItem(r, 0, _item(label, right=False))
            self.agreement.setItem(r, 1, _item("n/a" if alpha is None else f"{alpha:.3f}"))
            self.agreement.setItem(r, 2, _item("–" if not ci else f"{ci[0]:.2f} – {ci[1]:.2f}"))
            self.agreement.setItem(r, 3, _item(row.get("units", 0)))
        weeks = ag.get("by_week", [])
        if weeks:
            parts = []
            for w in weeks:
                alpha = "n/a" if w["alpha"] is None else f"{w['alpha']:.2f}"
                parts.append(f"{w['week']}: +{w['documents']} → α {alpha}")
            self.trend.setText("Trend by week (mean alpha so far): " + "; ".join(parts))
        else:
            self.trend.setText(ag.get("note", ""))
        skips = [f"{p.name} skipped {d}: {why}" for p in people for d, why in p.skips]
        self.notes.setText("\n".join(skips))
        if self._pending:
            self._pending = False
            QTimer.singleShot(0, self.refresh)

    # --- hand-over ---------------------------------------------------------------------

    def selected_annotator(self) -> AnnotatorProgress | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or self.progress is None:
            return None
        item = self.table.item(rows[0].row(), 0)
        name = item.text() if item is not None else ""
        return next((p for p in self.progress.annotators if p.name == name), None)

    def _selection_changed(self) -> None:
        p = self.selected_annotator()
        unfinished = p.assigned - p.done if p is not None else 0
        self.hand_over_button.setEnabled(unfinished > 0)
        self.hand_over_button.setText(
            f"Hand over {p.name}'s {unfinished} unfinished…" if p and unfinished else "Hand over…"
        )

    def hand_over_dialog(self) -> HandOverDialog | None:
        """The selected annotator's unfinished documents to others: who takes them."""
        p = self.selected_annotator()
        if p is None or self.progress is None:
            return None
        dlg = HandOverDialog(
            p.name,
            p.assigned - p.done,
            [q.name for q in self.progress.annotators],
            behind=self.progress.behind,
            parent=self,
        )
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.accepted.connect(lambda: self.hand_over(p.name, dlg.chosen()))
        dlg.open()
        return dlg

    def hand_over(self, leaving: str, receivers: list[str]) -> None:
        ws = self.ws

        def done(moved: dict[str, int]) -> None:
            kept = moved.pop("(kept)", 0)
            got = ", ".join(f"{who} {n}" for who, n in sorted(moved.items())) or "nobody"
            stay = f" {kept} stay with {leaving}: the others are all on them." if kept else ""
            self.message.setText(
                f"Handed over {sum(moved.values())} of {leaving}'s document(s): {got}.{stay}"
            )
            self.handedOver.emit(leaving)
            QTimer.singleShot(0, self.refresh)  # once this task is off the runner

        self.runner.start(
            lambda _p: ws.study.hand_over(leaving, receivers),
            finished=done,
            failed=lambda msg: self.message.setText(f"Cannot hand over: {msg}"),
        )

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self._timer.stop()
        if self._relay is not None:
            self._relay.stop()
        self.runner.wait(5000)
        super().closeEvent(event)
