"""PostgreSQL functions translated for DuckDB (pgcompat.functions, pgcompat.to_char): the
translated statements run on a real DuckDB and give what PostgreSQL 15 gives (the expected values
were read from a PostgreSQL 15 server)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from engine import jsonb, pgmath
from engine.session import _PG_MACROS
from pgcompat import analysis
from pgcompat.functions import ident_parts, translate
from pgcompat.statements import split
from pgcompat.tokens import tokenize
from policies import sandbox


@pytest.fixture(scope="module")
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    jsonb.register(con)  # what the engine gives every connection (the rewrites call its macros)
    pgmath.register(con)
    con.execute(_PG_MACROS)
    yield con
    con.close()


def run(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    """The rows of a client statement as DuckCDB runs it (every rewrite applied)."""
    (st,) = split(sql)
    return con.execute(st.engine_sql).fetchall()


def one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return run(con, sql)[0][0]


# (value, format, PostgreSQL's to_char)
NUMBERS = [
    ("1234.5", "9,999.99", " 1,234.50"),
    ("-1234.5", "9,999.99", "-1,234.50"),
    ("0.5", "9.99", "  .50"),
    ("0", "999", "   0"),
    ("0", "FM9.99", "0."),
    ("12", "FM99.99", "12."),
    ("12.5", "FM99.00", "12.50"),
    ("-5", "S999", "  -5"),
    ("5", "999S", "  5+"),
    ("-5", "999MI", "  5-"),
    ("-5", "999PR", "  <5>"),
    ("5", "FM999PR", "5"),
    ("1234567", "FM999G999G999", "1,234,567"),
    ("12345", "999", " ###"),
    ("-12345", "999.9", "-###.#"),
    ("2.5", "9", " 3"),
    ("-0.004", "9.99", "  .00"),
    ("5", "0999", " 0005"),
    ("1", "FM9th", "1st"),
    ("13", "99TH", " 13TH"),
    ("123.4", "FM999999999.000", "123.400"),
    ("1234.5", "99G999D99", "  1,234.50"),
    ("42", '"n="FM999', "n=42"),
]


@pytest.mark.parametrize(("value", "fmt", "expected"), NUMBERS)
def test_to_char_numbers(duck: duckdb.DuckDBPyConnection, value: str, fmt: str, expected: str) -> None:
    assert one(duck, f"SELECT to_char({value}::numeric, '{fmt}')") == expected


def test_to_char_number_types(duck: duckdb.DuckDBPyConnection) -> None:
    assert one(duck, "SELECT to_char(7::int, '999')") == "   7"
    assert one(duck, "SELECT to_char(-7::bigint, 'FM999')") == "-7"
    # float8 rounds half to even, as PostgreSQL's float formatting does
    assert one(duck, "SELECT to_char(2.5::float8, '9')") == " 2"
    assert one(duck, "SELECT to_char(NULL::numeric, '999')") is None


TIMESTAMP = "TIMESTAMP '2024-03-05 07:08:09.123456'"
# (format, PostgreSQL's to_char of TIMESTAMP)
DATES = [
    ("YYYY-MM-DD HH24:MI:SS", "2024-03-05 07:08:09"),
    ('YYYY-MM-DD"T"HH24:MI:SS.MS', "2024-03-05T07:08:09.123"),
    ("Dy, DD Mon YYYY", "Tue, 05 Mar 2024"),
    ("FMMonth FMDD, YYYY", "March 5, 2024"),
    ("Day Month", "Tuesday   March    "),
    ("HH12:MI AM", "07:08 AM"),
    ("hh:mi pm", "07:08 am"),
    ("IYYY-IW ID", "2024-10 2"),
    ("DDD J Q CC WW W D", "065 2460375 1 21 10 1 3"),
    ("DDth FMDDth MMTH", "05th 5th 03RD"),
    ("US FF3", "123456 123"),
    ("RM", "III "),
    ("SSSS", "25689"),
    ("Y,YYY", "2,024"),
    ('"100%" YYYY', "100% 2024"),
    ("yyyy-mm-dd", "2024-03-05"),
]


@pytest.mark.parametrize(("fmt", "expected"), DATES)
def test_to_char_dates(duck: duckdb.DuckDBPyConnection, fmt: str, expected: str) -> None:
    assert one(duck, f"SELECT to_char({TIMESTAMP}, '{fmt}')") == expected


def test_to_char_timestamptz_and_date(duck: duckdb.DuckDBPyConnection) -> None:
    sql = "SELECT pg_catalog.to_char(TIMESTAMPTZ '2024-03-05 07:08:09+00', 'YYYY-MM-DD HH24:MI:SS TZ OF')"
    assert one(duck, sql) == "2024-03-05 07:08:09 UTC +00"
    assert one(duck, "SELECT to_char(DATE '2024-02-29', 'FMMM/FMDD/YYYY')") == "2/29/2024"
    assert one(duck, "SELECT to_char(NULL::timestamp, 'YYYY')") is None


def test_to_char_keeps_postgres_column_name() -> None:
    (st,) = split("SELECT to_char(now(), 'YYYY'), substring('ab' FROM 'b'), format('%s', 1)")
    assert analysis.result_names(st) == ["to_char", "substring", "format"]


FORMATS = [
    ("format('%s-%s', 'a', 'b')", "a-b"),
    ("format('%I.%I', 'public', 'My Table')", 'public."My Table"'),
    ("format('%I', 'select')", '"select"'),
    ("format('%I', 'abc')", "abc"),
    ("format('%L', 'O''Reilly')", "'O''Reilly'"),
    ("format('%L', NULL)", "NULL"),
    ("format('[%s]', NULL)", "[]"),
    ("format('%2$s %1$s %s', 'a', 'b', 'c')", "b a b"),
    ("format('|%5s|%-5s|', 'ab', 'cd')", "|   ab|cd   |"),
    ("format('100%% %s', 'x')", "100% x"),
    ("format('%s', 42)", "42"),
]


@pytest.mark.parametrize(("call", "expected"), FORMATS)
def test_format(duck: duckdb.DuckDBPyConnection, call: str, expected: str) -> None:
    assert one(duck, f"SELECT {call}") == expected


def test_format_errors_as_postgres(duck: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.Error, match="too few arguments for format"):
        run(duck, "SELECT format('%s %s', 'a')")
    with pytest.raises(duckdb.Error, match="cannot be formatted as an SQL identifier"):
        run(duck, "SELECT format('%I', NULL)")


def test_duckdb_style_format_is_left_alone(duck: duckdb.DuckDBPyConnection) -> None:
    (st,) = split("SELECT format('{} and {}', 1, 2)")
    assert st.engine_sql == st.text
    assert one(duck, "SELECT format('{} and {}', 1, 2)") == "1 and 2"


def test_parse_ident(duck: duckdb.DuckDBPyConnection) -> None:
    assert one(duck, """SELECT parse_ident('a."B c"')""") == ["a", "B c"]
    assert one(duck, """SELECT parse_ident('  Foo . "Bar""x"  ')""") == ["foo", 'Bar"x']
    assert one(duck, "SELECT (parse_ident('bi_orders'))[1]") == "bi_orders"
    assert one(duck, "SELECT parse_ident('a.b junk', false)") == ["a", "b"]
    assert one(duck, """SELECT parse_ident(x) FROM (SELECT 'Sch."My T"' AS x)""") == ["sch", "My T"]
    with pytest.raises(duckdb.Error, match="not a valid identifier"):
        run(duck, "SELECT parse_ident('a.')")


def test_ident_parts_as_postgres() -> None:
    assert ident_parts('a."B c"') == ["a", "B c"]
    assert ident_parts("a.b junk", strict=False) == ["a", "b"]
    for bad in ("a.", '""', "", "a b", ".a", '"a'):
        assert isinstance(ident_parts(bad), str), bad


SUBSTRINGS = [
    ("substring('fillfactor=70,x=1' FROM 'fillfactor=([0-9]*)')", "70"),
    ("substring('abc123' FROM '[0-9]+')", "123"),
    ("substring('abc' FROM 'z')", None),
    ("substring('abc', 'b(c)')", "c"),
    ("substring('autovacuum_enabled=true' FROM 'autovacuum_enabled=([a-z|0-9]*)')::bool", True),
    ("substring('abc' FROM 'a(?:b)(c)')", "c"),
    ("substring('abc' FROM 2)", "bc"),
    ("substring('abcdef' FROM 2 FOR 3)", "bcd"),
    ("substring('abcdef', 2, 3)", "bcd"),
]


@pytest.mark.parametrize(("call", "expected"), SUBSTRINGS)
def test_substring(duck: duckdb.DuckDBPyConnection, call: str, expected: object) -> None:
    assert one(duck, f"SELECT {call}") == expected


def test_scalar_function_in_from(duck: duckdb.DuckDBPyConnection) -> None:
    sql = "SELECT s[i], i FROM generate_series(1, 2) AS i, string_to_array('x,y', ',') s ORDER BY i"
    assert run(duck, sql) == [("x", 1), ("y", 2)]
    assert run(duck, "SELECT u FROM upper('abc') u") == [("ABC",)]
    assert run(duck, "SELECT * FROM upper('abc')") == [("ABC",)]
    assert duck.execute(split("SELECT * FROM upper('abc')")[0].engine_sql).description[0][0] == "upper"
    assert run(duck, "SELECT c FROM lower('X') AS l(c)") == [("x",)]
    lateral = "SELECT t.a, p FROM (VALUES ('a,b')) t(a) JOIN string_to_array(t.a, ',') p ON true"
    assert run(duck, lateral) == [("a,b", ["a", "b"])]


def test_table_functions_and_non_from_calls_stay() -> None:
    for sql in (
        "SELECT * FROM range(3) r",
        "SELECT * FROM generate_series(1, 3) g",
        "SELECT extract(epoch FROM now()), a IS DISTINCT FROM lower(b), lower(c) u FROM t",
        "SELECT substring(x, 1, 2), /* a comment */ substring(x FROM 1 FOR 2) FROM t",
        "SELECT to_char(x, fmt) FROM t",
        "CREATE MACRO to_char(a, b) AS a",
        "SELECT $$to_char(x, 'YYYY')$$, 'format(''%s'', 1)'",
    ):
        toks = tokenize(sql)
        assert toks is not None
        assert translate(sql, toks) == sql, sql


def test_the_sandbox_judges_the_translated_statement() -> None:
    refused = [
        "SELECT to_char(x, 'YYYY') FROM read_csv('/etc/passwd')",
        "SELECT s FROM string_to_array(getenv('HOME'), '/') s",
        "SELECT format('%s', current_setting('memory_limit'))",
        "SELECT substring(getenv('HOME') FROM 'r(o)')",
    ]
    for sql in refused:
        (st,) = split(sql)
        assert sandbox.check(analysis.analyze(st)) is not None, sql
    (st,) = split("SELECT to_char(now(), 'FM999') AS n, s FROM string_to_array('a', ',') s")
    a = analysis.analyze(st)
    assert a.parse_error is None
    assert sandbox.check(a) is None


def test_every_translation_parses_for_the_analysis() -> None:
    """What the sandbox judges is the translated text: it must parse (a statement that does not
    is refused as unanalysable)."""
    statements = (
        [f"SELECT to_char({v}::numeric, '{f}')" for v, f, _ in NUMBERS]
        + [f"SELECT to_char({TIMESTAMP}, '{f}')" for f, _ in DATES]
        + [f"SELECT {call}" for call, _ in FORMATS + SUBSTRINGS]
        + ["SELECT parse_ident(x), parse_ident('a.b') FROM t", "SELECT * FROM upper('x') u, now()"]
    )
    for sql in statements:
        (st,) = split(sql)
        assert analysis.analyze(st).parse_error is None, sql
