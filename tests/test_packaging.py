"""A plain (non-editable) install carries corpus/ and resources/ with the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_ships_corpus_resources_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("annotator-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    corpus = {p.name for p in (REPO / "corpus").iterdir()}
    assert {f"annotator/_data/corpus/{n}" for n in corpus} <= names
    assert any(n.startswith("annotator/_data/resources/") for n in names)
    assert "annotator/storage/migrations/env.py" in names
    assert any(n.startswith("annotator/storage/migrations/versions/0001") for n in names)
    assert not any(n.endswith((".sqlite3", ".db")) for n in names)
