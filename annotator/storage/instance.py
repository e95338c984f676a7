"""Who else has this database open: a marker file beside it, held with an OS lock.

Two instances on one SQLite file work side by side (WAL, busy timeout, retries);
the marker only lets the second one *tell* the user. The first opener takes an
exclusive ``flock`` on ``<db>.lock`` and writes its pid, host and start time
into it. The OS drops the lock when the process dies, even on ``kill -9``, so a
marker left by a killed process is stale by construction: the next opener gets
the lock and rewrites it. Where ``fcntl`` is missing (Windows) the pid in the
file is checked for liveness instead.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class InstanceInfo:
    pid: int
    host: str
    started: str

    def describe(self) -> str:
        return f"process {self.pid} on {self.host}, since {self.started}"


def marker_path(db_path: Path) -> Path:
    return Path(str(db_path) + ".lock")


def _read(path: Path) -> InstanceInfo | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return InstanceInfo(int(raw["pid"]), str(raw["host"]), str(raw["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # pragma: no cover - platform oddities: assume it lives
        return True
    return True


class InstanceLock:
    """The marker of one open database. ``other`` is who held it when we opened, if anyone."""

    def __init__(self, db_path: Path) -> None:
        self.path = marker_path(db_path)
        self.other: InstanceInfo | None = None
        self._fh: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def acquire(self) -> InstanceInfo | None:
        """Take the marker if nobody holds it; else return who does (and keep working)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        me = InstanceInfo(
            os.getpid(), socket.gethostname(), dt.datetime.now().isoformat(timespec="seconds")
        )
        fh = self.path.open("a+", encoding="utf-8")
        if fcntl is not None:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fh.close()
                self.other = _read(self.path) or InstanceInfo(0, "unknown host", "unknown")
                return self.other
        else:  # pragma: no cover - Windows
            holder = _read(self.path)
            if (
                holder
                and holder.host == me.host
                and holder.pid != me.pid
                and _pid_alive(holder.pid)
            ):
                fh.close()
                self.other = holder
                return holder
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": me.pid, "host": me.host, "started": me.started}))
        fh.flush()
        self._fh = fh
        return None

    def release(self) -> None:
        if self._fh is None:
            return
        fh, self._fh = self._fh, None
        try:
            fh.seek(0)
            fh.truncate()
        finally:
            fh.close()  # closing drops the flock


def probe(db_path: Path) -> InstanceInfo | None:
    """Who holds the marker right now, without keeping it (None: nobody alive)."""
    lock = InstanceLock(db_path)
    other = lock.acquire()
    lock.release()
    return other
