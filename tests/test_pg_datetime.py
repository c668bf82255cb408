"""Date/time answers as PostgreSQL 15 gives them (issue 12: never a quiet difference).

Every answer here is compared with the PostgreSQL 15 beside us, through real clients: psycopg in
text and binary format, its client-side-binding cursor (the simple protocol), asyncpg (binary),
and COPY TO in text and binary format.
"""

from __future__ import annotations

import asyncio
import datetime

import asyncpg
import psycopg
import pytest
from psycopg.types.string import StrDumper, TextLoader

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)

TIMETZ_SELECT = (
    "SELECT TIME WITH TIME ZONE '10:20:30+02' AS a, '23:59:59.5-05:30'::timetz AS b,"
    " '24:00:00-01'::timetz AS c, NULL::timetz AS d, '00:00:00.000001+15:59'::timetz AS e,"
    " ARRAY['01:02:03+05:30'::timetz, NULL, '12:00:00-08'::timetz] AS f"
)
# (24:00:00 is a value drivers cannot parse: read as text only)
PARSED_SELECT = TIMETZ_SELECT.replace(" '24:00:00-01'::timetz AS c,", "")
TIMETZ_ROWS = [
    ("10:20:30+02",),
    ("23:59:59.123456-05:30",),
    ("24:00:00-01",),
    (None,),
    ("00:00:00+00",),
    ("13:14:15.5-03:30",),
]


def _raw(con: psycopg.Connection) -> psycopg.Cursor:
    """A cursor that keeps the text the server sent for timetz values (not parsed)."""
    cur = con.cursor()
    cur.adapters.register_loader("timetz", TextLoader)
    cur.adapters.register_loader(1270, TextLoader)
    return cur


def _both(server, pdb, pg15, **kw):  # noqa: F811
    return (
        psycopg.connect(server.dsn(pdb, PDB_ADMIN, PDB_PASSWORD), autocommit=True, **kw),
        pg15.connect(autocommit=True, **kw),
    )


def test_timetz_keeps_its_offset_in_text_and_binary(server, pdb, pg15) -> None:  # noqa: F811
    ours, pg = _both(server, pdb, pg15)
    with ours, pg:
        expected = _raw(pg).execute(TIMETZ_SELECT).fetchall()
        assert expected[0][0] == "10:20:30+02"
        assert _raw(ours).execute(TIMETZ_SELECT).fetchall() == expected
        cur = ours.execute(TIMETZ_SELECT)
        assert [d.type_code for d in cur.description] == [1266] * 5 + [1270]
        for binary in (False, True):
            want = pg.cursor(binary=binary).execute(PARSED_SELECT).fetchall()
            assert ours.cursor(binary=binary).execute(PARSED_SELECT).fetchall() == want, binary
        # the simple protocol (no Parse: the columns are learnt when it runs)
        got = psycopg.ClientCursor(ours)
        got.adapters.register_loader("timetz", TextLoader)
        got.adapters.register_loader(1270, TextLoader)
        assert got.execute(TIMETZ_SELECT).fetchall() == expected
        # a cast to text in SQL
        sql = "SELECT '10:20:30.25+05:45'::timetz::text AS t, TIME WITH TIME ZONE '01:02:03-07'::varchar AS v"
        assert ours.execute(sql).fetchall() == pg.execute(sql).fetchall()


