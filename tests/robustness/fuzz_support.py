"""Shared by the hypothesis and atheris fuzzers: feed one input to one importer, both
directly and through ImportService, and check the contract for hostile input."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.core.errors import AnnotatorError
from annotator.formats.base import Importer
from annotator.services import Workspace

GOOD_RECORD = json.dumps(
    {
        "id": "ok",
        "text": "Tanks moved at dawn.",
        "spans": [{"start": 0, "end": 5, "label": "MILITARY"}],
    }
)


def snapshot(ws: Workspace) -> tuple[int, ...]:
    """Cheap fingerprint of everything an import could touch."""

    def q(sql: str) -> int:
        with ws.db.engine.connect() as conn:
            return int(conn.exec_driver_sql(sql).scalar() or 0)

    return (
        q("SELECT count(*) FROM documents"),
        q("SELECT coalesce(max(id), 0) FROM documents"),
        q("SELECT count(*) FROM spans"),
        q("SELECT coalesce(max(id), 0) FROM spans"),
        q("SELECT count(*) FROM labels"),
        q("SELECT count(*) FROM annotators"),
        q("SELECT count(*) FROM document_status"),
    )


def read_directly(importer: type[Importer], path: Path) -> None:
    """Consume the importer's stream: it may only raise AnnotatorError (InputError)."""
    try:
        for _ in importer().read(path, default_annotator="fuzz"):
            pass
    except AnnotatorError:
        pass


def import_and_check(ws: Workspace, importer: type[Importer], path: Path) -> bool:
    """Import through the service; a refused file must leave the database unchanged.

    Returns True when the file was refused.
    """
    before = snapshot(ws)
    report = ws.importer.import_paths([path], format=importer.NAME)
    assert len(report.files) == 1
    if report.errors:
        assert isinstance(report.errors[0], AnnotatorError)
        # The message names the file at fault: the input, or (brat) the .txt beside it.
        named = (str(path), str(path.with_suffix(".txt")))
        assert any(n in str(report.errors[0]) for n in named), str(report.errors[0])
        after = snapshot(ws)
        assert after == before, f"refused file changed the database: {before} -> {after}"
        return True
    return False
