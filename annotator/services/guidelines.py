"""The project guideline: read a Markdown file, store it as the next version, show any version.

Every span records the version in force when it was made (``storage.guidelines``), so an
agreement study can compare what was labelled before and after a guideline change. On a team
server only leads may set the guideline (grants and row-level security); everyone reads it.
"""

from __future__ import annotations

from pathlib import Path

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.model import Guideline
from annotator.core.validate import display_path
from annotator.storage import Database, repo

MAX_GUIDELINE_BYTES = 4 * 1024 * 1024
"""A guideline is a document people read, not a data set: a bigger file is refused."""


class GuidelineService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def current(self) -> Guideline | None:
        """The guideline in force (the newest version), None when none was ever set."""
        return self._db.read(lambda s: repo.get_guideline(s))

    def current_version(self) -> int | None:
        return self._db.read(repo.current_version)

    def get(self, version: int) -> Guideline:
        found = self._db.read(lambda s: repo.get_guideline(s, version))
        if found is None:
            newest = self.current_version()
            raise AnnotatorError(
                f"No guideline version {version}; "
                + (
                    f"this project has versions 1 to {newest}."
                    if newest
                    else "this project has no guideline yet (annotator guideline set FILE)."
                )
            )
        return found

    def versions(self) -> list[Guideline]:
        """Every version, oldest first."""
        return self._db.read(repo.list_guidelines)

    def set(self, text: str, *, author: str) -> Guideline:
        """Store ``text`` as the next version, in force for every span made from now on."""
        if not text.strip():
            raise AnnotatorError("A guideline needs some text; nothing was stored.")
        if "\x00" in text:
            raise AnnotatorError("A guideline cannot hold NUL characters; nothing was stored.")
        return self._db.write(lambda s: repo.add_guideline(s, text, author), retry_integrity=True)

    def set_from_file(self, path: Path, *, author: str) -> Guideline:
        """Read a Markdown (or plain text) file and store it as the next version. A file that
        is missing, not a regular file, too big, empty or not text is refused by name."""
        return self.set(read_guideline_file(path), author=author)


def read_guideline_file(path: Path) -> str:
    from annotator.formats.decode import check_text, decode_text
    from annotator.services.import_files import not_regular

    name = display_path(path)
    if not path.exists():
        raise InputError("no such file", path=name)
    if path.is_dir():
        raise InputError("is a folder; give the guideline's Markdown file", path=name)
    problem = not_regular(path)
    if problem is not None:
        raise InputError(problem, path=name)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_GUIDELINE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", path=name) from exc
    if len(data) > MAX_GUIDELINE_BYTES:
        raise InputError(
            f"is larger than {MAX_GUIDELINE_BYTES // (1024 * 1024)} MB; a guideline is a "
            "Markdown document, not a data set",
            path=name,
        )
    text = decode_text(data, name).replace("\r\n", "\n").replace("\r", "\n")
    check_text(text, name)
    return text
