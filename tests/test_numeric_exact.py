"""No quiet wrong numbers (issue 12): where DuckDB would round a value, answer Infinity, NaN or 0,
or widen an integer, DuckCDB gives PostgreSQL's answer or PostgreSQL's error (SQLSTATE).

Computed values written into an unconstrained numeric column (engine.pgmath.exact_writes), numeric
literals past 38 digits and casts to numeric (pgcompat.numeric, pgcompat.result_types), float
literals out of range, math domain errors and integer negation (engine.pgmath's macros)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)

OUT_OF_RANGE = psycopg.errors.NumericValueOutOfRange  # 22003


def _same_error(conn, sql: str, sqlstate: str, message: str | None = None) -> None:
    with pytest.raises(psycopg.Error) as e:
        conn.execute(sql)
    assert e.value.sqlstate == sqlstate, (sql, e.value.sqlstate, str(e.value))
    if message is not None:
        assert e.value.diag.message_primary == message
    assert conn.execute("select 1").fetchone() == (1,)  # the session goes on


# ---------------------------------------------------------------- computed values into numeric columns


@pytest.fixture
def numbers(conn, table_name):
    conn.execute(f"create table {table_name}(id int, n numeric, r numeric(10,2), f float8)")
    return table_name


def _column(conn, table: str, column: str = "n") -> list[str]:
    return [str(r[0]) for r in conn.execute(f"select {column} from {table} order by id").fetchall()]


def test_insert_values_of_expressions_are_exact_or_refused(conn, numbers) -> None:
    t = numbers
    conn.execute(f"insert into {t} (id, n) values (1, 1.0 / 4), (2, 0.1::float8), (3, 2.5 * 3)")
    conn.execute(f"insert into {t} values (4, 123456789.123::float8, 1.0 / 3, 1.0 / 3)")
    assert _column(conn, t) == ["0.25", "0.1", "7.5", "123456789.123"]
    # PostgreSQL rounds into numeric(10,2) and float8 columns: so does DuckCDB
    assert _column(conn, t, "r") == ["None", "None", "None", "0.33"]
    # 1.0/3 is 0.33333333333333333333 in PostgreSQL: more than DECIMAL(38,10) keeps
    for value in ("1.0 / 3", "1 / 3::float8", "1e-11::float8", "0.12345678901 + 0", "1.5 - 0.00000000001"):
        with pytest.raises(OUT_OF_RANGE) as e:
            conn.execute(f"insert into {t} (id, n) values (9, {value})")
        assert "refused, not rounded" in str(e.value)
    assert conn.execute(f"select count(*) from {t}").fetchone() == (4,)
    # a positional list shorter than the table's columns, with a computed value
    conn.execute(f"insert into {t} values (5, 2.0 / 8)")
    assert _column(conn, t)[-1] == "0.25"
    with pytest.raises(OUT_OF_RANGE):
        conn.execute(f"insert into {t} values (6, 2.0 / 3)")


def test_update_set_is_exact_or_refused(conn, numbers) -> None:
    t = numbers
    conn.execute(f"insert into {t} (id, n) values (1, 1.5), (2, 1.2345678901)")
    conn.execute(f"update {t} set n = n * 1.1 where id = 1")
    assert _column(conn, t) == ["1.65", "1.2345678901"]
    with pytest.raises(OUT_OF_RANGE):
        conn.execute(f"update {t} set n = n * 1.1")  # 1.35802467911: 11 decimals
    assert _column(conn, t) == ["1.65", "1.2345678901"]  # nothing changed
    conn.execute(f"update {t} set n = f, r = 1.0 / 3 where id = 1")  # NULL float
    conn.execute(f"update {t} set f = 1.0 / 3, n = 2 where id = 2")
    assert _column(conn, t) == ["None", "2"]
    conn.execute(f"update {t} set n = n * 1.5 where id = 1")  # NULL times a decimal is NULL, not 22003
    assert _column(conn, t) == ["None", "2"]
    conn.execute(f"create unique index {t}_id on {t} (id)")
    conn.execute(f"insert into {t} (id, n) values (2, 5) on conflict (id) do update set n = {t}.n * 1.5")
    assert _column(conn, t) == ["None", "3"]
    with pytest.raises(OUT_OF_RANGE):
        conn.execute(
            f"insert into {t} (id, n) values (2, 5) on conflict (id) do update set n = excluded.n / 3"
        )


def test_insert_select_is_exact_or_refused(conn, numbers, table_name) -> None:
    t = numbers
    src = table_name + "_src"
    conn.execute(f"create table {src}(k int, d float8, q numeric)")
    conn.execute(f"insert into {src} values (1, 0.1, 3), (2, 2.5, 6)")
    conn.execute(f"insert into {t} (id, n, f) select k, d * 3, d from {src}")
    assert _column(conn, t) == ["0.3", "7.5"]  # float8_numeric's %.15g: 0.30000000000000004 is 0.3
    with pytest.raises(OUT_OF_RANGE):
        conn.execute(f"insert into {t} (id, n) select k, 1 / q from {src}")
    with pytest.raises(OUT_OF_RANGE):
        conn.execute(f"insert into {t} select k, d / 3 from {src} order by k")
    conn.execute(f"insert into {t} select k + 10, q / 4 from {src} returning id")
    assert _column(conn, t) == ["0.3", "7.5", "0.75", "1.5"]


def test_extended_protocol_with_parameters(conn, numbers) -> None:
    t = numbers
    conn.execute(f"insert into {t} (id, n) values (%s, %s * 2)", (1, Decimal("0.125")), prepare=True)
    conn.execute(f"insert into {t} (id, n) values (%s, %s::float8 * 3)", (2, 0.1), prepare=True)
    with pytest.raises(OUT_OF_RANGE):
        conn.execute(f"insert into {t} (id, n) values (%s, %s::float8 / 3)", (3, 1.0), prepare=True)
    conn.execute(f"update {t} set n = %s::numeric * n where id = %s", (Decimal("2"), 2))
    assert _column(conn, t) == ["0.25", "0.6"]


# ---------------------------------------------------------------- literals and casts


def test_numeric_literals_past_38_digits(conn) -> None:
    cur = conn.execute(
        "select 0.12345678901234567890123456789012345678 as a, 1.00000000000000000000000000000000000000000 as b"
    )
    assert cur.fetchone() == (Decimal("0.12345678901234567890123456789012345678"), Decimal(1))
    assert [d.type_code for d in cur.description] == [1700, 1700]
    _same_error(conn, "select 123456789012345678901234567890.123456789 as a", "22003")
    # 40 digits without a point are DuckDB's BIGNUM, sent as their digits (engine.codec.numeric)
    assert conn.execute("select 1234567890123456789012345678901234567890").fetchone() == (
        1234567890123456789012345678901234567890,
    )


def test_casts_of_float_expressions_to_numeric(conn) -> None:
    row = conn.execute(
        "select (1 / 4::float8)::numeric, cast(0.1::float8 * 3 as numeric), (2.5::float4)::numeric"
    ).fetchone()
    assert [str(v) for v in row] == ["0.25", "0.3", "2.5"]


# (expr)::numeric and CAST(expr AS numeric): every digit PostgreSQL gives (DuckDB's cast went through
# a text rounded to DECIMAL(38,10): 0.3333333333, 0.6666666667)
_CASTS = [
    "(1/3::numeric)::numeric",
    "cast(1/3::numeric as numeric)",
    "(2::float8/3)::numeric",
    "cast(2::float8 / 3 as numeric)",
    "((1/3::numeric)::numeric + 1)::numeric",
    "(0.1::float4)::numeric",
    "(-1.5)::numeric",
    "cast(-0.123456789012 as numeric)",
    "(x / 3)::numeric from (values (1::numeric), (2)) v(x)",
    "round(avg(x)::numeric, 3) from (values (1::float8), (2), (2)) v(x)",
    "avg(x)::numeric from (values (1::float8), (2), (2)) v(x)",
    "sum(x)::numeric from (values (1::int), (2)) v(x)",
    "(12345678901234::int8)::numeric",
    "NULL::numeric",
    "100::numeric::text",  # (DuckDB's text showed DECIMAL(38,10)'s scale: 100.0000000000)
    "(2::float8 / 3)::numeric::text",
    "0::numeric::text, (-0.5)::numeric::text, (1/3::numeric)::numeric::varchar",
]


@pytest.mark.parametrize("expr", _CASTS)
def test_casts_to_numeric_keep_postgresql_digits(conn, pg15, expr: str) -> None:  # noqa: F811
    sql = f"select {expr}"
    with pg15.connect(autocommit=True) as pg:
        want = pg.execute(sql).fetchall()
    assert conn.execute(sql).fetchall() == want
    assert conn.execute(sql).description[0].type_code == (25 if "::text" in expr else 1700)


@pytest.mark.parametrize(
    "sql",
    [
        "select ('0.123456789012'::text)::numeric",  # text into DECIMAL(38,10): 12 decimals
        "select (1e20::float8)::numeric",  # a float's numeric is DECIMAL(38,20): 18 whole digits
        "select ('Infinity'::float8)::numeric",  # PostgreSQL 15's numeric Infinity: DuckDB's decimals have none
        "select (1e-25::float8)::numeric",
    ],
)
def test_casts_to_numeric_that_do_not_fit_are_refused(conn, sql: str) -> None:
    _same_error(conn, sql, "22003")


def test_float_literals_out_of_range(conn) -> None:
    _same_error(conn, "select '1e400'::float8", "22003", '"1e400" is out of range for type double precision')
    _same_error(conn, "select float8 '-1e-400'", "22003")
    _same_error(conn, "select cast('1e40' as real)", "22003", '"1e40" is out of range for type real')
    _same_error(conn, "select '1e-50'::float4", "22003")
    row = conn.execute(
        "select 'Infinity'::float8, '-inf'::float8, '1e300'::float8, '0.0'::real, 'NaN'::float8"
    ).fetchone()
    assert str(row[0]) == "inf" and str(row[1]) == "-inf" and row[2] == 1e300 and row[3] == 0.0


# ---------------------------------------------------------------- math functions and integers


@pytest.mark.parametrize(
    ("sql", "sqlstate", "message"),
    [
        ("select sqrt(-1)", "2201F", "cannot take square root of a negative number"),
        ("select sqrt(-2.5::numeric)", "2201F", "cannot take square root of a negative number"),
        (
            "select (-8) ^ (1.0 / 3)",
            "2201F",
            "a negative number raised to a non-integer power yields a complex result",
        ),
        ("select power(0, -1)", "2201F", "zero raised to a negative power is undefined"),
        ("select ln(0)", "2201E", "cannot take logarithm of zero"),
        ("select ln(-1)", "2201E", "cannot take logarithm of a negative number"),
        ("select log(-1)", "2201E", "cannot take logarithm of a negative number"),
        ("select log(0)", "2201E", "cannot take logarithm of zero"),
        ("select log10(0)", "2201E", "cannot take logarithm of zero"),
        ("select log(2, 0)", "2201E", "cannot take logarithm of zero"),
        ("select 10::float8 ^ 400", "22003", "value out of range: overflow"),
        ("select 1e308::float8 * 10", "22003", "value out of range: overflow"),
        ("select 1e308::float8 + 1e308::float8", "22003", "value out of range: overflow"),
        ("select -1e308::float8 - 1e308::float8", "22003", "value out of range: overflow"),
        ("select 1e308::float8 + 1e308::float8 - 1e308::float8", "22003", "value out of range: overflow"),
        ("select 3e38::float4 + 3e38::float4", "22003", "value out of range: overflow"),
        ("select x + x from (values (1e308::float8)) v(x)", "22003", "value out of range: overflow"),
        ("select exp(1000)", "22003", "value out of range: overflow"),
        ("select 1e-300::float8 * 1e-300", "22003", "value out of range: underflow"),
        ("select 1e308::float8 / 1e-10::float8", "22003", "value out of range: overflow"),
        ("select 1e-300::float8 / 1e300::float8", "22003", "value out of range: underflow"),
        (
            "select sum(x) from (values (1e308::float8), (1e308)) v(x)",
            "22003",
            "value out of range: overflow",
        ),
        (
            "select sum(distinct x) from (values (1e308::float8), (1.5e308)) v(x)",
            "22003",
            "value out of range: overflow",
        ),
        (
            "select x / 0.5::float8 from (values (1e308::float8)) v(x)",
            "22003",
            "value out of range: overflow",
        ),
        ("select 1e38::float4 * 10::float4", "22003", "value out of range: overflow"),
        ("select -(-2147483647 - 1)", "22003", "integer out of range"),
        ("select -(-9223372036854775807 - 1)", "22003", "bigint out of range"),
    ],
)
def test_postgresql_errors_where_duckdb_answers_nan_or_widens(conn, pg15, sql, sqlstate, message) -> None:  # noqa: F811
    with pg15.connect(autocommit=True) as pg, pytest.raises(psycopg.Error) as want:
        pg.execute(sql)
    assert (want.value.sqlstate, want.value.diag.message_primary) == (sqlstate, message)
    _same_error(conn, sql, sqlstate, message)


def test_math_and_integer_values_as_postgresql(conn, pg15) -> None:  # noqa: F811
    sql = (
        "select sqrt(16) as a, ln(1) as b, log(100) as c, log(2, 8) as d, power(2, 10) as e, 2 ^ 3 as f,"
        " -2 ^ 2 as g, 2 * 3 ^ 2 as h, -(5) as i, -(2.5) as j, -2147483648 as k, -(-2147483647) as l,"
        " sqrt(null) as m, (-8) ^ 2 as n, -9223372036854775808 as o"
    )
    with pg15.connect(autocommit=True) as pg:
        want = pg.execute(sql)
        want_types, want_rows = [d.type_code for d in want.description], want.fetchall()
    cur = conn.execute(sql)
    got_types = [d.type_code for d in cur.description]
    got = cur.fetchall()
    assert got == want_rows
    # -2147483648 is int4, -9223372036854775808 int8, -(int) keeps the type (float8 where PostgreSQL
    # answers numeric for log(2, 8): a known difference of numeric math functions)
    assert got_types[8:] == want_types[8:]


# ---------------------------------------------------------------- the rewrites against DuckDB itself


@pytest.fixture(scope="module")
def duck():
    import duckdb

    from engine import pgmath

    c = duckdb.connect(config={"integer_division": True})
    pgmath.register(c)
    cur = c.cursor()
    pgmath.install(cur)
    cur.execute("create table t(i int, s smallint, b bigint, n decimal(38,10), d double, r real)")
    cur.execute("insert into t values (2, 2, 2, 1.5, 1.5, 1.5)")
    return cur


def _engine(sql: str) -> str:
    from pgcompat.rewrite import rewrite
    from pgcompat.tokens import tokenize

    return rewrite(sql, tokenize(sql)).sql


def test_the_engine_defines_what_the_rewrites_call() -> None:
    from engine import pgmath
    from pgcompat import result_types

    names = {
        result_types._TIMES,
        result_types._POWER,
        result_types.NEGATE,
        *result_types._MATH.values(),
    }
    assert {pgmath.NEGATE, pgmath.MUL} <= names
    for name in names:
        assert f"TEMP MACRO {name}(" in pgmath.MACROS


@pytest.mark.parametrize(
    ("expr", "duckdb_type"),
    [
        ("-(i)", "INTEGER"),
        ("-(s)", "SMALLINT"),
        ("-(b)", "BIGINT"),
        ("-(n)", "DECIMAL(38,10)"),
        ("-(d)", "DOUBLE"),
        ("-2147483648", "INTEGER"),
        ("-9223372036854775808", "BIGINT"),
        ("i * 2", "INTEGER"),
        ("s * s", "SMALLINT"),
        ("b * i", "BIGINT"),
        ("n * 2", "DECIMAL(38,10)"),
        ("n * n", "DECIMAL(38,20)"),
        ("d * i", "DOUBLE"),
        ("r * r", "FLOAT"),
        ("interval '1 day' * 2", "INTERVAL"),
        ("sqrt(d)", "DOUBLE"),
        ("d ^ 2", "DOUBLE"),
        ("0.12345678901234567890123456789012345678", "DECIMAL(38,38)"),
    ],
)
def test_duckdb_types_the_rewritten_expression(duck, expr: str, duckdb_type: str) -> None:
    sql = _engine(f"select {expr} as v from t")
    assert "__pg_" in sql or "CAST(" in sql, sql
    assert str(duck.execute(sql).description[0][1]) == duckdb_type, sql


@pytest.mark.parametrize(
    "sql",
    [
        "select * from t",
        "select count(*), t.* from t",
        "select 2 ** 3, i // 2 from t",
        "select i from t where i = -1",
        "create view v as select -(i), sqrt(d), d * 2 from t",  # a view keeps DuckDB's functions
    ],
)
def test_left_as_duckdb_has_it(sql: str) -> None:
    assert "__pg_" not in _engine(sql)


# ---------------------------------------------------------------- untyped parameters beside literals


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("(%s + 1)", "0.12345678901"),  # PostgreSQL: $1 is int4, 22P02 (DuckDB stored 1.1234567890)
        ("%s * 2", "0.12345678901"),  # (DuckDB stored 0)
        ("(%s + 1)", "1.5"),
        ("2 * %s", "1e-12"),
        ("%s - 1", "41"),
        ("%s * 2", "12"),
    ],
)
def test_untyped_parameter_beside_a_literal_takes_its_type(conn, pg15, table_name, expr, value) -> None:  # noqa: F811
    """A str is sent untyped (OID 0): PostgreSQL types $1 by the literal beside it."""
    sql = f"insert into {table_name} (k, n) values (1, {expr})"
    with pg15.connect(autocommit=True) as pg:
        pg.execute(f"create temp table {table_name} (k int, n numeric)")
        try:
            pg.execute(sql, (value,))
            want = ("ok", pg.execute(f"select n from {table_name}").fetchone())
        except psycopg.Error as e:
            want = ("error", e.sqlstate)
    conn.execute(f"create table {table_name} (k int, n numeric)")
    try:
        conn.execute(sql, (value,))
        got = ("ok", conn.execute(f"select n from {table_name}").fetchone())
    except psycopg.Error as e:
        got = ("error", e.sqlstate)
    assert got == want


def test_declared_parameter_types_are_kept(conn, table_name) -> None:
    """A parameter the client types (a Decimal is numeric) is not cast to the literal's type."""
    conn.execute(f"create table {table_name} (k int, n numeric)")
    conn.execute(f"insert into {table_name} values (1, %s * 2)", (Decimal("0.125"),))
    conn.execute(f"insert into {table_name} values (2, %s + 1)", (Decimal("0.5"),))
    rows = conn.execute(f"select n from {table_name} order by k").fetchall()
    assert [str(r[0]) for r in rows] == ["0.25", "1.5"]
    cur = conn.cursor()
    cur.execute("select %s + 1", ("41",))  # ParameterDescription int4, as PostgreSQL's
    assert cur.fetchone() == (42,) and cur.description[0].type_code == 23