def test_timetz_columns_parameters_and_copy(server, pdb, pg15, table_name) -> None:  # noqa: F811
    ours, pg = _both(server, pdb, pg15)
    with ours, pg:
        for con in (ours, pg):
            con.execute(f"CREATE TABLE {table_name} (id int, t timetz, ts timetz[])")
            con.execute(
                f"INSERT INTO {table_name} VALUES (1, '10:20:30+02', ARRAY['01:00:00-03:30'::timetz]), (2, NULL, NULL)"
            )
            # parameters: psycopg sends an aware time as timetz (extended protocol, binary and text)
            zone = datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))
            con.execute(
                f"INSERT INTO {table_name} VALUES (3, %s, NULL)", (datetime.time(23, 59, 59, 123456, zone),)
            )
            con.cursor(binary=True).execute(
                f"INSERT INTO {table_name} VALUES (4, %b, NULL)",
                (datetime.time(6, 7, 8, tzinfo=datetime.timezone(datetime.timedelta(hours=9))),),
            )
            con.execute(f"INSERT INTO {table_name} VALUES (5, %t::timetz, NULL)", ("13:14:15.5-03:30",))
        try:
            for sql in (
                f"SELECT * FROM {table_name} ORDER BY id",
                f"SELECT t, id FROM {table_name} WHERE t = %s ORDER BY id",
                f"INSERT INTO {table_name} VALUES (6, '07:00:00+01', NULL) RETURNING t, ts",
                f"UPDATE {table_name} SET t = t WHERE id = 6 RETURNING id, t",
            ):
                args = (datetime.time(10, 20, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),)
                params = args if "%s" in sql else None
                expected = _raw(pg).execute(sql, params).fetchall()
                assert _raw(ours).execute(sql, params).fetchall() == expected, sql
                want = pg.cursor(binary=True).execute(sql, params).fetchall()
                assert ours.cursor(binary=True).execute(sql, params).fetchall() == want, sql
                if params is None:
                    simple = psycopg.ClientCursor(ours)
                    simple.adapters.register_loader("timetz", TextLoader)
                    simple.adapters.register_loader(1270, TextLoader)
                    if sql.startswith("SELECT"):
                        assert simple.execute(sql).fetchall() == expected, sql
            # a view over the table, read by the simple protocol: its column is timetz too
            for con in (ours, pg):
                con.execute(f"CREATE VIEW {table_name}_v AS SELECT id, t AS w FROM {table_name}")
            sql = f"SELECT w FROM {table_name}_v ORDER BY id"
            simple = psycopg.ClientCursor(ours)
            simple.adapters.register_loader("timetz", TextLoader)
            assert simple.execute(sql).fetchall() == _raw(pg).execute(sql).fetchall()
            # COPY TO, text, CSV and binary: the same bytes as PostgreSQL's
            for fmt in ("", " (FORMAT csv)", " (FORMAT binary)"):
                copy = f"COPY (SELECT id, t, ts FROM {table_name} ORDER BY id) TO STDOUT{fmt}"
                outs = []
                for con in (ours, pg):
                    with con.cursor().copy(copy) as cp:
                        outs.append(b"".join(bytes(b) for b in cp))
                assert outs[0] == outs[1], fmt
        finally:
            for con in (ours, pg):
                con.execute(f"DROP VIEW IF EXISTS {table_name}_v")
                con.execute(f"DROP TABLE IF EXISTS {table_name}")


def test_timetz_through_asyncpg(server, pdb, pg15) -> None:  # noqa: F811
    async def fetch(dsn: str) -> list[asyncpg.Record]:
        con = await asyncpg.connect(dsn)
        try:
            rows = await con.fetch(PARSED_SELECT)
            rows += await con.fetch(
                "SELECT $1::timetz AS a",
                datetime.time(1, 2, 3, tzinfo=datetime.timezone(datetime.timedelta(hours=-4))),
            )
            return [tuple(r) for r in rows]
        finally:
            await con.close()

    ours = asyncio.run(
        fetch(f"postgresql://{PDB_ADMIN}:{PDB_PASSWORD}@127.0.0.1:{server.port}/{pdb}?sslmode=disable")
    )
    theirs = asyncio.run(fetch(f"postgresql://postgres@127.0.0.1:{pg15.port}/postgres?sslmode=disable"))
    assert ours == theirs
    assert ours[0][0] == datetime.time(10, 20, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))


@pytest.mark.parametrize("sql", ["SELECT current_time::text ~ '^[0-9:.]+[+-][0-9]{2}$' AS ok"])
def test_current_time_is_timetz(conn, sql: str) -> None:
    assert conn.execute(sql).fetchone() == (True,)
    assert conn.execute("SELECT current_time AS t").description[0].type_code == 1266


