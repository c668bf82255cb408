"""Issue 12 rewrites on a real DuckDB: explicit casts to varchar(n)/char(n) (pgcompat.char_casts),
row comparisons with NULL fields (pgcompat.rows), set-returning functions' places
(pgcompat.srf). The answers through the server, beside PostgreSQL: tests/test_select_list_srf.py."""

from __future__ import annotations

import duckdb
import pytest

from engine import jsonb, pgmath
from engine.session import _PG_MACROS
from pgcompat.statements import split


def engine_sql(sql: str) -> str:
    (st,) = split(sql)
    return st.engine_sql


@pytest.fixture
def duck() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    jsonb.register(con)  # what the engine gives every connection (|| is dispatched by its macros)
    pgmath.register(con)
    con.execute(_PG_MACROS)
    con.execute("CREATE TABLE t (y VARCHAR, a INTEGER, b VARCHAR)")
    con.execute("INSERT INTO t VALUES ('abcdef', 1, NULL), (NULL, NULL, NULL)")
    return con


def rows(duck: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    (st,) = split(sql)
    assert st.refusal is None, st.refusal
    return duck.execute(st.engine_sql).fetchall()


def test_casts_in_queries_cut_and_pad(duck: duckdb.DuckDBPyConnection) -> None:
    assert rows(duck, "SELECT 'x'::varchar(3), CAST(y AS char(2)) FROM t ORDER BY 1") == [
        ("x", "ab"),
        ("x", None),
    ]
    assert rows(duck, "SELECT 'ab'::char(4) AS a, 'ab'::char(4) || '|' AS b, length('a '::char(3)) AS c") == [
        ("ab  ", "ab|", 1)
    ]
    assert rows(duck, "SELECT y::text::varchar(2), $$abc$$::character varying(1) FROM t WHERE a = 1") == [
        ("ab", "a")
    ]
    duck.execute(engine_sql("CREATE TABLE u AS SELECT 'xyz'::varchar(2) AS a, 'q'::char(3) AS b"))
    assert duck.execute("SELECT a, b FROM u").fetchall() == [("xy", "q")]  # blanks of char(n) mean nothing
    duck.execute(engine_sql("INSERT INTO u VALUES ('abcdef'::varchar(1), 'r  '::char(2))"))
    assert duck.execute("SELECT a, b FROM u ORDER BY a").fetchall() == [("a", "r"), ("xy", "q")]


@pytest.mark.parametrize(
    "sql",
    [
        'CREATE TABLE t (a varchar, b text, c varchar(5)[], d varchar(5) ARRAY, e "char", f bpchar)',
        "CREATE TABLE t (a int, CONSTRAINT c CHECK (a::varchar(3) <> ''), UNIQUE (a))",
        "ALTER TABLE t ALTER COLUMN a SET DEFAULT 'x'::varchar(3)",
        "SELECT 12::varchar, x::varchar(3)[], 'varchar(3)' FROM t",
    ],
)
def test_ddl_and_other_types_stay(sql: str) -> None:
    assert engine_sql(sql) == sql


def test_row_comparisons_with_nulls(duck: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        duck,
        "SELECT ROW(1, NULL) = ROW(1, NULL), (1, NULL) <> (2, NULL), ROW(1, 2, 3) >= ROW(1, 2, NULL),"
        " ROW(NULL, NULL) IS NULL, ROW(1, NULL) IS NOT NULL, (1, NULL) IN ((1, 2), (1, NULL)),"
        " (1, NULL) NOT IN ((2, 2))",
    ) == [(None, True, None, True, False, None, True)]
    assert rows(duck, "SELECT a FROM t WHERE (a, b) IS NULL") == [(None,)]
    assert rows(duck, "SELECT t IS NULL, t IS NOT NULL FROM t ORDER BY a") == [(False, False), (True, False)]
    # not rows: calls, subqueries, qualified names keep their text
    for sql in (
        "SELECT f(a, b) = g(a, b), (a, b) = (SELECT 1 AS x, 2 AS y), t.a IS NULL, coalesce(a, b) IN (1, 2) FROM t",
        "SELECT a FROM t WHERE x IS NULL",
    ):
        assert engine_sql(sql) == sql


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT 1 WHERE generate_series(1, 2) > 1", "set-returning functions are not allowed in WHERE"),
        (
            "SELECT CASE WHEN a > 0 THEN unnest([1]) END FROM t",
            "set-returning functions are not allowed in CASE",
        ),
        (
            "SELECT max(generate_series(1, 2))",
            "aggregate function calls cannot contain set-returning function calls",
        ),
        (
            "SELECT a FROM t ORDER BY generate_series(1, 2)",
            "set-returning functions in ORDER BY are not supported",
        ),
        ("SELECT generate_series(1, generate_series(1, 2))", "set-returning functions in the arguments of a"),
    ],
)
def test_misplaced_set_returning_functions_are_refused(sql: str, message: str) -> None:
    (st,) = split(sql)
    assert st.refusal is not None and st.refusal[0] == "0A000"
    assert st.refusal[1].startswith(message)


def test_set_returning_functions_that_stay_are_not_refused(duck: duckdb.DuckDBPyConnection) -> None:
    assert rows(duck, "SELECT a FROM t WHERE a IN (SELECT generate_series(1, 3)) ORDER BY 1") == [(1,)]
    assert rows(duck, "SELECT pg_typeof(generate_series(1, 1))::text") == [("integer",)]
    assert rows(duck, "SELECT count(*) FROM generate_series(1, 10) g WHERE g > 5") == [(5,)]
    assert rows(duck, "SELECT i FROM generate_series(1, 2) AS s(i), LATERAL unnest([i]) u ORDER BY 1") == [
        (1,),
        (2,),
    ]


def test_unnest_of_a_multidimensional_literal_gives_every_element(duck: duckdb.DuckDBPyConnection) -> None:
    assert rows(duck, "SELECT unnest(ARRAY[[1, 2], [3, 4]]) AS u") == [(1,), (2,), (3,), (4,)]
    assert rows(duck, "SELECT * FROM unnest(ARRAY[[[1], [2]], [[3], [4]]]) WITH ORDINALITY AS t(v, n)") == [
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 4),
    ]
    assert (
        engine_sql("SELECT * FROM unnest(ARRAY[1, 2]) AS t(v)") == "SELECT * FROM unnest(ARRAY[1, 2]) AS t(v)"
    )
