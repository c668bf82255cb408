"""Real drivers against a PDB: psycopg (text and binary), asyncpg, psql."""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import json
import os
import subprocess
import uuid

import asyncpg
import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD

TYPES_SQL = """
select 1::smallint as i2, 2::int as i4, 3::bigint as i8, 1.5::real as f4, 2.25::double precision as f8,
       123.45::numeric(10,2) as num, 'text'::text as t, 'vc'::varchar as vc, '\\x0102'::bytea as b,
       '2024-02-29'::date as d, '12:34:56.5'::time as tm, '2024-02-29 12:34:56.5'::timestamp as ts,
       '2024-02-29 12:34:56.5+00'::timestamptz as tstz, interval '1 day 2 hours' as iv,
       'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u, '{"k": [1, 2]}'::json as j,
       true as bo, [1, 2, null]::int[] as ai, ['a', 'b c']::text[] as at
"""

EXPECTED = {
    "i2": 1,
    "i4": 2,
    "i8": 3,
    "f4": 1.5,
    "f8": 2.25,
    "num": decimal.Decimal("123.45"),
    "t": "text",
    "vc": "vc",
    "b": b"\x01\x02",
    "d": dt.date(2024, 2, 29),
    "tm": dt.time(12, 34, 56, 500000),
    "ts": dt.datetime(2024, 2, 29, 12, 34, 56, 500000),
    "tstz": dt.datetime(2024, 2, 29, 12, 34, 56, 500000, tzinfo=dt.UTC),
    "iv": dt.timedelta(days=1, hours=2),
    "u": uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    "j": {"k": [1, 2]},
    "bo": True,
    "ai": [1, 2, None],
    "at": ["a", "b c"],
}


@pytest.mark.parametrize("binary", [False, True])
def test_psycopg_types(conn, binary) -> None:
    cur = conn.cursor(binary=binary)
    cur.execute(TYPES_SQL)
    row = cur.fetchone()
    got = {d.name: v for d, v in zip(cur.description, row, strict=True)}
    for k, v in EXPECTED.items():
        assert got[k] == v, (k, got[k], v)


@pytest.mark.parametrize("binary", [False, True])
def test_psycopg_parameters_round_trip(conn, table_name, binary) -> None:
    conn.execute(
        f"create table {table_name}(i int, b bigint, f double, n numeric(12,3), t text, bt bytea, d date,"
        " ts timestamp, tz timestamptz, u uuid, j json, bo boolean, ai int[])"
    )
    vals = (
        5,
        2**40,
        0.1,
        decimal.Decimal("-12.345"),
        "héllo",
        b"\x00\xff",
        dt.date(1999, 12, 31),
        dt.datetime(2001, 2, 3, 4, 5, 6, 7),
        dt.datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=dt.UTC),
        uuid.UUID(int=7),
        psycopg.types.json.Json({"a": 1}),
        False,
        [3, 4],
    )
    cur = conn.cursor(binary=binary)
    cur.execute(f"insert into {table_name} values ({', '.join(['%s'] * len(vals))})", vals)
    assert cur.rowcount == 1
    row = cur.execute(f"select * from {table_name}").fetchone()
    assert row[:10] == vals[:10]
    assert row[10] == {"a": 1}
    assert row[11:] == (False, [3, 4])


def test_psycopg_executemany_and_large_result(conn, table_name) -> None:
    conn.execute(f"create table {table_name}(id int primary key, v text)")
    with conn.cursor() as cur:
        cur.executemany(f"insert into {table_name} values (%s, %s)", [(i, f"v{i}") for i in range(500)])
    assert conn.execute(f"select count(*), max(v) from {table_name}").fetchone() == (500, "v99")
    rows = conn.execute(
        "select i, i::text, i * 0.5, date '2020-01-01' + i::int from range(200000) t(i)"
    ).fetchall()
    assert len(rows) == 200000 and rows[-1][0] == 199999 and rows[-1][1] == "199999"


