"""Small results fetched as Python values (issue 18's point-query path, engine.codec.values).

A SELECT shape that returned a few rows of plain types is fetched in DuckDB's rows format the next
times. Whatever it returns then (more rows, NULLs, wider integers, other types for a decimal
literal) must be what the Arrow path sends: every row, the right types, never an error.
"""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD


@pytest.fixture
def numbers(conn, table_name) -> str:
    conn.execute(f"create table {table_name}(id int primary key, v varchar, b boolean, g bigint)")
    conn.execute(
        f"insert into {table_name} select i, case when i % 7 = 0 then null else 'v' || i end, i % 2 = 0, "
        f"i * 10000000000 from range(1, 201) t(i)"
    )
    return table_name


def test_repeated_point_queries_in_simple_protocol(conn, numbers) -> None:
    # psycopg's client-side binding: each execution is a simple Query with its own literal
    for i in list(range(1, 30)) * 2:
        row = conn.execute(f"select v, b, g, id from {numbers} where id = {i}").fetchone()
        assert row == (None if i % 7 == 0 else f"v{i}", i % 2 == 0, i * 10000000000, i)


def test_a_small_shape_that_returns_many_rows_sends_them_all(conn, numbers) -> None:
    for _ in range(3):
        assert conn.execute(f"select id from {numbers} where id < 3 order by id").fetchall() == [(1,), (2,)]
    rows = conn.execute(f"select id from {numbers} where id < 150 order by id").fetchall()
    assert rows == [(i,) for i in range(1, 150)]
    assert conn.execute(f"select id from {numbers} where id < 4 order by id").fetchall() == [(1,), (2,), (3,)]


def test_numbers_that_change_the_result_type(conn) -> None:
    for _ in range(3):
        assert conn.execute("select 1 + 1").fetchone() == (2,)
    assert conn.execute("select 1 + 99999999999999999999").fetchone() == (100000000000000000000,)
    assert conn.execute("select 3000000000 + 1").fetchone() == (3000000001,)
    assert str(conn.execute("select 1.5 + 1").fetchone()[0]) == "2.5"
    assert str(conn.execute("select 1. + 1").fetchone()[0]) == "2"
    assert str(conn.execute("select .5 + 1").fetchone()[0]) == "1.5"
    assert conn.execute("select 1 + 1").fetchone() == (2,)


def test_numeric_results_stay_with_the_arrow_encoders(conn, numbers) -> None:
    # sum(bigint) and avg() are PostgreSQL's numeric (DECIMALs): never taken for small results
    for _ in range(4):
        assert conn.execute(f"select sum(g), avg(id) from {numbers} where id < 3").fetchone() == (
            30000000000,
            Decimal("1.5"),
        )
        assert conn.execute("select 99999999999999999999 + 1").fetchone() == (100000000000000000000,)


def test_prepared_statements_text_and_binary(server, pdb, numbers) -> None:
    dsn = f"host=127.0.0.1 port={server.port} dbname={pdb} user={PDB_ADMIN} password={PDB_PASSWORD}"
    with psycopg.connect(dsn, autocommit=True, prepare_threshold=0) as c:
        for binary in (False, True):
            with c.cursor(binary=binary) as cur:
                for i in list(range(1, 20)) + [7, 14]:
                    cur.execute(f"select v, b, g from {numbers} where id = %s", (i,))
                    assert cur.fetchone() == (None if i % 7 == 0 else f"v{i}", i % 2 == 0, i * 10000000000)
                cur.execute(f"select id from {numbers} where id < %s order by id", (2,))
                cur.execute(f"select id from {numbers} where id < %s order by id", (3,))
                cur.execute(f"select id from {numbers} where id < %s order by id", (120,))
                assert cur.fetchall() == [(i,) for i in range(1, 120)]


def test_asyncpg_prepared_and_a_result_too_large(server, pdb, numbers) -> None:
    import asyncio

    async def main() -> None:
        c = await asyncpg.connect(
            host="127.0.0.1", port=server.port, database=pdb, user=PDB_ADMIN, password=PDB_PASSWORD
        )
        try:
            st = await c.prepare(f"select v, g from {numbers} where id = $1")
            for i in range(1, 40):
                assert await st.fetchrow(i) == (None if i % 7 == 0 else f"v{i}", i * 10000000000)
            many = await c.prepare(f"select id, v from {numbers} where id <= $1 order by id")
            assert len(await many.fetch(2)) == 2
            assert len(await many.fetch(2)) == 2
            assert [r[0] for r in await many.fetch(200)] == list(range(1, 201))
            # a cursor (Execute with a row limit) is not the small path and still works
            async with c.transaction():
                cur = await many.cursor(200)
                assert [r[0] for r in await cur.fetch(5)] == [1, 2, 3, 4, 5]
        finally:
            await c.close()

    asyncio.run(main())


def test_same_text_other_types_in_another_session(server, pdb, table_name) -> None:
    """A hint learnt by one session is not used where the same text names other columns: a
    temporary table of another session, a column whose type another session changed."""
    from decimal import Decimal

    dsn = f"host=127.0.0.1 port={server.port} dbname={pdb} user={PDB_ADMIN} password={PDB_PASSWORD}"
    with psycopg.connect(dsn, autocommit=True) as a, psycopg.connect(dsn, autocommit=True) as b:
        a.execute(f"create table {table_name}(id int, v varchar)")
        a.execute(f"insert into {table_name} values (1, 'one')")
        q = f"select v from {table_name} where id = 1"
        for _ in range(3):
            assert a.execute(q).fetchone() == ("one",)
            assert b.execute(q).fetchone() == ("one",)
        b.execute(f"create temp table {table_name}(id int, v decimal(10,2))")
        b.execute(f"insert into {table_name} values (1, 2.50)")
        for _ in range(3):
            assert b.execute(q).fetchone() == (Decimal("2.50"),)
            assert a.execute(q).fetchone() == ("one",)
        a.execute(f"alter table {table_name} alter v type decimal(10,3) using 1.125")
        for _ in range(2):
            assert a.execute(q).fetchone() == (Decimal("1.125"),)
            assert b.execute(q).fetchone() == (Decimal("2.50"),)
