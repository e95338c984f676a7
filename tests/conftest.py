"""Every test runs against temporary data and config dirs: never the user's real database."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/pg.py
CORPUS = REPO / "corpus"


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path_factory.mktemp("annotator-home")
    monkeypatch.setenv("ANNOTATOR_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("ANNOTATOR_CONFIG_DIR", str(base / "config"))
    monkeypatch.delenv("ANNOTATOR_DB", raising=False)


@pytest.fixture(autouse=True)
def _no_log_handler_outlives_its_test() -> Iterator[None]:
    """A command run in-process sets up the log file under that test's folders (a small
    tmpfs, sometimes full): the next test must not write there."""
    yield
    from annotator import log

    log.teardown_logging()


# Storage and service tests run on both backends; the rest stay on SQLite.
BOTH_BACKENDS = {"storage", "services"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    folder = Path(str(metafunc.definition.path)).parent.name
    if "db_backend" in metafunc.fixturenames and folder in BOTH_BACKENDS:
        metafunc.parametrize(
            "db_backend",
            ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
            indirect=True,
        )


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TempPostgres]:  # noqa: F821
    """One PostgreSQL for the session (tests/pg.py); fails under CI if it cannot start."""
    from pg import PostgresUnavailable, TempPostgres

    try:
        server = TempPostgres().start()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs PostgreSQL for the team-mode tests: {exc}", pytrace=False)
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture
def pg_database(pg_server: TempPostgres) -> Iterator[tuple[str, str]]:  # noqa: F821
    """A fresh database on the session server: (name, superuser URL); dropped afterwards."""
    name, url = pg_server.new_database()
    yield name, url
    pg_server.drop_database(name)


@pytest.fixture
def db_url(tmp_path: Path, db_backend: str, request: pytest.FixtureRequest) -> str:
    if db_backend == "postgresql":
        return str(request.getfixturevalue("pg_database")[1])
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def workspace(db_url: str) -> Iterator[Workspace]:  # noqa: F821
    from annotator.services import Workspace

    ws = Workspace.open(db_url)
    yield ws
    ws.close()
