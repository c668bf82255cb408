"""The second wall: an engine's DuckDB refuses escapes on its own, without the proxy's checks."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from engine.database import open_database
from engine.governed import refuse_governed
from pgwire.control import EngineSpec
from pgwire.errors import DbError


@pytest.fixture
def engine_db(tmp_path: Path):
    mine, other = tmp_path / "pdbs" / "A", tmp_path / "pdbs" / "B"
    mine.mkdir(parents=True)
    other.mkdir(parents=True)
    duckdb.connect(str(other / "data.duckdb")).execute("create table secret as select 42 as x").close()
    (tmp_path / "server.txt").write_text("server file")
    spec = EngineSpec(
        name="A",
        con_id=3,
        db_path=str(mine / "data.duckdb"),
        socket_path=str(tmp_path / "s.sock"),
        token="t",
        read_only=False,
        memory_limit="256MiB",
        threads=1,
        temp_dir=str(mine / "tmp"),
        max_temp_size="64MiB",
        allowed_dir=str(mine),
    )
    con = open_database(spec)
    yield con.cursor(), tmp_path
    con.close()


@pytest.mark.parametrize(
    "sql",
    [
        "select * from read_csv('{root}/server.txt')",
        "select * from read_text('/etc/passwd')",
        "attach '{root}/pdbs/B/data.duckdb' as b",
        "copy (select 1) to '{root}/out.csv'",
        "install httpfs",
        "load httpfs",
        "select * from read_parquet('https://example.com/x.parquet')",
        "set enable_external_access = true",
        "set allowed_directories = ['/']",
    ],
)
def test_engine_refuses_on_its_own(engine_db, sql) -> None:
    cur, root = engine_db
    with pytest.raises(duckdb.Error):
        cur.execute(sql.format(root=root)).fetchall()


@pytest.mark.parametrize(
    "sql",
    [
        "set memory_limit = '100GB'",
        "SET GLOBAL threads = 64",
        "/* x */ PRAGMA max_temp_directory_size = '1PB'",
        'reset "memory_limit"',
        "  set\tthreads = 1",
        "(SET worker_threads = 8)",
        "\u017fet threads = 9",  # (a long s: Python's case-insensitive matching reads it as s)
    ],
)
def test_engine_refuses_governed_settings(sql) -> None:
    """The limits the supervisor changes online stay changeable in DuckDB; the engine's request
    handler refuses tenants' SQL that would change them (the proxy refuses it first)."""
    with pytest.raises(DbError) as ei:
        refuse_governed(sql)
    assert ei.value.sqlstate == "42501"


def test_governed_settings_guard_leaves_other_sql_alone() -> None:
    for sql in (
        "update t set threads = 2",
        "select current_setting('threads')",
        "set TimeZone = 'UTC'",
        "settings",
        "  Select threads from t",
    ):
        refuse_governed(sql)


def test_engine_limits_are_explicit(engine_db) -> None:
    cur, _ = engine_db
    settings = dict(cur.execute("select name, value from duckdb_settings()").fetchall())
    assert settings["memory_limit"] in ("256.0 MiB", "256 MiB", "268.4 MB")
    assert settings["threads"] == "1"
    assert settings["enable_external_access"] == "false"
    assert settings["lock_configuration"] == "true"
