"""Icons from ``resources/icons`` (SVG, so they stay sharp on high-DPI screens)."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from annotator import paths


@cache
def icon(name: str) -> QIcon:
    path = paths.resource(f"icons/{name}.svg")
    return QIcon(str(path)) if path.is_file() else QIcon()
