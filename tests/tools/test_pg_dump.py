"""pg_dump 15 of a PDB (plain SQL), restored with psql into a real PostgreSQL 15, compared table by table.

The PDB gets a small schema through psycopg (a serial key, a foreign key, an index, a view, the
common types, NULLs and text that COPY must escape); `pg_dump --format=plain --no-owner
--no-privileges` writes it out, `psql -v ON_ERROR_STOP=1` loads it into a fresh database of a
throwaway PostgreSQL 15, and every table and the view must hold the same rows on both sides.
"""

from __future__ import annotations

import subprocess
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.tools.conftest import ON_DUCKCDB, PG_BIN, PgCluster, ToolDB, run_tool

SCHEMA = [
    "create table dump_customer (id serial primary key, name varchar(40) not null, email text, "
    "vip boolean default false, born date, balance numeric(12,2))",
    "create table dump_event (id bigint primary key, customer_id integer references dump_customer (id), "
    "at_ts timestamp, at_tz timestamptz, payload json, tags integer[], blob bytea, ref uuid, ratio double precision)",
    "create index dump_event_customer on dump_event (customer_id)",
    "create view dump_vip as select id, name from dump_customer where vip",
]
CUSTOMERS = [
    ("Ada", "ada@example.com", True, date(1815, 12, 10), Decimal("1234.50")),
    ("Tab\tand\nnewline, 'quote' and \\backslash", None, False, None, Decimal("-0.01")),
    ("Zoë ünïcode ✓", "z@example.com", None, date(2000, 2, 29), None),
]
EVENTS = [
    (
        1,
        1,
        datetime(2024, 1, 2, 3, 4, 5, 123456),
        datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        '{"k": [1, 2], "s": "x"}',
        [1, 2, 3],
        b"\x00\x01\xff",
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        0.125,
    ),
    (2, 2, None, None, None, None, None, None, None),
    (
        3,
        3,
        datetime(1999, 12, 31, 23, 59, 59),
        datetime(2030, 6, 1, tzinfo=UTC),
        "[]",
        [],
        b"",
        None,
        -1e-3,
    ),
]


def _fill(db: ToolDB) -> None:
    with db.connect(autocommit=True) as c:
        for stmt in SCHEMA:
            c.execute(stmt)
        with c.transaction():
            for row in CUSTOMERS:
                c.execute(
                    "insert into dump_customer (name, email, vip, born, balance) values (%s, %s, %s, %s, %s)",
                    row,
                )
            for row in EVENTS:
                c.execute("insert into dump_event values (%s, %s, %s, %s, %s::json, %s, %s, %s, %s)", row)


def _rows(con: psycopg.Connection, table: str) -> list[tuple]:
    return con.execute(f"select * from {table} order by 1").fetchall()


def _tables(con: psycopg.Connection) -> dict[str, str]:
    rows = con.execute(
        "select table_name, table_type from information_schema.tables where table_schema = 'public'"
    ).fetchall()
    return dict(rows)


def test_pg_dump_restore_into_postgres(tool_db: ToolDB, postgres15: PgCluster, tmp_path: Path) -> None:
    _fill(tool_db)
    dump = tmp_path / "pdb.sql"
    run = run_tool(
        tool_db,
        [str(PG_BIN / "pg_dump"), "--format=plain", "--no-owner", "--no-privileges", "--file", str(dump)],
    )
    assert run.returncode == 0, tool_db.failure("pg_dump failed", run.stdout)
    text = dump.read_text()
    assert "CREATE TABLE public.dump_event" in text and "COPY public.dump_customer" in text

    target = f"restore_{uuid.uuid4().hex[:8]}"
    with postgres15.connect(autocommit=True) as c:
        c.execute(f"create database {target}")
    load = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", postgres15.dsn(target), "-f", str(dump)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert load.returncode == 0, f"psql could not load the dump:\n{load.stderr[-4000:]}"

    with tool_db.connect(autocommit=True) as src, postgres15.connect(target, autocommit=True) as dst:
        tables = _tables(src)
        assert tables == _tables(dst)
        assert tables == {"dump_customer": "BASE TABLE", "dump_event": "BASE TABLE", "dump_vip": "VIEW"}
        for table in tables:
            theirs, ours = _rows(dst, table), _rows(src, table)
            assert len(theirs) == len(ours), table
            assert theirs == ours, table
        assert _rows(dst, "dump_vip") == [(1, "Ada")]
        # The serial's sequence goes on where the PDB's did.
        nxt = dst.execute("insert into dump_customer (name) values ('next') returning id").fetchone()
        assert nxt == (len(CUSTOMERS) + 1,)


