"""A real PostgreSQL 15 for tests that compare DuckCDB with it (tests/differential).

Needs only the Debian server package (`postgresql-15`: /usr/lib/postgresql/15/bin). As root (CI)
the cluster belongs to the `postgres` user, since initdb refuses to run as root: its directory is
made under /tmp with mkdtemp and chowned, because pytest's tmp dirs are 0700 root. The cluster is
throwaway (fsync off, trust authentication on 127.0.0.1 only), in UTF8 with the C.UTF-8 locale
(code-point collation, as DuckDB's binary collation and DuckCDB's datcollate 'C'), TimeZone UTC,
DateStyle ISO, MDY (DuckCDB's defaults).

    from tests.pg15 import pg15  # the session fixture, in a conftest.py
    def test_x(pg15): pg15.connect(autocommit=True).execute("SELECT 1")

`python -m tests.pg15` starts one and prints its DSN until Ctrl-C.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

PG_BINDIR_ENV = "DUCKCDB_PG15_BINDIR"  # overrides where initdb/pg_ctl are looked for
_CANDIDATE_BINDIRS = ("/usr/lib/postgresql/15/bin", "/usr/local/pgsql/bin", "/usr/pgsql-15/bin")
PG_USER = "postgres"  # the database superuser (and, as root, the OS user that owns the cluster)

SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "32MB",
    "max_connections": "20",
    "timezone": "UTC",
    "log_timezone": "UTC",
    "datestyle": "ISO, MDY",
    "intervalstyle": "postgres",
    "lc_messages": "C",
    "logging_collector": "off",
    "log_min_messages": "warning",
}


def find_bindir() -> Path:
    """The directory of PostgreSQL 15's initdb, pg_ctl and postgres."""
    candidates = [os.environ[PG_BINDIR_ENV]] if os.environ.get(PG_BINDIR_ENV) else []
    candidates += list(_CANDIDATE_BINDIRS)
    for cand in candidates:
        if (Path(cand) / "initdb").exists() and (Path(cand) / "pg_ctl").exists():
            return Path(cand)
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        cand = Path(out.stdout.strip())
        if (cand / "initdb").exists():
            return cand
    raise FileNotFoundError(
        f"PostgreSQL 15 server binaries not found (apt-get install postgresql-15, or set {PG_BINDIR_ENV})"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    """One throwaway cluster: `start()`, then `dsn()` / `connect()`, then `stop()`."""

    bindir: Path = field(default_factory=find_bindir)
    base: Path | None = None
    port: int = 0
    version: str = ""

    @property
    def data(self) -> Path:
        assert self.base is not None
        return self.base / "data"

    @property
    def logfile(self) -> Path:
        assert self.base is not None
        return self.base / "postgres.log"

    def _run(self, cmd: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        # As root, run as the postgres user; runuser keeps the environment (no login shell).
        prefix = ["runuser", "-u", PG_USER, "--"] if os.geteuid() == 0 else []
        env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8", TZ="UTC")
        env.pop("PGDATA", None)
        return subprocess.run(
            prefix + cmd, capture_output=True, text=True, cwd=self.base, env=env, timeout=timeout, check=False
        )

    def start(self) -> PostgresServer:
        self.base = Path(tempfile.mkdtemp(prefix="duckcdb-pg15-", dir="/tmp"))
        if os.geteuid() == 0:
            shutil.chown(self.base, PG_USER, PG_USER)
        init = self._run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                PG_USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
                "--no-instructions",
            ]
        )
        if init.returncode != 0:
            self._cleanup()
            raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        opts = " ".join(f"-c {k}='{v}'" for k, v in SERVER_SETTINGS.items())
        last = ""
        for _attempt in range(5):  # the free port may be taken between free_port() and the bind
            self.port = free_port()
            started = self._run(
                [
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.logfile),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    f"-p {self.port} -k {self.base} {opts}",
                    "start",
                ]
            )
            if started.returncode == 0:
                break
            last = started.stdout + started.stderr + self._log_tail()
        else:
            self._cleanup()
            raise RuntimeError(f"PostgreSQL 15 did not start:\n{last}")
        try:
            with self.connect(autocommit=True) as con:
                row = con.execute("SHOW server_version").fetchone()
                self.version = row[0] if row else ""
            if not self.version.startswith("15."):
                raise RuntimeError(
                    f"{self.bindir} is PostgreSQL {self.version}, not 15 (set {PG_BINDIR_ENV})"
                )
        except BaseException:
            self.stop()
            raise
        return self

    def _log_tail(self) -> str:
        try:
            return self.logfile.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} dbname={dbname} user={PG_USER} sslmode=disable"

    def connect(self, dbname: str = "postgres", **kw: object) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, dbname=dbname, user=PG_USER, sslmode="disable", **kw
        )

    def stop(self) -> None:
        if self.base is None:
            return
        if self.data.exists():
            self._run(
                [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"], 60
            )
        self._cleanup()

    def _cleanup(self) -> None:
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None


def start_pg15() -> PostgresServer:
    return PostgresServer().start()


@pytest.fixture(scope="session")
def pg15() -> Iterator[PostgresServer]:
    """A PostgreSQL 15 started for the session, stopped (and its directory removed) at the end."""
    try:
        server = start_pg15()
    except FileNotFoundError as e:
        pytest.fail(str(e))
    try:
        yield server
    finally:
        server.stop()


if __name__ == "__main__":
    srv = start_pg15()
    print(f"PostgreSQL {srv.version}: {srv.dsn()}  (data in {srv.base}; Ctrl-C stops it)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
