"""Training and scoring suggestions in a process of their own.

Fitting n-gram features in Python holds the interpreter's lock. On a thread of the window's
process, every tag, repaint and list update then waited for it: with a 5 MB document and
50,000 spans, training took a minute, tags took 15 ms instead of 2, and a repaint up to
0.8 s, for all of that minute, after every burst of tags. One worker process, started on
first use and kept, reads the labels from the database itself, trains, and keeps the model
it made; the window gets a copy of the ``Suggester`` (its labels, the review queue) and
sends whole documents there to be cut into passages and scored.

Requests are served one at a time. A score asked of a model that is no longer the newest
answers None (the window scores again with the new one). Where a process cannot be used
(a frozen bundle, which leaves scikit-learn out anyway), :func:`available` says so and
the caller trains on a thread as before.
"""

from __future__ import annotations

import importlib.util
import logging
import multiprocessing
import os
import sys
import threading
import time
import traceback
import weakref
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from annotator.core.errors import AnnotatorError
from annotator.core.segment import Passage, PassageKind, passages

if TYPE_CHECKING:  # numpy loads in the worker, never at the window's start-up
    from annotator.suggest.combine import LabelScore, Suggester

log = logging.getLogger(__name__)

Scored = list[tuple[Passage, list["LabelScore"]]]


class ProcessUnavailable(AnnotatorError):
    """The worker could not be started here (the caller trains on a thread instead)."""


def available() -> bool:
    """Whether suggestions can train in a separate process here."""
    if getattr(sys, "frozen", False):  # a bundle: spawning would start the app again
        return False
    return importlib.util.find_spec("sklearn") is not None


def _watch_parent(parent: int) -> None:
    """End the worker soon after its window's process dies (even by ``kill -9``), rather
    than when a minute's training is over and its answer has nowhere to go."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


NICENESS = 10
"""How much lower the worker's CPU priority is than the window's: a training never makes
typing or scrolling wait for a core (the window's process keeps its own priority)."""


def _lower_priority() -> None:
    try:
        os.nice(NICENESS)
    except (AttributeError, OSError):  # not on this system: runs at the normal priority
        log.debug("cannot lower the model process's priority here")


def _serve(conn: Connection, url: str) -> None:
    """The worker's loop: ("train", generation, level), ("score", generation, text, kind)
    and ("update", generation, level, document ids)."""
    import dataclasses

    from annotator.services.suggestions import SuggestionService
    from annotator.storage import Database
    from annotator.suggest.online import OnlineModel

    _lower_priority()
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()

    model: tuple[int, Suggester] | None = None
    online: OnlineModel | None = None
    trained_level = "sentence"
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the window went away
            break
        try:
            op = request[0]
            if op == "train":
                _op, generation, level = request
                # Connected only while it reads: between trainings the worker holds nothing
                # of the database (a restore may replace the file meanwhile).
                db = Database(url)
                try:
                    service = SuggestionService(db)
                    sug, examples = service.train_with_examples(level=level)
                    notes = service.label_notes(examples)
                finally:
                    db.dispose()
                model = (generation, sug)
                online = OnlineModel(sug.model, examples) if sug.model is not None else None
                trained_level = level
                conn.send((True, (sug, notes)))
            elif op == "update":
                _op, generation, level, document_ids = request
                if model is None or model[0] != generation or online is None:
                    conn.send((True, None))  # no such model here: the next training has it
                    continue
                if level != trained_level:
                    conn.send((True, None))
                    continue
                db = Database(url)
                try:
                    service = SuggestionService(db)
                    changed = [
                        (d, service.examples(level=level, document_ids=[d])) for d in document_ids
                    ]
                finally:
                    db.dispose()
                try:
                    ok = all(online.replace_document(d, ex) for d, ex in changed)
                except Exception:  # a model this update cannot refit: the training will
                    traceback.print_exc()
                    online, ok = None, False
                if online is None:
                    conn.send((True, None))
                    continue
                if ok:
                    model = (generation, dataclasses.replace(model[1], model=online.model))
                conn.send((True, online.model.trained_on if ok else None))
            elif op == "score":
                _op, generation, text, kind = request
                if model is None or model[0] != generation:
                    conn.send((True, None))
                    continue
                items = passages(text, kind)
                rows = model[1].score([p.text_in(text) for p in items])
                conn.send((True, list(zip(items, rows, strict=True))))
            else:
                conn.send((False, AnnotatorError(f"Unknown request {op!r}.")))
        except AnnotatorError as exc:
            conn.send((False, exc))
        except Exception as exc:  # a bug: its trace goes to the worker's stderr
            traceback.print_exc()
            conn.send((False, AnnotatorError(f"Suggestions failed: {exc}")))


def _stop(proc: Any) -> None:
    if proc.is_alive():
        proc.terminate()
        proc.join(2)


class ModelProcess:
    """The window's side: a worker process started on first use, restarted if it died."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._lock = threading.Lock()
        self._proc: Any = None
        self._conn: Connection | None = None
        self._generation = 0
        self._closed = False
        self.notes: dict[str, str] = {}
        """Labels the last training could not learn, and why."""

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _ensure(self) -> Connection:
        if self._closed:
            raise AnnotatorError("Suggestions are closed.")
        if self._proc is None or not self._proc.is_alive() or self._conn is None:
            ctx = multiprocessing.get_context("spawn")  # no fork of a Qt process
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(
                target=_serve, args=(theirs, self._url), name="annotator-model", daemon=True
            )
            try:
                proc.start()
            except (RuntimeError, OSError) as exc:
                # e.g. a script without a ``__main__`` guard: spawning would run it again.
                ours.close()
                theirs.close()
                raise ProcessUnavailable(f"Cannot start the suggestions' process: {exc}") from exc
            theirs.close()
            self._proc, self._conn = proc, ours
            # A window dropped without close() must not leave its worker behind.
            weakref.finalize(self, _stop, proc)
        return self._conn

    def _call(self, *request: object) -> Any:
        with self._lock:
            conn = self._ensure()
            try:
                conn.send(request)
                ok, value = conn.recv()
            except (EOFError, OSError, BrokenPipeError) as exc:
                self._conn = None
                if self._closed:
                    raise AnnotatorError("Suggestions are closed.") from None
                raise AnnotatorError(
                    "The suggestions' process stopped; it starts again with the next training."
                ) from exc
        if not ok:
            raise value
        return value

    def train(self, level: PassageKind) -> tuple[int, Suggester]:
        """Fit a model on the database's labels; (its generation, a copy of it)."""
        with self._lock:
            self._generation += 1
            generation = self._generation
        sug, self.notes = self._call("train", generation, level)
        return generation, sug

    def update(self, generation: int, level: PassageKind, document_ids: list[int]) -> int | None:
        """Refit the worker's model on the documents' current judgements (no new vocabulary:
        that waits for the next training); the passages it now learns from, or None when it
        could not (another model, or a label left with one class)."""
        result: int | None = self._call("update", generation, level, document_ids)
        return result

    def score(self, generation: int, text: str, kind: PassageKind) -> Scored | None:
        """The document's passages with every label's score, or None when ``generation``
        is no longer the worker's model."""
        result: Scored | None = self._call("score", generation, text, kind)
        return result

    def close(self) -> None:
        """Stop the worker at once (a training in progress is abandoned)."""
        self._closed = True
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if proc is not None:
            _stop(proc)
        if conn is not None:
            conn.close()
