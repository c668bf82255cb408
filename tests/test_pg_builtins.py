"""PostgreSQL's functions, operators, input forms and refusals that DuckDB lacks (issue 12:
pgcompat.pg_builtins, pg_operators, pg_inputs, pg_refusals, engine.pgmath's macros): each
statement answers on DuckCDB as on the real PostgreSQL 15 beside it (column names, type OIDs,
every value's text as sent, or the SQLSTATE), through psycopg on real sockets. The cases go past
tests/differential's corpus: NULLs, signs, boundaries, errors."""

from __future__ import annotations

import psycopg
import pytest

from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)

VALUES = "(VALUES (1, 'a', 2.5, true), (2, NULL, -1.25, false), (3, 'c', NULL, NULL)) t(n, s, x, b)"

FUNCTIONS = [
    f"SELECT every(b) AS a, every(n > 0) AS b, every(b) FILTER (WHERE n = 1) AS c FROM {VALUES}",
    "SELECT initcap('ÉCOLE élève 3rd-place') AS a, initcap('') AS b, initcap(NULL) AS c",
    "SELECT btrim('  x  ') AS a, btrim('xxaxx', 'x') AS b, btrim(NULL) AS c",
    "SELECT quote_nullable('it''s') AS a, quote_nullable(NULL::text) AS b, quote_nullable(2.50) AS c",
    r"SELECT regexp_match('ABC', 'b', 'i') AS a, regexp_match('x12y34', '(\d)(\d)') AS b, regexp_match(NULL, 'a') AS c",
    "SELECT regexp_count('aaa', 'a') AS a, regexp_count('', 'a') AS b, regexp_like('Hello', 'h') AS c",
    r"SELECT regexp_substr('no digits', '\d+') AS a, regexp_replace('abc', '(b)', '<\&\1>') AS b",
    "SELECT div(-7, 2) AS a, div(7.5, -2) AS b, div(123456789012345678901234, 7) AS c",
    "SELECT div(1, 0) AS a",
    "SELECT scale(0.00) AS a, scale(12) AS b, trim_scale(10.500) AS c, trim_scale(0.000) AS d",
    "SELECT width_bucket(0, 0, 10, 5) AS a, width_bucket(10, 0, 10, 5) AS b, width_bucket(-1, 0, 10, 5) AS c,"
    " width_bucket(5, 10, 0, 5) AS d, width_bucket(2.0, 0, 10, 5) AS e, width_bucket(3.3::float8, 0, 10, 3) AS f",
    "SELECT width_bucket(5, 0, 10, 0) AS a",
    "SELECT width_bucket(5, 3, 3, 2) AS a",
    "SELECT justify_hours(INTERVAL '-27 hours') AS a, justify_days(INTERVAL '-35 days') AS b,"
    " justify_days(INTERVAL '1 mon -5 days') AS c, justify_hours(NULL) AS d",
    "SELECT make_interval(1, 2) AS a, make_interval(secs => 1.5) AS b, make_interval(weeks => 1, mins => -3) AS c",
    "SELECT to_date('2024-03-05', 'YYYY-MM-DD') AS a, to_date('March 7 2023', 'Month DD YYYY') AS b",
    "SELECT to_timestamp('05/03/2024 07:08:09', 'DD/MM/YYYY HH24:MI:SS') AS a",
    "SELECT date_bin('15 minutes', TIMESTAMP '1999-12-31 23:37', TIMESTAMP '2000-01-01') AS a,"
    " date_bin('1 day', TIMESTAMP '2024-03-05 10:00', TIMESTAMP '2024-01-01 06:00') AS b",
    """SELECT json_typeof('{"a":1}') AS a, json_typeof('[1]') AS b, json_typeof('true') AS c,"""
    """ json_typeof('null') AS d, json_typeof('-1e3') AS e, json_typeof(NULL) AS f""",
    """SELECT json_object_keys('{"z": 1, "a": {"q": 2}}') AS k""",
    """SELECT json_extract_path_text('{"a": {"b": null, "c": [1, 2]}}', 'a', 'b') AS a,"""
    """ json_extract_path_text('{"a": {"b": "x y"}}', 'a', 'b') AS b""",
    f"SELECT json_agg(s ORDER BY n DESC) AS a, json_agg(n) FILTER (WHERE n > 5) AS b FROM {VALUES}",
    "SELECT array_ndims(ARRAY[1]) AS a, array_dims(ARRAY[]::int[]) AS b, array_dims(ARRAY[[1, 2, 3]]) AS c",
    "SELECT array_replace(ARRAY[1, NULL, 3], NULL, 0) AS a, array_replace(ARRAY['x'], 'y', 'z') AS b",
    "SELECT string_to_table('a,,b', ',', '') AS s",
    "SELECT string_to_array('1|*|3', '|', '*') AS a, array_to_string(ARRAY[true, NULL], ',', 'null') AS b",
    "SELECT lpad('hello', 2) AS a, rpad('', 2) AS b, lpad(NULL, 2) AS c",
    "SELECT encode(convert_to(repeat('ab', 30), 'UTF8'), 'base64') AS a, encode('\\x00ff'::bytea, 'hex') AS b",
    "SELECT length(NULL::bytea) AS a, length('abc'::text) AS b, char_length('日本') AS c, length('\\x00'::bytea) AS d",
    "SELECT get_byte('\\x0102'::bytea, 2) AS a",
    "SELECT int8('12') AS a, float8(1) AS b, text(2.50) AS c",
    "SELECT to_number('1', '9D99') AS a, to_number('1.2345', '9D99') AS b, to_number(' 1,234.5 ', '9G999D9') AS c,"
    " to_number('-12.5', 'S99D9') AS d, to_number('12.5-', '99D9MI') AS e, to_number('<12>', '99PR') AS f",
    "SELECT INTERVAL '1 mon 3 days 5 hours' / 7 AS a, INTERVAL '-1 day' / 2 AS b",
    "SELECT sum(v) AS a FROM (VALUES (INTERVAL '1 mon -3 days'), (INTERVAL '-25 hours'), (NULL)) t(v)",
    "SELECT TIME '08:30' - TIME '10:00' AS a",
    "SELECT to_char(INTERVAL '-1 year -2 months 3 days 27:04:05.123456', 'YYYY-MM-DD HH24 HH12 MI SS MS US') AS a,"
    " to_char('5 minutes'::interval, 'FMHH24\"h\"MI') AS b, to_char(NULL::interval, 'HH24') AS c,"
    " to_char(INTERVAL '-3 days -04:05:06.5', 'DD HH24:MI:SS.MS') AS d",
    """SELECT k, v FROM json_each_text('{"a": 1, "b": "x", "c": null}') AS t(k, v)""",
    "SELECT g FROM generate_series(1.0, 0.1, -0.3) g",
    "SELECT generate_series(0.1, 1.0, 0.1) AS s",
    "SELECT * FROM generate_series(1, 2, 0.0)",
    "SELECT substring('\\x01020304'::bytea FROM 2 FOR 2) AS a, substring('\\x01020304'::bytea, 3) AS b,"
    " substring('\\x01020304'::bytea FROM 0 FOR 2) AS c",
    "SELECT substring('\\x01'::bytea FROM 1 FOR -1) AS a",
]