class _RawBinary(psycopg.adapt.Loader):
    """The bytes the server sent for a binary value (Python's datetime has no BC years)."""

    format = psycopg.pq.Format.BINARY

    def load(self, data: bytes) -> bytes:
        return bytes(data)


LITERALS = [
    # BC (DuckDB took 'BC' for a time zone and ignored it: year 44 AD)
    "SELECT TIMESTAMP '0044-03-15 12:00:00 BC' AS a, DATE '0044-03-15 BC' AS b,"
    " '0044-03-15 12:00:00 BC'::timestamptz AS c, CAST('0001-01-01 00:00:00.5 BC' AS timestamp) AS d",
    "SELECT '0044-03-15 BC'::date - 1 AS a, DATE '4714-11-24 BC' AS b",
    # more than 6 fractional digits round (rint), carrying into the seconds
    "SELECT '2024-01-02 03:04:05.1234567'::timestamp AS a, '2024-01-02 03:04:05.1234565'::timestamp AS b,"
    " TIMESTAMP '2024-01-02 23:59:59.9999999' AS c, '2024-01-02 03:04:05.1234567+02'::timestamptz AS d",
    "SELECT '03:04:05.1234567'::time AS a, '23:59:59.9999999'::time AS b, '01:00:00.12345678+02'::timetz AS c",
    # precisions: half away from zero from 2000-01-01
    "SELECT '2024-01-02 03:04:05.678'::timestamp(0) AS a, '2024-01-02 03:04:05.678'::timestamp(1) AS b,"
    " CAST('10:00:00.55' AS time(1)) AS c, TIMESTAMP(0) '2024-01-01 10:00:00.5' AS d",
    "SELECT '1999-12-31 23:59:59.5'::timestamp(0) AS a, '1960-01-01 00:00:00.0005'::timestamp(3) AS b,"
    " 'infinity'::timestamp(0) AS c, '-infinity'::timestamptz(2) AS d",
    "SELECT '23:59:59.9'::time(0) AS a, '10:20:30.55+02'::timetz(1) AS b,"
    " '2024-01-01 12:00:00.55+02'::timestamptz(1) AS c, '2024-01-01 12:00:00.5'::timestamp(6) AS d",
    "SELECT x::timestamp(2) AS a, x::timestamp(2) with time zone AS b"
    " FROM (VALUES (TIMESTAMP '2024-05-06 07:08:09.125'), (NULL)) v(x)",
    "SELECT '10:00+02'::timetz AS a, TIME WITH TIME ZONE '23:30-03:30' AS b",
    # date_trunc of a date is timestamptz
    "SELECT date_trunc('month', DATE '2024-03-15') AS a, date_trunc('century', DATE '2024-03-15') AS b,"
    " date_trunc('day', TIMESTAMP '2024-03-15 10:00') AS c",
]


@pytest.mark.parametrize("sql", LITERALS)
def test_datetime_literals_and_precisions_as_postgresql(server, pdb, pg15, sql: str) -> None:  # noqa: F811
    ours, pg = _both(server, pdb, pg15)
    with ours, pg:
        for con in (ours, pg):
            for t in ("date", "timestamp", "timestamptz", "time", "timetz"):
                con.adapters.register_loader(t, TextLoader)
                con.adapters.register_loader(t, _RawBinary)
        expected = pg.execute(sql).fetchall()
        cur = ours.execute(sql)
        assert cur.fetchall() == expected
        assert [d.type_code for d in cur.description] == [d.type_code for d in pg.execute(sql).description]
        assert (
            ours.cursor(binary=True).execute(sql).fetchall() == pg.cursor(binary=True).execute(sql).fetchall()
        )
        assert psycopg.ClientCursor(ours).execute(sql).fetchall() == expected


