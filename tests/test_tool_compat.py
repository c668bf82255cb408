"""What schema tools (issue 14) need of the server, each through psycopg against a real server:
the current database as the catalog part of a name (dbt), current_database() as the client named
the PDB, PostgreSQL settings that mean nothing to DuckDB (pg_dump, SQLAlchemy's reflection)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.server import RunningServer


@pytest.fixture
def name() -> str:
    return "tc_" + uuid.uuid4().hex[:10]


@pytest.fixture
def lower(server: RunningServer, pdb: str) -> Iterator[psycopg.Connection]:
    """A session that named the PDB in lower case, as dbt's profiles and most DSNs do."""
    with server.connect(pdb.lower(), PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
        yield c


def test_current_database_is_the_name_the_client_connected_with(
    conn: psycopg.Connection, lower: psycopg.Connection, pdb: str
) -> None:
    assert conn.execute("SELECT current_database(), current_catalog").fetchone() == (pdb, pdb)
    assert lower.execute("SELECT current_database(), current_catalog").fetchone() == (pdb.lower(),) * 2
    catalogs = lower.execute(
        "SELECT DISTINCT table_catalog FROM information_schema.tables WHERE table_schema = 'public'"
    ).fetchall()
    assert catalogs in ([], [(pdb.lower(),)])
    # Oracle's own name for the container does not change.
    assert lower.execute("SELECT SYS_CONTEXT('USERENV', 'CON_NAME')").fetchone() == (pdb,)


def test_three_part_names_naming_the_current_pdb(lower: psycopg.Connection, pdb: str, name: str) -> None:
    db = pdb.lower()
    lower.execute(f'CREATE TABLE "{db}"."public"."{name}" (id INTEGER PRIMARY KEY, v TEXT)')
    try:
        lower.execute(f"INSERT INTO {db}.public.{name} VALUES (1, 'a')")
        lower.execute(f"INSERT INTO {pdb}.public.{name} (id, v) VALUES (2, 'b')")  # any case, unquoted
        lower.execute(f"UPDATE \"{pdb}\".public.{name} SET v = 'c' WHERE id = 2")  # quoted, as stored
        assert lower.execute(
            f'SELECT t.id, t.v FROM "{db}".public."{name}" AS t JOIN {db}.public.{name} u ON u.id = t.id '
            "ORDER BY 1"
        ).fetchall() == [(1, "a"), (2, "c")]
        cols = lower.execute(
            f"SELECT column_name FROM \"{db}\".information_schema.columns WHERE table_name = '{name}' "
            "AND table_schema = 'public' ORDER BY ordinal_position"
        ).fetchall()
        assert cols == [("id",), ("v",)]
        lower.execute(f'CREATE VIEW "{db}"."public"."{name}_v" AS SELECT id FROM "{db}"."public"."{name}"')
        assert lower.execute(f"SELECT count(*) FROM {name}_v").fetchone() == (2,)
        lower.execute(f'DROP VIEW "{db}"."public"."{name}_v"')
    finally:
        lower.execute(f'DROP TABLE IF EXISTS "{db}"."public"."{name}"')


@pytest.mark.parametrize("catalog", ["otherdb", '"CDB$ROOT"', "pdb_seed"])
def test_another_database_as_catalog_is_still_refused(
    lower: psycopg.Connection, catalog: str, name: str
) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="another database"):
        lower.execute(f"SELECT * FROM {catalog}.public.{name}")


def test_harmless_postgres_settings_are_kept_per_session(
    server: RunningServer, conn: psycopg.Connection, pdb: str
) -> None:
    # pg_dump's session set-up, SQLAlchemy's reflection
    conn.execute("SET synchronize_seqscans TO off")
    conn.execute("SET default_table_access_method = 'heap'")
    conn.execute("SET check_function_bodies = false")
    assert conn.execute("SHOW synchronize_seqscans").fetchone() == ("off",)
    assert conn.execute("SHOW check_function_bodies").fetchone() == ("off",)
    assert conn.execute("SELECT current_setting('default_table_access_method')").fetchone() == ("heap",)
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as other:
        assert other.execute("SHOW synchronize_seqscans").fetchone() == ("on",)
    conn.execute("RESET synchronize_seqscans")
    assert conn.execute("SHOW synchronize_seqscans").fetchone() == ("on",)
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        conn.execute("SET synchronize_seqscans = maybe")


@pytest.mark.parametrize("setting", ["memory_limit = '1GB'", "threads = 1", "enable_external_access = true"])
def test_engine_settings_are_still_refused(conn: psycopg.Connection, setting: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="engine setting"):
        conn.execute(f"SET {setting}")