SYNTAX = [
    "SELECT U&'\\0041\\+01F600' AS a, U&'!00e9' UESCAPE '!' AS b",
    "SELECT |/ 16 + 9 AS a, ||/ 27.0 AS b, |/ (4) AS c",
    "SELECT 6 # 3 AS a, (1 + 4) # 1 AS b",
    "SELECT NULL BETWEEN SYMMETRIC 1 AND 2 AS a, 3 NOT BETWEEN SYMMETRIC 5 AND 1 AS b, 2 BETWEEN SYMMETRIC 1 AND NULL AS c",
    "SELECT INTERVAL '-1-2' YEAR TO MONTH AS a, INTERVAL '0-13' YEAR TO MONTH AS b",
    "SELECT substring('foobar' SIMILAR '#\"o_b#\"%' ESCAPE '#') AS a, substring('aXbXc' SIMILAR '%#\"X%#\"' ESCAPE '#') AS b,"
    " substring('aXbXc' SIMILAR 'a%c' ESCAPE '#') AS c, substring('a.b' SIMILAR '%#\"(.|x)#\"%' ESCAPE '#') AS d",
    "SELECT substring('abc' SIMILAR '#\"a#\"#\"b#\"#\"c' ESCAPE '#') AS a",
    "SELECT ARRAY[1, 2] || 3 AS a, 0 || ARRAY[1] AS b, -1 || ARRAY[-2] || ARRAY[5] AS c, ARRAY[1] || 2 = ARRAY[1, 2] AS d",
    "SELECT (TIMESTAMP '2024-01-01', INTERVAL '1 day') OVERLAPS (TIMESTAMP '2024-01-02', TIMESTAMP '2024-01-03') AS a,"
    " (DATE '2024-01-05', DATE '2024-01-01') OVERLAPS (DATE '2024-01-02', NULL::date) AS b,"
    " (NULL::date, NULL::date) OVERLAPS (DATE '2024-01-02', DATE '2024-01-03') AS c,"
    " (DATE '2024-01-01', NULL::date) OVERLAPS (DATE '2024-01-01', DATE '2024-01-03') AS d",
    "SELECT n % 3 AS r, n FROM generate_series(1, 9) g(n) ORDER BY n % 3 DESC, n > 4 FETCH FIRST 2 ROWS WITH TIES",
    "SELECT n FROM generate_series(1, 3) g(n) ORDER BY n FETCH NEXT ROW WITH TIES",
]