def test_unaliased_precision_cast_keeps_postgresql_column_name(server, pdb, pg15) -> None:  # noqa: F811
    sql = "SELECT '2024-01-02 03:04:05.678'::timestamp(1), CAST('10:00:00.5' AS time(0))"
    ours, pg = _both(server, pdb, pg15)
    with ours, pg:
        names = [d.name for d in ours.execute(sql).description]
        assert names == [d.name for d in pg.execute(sql).description]


ERRORS = [
    ("SELECT '2023-02-29'::date", "22008"),
    ("SELECT 'hello'::date", "22007"),
    ("SELECT '25:00'::time", "22008"),
    ("SELECT 'x'::time", "22007"),
    ("SELECT '2024-13-01'::timestamp", "22008"),
    ("SELECT TIMESTAMP '294277-01-01 00:00:00'", "22008"),
    ("SELECT DATE '5874898-01-01'", "22008"),
    ("SELECT DATE '4714-11-23 BC'", "22008"),
    ("SELECT make_date(2023, 2, 29)", "22008"),
    ("SELECT 'abc'::interval", "22007"),
    ("SELECT '2024-01-01 10:00 Mars/Base'::timestamptz", "22023"),
    ("SELECT extract(foo FROM DATE '2024-01-01')", "22023"),
    ("SELECT date_trunc('fortnight', TIMESTAMP '2024-03-15')", "22023"),
]


def test_sqlstates_of_date_time_input_errors(server, pdb, pg15) -> None:  # noqa: F811
    ours, pg = _both(server, pdb, pg15)
    with ours, pg:
        for sql, state in ERRORS:
            for con in (pg, ours):
                with pytest.raises(psycopg.Error) as e:
                    con.execute(sql)
                assert e.value.sqlstate == state, (sql, con is ours)
            assert ours.execute("SELECT 1").fetchone() == (1,)  # the session goes on


def test_precision_of_columns_and_views(server, pdb, pg15, table_name) -> None:  # noqa: F811
    """timestamptz(6), time(6), timetz(6) columns are the types themselves; a precision DuckDB
    cannot keep is refused (0A000) rather than written with more digits than it declares; a
    view's casts round as the statement's do."""
    ours, pg = _both(server, pdb, pg15)
    with ours, pg:
        for con in (ours, pg):
            for t in ("timestamp", "timestamptz", "time", "timetz"):
                con.adapters.register_loader(t, TextLoader)
        try:
            for con in (ours, pg):
                con.execute(
                    f"CREATE TABLE {table_name} (a timestamptz(6), b time(6), c timetz(6), d timestamp(3),"
                    " e timestamp(6) with time zone)"
                )
                con.execute(
                    f"INSERT INTO {table_name} VALUES ('2024-01-01 10:00:00.123456+02', '10:00:00.5',"
                    " '10:00:00.25-03', '2024-01-01 10:00:00.1235', '2024-01-01 10:00:00.5+00')"
                )
                con.execute(
                    f"CREATE VIEW {table_name}_v AS SELECT '2024-01-02 03:04:05.678'::timestamp(1) AS a,"
                    " '1999-12-31 23:59:59.5'::timestamp(0) AS b, '23:59:59.9'::time(0) AS c,"
                    f" d::timestamp(2) AS d FROM {table_name}"
                )
            for sql in (f"SELECT * FROM {table_name}", f"SELECT * FROM {table_name}_v"):
                assert ours.execute(sql).fetchall() == pg.execute(sql).fetchall(), sql
            for ddl in (
                f"CREATE TABLE {table_name}_x (a timestamptz(3))",
                f"CREATE TABLE {table_name}_x (a timestamp(1))",
                f"ALTER TABLE {table_name} ADD COLUMN f time(0)",
            ):
                with pytest.raises(psycopg.errors.FeatureNotSupported):
                    ours.execute(ddl)
        finally:
            for con in (ours, pg):
                con.execute(f"DROP VIEW IF EXISTS {table_name}_v")
                con.execute(f"DROP TABLE IF EXISTS {table_name}")


