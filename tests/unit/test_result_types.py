"""PostgreSQL's result types of sum, avg, division, extract and date_part (pgcompat.result_types
with engine.pgmath's macros), against a real DuckDB: the type DuckDB's binder gives each rewritten
expression, and what is left alone."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from engine import jsonb, pgmath
from pgcompat import result_types
from pgcompat.rewrite import rewrite
from pgcompat.tokens import tokenize


def _engine_sql(sql: str) -> str:
    return rewrite(sql, tokenize(sql)).sql


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect(config={"integer_division": True})
    pgmath.register(c)
    jsonb.register(c)  # what the engine gives every connection: a column's - 1 goes through its macros
    cur = c.cursor()
    pgmath.install(cur)
    cur.execute(jsonb.MACROS)
    cur.execute(
        "create table t(i int, s smallint, b bigint, n decimal(38,10), m decimal(10,2), d double, r real,"
        " ts timestamp, iv interval)"
    )
    cur.execute(
        "insert into t values (1, 1, 10, 1.5, 2.25, 1.5, 1, '2024-01-01 00:00:01.5', interval '1.5 seconds'),"
        " (2, 2, 20, 2, 3.5, 2, 2, '2024-01-01', interval '1 day')"
    )
    return cur


def test_the_engine_defines_what_the_rewrite_calls() -> None:
    assert set(result_types._MACROS.values()) == {
        pgmath.SUM,
        pgmath.SUM_DISTINCT,
        pgmath.AVG,
        pgmath.AVG_DISTINCT,
    }
    assert result_types._WINDOW_SUM == pgmath.WINDOW_SUM
    assert result_types._DIV == pgmath.DIV
    assert result_types._ROUND == pgmath.ROUND
    for name in (*result_types._MACROS.values(), result_types._DIV, result_types._ROUND):
        assert f"TEMP MACRO {name}(" in pgmath.MACROS


@pytest.mark.parametrize(
    ("expr", "duckdb_type"),
    [
        ("sum(i)", "BIGINT"),
        ("sum(s)", "BIGINT"),
        ("sum(b)", "DECIMAL(38,0)"),
        ("sum(n)", "DECIMAL(38,10)"),
        ("sum(d)", "DOUBLE"),
        ("sum(distinct i)", "BIGINT"),
        ("sum(i) filter (where i > 1)", "BIGINT"),
        ("avg(i)", "DECIMAL(38,20)"),
        ("avg(b)", "DECIMAL(38,20)"),
        ("avg(n)", "DECIMAL(38,20)"),
        ("avg(m)", "DECIMAL(38,20)"),
        ("avg(d)", "DOUBLE"),
        ("avg(r)", "DOUBLE"),
        ("avg(i / 2.0)", "DECIMAL(38,20)"),
        ("i / 2", "INTEGER"),
        ("b / i", "BIGINT"),
        ("s / s", "SMALLINT"),
        ("n / 3", "DECIMAL(38,20)"),
        ("i / 2.0", "DECIMAL(38,20)"),
        ("m / i", "DECIMAL(38,20)"),
        ("d / 2", "DOUBLE"),
        ("n / d", "DOUBLE"),
        ("n * n / n", "DECIMAL(38,20)"),
        ("(n / 3) / 3", "DECIMAL(38,20)"),
        ("extract(second from ts)", "DECIMAL(38,6)"),
        ("extract(year from ts)", "DECIMAL(38,0)"),
        ("date_part('second', ts)", "DOUBLE"),
        ("extract(epoch from iv) / 60", "DECIMAL(38,20)"),
        ("round(d)", "DOUBLE"),
        ("round(r)", "DOUBLE"),
        ("round(i)", "DOUBLE"),
        ("round(n)", "DECIMAL(38,0)"),
        ("round(n, 1)", "DECIMAL(38,1)"),
        ("round(n / 3)", "DECIMAL(38,0)"),
        ("i + 1", "INTEGER"),
        ("s - s", "SMALLINT"),
        ("b + i", "BIGINT"),
        ("n + m", "DECIMAL(38,10)"),
        ("d - 1", "DOUBLE"),
        ("r + r", "FLOAT"),
        ("ts - iv", "TIMESTAMP"),
        ("ts - ts", "INTERVAL"),
        ("i + n * 2 - d", "DOUBLE"),
        ("(n / 3)::numeric", "DECIMAL(38,20)"),
        ("cast(m as numeric)", "DECIMAL(38,10)"),
        ("(d / 3)::numeric", "DECIMAL(38,20)"),
        ("(i + 1)::numeric", "DECIMAL(38,10)"),
        ("avg(d)::numeric", "DECIMAL(38,20)"),
    ],
)
def test_duckdb_types_the_rewritten_expression_as_postgresql(con, expr: str, duckdb_type: str) -> None:
    sql = _engine_sql(f"select {expr} as v from t")
    assert str(con.execute(sql).description[0][1]) == duckdb_type, sql


@pytest.mark.parametrize(
    "sql",
    [
        "select i from t where i = 1",  # the point query: no look past its tokens
        "select i // 2, 2 ** 3 from t",
        "select avg(i) / 2 from t",  # an aggregate in an operand is not typed there
        "select sum(i) / count(*) from t",
        "create view v as select sum(i), avg(i), i / 2 from t",  # DDL keeps DuckDB's functions
        "select avg(count(*)) over () from t",  # an aggregate picks no overload
        "select sum(i order by i) from t",
    ],
)
def test_left_as_duckdb_has_it(sql: str) -> None:
    out = _engine_sql(sql)
    assert "__pg_div" not in out
    if sql.startswith(("select i", "create")) or "over" in sql or "order by" in sql:
        assert "__pg_" not in out


def test_window_avg_of_integers_is_exact(con) -> None:
    """avg(x) OVER (...) of integers and numerics is PostgreSQL's exact numeric quotient; of
    floats DuckDB's avg, a double."""
    sql = (
        "select avg(v) over (order by v), avg(v::double) over () from (values (1), (3), (4)) t(v) order by v"
    )
    assert con.execute(_engine_sql(sql)).fetchall() == [
        (Decimal(1), 8 / 3),
        (Decimal(2), 8 / 3),
        (Decimal("2.66666666666666670000"), 8 / 3),
    ]


