"""PostgreSQL LISTEN for span changes: a wake-up call for the change feed, nothing more.

The trigger of migration 0004 NOTIFYs channel ``annotator_spans`` when a transaction
that changed spans commits. Any member of the database can NOTIFY that channel too, with
any payload, so a notification is only a hint to "look now": the feed reads the change
log table itself, and no payload content is used for anything. A payload that is not the
trigger's shape is counted and logged once, without its content. A missed notification
(a dropped connection) costs latency, not data.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from annotator.storage.engine import Database, apply_session_settings, scrub

CHANNEL = "annotator_spans"
log = logging.getLogger(__name__)


def _looks_like_ours(payload: str) -> bool:
    """The trigger sends a small JSON object with an integer ``seq``; anything else is foreign."""
    if len(payload) > 1000:
        return False
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and type(data.get("seq")) is int


class ChangeListener:
    """One dedicated autocommit connection listening on ``annotator_spans``."""

    def __init__(self, db: Database) -> None:
        import psycopg

        if db.backend != "postgresql":
            raise ValueError("LISTEN/NOTIFY needs PostgreSQL")
        self._url = db.url
        self.foreign = 0  # notifications that did not come from our trigger
        args, kwargs = db.engine.dialect.create_connect_args(db.engine.url)
        try:
            self._conn: Any = psycopg.connect(*args, **kwargs, autocommit=True)
            apply_session_settings(self._conn)
            self._conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            raise ConnectionError(scrub(f"cannot LISTEN: {exc}", url=db.url)) from None

    def wait(self, timeout: float) -> int:
        """Block up to ``timeout`` seconds for notifications; return how many arrived.

        Raises ``ConnectionError`` (scrubbed) if the connection is lost; never anything
        else, whatever was notified.
        """
        import psycopg

        count = 0
        try:
            notes = list(self._conn.notifies(timeout=timeout, stop_after=1))
            # Whatever else already arrived, without blocking.
            notes += list(self._conn.notifies(timeout=0))
        except psycopg.Error as exc:
            raise ConnectionError(scrub(f"LISTEN connection lost: {exc}", url=self._url)) from None
        for note in notes:
            count += 1
            if not _looks_like_ours(str(note.payload)):
                if self.foreign == 0:
                    log.warning(
                        "change feed: ignored a notification on %s that did not come from "
                        "Annotator (from server process %s); such notifications are only "
                        "hints and are not logged again",
                        CHANNEL,
                        note.pid,
                    )
                self.foreign += 1
        return count

    def close(self) -> None:
        try:
            self._conn.close()
        except Exception:  # closing a broken connection
            log.debug("closing the LISTEN connection failed", exc_info=True)