def test_timetz_inside_a_record_is_refused_before_it_writes(conn, table_name) -> None:
    """A timetz nested in a struct cannot be read with its offset: refused (0A000), and the
    INSERT whose RETURNING asked for it has written nothing."""
    conn.execute(f"CREATE TABLE {table_name} (id int)")
    try:
        with pytest.raises(psycopg.errors.FeatureNotSupported):
            conn.execute(f"INSERT INTO {table_name} VALUES (1) RETURNING {{'x': '10:00:00+02'::timetz}} AS r")
        with pytest.raises(psycopg.errors.FeatureNotSupported):  # (Parse knows the record column)
            conn.execute("SELECT ROW(%s::timetz, 1) AS r", ("10:00:00+02",))
        with pytest.raises(psycopg.errors.FeatureNotSupported):
            psycopg.ClientCursor(conn).execute("SELECT ROW('10:00:00+02'::timetz, 1) AS r")
        assert conn.execute(f"SELECT count(*) FROM {table_name}").fetchone() == (0,)
    finally:
        conn.execute(f"DROP TABLE {table_name}")


def test_bc_and_long_fractions_through_copy_and_parameters(server, pdb, pg15, table_name) -> None:  # noqa: F811
    """COPY FROM text and CSV, and text parameters: ' BC' and 7 fractional digits as PostgreSQL
    reads them (DuckDB's cast took 'BC' after a timestamp for a zone and cut the digits)."""
    rows = (
        "1\t0044-03-15 12:00:00 BC\t0044-03-15 BC\t2024-01-02 03:04:05.1234567+02\t23:59:59.9999999\n"
        "2\t2024-01-02 23:59:59.9999999\t2024-01-01\t0010-01-01 00:00:00+00 BC\t10:00:00\n"
    )
    ours, pg = _both(server, pdb, pg15)
    with ours, pg:
        for con in (ours, pg):
            for t in ("date", "timestamp", "timestamptz", "time"):
                con.adapters.register_loader(t, TextLoader)
        try:
            for con in (ours, pg):
                con.execute(
                    f"CREATE TABLE {table_name} (id int, ts timestamp, d date, tz timestamptz, t time)"
                )
                with con.cursor().copy(f"COPY {table_name} FROM STDIN") as cp:
                    cp.write(rows)
                with con.cursor().copy(f"COPY {table_name} FROM STDIN (FORMAT csv)") as cp:
                    cp.write(rows.replace("\t", ",").replace("1,", "3,", 1).replace("\n2,", "\n4,"))
            sql = f"SELECT * FROM {table_name} ORDER BY id"
            assert [r[0] for r in pg.execute(sql).fetchall()] == [1, 2, 3, 4]
            assert ours.execute(sql).fetchall() == pg.execute(sql).fetchall()
            sql = "SELECT %s::timestamp AS a, %s::date AS b, %s::timestamp AS c"
            args = ("0044-03-15 12:00:00 BC", "0044-03-15 BC", "2024-01-02 03:04:05.1234567")
            assert ours.execute(sql, args).fetchall() == pg.execute(sql, args).fetchall()
        finally:
            for con in (ours, pg):
                con.execute(f"DROP TABLE IF EXISTS {table_name}")


