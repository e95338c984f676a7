"""PostgreSQL LISTEN for span changes: a wake-up call for the change feed.

The trigger of migration 0003 NOTIFYs channel ``annotator_spans`` when a transaction
that changed spans commits. A notification only says "look now": the change log table
stays the record, so a missed notification (a dropped connection) costs latency, not data.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from annotator.storage.engine import Database, scrub

CHANNEL = "annotator_spans"
log = logging.getLogger(__name__)


class ChangeListener:
    """One dedicated autocommit connection listening on ``annotator_spans``."""

    def __init__(self, db: Database) -> None:
        import psycopg

        if db.backend != "postgresql":
            raise ValueError("LISTEN/NOTIFY needs PostgreSQL")
        self._url = db.url
        args, kwargs = db.engine.dialect.create_connect_args(db.engine.url)
        try:
            self._conn: Any = psycopg.connect(*args, **kwargs, autocommit=True)
        except psycopg.Error as exc:
            raise ConnectionError(scrub(f"cannot LISTEN: {exc}", url=db.url)) from None
        self._conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> list[dict[str, Any]]:
        """Block up to ``timeout`` seconds for notifications; return their payloads.

        Raises ``ConnectionError`` (scrubbed) if the connection is lost.
        """
        import psycopg

        out: list[dict[str, Any]] = []
        try:
            for note in self._conn.notifies(timeout=timeout, stop_after=1):
                out.append(json.loads(note.payload))
            # Whatever else already arrived, without blocking.
            for note in self._conn.notifies(timeout=0):
                out.append(json.loads(note.payload))
        except psycopg.Error as exc:
            raise ConnectionError(scrub(f"LISTEN connection lost: {exc}", url=self._url)) from None
        return out

    def close(self) -> None:
        try:
            self._conn.close()
        except Exception:  # closing a broken connection
            log.debug("closing the LISTEN connection failed", exc_info=True)
