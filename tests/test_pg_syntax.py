"""PostgreSQL syntax and functions that BI tools send, through a real server with psycopg and raw
protocol messages: SELECT ... INTO, CREATE LOCAL TEMPORARY TABLE, keyword column aliases,
to_char, format, parse_ident, substring(... FROM 'regex') and scalar functions in FROM. The
rewritten statements stay under the sandbox, the privileges and the lockdown profile."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from decimal import Decimal

import psycopg
import pytest

from tests import rawpg
from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.pg15 import PostgresServer, pg15
from tests.server import RunningServer

__all__ = ["pg15"]


@pytest.fixture
def conn(server: RunningServer, pdb: str) -> Iterator[psycopg.Connection]:
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
        yield c


@pytest.fixture
def name() -> str:
    return "pgs_" + uuid.uuid4().hex[:10]


@pytest.mark.parametrize("prepare", [False, True])
def test_select_into_creates_the_table(conn: psycopg.Connection, name: str, prepare: bool) -> None:
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT g AS n, 'x' || g AS s INTO TEMPORARY TABLE {name} FROM generate_series(1, 3) g",
            prepare=prepare,
        )
        assert cur.statusmessage == "SELECT 3"
        assert cur.rowcount == 3
        assert cur.description is None
        assert cur.execute(f"SELECT n, s FROM {name} ORDER BY n").fetchall() == [
            (1, "x1"),
            (2, "x2"),
            (3, "x3"),
        ]
        cur.execute(f"DROP TABLE {name}")


def test_select_into_tag_in_simple_protocol(server: RunningServer, pdb: str, name: str) -> None:
    raw = rawpg.RawConn(server.port, PDB_ADMIN, PDB_PASSWORD, pdb)
    try:
        raw.send(rawpg.query(f"SELECT 1 AS a INTO {name}; SELECT a FROM {name}; DROP TABLE {name}"))
        msgs = raw.until_ready()
        assert rawpg.kinds(msgs) == "CTDCCZ"
        tags = [body.rstrip(b"\0") for kind, body in msgs if kind == b"C"]
        assert tags == [b"SELECT 1", b"SELECT 1", b"DROP TABLE"]
    finally:
        raw.close()


def test_local_temporary_table_preserves_rows(conn: psycopg.Connection, name: str) -> None:
    conn.execute(f'CREATE LOCAL TEMPORARY TABLE "#{name}" ("COL" INTEGER) ON COMMIT PRESERVE ROWS')
    with conn.transaction():
        conn.execute(f'INSERT INTO "#{name}" VALUES (1), (2)')
    assert conn.execute(f'SELECT count(*) FROM "#{name}"').fetchone() == (2,)
    conn.execute(f'DROP TABLE "#{name}"')
    conn.execute(f"CREATE GLOBAL TEMP TABLE {name} (a INT)")
    conn.execute(f"DROP TABLE {name}")


def test_prepare_with_parameter_types(conn: psycopg.Connection, name: str) -> None:
    """PREPARE name (type, ...) AS ...: the parameters take the listed types (DuckDB's PREPARE
    has no type list: it refused the statement, 0A000)."""
    conn.execute(f"PREPARE {name}_a (int, text) AS SELECT $1 + 1 AS n, $2 AS s")
    cur = conn.execute(f"EXECUTE {name}_a (41, 'x')")
    assert cur.fetchall() == [(42, "x")]
    assert [d.type_code for d in cur.description] == [23, 25]
    conn.execute(f"CREATE TEMP TABLE {name} (a numeric(6, 2), b varchar(3))")
    conn.execute(f"PREPARE {name}_b (numeric, varchar) AS INSERT INTO {name} VALUES ($1, $2)")
    cur = conn.execute(f"EXECUTE {name}_b ('1.5', 'ab')")
    assert (cur.statusmessage, cur.rowcount) == ("INSERT 0 1", 1)  # (its statement's tag, as PostgreSQL's)
    assert conn.execute(f"SELECT a, b FROM {name}").fetchall() == [(Decimal("1.50"), "ab")]
    conn.execute(f"PREPARE {name}_c AS UPDATE {name} SET b = 'x'")
    assert conn.execute(f"EXECUTE {name}_c").statusmessage == "UPDATE 1"
    conn.execute(f"DEALLOCATE {name}_c")
    conn.execute(f"DEALLOCATE {name}_a")
    conn.execute(f"DEALLOCATE {name}_b")


def test_prepared_statement_bodies_answer_as_the_statement_would(
    conn: psycopg.Connection, name: str, pg15: PostgresServer
) -> None:
    """EXECUTE runs its PREPARE's statement rewritten as any statement is: a float product that
    overflows is 22003 (it was Infinity), 1::numeric / 3 a numeric (it was a float8), an INSERT
    ... RETURNING tagged INSERT; an unknown name is 26000. Each answer is PostgreSQL 15's."""
    statements = [
        f"PREPARE {name}_a AS SELECT $1::float8 * 2 AS a",
        f"EXECUTE {name}_a(1e308)",
        f"EXECUTE {name}_a(2)",
        f"PREPARE {name}_b AS SELECT 1::numeric / 3 AS a, string_to_array('ab', NULL) AS b",
        f"EXECUTE {name}_b",
        f"PREPARE {name}_c (float8) AS SELECT $1 * 10 AS a, $1::text AS b",
        f"EXECUTE {name}_c(1e308)",
        f"EXECUTE {name}_c(2)",
        f"CREATE TEMP TABLE {name} (i int, n numeric)",
        f"PREPARE {name}_d (int, numeric) AS INSERT INTO {name} VALUES ($1, $2) RETURNING i, n",
        f"EXECUTE {name}_d(1, 1.5)",
        f"DEALLOCATE {name}_a",
        f"EXECUTE {name}_a(1)",
    ]

    def answers(con: psycopg.Connection) -> list[tuple]:
        out: list[tuple] = []
        for sql in statements:
            try:
                cur = con.execute(sql)
                rows = cur.fetchall() if cur.description else None
                out.append((cur.statusmessage, [d.type_code for d in cur.description or []], rows))
            except psycopg.Error as e:
                out.append(("error", e.sqlstate))
        return out

    with pg15.connect(autocommit=True) as theirs:
        assert answers(conn) == answers(theirs)


