"""``annotator self-test``: the installed app (or the bundle) proves it works, headless.

On a scratch database in a temporary folder it opens the workspace the normal way
(integrity check, instance marker, migrations), imports the shipped demo corpus and
checks its titles, builds the real main window offscreen, opens a document in a pane,
tags a selection by sending the label's key press to the text view (the path a user's
key takes), checks the span in the database through a second connection, undoes it
(the Undo action), shows the window, renders it, and closes. Exit 0 when every step
passed; otherwise 1 and a message naming the step that failed.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DEMO_TITLES = frozenset(
    {
        "Chapter 8: The Continuing War of Attrition in Ukraine: What Will the Trump "
        "Administration and Prolonged War Bring?",
        "Russia’s Withdrawal from Ukraine: Prospects and Reality",
        "As the war in Ukraine has ground into its third year, ceasefire negotiations have "
        "continued to…",
        "Putin unlikely to come to the negotiation table, regardless of who wins US election",
        "Ukraine Must Turn the Tide Before It Can Negotiate: To Gain Leverage, Kyiv Needs a "
        "Stable Front in the Donbas—and Western Security Guarantees",
    }
)
NEEDLE = "ceasefire"
USER = "self-test"


class SelfTestError(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SelfTestError(message)


@contextmanager
def _scratch_environment(folder: Path):
    """Data and config in ``folder``: the user's database and settings are never touched
    (the run is logged to the usual log file)."""
    names = ("ANNOTATOR_DATA_DIR", "ANNOTATOR_CONFIG_DIR", "ANNOTATOR_DB", "QT_QPA_PLATFORM")
    saved = {n: os.environ.get(n) for n in names}
    os.environ["ANNOTATOR_DATA_DIR"] = str(folder / "data")
    os.environ["ANNOTATOR_CONFIG_DIR"] = str(folder / "config")
    os.environ.pop("ANNOTATOR_DB", None)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        yield
    finally:
        for n, v in saved.items():
            if v is None:
                os.environ.pop(n, None)
            else:
                os.environ[n] = v


def _wait(app: Any, until: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not until():
        if time.monotonic() > end:
            raise SelfTestError(f"timed out after {timeout:.0f} s waiting for {what}")
        app.processEvents()
        time.sleep(0.005)


def run_self_test(out=print) -> int:
    folder = Path(tempfile.mkdtemp(prefix="annotator-self-test-"))
    started = time.perf_counter()
    state = {"step": "start"}
    try:
        with _scratch_environment(folder):
            for step, result in _steps(folder, state):
                out(f"  ok  {step}: {result}")
    except Exception as exc:
        detail = "" if isinstance(exc, SelfTestError) else "\n" + traceback.format_exc()
        print(f"self-test FAILED at '{state['step']}': {exc}{detail}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out(f"self-test passed in {time.perf_counter() - started:.2f} s")
    return 0


def _steps(folder: Path, state: dict[str, str]):
    """Yields (step, what was checked) as each step passes; ``state["step"]`` names the
    step under way, for the failure message."""
    import PySide6
    from PySide6.QtCore import QEvent, Qt, QTimer, qVersion
    from PySide6.QtGui import QGuiApplication, QKeyEvent

    from annotator import __version__, paths
    from annotator.app import import_demo_corpus, open_workspace
    from annotator.gui.app import application, launch
    from annotator.services import Workspace
    from annotator.settings import Settings

    print(
        f"self-test: annotator {__version__}, Python {sys.version.split()[0]}, "
        f"Qt {qVersion()} / PySide6 {PySide6.__version__}"
        + (" (bundle)" if getattr(sys, "frozen", False) else ""),
        flush=True,
    )
    settings = Settings(annotator=USER, welcome_shown=True)
    settings.save()
    url = paths.sqlite_url(folder / "self-test.sqlite3")

    state["step"] = "open workspace"
    ws = open_workspace(url, settings=settings)
    try:
        check(ws.documents.count() == 0, "the scratch database is not empty")
        yield "open workspace", f"{ws.display_url} ({ws.db.backend}, migrated)"

        state["step"] = "demo corpus"
        added = import_demo_corpus(ws)
        titles = {d.title for d in ws.documents.list()}
        check(added == 5, f"the demo corpus gave {added} documents, expected 5")
        check(titles == DEMO_TITLES, f"unexpected demo titles: {sorted(titles ^ DEMO_TITLES)}")
        yield "demo corpus", f"{added} documents from {paths.demo_corpus_dir()}, titles as shipped"

        state["step"] = "main window"
        app = application()
        platform = QGuiApplication.platformName()
        window = launch(ws, settings)
        _wait(app, lambda: not window.runner.busy, "the window's first loads")
        yield "main window", f"{type(window).__name__} on the {platform!r} platform"

        state["step"] = "open document"
        doc = next(d for d in ws.documents.list() if NEEDLE in (d.title or "").lower())
        pane = window.reading.current or window.new_pane()
        window.open_document(doc.id, pane=pane)
        _wait(
            app,
            lambda: pane.document_id == doc.id and not window.runner.busy,
            "the document to load in the pane",
        )
        yield "open document", f"#{doc.id} in a pane ({len(pane.document.text)} characters)"

        state["step"] = "tag by key"
        key_label = {lab.shortcut: lab.name for lab in ws.labels.list() if lab.shortcut}
        check("1" in key_label, "no label has the shortcut key 1")
        start = pane.document.text.index(NEEDLE)
        pane.go_to(start, start + len(NEEDLE))
        pane.view.setFocus()
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QGuiApplication.sendEvent(
                pane.view, QKeyEvent(kind, Qt.Key.Key_1, Qt.KeyboardModifier.NoModifier, "1")
            )
        app.processEvents()
        check_ws = Workspace.open(url)
        try:
            stored = [
                (s.label, s.start, s.end, s.annotator) for s in check_ws.annotations.spans(doc.id)
            ]
            expected = [(key_label["1"], start, start + len(NEEDLE), USER)]
            check(stored == expected, f"after key 1 the database holds {stored}, not {expected}")
            yield "tag by key", f"{key_label['1']} on {NEEDLE!r} stored as {USER}"

            state["step"] = "undo"
            check(window.undo_stack.canUndo(), "the tag left nothing to undo")
            window.actions_by_name["undo"].trigger()
            app.processEvents()
            left = check_ws.annotations.spans(doc.id)
            check(not left, f"undo left {len(left)} span(s) in the database")
            check(not pane.spans, "undo left the span on screen")
            yield "undo", "the span is gone from the database and the pane"
        finally:
            check_ws.close()

        state["step"] = "show window"
        window.show()
        deadline = time.monotonic() + 0.3
        while time.monotonic() < deadline:
            app.processEvents()
        image = window.grab().toImage()
        check(not image.isNull() and image.width() > 200, "the window did not render")
        check(
            len({image.pixel(x, image.height() // 2) for x in range(0, image.width(), 7)}) > 3,
            "the rendered window is blank",
        )
        yield "show window", f"rendered {image.width()}x{image.height()}"

        state["step"] = "close"
        closed: list[bool] = []
        QTimer.singleShot(0, lambda: closed.append(window.close()))
        _wait(app, lambda: bool(closed), "the window to close")
        check(closed == [True], "the window refused to close")
        window.runner.wait(10_000)
        window.deleteLater()
        app.processEvents()
        yield "close", "window closed"

        state["step"] = "suggestions"
        yield "suggestions", _suggestions_step(ws, exclude=doc.id)
    finally:
        ws.close()


def _suggestions_step(ws: Any, *, exclude: int) -> str:
    """Train a model (scikit-learn, SciPy, cleanlab's and py3langid's data in the bundle) on
    two demo articles tagged by the shipped seed rules, and have it suggest for a third."""
    from annotator.core.model import DocumentStatus, NewSpan
    from annotator.core.segment import sentences
    from annotator.suggest.model import label_issues
    from annotator.suggest.rules import RuleSet

    who = "self-test-model"
    rules = RuleSet.from_rules(ws.suggestions.rules())
    check(bool(rules), "the demo project's labels have no seed rules")
    docs = [d for d in ws.documents.list() if d.id != exclude]
    for d in docs[:2]:
        text = ws.documents.get(d.id).text
        spans = [
            NewSpan(p.start, p.end, lab, who)
            for p in sentences(text)
            for lab in rules.match(p.text_in(text))
        ]
        ws.annotations.add_many(d.id, spans)
        ws.annotations.set_status(d.id, who, DocumentStatus.DONE)
    sug = ws.suggestions.train(annotators=(who,))
    check(sug.model is not None and len(sug.model.labels) >= 2, "no model was trained")
    rows = list(ws.suggestions.suggestions(sug, document_ids=(exclude,)))
    check(any(r.source == "model" for r in rows), "the model suggested nothing")
    foreign = sug.score(["Президент России заявил, что переговоры продолжатся."])[0]
    check(all(not s.shown and s.note for s in foreign), "a Russian passage got a suggestion")
    check(
        label_issues([True, True, False, False, True], [0.9, 0.8, 0.1, 0.2, 0.05]) != [],
        "cleanlab found no label issue",
    )
    assert sug.model is not None
    return (
        f"learnt {', '.join(sug.model.labels)} from {sug.model.trained_on} passages; "
        f"{len(rows)} suggestions for #{exclude}; languages {sorted(sug.model.languages)}"
    )