def test_untyped_literals_and_parameters_into_date_time_columns(server, pdb, pg15, table_name) -> None:  # noqa: F811
    """An untyped literal or text parameter written to a date/time column (INSERT VALUES, INSERT
    SELECT, UPDATE SET, ON CONFLICT DO UPDATE) or compared with one reads ' BC' and more than 6
    fractional digits as PostgreSQL does (DuckDB's implicit cast took BC for a zone: year 44 AD)."""
    ours, pg = _both(server, pdb, pg15)
    t = table_name
    with ours, pg:
        for con in (ours, pg):
            for k in ("date", "timestamp", "timestamptz", "time"):
                con.adapters.register_loader(k, TextLoader)
        try:
            for con in (ours, pg):
                con.execute(
                    f"CREATE TABLE {t} (id int PRIMARY KEY, ts timestamp, d date, tz timestamptz, tm time, x text)"
                )
                con.execute(
                    f"INSERT INTO {t} VALUES (1, '0044-03-15 12:00:00 BC', '0044-03-15 BC',"
                    " '2024-01-02 03:04:05.1234567+02', '23:59:59.9999999', '0044-03-15 BC')"
                )
                con.execute(
                    f"INSERT INTO {t} (id, ts, d) VALUES (2, '2024-01-01 10:00:00.1234567', '0001-01-01 BC'),"
                    " (3, '2024-12-31 23:59:59.9999999', '2024-01-01')"
                )
                con.execute(f"INSERT INTO {t} (id, ts, x) SELECT 4, '0010-06-01 00:00:00 BC', '1 BC'")
                con.execute(
                    f"UPDATE {t} SET tz = '0100-01-01 00:00:00+00 BC', tm = '10:00:00.0000005' WHERE id = 2"
                )
                con.execute(
                    f"INSERT INTO {t} (id, ts) VALUES (3, NULL) ON CONFLICT (id) DO UPDATE SET d = '0500-02-03 BC'"
                )
                # text parameters (psycopg sends str untyped) and server-side binding
                con.execute(
                    f"INSERT INTO {t} (id, ts, d, tm) VALUES (%s, %s, %s, %s)",
                    (5, "0044-03-15 12:00:00.1234567 BC", "0300-01-01 BC", "01:02:03.9999996"),
                )
                con.execute(f"UPDATE {t} SET ts = %s WHERE id = %s", ("0001-02-03 04:05:06 BC", 4))
            sql = f"SELECT * FROM {t} ORDER BY id"
            assert [r[0] for r in pg.execute(sql).fetchall()] == [1, 2, 3, 4, 5]
            assert ours.execute(sql).fetchall() == pg.execute(sql).fetchall()
            for where in (
                "ts = '0044-03-15 12:00:00 BC'",
                "'0044-03-15 BC' = d",
                "ts < '0001-01-01 00:00:00 BC'",
                "ts >= '2024-01-01 10:00:00.1234567'",
                "x = '0044-03-15 BC'",
                f"{t}.d <> '0044-03-15 BC'",
                "ts BETWEEN '0045-01-01 BC' AND '0044-12-31 BC'",
                "d NOT BETWEEN '0500-01-01 BC' AND '0044-03-15 BC'",
                "d IN ('0044-03-15 BC', '0300-01-01 BC')",
                "x IN ('0044-03-15 BC', '1 BC')",
            ):
                q = f"SELECT id FROM {t} WHERE {where} ORDER BY id"
                assert ours.execute(q).fetchall() == pg.execute(q).fetchall(), where
            q = f"SELECT id FROM {t} WHERE ts = %s ORDER BY id"
            args = ("0044-03-15 12:00:00 BC",)
            assert ours.execute(q, args).fetchall() == pg.execute(q, args).fetchall() == [(1,)]
            # a parameter declared text that DuckDB binds to the column's type (PostgreSQL: 42883)
            with ours.cursor() as cur:
                cur.adapters.register_dumper(str, StrDumper)  # text, OID 25
                assert cur.execute(q, args).fetchall() == [(1,)]
                cur.execute(
                    f"INSERT INTO {t} (id, ts) VALUES (%s, %s)", (6, "0001-02-03 04:05:06.9999999 BC")
                )
                got = cur.execute(f"SELECT ts FROM {t} WHERE id = 6").fetchall()
            assert got == pg.execute("SELECT '0001-02-03 04:05:06.9999999 BC'::timestamp").fetchall()
            # a literal the rewrite cannot place in an INSERT's query: refused, not year 44 AD
            with pytest.raises(psycopg.errors.FeatureNotSupported):
                ours.execute(
                    f"INSERT INTO {t} (id, ts) SELECT 7, '0044-03-15 12:00:00' UNION SELECT 8, '0010-01-01 BC'"
                )
            # where the column's type is unknown to the rewrite: a clear error, not year 44 AD
            with pytest.raises(psycopg.errors.FeatureNotSupported):
                ours.execute(f"SELECT id FROM {t} WHERE ts + interval '1 day' = '0044-03-16 12:00:00 BC'")
        finally:
            for con in (ours, pg):
                con.execute(f"DROP TABLE IF EXISTS {t}")