def test_keyword_column_aliases(conn: psycopg.Connection) -> None:
    cur = conn.execute("SELECT 1 AS update, 2 AS select, 'x' AS Table, 3 AS role", prepare=True)
    assert [d.name for d in cur.description] == ["update", "select", "table", "role"]
    assert cur.fetchall() == [(1, 2, "x", 3)]


def test_to_char(conn: psycopg.Connection) -> None:
    row = conn.execute(
        "SELECT to_char(TIMESTAMP '2024-03-05 07:08:09.5', 'YYYY-MM-DD HH24:MI:SS.MS'),"
        " pg_catalog.to_char(DATE '2024-03-05', 'Dy, FMDD Mon YYYY'),"
        " to_char(1234.5, 'FM9,999.00'), to_char(-7, '999'), to_char(%s::numeric, '9G999D9')",
        (Decimal("1234.56"),),
    ).fetchone()
    assert row == ("2024-03-05 07:08:09.500", "Tue, 5 Mar 2024", "1,234.50", "  -7", " 1,234.6")
    ts = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    cur = conn.execute("SELECT to_char(%s::timestamptz, 'HH12:MI AM TZ') AS t", (ts,), prepare=True)
    assert cur.fetchone() == ("03:04 AM UTC",)
    assert cur.description[0].name == "t"
    assert conn.execute("SELECT to_char(now(), 'YYYY')").description[0].name == "to_char"


def test_format_parse_ident_substring(conn: psycopg.Connection) -> None:
    row = conn.execute(
        "SELECT format('%I.%I', 'public', 'My Table'), format('%s=%L', 'k', NULL), format('{}', 1),"
        """ parse_ident('a."B c"'), (parse_ident('x.y'))[2],"""
        " substring('fillfactor=70' FROM 'fillfactor=([0-9]*)'), substring('abc' FROM 'z'),"
        " substring('abcdef' FROM 2 FOR 3)"
    ).fetchone()
    assert row == ('public."My Table"', "k=NULL", "1", ["a", "B c"], "y", "70", None, "bcd")
    with pytest.raises(psycopg.Error) as e:
        conn.execute("SELECT parse_ident('a.')")
    assert "not a valid identifier" in str(e.value)


def test_scalar_functions_in_from(conn: psycopg.Connection) -> None:
    rows = conn.execute(
        "SELECT s[i], i FROM generate_series(1, 2) AS i, string_to_array('x,y', ',') s ORDER BY i"
    ).fetchall()
    assert rows == [("x", 1), ("y", 2)]
    cur = conn.execute("SELECT * FROM upper('abc')")
    assert cur.fetchall() == [("ABC",)] and cur.description[0].name == "upper"
    # Grafana's search-path walk: the schemas of the search path, one row each
    schemas = conn.execute(
        "SELECT trim(s[i]) FROM generate_series(array_lower(string_to_array(current_setting('search_path'), ','), 1),"
        " array_upper(string_to_array(current_setting('search_path'), ','), 1)) AS i,"
        " string_to_array(current_setting('search_path'), ',') s"
    ).fetchall()
    assert ("public",) in schemas


