"""Logs rotate in the log dir and hold no secrets; exception reports are scrubbed;
batched imports keep the per-file all-or-nothing promise and report progress."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator import __version__, log, paths
from annotator.services import Workspace, import_parsed

SECRETS = "hunter2-secret"


@pytest.fixture
def logging_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PGPASSWORD", "pg-env-pass")
    target = log.setup_logging()
    assert target is not None and target.parent == paths.log_dir()
    yield target
    log.teardown_logging()


def test_log_file_has_no_secrets(logging_on: Path) -> None:
    lg = logging.getLogger("annotator.test")
    lg.info("connecting to postgresql+psycopg://alice:%s@db.example:5432/team", SECRETS)
    lg.warning("env PGPASSWORD=%s and dsn host=db password='%s' user=bob", "pg-env-pass", SECRETS)
    lg.error("the raw value pg-env-pass leaked into a message")
    for h in logging.getLogger("annotator").handlers:
        h.flush()
    text = logging_on.read_text(encoding="utf-8")
    assert "alice" in text and "db.example" in text and "user=bob" in text
    assert SECRETS not in text and "pg-env-pass" not in text
    assert text.count("***") >= 4


def test_log_rotates(logging_on: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (handler,) = [
        h
        for h in logging.getLogger("annotator").handlers
        if isinstance(h, logging.handlers.RotatingFileHandler)
    ]
    assert handler.backupCount == log.BACKUP_COUNT and handler.maxBytes == log.MAX_BYTES
    handler.maxBytes = 2000
    for i in range(200):
        logging.getLogger("annotator.test").info("line %d %s", i, "x" * 50)
    rotated = sorted(p.name for p in logging_on.parent.iterdir())
    assert rotated[:2] == ["annotator.log", "annotator.log.1"]
    assert len(rotated) == 1 + log.BACKUP_COUNT
    # Readable by their owner only, the rotated ones too (they name documents and people).
    assert {oct(p.stat().st_mode & 0o777) for p in logging_on.parent.iterdir()} == {"0o600"}


def test_an_old_world_readable_log_is_tightened(monkeypatch: pytest.MonkeyPatch) -> None:
    target = paths.log_dir() / "annotator.log"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("from an older version\n", encoding="utf-8")
    target.chmod(0o644)
    assert log.setup_logging() == target
    try:
        logging.getLogger("annotator.test").warning("hello")
        assert target.stat().st_mode & 0o777 == 0o600
    finally:
        log.teardown_logging()


def test_setup_logging_is_idempotent(logging_on: Path) -> None:
    log.setup_logging()
    handlers = [
        h
        for h in logging.getLogger("annotator").handlers
        if isinstance(h, logging.handlers.RotatingFileHandler)
    ]
    assert len(handlers) == 1


def test_exception_report_has_context_and_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", "pg-env-pass")
    monkeypatch.setenv("ANNOTATOR_DB", f"postgresql://carol:{SECRETS}@h/db")
    try:
        raise RuntimeError(f"could not connect to postgresql://carol:{SECRETS}@h/db (pg-env-pass)")
    except RuntimeError as exc:
        report = log.exception_report(exc)
    assert f"Annotator {__version__}" in report and "Python " in report and "Platform " in report
    assert "Traceback" in report and "test_exception_report_has_context" in report
    assert SECRETS not in report and "pg-env-pass" not in report
    assert "carol:***@h" in report


def _jsonl(path: Path, texts: list[str], *, bad: bool = False) -> None:
    lines = [
        json.dumps({"id": t, "text": t, "spans": [{"start": 0, "end": 3, "label": "MILITARY"}]})
        for t in texts
    ]
    if bad:
        lines.append("{broken")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_batch_with_a_bad_file_rolls_back_only_that_file(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_parsed, "BATCH_FILES", 4)
    folder = tmp_path / "in"
    folder.mkdir()
    for f in range(10):
        _jsonl(
            folder / f"f{f:02d}.jsonl", [f"File {f} doc {d}." for d in range(3)], bad=f in (2, 7)
        )
    seen: list[tuple[int, int]] = []
    report = workspace.importer.import_paths([folder], progress=lambda d, t: seen.append((d, t)))
    assert sorted(Path(str(e.path)).name for e in report.errors) == ["f02.jsonl", "f07.jsonl"]  # type: ignore[attr-defined]
    assert report.documents_added == 24 == workspace.documents.count()
    stored = {d.title or "" for d in workspace.documents.list()}
    assert not any(t.startswith(("File 2 ", "File 7 ")) for t in stored)
    assert [d for d, _ in seen] == list(range(11)) and {t for _, t in seen} == {10}


def test_cancel_keeps_whole_files_only(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_parsed, "BATCH_FILES", 50)
    folder = tmp_path / "in"
    folder.mkdir()
    for f in range(10):
        _jsonl(folder / f"f{f:02d}.jsonl", [f"File {f} doc {d}." for d in range(3)])
    calls = iter(range(100))
    report = workspace.importer.import_paths([folder], cancel=lambda: next(calls) >= 4)
    assert report.cancelled and len(report.files) == 4
    assert workspace.documents.count() == 12
