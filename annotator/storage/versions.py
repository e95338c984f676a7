"""Versions of the database libraries, for the About box and bug reports.

Read from the modules themselves, not package metadata: a frozen bundle may ship no
``.dist-info`` folders. Alembic is not imported for this (a normal start never needs it).
"""

from __future__ import annotations

import sqlite3

import sqlalchemy


def library_versions() -> dict[str, str]:
    out = {"SQLAlchemy": sqlalchemy.__version__, "SQLite library": sqlite3.sqlite_version}
    try:
        import psycopg
    except ImportError:
        pass
    else:
        out["psycopg"] = psycopg.__version__
    return out