def test_rewritten_statements_stay_in_the_sandbox(conn: psycopg.Connection, name: str) -> None:
    for sql in (
        f"SELECT * INTO TEMP {name} FROM read_csv('/etc/passwd')",
        "SELECT to_char(now(), 'YYYY') FROM read_text('/etc/hostname')",
        "SELECT s FROM string_to_array(getenv('HOME'), '/') s",
        "SELECT format('%s', current_setting('memory_limit'))",
    ):
        with pytest.raises(psycopg.Error) as e:
            conn.execute(sql)
        assert e.value.sqlstate == "42501", sql


def test_select_into_needs_the_create_table_privilege(server: RunningServer, pdb: str, name: str) -> None:
    user = "u" + uuid.uuid4().hex[:8]
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
        adm.execute(f"CREATE TABLE {name} (a INT)")
        adm.execute(f'CREATE USER {user} IDENTIFIED BY "User-Pw-1"')
        adm.execute(f"GRANT CREATE SESSION TO {user}")
        adm.execute(f"GRANT SELECT ON {name} TO {user}")
    with server.connect(pdb, user, "User-Pw-1", autocommit=True) as c:
        assert c.execute(f"SELECT count(*) FROM {name}").fetchone() == (0,)
        with pytest.raises(psycopg.Error) as e:
            c.execute(f"SELECT * INTO TEMP {name}_copy FROM {name}")
        assert e.value.sqlstate == "42501"
        assert "CREATE TABLE privilege" in e.value.diag.message_primary
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
        adm.execute(f"DROP TABLE {name}")
        adm.execute(f"DROP USER {user}")


def test_creating_from_a_query_needs_select_on_its_tables(server: RunningServer, pdb: str, name: str) -> None:
    """CREATE TABLE AS, SELECT INTO and CREATE VIEW read their source tables: SELECT on them is
    needed, as for the query alone (CREATE TABLE alone does not let a user copy a table)."""
    user = "u" + uuid.uuid4().hex[:8]
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
        adm.execute(f"CREATE TABLE {name} (a INT)")
        adm.execute(f'CREATE USER {user} IDENTIFIED BY "User-Pw-1"')
        adm.execute(f"GRANT CREATE SESSION, CREATE TABLE TO {user}")
    copies = (
        f"CREATE TABLE {name}_c1 AS SELECT * FROM {name}",
        f"SELECT * INTO {name}_c2 FROM {name}",
        f"CREATE VIEW {name}_v AS SELECT a FROM {name}",
    )
    with server.connect(pdb, user, "User-Pw-1", autocommit=True) as c:
        for sql in copies:
            with pytest.raises(psycopg.Error, match=f"SELECT on public.{name}") as e:
                c.execute(sql)
            assert e.value.sqlstate == "42501"
        c.execute(f"CREATE TABLE {name}_own (x INT)")  # creating from nothing stays allowed
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
        adm.execute(f"GRANT SELECT ON {name} TO {user}")
    with server.connect(pdb, user, "User-Pw-1", autocommit=True) as c:
        for sql in copies:
            c.execute(sql)
        for obj in ("VIEW {0}_v", "TABLE {0}_c1", "TABLE {0}_c2", "TABLE {0}_own"):
            c.execute(f"DROP {obj.format(name)}")
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
        adm.execute(f"DROP TABLE {name}")
        adm.execute(f"DROP USER {user}")


@pytest.fixture
def root(server: RunningServer) -> Iterator[psycopg.Connection]:
    with server.connect(autocommit=True) as c:
        yield c
        # The shared server's other tests must not run under this test's profile.
        c.execute("ALTER SYSTEM RESET PDB_LOCKDOWN")
        c.execute("DROP LOCKDOWN PROFILE IF EXISTS pgsyntax")


def test_select_into_is_a_create_table_for_lockdown(
    server: RunningServer, pdb: str, root: psycopg.Connection, name: str
) -> None:
    root.execute("CREATE LOCKDOWN PROFILE pgsyntax")
    root.execute("ALTER LOCKDOWN PROFILE pgsyntax DISABLE STATEMENT = ('CREATE TABLE')")
    root.execute("ALTER SYSTEM SET PDB_LOCKDOWN = pgsyntax")
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
        for sql in (f"SELECT 1 AS a INTO TEMP {name}", f"CREATE LOCAL TEMPORARY TABLE {name} (a INT)"):
            with pytest.raises(psycopg.Error) as e:
                c.execute(sql)
            assert e.value.sqlstate == "42501"
            assert "CREATE TABLE is disabled" in e.value.diag.message_primary
        assert c.execute("SELECT 1 AS select").fetchone() == (1,)
