"""The repeat path of a repeated prepared SELECT, end to end (issue 18: session.core's
Session._fast_cycle over EngineSession.run_fast). A driver's Bind, Describe, Execute, Sync of a
statement whose runs are small and quick are handled in one step; everything the usual path
does for them must still happen: the lockdown verdict at each Bind, errors as ErrorResponses
with the session going on, other sessions' DDL, pipelines, the right replies in order."""

from __future__ import annotations

import struct

import psycopg
import pytest

from tests import rawpg
from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.server import RunningServer

RUNS = 8  # enough for a shape to be learnt small and quick and its parse kept


@pytest.fixture
def items(conn, table_name) -> str:
    conn.execute(f"create table {table_name}(id int primary key, v varchar, n bigint)")
    conn.execute(f"insert into {table_name} select i, 'v' || i, i * 1000 from range(1, 51) t(i)")
    return table_name


def _dsn(server: RunningServer, pdb: str) -> str:
    return f"host=127.0.0.1 port={server.port} dbname={pdb} user={PDB_ADMIN} password={PDB_PASSWORD}"


@pytest.mark.parametrize("binary", [False, True])
def test_repeated_prepared_point_queries(server, pdb, items, binary) -> None:
    with (
        psycopg.connect(_dsn(server, pdb), autocommit=True, prepare_threshold=0) as c,
        c.cursor(binary=binary) as cur,
    ):
        for i in list(range(1, 51)) * 2 + [51, 0]:
            cur.execute(f"select v, n, id from {items} where id = %s", (i,))
            assert cur.fetchall() == ([] if i in (0, 51) else [(f"v{i}", i * 1000, i)])
            assert cur.description[0].name == "v" and cur.rowcount == (0 if i in (0, 51) else 1)


def test_a_failing_run_is_an_error_response_and_the_session_goes_on(server, pdb, items) -> None:
    raw = rawpg.RawConn(server.port, PDB_ADMIN, PDB_PASSWORD, pdb)
    try:
        raw.send(rawpg.parse("q", f"select 100 / (id - $1) as x from {items} where id = 5", [23]), rawpg.SYNC)
        assert rawpg.kinds(raw.until_ready()) == "1Z"

        def cycle(param: bytes) -> list[tuple[bytes, bytes]]:
            raw.send(rawpg.bind("", "q", [param]), rawpg.describe("P", ""), rawpg.execute(""), rawpg.SYNC)
            return raw.until_ready()

        for i in [0, 1, 2, 3, 4, 6, 7, 8]:
            out = cycle(str(i).encode())
            assert rawpg.kinds(out) == "2TDCZ" and rawpg.rows(out) == [[str(int(100 / (5 - i))).encode()]]
        out = cycle(b"5")  # division by zero in the run
        assert rawpg.kinds(out) == "2TEZ" and rawpg.errors(out)[0]["C"] == "22012"
        out = cycle(b"x")  # not an integer: refused at Bind
        assert rawpg.kinds(out) == "EZ" and rawpg.errors(out)[0]["C"] == "22P02"
        assert out[-1][1] == b"I"
        out = cycle(b"4")
        assert rawpg.kinds(out) == "2TDCZ" and rawpg.rows(out) == [[b"100"]]
        # A binary parameter of the wrong length is a protocol-level error of the Bind (08P01)
        raw.send(rawpg.bind("", "q", [b"\x00\x01"], [1]), rawpg.execute(""), rawpg.SYNC)
        out = raw.until_ready()
        assert rawpg.kinds(out) == "EZ" and rawpg.errors(out)[0]["C"] == "08P01"
        raw.send(rawpg.bind("", "q", [b"1", b"2"]), rawpg.execute(""), rawpg.SYNC)
        out = raw.until_ready()
        assert rawpg.kinds(out) == "EZ" and rawpg.errors(out)[0]["M"] == (
            'bind message supplies 2 parameters, but prepared statement "q" requires 1'
        )
        raw.send(rawpg.bind("", "q", [struct.pack("!i", 3)], [1]), rawpg.execute(""), rawpg.SYNC)
        assert rawpg.rows(raw.until_ready()) == [[b"50"]]
    finally:
        raw.close()