def test_division_values_are_exact_and_integer_division_stays(con) -> None:
    row = con.execute(_engine_sql("select 1::numeric / 3, 7 / 2, 10::numeric / 4, -7.5 / 2")).fetchone()
    assert [str(v) for v in row] == [
        "0.33333333333333333333",
        "3",
        "2.50000000000000000000",
        "-3.75000000000000000000",
    ]
    with pytest.raises(duckdb.Error, match="refused, not rounded"):
        con.execute(_engine_sql("select 0.0001::numeric / 3")).fetchone()
    with pytest.raises(duckdb.Error, match="division by zero"):
        con.execute(_engine_sql("select 1.5::numeric / 0")).fetchone()


def test_float_sums_that_overflow_are_refused(con) -> None:
    # PostgreSQL's float8pl/float8mi: 22003 "value out of range: overflow", where DuckDB gives inf
    for sql in ("select d + 1e308 + 1e308 from t", "select -1e308::float8 - d * 1e308 from t"):
        with pytest.raises(duckdb.Error, match="value out of range: overflow"):
            con.execute(_engine_sql(sql)).fetchall()
    # an untyped literal takes the float's type, and a parameter the other operand's
    big = "(select 1e308::float8 as d) big"
    for sql, params in (
        ("select d - '-1e308' from " + big, []),
        ("select '1e308' + d from " + big, []),
        ("select (d - 0) + d from " + big, []),
        ("select d - $1 from " + big, [-1e308]),
        ("select $1 * d from " + big, [10.0]),
        ("select d / 1e-10 from " + big, []),
    ):
        with pytest.raises(duckdb.Error, match="value out of range: overflow"):
            con.execute(_engine_sql(sql), params).fetchall()
    assert con.execute(_engine_sql("select d - '1', d - $1 from " + big), [1.5]).fetchone() == (1e308, 1e308)
    # a float sum that overflows (float8pl's check in sum's transition), also in a window (checked
    # outside the window macro, from the window's max and min); other sums as they were
    with pytest.raises(duckdb.Error, match="value out of range: overflow"):
        con.execute(_engine_sql("select sum(x) from (values (1e308::float8), (1e308)) v(x)")).fetchall()
    values = "(values (1.5::float8, 1.5, 1, 1::real), ('Infinity', 2, 2, 2)) v(x, n, i, r)"
    assert con.execute(_engine_sql(f"select sum(x), sum(n), sum(i), sum(r) from {values}")).fetchall() == [
        (float("inf"), Decimal("3.5"), 3, 3.0)
    ]
    assert (
        con.execute(_engine_sql(f"select sum(x) over (), sum(i) over () from {values}")).fetchall()
        == [(float("inf"), 3)] * 2
    )
    big = "(values (1e308::float8), (1e308)) v(x)"
    for over in ("()", "(order by x)", "(partition by x > 0 rows between 1 preceding and current row)"):
        with pytest.raises(duckdb.Error, match="value out of range: overflow"):
            con.execute(_engine_sql(f"select sum(x) over {over} from {big}")).fetchall()
    assert (
        con.execute(_engine_sql(f"select sum(x) over (rows current row) from {big}")).fetchall()
        == [(1e308,)] * 2
    )
    with pytest.raises(duckdb.Error, match="value out of range: underflow"):  # (float8div's check)
        con.execute(_engine_sql("select 1e-300::float8 / 1e300::float8")).fetchall()
    assert con.execute(
        _engine_sql("select d / 2, 'Infinity'::float8 / d, d / 'Infinity'::float8 from t")
    ).fetchone() == (
        0.75,
        float("inf"),
        0.0,
    )
    assert con.execute(_engine_sql("select 'Infinity'::float8 + d, 1 - 2 - 3 from t")).fetchone() == (
        float("inf"),
        -4,
    )