INPUTS = [
    "SELECT 'YES'::boolean AS a, 'of'::boolean AS b, CAST(' 0 ' AS boolean) AS c, boolean 'tr' AS d",
    "SELECT 'o'::boolean AS a",
    "SELECT '1 day ago'::interval AS a, '+3 hours -10 minutes'::interval AS b, 'PT1.5S'::interval AS c,"
    " 'P2W'::interval AS d",
    "SELECT '5 Jan 2024'::date AS a, 'February 29, 2024'::date AS b, '12/31/2023'::date AS c",
    "SELECT 'Feb 30 2024'::date AS a",
    "SELECT 'a\\\\b\\001\\377'::bytea AS a, CAST('x\\\\' AS bytea) AS b",
    "SELECT 'a\\q'::bytea AS a",
    """SELECT '{{1,2},{3,4}}'::int[] AS a, ('{{"a b",NULL}}')::text[] AS b""",
    "SELECT '{{1,2},{3}}'::int[] AS a",
    "SELECT TIMESTAMP '2024-06-01 12:00' AT TIME ZONE '-05' AS a, TIMESTAMP '2024-06-01 12:00' AT TIME ZONE '+00' AS b",
]

REFUSALS = [
    "SELECT 1, 2,",
    "SELECT count(*) FROM (VALUES (1), (2))",
    "SELECT * FROM (SELECT 1 AS a) JOIN (SELECT 1 AS b) x ON true",
    "SELECT DISTINCT n FROM (VALUES (1, 2)) t(n, m) ORDER BY m",
    "SELECT 'no_such_relation'::regclass",
    "SELECT min(v) AS a FROM (VALUES (true)) t(v) WHERE false",
    "SELECT max(v) OVER () AS a FROM (VALUES ('[1]'::json)) t(v)",
    "SELECT g, max(n), min(s) FILTER (WHERE n > 1) FROM (VALUES (1, 'a', 'x'), (2, 'a', 'y')) t(n, g, s)"
    " GROUP BY g HAVING max(n) > 1 ORDER BY max(n)",
    "SELECT CASE WHEN n > 1 THEN 1 ELSE ' 7 ' END AS a, CASE WHEN false THEN -2 ELSE 'z' END AS b FROM (VALUES (1)) t(n)",
    "SELECT CASE WHEN true THEN 'yes' ELSE 'no' END AS a, CASE WHEN true THEN 1 END AS b",
    "SELECT 1 AS a, 'x' AS b UNION ALL SELECT '2', 'y' UNION SELECT 3, 'z'",
    "SELECT 1 AS a UNION SELECT 'x'::text",
    f"SELECT sum(count(*)) AS a FROM {VALUES}",
    f"SELECT max(avg(x)) AS a, count(*) AS b FROM {VALUES} GROUP BY n",
    f"SELECT sum(row_number() OVER ()) AS a FROM {VALUES}",
    f"SELECT count(lag(n) OVER (ORDER BY n)) AS a FROM {VALUES}",
    f"SELECT max(count(*)) OVER () AS a, sum((SELECT count(*) FROM {VALUES})) AS b FROM {VALUES}",
    f"SELECT n + 1 AS m FROM {VALUES} WHERE m > 1",
    f"SELECT n + 1 AS n, upper(s) AS s FROM {VALUES} WHERE n > 1 AND s = 'c' ORDER BY n",
    f"SELECT n AS m FROM {VALUES} WHERE n > 1 ORDER BY m",
    f"SELECT t.n AS m FROM {VALUES} JOIN (VALUES (1)) u(k) ON true WHERE m > 1",
    f"SELECT t.n + 1 AS k, upper(s) AS s FROM {VALUES}, (VALUES (2)) u(k) WHERE k + 1 = 3 AND s = 'a'",
    f"SELECT t.zz FROM {VALUES}",
    r"SELECT '\xZZ'::bytea AS a",
    r"SELECT '\x4'::bytea AS a",
    r"SELECT bytea '\x414' AS a",
    r"SELECT '\x41 42'::bytea AS a, CAST('\x' AS bytea) AS b",
    "SELECT 'a' ~ '[a' AS a",
    "SELECT regexp_replace('a', '*', 'b') AS a",
    "SELECT 'a' ~ 'a{2,1}' AS a",
    "SELECT (1, 2) = (1, 2, 3) AS a",
    "SELECT ROW(1, 2) < ROW(1) AS a",
    "SELECT '1'::text = 1 AS a",
    "SELECT -1 <> CAST('1' AS varchar(3)) AS a",
    "SELECT '1'::char(2) < 2.5 AS a",
    "SELECT '1'::text = 5000000000 AS a",
    "SELECT '1'::text || 1 = '11' AS a, 1 + 1 = '2'::text::int AS b, 'a'::text = 1::text AS c",
    "SELECT 'a' + 1 AS a",
    "SELECT 2 * '1.5' AS a",
    "SELECT '1' + 1 AS a, 2 * ' 3 ' AS b, '7' - 2 + 1 AS c, 10 / '3' AS d, '9' % 4 AS e",
]


