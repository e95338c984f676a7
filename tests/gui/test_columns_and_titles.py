"""Truncation at realistic window sizes: corpus titles were five characters wide beside a wide
Status column, the span list showed "MILIT…", a header "nnotat" and a note "He…", a
passage-mode pane's title was cut to "Rus", and title boxes clipped instead of eliding.

Each size runs the real window in its own process on an offscreen screen of that size
(tests/gui/fit_probe.py), maximised, with the demo corpus, a note and a teammate's span.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def probe(width: int, height: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, str(HERE / "fit_probe.py"), str(width), str(height)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
    )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("PROBE ")), None)
    assert line is not None, proc.stdout + proc.stderr
    return json.loads(line[len("PROBE ") :])


@pytest.fixture(scope="module", params=[(1600, 900), (1280, 720)], ids=["1600x900", "1280x720"])
def shown(request) -> dict:
    return probe(*request.param)


def whole(column: dict) -> bool:
    return column["shown"] == column["texts"]


def test_corpus_titles_get_the_room_and_side_columns_show_their_text(shown):
    corpus = shown["corpus"]
    title = corpus["title"]
    assert title["width"] >= 0.45 * shown["corpus_viewport"], (title["width"], shown)
    # Every title shows at least its first 20 characters before the "…".
    for text, seen in zip(title["texts"], title["shown"], strict=True):
        assert seen == text or (seen.endswith("…") and len(seen) >= 21), (text, seen)
    for name in ("date", "source", "status", "spans"):
        col = corpus[name]
        if col["hidden"]:
            assert name in ("date", "source")  # stepped aside in a narrow dock...
            continue
        assert whole(col), (name, col["shown"], col["texts"])
        assert col["header_shown"] == col["header"], (name, col["header_shown"])
    # ...and what it held is in the title's tooltip, with the whole title.
    tip = shown["corpus_title_tooltip"]
    assert tip.startswith(title["texts"][0])


def test_span_list_labels_headers_and_notes_are_readable(shown):
    spans = shown["spans"]
    assert whole(spans["label"]), spans["label"]["shown"]  # "DIPLOMATIC", not "DIPLO…"
    assert whole(spans["annotator"]), spans["annotator"]["shown"]  # alice, oleh
    for name, col in spans.items():
        assert col["header_shown"] == col["header"], (name, col["header_shown"])  # not "nnotat"
    (note,) = [n for n in spans["note"]["shown"] if n]
    assert len(note) >= 6, note  # "Headl…" at the least, never "He…"
    text = spans["text"]
    assert text["width"] >= 0.3 * shown["spans_viewport"] - 2  # a grid line
    assert all(len(t) >= 10 for t in text["shown"]), text["shown"]


def test_pane_titles_elide_with_the_whole_title_as_tooltip(shown):
    for pane in shown["panes"]:
        seen, title = pane["shown"], pane["title"]
        assert seen is not None, "the title box clips its text instead of eliding it"
        assert pane["tooltip"] == title
        if pane["title_needs"] < pane["picker_width"] - 40:
            assert seen == title
        else:
            assert seen.endswith("…") and title.startswith(seen[:-1])
        assert len(seen) >= 20, seen  # the passage-mode pane too: never "Rus"
