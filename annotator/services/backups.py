"""Backups of a SQLite database: list, create, restore, rotate; what the GUI and CLI call.

Backups live in ``<backup dir>/<db stem>-<hash of its path>/`` so two databases
never share (or rotate away) each other's copies. A backup's name carries its
UTC time and why it was made::

    20261121T225808.123456Z-daily.sqlite3

Daily, manual and pre-migration backups rotate together, keeping the newest
``keep``; the copy saved just before a restore is never rotated away.

Only real backups are listed: a file with another name, an impossible date, no bytes,
another program's database or a newer schema is skipped with a warning (``skipped``).
A restore verifies the whole backup first. The daily backup never stops the app: it
fails with a warning (``last_failure``) and the day's work goes on.
"""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from annotator.core.errors import AnnotatorError, DatabaseError
from annotator.storage import backup as sqlite_backup
from annotator.storage.instance import probe
from annotator.storage.integrity import verify_backup
from annotator.storage.migrate import KNOWN

log = logging.getLogger(__name__)

DAILY = "daily"
MANUAL = "manual"
PRE_MIGRATION = "pre-migration"
PRE_RESTORE = "pre-restore"
ROTATED = (DAILY, MANUAL, PRE_MIGRATION)
_OWN_FILES = frozenset({"last-check.json"})
_NAME = re.compile(r"^(\d{8}T\d{6}\.\d{6}Z)-([a-z-]+)\.sqlite3$")
_STAMP = "%Y%m%dT%H%M%S.%fZ"
DAY = dt.timedelta(hours=24)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class BackupInfo:
    name: str
    path: Path
    created: dt.datetime
    kind: str
    size: int

    def describe(self) -> str:
        when = self.created.astimezone().strftime("%Y-%m-%d %H:%M")
        return f"{self.name}  ({self.kind}, {when}, {self.size / 1e6:.1f} MB)"