def test_psycopg_copy(conn, table_name) -> None:
    conn.execute(f"create table {table_name}(id int, name text, price double)")
    with conn.cursor() as cur:
        with cur.copy(f"copy {table_name} from stdin") as cp:
            cp.write_row((1, "a\tb", 1.5))
            cp.write_row((2, None, 2.5))
        with cur.copy(f"copy {table_name} (id, name) from stdin with (format csv)") as cp:
            cp.write('3,"x,y"\n4,\n')
        with cur.copy(f"copy {table_name} from stdin (format binary)") as cp:
            cp.set_types(["int4", "text", "float8"])
            cp.write_row((5, "bin", 5.5))
        assert cur.execute(f"select * from {table_name} order by id").fetchall() == [
            (1, "a\tb", 1.5),
            (2, None, 2.5),
            (3, "x,y", None),
            (4, None, None),
            (5, "bin", 5.5),
        ]
        with cur.copy(f"copy (select id, name from {table_name} order by id) to stdout") as cp:
            text = b"".join(bytes(b) for b in cp)
        assert text.decode().splitlines() == ["1\ta\\tb", "2\t\\N", "3\tx,y", "4\t\\N", "5\tbin"]
        with cur.copy(f"copy {table_name} (id, name) to stdout with (format csv, header)") as cp:
            text = b"".join(bytes(b) for b in cp).decode()
        assert text.splitlines()[0] == "id,name" and '3,"x,y"' in text


def test_copy_to_stdout_rows_and_binary(conn) -> None:
    """One CopyData per row (psycopg's rows() reads a message as a row: several rows in one
    message were silently lost), and binary COPY TO with its header and trailer."""
    query = "select i::int4 as i, 'x' || i as s, date '2024-01-01' + i::int as d, i * 1.5 as n from range(3000) t(i)"
    with conn.cursor() as cur:
        with cur.copy(f"copy ({query}) to stdout") as cp:
            cp.set_types(["int4", "text", "date", "numeric"])
            rows = list(cp.rows())
        assert len(rows) == 3000 and rows[2999][:2] == (2999, "x2999") and str(rows[1][3]) == "1.5"
        with cur.copy(f"copy ({query}) to stdout (format binary)") as cp:
            cp.set_types(["int4", "text", "date", "numeric"])
            binary = list(cp.rows())
        assert binary == rows
        with cur.copy("copy (select 1::int4 where false) to stdout (format binary)") as cp:
            cp.set_types(["int4"])
            assert list(cp.rows()) == []


def test_copy_to_a_file_is_refused(conn, table_name) -> None:
    conn.execute(f"create table {table_name}(a int)")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(f"copy {table_name} to '/tmp/x.csv'")


def test_asyncpg(server, pdb, table_name) -> None:
    async def run() -> None:
        con = await asyncpg.connect(
            host="127.0.0.1", port=server.port, user=PDB_ADMIN, password=PDB_PASSWORD, database=pdb, ssl=False
        )
        try:
            row = await con.fetchrow(TYPES_SQL)
            for k, v in EXPECTED.items():
                if k == "j":
                    assert json.loads(row[k]) == v
                else:
                    assert row[k] == v, (k, row[k], v)
            await con.execute(
                f"create table {table_name}(id bigint, n numeric(10,2), ts timestamptz, u uuid, iv interval, tags text[])"
            )
            stmt = await con.prepare(f"insert into {table_name} values ($1, $2, $3, $4, $5, $6)")
            now = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
            await stmt.fetch(
                1, decimal.Decimal("9.99"), now, uuid.UUID(int=1), dt.timedelta(hours=3), ["x", "y"]
            )
            await con.executemany(f"insert into {table_name}(id) values ($1)", [(i,) for i in range(2, 6)])
            n = await con.copy_records_to_table(
                table_name,
                records=[(10, decimal.Decimal("1.50"), now, uuid.UUID(int=2), dt.timedelta(days=1), ["z"])],
            )
            assert n == "COPY 1"
            got = await con.fetch(f"select * from {table_name} where id in (1, 10) order by id")
            assert [tuple(r) for r in got] == [
                (1, decimal.Decimal("9.99"), now, uuid.UUID(int=1), dt.timedelta(hours=3), ["x", "y"]),
                (10, decimal.Decimal("1.50"), now, uuid.UUID(int=2), dt.timedelta(days=1), ["z"]),
            ]
            assert await con.fetchval(f"select count(*) from {table_name}") == 6
            async with con.transaction():
                cur = await con.cursor("select * from range(100) t(i)")
                assert [r[0] for r in await cur.fetch(3)] == [0, 1, 2]
        finally:
            await con.close()

    asyncio.run(run())


