"""READ ONLY transactions (issue 12): BEGIN READ ONLY, SET TRANSACTION, default_transaction_read_only
and SET SESSION CHARACTERISTICS refuse writes with PostgreSQL's 25006; reads go on."""

from __future__ import annotations

import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD


@pytest.fixture
def table(conn, table_name):
    conn.autocommit = True
    conn.execute(f"create table {table_name}(a int)")
    conn.execute(f"insert into {table_name} values (1)")
    return table_name


def _refused(conn, sql: str, verb: str) -> None:
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction) as e:
        conn.execute(sql)
    assert e.value.sqlstate == "25006"
    assert str(e.value).startswith(f"cannot execute {verb} in a read-only transaction")


def test_begin_read_only_refuses_writes_and_reads_go_on(conn, table) -> None:
    conn.execute("BEGIN READ ONLY")
    assert conn.execute(f"select count(*) from {table}").fetchone() == (1,)
    assert conn.execute("show transaction_read_only").fetchone() == ("on",)
    _refused(conn, f"insert into {table} values (2)", "INSERT")
    conn.execute("rollback")
    # The block ended: writes are allowed again, in the same session.
    conn.execute(f"insert into {table} values (2)")
    assert conn.execute("show transaction_read_only").fetchone() == ("off",)
    assert conn.execute(f"select count(*) from {table}").fetchone() == (2,)


@pytest.mark.parametrize(
    "begin",
    [
        "START TRANSACTION READ ONLY",
        "BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY",
        "BEGIN /* a comment */ READ ONLY DEFERRABLE",
    ],
)
def test_begin_spellings(conn, table, begin) -> None:
    conn.execute(begin)
    _refused(conn, f"update {table} set a = 5", "UPDATE")
    conn.execute("rollback")


def test_begin_read_write_is_writable(conn, table) -> None:
    conn.execute("BEGIN READ WRITE")
    conn.execute(f"insert into {table} values (3)")
    conn.execute("commit")
    assert conn.execute(f"select count(*) from {table}").fetchone() == (2,)


def test_set_transaction_read_only_before_first_statement(conn, table) -> None:
    conn.execute("BEGIN")
    conn.execute("SET TRANSACTION READ ONLY")
    assert conn.execute("show transaction_read_only").fetchone() == ("on",)
    _refused(conn, f"delete from {table}", "DELETE")
    conn.execute("rollback")
    assert conn.execute(f"select count(*) from {table}").fetchone() == (1,)


def test_set_transaction_read_write_after_a_query_is_postgres_error(conn, table) -> None:
    conn.execute("BEGIN READ ONLY")
    conn.execute(f"select * from {table}")
    with pytest.raises(psycopg.errors.ActiveSqlTransaction) as e:
        conn.execute("SET TRANSACTION READ WRITE")
    assert "read-write mode must be set before any query" in str(e.value)
    conn.execute("rollback")


def test_set_transaction_outside_a_block_warns(conn) -> None:
    notices: list[str] = []
    conn.add_notice_handler(lambda d: notices.append(d.message_primary))
    conn.execute("SET TRANSACTION READ ONLY")
    assert notices == ["SET TRANSACTION can only be used in transaction blocks"]


def test_default_transaction_read_only(conn, table) -> None:
    conn.execute("SET default_transaction_read_only = on")
    assert conn.execute("show default_transaction_read_only").fetchone() == ("on",)
    # Outside a block each statement is its own read-only transaction...
    _refused(conn, f"insert into {table} values (9)", "INSERT")
    assert conn.execute(f"select count(*) from {table}").fetchone() == (1,)
    _refused(conn, f"create table {table}_x(a int)", "CREATE TABLE")
    # ... and so is every block, unless it says READ WRITE.
    conn.execute("BEGIN")
    _refused(conn, f"insert into {table} values (9)", "INSERT")
    conn.execute("rollback")
    conn.execute("BEGIN READ WRITE")
    conn.execute(f"insert into {table} values (9)")
    conn.execute("commit")
    conn.execute("RESET default_transaction_read_only")
    conn.execute(f"insert into {table} values (10)")
    assert conn.execute(f"select count(*) from {table}").fetchone() == (3,)


def test_session_characteristics_and_copy(conn, table) -> None:
    conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    assert conn.execute("show default_transaction_read_only").fetchone() == ("on",)
    with (
        pytest.raises(psycopg.errors.ReadOnlySqlTransaction),
        conn.cursor().copy(f"copy {table} from stdin") as cp,
    ):
        cp.write("5\n")
    # Several statements in one simple query: one read-only transaction.
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute(f"select 1; insert into {table} values (6)", prepare=False)
    conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
    conn.execute(f"insert into {table} values (6)")
    assert conn.execute(f"select count(*) from {table}").fetchone() == (2,)


def test_startup_option_and_driver_read_only(server, pdb, table) -> None:
    # PGOPTIONS-style startup parameter, and psycopg's read_only (BEGIN READ ONLY per block).
    dsn = f"host=127.0.0.1 port={server.port} dbname={pdb} user={PDB_ADMIN} password={PDB_PASSWORD}"
    with psycopg.connect(dsn, options="-c default_transaction_read_only=on", autocommit=True) as c:
        assert c.execute("show default_transaction_read_only").fetchone() == ("on",)
        _refused(c, f"insert into {table} values (7)", "INSERT")
    with psycopg.connect(dsn) as c:
        c.read_only = True
        assert c.execute(f"select count(*) from {table}").fetchone() == (1,)
        _refused(c, f"insert into {table} values (7)", "INSERT")
        c.rollback()
        c.read_only = False
        c.execute(f"insert into {table} values (7)")
        c.commit()
        assert c.execute(f"select count(*) from {table}").fetchone() == (2,)


def test_extended_protocol_suspended_portal_in_read_only_default(conn, table) -> None:
    conn.execute("SET default_transaction_read_only = on")
    # A prepared SELECT outside a block runs and its transaction ends at Sync.
    for _ in range(3):
        assert conn.execute(f"select count(*) from {table} where a > %s", (0,), prepare=True).fetchone() == (
            1,
        )
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute(f"insert into {table} values (%s)", (8,), prepare=True)
    conn.execute("SET default_transaction_read_only = off")
    conn.execute(f"insert into {table} values (%s)", (8,), prepare=True)
    assert conn.execute(f"select count(*) from {table}").fetchone() == (2,)


def test_boolean_spellings(conn) -> None:
    for spelling, shown in [("true", "on"), ("'yes'", "on"), ("0", "off"), ("of", "off"), ("t", "on")]:
        conn.execute(f"SET default_transaction_read_only = {spelling}")
        assert conn.execute("show default_transaction_read_only").fetchone() == (shown,)
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        conn.execute("SET default_transaction_read_only = maybe")