@pytest.fixture(autouse=True)
def _need_pg_dump() -> None:
    if not (PG_BIN / "pg_dump").exists():
        pytest.skip(f"pg_dump 15 not found in {PG_BIN}")


def test_pg_dump_schema_only_and_custom_format(
    tool_db: ToolDB, postgres15: PgCluster, tmp_path: Path
) -> None:
    """--schema-only restores the same tables, empty; -Fc's archive lists its entries with
    pg_restore --list and restores into PostgreSQL 15 with pg_restore."""
    schema = tmp_path / "schema.sql"
    run = run_tool(tool_db, [str(PG_BIN / "pg_dump"), "--schema-only", "--no-owner", "--file", str(schema)])
    assert run.returncode == 0, tool_db.failure("pg_dump --schema-only failed", run.stdout)
    text = schema.read_text()
    assert "CREATE TABLE public.dump_customer" in text and "COPY " not in text
    assert "REVOKE" not in text and "GRANT" not in text  # the public schema's ACL is PostgreSQL's default

    archive = tmp_path / "pdb.dump"
    run = run_tool(tool_db, [str(PG_BIN / "pg_dump"), "-Fc", "--no-owner", "--file", str(archive)])
    assert run.returncode == 0, tool_db.failure("pg_dump -Fc failed", run.stdout)
    listing = subprocess.run(
        [str(PG_BIN / "pg_restore"), "--list", str(archive)], capture_output=True, text=True, timeout=60
    )
    assert listing.returncode == 0, listing.stderr
    entries = {
        " ".join(line.split()[3:6]) for line in listing.stdout.splitlines() if not line.startswith(";")
    }
    assert {
        "TABLE public dump_customer",
        "SEQUENCE public dump_customer_id_seq",
        "TABLE public dump_event",
        "VIEW public dump_vip",
        "INDEX public dump_event_customer",
        "TABLE DATA public",
    } <= entries

    for target, source in ((f"schema_{uuid.uuid4().hex[:8]}", None), (f"fc_{uuid.uuid4().hex[:8]}", archive)):
        with postgres15.connect(autocommit=True) as c:
            c.execute(f"create database {target}")
        cmd = (
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", postgres15.dsn(target), "-f", str(schema)]
            if source is None
            else [
                str(PG_BIN / "pg_restore"),
                "--exit-on-error",
                "--no-owner",
                "-d",
                postgres15.dsn(target),
                str(source),
            ]
        )
        load = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert load.returncode == 0, f"{cmd[0]} could not load {target}:\n{load.stderr[-4000:]}"
        with tool_db.connect(autocommit=True) as src, postgres15.connect(target, autocommit=True) as dst:
            assert _tables(src) == _tables(dst)
            for table in _tables(src):
                theirs = _rows(dst, table)
                assert theirs == ([] if source is None else _rows(src, table)), (target, table)


def test_pg_dump_restores_into_another_pdb(
    request: pytest.FixtureRequest, tool_db: ToolDB, tmp_path: Path
) -> None:
    """The plain dump, loaded with psql into a fresh PDB: the same rows, the serial going on.
    (COPY's text form of arrays and bytea, ALTER SEQUENCE ... OWNED BY, ALTER TABLE ONLY,
    setval('public.s', ...), nextval('s'::regclass) defaults.)"""
    if not ON_DUCKCDB:
        pytest.skip("a PDB is DuckCDB's")
    server = request.getfixturevalue("server")
    dump = tmp_path / "pdb.sql"
    run = run_tool(tool_db, [str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", "--file", str(dump)])
    assert run.returncode == 0, tool_db.failure("pg_dump failed", run.stdout)
    name = "TOOLS_PG_DUMP_COPY"
    with server.connect(autocommit=True) as root:
        root.execute(
            f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"'
        )
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    try:
        load = subprocess.run(
            [
                "psql",
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                server.dsn(name, PDB_ADMIN, PDB_PASSWORD),
                "-f",
                str(dump),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert load.returncode == 0, f"psql could not load the dump into a PDB:\n{load.stderr[-4000:]}"
        with (
            tool_db.connect(autocommit=True) as src,
            server.connect(name, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as dst,
        ):
            tables = _tables(src)
            assert tables == _tables(dst)
            for table in tables:
                assert _rows(dst, table) == _rows(src, table), table
            assert _rows(dst, "dump_event")[0][6] == b"\x00\x01\xff"
            last = src.execute("select last_value from dump_customer_id_seq").fetchone()[0]
            nxt = dst.execute("insert into dump_customer (name) values ('next') returning id").fetchone()
            assert nxt == (last + 1,)
    finally:
        with server.connect(autocommit=True) as root:
            root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")
            root.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")
