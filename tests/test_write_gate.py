"""Writers that wait (issue 12): concurrent writers of one PDB wait for each other, as PostgreSQL's
row locks make them, instead of failing with DuckDB's 40001; lock_timeout, NOWAIT, SKIP LOCKED,
cancel and statement_timeout end a wait; readers never wait."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD


@pytest.fixture
def counter(conn, table_name):
    conn.execute(f"create table {table_name}(id int primary key, n int)")
    conn.execute(f"insert into {table_name} values (1, 0), (2, 0)")
    return table_name


@pytest.fixture
def other(server, pdb):
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
        yield c


def _in_thread(fn) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def run() -> None:
        try:
            out["result"] = fn()
        except Exception as e:  # the assertion happens in the test's thread
            out["error"] = e
        out["at"] = time.monotonic()

    t = threading.Thread(target=run)
    t.start()
    return t, out


def test_second_writer_waits_for_the_first_and_both_updates_count(conn, other, counter) -> None:
    conn.execute("begin")
    conn.execute(f"update {counter} set n = n + 1 where id = 1")
    t, out = _in_thread(lambda: other.execute(f"update {counter} set n = n + 10 where id = 1").rowcount)
    time.sleep(0.5)
    assert t.is_alive(), "the second writer did not wait"
    committed = time.monotonic()
    conn.execute("commit")
    t.join(10)
    assert "error" not in out, out.get("error")
    assert out["result"] == 1 and out["at"] >= committed
    # READ COMMITTED: the waiting UPDATE saw the first one's commit, so no update is lost.
    assert conn.execute(f"select n from {counter} where id = 1").fetchone() == (11,)


def test_readers_never_wait_for_a_writer(conn, other, counter) -> None:
    conn.execute("begin")
    conn.execute(f"update {counter} set n = 5 where id = 1")
    # Another session reads the committed row at once, in and out of a transaction block.
    assert other.execute(f"select n from {counter} where id = 1").fetchone() == (0,)
    with other.transaction():
        assert other.execute(f"select count(*) from {counter}").fetchone() == (2,)
    conn.execute("rollback")


def test_many_concurrent_increments_lose_nothing(server, pdb, counter) -> None:
    def worker() -> None:
        with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD) as c:
            for _ in range(10):
                with c.transaction():
                    (n,) = c.execute(f"select n from {counter} where id = 2 for update").fetchone()
                    c.execute(f"update {counter} set n = %s where id = 2", (n + 1,))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD) as c:
        # read-modify-write under FOR UPDATE: 40 increments, none lost, none failed
        assert c.execute(f"select n from {counter} where id = 2").fetchone() == (40,)


def test_lock_timeout_ends_the_wait_with_55P03_and_the_session_goes_on(conn, other, counter) -> None:
    conn.execute("begin")
    conn.execute(f"update {counter} set n = 1 where id = 1")
    other.execute("set lock_timeout = '300ms'")
    assert other.execute("show lock_timeout").fetchone() == ("300ms",)
    started = time.monotonic()
    with pytest.raises(psycopg.errors.LockNotAvailable) as e:
        other.execute(f"update {counter} set n = 2 where id = 2")
    assert e.value.sqlstate == "55P03"
    assert "lock timeout" in str(e.value)
    assert time.monotonic() - started >= 0.25
    conn.execute("commit")
    other.execute(f"update {counter} set n = 2 where id = 2")
    assert other.execute(f"select n from {counter} order by id").fetchall() == [(1,), (2,)]


def test_nowait_and_skip_locked(conn, other, counter) -> None:
    conn.execute("begin")
    conn.execute(f"select * from {counter} where id = 1 for update")
    with pytest.raises(psycopg.errors.LockNotAvailable) as e:
        other.execute(f"select * from {counter} where id = 1 for update nowait")
    assert e.value.sqlstate == "55P03"
    # SKIP LOCKED: the rows are locked by the other writer, so none are returned, at once.
    cur = other.execute(f"select id from {counter} for update skip locked")
    assert cur.fetchall() == []
    assert [d.name for d in cur.description] == ["id"]
    conn.execute("commit")
    assert other.execute(f"select id from {counter} order by id for update skip locked").fetchall() == [
        (1,),
        (2,),
    ]


def test_for_update_of_and_share_spellings_run(conn, counter) -> None:
    conn.execute("begin")
    for clause in (
        "for update",
        "for no key update",
        "for share",
        "for key share",
        f"for update of {counter}",
    ):
        assert conn.execute(f"select id from {counter} where id = 1 {clause}").fetchall() == [(1,)]
    conn.execute("commit")


def test_for_update_in_a_read_only_transaction_is_25006(conn, counter) -> None:
    conn.execute("begin read only")
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction) as e:
        conn.execute(f"select * from {counter} for update")
    assert e.value.sqlstate == "25006"
    conn.execute("rollback")


def test_cancel_ends_a_wait_and_the_session_goes_on(conn, server, pdb, counter) -> None:
    conn.execute("begin")
    conn.execute(f"update {counter} set n = 7 where id = 1")
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as waiter:
        threading.Timer(0.4, waiter.cancel_safe).start()
        with pytest.raises(psycopg.errors.QueryCanceled) as e:
            waiter.execute(f"update {counter} set n = 8 where id = 1")
        assert e.value.sqlstate == "57014"
        assert waiter.execute("select 1").fetchone() == (1,)
        conn.execute("commit")
        assert waiter.execute(f"select n from {counter} where id = 1").fetchone() == (7,)


def test_statement_timeout_ends_a_wait(conn, other, counter) -> None:
    conn.execute("begin")
    conn.execute(f"delete from {counter} where id = 2")
    other.execute("set statement_timeout = '300ms'")
    with pytest.raises(psycopg.errors.QueryCanceled) as e:
        other.execute(f"insert into {counter} values (3, 0)")
    assert "statement timeout" in str(e.value)
    conn.execute("rollback")
    other.execute("reset statement_timeout")


def test_waiting_writer_in_a_block_then_commits(conn, other, counter) -> None:
    conn.execute("begin")
    conn.execute(f"update {counter} set n = 100 where id = 1")

    def second() -> list:
        with other.transaction():
            other.execute(f"update {counter} set n = n + 1 where id = 1")
            return other.execute(f"select n from {counter} where id = 1").fetchall()

    t, out = _in_thread(second)
    time.sleep(0.3)
    conn.execute("commit")
    t.join(10)
    assert "error" not in out, out.get("error")
    assert out["result"] == [(101,)]


def test_repeatable_read_conflict_is_a_serialization_failure(conn, other, counter) -> None:
    # PostgreSQL: a REPEATABLE READ transaction that updates a row changed since its snapshot
    # fails with 40001; the application retries.
    other.execute("begin isolation level repeatable read")
    assert other.execute("show transaction_isolation").fetchone() == ("repeatable read",)
    other.execute(f"select n from {counter} where id = 1").fetchone()
    conn.execute(f"update {counter} set n = 50 where id = 1")  # autocommit: committed now
    with pytest.raises(psycopg.errors.SerializationFailure) as e:
        other.execute(f"update {counter} set n = n + 1 where id = 1")
    assert e.value.sqlstate == "40001"
    other.execute("rollback")
    assert other.execute(f"select n from {counter} where id = 1").fetchone() == (50,)


def test_isolation_level_settings(conn) -> None:
    assert conn.execute("show transaction_isolation").fetchone() == ("read committed",)
    assert conn.execute("show default_transaction_isolation").fetchone() == ("read committed",)
    conn.execute("begin")
    conn.execute("set transaction isolation level serializable")
    assert conn.execute("show transaction_isolation").fetchone() == ("serializable",)
    conn.execute("select 1")  # the block's first query: its isolation is fixed from here
    with pytest.raises(psycopg.errors.ActiveSqlTransaction) as e:
        conn.execute("set transaction isolation level read committed")
    assert e.value.sqlstate == "25001"
    conn.execute("rollback")
    conn.execute("set default_transaction_isolation = 'repeatable read'")
    conn.execute("begin")
    assert conn.execute("show transaction_isolation").fetchone() == ("repeatable read",)
    conn.execute("rollback")
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        conn.execute("set default_transaction_isolation = 'chaos'")
    conn.execute("reset default_transaction_isolation")


def test_psycopg_isolation_level_attribute(server, pdb, counter) -> None:
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD) as c:
        c.isolation_level = psycopg.IsolationLevel.SERIALIZABLE
        with c.transaction():
            assert c.execute("show transaction_isolation").fetchone() == ("serializable",)
            c.execute(f"update {counter} set n = n + 1 where id = 2")
        assert c.execute(f"select n from {counter} where id = 2").fetchone() == (1,)


def test_read_committed_statements_see_what_was_committed_before_them(conn, other, counter) -> None:
    """PostgreSQL's READ COMMITTED: each statement of a block sees the rows committed before it
    began (DuckDB's transaction kept its first snapshot: the second count was 2, not 3). REPEATABLE
    READ keeps the block's snapshot; a block that has written sees its own rows and what was
    committed before its first write."""
    other.execute("begin")
    assert other.execute(f"select count(*) from {counter}").fetchone() == (2,)
    conn.execute(f"insert into {counter} values (3, 0)")
    assert other.execute(f"select count(*) from {counter}").fetchone() == (3,)
    conn.execute(f"update {counter} set n = 7 where id = 1")
    assert other.execute(f"select n from {counter} where id = 1").fetchone() == (7,)
    other.execute(f"update {counter} set n = n + 1 where id = 2")  # the block writes: holds the gate
    assert other.execute(f"select id, n from {counter} order by id").fetchall() == [(1, 7), (2, 1), (3, 0)]
    other.execute("commit")

    other.execute("begin isolation level repeatable read")
    assert other.execute(f"select count(*) from {counter}").fetchone() == (3,)
    conn.execute(f"insert into {counter} values (4, 0)")
    assert other.execute(f"select count(*) from {counter}").fetchone() == (3,)
    other.execute("commit")
    assert other.execute(f"select count(*) from {counter}").fetchone() == (4,)

    other.execute("begin read only")  # a read-only block stays read-only when it looks again
    conn.execute(f"insert into {counter} values (5, 0)")
    assert other.execute(f"select count(*) from {counter}").fetchone() == (5,)
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        other.execute(f"delete from {counter}")
    other.execute("rollback")