# ---------------------------------------------------------------- float overflow beside jsonb's operators

# Statements over f (a float8 near its limit, r a real near its own, i the smallest int4), each
# answered by PostgreSQL with a value or an error. Where an operand could be jsonb (a column's
# - with a string literal or an integer), pgcompat.jsonb dispatches the - by type once the PDB
# has a JSON column: the - of other operands must stay PostgreSQL's (22003, never Infinity).
_OVERFLOWS = [
    "select a - '-1e308' from f",
    "select a + '1e308' from f",
    "select 1e308::float8 - '-1e308'",
    "select r - '-3e38' from f",
    "select a - b from f",
    "select (a - 0) + a from f",
    "select abs(a - 0) + a from f",
    "select 'x' || (a + a) from f",
    "select a - 1 + a from f",
    "select f.a - '-1e308' from f where i < 0",
    "select a - '1', a - 1, a - -1, f.a - 0, i + 2, n - 1, n - 2.5 from f",
    "select i - 1 from f",
    "update f set a = a - '-1e308' returning a",
    "update f set a = a - 1 returning a",
]
# with parameters (psycopg sends a float as float8, an int as int2/int4/int8 by its size)
_OVERFLOWS_WITH_PARAMETERS = [
    ("select a - %s from f", [-1e308]),
    ("select %s + a from f", [1e308]),
    ("select a * %s from f", [10.0]),
    ("select a - %s - b from f", [1.0]),
    ("select a + %s + b from f", [1e308]),
    ("update f set a = a + %s returning a", [1e308]),
    ("select a - %s, %s + i, i * %s, n + %s from f", [1.5, 1, 2.5, 1]),
]