def test_pipelines_and_portals_are_answered_in_order(server, pdb, items) -> None:
    raw = rawpg.RawConn(server.port, PDB_ADMIN, PDB_PASSWORD, pdb)
    try:
        raw.send(rawpg.parse("q", f"select v from {items} where id = $1", [23]), rawpg.SYNC)
        raw.until_ready()
        for i in range(RUNS):
            raw.send(rawpg.bind("", "q", [str(i + 1).encode()]), rawpg.execute(""), rawpg.SYNC)
            assert rawpg.rows(raw.until_ready()) == [[f"v{i + 1}".encode()]]
        # two executions before one Sync; a named portal asked for twice; a row limit
        raw.send(
            rawpg.bind("", "q", [b"1"]),
            rawpg.execute(""),
            rawpg.bind("", "q", [b"2"]),
            rawpg.execute(""),
            rawpg.SYNC,
        )
        out = raw.until_ready()
        assert rawpg.kinds(out) == "2DC2DCZ" and rawpg.rows(out) == [[b"v1"], [b"v2"]]
        raw.send(rawpg.bind("p", "q", [b"3"]), rawpg.execute("p"), rawpg.execute("p"), rawpg.SYNC)
        out = raw.until_ready()
        assert rawpg.kinds(out) == "2DCCZ" and rawpg.rows(out) == [[b"v3"]]
        raw.send(rawpg.bind("", "q", [b"4"]), rawpg.execute("", 1), rawpg.SYNC)
        assert rawpg.rows(raw.until_ready()) == [[b"v4"]]
        raw.send(rawpg.bind("", "q", [b"5"]), rawpg.execute(""), rawpg.FLUSH)  # no Sync yet
        out = [raw.recv(), raw.recv(), raw.recv()]
        assert rawpg.kinds(out) == "2DC"
        raw.send(rawpg.SYNC)
        assert rawpg.kinds(raw.until_ready()) == "Z"
    finally:
        raw.close()


def test_another_sessions_ddl_is_seen_at_the_next_run(server, pdb, items) -> None:
    with (
        psycopg.connect(_dsn(server, pdb), autocommit=True, prepare_threshold=0) as a,
        psycopg.connect(_dsn(server, pdb), autocommit=True) as b,
    ):
        q = f"select v from {items} where id = %s"
        for i in range(1, RUNS + 1):
            assert a.execute(q, (i,)).fetchone() == (f"v{i}",)
        b.execute(f"alter table {items} alter v type int using id * 2")
        with pytest.raises(psycopg.Error) as e:  # PostgreSQL: the cached plan's result type changed
            a.execute(q, (3,)).fetchone()
        assert e.value.sqlstate == "0A000"
        assert e.value.diag.message_primary == "cached plan must not change result type"
        a.execute("deallocate all")
        assert a.execute(q, (3,)).fetchone() == (6,)


def test_a_transaction_block_and_read_committed(server, pdb, items) -> None:
    with (
        psycopg.connect(_dsn(server, pdb), prepare_threshold=0) as a,
        psycopg.connect(_dsn(server, pdb), autocommit=True) as b,
    ):
        q = f"select n from {items} where id = %s"
        for _ in range(RUNS):
            assert a.execute(q, (1,)).fetchone() == (1000,)
            a.commit()
        assert a.execute(q, (1,)).fetchone() == (1000,)  # (a block: not the repeat path)
        b.execute(f"update {items} set n = 7 where id = 1")
        assert a.execute(q, (1,)).fetchone() == (7,)  # READ COMMITTED: the new value
        a.rollback()
        a.autocommit = True
        assert a.execute(q, (1,)).fetchone() == (7,)


def test_a_lockdown_profile_applies_to_the_next_execution(server, pdb, items) -> None:
    with server.connect(autocommit=True) as root:
        try:
            root.execute("CREATE LOCKDOWN PROFILE fastpath")
            root.execute("ALTER SYSTEM SET PDB_LOCKDOWN = fastpath")
            with psycopg.connect(_dsn(server, pdb), autocommit=True, prepare_threshold=0) as c:
                q = f"select v from {items} where id = %s"
                for i in range(1, RUNS + 1):
                    assert c.execute(q, (i,)).fetchone() == (f"v{i}",)
                root.execute("ALTER LOCKDOWN PROFILE fastpath DISABLE STATEMENT = ('SELECT')")
                with pytest.raises(psycopg.Error) as e:
                    c.execute(q, (1,))
                assert e.value.sqlstate == "42501" and "ORA-01031" in e.value.diag.message_primary
                root.execute("ALTER LOCKDOWN PROFILE fastpath ENABLE STATEMENT = ('SELECT')")
                assert c.execute(q, (2,)).fetchone() == ("v2",)
        finally:
            root.execute("ALTER SYSTEM RESET PDB_LOCKDOWN")
            root.execute("DROP LOCKDOWN PROFILE IF EXISTS fastpath")


