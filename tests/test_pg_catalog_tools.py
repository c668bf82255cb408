"""What pg_dump, psql and ORMs ask of a server beside their data (issue 14), compared with the real
PostgreSQL 15 through psycopg (values and type OIDs) and asyncpg: octet_length, regclass display,
INSERT with fewer values than columns, LOCK TABLE, a sequence read as a relation, pg_stat_activity,
pg_prepared_statements, and the PDBs CDB$ROOT lists in pg_database (psql's \\l)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

import asyncpg
import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.pg15 import PostgresServer, pg15  # noqa: F401 - the session fixture

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture
def pg(pg15: PostgresServer):  # noqa: F811
    with pg15.connect(autocommit=True) as c:
        yield c


@pytest.fixture
def table_name(server, pdb, pg15):  # noqa: F811
    """A fresh table name, dropped on both sides afterwards (the shared PDB's other users count tables)."""
    name = "t_" + uuid.uuid4().hex[:10]
    yield name
    with (
        server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c,
        pg15.connect(autocommit=True) as p,
    ):
        for con in (c, p):
            con.execute(f"drop table if exists {name}")


def _answer(con: psycopg.Connection, sql: str, params: tuple = ()) -> tuple[list[tuple], list[int]]:
    cur = con.execute(sql, params)
    return cur.fetchall(), [d.type_code for d in cur.description or []]


def _error(con: psycopg.Connection, sql: str) -> tuple[str | None, str]:
    with pytest.raises(psycopg.Error) as e:
        con.execute(sql)
    return e.value.sqlstate, e.value.diag.message_primary or ""


def _both(conn: psycopg.Connection, pg: psycopg.Connection, *sql: str) -> None:
    for s in sql:
        conn.execute(s)
        pg.execute(s)


def test_octet_length_of_text_bytea_and_null(conn, pg) -> None:
    sql = (
        "select octet_length('héllo'), octet_length('\\x0102'::bytea), octet_length(''::text),"
        " octet_length(null::text), octet_length('a\\b'::varchar)"
    )
    ours, theirs = _answer(conn, sql), _answer(pg, sql)
    assert ours == theirs
    assert ours[0] == [(6, 2, 0, None, 3)]
    names = [d.name for d in conn.execute(sql).description]
    assert names == ["octet_length"] * 5


def test_octet_length_of_a_text_column(conn, pg, table_name) -> None:
    _both(conn, pg, f"create table {table_name} (s text, b bytea)")
    for c in (conn, pg):
        c.execute(f"insert into {table_name} values (%s, %s), (%s, %s)", ("añb\\x", b"\x00\xff", None, None))
    sql = f"select octet_length(s), octet_length(b) from {table_name} order by 1"
    assert _answer(conn, sql) == _answer(pg, sql)


def test_regclass_prints_the_relation_name(conn, pg, table_name) -> None:
    _both(conn, pg, f"create table {table_name} (a int)")
    for sql in (
        f"select '{table_name}'::regclass::text, 'public.{table_name}'::regclass::text as r",
        f"select c.oid::regclass::text, c.relname::regclass::text from pg_class c where c.relname = '{table_name}'",
        f"select count(*) from pg_class c where c.oid = '{table_name}'::regclass",
        f"select '{table_name}'::regclass::oid = c.oid from pg_class c where c.relname = '{table_name}'",
        # a regclass of an expression: compared as the oid, shown (concatenated, formatted) as the name
        f"select c.relname::text from pg_class c where c.oid = ('public.' || '{table_name}')::regclass",
        f"select count(*) from pg_attribute where ('{table_name[:3]}' || '{table_name[3:]}')::regclass = attrelid"
        " and attnum > 0",
        f"select 'ANALYZE ' || c.oid::regclass, format('%s', c.relname::regclass) from pg_class c"
        f" where c.relname = '{table_name}'",
        f"select c.relname::text from pg_class c where c.oid::regclass = '{table_name}'::regclass",
    ):
        assert conn.execute(sql).fetchall() == pg.execute(sql).fetchall(), sql
    # Shown as a result column it is the name (PostgreSQL's regclass_out), under the type's name.
    cur = conn.execute(f"select '{table_name}'::regclass")
    assert cur.fetchall() == [(table_name,)] and cur.description[0].name == "regclass"


def test_insert_with_fewer_values_fills_defaults(conn, pg, table_name) -> None:
    _both(conn, pg, f"create table {table_name} (a int, b text default 'x', c int)")
    _both(
        conn,
        pg,
        f"insert into {table_name} values (1)",
        f"insert into {table_name} values (2, 'y')",
        f"insert into {table_name} select 3",
        f"insert into {table_name} values (4), (5)",
    )
    with conn.transaction(), pg.transaction():
        _both(conn, pg, f"insert into {table_name} values (6)")
    sql = f"select * from {table_name} order by a"
    assert _answer(conn, sql) == _answer(pg, sql)
    assert conn.execute(sql).fetchall()[0] == (1, "x", None)
    too_many = f"insert into {table_name} values (1, 'a', 2, 3)"
    assert (
        _error(conn, too_many)
        == _error(pg, too_many)
        == (
            "42601",
            "INSERT has more expressions than target columns",
        )
    )


def test_prepared_insert_with_fewer_values(server, pdb, pg15, table_name) -> None:  # noqa: F811
    """asyncpg prepares every statement (extended protocol): the column list is found at Parse."""

    async def run(dsn: str) -> list[tuple]:
        c = await asyncpg.connect(dsn)
        try:
            await c.execute(f"create table {table_name} (a int, b text default 'x', c int)")
            await c.execute(f"insert into {table_name} values ($1)", 7)
            await c.executemany(f"insert into {table_name} values ($1, $2)", [(8, "p"), (9, "q")])
            return [tuple(r) for r in await c.fetch(f"select * from {table_name} order by a")]
        finally:
            await c.close()

    ours = asyncio.run(
        run(f"postgresql://{PDB_ADMIN}:{PDB_PASSWORD}@127.0.0.1:{server.port}/{pdb}?sslmode=disable")
    )
    theirs = asyncio.run(run(f"postgresql://postgres@127.0.0.1:{pg15.port}/postgres?sslmode=disable"))
    assert ours == theirs == [(7, "x", None), (8, "p", None), (9, "q", None)]


def test_lock_table(conn, pg, table_name) -> None:
    _both(conn, pg, f"create table {table_name} (a int)")
    outside = f"lock table {table_name} in access share mode"
    assert _error(conn, outside)[0] == _error(pg, outside)[0] == "25P01"
    missing = "begin; lock table no_such_table_here in access share mode"
    assert _error(conn, missing)[0] == _error(pg, missing)[0] == "42P01"
    _both(conn, pg, "rollback")
    for c in (conn, pg):
        with c.transaction():
            cur = c.execute(f"lock table only public.{table_name} in access share mode")
            assert cur.statusmessage == "LOCK TABLE"
            cur = c.execute(f"lock {table_name}, {table_name} in row exclusive mode nowait")
            assert cur.statusmessage == "LOCK TABLE"


def test_share_lock_keeps_writers_out_until_commit(pdb_dsn, table_name) -> None:  # noqa: F811
    with psycopg.connect(pdb_dsn, autocommit=True) as a, psycopg.connect(pdb_dsn, autocommit=True) as b:
        a.execute(f"create table {table_name} (a int)")
        a.execute("begin")
        a.execute(f"lock table {table_name} in share mode")
        b.execute("set lock_timeout = '300ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            b.execute(f"insert into {table_name} values (1)")
        done = threading.Event()

        def write() -> None:
            b.execute("set lock_timeout = 0")
            b.execute(f"insert into {table_name} values (2)")
            done.set()

        t = threading.Thread(target=write)
        t.start()
        assert not done.wait(0.3)  # waits for the lock holder
        a.execute("commit")
        t.join(10)
        assert done.is_set()
        assert a.execute(f"select a from {table_name}").fetchall() == [(2,)]


def test_sequence_read_as_a_relation(conn, pg) -> None:
    seq = "s_" + uuid.uuid4().hex[:8]
    _both(conn, pg, f"create sequence {seq} start 5")
    try:
        _sequence_checks(conn, pg, seq)
    finally:
        _both(conn, pg, f"drop sequence {seq}")


def _sequence_checks(conn: psycopg.Connection, pg: psycopg.Connection, seq: str) -> None:
    sql = f"select last_value, is_called from {seq}"
    assert _answer(conn, sql) == _answer(pg, sql) == ([(5, False)], [20, 16])
    conn.execute(f"select nextval('{seq}')")
    pg.execute(f"select nextval('{seq}')")
    assert _answer(conn, f"select last_value, is_called from public.{seq}") == _answer(pg, sql)
    missing = "select last_value, is_called from no_such_seq"
    assert _error(conn, missing)[0] == _error(pg, missing)[0] == "42P01"


def _activity(con: psycopg.Connection, pid: int) -> list[tuple]:
    """The session's row once it waits for its client. PostgreSQL reports a backend idle before it
    sends ReadyForQuery but waiting on ClientRead only once it blocks reading the socket: on a
    loaded machine the other client can see idle with no wait event in between (DuckCDB derives
    the wait event from the state, in one row)."""
    deadline = time.monotonic() + 5
    while True:
        rows = con.execute(
            "select state, query, xact_start is not null, wait_event_type, wait_event from pg_stat_activity"
            " where pid = %s",
            (pid,),
        ).fetchall()
        settling = rows and str(rows[0][0]).startswith("idle") and rows[0][4] is None
        if not settling or time.monotonic() > deadline:
            return rows
        time.sleep(0.01)


def test_pg_stat_activity_shows_each_sessions_query(pdb_dsn, pg15) -> None:  # noqa: F811
    for dsn in (pdb_dsn, pg15.dsn()):
        with psycopg.connect(dsn, autocommit=True) as a, psycopg.connect(dsn, autocommit=True) as b:
            pid = a.execute("select pg_backend_pid()").fetchone()[0]
            assert _activity(b, pid) == [("idle", "select pg_backend_pid()", False, "Client", "ClientRead")]
            a.execute("begin")
            a.execute("select 1")
            assert _activity(b, pid) == [("idle in transaction", "select 1", True, "Client", "ClientRead")]
            with pytest.raises(psycopg.Error):
                a.execute("select 1/0")
            assert _activity(b, pid)[0][0] == "idle in transaction (aborted)"
            a.execute("rollback")
            me = b.execute("select pg_backend_pid()").fetchone()[0]
            own = "select state, query from pg_stat_activity where pid = pg_backend_pid()"
            assert b.execute(own).fetchall() == [("active", own)]
            assert me != pid


def test_pg_stat_activity_only_shows_the_pdbs_own_sessions(server, pdb_dsn) -> None:
    other = "ACT_" + uuid.uuid4().hex[:6].upper()
    with server.connect(autocommit=True) as root:
        root.execute(
            f'CREATE PLUGGABLE DATABASE {other} ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"'
        )
        root.execute(f"ALTER PLUGGABLE DATABASE {other} OPEN")
    try:
        with (
            server.connect(other, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as theirs,
            psycopg.connect(pdb_dsn, autocommit=True) as mine,
        ):
            theirs.execute("select 'secret of the other pdb'")
            rows = mine.execute("select query, datname from pg_stat_activity").fetchall()
            assert rows and all("secret" not in (q or "") for q, _ in rows)
            assert {d for _, d in rows} == {mine.execute("select current_database()").fetchone()[0]}
    finally:
        with server.connect(autocommit=True) as root:
            root.execute(f"ALTER PLUGGABLE DATABASE {other} CLOSE IMMEDIATE")
            root.execute(f"DROP PLUGGABLE DATABASE {other} INCLUDING DATAFILES")


def test_pg_prepared_statements(pdb_dsn, pg15) -> None:  # noqa: F811
    sql = (
        "select name, statement, parameter_types::text[], from_sql from pg_prepared_statements order by name"
    )
    answers = []
    for dsn in (pdb_dsn, pg15.dsn()):
        with psycopg.connect(dsn, autocommit=True) as c:
            assert c.execute(sql).fetchall() == []
            c.execute("select %s::int + 1", (1,), prepare=True)  # a named Parse: _pg3_0
            answers.append(c.execute(sql).fetchall())
    assert answers[0] == answers[1]
    assert answers[0][0][0] == "_pg3_0" and answers[0][0][3] is False


def test_root_lists_the_pdbs_in_pg_database(root, pdb, conn) -> None:
    names = {r[0] for r in root.execute("select datname from pg_database").fetchall()}
    assert {"CDB$ROOT", pdb} <= names
    # A PDB sees itself only.
    assert conn.execute("select datname from pg_database").fetchall() == [(pdb,)]


_SCROLL_SCRIPT = [
    "fetch next from c",
    "fetch 2 from c",
    "fetch prior from c",
    "fetch first from c",
    "fetch last from c",
    "fetch next from c",
    "fetch prior from c",
    "fetch absolute 2 from c",
    "fetch absolute -2 from c",
    "fetch relative 1 from c",
    "fetch relative -3 from c",
    "fetch relative 0 from c",
    "fetch backward 2 from c",
    "fetch backward all from c",
    "fetch forward all from c",
    "fetch backward 10 from c",
    "fetch absolute 9 from c",
    "fetch prior from c",
    "move absolute 0 in c",
    "move forward 3 in c",
    "fetch c",
    "move backward all in c",
    "fetch -1 from c",
    "fetch forward 0 from c",
    "fetch all in c",
    "fetch absolute 0 from c",
    "fetch relative 2 from c",
    "move last in c",
    "fetch backward 2 from c",
]


def _scroll_run(con: psycopg.Connection) -> list[tuple[str | None, list[tuple]]]:
    out = []
    with con.transaction():
        con.execute("declare c scroll cursor for select g, 'r' || g from generate_series(1, 5) g order by g")
        for sql in _SCROLL_SCRIPT:
            cur = con.execute(sql)
            out.append((cur.statusmessage, cur.fetchall() if cur.description else []))
    return out


def test_scroll_cursor_moves_as_postgresql(conn, pg) -> None:
    assert _scroll_run(conn) == _scroll_run(pg)


def test_no_scroll_cursor_refuses_going_back(conn, pg) -> None:
    for c in (conn, pg):
        with c.transaction():
            c.execute("declare d no scroll cursor for select 1")
            with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as e:
                c.execute("fetch prior from d")
            assert e.value.diag.message_primary == "cursor can only scan forward"
            assert e.value.diag.message_hint == "Declare it with SCROLL option to enable backward scan."
            raise psycopg.Rollback()


def test_psycopg_scrollable_server_cursor(pdb_dsn, pg15) -> None:  # noqa: F811
    answers = []
    for dsn in (pdb_dsn, pg15.dsn()):
        with psycopg.connect(dsn) as c, c.cursor("sc", scrollable=True) as cur:
            cur.execute("select g from generate_series(1, 10) g order by g")
            got = [cur.fetchmany(3)]
            cur.scroll(-2)
            got.append(cur.fetchone())
            cur.scroll(7, mode="absolute")
            got.append(cur.fetchall())
            cur.scroll(0, mode="absolute")
            got.append(cur.fetchone())
            answers.append(got)
    assert answers[0] == answers[1] == [[(1,), (2,), (3,)], (2,), [(8,), (9,), (10,)], (1,)]


_JSONB_QUERIES = [
    """select '{"b":1,"a":[1,2.50,"x"],"a":3}'::jsonb::text""",
    """select CAST('{"bb":1.50,"a":1e2,"c":-0}' AS jsonb)::text, (jsonb '{"x": [true, null]}')::text""",
    """select jsonb_build_object('b', 1, 'a', 'x')::text, jsonb_build_array(1, 'a', null)::text""",
    """select jsonb_typeof('[1]'::jsonb), jsonb_typeof('1.5'), jsonb_typeof('"s"'), jsonb_typeof('null')""",
    """select jsonb_array_length('[1,2,3]'::jsonb)""",
    """select value::text from jsonb_array_elements('[1,"a",null,{"b":1,"a":2}]'::jsonb)""",
    """select jsonb_array_elements('[1,"a"]'::jsonb)::text""",
    """select e.value from jsonb_array_elements_text('[1,"a",null]'::jsonb) e""",
    """select key, value::text from jsonb_each('{"bb":1,"a":"x","c":{"z":1,"y":2}}'::jsonb)""",
    """select * from jsonb_each_text('{"bb":1,"a":"x"}'::jsonb)""",
    """select jsonb_object_keys('{"bb":1,"a":2,"a":3}'::jsonb)""",
    """select jsonb_strip_nulls('{"b":null,"a":{"c":null,"d":1}}'::jsonb)::text""",
    """select jsonb_pretty('{"a":[1,2],"b":{},"c":"\\n"}'::jsonb)""",
    """select to_jsonb('x'::text)::text, (select jsonb_agg(g)::text from generate_series(1, 2) g)""",
    """select ('{"a":{"b":1}}'::jsonb -> 'a' ->> 'b'), ('{"a":"s"}'::jsonb ->> 'a')""",
    """select '{"a":{"b":[1,{"c":2}]}}'::jsonb #> '{a,b,1}', '{"a":[1,2]}'::jsonb #>> '{a,0}', '[1,2]'::jsonb #> '{-1}'""",
    """select '{"a":1}'::jsonb #> '{x}' is null, '["a","b"]'::jsonb ? 'a', '{"a":1}'::jsonb ? 'b'""",
    """select '{"a":[1,2,3],"b":1}'::jsonb @> '{"a":[3,1]}', '[1,[2]]'::jsonb @> '[[2]]', '[1,2]'::jsonb @> '1',
        '{"a":1}' <@ '{"a":1,"b":2}'::jsonb, '{"a":1.0}'::jsonb @> '{"a":1}'""",
    """select '{"a":1,"b":2}'::jsonb ?| array['x','b'], '{"a":1,"b":2}'::jsonb ?& '{a,c}'""",
    """select array[1,2] @> array[1], array[1] <@ array[1,2]""",
]


@pytest.mark.parametrize("sql", _JSONB_QUERIES)
def test_jsonb_prints_and_answers_as_postgresql(conn, pg, sql) -> None:
    assert conn.execute(sql).fetchall() == pg.execute(sql).fetchall()


@pytest.mark.parametrize(
    "sql",
    [
        "select jsonb_array_length('{}'::jsonb)",
        "select jsonb_object_keys('[1]'::jsonb)",
        "select * from jsonb_each('1'::jsonb)",
        "select * from jsonb_each_text('[1]'::jsonb)",
        "select jsonb_array_elements('{}'::jsonb)",
        "select jsonb_array_length('1'::jsonb)",
        "select '{bad'::jsonb",
    ],
)
def test_jsonb_errors_as_postgresql(conn, pg, sql) -> None:
    assert _error(conn, sql) == _error(pg, sql)


def test_jsonb_operators_on_a_column(conn, pg, table_name) -> None:
    for c in (conn, pg):
        c.execute(f"create table {table_name} (id int, j jsonb)")
        c.execute(
            f"""insert into {table_name} values (1, '{{"tags":["x","y"],"n":{{"k":1}}}}'), (2, '{{"tags":["z"]}}')"""
        )
    for sql in (
        f"""select id from {table_name} where j @> '{{"tags":["y"]}}' order by id""",
        f"select id, j #>> '{{n,k}}' from {table_name} where j ? 'n'",
        f"select id from {table_name} where j -> 'tags' ? 'z'",
        f"select id, j #> '{{tags}}' from {table_name} where j ?| array['n', 'q'] order by id",
    ):
        assert conn.execute(sql).fetchall() == pg.execute(sql).fetchall(), sql


def test_jsonb_parameters_and_decoding(conn, pg, table_name, server, pdb, pg15) -> None:  # noqa: F811
    """A jsonb parameter is kept in jsonb's form; psycopg and asyncpg decode the values alike."""
    from psycopg.types.json import Jsonb

    doc = {"b": [1, 2], "a": {"y": None, "x": "é"}}
    for c in (conn, pg):
        c.execute(f"create table {table_name} (id int, j jsonb)")
        c.execute(f"insert into {table_name} values (1, %s)", (Jsonb(doc),))
    sql = f"select j, j::text, j -> 'a' ->> 'x' from {table_name}"
    assert conn.execute(sql).fetchall() == pg.execute(sql).fetchall()
    assert conn.execute(sql).fetchone()[0] == doc
    assert conn.execute("""select '{"a":1}'::jsonb""").fetchone() == ({"a": 1},)

    async def run(dsn: str) -> list[tuple]:
        c = await asyncpg.connect(dsn)
        try:
            rows = await c.fetch(f"select j::text, jsonb_typeof(j) from {table_name}")
            one = await c.fetchval("""select '{"b":2,"a":1}'::jsonb::text""")
            return [tuple(r) for r in rows] + [(one,)]
        finally:
            await c.close()

    ours = asyncio.run(
        run(f"postgresql://{PDB_ADMIN}:{PDB_PASSWORD}@127.0.0.1:{server.port}/{pdb}?sslmode=disable")
    )
    theirs = asyncio.run(run(f"postgresql://postgres@127.0.0.1:{pg15.port}/postgres?sslmode=disable"))
    assert ours == theirs


def test_jsonb_in_a_view_and_create_table_as(conn, pg, table_name) -> None:
    view = table_name + "_v"
    for c in (conn, pg):
        c.execute(f"""create view {view} as select '{{"b":1,"a":[1, 2]}}'::jsonb as j""")
        c.execute(f"""create table {table_name} as select '{{"bb":1,"a":2}}'::jsonb as j""")
    try:
        for sql in (f"select j::text from {view}", f"select j::text from {table_name}"):
            assert conn.execute(sql).fetchall() == pg.execute(sql).fetchall(), sql
    finally:
        for c in (conn, pg):
            c.execute(f"drop view {view}")


def test_copy_of_bytea_and_arrays_in_text_form(conn, pg, table_name) -> None:
    """COPY FROM STDIN's text form of bytea (\\x hex, escapes) and arrays, as PostgreSQL reads it."""
    data = '1\t\\\\x0001ff\t{1,2,3}\t{"a b",NULL,c}\n2\t\\\\x\t{}\t\\N\n3\tab\\\\\\\\c\t\\N\t{x}\n'
    for c in (conn, pg):
        c.execute(f"create table {table_name} (id int, b bytea, a int[], t text[])")
        with c.cursor().copy(f"copy {table_name} from stdin") as cp:
            cp.write(data)
    sql = f"select * from {table_name} order by id"
    assert conn.execute(sql).fetchall() == pg.execute(sql).fetchall()
    assert conn.execute(sql).fetchall()[0][1] == b"\x00\x01\xff"
