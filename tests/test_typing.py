"""mypy --strict outside gui/ (pyproject's [tool.mypy]) is part of the test run, not a wish."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_mypy_strict_outside_gui() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "annotator"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
