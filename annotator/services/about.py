"""What the About box and a bug report say about this installation and its database."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass

from annotator import __version__
from annotator.services.workspace import Workspace
from annotator.storage.versions import library_versions


@dataclass(frozen=True, slots=True)
class AboutInfo:
    app_version: str
    python: str
    platform: str
    libraries: dict[str, str]
    backend: str
    database: str
    """The database URL with any password masked."""
    frozen: bool
    """True inside the PyInstaller bundle."""


def about_info(ws: Workspace | None) -> AboutInfo:
    return AboutInfo(
        app_version=__version__,
        python=f"{platform.python_version()} ({platform.python_implementation()})",
        platform=platform.platform(),
        libraries=library_versions(),
        backend=ws.db.backend if ws is not None else "",
        database=ws.display_url if ws is not None else "",
        frozen=bool(getattr(sys, "frozen", False)),
    )
