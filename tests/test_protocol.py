"""Protocol paths over real sockets: simple and extended query, row limits, errors, transactions."""

from __future__ import annotations

import struct

import psycopg
import pytest

from tests import rawpg
from tests.conftest import PDB_ADMIN, PDB_PASSWORD


@pytest.fixture
def raw(server, pdb):
    c = rawpg.RawConn(server.port, PDB_ADMIN, PDB_PASSWORD, pdb)
    yield c
    c.close()


def test_parameter_status_on_login(raw) -> None:
    assert raw.params["server_version"].startswith("15.0 (DuckCDB ")
    for k, v in {
        "server_encoding": "UTF8",
        "client_encoding": "UTF8",
        "DateStyle": "ISO, MDY",
        "integer_datetimes": "on",
        "standard_conforming_strings": "on",
        "TimeZone": "UTC",
        "is_superuser": "off",
    }.items():
        assert raw.params[k] == v
    assert "application_name" in raw.params


def test_simple_query_several_statements(raw) -> None:
    raw.send(rawpg.query("select 1 as a; select 'x' as b, 2 as c; "))
    msgs = raw.until_ready()
    assert rawpg.kinds(msgs) == "TDCTDCZ"
    assert rawpg.rows(msgs) == [[b"1"], [b"x", b"2"]]
    assert msgs[-1][1] == b"I"


def test_empty_query(raw) -> None:
    raw.send(rawpg.query("  ;  "))
    assert rawpg.kinds(raw.until_ready()) == "IZ"
    raw.send(rawpg.query(""))
    assert rawpg.kinds(raw.until_ready()) == "IZ"


def test_error_stops_the_rest_of_a_simple_query(raw, table_name) -> None:
    raw.send(rawpg.query(f"create table {table_name}(a int)"))
    raw.until_ready()
    raw.send(
        rawpg.query(f"insert into {table_name} values (1); select 1/0; insert into {table_name} values (2)")
    )
    msgs = raw.until_ready()
    assert rawpg.kinds(msgs) == "CEZ"
    assert rawpg.errors(msgs)[0]["C"] == "22012"
    assert msgs[-1][1] == b"I"
    # one implicit transaction: the first insert was rolled back with it
    raw.send(rawpg.query(f"select count(*) from {table_name}"))
    assert rawpg.rows(raw.until_ready()) == [[b"0"]]
    raw.send(rawpg.query(f"insert into {table_name} values (1); insert into {table_name} values (2)"))
    raw.until_ready()
    raw.send(rawpg.query(f"select count(*) from {table_name}"))
    assert rawpg.rows(raw.until_ready()) == [[b"2"]]


def test_extended_row_limit_and_portal_suspended(raw) -> None:
    raw.send(
        rawpg.parse("s1", "select * from range(10) t(i)"),
        rawpg.bind("p1", "s1"),
        rawpg.execute("p1", 4),
        rawpg.execute("p1", 4),
        rawpg.execute("p1", 4),
        rawpg.SYNC,
    )
    msgs = raw.until_ready()
    assert rawpg.kinds(msgs) == "12DDDDsDDDDsDDCZ"
    assert [r[0] for r in rawpg.rows(msgs)] == [str(i).encode() for i in range(10)]
    assert msgs[-2][1] == b"SELECT 2\0"


def test_skip_until_sync_after_error(raw) -> None:
    raw.send(
        rawpg.parse("", "select 1/0"),
        rawpg.bind("", ""),
        rawpg.execute(""),
        rawpg.parse("", "select 2"),
        rawpg.bind("", ""),
        rawpg.execute(""),
        rawpg.SYNC,
        rawpg.query("select 3"),
    )
    msgs = raw.until_ready()
    assert rawpg.kinds(msgs) == "12EZ"
    assert rawpg.errors(msgs)[0]["C"] == "22012"
    assert rawpg.rows(raw.until_ready()) == [[b"3"]]


def test_describe_returns_types_and_never_executes(raw, table_name) -> None:
    raw.send(
        rawpg.query(
            f"create table {table_name}(id bigint primary key, name text, price decimal(10,2), ts timestamptz)"
        )
    )
    raw.until_ready()
    raw.send(
        rawpg.parse("ins", f"insert into {table_name} values ($1, $2, $3, $4) returning id"),
        rawpg.describe("S", "ins"),
        rawpg.parse("sel", f"select id, name, price, ts from {table_name} where id = $1"),
        rawpg.describe("S", "sel"),
        rawpg.SYNC,
    )
    msgs = raw.until_ready()
    assert rawpg.kinds(msgs) == "1tT1tTZ"
    pdesc = [b for k, b in msgs if k == b"t"]
    oids = [struct.unpack_from("!I", pdesc[0], 2 + 4 * i)[0] for i in range(4)]
    assert oids == [20, 25, 1700, 1184]
    assert struct.unpack_from("!I", pdesc[1], 2)[0] == 20
    raw.send(rawpg.query(f"select count(*) from {table_name}"))
    assert rawpg.rows(raw.until_ready()) == [[b"0"]]