def test_date_trunc_of_a_written_date_in_views_is_timestamptz(server, pdb, pg15, table_name) -> None:  # noqa: F811
    """In a view or CREATE TABLE AS, date_trunc of an argument written as a date (DATE '...',
    x::date, CAST(x AS date), current_date) is PostgreSQL's timestamptz (plain SQL: a view cannot
    hold the session's macro)."""
    ours, pg = _both(server, pdb, pg15)
    t, v, c = table_name, f"{table_name}_v", f"{table_name}_c"
    body = (
        f"SELECT date_trunc('month', DATE '2024-03-15') AS a, date_trunc('day', d::date) AS b,"
        f" date_trunc('year', CAST(d AS date)) AS c, date_trunc('day', ts) AS e FROM {t}"
    )
    with ours, pg:
        try:
            for con in (ours, pg):
                con.execute("SET TIME ZONE 'UTC'")
                con.execute(f"CREATE TABLE {t} (d date, ts timestamp)")
                con.execute(f"INSERT INTO {t} VALUES ('2024-05-17', '2024-05-17 10:20:30')")
                con.execute(f"CREATE VIEW {v} AS {body}")
                con.execute(f"CREATE TABLE {c} AS {body}")
            for q in (f"SELECT * FROM {v}", f"SELECT * FROM {c}"):
                got, want = ours.execute(q), pg.execute(q)
                assert [d.type_code for d in got.description] == [d.type_code for d in want.description], q
                assert got.fetchall() == want.fetchall(), q
        finally:
            for con in (ours, pg):
                con.execute(f"DROP VIEW IF EXISTS {v}")
                con.execute(f"DROP TABLE IF EXISTS {c}")
                con.execute(f"DROP TABLE IF EXISTS {t}")


def test_session_time_zone_answers_as_postgresql(server, pdb, pg15) -> None:  # noqa: F811
    """In a zone with daylight saving (America/New_York): timestamptz values, their dates, hours,
    truncations, casts and AT TIME ZONE, and timestamptz - timestamptz as PostgreSQL's elapsed
    time (DuckDB counted the zone's calendar: an hour more across the change)."""
    ours, pg = _both(server, pdb, pg15)
    rows = (
        "(VALUES (1, TIMESTAMPTZ '2024-03-10 06:30:00+00', TIMESTAMP '2024-03-10 01:30:00'),"
        " (2, TIMESTAMPTZ '2024-11-03 05:30:00+00', TIMESTAMP '2024-11-03 01:30:00'),"
        " (3, TIMESTAMPTZ '2024-07-01 03:00:00+00', TIMESTAMP '2024-07-01 00:00:00')) AS z(id, tz, ts)"
    )
    statements = [
        f"SELECT id, tz::text AS a, tz::date AS d, extract(hour FROM tz) AS h FROM {rows} ORDER BY id",
        f"SELECT id, date_trunc('day', tz)::text AS a, ts::timestamptz::text AS b FROM {rows} ORDER BY id",
        f"SELECT id, (tz AT TIME ZONE 'UTC')::text AS a, (tz + INTERVAL '1 day')::text AS b FROM {rows} ORDER BY id",
        f"SELECT id, (tz - TIMESTAMPTZ '2024-01-01 00:00')::text AS a FROM {rows} ORDER BY id",
        f"SELECT id, (TIMESTAMPTZ '2024-01-01 00:00' - tz)::text AS a FROM {rows} ORDER BY id",
    ]
    with ours, pg:
        for con in (ours, pg):
            con.execute("SET TimeZone = 'America/New_York'")
        for sql in statements:
            assert ours.execute(sql).fetchall() == pg.execute(sql).fetchall(), sql
