"""PostgreSQL's values and errors of string, bytea, array and date functions and of text-to-integer
casts (issue 12: never a quiet difference), each statement run on DuckCDB (psycopg, a real
server) and on the PostgreSQL 15 beside us, the answers compared as text."""

from __future__ import annotations

import psycopg
import pytest

from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)

# Statements whose rows (as text) and column names must be PostgreSQL's.
SAME_ROWS = [
    "select concat('b', true, false, null, 1) as a, concat_ws('-', 'x', true, 2) as b",
    "select concat(n, b) from (values (1, true), (2, false), (3, null)) v(n, b) order by n",
    "select format('%s|%s|%L', true, false, 7) as a",
    "select substring('hello' from -1 for 3) as a, substr('hello', -2) as b, substr('hello', 0, 3) as c",
    "select substring('hello', 2, 3), substring('hello' from 2), substr('hello', 9), substring('hello' from 'l+')",
    "select substring(s, n, 2) from (values ('abcdef', -1), ('abcdef', 3), (null, 1)) v(s, n) order by n",
    "select split_part('a,b,c', ',', 2), split_part('a,b,c', ',', -1), split_part('a,b,c', ',', 9)",
    "select split_part('abc', '', 1) as a, split_part('abc', '', -1) as b, split_part('abc', '', 2) as c",
    "select to_hex(255), to_hex(-1), to_hex(-1::bigint), to_hex(2147483647), to_hex((-2)::int)",
    "select to_hex(n) from (values (10), (-10)) v(n) order by n",
    "select chr(65), chr(n) from (values (97)) v(n)",
    "select decode('68656c6c6f', 'hex') as a, decode('aGVsbG8=', 'base64') as b",
    "select sha256('abc'::bytea) as a",
    "select quote_literal('it''s') as a, quote_literal(E'back\\\\slash') as b, quote_literal(5) as c",
    "select format('%L|%L|%s', E'a\\\\b', null, 'x') as a",
    "select format('|%*s|%-*s|%*s|', 4, 'x', 3, 'y', -3, 'z') as a, format('%*L|', 5, 'q') as b",
    "select array_length('{}'::int[], 1) as a, array_length(array[1, 2, 3], 1) as b",
    "select array_upper(array[1, 2], 1) as a, array_upper('{}'::int[], 1) as b, cardinality(array[1, 2]) as c",
    "select extract(hour from timestamp '2024-01-01 10:30:00') as h, extract(year from date '2024-05-01') as y",
    "select date_trunc('century', timestamp '2024-03-15') as a, date_trunc('century', timestamp '2000-12-31') as b",
    "select date_trunc('millennium', timestamp '2000-03-15') as a, date_trunc('millennium', timestamp '2001-01-01') as b",
    "select s::int, v.s::bigint, cast(s as int2), n::int8 from (values (' 12 ', 1.5::float8), ('-3', 2.5)) v(s, n)",
    "select array[1, 2]::text as a, array['', 'null', null, 'x,y', 'b c', 'q\"']::text as b, array[true, false]::text as c",
    "select '{a,NULL,\"b c\"}'::text[]::varchar as a, '{3,4}'::int[]::text as b",
    "select '\\x4142'::bytea::text as a, b::bytea::text as b from (values ('\\x00ff'::bytea)) v(b)",
    "select ' 12 '::int as a, '-7'::int2 as b, CAST('+9000000000' AS bigint) as c, '2147483647'::int4 as d",
]

# Statements PostgreSQL refuses, and its SQLSTATE.
SAME_ERRORS = [
    "select '1.5'::int",
    "select '1_000'::int",
    "select CAST('1e3' AS integer)",
    "select '3000000000'::int",
    "select '40000'::smallint",
    "select ''::bigint",
    "select s::int from (values ('7'), ('1.5')) v(s)",
    "select cast(v.s as bigint) from (values ('1_000')) v(s)",
    "select substring('hello', 2, -1)",
    "select substr('hello', 1, -3)",
    "select split_part('a,b,c', ',', 0)",
    "select chr(0)",
    "select format('%*s', 2)",
    "select extract(hour from date '2024-01-01')",
    "select extract(minute from d) from (values (date '2024-01-01')) v(d)",
]


def _answer(conn: psycopg.Connection, sql: str) -> tuple[list[str], list[tuple[object, ...]]]:
    with conn.cursor(binary=False) as cur:
        cur.execute(sql)
        names = [d.name for d in cur.description or []]
        rows = cur.fetchall()
    return names, [tuple(str(v) for v in r) for r in rows]


def _error(conn: psycopg.Connection, sql: str) -> str | None:
    try:
        conn.execute(sql).fetchall()
    except psycopg.Error as e:
        return e.sqlstate
    return None


@pytest.fixture(scope="module")
def pg(pg15):  # noqa: F811
    with pg15.connect(autocommit=True) as c:
        c.execute("set timezone = 'UTC'")
        yield c


@pytest.mark.parametrize("sql", SAME_ROWS)
def test_same_answer_as_postgresql(conn, pg, sql: str) -> None:
    assert _answer(conn, sql) == _answer(pg, sql)


@pytest.mark.parametrize("sql", SAME_ERRORS)
def test_same_error_as_postgresql(conn, pg, sql: str) -> None:
    expected = _error(pg, sql)
    assert expected is not None
    assert _error(conn, sql) == expected
    assert conn.execute("select 1").fetchone() == (1,)  # the session goes on


def test_integer_literals_in_other_places_are_unchanged(conn) -> None:
    # a string literal not cast to an integer type, and an array of integers, are not checked
    row = conn.execute("select '1.5'::numeric, '{1,2}'::int[], cast('7' as int), '1.5'").fetchone()
    assert [str(v) for v in row] == ["1.5", "[1, 2]", "7", "1.5"]