def test_asyncpg_char_key_read_and_written_back(server, pdb, table_name) -> None:
    """A char(4) key through asyncpg's prepared statements and binary COPY: sent blank-padded as
    PostgreSQL does, and the value read finds its row again (PostgreSQL 15 answers the same)."""

    async def run() -> None:
        con = await asyncpg.connect(
            host="127.0.0.1", port=server.port, user=PDB_ADMIN, password=PDB_PASSWORD, database=pdb, ssl=False
        )
        try:
            await con.execute(f"create table {table_name} (code char(4) primary key, v int)")
            await con.executemany(f"insert into {table_name} values ($1, $2)", [("ab", 1), ("cd  ", 2)])
            await con.copy_records_to_table(table_name, records=[("ef  ", 3)])
            rows = await con.fetch(f"select code, v from {table_name} order by v")
            assert [tuple(r) for r in rows] == [("ab  ", 1), ("cd  ", 2), ("ef  ", 3)]
            for code, v in rows:
                assert (
                    await con.execute(f"update {table_name} set v = $1 where code = $2", v + 10, code)
                    == "UPDATE 1"
                )
            assert await con.fetchval(f"select v from {table_name} where code = $1", "ef") == 13
            assert await con.fetchval(f"select length(code) from {table_name} where code = 'cd'") == 2
        finally:
            await con.close()

    asyncio.run(run())


def test_asyncpg_parameters_typed_by_their_operand(server, pdb, table_name) -> None:
    """A parameter beside a column in arithmetic is typed by the column, as PostgreSQL types it
    (i + $1 is an int4 when i is): asyncpg encodes by the described type and refused to send an
    int for what was described as text; the statement-level description of the result is the
    type the rows come in."""

    async def run() -> None:
        con = await asyncpg.connect(
            host="127.0.0.1", port=server.port, user=PDB_ADMIN, password=PDB_PASSWORD, database=pdb, ssl=False
        )
        try:
            await con.execute(f"create table {table_name} (i int, b bigint, n numeric(8,3), f float8)")
            await con.execute(f"insert into {table_name} values (1, 2, 1.5, 0.5)")
            cases = [
                ("select i + $1 as a from {t}", 5, ["int4"], "int4", 6),
                ("select $1 - i as a from {t}", 5, ["int4"], "int4", 4),
                ("select b * $1 as a from {t}", 3, ["int8"], "int8", 6),
                (
                    "select t.n * $1 as a from {t} t",
                    decimal.Decimal("5"),
                    ["numeric"],
                    "numeric",
                    decimal.Decimal("7.500"),
                ),
                ("select f / $1 as a from {t}", 2.0, ["float8"], "float8", 0.25),
                ("select i as a from {t} where i + $1 > 2", 5, ["int4"], "int4", 1),
            ]
            for sql, arg, params, result, expected in cases:
                st = await con.prepare(sql.format(t=table_name))
                assert [p.name for p in st.get_parameters()] == params, sql
                assert [a.type.name for a in st.get_attributes()] == [result], sql
                assert await st.fetchval(arg) == expected, sql
        finally:
            await con.close()

    asyncio.run(run())


