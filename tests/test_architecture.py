"""Layering is checked, not hoped for: import-linter contracts from pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    proc = subprocess.run(
        [exe, "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" not in proc.stdout.lower() or " 0 broken" in proc.stdout.lower()


def test_core_imports_without_qt_or_sqlalchemy() -> None:
    code = (
        "import sys, annotator.core, annotator.formats.registry, annotator.agreement;"
        "bad=[m for m in ('PySide6','sqlalchemy') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_start_up_does_not_import_heavy_modules() -> None:
    """The window must show fast (target 1 s): numpy, the agreement package, the format
    registry, Alembic and spaCy load when first used, never at start-up."""
    code = (
        # and what the window's constructor imports: the suggestions' controller and queue
        "import sys, annotator.cli, annotator.gui.app, annotator.gui.main_window,"
        " annotator.gui.suggestions, annotator.gui.review_queue;"
        "heavy=('numpy','annotator.agreement','annotator.formats.registry','alembic','spacy',"
        "'sklearn','annotator.suggest');"
        "loaded=[m for m in heavy if m in sys.modules];"
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
