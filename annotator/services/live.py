"""Live updates: other annotators' span inserts, edits and deletions as they commit.

Plain Python, no Qt. Usage::

    feed = workspace.change_feed()            # starts after the newest change so far
    unsubscribe = feed.subscribe(on_changes)  # on_changes(list[SpanChange]) -> None
    feed.start()                              # background thread (daemon)
    ...
    feed.stop()                               # or: with workspace.change_feed() as feed: ...

``on_changes`` receives batches of ``annotator.core.model.SpanChange`` (``seq``, ``kind``
insert/update/delete, ``span_id``, ``document_id``, ``annotator``, ``changed_at``), oldest
first, each change exactly once per feed. It runs **on the feed's thread**: a GUI must hand
the batch to its own thread (a Qt signal with a queued connection does) and then reload
the spans of ``document_id`` through ``AnnotationService.spans``. A deleted span's id is
in its ``delete`` change, since the change log keeps tombstones. A label of a whole
document given or taken back comes as kind ``doclabel`` (``ChangeKind.DOCUMENT_LABELS``,
schema 0017): its ``span_id`` is the document-label row's id, no span's; reload the
document's labels (``AnnotationService.document_labels``), not its spans. The feed also reports the
workspace's own edits; views that already applied them can ignore ``annotator == me``.

Without a thread, drive it yourself: ``feed.poll()`` returns what is new (cheap: one
indexed query) and dispatches nothing; ``for batch in feed: ...`` blocks between batches.

How it learns of changes: database triggers (migrations 0003, 0017) append every span
change and every document label added or removed to a log table on both backends. The
feed reads that log after a cursor. On SQLite it polls every ``interval`` seconds. On
PostgreSQL it LISTENs on ``annotator_spans`` and reads as soon as a change commits,
polling every ``interval`` as a safety net; if the LISTEN connection drops it falls back
to polling and reconnects with back-off. Any member can NOTIFY that channel, so a
notification is only a hint: nothing in it is read but a ``seq``, which wakes the feed
only when it is beyond what the feed has seen; polls are at least ``min_gap`` apart
however many arrive, and a wake-up that finds nothing doubles that gap (up to
``interval``). A flood (in ``notify.FLOOD_WINDOW`` seconds, more notifications heard
before the last poll than ``FLOOD_LIMIT`` plus twice the changes read: each real one
stands for at least one change, forged or foreign ones for none) makes the feed drop its
LISTEN and poll at least once a second for a while (10 s, doubling up to 5 min while
floods go on), so another member's flood costs neither this member's server session nor
her window anything. The feed thread survives any error (logged) and goes on. Sequence
numbers can commit out of order on PostgreSQL, so numbers skipped below the cursor are
re-asked for ``gap_ttl`` seconds before they are taken for rolled-back transactions.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.core.model import ChangeKind, SpanChange
from annotator.storage import Database, Tx, repo

Callback = Callable[[list[SpanChange]], None]
MAX_GAPS = 64
GAP_RECHECK = 0.5
"""Seconds before a gap is re-asked the second time (then after as long as it is old)."""
FLOOD_LIMIT = 50
"""Notifications beyond twice the changes read in ``notify.FLOOD_WINDOW`` seconds that make
the feed stop listening."""
FLOOD_PAUSE = (10.0, 300.0)
"""Seconds the feed polls without LISTEN after a flood: the first pause, and the longest."""
FLOOD_POLL = 1.0
"""The longest poll interval while a flood keeps the feed from listening."""
"""Skipped ranges a feed watches at once (late commits are rare; burnt numbers are many)."""
log = logging.getLogger(__name__)


class ChangeFeed:
    def __init__(
        self,
        db: Database,
        *,
        interval: float = 2.0,
        listen: bool = True,
        since: int | None = None,
        gap_ttl: float = 30.0,
        batch: int = 1000,
        min_gap: float = 0.2,
        max_backoff: float = 60.0,
    ) -> None:
        self._db = db
        self.interval = interval
        self._listen = listen and db.backend == "postgresql"
        self._gap_ttl = gap_ttl
        self._batch = batch
        self._cursor = db.read(repo.last_change_seq) if since is None else since
        # (lo, hi, when first missed, when next re-asked): a gap is re-asked at once, then
        # ever less often (after half a second, then after as long as it has been open), so
        # a member's rolled-back bulk inserts (dead rows the server must step over in each
        # re-read) cost teammates' polls little; a late commit shows within its gap's age.
        self._gaps: list[tuple[int, int, float, float]] = []
        self._subscribers: list[Callback] = []
        self._lock = threading.Lock()  # one poll at a time; guards subscribers too
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: Any = None
        self._min_gap = min_gap
        self._last_poll = 0.0
        self._max_backoff = max_backoff
        self._backoff = 0.0  # seconds until the next LISTEN (re)connect; 0: now
        self._listen_at = 0.0
        self._wake_gap = min_gap  # grows while wake-ups find nothing (forged seqs)
        self._woken = False
        self._flood_pause = FLOOD_PAUSE[0]
        self._listening_since = 0.0
        self.floods = 0  # times the feed stopped listening because of a flood
        self._read_at: deque[tuple[float, int]] = deque()  # (when, changes) of each poll

    @property
    def cursor(self) -> int:
        """The highest change number delivered so far."""
        return self._cursor

    @property
    def listening(self) -> bool:
        """True while a PostgreSQL LISTEN connection is up (else the feed only polls)."""
        return self._listener is not None

    # --- pull -----------------------------------------------------------------------

    def poll(self) -> list[SpanChange]:
        """Changes committed since the last poll, oldest first. Does not call subscribers.

        Numbers skipped below the cursor are watched as ranges, at most ``MAX_GAPS`` of
        them, for ``gap_ttl`` seconds: memory and the query stay bounded whatever gaps a
        member makes (burnt sequence numbers, a huge rolled-back insert). When more ranges
        would be needed, the oldest are given up and the batch ends with a ``REFRESH``
        entry: views reload what they show instead of trusting the feed for those.
        """
        with self._lock:
            now = self._last_poll = time.monotonic()
            self._gaps = [g for g in self._gaps if now - g[2] < self._gap_ttl]
            out: list[SpanChange] = []
            taken = 0  # entries read, hidden ones too: what the wake-ups were about
            refresh = False
            while True:
                ranges = tuple((lo, hi) for lo, hi, _, due in self._gaps if due <= now)

                def read(s: Tx, r: tuple[tuple[int, int], ...] = ranges) -> list[SpanChange]:
                    return repo.changes_after(s, self._cursor, gaps=r, limit=self._batch)

                found = self._db.read(read)
                fresh = 0
                for ch in found:
                    if ch.seq > self._cursor:
                        if ch.seq > self._cursor + 1:
                            self._gaps.append((self._cursor + 1, ch.seq - 1, now, now))
                        self._cursor = ch.seq
                        fresh += 1
                    elif not self._take_from_gap(ch.seq, now):
                        continue
                    taken += 1
                    if ch.kind is not ChangeKind.HIDDEN:  # a number only: nothing to show
                        out.append(ch)
                self._gaps = [
                    (lo, hi, since, now + max(GAP_RECHECK, now - since) if due <= now else due)
                    for lo, hi, since, due in self._gaps
                ]
                if len(self._gaps) > MAX_GAPS:
                    self._gaps = self._gaps[-MAX_GAPS:]
                    refresh = True
                if len(found) < self._batch or not fresh:
                    break
            out.sort(key=lambda ch: ch.seq)
            if taken:
                self._read_at.append((now, taken))
            if refresh:
                out.append(
                    SpanChange(
                        seq=self._cursor,
                        kind=ChangeKind.REFRESH,
                        span_id=0,
                        document_id=0,
                        annotator="",
                    )
                )
            return out

    def _take_from_gap(self, seq: int, now: float) -> bool:
        """Remove ``seq`` from the gap watching it (a late commit, delivered now); False if
        no gap watches it (delivered before)."""
        for i, (lo, hi, since, due) in enumerate(self._gaps):
            if lo <= seq <= hi:
                parts = [(a, b, since, due) for a, b in ((lo, seq - 1), (seq + 1, hi)) if a <= b]
                self._gaps[i : i + 1] = parts
                return True
        return False

    def wait(self, timeout: float | None = None) -> list[SpanChange]:
        """Block until something changes (or ``timeout``); return it."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stop.is_set():
            got = self.poll()
            if got:
                return got
            left = (
                self.interval
                if deadline is None
                else min(self.interval, deadline - time.monotonic())
            )
            if left <= 0:
                return []
            self._sleep(left)
        return []

    def __iter__(self) -> Iterator[list[SpanChange]]:
        """Batches of changes until ``stop()``."""
        while not self._stop.is_set():
            got = self.wait()
            if got:
                yield got

    # --- push -----------------------------------------------------------------------

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        """Call ``callback(batch)`` for each batch; returns a function that unsubscribes."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def start(self) -> ChangeFeed:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="annotator-change-feed", daemon=True
            )
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._close_listener()

    def __enter__(self) -> ChangeFeed:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                batch = self.poll()
                failures = 0
                if self._woken:  # a wake-up that found nothing was a false alarm
                    self._wake_gap = (
                        self._min_gap if batch else min(self.interval, self._wake_gap * 2)
                    )
                    self._woken = False
            except AnnotatorError as exc:  # server restarting, network down: try again later
                failures += 1
                log.warning("change feed: %s", exc)
                batch = []
            except Exception:  # never let the feed die: log, back off, go on
                failures += 1
                log.exception("change feed: poll failed")
                batch = []
            if failures:
                self._stop.wait(min(self._max_backoff, self.interval * 2 ** min(failures, 6)))
            if batch:
                with self._lock:
                    subscribers = list(self._subscribers)
                for cb in subscribers:
                    try:
                        cb(batch)
                    except Exception:
                        log.exception("change feed subscriber failed")
            # While a flood keeps LISTEN off, poll at least once a second instead.
            flooded = self._listener is None and time.monotonic() < self._listen_at
            self._sleep(
                min(self.interval, FLOOD_POLL) if flooded and self.floods else self.interval
            )

    # --- waiting --------------------------------------------------------------------

    def _sleep(self, seconds: float) -> None:
        """Wait up to ``seconds``; on PostgreSQL wake early when a change is NOTIFYed, but
        never sooner than ``min_gap`` after the last poll (a NOTIFY flood cannot spin us)."""
        deadline = time.monotonic() + seconds
        while not self._stop.is_set():
            now = time.monotonic()
            left = deadline - now
            if left <= 0:
                return
            if self._listen and self._listener is None and now >= self._listen_at:
                self._open_listener()
            if self._listener is None:
                self._stop.wait(min(left, 0.25))
                continue
            try:
                top = self._listener.wait(min(left, 0.25))
            except ConnectionError as exc:
                log.warning("change feed: %s; polling until it is back", exc)
                self._close_listener()
                self._schedule_reconnect()
                continue
            except Exception:  # whatever a notification holds, the feed goes on
                log.exception("change feed: LISTEN failed; polling until it is back")
                self._close_listener()
                self._schedule_reconnect()
                continue
            if self._flooded():
                return  # poll now; the next sleeps are at most FLOOD_POLL
            if top is None or (top <= self._cursor and not self._watched(top)):
                continue  # nothing, foreign, or old news
            rest = self._last_poll + self._wake_gap - time.monotonic()
            if rest > 0:
                self._stop.wait(min(rest, max(0.0, deadline - time.monotonic())))
            self._woken = True
            return

    def _watched(self, seq: int) -> bool:
        return any(lo <= seq <= hi for lo, hi, _, _ in self._gaps)

    def _flooded(self) -> bool:
        """Stop listening for a while when foreign notifications flood in (polls go on)."""
        listener = self._listener
        if listener is None:
            return False
        now = time.monotonic()
        if now - self._listening_since > FLOOD_PAUSE[1]:
            self._flood_pause = FLOOD_PAUSE[0]  # a long quiet spell: forgive earlier floods
        window = _flood_window()
        while self._read_at and self._read_at[0][0] < now - window:
            self._read_at.popleft()
        read = sum(n for _, n in self._read_at)
        # Only what was heard before the last poll: that poll read every change they stood
        # for (a transaction's many notifications arrive at once, before the poll reads).
        heard = listener.recent(window, until=self._last_poll)
        if heard <= FLOOD_LIMIT + 2 * read:
            return False
        self.floods += 1
        log.warning(
            "change feed: %d notifications in %.0f s for %d changes (a flood); "
            "polling every %.1f s without LISTEN for %.0f s",
            heard,
            window,
            read,
            min(self.interval, FLOOD_POLL),
            self._flood_pause,
        )
        self._close_listener()
        self._listen_at = now + self._flood_pause
        self._flood_pause = min(FLOOD_PAUSE[1], self._flood_pause * 2)
        return True

    def _schedule_reconnect(self) -> None:
        self._backoff = min(self._max_backoff, max(1.0, self._backoff * 2))
        self._listen_at = time.monotonic() + self._backoff

    def _open_listener(self) -> None:
        from annotator.storage.notify import ChangeListener

        try:
            self._listener = ChangeListener(self._db)
        except Exception as exc:
            log.warning("change feed: %s; polling instead", exc)
            self._listener = None
            self._schedule_reconnect()
        else:
            self._backoff = 0.0
            self._listening_since = time.monotonic()

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None


def _flood_window() -> float:
    from annotator.storage.notify import FLOOD_WINDOW

    return FLOOD_WINDOW