def _answer(con: psycopg.Connection, sql: str) -> tuple:
    """Column names, type OIDs and every value's text as sent, or the SQLSTATE."""
    try:
        cur = con.execute(sql)
    except psycopg.Error as e:
        return ("error", e.sqlstate)
    res = cur.pgresult
    assert res is not None and cur.description is not None
    values = [[res.get_value(r, c) for c in range(res.nfields)] for r in range(res.ntuples)]
    return (
        [d.name for d in cur.description],
        [d.type_code for d in cur.description],
        sorted(map(str, values)),
    )


@pytest.mark.parametrize("sql", FUNCTIONS + SYNTAX + INPUTS + REFUSALS)
def test_answers_as_postgresql(conn, pg15, sql: str) -> None:  # noqa: F811
    with pg15.connect(autocommit=True) as pg:
        want = _answer(pg, sql)
    got = _answer(conn, sql)
    assert got == want
    conn.execute("SELECT 1")  # the session goes on after an error


def test_renamed_calls_keep_the_clients_names_and_other_uses(conn, pg15) -> None:  # noqa: F811
    """length(x) inside expressions the rewrites build (pg_typeof, to_char) stays DuckDB's; the
    client's call is the one typed as PostgreSQL's; a wrong argument count is 42883."""
    sql = (
        "SELECT length(n::text || 'xy') AS a, pg_typeof(length('x'))::text AS b, to_char(1234.5, 'FM9G999D0') AS c"
        " FROM (VALUES (1), (2)) t(n)"
    )
    with pg15.connect(autocommit=True) as pg:
        assert _answer(conn, sql) == _answer(pg, sql)
        assert (
            _answer(conn, "SELECT length(1, 2, 3)")
            == _answer(pg, "SELECT length(1, 2, 3)")
            == ("error", "42883")
        )
