"""docs/make_screenshots.py renders every image the docs use, from a clean database."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from PySide6.QtGui import QImage

REPO = Path(__file__).resolve().parents[2]


def _module(name: str = "make_screenshots"):
    spec = importlib.util.spec_from_file_location(name, REPO / "docs" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _distinct_colours(image: QImage) -> int:
    step = max(1, image.width() // 97)
    rows = range(0, image.height(), max(1, image.height() // 41))
    return len({image.pixel(x, y) for y in rows for x in range(0, image.width(), step)})


def test_render_writes_every_shot_non_blank(qapp, tmp_path):
    mod = _module()
    written = mod.render(tmp_path / "out", tmp_path / "work")
    assert sorted(p.name for p in written) == sorted(mod.SHOTS)
    for path in written:
        image = QImage(str(path))
        assert not image.isNull(), path
        assert image.width() >= 300 and image.height() >= 200, (path, image.size())
        blank = QImage(image.size(), image.format())
        blank.fill(image.pixel(0, 0))
        assert image != blank, f"{path.name} is a blank image"
        assert _distinct_colours(image) > 10, f"{path.name} has almost no content"


def test_team_render_writes_comparison_and_agreement(qapp, tmp_path):
    mod = _module("make_team_screenshots")
    written = mod.render(tmp_path / "out", tmp_path / "work")
    assert sorted(p.name for p in written) == sorted(mod.SHOTS)
    for path in written:
        image = QImage(str(path))
        assert not image.isNull() and image.width() >= 600, path
        assert _distinct_colours(image) > 10, f"{path.name} has almost no content"


def test_suggest_render_writes_its_shots(qapp, tmp_path):
    mod = _module("make_suggest_screenshots")
    written = mod.render(tmp_path / "out", tmp_path / "work")
    assert sorted(p.name for p in written) == sorted(mod.SHOTS)
    for path in written:
        image = QImage(str(path))
        assert not image.isNull() and image.width() >= 400, path
        assert _distinct_colours(image) > 10, f"{path.name} has almost no content"


def test_study_render_writes_the_progress_view(qapp, tmp_path):
    mod = _module("make_study_screenshots")
    written = mod.render(tmp_path / "out", tmp_path / "work")
    assert sorted(p.name for p in written) == sorted(mod.SHOTS)
    for path in written:
        image = QImage(str(path))
        assert not image.isNull() and image.width() >= 600, path
        assert _distinct_colours(image) > 10, f"{path.name} has almost no content"


def test_every_image_the_docs_reference_is_rendered_by_a_script():
    mod, team = _module(), _module("make_team_screenshots")
    suggest = _module("make_suggest_screenshots")
    study = _module("make_study_screenshots")
    docs = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    referenced = set()
    for doc in docs:
        referenced |= set(re.findall(r"images/([\w.-]+\.png)", doc.read_text(encoding="utf-8")))
    assert {"tagging.png", "export.png", "welcome.png"} <= referenced
    assert referenced <= set(mod.SHOTS) | set(team.SHOTS) | set(suggest.SHOTS) | set(study.SHOTS)
    assert "progress.png" in referenced
    assert {"comparison.png", "agreement.png"} <= referenced
