"""A plain (non-editable) install carries corpus/ and resources/ with the package."""

from __future__ import annotations

import os
import struct
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
    # Help > User guide reads the guide and its screenshots from the installed package.
    assert "annotator/_data/docs/user-guide.md" in names
    assert "annotator/_data/docs/team-setup.md" in names
    assert "annotator/_data/docs/images/tagging.png" in names


def test_ci_builds_the_bundle_after_the_test_command() -> None:
    lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    test = next(i for i, line in enumerate(lines) if line.endswith("&& pytest"))
    build = next(i for i, line in enumerate(lines) if "packaging/build.sh" in line)
    assert build > test
    script = (REPO / "packaging" / "build.sh").read_text(encoding="utf-8")
    assert "self-test" in script and "QT_QPA_PLATFORM=offscreen" in script


def test_icons_render_to_hicolor_pngs_and_an_ico(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "packaging" / "render_icons.py"), str(tmp_path)],
        check=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    for n in (16, 48, 256, 512):
        png = tmp_path / "hicolor" / f"{n}x{n}" / "apps" / "annotator.png"
        head = png.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", head[16:24]) == (n, n)
    ico = (tmp_path / "annotator.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, 7)
    for i in range(count):
        _w, _h, _c, _r, _p, _b, size, offset = struct.unpack(
            "<BBBBHHII", ico[6 + 16 * i : 22 + 16 * i]
        )
        assert ico[offset : offset + 8] == b"\x89PNG\r\n\x1a\n" and size > 0
    desktop = (REPO / "packaging" / "linux" / "annotator.desktop").read_text(encoding="utf-8")
    assert "Icon=annotator" in desktop and "Exec=annotator" in desktop