def test_additions_respect_precedence() -> None:
    assert _engine_sql("select a - b - c from t") == (
        "select __pg_sub(__pg_sub(a, b, a, b), c, __pg_sub(a, b, a, b), c) from t"
    )
    # (a % b binds tighter: left as DuckDB's +)
    assert _engine_sql("select a + b % c, x // 7 + 1 from t") == "select a + b % c, x // 7 + 1 from t"
    assert _engine_sql("select a + b * c from t") == (
        "select __pg_add(a, __pg_mul(b, c, b, c), a, __pg_mul(b, c, b, c)) from t"
    )
    # a parameter alone takes the other operand's type (PostgreSQL's) unless the client declares
    # one (pgwire.types.declared_params): its pick is __pg_ptype($n, other); a signed one is
    # DuckDB's own
    assert _engine_sql("select a + $1, $2 - b, c * $3 from t") == (
        "select __pg_add(a, __pg_ptype($1, a), a, $1), __pg_sub(__pg_ptype($2, b), b, $2, b),"
        " __pg_mul(c, __pg_ptype($3, c), c, $3) from t"
    )
    assert _engine_sql("select a + $1 + b from t") == (
        "select __pg_add(__pg_add(a, __pg_ptype($1, a), a, $1), b, __pg_add(a, __pg_ptype($1, a), a, $1), b) from t"
    )
    assert _engine_sql("select $1 + $2 from t") == (
        "select __pg_add(__pg_ptype($1, $1), __pg_ptype($2, $2), __pg_ptype($1, $1), __pg_ptype($2, $2)) from t"
    )
    # past two passes, the rest of a chain is DuckDB's own, checked whole (DuckDB binds a nested
    # call's left operand three times a level)
    assert _engine_sql("select a + b + c - d from t") == (
        "select __pg_chain(__pg_add(__pg_add(a, b, a, b), c, __pg_add(a, b, a, b), c) - d,"
        " [TRY_CAST((__pg_add(__pg_add(a, b, a, b), c, __pg_add(a, b, a, b), c)) AS DOUBLE),"
        " -TRY_CAST((d) AS DOUBLE)]) from t"
    )
    # products likewise (__pg_mchain); a division after them is __pg_div of the chain
    assert _engine_sql("select a * b * c * d / e from t") == (
        "select __pg_div(__pg_mchain(__pg_mul(__pg_mul(a, b, a, b), c, __pg_mul(a, b, a, b), c) * d,"
        " [TRY_CAST((__pg_mul(__pg_mul(a, b, a, b), c, __pg_mul(a, b, a, b), c)) AS DOUBLE), TRY_CAST((d) AS DOUBLE)]),"
        " e, __pg_mchain(__pg_mul(__pg_mul(a, b, a, b), c, __pg_mul(a, b, a, b), c) * d,"
        " [TRY_CAST((__pg_mul(__pg_mul(a, b, a, b), c, __pg_mul(a, b, a, b), c)) AS DOUBLE), TRY_CAST((d) AS DOUBLE)]),"
        " e) from t"
    )
    long = " + ".join(f"c{i}" for i in range(40))
    shaped = _engine_sql(f"select {long} from t")
    assert shaped.count("__pg_chain(") == 1 and shaped.count("__pg_add(") == 6  # (3 calls, twice)
    shaped = _engine_sql("select " + " * ".join(f"c{i}" for i in range(40)) + " from t")
    assert shaped.count("__pg_mchain(") == 1 and shaped.count("__pg_mul(") == 6
    # a parameter cast is typed by its cast
    assert _engine_sql("select $1::int * 2") == "select __pg_mul($1::int, 2, $1::int, 2)"
    assert _engine_sql("select -$1 + a from t") == "select -$1 + a from t"
    assert _engine_sql("select a / $1 from t") == "select __pg_div(a, __pg_ptype($1, a), a, $1) from t"
    # an inner sum waits for the next pass: the outer one is checked too
    assert _engine_sql("select (a - b) + c from t") == (
        "select __pg_add((__pg_sub(a, b, a, b)), c, (__pg_sub(a, b, a, b)), c) from t"
    )
    for sql in ("MOVE -2 FROM c", "FETCH ABSOLUTE -1 FROM c", "FETCH RELATIVE -2 FROM c"):
        assert _engine_sql(sql) == sql  # a sign, not a subtraction