def test_named_statements_and_close(raw) -> None:
    raw.send(rawpg.parse("a", "select $1::int + 1"), rawpg.SYNC)
    raw.until_ready()
    for v in (b"1", b"41"):
        raw.send(rawpg.bind("", "a", [v]), rawpg.execute(""), rawpg.SYNC)
        msgs = raw.until_ready()
        assert rawpg.rows(msgs) == [[str(int(v) + 1).encode()]]
    raw.send(rawpg.close("S", "a"), rawpg.bind("", "a", [b"1"]), rawpg.SYNC)
    msgs = raw.until_ready()
    assert rawpg.kinds(msgs) == "3EZ"
    assert rawpg.errors(msgs)[0]["C"] == "26000"


def test_binary_results(raw) -> None:
    raw.send(
        rawpg.parse("", "select 7::int4, 8::int8, 1.5::float8, true"),
        rawpg.bind("", "", rformats=[1]),
        rawpg.execute(""),
        rawpg.SYNC,
    )
    row = rawpg.rows(raw.until_ready())[0]
    assert struct.unpack("!i", row[0])[0] == 7
    assert struct.unpack("!q", row[1])[0] == 8
    assert struct.unpack("!d", row[2])[0] == 1.5
    assert row[3] == b"\x01"


def test_transaction_status_and_failed_transaction(conn, table_name) -> None:
    conn.execute(f"create table {table_name}(a int)")
    conn.autocommit = False
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    conn.execute(f"insert into {table_name} values (1)")
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
    with pytest.raises(psycopg.errors.DivisionByZero):
        conn.execute("select 1/0")
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
    with pytest.raises(psycopg.errors.InFailedSqlTransaction):
        conn.execute("select 1")
    conn.rollback()
    assert conn.execute(f"select count(*) from {table_name}").fetchone() == (0,)
    conn.execute(f"insert into {table_name} values (2)")
    conn.commit()
    assert conn.execute(f"select count(*) from {table_name}").fetchone() == (1,)


def test_savepoints(conn, table_name) -> None:
    conn.execute(f"create table {table_name}(a int)")
    conn.autocommit = False
    conn.execute(f"insert into {table_name} values (1)")
    conn.execute("savepoint s1")
    conn.execute(f"insert into {table_name} values (2)")
    with pytest.raises(psycopg.errors.DivisionByZero):
        conn.execute("select 1/0")
    conn.execute("rollback to savepoint s1")
    conn.execute(f"insert into {table_name} values (3)")
    conn.execute("savepoint s2")
    conn.execute("release savepoint s2")
    conn.commit()
    assert conn.execute(f"select a from {table_name} order by a").fetchall() == [(1,), (3,)]
    with pytest.raises(psycopg.errors.InvalidSavepointSpecification):
        conn.execute("rollback to savepoint nope")
    conn.rollback()


def test_psycopg_transaction_block_and_savepoint_api(conn, table_name) -> None:
    conn.execute(f"create table {table_name}(a int)")
    with conn.transaction():
        conn.execute(f"insert into {table_name} values (1)")
        try:
            with conn.transaction():
                conn.execute(f"insert into {table_name} values (2)")
                conn.execute(f"insert into {table_name} values ('x')")
        except psycopg.errors.InvalidTextRepresentation:
            pass
    assert conn.execute(f"select a from {table_name}").fetchall() == [(1,)]


@pytest.mark.parametrize(
    ("sql", "state"),
    [
        ("select * from no_such_table", "42P01"),
        ("select no_such_column from (select 1 a) s", "42703"),
        ("select a from (select 1 a)", "42601"),  # PostgreSQL 15: a subquery in FROM needs an alias
        ("selec 1", "42601"),
        ("select 'abc'::int", "22P02"),
        ("select 1/0", "22012"),
        ("select no_such_function(1)", "42883"),
    ],
)
def test_error_sqlstates(conn, sql, state) -> None:
    with pytest.raises(psycopg.Error) as ei:
        conn.execute(sql)
    assert ei.value.sqlstate == state
    assert conn.execute("select 1").fetchone() == (1,)


def test_constraint_sqlstates(conn, table_name) -> None:
    conn.execute(f"create table {table_name}(id int primary key, v text not null)")
    conn.execute(f"insert into {table_name} values (1, 'a')")
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(f"insert into {table_name} values (1, 'b')")
    with pytest.raises(psycopg.errors.NotNullViolation):
        conn.execute(f"insert into {table_name} values (2, null)")


