"""Work off the GUI thread: a QRunnable whose progress and result come back as signals.

Signals emitted from the pool thread are queued to the receiver's (GUI) thread, so the
services' progress callbacks can be handed ``signals.progress.emit`` directly. Each task
opens its own sessions; SQLAlchemy's pool gives the thread its own connection.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from annotator.core.errors import AnnotatorError

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


class TaskSignals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)


class Task(QRunnable):
    """Runs ``work(progress)`` on a pool thread; ``finished`` carries its return value."""

    def __init__(self, work: Callable[[Progress], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the runner keeps the Python object alive until done
        self._work = work
        self.signals = TaskSignals()

    def run(self) -> None:
        try:
            result = self._work(self.signals.progress.emit)
        except AnnotatorError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:
            log.error("background task failed:\n%s", traceback.format_exc())
            self.signals.failed.emit(f"Unexpected error: {exc}")
        else:
            self.signals.finished.emit(result)


class TaskRunner(QObject):
    """Keeps running tasks referenced and waits for them on shutdown."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self._running: set[Task] = set()

    def start(
        self,
        work: Callable[[Progress], Any],
        *,
        finished: Callable[[Any], None],
        failed: Callable[[str], None],
        progress: Progress | None = None,
    ) -> Task:
        task = Task(work)
        task.signals.finished.connect(finished)
        task.signals.failed.connect(failed)
        if progress is not None:
            task.signals.progress.connect(progress)
        task.signals.finished.connect(lambda _r, t=task: self._running.discard(t))
        task.signals.failed.connect(lambda _m, t=task: self._running.discard(t))
        self._running.add(task)
        self.pool.start(task)
        return task

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)
