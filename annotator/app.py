"""Start-up wiring: paths -> settings -> engine -> services."""

from __future__ import annotations

from annotator import paths
from annotator.services import Workspace
from annotator.settings import Settings


def open_workspace(db_url: str | None = None, *, settings: Settings | None = None) -> Workspace:
    settings = settings or Settings.load()
    return Workspace.open(paths.resolve_db_url(db_url, settings.db_url or None))


def import_demo_corpus(ws: Workspace) -> int:
    """Load the shipped sample articles into an empty database. Returns documents added."""
    if ws.documents.count():
        return 0
    report = ws.importer.import_paths([paths.demo_corpus_dir()])
    return report.documents_added
