"""Every test runs against temporary data and config dirs: never the user's real database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path_factory.mktemp("annotator-home")
    monkeypatch.setenv("ANNOTATOR_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("ANNOTATOR_CONFIG_DIR", str(base / "config"))
    monkeypatch.delenv("ANNOTATOR_DB", raising=False)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def workspace(db_url: str) -> Iterator[Workspace]:  # noqa: F821
    from annotator.services import Workspace

    ws = Workspace.open(db_url)
    yield ws
    ws.close()
