"""Logging to a rotating file in the log dir, and exception reports safe to paste anywhere.

Both go through ``scrub``: passwords in database URLs, ``PGPASSWORD`` and the
like, and ``password=`` pairs in connection strings never reach a log file or a
bug report. The CLI and GUI entry points call ``setup_logging`` once.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import logging.handlers
import os
import platform
import re
import sys
import traceback
from pathlib import Path

from annotator import __version__, paths

LOG_FILE = "annotator.log"
MAX_BYTES = 2_000_000
BACKUP_COUNT = 5
SECRET_ENV = ("PGPASSWORD", "ANNOTATOR_DB_PASSWORD")
_MASK = "***"
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][\w+.-]*://[^:/?#@\s]*:)(?P<pw>[^@\s]*)@")
_KEY_VALUE = re.compile(
    r"(?P<key>\b(?:PGPASSWORD|password|passwd|pwd|secret|token|api[_-]?key)\b\s*[=:]\s*)"
    r"(?P<q>['\"]?)(?P<value>[^\s'\"&;,]+)(?P=q)",
    re.IGNORECASE,
)


def _env_secrets() -> list[str]:
    found = [os.environ.get(name, "") for name in SECRET_ENV]
    url = os.environ.get(paths.ENV_DB, "")
    m = _URL_PASSWORD.search(url)
    if m and m.group("pw"):
        found.append(m.group("pw"))
    return [s for s in found if len(s) >= 3]


def scrub(text: str) -> str:
    """The text with every password we can recognise replaced by ``***``."""
    for secret in _env_secrets():
        text = text.replace(secret, _MASK)
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + _MASK + "@", text)
    return _KEY_VALUE.sub(lambda m: m.group("key") + m.group("q") + _MASK + m.group("q"), text)


class ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def log_file() -> Path:
    return paths.log_dir() / LOG_FILE


class _LogFileHandler(logging.handlers.RotatingFileHandler):
    """The app's log file: readable by its owner only (0600), rotated files too (what it
    holds is scrubbed of passwords, but it still names documents and people), and skipped
    silently when it cannot be written (a full or read-only disk): logging's default prints
    a traceback on stderr for every record, which reads as a crash in the middle of a
    command's own (clear) message."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o600)  # a file made by an older version, 0644
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)

    def handleError(self, record: logging.LogRecord) -> None:
        return

    def flush(self) -> None:
        with contextlib.suppress(OSError):
            super().flush()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            super().close()


def setup_logging(*, level: int = logging.INFO, console: bool = False) -> Path | None:
    """Attach a rotating, scrubbing file handler to the ``annotator`` logger (idempotent).

    Returns the log file, or None when the log dir cannot be written (logging must
    never stop the app from starting).
    """
    logger = logging.getLogger("annotator")
    logger.setLevel(level)
    target = log_file()
    for h in logger.handlers:
        if isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename) == target:
            return target
    fmt = ScrubbingFormatter("%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler = _LogFileHandler(
            target, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    handler.setFormatter(fmt)
    logger.addHandler(handler)
    if console:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(fmt)
        stream.setLevel(logging.WARNING)
        logger.addHandler(stream)
    return target


def teardown_logging() -> None:
    """Detach and close the handlers ``setup_logging`` added (tests, embedding)."""
    logger = logging.getLogger("annotator")
    for h in list(logger.handlers):
        if isinstance(h, logging.handlers.RotatingFileHandler | logging.StreamHandler):
            logger.removeHandler(h)
            h.close()


def exception_report(exc: BaseException) -> str:
    """Version, platform and traceback of ``exc``, secrets scrubbed: for "Copy details"."""
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    lines = [
        f"Annotator {__version__}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"Platform {platform.platform()}",
    ]
    # The version from package metadata: Qt itself is never imported here.
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        lines.append(f"PySide6 {importlib.metadata.version('PySide6')}")
    lines += [f"Log file {log_file()}", "", tb.rstrip()]
    return scrub("\n".join(lines))