def _simple(raw: rawpg.RawConn, sql: str) -> list[tuple[bytes, bytes]]:
    raw.send(rawpg.query(sql))
    return raw.until_ready()


def test_simple_queries_of_one_shape(server, pdb, items) -> None:
    """Texts that differ in their numbers run from one parse with the numbers as parameters;
    numbers that are not parameters (an ordinal, a function's argument) are the text's own."""
    raw = rawpg.RawConn(server.port, PDB_ADMIN, PDB_PASSWORD, pdb)
    try:
        for _ in range(2):
            for i in [*range(1, 30), 0, 51, 3_000_000_000, 7]:
                out = _simple(raw, f"select v, n from {items} where id = {i}")
                expected = [[f"v{i}".encode(), str(i * 1000).encode()]] if 1 <= i <= 50 else []
                assert rawpg.kinds(out) == "T" + "D" * len(expected) + "CZ" and rawpg.rows(out) == expected
                assert out[-2][1] == f"SELECT {len(expected)}\0".encode()
        for _ in range(RUNS):
            for order in (1, 2):
                out = _simple(raw, f"select id, v from {items} where id > 40 order by {order} desc limit 3")
                by = [[b"50", b"v50"], [b"49", b"v49"], [b"48", b"v48"]]
                if order == 2:  # (by text: 'v50' > 'v49' > 'v48')
                    by = [[b"50", b"v50"], [b"49", b"v49"], [b"48", b"v48"]]
                assert rawpg.rows(out) == by
                out = _simple(raw, f"select substr(v, {order}, 2) from {items} where id = 12")
                assert rawpg.rows(out) == [[b"v1" if order == 1 else b"12"]]
        for i in [1, 2, 3, 4, 6, 7, 8, 9]:
            out = _simple(raw, f"select 100 / (id - 5) from {items} where id = {i}")
            assert rawpg.rows(out) == [[str(int(100 / (i - 5))).encode()]]
        out = _simple(raw, f"select 100 / (id - 5) from {items} where id = 5")
        # (as on the usual path: the RowDescription goes with the rows, none after an error)
        assert rawpg.kinds(out) == "EZ" and rawpg.errors(out)[0]["C"] == "22012" and out[-1][1] == b"I"
        assert rawpg.rows(_simple(raw, f"select v from {items} where id = 4")) == [[b"v4"]]
    finally:
        raw.close()


def test_simple_queries_see_ddl_transactions_and_lockdown(server, pdb, items) -> None:
    raw = rawpg.RawConn(server.port, PDB_ADMIN, PDB_PASSWORD, pdb)
    try:
        with (
            psycopg.connect(_dsn(server, pdb), autocommit=True) as b,
            server.connect(autocommit=True) as root,
        ):
            for i in range(1, RUNS + 1):
                assert rawpg.rows(_simple(raw, f"select v from {items} where id = {i}")) == [
                    [f"v{i}".encode()]
                ]
            b.execute(f"alter table {items} alter v type int using id * 3")
            out = _simple(raw, f"select v from {items} where id = 2")
            assert rawpg.rows(out) == [[b"6"]]
            assert struct.unpack("!i", out[0][1][-18 + 6 : -18 + 10])[0] == 23  # RowDescription: int4
            _simple(raw, "begin")
            assert rawpg.rows(_simple(raw, f"select v from {items} where id = 3")) == [[b"9"]]
            b.execute(f"update {items} set v = 0 where id = 3")
            assert rawpg.rows(_simple(raw, f"select v from {items} where id = 3")) == [[b"0"]]
            _simple(raw, "commit")
            try:
                root.execute("CREATE LOCKDOWN PROFILE fastsimple")
                root.execute("ALTER SYSTEM SET PDB_LOCKDOWN = fastsimple")
                for i in range(1, RUNS + 1):
                    assert (
                        rawpg.rows(_simple(raw, f"select v from {items} where id = {i}"))
                        == [[str(i * 3).encode()]]
                        or i == 3
                    )
                root.execute("ALTER LOCKDOWN PROFILE fastsimple DISABLE STATEMENT = ('SELECT')")
                out = _simple(raw, f"select v from {items} where id = 5")
                assert rawpg.kinds(out) == "EZ" and "ORA-01031" in rawpg.errors(out)[0]["M"]
            finally:
                root.execute("ALTER SYSTEM RESET PDB_LOCKDOWN")
                root.execute("DROP LOCKDOWN PROFILE IF EXISTS fastsimple")
            assert rawpg.rows(_simple(raw, f"select v from {items} where id = 5")) == [[b"15"]]
    finally:
        raw.close()
