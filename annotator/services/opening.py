"""Opening a database the careful way: check it, mark it open, back it up, migrate it.

Order matters. The file is checked read-only *before* the engine touches it (the
engine switches on WAL and migrations write), so a damaged file is never
modified; the message names it and the newest backup with the command that
restores it. A migration runs only after a pre-migration backup; a day of use
starts with a daily one.

What is wrong is named by its cause: a damaged file (CorruptDatabaseError, with the
restore advice), a full disk, read-only file system or I/O error (DatabaseUnavailableError:
not damage, nothing to restore), an empty file or another program's database
(NotAProjectError: refused unless the user asks for a new project there).

The check at every open costs the same on 1 MB and 1 GB (header, schema, a sample of
rows); the full check runs on ``annotator check`` and in the window's background, and
its last result is recorded (services.health). Read-only commands open with
``read_only=True``: no daily backup, no instance marker, no write transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from annotator.core.errors import DatabaseError
from annotator.services.backups import BackupInfo, BackupService, default_cli_db_arg
from annotator.services.workspace import Workspace
from annotator.storage import Database, import_journal, repo, upgrade
from annotator.storage.instance import InstanceInfo, InstanceLock, probe
from annotator.storage.integrity import (
    EMPTY,
    FOREIGN,
    NOT_DAMAGE,
    FileCheck,
    check_file,
    permission_problem,
    stored_revision,
)
from annotator.storage.migrate import check_known

log = logging.getLogger(__name__)


class CorruptDatabaseError(DatabaseError):
    """The file at the database path is not a usable SQLite database. It was not touched."""

    def __init__(
        self, path: Path, problem: str, newest: BackupInfo | None, restore_cmd: str
    ) -> None:
        self.path = path
        self.problem = problem
        self.newest = newest
        if newest is not None:
            advice = (
                f"The newest backup is {newest.name} ({newest.kind}, "
                f"{newest.created.astimezone():%Y-%m-%d %H:%M}); restore it with:\n"
                f"  {restore_cmd} {newest.name}"
            )
        else:
            advice = (
                "There is no backup of it; point --db at another database or move the file away."
            )
        super().__init__(
            f"The database file {path} cannot be used: {problem}. "
            f"It was left exactly as it is.\n{advice}"
        )


class DatabaseUnavailableError(DatabaseError):
    """The database cannot be used now for a cause that is not damage: a full disk, a
    read-only file system, a missing permission, an I/O error. Nothing to restore."""

    def __init__(self, message: str, *, path: Path | None = None, kind: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.kind = kind


class DatabasePermissionError(DatabaseUnavailableError):
    """The database (or its folder) may not be read or written by this user; not damage."""


class NotAProjectError(CorruptDatabaseError):
    """An empty file or another program's SQLite database at the database path. Refused
    unless the user asks for a new project there (``--new-project``)."""

    def __init__(
        self, path: Path, problem: str, kind: str, newest: BackupInfo | None, restore_cmd: str
    ) -> None:
        super().__init__(path, problem, newest, restore_cmd)
        self.kind = kind
        if newest is not None:
            advice = (
                f"Backups of a project at this path exist; the newest is {newest.name} "
                f"({newest.kind}, {newest.created.astimezone():%Y-%m-%d %H:%M}). Restore it "
                f"with:\n  {restore_cmd} {newest.name}\nor, to start a new project in this "
                "file anyway (the backups are kept), add --new-project."
            )
        else:
            advice = (
                "To start a new project in this file, run the command again with --new-project."
            )
        self.args = (
            f"The database file {path} is not an Annotator project: {problem}. "
            f"It was left exactly as it is.\n{advice}",
        )


def check_database(
    path: Path,
    backups: BackupService | None,
    *,
    thorough: bool = False,
    new_project: bool = False,
) -> FileCheck | None:
    """Raise when the file at ``path`` cannot be opened as a project, naming the cause.

    Returns the check (None when there is no file yet). ``thorough`` adds a quick_check
    reading every page; by default only the header, schema and a sample are read.
    ``new_project``: an empty file or another program's database is accepted (a new
    project is made in it) instead of refused.
    """
    problem = permission_problem(path)
    if problem:
        raise DatabasePermissionError(
            f"The database file {path} {problem}. It was not changed and is not damaged; "
            "fix the permissions or point --db at a database you may write.",
            path=path,
            kind="permission",
        )
    if not path.exists():
        return None
    result = check_file(path, thorough=thorough)
    if result.ok:
        return result
    newest = backups.newest() if backups is not None else None
    cmd = backups.command("restore") if backups is not None else "annotator backup restore"
    if result.kind in (EMPTY, FOREIGN):
        if new_project:
            return result
        raise NotAProjectError(path, result.problem, result.kind, newest, cmd)
    if result.kind in NOT_DAMAGE:
        raise DatabaseUnavailableError(
            f"The database file {path} cannot be opened now: {result.problem}. It is not "
            "damaged and was not changed; " + _remedy(result.kind),
            path=path,
            kind=result.kind,
        )
    raise CorruptDatabaseError(path, result.problem, newest, cmd)


def _remedy(kind: str) -> str:
    return {
        "disk-full": "free some space on that disk and try again.",
        "read-only": "open it from a writable place (copy it) or make the disk writable.",
        "permission": "fix the permissions or point --db at a database you may write.",
        "busy": "try again when the other program is done.",
    }.get(kind, "check the disk (and its cable or network share), then try again.")


def open_workspace_safely(
    url: str,
    *,
    backups_root: Path | None,
    keep: int = 7,
    default_db_path: Path | None = None,
    read_only: bool = False,
    new_project: bool = False,
) -> Workspace:
    """Open a workspace with the integrity check, instance marker and automatic backups.

    ``read_only``: for commands that only read (``labels list``, ``stats``, ``export``…):
    the same checks, but no instance marker, no daily backup, no pruning and no take-back
    of a killed import, so the command never waits for a backup or a write lock.
    ``new_project``: make a new project in an empty file or another program's database
    instead of refusing it (the refusal names any backups of the path).

    For a server database (PostgreSQL) only the migration runs: its backups are
    the server's business.
    """
    from annotator.services import health

    db = Database(url)
    sqlite_path = db.sqlite_path
    if sqlite_path is None:
        upgrade(db)
        if not read_only:
            recover_unfinished_imports(db)
        return Workspace(db)
    path = Path(sqlite_path)
    cli_db_arg = default_cli_db_arg(path, default_db_path) if default_db_path else ""
    backups = (
        BackupService(path, backup_root=backups_root, keep=keep, cli_db_arg=cli_db_arg)
        if backups_root is not None
        else None
    )
    notices: list[str] = []
    try:
        found = check_database(path, backups, new_project=new_project)
        existed = found is not None and found.ok
        if found is not None and not found.ok:  # new_project over an empty or foreign file
            notices.append(_new_project_notice(path, found, backups))
        if existed:
            # Read-only first: a database that will be refused keeps every byte (the
            # engine's first connection would switch it to WAL).
            check_known(db, stored_revision(path))
    except DatabaseError:
        db.dispose()
        raise
    lock: InstanceLock | None = None
    if not read_only:
        lock = InstanceLock(path)
        other = lock.acquire()
        if other is not None:
            log.info("database %s is also open in %s", path, other.describe())
    try:
        upgrade(db, before=backups.before_migration if backups is not None else None)
        if not read_only:
            recover_unfinished_imports(db)
        # Once a day of use (with the daily backup), not on every open: pruning is a
        # write transaction, which a read-only command should not have to wait for.
        if existed and backups is not None and not read_only:
            daily = backups.daily_if_due()
            if daily is not None:
                prune_change_log(db)
            elif backups.last_failure:
                notices.append(backups.last_failure)
        if existed and backups is not None:
            note = health.stale_note(backups)
            if note:
                notices.append(note)
    except BaseException:
        if lock is not None:
            lock.release()
        db.dispose()
        raise
    ws = Workspace(db, backups=backups, instance=lock)
    ws.notices = notices
    return ws


def _new_project_notice(path: Path, found: FileCheck, backups: BackupService | None) -> str:
    text = f"Making a new project in {path} ({found.problem})."
    newest = backups.newest() if backups is not None else None
    if newest is not None and backups is not None:
        text += (
            f" Backups of an earlier project at this path exist and are kept; the newest is "
            f"{newest.name} ({backups.command('restore')} {newest.name})."
        )
    log.warning("%s", text)
    return text


def recover_unfinished_imports(db: Database) -> int:
    """Take back what an import that stopped part way through a big file stored (once its
    lease has expired), keeping every document someone else worked on meanwhile. A read
    first: opening stays read-only when there is nothing."""
    try:
        if not db.read(import_journal.has_journal):
            return 0
        got = db.write(import_journal.recover_imports)
    except DatabaseError as exc:  # a member of a team server may not; a lead's open will
        log.warning("an unfinished import could not be taken back: %s", exc)
        return 0
    if got.documents or got.spans:
        log.warning(
            "an import stopped part way through a file: took back its %d document(s) "
            "and %d span(s), so no file is left half imported",
            got.documents,
            got.spans,
        )
    if got.kept_documents or got.kept_spans:
        log.warning(
            "kept %d document(s) and %d span(s) of that import which others had worked on "
            "meanwhile: %s",
            len(got.kept_documents),
            got.kept_spans,
            ", ".join(got.kept_titles[:5]),
        )
    return got.documents + got.spans


CHANGE_LOG_DAYS = 7
"""How long span changes stay in the change log; live views need seconds of it."""


def prune_change_log(db: Database) -> int:
    """Drop change-log entries older than CHANGE_LOG_DAYS so the log cannot grow forever."""
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=CHANGE_LOG_DAYS)
    return db.write(lambda s: repo.prune_changes(s, before=before))


def backup_service_for(
    url: str, *, backups_root: Path, keep: int = 7, default_db_path: Path | None = None
) -> BackupService:
    """A BackupService for the SQLite file ``url`` names, without connecting to it."""
    db = Database(url)
    try:
        if db.sqlite_path is None:
            raise DatabaseError(
                f"Backups are made for SQLite databases; back up {db.display_url} on its server."
            )
        path = Path(db.sqlite_path)
    finally:
        db.dispose()
    cli_db_arg = default_cli_db_arg(path, default_db_path) if default_db_path else ""
    return BackupService(path, backup_root=backups_root, keep=keep, cli_db_arg=cli_db_arg)


def other_instance(ws: Workspace) -> InstanceInfo | None:
    """Who else had the database open when this workspace opened it (for a GUI notice)."""
    if ws.instance is not None:
        return ws.instance.other
    path = ws.db.sqlite_path
    return probe(Path(path)) if path else None


def other_instance_notice(ws: Workspace) -> str:
    """A sentence for the GUI's notice bar or the CLI's stderr; "" when alone."""
    other = other_instance(ws)
    if other is None:
        return ""
    return (
        f"This database is also open in another Annotator ({other.describe()}). "
        "Both can work; each sees the other's saved changes after a refresh."
    )