def test_command_tags_and_rowcounts(conn, table_name) -> None:
    cur = conn.cursor()
    cur.execute(f"create table {table_name}(a int)")
    assert cur.statusmessage == "CREATE TABLE"
    cur.execute(f"insert into {table_name} select * from range(5)")
    assert cur.statusmessage == "INSERT 0 5" and cur.rowcount == 5
    cur.execute(f"update {table_name} set a = a + 1 where a < 3")
    assert cur.statusmessage == "UPDATE 3" and cur.rowcount == 3
    cur.execute(f"delete from {table_name} where a > 3")
    assert cur.statusmessage == "DELETE 1"
    cur.execute(f"select * from {table_name}")
    assert cur.statusmessage == "SELECT 4" and cur.rowcount == 4
    cur.execute(f"drop table {table_name}")
    assert cur.statusmessage == "DROP TABLE"


def test_postgres_semantics(conn) -> None:
    assert conn.execute("select 7/2, -7/2, 7.0/2, 1/3*3.0").fetchone() == (3, -3, 3.5, 0)
    assert conn.execute("select x from (values (1), (null), (2)) t(x) order by x").fetchall() == [
        (1,),
        (2,),
        (None,),
    ]
    assert conn.execute("select x from (values (1), (null), (2)) t(x) order by x desc").fetchall() == [
        (None,),
        (2,),
        (1,),
    ]


def test_duckdb_syntax_accepted(conn) -> None:
    assert conn.execute("from range(3) select count(*)").fetchone() == (3,)
    assert conn.execute("select 1::hugeint, 'ab'::blob, 2::double").fetchone() == (1, b"ab", 2.0)


def test_set_show_reset(conn) -> None:
    conn.execute("set application_name = 'myapp'")
    assert conn.info.parameter_status("application_name") == "myapp"
    assert conn.execute("show application_name").fetchone() == ("myapp",)
    conn.execute("set extra_float_digits = 3")
    conn.execute("SET TIME ZONE 'America/New_York'")
    assert conn.info.parameter_status("TimeZone") == "America/New_York"
    assert conn.execute("select '2024-01-01 12:00:00+00'::timestamptz::text").fetchone() == (
        "2024-01-01 07:00:00-05",
    )
    conn.execute("reset all")
    assert conn.execute("show timezone").fetchone() == ("UTC",)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("set memory_limit = '100GB'")


def test_malformed_message_ends_only_that_connection(server, pdb, raw) -> None:
    raw.send(b"Q\x00\x00\x00\x02")  # length shorter than the header
    kind, body = raw.recv()
    assert kind == b"E"
    assert rawpg.backend.parse_error_fields(body)["C"] == "08P01"
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD) as other:
        assert other.execute("select 1").fetchone() == (1,)


def test_temp_tables_and_settings_do_not_leak_between_sessions(server, pdb, conn) -> None:
    conn.execute("create temp table mine(a int)")
    conn.execute("set timezone = 'Asia/Tokyo'")
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD) as other:
        with pytest.raises(psycopg.errors.UndefinedTable):
            other.execute("select * from mine")
        other.rollback()
        assert other.execute("show timezone").fetchone() == ("UTC",)
        assert other.execute("select current_setting('TimeZone')").fetchone() == ("UTC",)


def test_deallocate(conn) -> None:
    # psycopg prepares statements it sees often and clears them with DEALLOCATE ALL
    for i in range(8):
        assert conn.execute("select %s::int + 1", (i,), prepare=True).fetchone() == (i + 1,)
    conn.execute("DEALLOCATE ALL")
    assert conn.execute("select 1").fetchone() == (1,)
    conn.execute("prepare q as select 41 + 1")
    assert conn.execute("execute q").fetchone() == (42,)
    conn.execute("deallocate q")
    with pytest.raises(psycopg.Error):
        conn.execute("execute q")


def test_column_names_as_postgresql(conn, table_name) -> None:
    conn.execute(f"create table {table_name}(a int, b text)")
    cur = conn.execute(
        f"select count(*), 1, a, b::text, sum(a), max(b) as m, lower(b) from {table_name} group by a, b"
    )
    assert [d.name for d in cur.description] == ["count", "?column?", "a", "b", "sum", "m", "lower"]
    cur = conn.execute("select count(*) from range(3)", prepare=True)
    assert [d.name for d in cur.description] == ["count"]


def test_transaction_characteristics(conn) -> None:
    # PostgreSQL's default level (see tests/test_write_gate.py for what each level gives)
    assert conn.execute("SHOW TRANSACTION ISOLATION LEVEL").fetchone() == ("read committed",)
    assert conn.execute("SHOW TIME ZONE").fetchone() == ("UTC",)
    conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED")
    conn.autocommit = False
    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    assert conn.execute("select 1").fetchone() == (1,)
    conn.rollback()
