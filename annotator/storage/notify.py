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
import time
from collections import deque
from typing import Any

from annotator.storage.engine import Database, apply_session_settings, scrub

CHANNEL = "annotator_spans"
log = logging.getLogger(__name__)


FLOOD_WINDOW = 10.0
"""Seconds over which notifications are counted (``ChangeListener.recent``)."""


def _seq(payload: str) -> int | None:
    """The trigger sends a small JSON object with an integer ``seq``; None for anything else."""
    if len(payload) > 1000:
        return None
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if isinstance(data, dict) and type(data.get("seq")) is int:
        return int(data["seq"])
    return None


class ChangeListener:
    """One dedicated autocommit connection listening on ``annotator_spans``."""

    def __init__(self, db: Database) -> None:
        import psycopg

        if db.backend != "postgresql":
            raise ValueError("LISTEN/NOTIFY needs PostgreSQL")
        self._url = db.url
        self.foreign = 0  # notifications that did not come from our trigger
        self._at: deque[float] = deque(maxlen=100_000)  # when each notification arrived
        args, kwargs = db.engine.dialect.create_connect_args(db.engine.url)
        try:
            self._conn: Any = psycopg.connect(*args, **kwargs, autocommit=True)
            apply_session_settings(self._conn)
            self._conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            raise ConnectionError(scrub(f"cannot LISTEN: {exc}", url=db.url)) from None

    def recent(self, window: float = FLOOD_WINDOW, until: float | None = None) -> int:
        """Notifications of any shape received in the last ``window`` seconds, up to the
        monotonic time ``until`` when given."""
        edge = time.monotonic() - window
        while self._at and self._at[0] < edge:
            self._at.popleft()
        if until is None:
            return len(self._at)
        return sum(1 for t in self._at if t <= until)

    def wait(self, timeout: float) -> int | None:
        """Block up to ``timeout`` seconds for notifications; return the highest ``seq`` of
        those shaped like the trigger's, or None when none was (nothing, or only foreign
        ones: they are counted, never acted on).

        Raises ``ConnectionError`` (scrubbed) if the connection is lost; never anything
        else, whatever was notified.
        """
        import psycopg

        top: int | None = None
        try:
            notes = list(self._conn.notifies(timeout=timeout, stop_after=1))
            # Whatever else already arrived, without blocking.
            notes += list(self._conn.notifies(timeout=0))
        except psycopg.Error as exc:
            raise ConnectionError(scrub(f"LISTEN connection lost: {exc}", url=self._url)) from None
        now = time.monotonic()
        self._at.extend(now for _ in notes)
        for note in notes:
            seq = _seq(str(note.payload))
            if seq is not None:
                top = seq if top is None else max(top, seq)
            else:
                if self.foreign == 0:
                    log.warning(
                        "change feed: ignored a notification on %s that did not come from "
                        "Annotator (from server process %s); such notifications are only "
                        "hints and are not logged again",
                        CHANNEL,
                        note.pid,
                    )
                self.foreign += 1
        return top

    def close(self) -> None:
        try:
            self._conn.close()
        except Exception:  # closing a broken connection
            log.debug("closing the LISTEN connection failed", exc_info=True)
