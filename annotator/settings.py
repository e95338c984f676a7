"""Typed user settings in a JSON file, with a version and step-by-step upgrades (as napari).

Window layout lives in QSettings (the GUI's business); this file holds what the
CLI and the GUI share. A database password never goes here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from annotator import paths

VERSION = 2
log = logging.getLogger(__name__)


@dataclass
class Settings:
    version: int = VERSION
    annotator: str = ""
    """The current annotator's name; empty until the first run asks for it."""
    db_url: str = ""
    """A database URL without password (passwords come from ~/.pgpass or PGPASSWORD)."""
    snap_to_words: bool = True
    passage_kind: str = "sentence"
    backups_keep: int = 7
    max_import_mb: int = 200
    welcome_shown: bool = False

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or settings_path()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.warning("settings file %s unreadable (%s); using defaults", path, exc)
            return cls()
        if not isinstance(raw, dict):
            return cls()
        raw = upgrade(raw)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, path: Path | None = None) -> None:
        path = path or settings_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings.", suffix=".part")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(asdict(self), fh, indent=2)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def _v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
    # v1 called the annotator "user".
    if "user" in raw:
        raw.setdefault("annotator", raw.pop("user"))
    return raw


_UPGRADES = {1: _v1_to_v2}


def upgrade(raw: dict[str, Any]) -> dict[str, Any]:
    version = int(raw.get("version", 1))
    while version < VERSION:
        raw = _UPGRADES[version](raw)
        version += 1
    raw["version"] = VERSION
    return raw


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"
