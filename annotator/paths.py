"""Where things live. Order: explicit argument, environment variable, platform default."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "annotator"
ENV_DATA_DIR = "ANNOTATOR_DATA_DIR"
ENV_CONFIG_DIR = "ANNOTATOR_CONFIG_DIR"
ENV_DB = "ANNOTATOR_DB"
_PACKAGE = Path(__file__).resolve().parent


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_DATA_DIR):
        return Path(os.environ[ENV_DATA_DIR])
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def config_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_CONFIG_DIR):
        return Path(os.environ[ENV_CONFIG_DIR])
    if os.environ.get(ENV_DATA_DIR):
        return Path(os.environ[ENV_DATA_DIR]) / "config"
    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def log_dir() -> Path:
    if os.environ.get(ENV_DATA_DIR):
        return Path(os.environ[ENV_DATA_DIR]) / "logs"
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def backup_dir() -> Path:
    return data_dir() / "backups"


def default_db_path() -> Path:
    return data_dir() / "annotator.sqlite3"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def resolve_db_url(explicit: str | None = None, settings_url: str | None = None) -> str:
    """``--db`` wins, then ``ANNOTATOR_DB``, then the settings file, then the SQLite default."""
    url = explicit or os.environ.get(ENV_DB) or settings_url
    if url:
        return url
    path = default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return sqlite_url(path)


def _shipped(name: str) -> Path:
    """A top-level folder shipped with the app: inside the wheel, or beside the source tree."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def resources_dir() -> Path:
    return _shipped("resources")


def resource(name: str) -> Path:
    """The one way to load a file from ``resources/``."""
    return resources_dir() / name


def seed_rules() -> dict[str, str]:
    """The seed rules shipped for the standard labels (``resources/seed_rules/LABEL.txt``):
    label -> rules text."""
    folder = resource("seed_rules")
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


def demo_corpus_dir() -> Path:
    return _shipped("corpus")


def docs_dir() -> Path:
    """The user guide and its screenshots (installed: ``_data/docs``; source: ``docs/``)."""
    return _shipped("docs")


def user_guide() -> Path:
    return docs_dir() / "user-guide.md"
