"""`annotator self-test` and the start-up timing hook, run as the user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import time


def _env(tmp_path):
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        ANNOTATOR_DATA_DIR=str(tmp_path / "data"),
        ANNOTATOR_CONFIG_DIR=str(tmp_path / "config"),
    )
    env.pop("ANNOTATOR_DB", None)
    return env


def test_self_test_command_exits_0_after_every_step(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "annotator", "self-test"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    steps = [line.split(":")[0].strip() for line in proc.stdout.splitlines() if "  ok  " in line]
    assert steps == [
        "ok  open workspace",
        "ok  demo corpus",
        "ok  main window",
        "ok  open document",
        "ok  tag by key",
        "ok  undo",
        "ok  show window",
        "ok  close",
        "ok  suggestions",
    ]
    assert "self-test passed" in proc.stdout
    # The run used a scratch folder: no database or settings where the user's live.
    assert not (tmp_path / "data" / "annotator.sqlite3").exists()
    assert not (tmp_path / "config").exists()


def test_self_test_fails_loudly_when_a_check_fails(qapp, monkeypatch, capsys):
    from annotator.gui import self_test

    monkeypatch.setattr(self_test, "DEMO_TITLES", frozenset({"An article that is not shipped"}))
    assert self_test.run_self_test() == 1
    err = capsys.readouterr().err
    assert "self-test FAILED at 'demo corpus': unexpected demo titles" in err


def test_exit_after_show_reports_the_first_paint_and_quits(tmp_path):
    env = _env(tmp_path)
    env.update(ANNOTATOR_EXIT_AFTER_SHOW="1", ANNOTATOR_T0=repr(time.time()))
    proc = subprocess.run(
        [sys.executable, "-m", "annotator"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    (line,) = [x for x in proc.stdout.splitlines() if x.startswith("startup: window shown")]
    assert 0 < float(line.split()[-2]) < 60
    assert (tmp_path / "data" / "annotator.sqlite3").exists()  # a real first run happened