def test_psql(server, pdb, table_name) -> None:
    env = dict(os.environ, PGPASSWORD=PDB_PASSWORD, PGSSLMODE="disable")
    cmd = [
        "psql",
        "-X",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        "127.0.0.1",
        "-p",
        str(server.port),
        "-U",
        PDB_ADMIN,
        "-d",
        pdb,
    ]
    script = f"create table {table_name}(a int, b text);\ninsert into {table_name} values (1, 'x'), (2, null);\nselect * from {table_name} order by a;\n"
    out = subprocess.run(
        [*cmd, "-A", "-t"], input=script, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-2:] == ["1|x", "2|"]
    bad = subprocess.run([*cmd, "-c", "select 1/0"], env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "division by zero" in bad.stderr


def test_psql_as_sys_in_root(server) -> None:
    env = dict(os.environ, PGPASSWORD="Sys-Test-Pw-1", PGSSLMODE="disable")
    out = subprocess.run(
        [
            "psql",
            "-X",
            "-h",
            "127.0.0.1",
            "-p",
            str(server.port),
            "-U",
            "SYS",
            "-d",
            "CDB$ROOT",
            "-c",
            "SHOW PDBS",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "PDB$SEED" in out.stdout and "READ ONLY" in out.stdout


def test_psql_container_commands(server) -> None:
    env = dict(os.environ, PGPASSWORD="Sys-Test-Pw-1", PGSSLMODE="disable")
    name = "Q" + uuid.uuid4().hex[:8].upper()
    cmd = ["psql", "-X", "-A", "-t", "-h", "127.0.0.1", "-p", str(server.port), "-U", "SYS", "-d", "CDB$ROOT"]
    script = (
        f'CREATE PLUGGABLE DATABASE {name} ADMIN USER qadm IDENTIFIED BY "Q-Pw-1";\n'
        f"ALTER PLUGGABLE DATABASE {name} OPEN READ WRITE;\n"
        f"SELECT name, open_mode FROM v$pdbs WHERE name = '{name}';\n"
        f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE;\n"
        f"ALTER PLUGGABLE DATABASE {name} CLOSE;\n"
    )
    out = subprocess.run(cmd, input=script, env=env, capture_output=True, text=True, timeout=60)
    assert f"{name}|READ WRITE" in out.stdout
    assert "ORA-65020" in out.stderr
    out = subprocess.run(
        [*cmd, "-c", f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("binary", [False, True])
def test_psycopg_server_side_cursor(conn, binary) -> None:
    conn.autocommit = False
    with conn.cursor(name="big", binary=binary) as cur:
        cur.execute("select i, i::text as s from range(1000) t(i) where i >= %s", (10,))
        assert cur.fetchone() == (10, "10")
        assert [r[0] for r in cur.fetchmany(3)] == [11, 12, 13]
        cur.scroll(5)  # MOVE FORWARD 5
        assert cur.fetchone()[0] == 19
        rest = cur.fetchall()
        assert len(rest) == 980 and rest[-1] == (999, "999")
    conn.commit()


def test_sql_cursors_declare_fetch_move_close(conn) -> None:
    conn.autocommit = False
    conn.execute("declare c1 cursor for select * from range(10) t(i)")
    assert conn.execute("fetch 3 from c1").fetchall() == [(0,), (1,), (2,)]
    conn.execute("move forward 2 in c1")
    assert conn.execute("fetch next from c1").fetchall() == [(5,)]
    assert conn.execute("fetch all from c1").fetchall() == [(6,), (7,), (8,), (9,)]
    assert conn.execute("fetch from c1").fetchall() == []
    conn.execute("close c1")
    with pytest.raises(psycopg.errors.InvalidCursorName):
        conn.execute("fetch 1 from c1")
    conn.rollback()
    conn.execute("declare h cursor with hold for select 1 as x")
    conn.commit()
    assert conn.execute("fetch all from h").fetchall() == [(1,)]
    conn.execute("close all")
    conn.commit()


def test_psycopg_pipeline_and_executemany(conn, table_name) -> None:
    conn.execute(f"create table {table_name}(id int, v text)")
    with conn.pipeline():
        for i in range(20):
            conn.execute(f"insert into {table_name} values (%s, %s)", (i, f"v{i}"))
        cur = conn.execute(f"select count(*) from {table_name}")
    assert cur.fetchone() == (20,)


def test_asyncpg_pool_reset(server, pdb) -> None:
    async def run() -> None:
        pool = await asyncpg.create_pool(
            host="127.0.0.1",
            port=server.port,
            user=PDB_ADMIN,
            password=PDB_PASSWORD,
            database=pdb,
            ssl=False,
            min_size=1,
            max_size=2,
        )
        try:
            for i in range(5):
                async with pool.acquire() as con:
                    assert await con.fetchval("select $1::int * 2", i) == i * 2
        finally:
            await pool.close()

    asyncio.run(run())
