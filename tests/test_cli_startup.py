"""What ``annotator labels list`` may import (issue 26): a pipeline pays for every module
each call loads. The list is explicit: a new import on this path must be added here on
purpose (or made lazy). Measured with ``python -X importtime``; see docs/benchmarks.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from annotator.app import open_workspace

REPO = Path(__file__).resolve().parent.parent

ALLOWED_PACKAGES = {"annotator", "sqlalchemy", "platformdirs", "typing_extensions"}
"""Third-party top-level packages (besides the standard library and interpreter internals)."""

ALLOWED_ANNOTATOR = {
    "annotator",
    "annotator.app",
    "annotator.cli",
    "annotator.cli_common",
    "annotator.cli_server",
    "annotator.cli_study",
    "annotator.cli_suggest",
    "annotator.cli_team",
    "annotator.core",
    "annotator.core.errors",
    "annotator.core.judgement",
    "annotator.core.model",
    "annotator.core.validate",
    "annotator.log",
    "annotator.paths",
    "annotator.services",
    "annotator.services.annotations",
    "annotator.services.backups",
    "annotator.services.changes",
    "annotator.services.documents",
    "annotator.services.health",
    "annotator.services.labels",
    "annotator.services.opening",
    "annotator.services.team",
    "annotator.services.workspace",
    "annotator.settings",
    "annotator.storage",
    "annotator.storage.backup",
    "annotator.storage.changes",
    "annotator.storage.deleting",
    "annotator.storage.doc_labels",
    "annotator.storage.documents",
    "annotator.storage.engine",
    "annotator.storage.guidelines",
    "annotator.storage.import_journal",  # an open takes back what a killed import left
    "annotator.storage.instance",
    "annotator.storage.integrity",
    "annotator.storage.judgements",
    "annotator.storage.labels",
    "annotator.storage.migrate",
    "annotator.storage.orm",
    "annotator.storage.predictions",
    "annotator.storage.repo",
    "annotator.storage.rows",
    "annotator.storage.server",
    "annotator.storage.server_security",
    "annotator.storage.sessions",
    "annotator.storage.spans",
    "annotator.storage.status",
    "annotator.storage.tallies",  # the span counts of schema 0016: a few lines, SQLAlchemy only
}

NEVER = (
    "annotator.formats",
    "annotator.gui",
    "annotator.agreement",
    "annotator.suggest",
    "annotator.services.importing",
    "annotator.services.exporting",
    "PySide6",
    "numpy",
    "alembic",
    "psycopg",
)

PROBE = """
import contextlib, io, json, sys
from annotator import cli
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = cli.main(sys.argv[1:])
std = set(sys.stdlib_module_names) | {"__main__"}
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules),
                  "third": sorted({m.split(".")[0] for m in sys.modules} - std)}))
"""


def test_labels_list_imports_only_what_it_needs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    open_workspace(url).close()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--db", url, "labels", "list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["code"] == 0 and "MILITARY" in got["out"]
    modules = set(got["modules"])
    loaded = [m for m in modules for n in NEVER if m == n or m.startswith(n + ".")]
    assert not loaded, loaded
    extra_annotator = sorted(
        m for m in modules if m.startswith("annotator") and m not in ALLOWED_ANNOTATOR
    )
    assert not extra_annotator, extra_annotator
    third = {t for t in got["third"] if not t.startswith("_") and t != "cython_runtime"}
    assert third <= ALLOWED_PACKAGES, sorted(third - ALLOWED_PACKAGES)
