"""A throwaway PostgreSQL server for tests and benchmarks, on a loopback port only.

initdb refuses to run as root, so as root the cluster belongs to the ``postgres`` OS user
(``runuser``); otherwise it belongs to the current user. Local socket connections are
trusted (the superuser ``postgres`` uses them); TCP on 127.0.0.1 needs a SCRAM password,
so team-mode tests log in as real roles with real passwords.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SUPERUSER = "postgres"


class PostgresUnavailable(RuntimeError):
    pass


def find_bindir() -> Path:
    candidates: list[str] = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for d in candidates:
        if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists():
            return Path(d)
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found; install them "
        "(apt-get install -y postgresql) to run the team-mode tests"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TempPostgres:
    """initdb + pg_ctl in a temporary directory; ``stop()`` removes everything."""

    def __init__(self, *, log_statements: str = "ddl") -> None:
        self.bindir = find_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="annotator-pg-"))
        self.datadir = self.root / "data"
        self.logfile = self.root / "server.log"
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0
        self._log_statements = log_statements
        self._names = itertools.count(1)
        self.started = False

    def _run(self, *cmd: str) -> None:
        argv = list(cmd)
        if self._as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise PostgresUnavailable(f"{' '.join(cmd[:2])} failed: {proc.stderr or proc.stdout}")

    def start(self) -> TempPostgres:
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        os.chmod(self.root, 0o700)
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            SUPERUSER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        opts = [
            "-c listen_addresses=127.0.0.1",
            f"-p {self.port}",
            f"-k {self.root}",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=200",
        ]
        # DDL is logged, so tests can check that CREATE ROLE never carries a clear password.
        opts.append(f"-c log_statement={self._log_statements}")
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-l",
            str(self.logfile),
            "-o",
            " ".join(opts),
            "-w",
            "-t",
            "60",
            "start",
        )
        self.started = True
        return self

    def stop(self) -> None:
        if self.started:
            try:
                self._run(
                    str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"
                )
            finally:
                self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    # --- URLs -----------------------------------------------------------------------

    def admin_url(self, dbname: str = "postgres") -> str:
        """The superuser over the trusted local socket (no password anywhere)."""
        return f"postgresql+psycopg://{SUPERUSER}@/{dbname}?host={self.root}&port={self.port}"

    def user_url(self, user: str, password: str, dbname: str) -> str:
        """A login role over TCP on 127.0.0.1, authenticated by SCRAM."""
        return f"postgresql+psycopg://{user}:{password}@127.0.0.1:{self.port}/{dbname}"

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(
            host=str(self.root), port=self.port, user=SUPERUSER, dbname=dbname, autocommit=True
        ) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def new_database(self, *, template: str = "template0") -> tuple[str, str]:
        """A fresh empty database; returns (name, superuser URL)."""
        name = f"t{os.getpid()}_{next(self._names)}"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE {template}')
        return name, self.admin_url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
