"""Errors a user can read: each names what went wrong and, for input, where."""

from __future__ import annotations


class AnnotatorError(Exception):
    """Base for every error the app reports to a user instead of a traceback."""


class NotFoundError(AnnotatorError):
    pass


class DocumentIdError(NotFoundError):
    """Document ids given on the command line that name no document, or none given: a usage
    error (the command line exits 2 for it, as argparse does for a malformed option)."""


class InputError(AnnotatorError):
    """Bad input in a file: the message names the file and, where known, the line."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)


class DatabaseError(AnnotatorError):
    """The database cannot be used as it is (too new, corrupted, unreachable)."""


class BusyError(DatabaseError):
    """The database server gave up waiting for a lock or a slow statement; nothing changed."""


class PermissionDeniedError(DatabaseError):
    """The database server refused a change this user may not make (someone else's span)."""


class NotYoursError(AnnotatorError):
    """A step made for one annotator would change another annotator's spans, notes or status."""