def _answers(con: psycopg.Connection, prepare: bool) -> list[tuple]:
    out = []
    for sql, params in [*((s, None) for s in _OVERFLOWS), *_OVERFLOWS_WITH_PARAMETERS]:
        try:
            out.append(("ok", sql, con.execute(sql, params, prepare=prepare).fetchall()))
        except psycopg.Error as e:
            # (DuckDB words an integer overflow its own way: the SQLSTATE is the answer there)
            message = e.diag.message_primary if "value out of range" in str(e.diag.message_primary) else None
            out.append(("error", sql, e.sqlstate, message))
    return out


def test_float_overflow_with_a_json_column_in_the_pdb(server, pg15) -> None:  # noqa: F811
    """A PDB's first json/jsonb column turns on jsonb's dispatch of - (pgcompat.jsonb): a float
    difference that overflows is still PostgreSQL's 22003, before and after, in both protocols,
    with a literal or a parameter on the other side."""
    name = "FJ" + uuid.uuid4().hex[:8].upper()
    db = "fj_" + uuid.uuid4().hex[:8]
    setup = [
        "create table f (a float8, b float8, r real, i int4, n numeric(10, 2))",
        "insert into f values (1e308, -1e308, 3e38, -2147483648, 1.50)",
    ]
    with server.connect(autocommit=True) as root:
        root.execute(
            f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"'
        )
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    with pg15.connect(autocommit=True) as pg:
        pg.execute(f"create database {db}")
    try:
        with (
            server.connect(name, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as ours,
            pg15.connect(db, autocommit=True) as theirs,
        ):
            for c in (ours, theirs):
                for sql in setup:
                    c.execute(sql)
            want = _answers(theirs, False)
            assert ("error", "select a - '-1e308' from f", "22003", "value out of range: overflow") in want
            for prepare in (False, True):
                assert _answers(ours, prepare) == want
            ours.execute("create table j (d jsonb)")
            for prepare in (False, True):
                assert _answers(ours, prepare) == want
            # jsonb's - itself, beside them
            ours.execute("""insert into j values ('{"k": 1, "m": 2}')""")
            assert ours.execute("select d - 'k', d - 'm' from j").fetchone() == ({"m": 2}, {"k": 1})
            assert ours.execute("select d - %s from j", ["k"]).fetchone() == ({"m": 2},)
    finally:
        with server.connect(autocommit=True) as root:
            root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE")
            root.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")
        with pg15.connect(autocommit=True) as pg:
            pg.execute(f"drop database {db}")
