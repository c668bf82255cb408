"""Fixtures of the schema-tool suites: a fresh database per tool, reached through a logging proxy.

Each module gets its own PDB on the shared `server` (created and opened as SYS, closed and dropped
afterwards), named after the module (tests/tools/test_dbt.py -> TOOLS_DBT). The tool connects
through a WireLog proxy, so a failing test names the first statement the server refused.

DUCKCDB_TOOLS_TARGET=postgres runs the same tests against a real PostgreSQL 15 instead (a database
per module in a throwaway cluster): every test must pass there, which shows the tool projects
themselves are right; the xfail marks (`duckcdb_xfail`) only apply against DuckCDB.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.tools.wirelog import WireLog

TOOLS_DIR = Path(__file__).resolve().parent
TARGET = os.environ.get("DUCKCDB_TOOLS_TARGET", "duckcdb")
ON_DUCKCDB = TARGET != "postgres"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def gap_marks(sqlstate: str, statement: str, reason: str) -> list[pytest.MarkDecorator]:
    """The marks of a known DuckCDB gap (for pytest.param(..., marks=...)); see duckcdb_xfail."""
    return [
        pytest.mark.xfail(ON_DUCKCDB, strict=True, reason=f"{sqlstate} on {statement!r}: {reason}"),
        pytest.mark.duckcdb_gap(sqlstate=sqlstate, statement=statement),
    ]


def duckcdb_xfail(sqlstate: str, statement: str, reason: str):
    """A known DuckCDB gap: the first statement the server refuses in this test is `statement` (a
    fragment of it, case and spacing aside) with `sqlstate`. Strict: the test fails (XPASS) once the
    server is fixed, and it fails as well if something else breaks first (a new gap, a test bug)."""

    def mark(fn):
        for m in gap_marks(sqlstate, statement, reason):
            fn = m(fn)
        return fn

    return mark


def _squash(sql: str) -> str:
    return " ".join(sql.split()).lower()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "duckcdb_gap(sqlstate, statement): the known first refusal of an xfail"
    )


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """An xfail with a duckcdb_gap mark only counts when the server refused what the mark says."""
    outcome = yield
    rep = outcome.get_result()
    gap = item.get_closest_marker("duckcdb_gap")
    if gap is None or rep.when != "call" or not getattr(rep, "wasxfail", None):
        return
    db = getattr(item, "funcargs", {}).get("tool_db")
    first = db.wire.first_error() if db is not None else None
    want_state, want_sql = gap.kwargs["sqlstate"], gap.kwargs["statement"]
    if first is not None and first.sqlstate == want_state and _squash(want_sql) in _squash(first.statement):
        return
    rep.outcome = "failed"
    del rep.wasxfail
    seen = (
        f"{first.sqlstate} on {' '.join(first.statement.split())[:600]!r}"
        if first
        else "no refused statement"
    )
    rep.longrepr = (
        f"known gap not the cause: expected {want_state} on {want_sql!r}, the first refusal was {seen}\n\n"
        f"{rep.longrepr}"
    )


@dataclass
class ToolDB:
    """A database a tool works on: its name, the login, and the proxy port the tool must use."""

    name: str
    user: str
    password: str
    port: int  # the WireLog proxy
    direct_port: int  # the server itself, for the test's own checks
    wire: WireLog
    host: str = "127.0.0.1"

    def dsn(self, direct: bool = False) -> str:
        port = self.direct_port if direct else self.port
        return (
            f"host={self.host} port={port} dbname={self.name} user={self.user} "
            f"password={self.password} sslmode=disable"
        )

    def url(self, driver: str = "psycopg", direct: bool = False) -> str:
        port = self.direct_port if direct else self.port
        return f"postgresql+{driver}://{self.user}:{self.password}@{self.host}:{port}/{self.name}?sslmode=disable"

    def connect(self, **kw: object) -> psycopg.Connection:
        """The test's own connection, straight to the server (not in the tool's wire log)."""
        return psycopg.connect(self.dsn(direct=True), **kw)

    def env(self) -> dict[str, str]:
        """libpq's variables, for command-line tools."""
        return {
            **os.environ,
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGDATABASE": self.name,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGSSLMODE": "disable",
        }

    def tables(self) -> dict[str, list[str]]:
        """Table name -> column names of schema public, from information_schema."""
        with self.connect(autocommit=True) as c:
            rows = c.execute(
                "select table_name, column_name from information_schema.columns "
                "where table_schema = 'public' order by table_name, ordinal_position"
            ).fetchall()
        out: dict[str, list[str]] = {}
        for t, col in rows:
            out.setdefault(t, []).append(col)
        return out

    def failure(self, what: str, output: str = "") -> str:
        """A failure message: the tool's output tail and the first statements the server refused."""
        tail = output[-4000:] if output else ""
        return f"{what}\n{self.wire.report()}\n--- output ---\n{tail}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """A throwaway PostgreSQL 15 (initdb, trust auth) on a free port, run as the postgres user."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            pytest.skip(f"PostgreSQL 15 server binaries not found in {PG_BIN}")
        self.dir = Path(tempfile.mkdtemp(prefix="duckcdb-pg15-"))
        self.port = free_port()
        as_root = os.geteuid() == 0
        if as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
        self._run([str(PG_BIN / "initdb"), "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres"])
        opts = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=32MB"
        )
        data, log = str(self.dir / "data"), str(self.dir / "log")
        self._run([str(PG_BIN / "pg_ctl"), "-D", data, "-l", log, "-o", opts, "-w", "-t", "60", "start"])

    def _run(self, cmd: list[str]) -> None:
        subprocess.run(self._prefix + cmd, check=True, capture_output=True, cwd="/tmp", timeout=120)

    def dsn(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} dbname={dbname} user={user} sslmode=disable"

    def connect(self, dbname: str = "postgres", **kw: object) -> psycopg.Connection:
        return psycopg.connect(self.dsn(dbname), **kw)

    def stop(self) -> None:
        subprocess.run(
            self._prefix + [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop"],
            capture_output=True,
            cwd="/tmp",
            timeout=60,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres15() -> Iterator[PgCluster]:
    pg = PgCluster()
    yield pg
    pg.stop()


def _module_db_name(request: pytest.FixtureRequest) -> str:
    return "TOOLS_" + request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").upper()


@pytest.fixture(scope="module")
def tool_db(request: pytest.FixtureRequest) -> Iterator[ToolDB]:
    """A fresh, empty database for this module's tool, reached through a WireLog proxy."""
    name = _module_db_name(request)
    if ON_DUCKCDB:
        server = request.getfixturevalue("server")
        with server.connect(autocommit=True) as con:
            con.execute(
                f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"'
            )
            con.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
        direct_port = server.port
    else:
        pg: PgCluster = request.getfixturevalue("postgres15")
        name = name.lower()
        with pg.connect(autocommit=True) as con:
            if not con.execute("select 1 from pg_roles where rolname = %s", (PDB_ADMIN,)).fetchone():
                con.execute(f"create role {PDB_ADMIN} login superuser password '{PDB_PASSWORD}'")
            con.execute(f"create database {name} owner {PDB_ADMIN}")
        direct_port = pg.port
    wire = WireLog(direct_port)
    db = ToolDB(name, PDB_ADMIN, PDB_PASSWORD, wire.port, direct_port, wire)
    yield db
    wire.close()
    if ON_DUCKCDB:
        with server.connect(autocommit=True) as con:
            for stmt in (
                f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE",
                f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES",
            ):
                try:
                    con.execute(stmt)
                except psycopg.Error:
                    pass


@pytest.fixture(autouse=True)
def _wire_per_test(request: pytest.FixtureRequest) -> None:
    """Each test's failure message names its own refused statements, not an earlier test's."""
    if "tool_db" in request.fixturenames:
        request.getfixturevalue("tool_db").wire.start_test()


def run_tool(
    db: ToolDB,
    cmd: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    """Run a tool's command line; returns the completed process (stdout and stderr merged)."""
    return subprocess.run(
        cmd,
        cwd=cwd,
        env=env if env is not None else db.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