def test_operands_are_copied_once_each_pass_is_done() -> None:
    out = _engine_sql("select a / b / c, avg(x / 2.0) from t")
    assert out == (
        "select __pg_div(__pg_div(a, b, a, b), c, __pg_div(a, b, a, b), c),"
        " __pg_avg(__pg_div(x, 2.0, x, 2.0), __pg_div(x, 2.0, x, 2.0)) from t"
    )


def test_declared_parameter_types_pick_the_overload() -> None:
    """pgwire.types.declared_params: a parameter the client declares a number type is cast to it,
    in the literal-implied cast (int2 keeps the literal's: int2 + int4 is int4; real beside a
    literal is float8) and in the pick of a lone parameter; undeclared ones are left as written."""
    from pgwire import types as t

    lit = "CAST(( $1 ) AS INTEGER) + 1"
    assert t.declared_params(lit, [t.FLOAT8]) == "CAST(( $1 ) AS DOUBLE) + 1"
    assert t.declared_params(lit, [t.FLOAT4]) == "CAST(( $1 ) AS DOUBLE) + 1"
    assert t.declared_params(lit, [t.INT2]) == lit
    assert t.declared_params(lit, [t.NUMERIC]) == "CAST(( $1 ) AS DECIMAL(38,10)) + 1"
    assert t.declared_params(lit, [t.TEXT]) == "$1 + 1"
    assert t.declared_params(lit, [0]) == lit
    pick = _engine_sql("select $1 + $2")
    assert t.declared_params(pick, [t.FLOAT8, t.INT4]) == (
        "select __pg_add(__pg_ptyped(CAST($1 AS DOUBLE), $1), __pg_ptyped(CAST($2 AS INTEGER), $2),"
        " __pg_ptyped(CAST($1 AS DOUBLE), $1), __pg_ptyped(CAST($2 AS INTEGER), $2))"
    )
    assert t.declared_params(pick, [0, t.TEXT]) == pick
    assert t.declared_params("select 1", [t.FLOAT8]) == "select 1"