class BackupService:
    def __init__(
        self, db_path: Path, *, backup_root: Path, keep: int = 7, cli_db_arg: str = ""
    ) -> None:
        self.db_path = db_path.resolve()
        digest = hashlib.sha256(str(self.db_path).encode()).hexdigest()[:8]
        self.folder = backup_root / f"{self.db_path.stem}-{digest}"
        self.keep = max(1, int(keep))
        self._cli_db_arg = cli_db_arg
        self.skipped: dict[str, str] = {}
        """Files in the backup folder that are not listed, and why (after ``list``)."""
        self.last_failure = ""
        """Why the last daily backup failed, in a sentence ("" when it did not)."""
        self._verified: dict[tuple[str, int, int], str] = {}

    # --- reading ------------------------------------------------------------------

    def list(self) -> list[BackupInfo]:
        """Backups of this database, newest first: only files that are real backups this
        version can restore (see ``skipped`` for the others)."""
        self.skipped = {}
        if not self.folder.is_dir():
            return []
        out = []
        for p in self.folder.iterdir():
            if p.name.startswith(".") or p.name in _OWN_FILES:
                continue  # a backup being written, the check record
            problem = ""
            m = _NAME.match(p.name)
            if m is None or not p.is_file():
                problem = (
                    "not a backup's name (expected e.g. 20261121T225808.123456Z-daily.sqlite3)"
                )
            else:
                try:
                    created = dt.datetime.strptime(m.group(1), _STAMP).replace(tzinfo=dt.UTC)
                except ValueError:
                    problem = f"its name holds an impossible date ({m.group(1)})"
            if not problem:
                # The copy kept before a restore may hold a damaged file's exact bytes: it
                # is listed as long as it has any (a restore of it verifies it first).
                problem = (
                    ("it is empty (0 bytes)" if p.stat().st_size == 0 else "")
                    if m.group(2) == PRE_RESTORE  # type: ignore[union-attr]
                    else self._verify(p)
                )
            if problem:
                self.skipped[p.name] = problem
                log.warning("skipped %s in the backup folder: %s", p, problem)
                continue
            out.append(BackupInfo(p.name, p, created, m.group(2), p.stat().st_size))  # type: ignore[union-attr]
        return sorted(out, key=lambda b: b.created, reverse=True)

    def _verify(self, path: Path) -> str:
        """The cheap check of a backup (header, that it is ours, schema not newer); the
        answer is kept for as long as the file's size and mtime stay the same."""
        try:
            st = path.stat()
        except OSError as exc:
            return f"it cannot be read ({exc.strerror})"
        key = (path.name, st.st_size, st.st_mtime_ns)
        if key not in self._verified:
            self._verified[key] = verify_backup(path, KNOWN)
        return self._verified[key]

    def newest(self) -> BackupInfo | None:
        found = [b for b in self.list() if b.kind != PRE_RESTORE]
        return found[0] if found else None

    def find(self, name: str) -> BackupInfo:
        """By exact name, unique prefix, or ``latest``."""
        backups = self.list()
        if name == "latest":
            newest = self.newest()
            if newest is not None:
                return newest
        matches = [b for b in backups if b.name == name] or [
            b for b in backups if b.name.startswith(name)
        ]
        if not matches:
            named = [n for n in self.skipped if n == name or n.startswith(name)]
            if len(named) == 1:  # damaged, foreign or newer: the file's fault, not the name's
                raise DatabaseError(
                    f"{named[0]} cannot be restored: {self.skipped[named[0]]}; see: "
                    f"{self.command('list')}"
                )
        if len(matches) != 1:
            what = "matches several backups" if matches else "is not a backup of this database"
            raise AnnotatorError(f"{name!r} {what}; see: {self.command('list')}")
        return matches[0]

    def command(self, action: str) -> str:
        db = f" --db {self._cli_db_arg}" if self._cli_db_arg else ""
        return f"annotator{db} backup {action}"

    # --- writing ------------------------------------------------------------------

    def create(self, kind: str = MANUAL, *, now: dt.datetime | None = None) -> BackupInfo:
        if not self.db_path.exists():
            raise AnnotatorError(f"There is no database at {self.db_path} to back up.")
        when = now or utc_now()
        dest = self.folder / f"{when.strftime(_STAMP)}-{kind}.sqlite3"
        sqlite_backup.clean_stale_parts(self.folder)
        try:
            sqlite_backup.online_backup(self.db_path, dest)
        except OSError as exc:
            raise DatabaseError(
                f"The backup of {self.db_path} could not be made in {self.folder}: "
                f"{exc.strerror or exc}. Nothing was kept; the database itself is unchanged."
            ) from exc
        log.info("backup %s of %s written", dest.name, self.db_path)
        self.rotate()
        return self.find(dest.name)

    def rotate(self) -> builtins.list[str]:
        """Delete the oldest rotating backups beyond ``keep``. Returns the names removed."""
        rotating = [b for b in self.list() if b.kind in ROTATED]
        gone = []
        for b in rotating[self.keep :]:
            b.path.unlink(missing_ok=True)
            gone.append(b.name)
        if gone:
            log.info("rotated away old backups: %s", ", ".join(gone))
        return gone

    def daily_if_due(self, *, now: dt.datetime | None = None) -> BackupInfo | None:
        """Back up once a day of use: when the newest backup is 24 h old or missing."""
        when = now or utc_now()
        newest = self.newest()
        if newest is not None and when - newest.created < DAY:
            return None
        try:
            info = self.create(DAILY, now=when)
        except (AnnotatorError, OSError, sqlite3.Error) as exc:
            # A failed daily backup must not stop the day's work, nor rotate good ones away.
            self.last_failure = f"The daily backup failed; work goes on without it. {exc}".strip()
            log.warning("daily backup of %s failed: %s", self.db_path, exc)
            return None
        self.last_failure = ""
        return info

    def before_migration(self, old_revision: str | None) -> None:
        """The ``upgrade(before=...)`` hook: a migration never runs without a fresh copy."""
        info = self.create(PRE_MIGRATION)
        log.info("pre-migration backup (schema %s): %s", old_revision, info.name)

    def restore(self, name: str) -> tuple[BackupInfo, builtins.list[Path]]:
        """Replace the database with a backup, after saving the current file.

        Refused while any Annotator has the database open (close it, or this
        workspace, first). Returns the backup restored and where the previous
        database was saved.
        """
        chosen = self.find(name)
        other = probe(self.db_path)
        if other is not None:
            raise DatabaseError(
                f"The database {self.db_path} is open in another Annotator "
                f"({other.describe()}); close it before restoring. Nothing was changed."
            )
        problem = verify_backup(chosen.path, KNOWN, full=True)
        if problem:
            raise DatabaseError(
                f"The backup {chosen.name} cannot be restored: {problem}. Nothing was changed."
            )
        saved: list[Path] = []
        if self.db_path.exists():
            stamp = utc_now().strftime(_STAMP)
            try:
                saved = sqlite_backup.keep_copy(
                    self.db_path, self.folder / f"{stamp}-{PRE_RESTORE}.sqlite3"
                )
            except OSError as exc:
                raise DatabaseError(
                    f"The current database {self.db_path} could not be saved before the "
                    f"restore ({exc.strerror or exc}), so nothing was restored and nothing "
                    "was changed."
                ) from exc
        try:
            sqlite_backup.replace_database(chosen.path, self.db_path)
        except OSError as exc:
            raise DatabaseError(
                f"The backup {chosen.name} could not be put in place of {self.db_path} "
                f"({exc.strerror or exc}). The database was not changed; the copy saved "
                f"before the restore is {', '.join(p.name for p in saved) or 'none'}."
            ) from exc
        log.info("restored %s from %s; previous saved as %s", self.db_path, chosen.name, saved)
        return chosen, saved


def default_cli_db_arg(db_path: Path, default_path: Path) -> str:
    """The ``--db`` a restore command needs, or "" for the default database."""
    if os.path.abspath(db_path) == os.path.abspath(default_path):
        return ""
    return f"sqlite:///{db_path}"
