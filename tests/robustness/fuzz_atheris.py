"""Coverage-guided fuzzing of every registered importer with atheris (optional).

    python tests/robustness/fuzz_atheris.py -runs=20000

The same contract as the hypothesis tests (fuzz_support): only AnnotatorError
escapes an importer, and a refused file leaves the database unchanged.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

# Coverage feedback from the parsers only: instrumenting SQLAlchemy would just slow it down.
with atheris.instrument_imports(include=["annotator.formats", "annotator.core"]):
    from annotator.formats.registry import IMPORTERS

from fuzz_support import import_and_check, read_directly

from annotator.services import Workspace

_DIR = Path(tempfile.mkdtemp(prefix="annotator-atheris-"))
_WS = Workspace.open(f"sqlite:///{_DIR / 'fuzz.sqlite3'}")


def one_input(data: bytes) -> None:
    if not data:
        return
    importer = IMPORTERS[data[0] % len(IMPORTERS)]
    path = _DIR / f"input{importer.EXTENSIONS[0]}"
    path.write_bytes(data[1:])
    read_directly(importer, path)
    if data[0] & 0x80:  # half the inputs also go through the service and the database
        import_and_check(_WS, importer, path)


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
