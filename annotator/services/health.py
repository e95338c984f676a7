"""The full check of a SQLite database and the record of when it last passed.

Every open checks only what costs the same on 1 MB and 1 GB (services.opening). The full
check (``integrity_check``: every page, index and constraint, and every text cell's
UTF-8) runs on ``annotator check`` and in the window's background at most once a day. Its
result is recorded beside the database's backups (``last-check.json``), so that a command
can say, without reading the file, that the last full check failed or is old.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from annotator.services.backups import BackupService
from annotator.storage.integrity import FileCheck, full_check

log = logging.getLogger(__name__)

RECORD_NAME = "last-check.json"
CHECK_EVERY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CheckRecord:
    when: dt.datetime
    ok: bool
    problem: str
    seconds: float
    size: int

    @property
    def age(self) -> dt.timedelta:
        return dt.datetime.now(dt.UTC) - self.when


def record_path(backups: BackupService) -> Path:
    return backups.folder / RECORD_NAME


def last_check(backups: BackupService) -> CheckRecord | None:
    try:
        raw = json.loads(record_path(backups).read_text(encoding="utf-8"))
        return CheckRecord(
            dt.datetime.fromisoformat(raw["when"]),
            bool(raw["ok"]),
            str(raw.get("problem", "")),
            float(raw.get("seconds", 0.0)),
            int(raw.get("size", 0)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save(backups: BackupService, record: CheckRecord) -> None:
    """Written to a temporary name, then renamed: a reader never sees half a record. A
    record that cannot be written (full disk) is logged, not raised: the check's answer
    still reaches the user."""
    data = {
        "when": record.when.isoformat(),
        "ok": record.ok,
        "problem": record.problem,
        "seconds": round(record.seconds, 3),
        "size": record.size,
    }
    try:
        backups.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".last-check.", suffix=".tmp", dir=backups.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
            os.replace(tmp, record_path(backups))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        log.warning("the check of %s could not be recorded: %s", backups.db_path, exc)


def run_full_check(backups: BackupService) -> tuple[FileCheck, CheckRecord]:
    """The full check of the database, recorded. Reads the whole file, writes nothing to it."""
    path = backups.db_path
    started = time.perf_counter()
    result = full_check(path)
    size = 0
    with contextlib.suppress(OSError):
        size = path.stat().st_size
    record = CheckRecord(
        dt.datetime.now(dt.UTC), result.ok, result.problem, time.perf_counter() - started, size
    )
    if result.ok or result.damaged:  # a full disk says nothing about the file: not recorded
        _save(backups, record)
    return result, record


def due(backups: BackupService) -> bool:
    """Is a background full check due (never checked, last one failed or over a day old)?"""
    record = last_check(backups)
    return record is None or not record.ok or record.age >= CHECK_EVERY


def stale_note(backups: BackupService) -> str:
    """A sentence when the last full check of the database failed or is over a day old
    ("" otherwise, and when it never ran: the window runs it in the background, and
    ``annotator check`` on demand)."""
    record = last_check(backups)
    if record is None:
        return ""
    when = record.when.astimezone().strftime("%Y-%m-%d %H:%M")
    check = backups.command("restore").replace(" backup restore", " check")
    if not record.ok:
        newest = backups.newest()
        restore = (
            f"; restore the newest backup with: {backups.command('restore')} {newest.name}"
            if newest is not None
            else ""
        )
        return (
            f"The last full check of {backups.db_path} ({when}) found it damaged: "
            f"{record.problem}. Run `{check}` again{restore}."
        )
    if record.age >= CHECK_EVERY:
        days = record.age.days
        ago = f"{days} day{'s' if days != 1 else ''}" if days else "over a day"
        return (
            f"The last full check of {backups.db_path} passed {ago} ago ({when}); run "
            f"`{check}` to check it again."
        )
    return ""
