"""Deleting rows of an annotator's work by id, on both backends.

On a team server members hold no DELETE privilege on ``spans``, ``judgements`` or
``document_labels`` (a table-level right would let them LOCK the table everyone writes);
they delete through the server's definer function ``annotator_delete_<table>(ids)``
(storage/server.py, ``_delete_function``), which applies the policies' rule itself. The
owner, SQLite, and a server set up before those functions delete directly.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from annotator.storage.orm import DocumentLabelRow, JudgementRow, SpanRow

Deletable = type[SpanRow] | type[JudgementRow] | type[DocumentLabelRow]


def _through_function(s: Session, table: str) -> bool:
    conn = s.connection()
    if conn.dialect.name != "postgresql":
        return False
    key = f"annotator.delete_{table}_via_function"
    if key not in conn.info:  # per server connection: privileges are fixed
        conn.info[key] = bool(
            conn.exec_driver_sql(
                "SELECT NOT has_table_privilege(%(t)s, 'DELETE') "
                "AND to_regprocedure(%(f)s) IS NOT NULL",
                {"t": table, "f": f"annotator_delete_{table}(bigint[])"},
            ).scalar()
        )
    return bool(conn.info[key])


def delete_rows(s: Session, row: Deletable, ids: Sequence[int]) -> int:
    """Delete rows of ``row``'s table by id; returns how many went (on a team server,
    rows the login may not delete stay, without an error)."""
    wanted = [int(i) for i in ids]
    if not wanted:
        return 0
    table = row.__tablename__
    if _through_function(s, table):
        n = s.execute(
            sql_text(f"SELECT annotator_delete_{table}(CAST(:ids AS bigint[]))"),
            {"ids": wanted},
        ).scalar_one()
        s.expire_all()
        return int(n)
    result = s.execute(delete(row).where(row.id.in_(wanted)))
    return int(getattr(result, "rowcount", 0) or 0)
