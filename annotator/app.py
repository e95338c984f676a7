"""Start-up wiring: paths -> settings -> engine -> services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator import paths
from annotator.services import Workspace
from annotator.settings import Settings

if TYPE_CHECKING:
    from annotator.services.backups import BackupService


def open_workspace(
    db_url: str | None = None,
    *,
    settings: Settings | None = None,
    read_only: bool = False,
    new_project: bool = False,
) -> Workspace:
    """Open with the integrity check, instance marker and automatic backups (services.opening).

    ``read_only``: a command that only reads (no daily backup, marker or write lock);
    ``new_project``: start a new project in an empty file or another program's database.
    """
    from annotator.services.opening import open_workspace_safely

    settings = settings or Settings.load()
    ws = open_workspace_safely(
        paths.resolve_db_url(db_url, settings.db_url or None),
        backups_root=paths.backup_dir(),
        keep=settings.backups_keep,
        default_db_path=paths.default_db_path(),
        read_only=read_only,
        new_project=new_project,
    )
    ws.max_import_bytes = settings.max_import_mb * 1024 * 1024  # the importer is built lazily
    return ws


def import_demo_corpus(ws: Workspace) -> int:
    """Load the shipped sample articles into an empty database. Returns documents added."""
    if ws.documents.count():
        return 0
    report = ws.importer.import_paths([paths.demo_corpus_dir()])
    # A new project (first run): the standard labels get the shipped seed rules, unless
    # someone already gave them rules of their own.
    ws.labels.install_default_rules(paths.seed_rules())
    return report.documents_added


def backup_service(db_url: str | None = None, *, settings: Settings | None = None) -> BackupService:
    """Backups of the SQLite database ``db_url`` resolves to, without opening it
    (restoring must work when the database itself is damaged)."""
    from annotator.services.opening import backup_service_for

    settings = settings or Settings.load()
    return backup_service_for(
        paths.resolve_db_url(db_url, settings.db_url or None),
        backups_root=paths.backup_dir(),
        keep=settings.backups_keep,
        default_db_path=paths.default_db_path(),
    )
