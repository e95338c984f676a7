"""Opening a database the careful way: check it, mark it open, back it up, migrate it.

Order matters. The file is checked read-only *before* the engine touches it (the
engine switches on WAL and migrations write), so a damaged file is never
modified; the message names it and the newest backup with the command that
restores it. A migration runs only after a pre-migration backup; a day of use
starts with a daily one.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from annotator.core.errors import DatabaseError
from annotator.services.backups import BackupInfo, BackupService, default_cli_db_arg
from annotator.services.workspace import Workspace
from annotator.storage import Database, bulk, repo, upgrade
from annotator.storage.instance import InstanceInfo, InstanceLock, probe
from annotator.storage.integrity import check_file, permission_problem, stored_revision
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


class DatabasePermissionError(DatabaseError):
    """The database (or its folder) may not be read or written by this user; not damage."""


THOROUGH_CHECK_MAX_BYTES = 512 * 1024 * 1024
"""quick_check reads every page (about 0.6 s for 240 MB); above this size an open checks
the header and schema only, and the daily backup's full check of its copy does the rest."""


def check_database(
    path: Path, backups: BackupService | None, *, thorough: bool | None = None
) -> None:
    """Raise CorruptDatabaseError when the file at ``path`` is not a healthy database."""
    problem = permission_problem(path)
    if problem:
        raise DatabasePermissionError(
            f"The database file {path} {problem}. It was not changed and is not damaged; "
            "fix the permissions or point --db at a database you may write."
        )
    if not path.exists():
        return
    if thorough is None:
        thorough = path.stat().st_size <= THOROUGH_CHECK_MAX_BYTES
    result = check_file(path, thorough=thorough)
    if not result.ok:
        newest = backups.newest() if backups is not None else None
        cmd = backups.command("restore") if backups is not None else "annotator backup restore"
        raise CorruptDatabaseError(path, result.problem, newest, cmd)


def open_workspace_safely(
    url: str, *, backups_root: Path | None, keep: int = 7, default_db_path: Path | None = None
) -> Workspace:
    """Open a workspace with the integrity check, instance marker and automatic backups.

    For a server database (PostgreSQL) only the migration runs: its backups are
    the server's business.
    """
    db = Database(url)
    sqlite_path = db.sqlite_path
    if sqlite_path is None:
        upgrade(db)
        recover_unfinished_imports(db)
        return Workspace(db)
    path = Path(sqlite_path)
    cli_db_arg = default_cli_db_arg(path, default_db_path) if default_db_path else ""
    backups = (
        BackupService(path, backup_root=backups_root, keep=keep, cli_db_arg=cli_db_arg)
        if backups_root is not None
        else None
    )
    existed = path.exists() and path.stat().st_size > 0
    try:
        check_database(path, backups)
        if existed:
            # Read-only first: a database that will be refused keeps every byte (the
            # engine's first connection would switch it to WAL).
            check_known(db, stored_revision(path))
    except DatabaseError:
        db.dispose()
        raise
    lock = InstanceLock(path)
    other = lock.acquire()
    if other is not None:
        log.info("database %s is also open in %s", path, other.describe())
    try:
        upgrade(db, before=backups.before_migration if backups is not None else None)
        recover_unfinished_imports(db)
        # Once a day of use (with the daily backup), not on every open: pruning is a
        # write transaction, which a read-only command should not have to wait for.
        if existed and backups is not None and backups.daily_if_due() is not None:
            prune_change_log(db)
    except BaseException:
        lock.release()
        db.dispose()
        raise
    return Workspace(db, backups=backups, instance=lock)


def recover_unfinished_imports(db: Database) -> int:
    """Take back what an import that stopped part way through a big file stored (once its
    lease has expired), keeping every document someone else worked on meanwhile. A read
    first: opening stays read-only when there is nothing."""
    try:
        if not db.read(bulk.has_journal):
            return 0
        got = db.write(bulk.recover_imports)
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
