"""jsonb's ||, -, #-, @> / <@ with a parameter, jsonb_set and jsonb_insert (issues 12 and 14):
each statement through psycopg against DuckCDB and against a real PostgreSQL 15, with the same
answer (values as psycopg decodes them, and jsonb's text) or the same SQLSTATE. Text, array and
bytea || stay as they were."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from pgwire import types as oids
from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.pg15 import PostgresServer, pg15
from tests.server import RunningServer

__all__ = ["pg15"]

_SETUP = [
    "CREATE TABLE {t} (id int, data jsonb, t text, arr int[], b bytea)",
    """INSERT INTO {t} VALUES (1, '{{"a": 1, "b": [1, 2], "c": {{"d": "x"}}}}'::jsonb, 'x', ARRAY[1, 2], '\\x01'::bytea)""",
    """INSERT INTO {t} VALUES (2, '["a", "b", "a", 3]'::jsonb, '{{"t": 1}}', ARRAY[3], '\\x02'::bytea)""",
    """INSERT INTO {t} VALUES (3, '"s"'::jsonb, NULL, NULL, NULL)""",
]


@pytest.fixture(scope="module")
def pg_db(pg15: PostgresServer) -> Iterator[str]:
    name = "jb_" + uuid.uuid4().hex[:8]
    with pg15.connect(autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    yield name


@pytest.fixture(scope="module")
def both(server: RunningServer, pdb: str, pg15: PostgresServer, pg_db: str) -> Iterator[tuple]:
    """(ours, PostgreSQL's) connections, each with the table {t} made and filled alike."""
    t = "jbo_" + uuid.uuid4().hex[:8]
    with (
        server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as ours,
        pg15.connect(pg_db, autocommit=True) as theirs,
    ):
        for c in (ours, theirs):
            for s in _SETUP:
                c.execute(s.format(t=t))
        yield ours, theirs, t
        ours.execute(f"DROP TABLE IF EXISTS {t}")


def _answer(con: psycopg.Connection, sql: str, params: Any = None) -> tuple:
    try:
        cur = con.execute(sql, params)
        return ("ok", cur.fetchall() if cur.description else None)
    except psycopg.Error as e:
        return ("error", e.sqlstate)


def same(both: tuple, sql: str, params: Any = None) -> tuple:
    """The statement's answer on DuckCDB, asserted to be PostgreSQL's."""
    ours, theirs, t = both
    sql = sql.replace("{t}", t)
    mine, pgs = _answer(ours, sql, params), _answer(theirs, sql, params)
    assert mine == pgs, f"{sql} {params!r}\nDuckCDB:    {mine}\nPostgreSQL: {pgs}"
    return mine


def test_concatenation_of_jsonb_values(both) -> None:
    for sql in [
        """SELECT '{"a": 1}'::jsonb || '{"b": 2}'::jsonb, ('{"a": 1}'::jsonb || '{"b": 2}'::jsonb)::text""",
        """SELECT '{"a": 1, "b": 1}'::jsonb || '{"b": 2, "aa": 3}', ('{"b": 1}'::jsonb || '{"a": 2}')::text""",
        """SELECT '[1, 2]'::jsonb || '[3]'::jsonb, '1'::jsonb || '2'::jsonb, '{"a": 1}'::jsonb || '[1]'""",
        """SELECT '[1]'::jsonb || '{"a": 1}', '{"a": 1}'::jsonb || '"x"', ('[]'::jsonb || 'null')::text""",
        """SELECT jsonb_build_object('a', 1) || '{"a": 2}', to_jsonb(1) || to_jsonb('x'::text)""",
        """SELECT '{"a": 1}'::jsonb || NULL, NULL || '{"a": 1}'::jsonb, CAST('[1]' AS jsonb) || jsonb '[2]'""",
        """SELECT '{"a": 1}'::jsonb || '{"b": 2}'::jsonb || '[3]'::jsonb""",
    ]:
        assert same(both, sql)[0] == "ok"


def test_concatenation_of_columns_literals_and_parameters(both) -> None:
    rows = same(both, "SELECT id, data || data, (data || data)::text FROM {t} ORDER BY id")
    assert rows[1][0][1] == {"a": 1, "b": [1, 2], "c": {"d": "x"}}
    for sql in [
        """SELECT id, data || '{"z": 0}' FROM {t} ORDER BY id""",
        """SELECT id, '{"z": 0}' || data, ('[0]' || data)::text FROM {t} ORDER BY id""",
        """SELECT id, data || data || '{"n": 1}' || data FROM {t} ORDER BY id""",
        """SELECT id, data -> 'b' || '[9]', data || '{"b": 9}' -> 'b' FROM {t} WHERE id = 1""",
        """SELECT id, data || t, t || data, 'id=' || id || data FROM {t} ORDER BY id""",
        """SELECT id, (data || t)::text FROM {t} ORDER BY id""",
        """SELECT coalesce(data, '{}') || '{"q": true}' FROM {t} ORDER BY id""",
        """SELECT CASE WHEN id = 1 THEN data END || '{"w": 1}' FROM {t} ORDER BY id""",
        """SELECT (SELECT data FROM {t} WHERE id = 1) || '{"s": 1}'""",
    ]:
        assert same(both, sql)[0] == "ok", sql
    # a parameter is PostgreSQL's unknown: the other operand's type (psycopg sends str untyped)
    same(both, "SELECT id, data || %s FROM {t} ORDER BY id", ['{"p": 1}'])
    same(both, "SELECT id, data || %s FROM {t} ORDER BY id", [Jsonb({"p": [1]})])
    same(both, "SELECT id, data || %s::jsonb FROM {t} ORDER BY id", ['{"p": 1}'])
    same(both, "SELECT id, %s || data FROM {t} ORDER BY id", ["[7]"])


def test_update_with_concatenation(both) -> None:
    ours, theirs, t = both
    for c in (ours, theirs):
        c.execute(f"CREATE TEMP TABLE u_{t} AS SELECT * FROM {t}")
    try:
        same(both, "UPDATE u_{t} SET data = data || %s WHERE id = 1 RETURNING data", ['{"added": [1]}'])
        same(both, "UPDATE u_{t} SET data = data || jsonb_build_object('k', id)")
        same(both, "SELECT id, data FROM u_{t} ORDER BY id")
    finally:
        for c in (ours, theirs):
            c.execute(f"DROP TABLE u_{t}")


def test_text_array_and_bytea_concatenation_unchanged(both) -> None:
    for sql in [
        "SELECT id, t || 'y' || t, 'a' || 'b', 'n' || id, t || NULL FROM {t} ORDER BY id",
        "SELECT id, arr || arr, ARRAY[1] || ARRAY[2], b || b, b || '\\x03'::bytea FROM {t} ORDER BY id",
        "SELECT id, lower(t) || upper(t), t || id::text || t FROM {t} ORDER BY id",
        "SELECT string_agg(t, ',' ORDER BY id) || '!', max(t) || '?' FROM {t}",
        "SELECT id || '-' || coalesce(t, 'none') AS label FROM {t} ORDER BY id",
    ]:
        assert same(both, sql)[0] == "ok", sql
    same(both, "SELECT t || %s FROM {t} ORDER BY id", ["!"])
    same(both, "SELECT id FROM {t} WHERE t || 'y' = 'xy'")
    same(both, "SELECT id, arr || %s::int[] FROM {t} WHERE id < 3 ORDER BY id", [[5, 6]])


def test_concatenation_errors(both) -> None:
    assert same(both, """SELECT 'x' || '{"a": 1}'::jsonb""")[0] == "error"  # 22P02: 'x' read as jsonb
    assert same(both, """SELECT data || 1 FROM {t}""") == ("error", "42883")
    assert same(both, """SELECT id, 'nope' || data FROM {t}""") == ("error", "22P02")
    assert same(both, "SELECT data || %s FROM {t}", ["not json"]) == ("error", "22P02")


def test_delete_operators(both) -> None:
    for sql in [
        """SELECT '{"a": 1, "b": 2}'::jsonb - 'a', '["a", "b", "a", 3]'::jsonb - 'a', '{"a": 1}'::jsonb - 'z'""",
        """SELECT '[1, 2, 3]'::jsonb - 1, '[1, 2, 3]'::jsonb - -1, '[1, 2, 3]'::jsonb - 5, '[1]'::jsonb - -5""",
        """SELECT '{"a": 1, "b": 2, "c": 3}'::jsonb - ARRAY['a', 'c'], '["x", "y"]'::jsonb - '{x,z}'::text[]""",
        """SELECT id, data - 'a', data - 'b' - 'c', (data - 'a')::text FROM {t} WHERE id < 3 ORDER BY id""",
        """SELECT id, data - ARRAY['a', 'b'], data - '{c}'::text[] FROM {t} WHERE id < 3 ORDER BY id""",
        """SELECT '{"a": {"b": 1, "c": 2}}'::jsonb #- '{a,b}', '[1, 2, 3]'::jsonb #- '{-1}'""",
        """SELECT '{"a": 1}'::jsonb #- '{x,y}', '{"a": [1, {"b": 2}]}'::jsonb #- '{a,1,b}', '[]'::jsonb #- '{0}'""",
        """SELECT id, data #- '{b,0}', data #- ARRAY['c', 'd'] FROM {t} WHERE id = 1""",
        # a column's - integer: jsonb's (an array element), every other type's own
        """SELECT data - 0, data - 1, {t}.data - -1, data - 9, data - +1 FROM {t} WHERE id = 2""",
        """SELECT id - 1, (id - 1) / 2, id - 1 - 2, arr[1] - 1 FROM {t} ORDER BY id""",
        """SELECT id - 1 AS k, count(*) FROM {t} GROUP BY id - 1 ORDER BY 1""",
    ]:
        assert same(both, sql)[0] == "ok", sql
    same(both, "SELECT id, data - %s::text FROM {t} WHERE id < 3 ORDER BY id", ["a"])
    same(both, "SELECT id, data - %s::int FROM {t} WHERE id = 2", [0])
    same(both, "SELECT id, data - %s::text[] FROM {t} WHERE id = 1", [["a", "c"]])
    same(both, "SELECT id, data - %s FROM {t} WHERE id < 3 ORDER BY id", ["a"])  # untyped: text
    same(both, "SELECT id, data - %s FROM {t} WHERE id = 2", [0])  # psycopg sends int2
    same(both, "SELECT id, data - %s FROM {t} WHERE id = 1", [["a", "c"]])  # text[]
    same(both, "SELECT id - %s, id - %s::int, %s::int - id FROM {t} ORDER BY id", [1, 2, 3])
    same(both, "SELECT id, data #- %s FROM {t} WHERE id = 1", [["c", "d"]])
    for sql, state in [
        ("""SELECT '{"a": 1}'::jsonb - 1""", "22023"),
        ("""SELECT '1'::jsonb - 'a'""", "22023"),
        ("""SELECT '"s"'::jsonb #- '{a}'""", "22023"),
        ("""SELECT '[1]'::jsonb #- '{a}'""", "22P02"),
        ("""SELECT id, data - 'a' FROM {t} WHERE id = 3""", "22023"),
        ("""SELECT data - 0 FROM {t} WHERE id = 1""", "22023"),  # an object
        ("""SELECT data - 0 FROM {t} WHERE id = 3""", "22023"),  # a scalar
    ]:
        assert same(both, sql) == ("error", state), sql


def test_jsonb_set_and_insert(both) -> None:
    for sql in [
        """SELECT jsonb_set('{"a": 1}', '{a}', '2'), jsonb_set('{"a": 1}', '{b}', '[2]'), jsonb_set('{"a": 1}', '{b}', '2', false)""",
        """SELECT jsonb_set('[1, 2]', '{5}', '9'), jsonb_set('[1, 2]', '{-5}', '9'), jsonb_set('[1, 2]', '{-1}', '9', false)""",
        """SELECT jsonb_set('{"a": {"b": [1, 2]}}', '{a,b,0}', '"x"'), jsonb_set('{"a": 1}', '{x,y}', '1')""",
        """SELECT jsonb_set('{"a": 1}', '{}', '2'), jsonb_set('{"a": 1}', '{a}', NULL), jsonb_set('[]', '{0}', '1')""",
        """SELECT id, jsonb_set(data, '{c,d}', to_jsonb(id)), jsonb_set(data, ARRAY['b', '1'], '7') FROM {t} WHERE id = 1""",
        """SELECT jsonb_insert('{"a": [0, 1, 2]}', '{a,1}', '"x"'), jsonb_insert('{"a": [0, 1, 2]}', '{a,1}', '"x"', true)""",
        """SELECT jsonb_insert('{"a": [0, 1]}', '{a,-1}', '9'), jsonb_insert('{"a": [0]}', '{a,7}', '9'), jsonb_insert('{"a": 1}', '{b}', '2')""",
        """SELECT jsonb_insert('[1]', '{-9}', '0'), (jsonb_set('{"b": 1}', '{a}', '{"z": 1, "y": 2}'))::text""",
    ]:
        assert same(both, sql)[0] == "ok", sql
    same(both, "SELECT jsonb_set(data, %s, %s) FROM {t} WHERE id = 1", [["c", "d"], Jsonb({"n": 1})])
    same(both, "SELECT jsonb_set(data, %s, %s, false) FROM {t} WHERE id = 1", ["{zz}", "1"])
    for sql, state in [
        ("""SELECT jsonb_set('1', '{a}', '2')""", "22023"),
        ("""SELECT jsonb_insert('{"a": 1}', '{a}', '2')""", "22023"),
        ("""SELECT jsonb_set('[1]', '{x}', '2')""", "22P02"),
        ("""SELECT jsonb_set('{"a": 1}', '{a}', 'nope')""", "22P02"),
    ]:
        assert same(both, sql) == ("error", state), sql


def test_containment_with_a_parameter(both) -> None:
    same(both, "SELECT id FROM {t} WHERE data @> %s ORDER BY id", ['{"a": 1}'])
    same(both, "SELECT id FROM {t} WHERE data @> %s ORDER BY id", [Jsonb({"c": {"d": "x"}})])
    same(both, "SELECT id FROM {t} WHERE %s <@ data ORDER BY id", ['["a"]'])
    same(
        both, "SELECT id FROM {t} WHERE data <@ %s ORDER BY id", ['{"a": 1, "b": [1, 2, 3], "c": {"d": "x"}}']
    )
    same(both, "SELECT id, data @> (data -> 'c'), (data -> 'c') <@ data FROM {t} WHERE id = 1")
    same(both, "SELECT id FROM {t} WHERE arr @> %s::int[] ORDER BY id", [[1]])
    same(both, "SELECT id FROM {t} WHERE arr <@ ARRAY[1, 2, 3] ORDER BY id")
    assert same(both, "SELECT data @> t FROM {t}") == ("error", "42883")


def test_simple_protocol_and_prepared_statements(both, server: RunningServer, pdb: str) -> None:
    ours, theirs, t = both
    sql = f"SELECT id, data || %s, data - %s::text FROM {t} WHERE id = 1"
    params = ['{"v": 1}', "a"]
    want = theirs.execute(sql, params).fetchall()
    with psycopg.ClientCursor(ours) as cur:  # the values inlined, one Query message
        assert cur.execute(sql, params).fetchall() == want
    for _ in range(3):  # prepared once, then executed by name
        assert ours.execute(sql, params, prepare=True).fetchall() == want


def test_views(both) -> None:
    """A view's query runs in sessions without the macros: jsonb || there is jsonb's where its
    operands show jsonb, text || stays text, and || of a jsonb column the tokens do not show is
    refused when the view is read, never concatenated as text."""
    ours, _, t = both
    ours.execute(
        f"""CREATE VIEW v_{t} AS SELECT id, data::jsonb || '{{"v": 1}}'::jsonb AS j, t || '!' AS s FROM {t}"""
    )
    ours.execute(f"""CREATE VIEW w_{t} AS SELECT id, data || '{{"v": 1}}' AS j FROM {t}""")
    try:
        rows = ours.execute(f"SELECT j, s FROM v_{t} ORDER BY id").fetchall()
        assert rows[0] == ({"a": 1, "b": [1, 2], "c": {"d": "x"}, "v": 1}, "x!")
        with pytest.raises(psycopg.errors.FeatureNotSupported) as e:
            ours.execute(f"SELECT j FROM w_{t}").fetchall()
        assert "view" in str(e.value) and e.value.diag.message_hint
    finally:
        ours.execute(f"DROP VIEW v_{t}")
        ours.execute(f"DROP VIEW w_{t}")


def test_operands_whose_type_the_binder_cannot_tell(both) -> None:
    """A window function's or an aggregate's type is unknown when DuckDB picks the macro: with a
    jsonb on the other side, || is refused (never concatenated as text); with text it is text."""
    ours, _, t = both
    with pytest.raises(psycopg.errors.FeatureNotSupported) as e:
        ours.execute(f"SELECT lag(data) OVER (ORDER BY id) || data FROM {t}").fetchall()
    assert "cast" in (e.value.diag.message_hint or "").lower()
    same(both, "SELECT id, (lag(data) OVER (ORDER BY id))::jsonb || data FROM {t} ORDER BY id")
    same(both, "SELECT id, lag(t) OVER (ORDER BY id) || t FROM {t} ORDER BY id")


def test_a_pdb_without_json_columns_then_with_one(server: RunningServer) -> None:
    """While a PDB has no JSON column, || of columns is DuckDB's own (nothing more to bind); the
    first jsonb column, made in this session or another, in a block or not, makes it jsonb's."""
    name = "JB" + uuid.uuid4().hex[:8].upper()
    with server.connect(autocommit=True) as root:
        root.execute(
            f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"'
        )
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    with (
        server.connect(name, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as a,
        server.connect(name, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as b,
    ):
        a.execute("CREATE TABLE t (id int, x text, y text)")
        a.execute("""INSERT INTO t VALUES (1, '{"a": 1}', '{"b": 2}')""")
        assert a.execute("SELECT x || y, x || '!' FROM t").fetchone() == ('{"a": 1}{"b": 2}', '{"a": 1}!')
        assert b.execute("SELECT x || y FROM t").fetchone() == ('{"a": 1}{"b": 2}',)
        # another session adds a jsonb column, inside a transaction block
        with b.transaction():
            b.execute("ALTER TABLE t ADD COLUMN j jsonb")
            b.execute("""UPDATE t SET j = '{"c": 3}'::jsonb""")
            assert b.execute("SELECT j || j, j || x FROM t").fetchone() == ({"c": 3}, '{"c": 3}{"a": 1}')
        assert a.execute("SELECT j || '{\"d\": 4}', x || y FROM t").fetchone() == (
            {"c": 3, "d": 4},
            '{"a": 1}{"b": 2}',
        )
        assert a.execute("SELECT j - 'c', j @> %s FROM t", ['{"c": 3}']).fetchone() == ({}, True)
        b.execute("ALTER TABLE t DROP COLUMN j")
        assert a.execute("SELECT x || y FROM t").fetchone() == ('{"a": 1}{"b": 2}',)
    with server.connect(autocommit=True) as root:
        root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE")
        root.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")


def test_asyncpg(both, server: RunningServer, pdb: str) -> None:
    """asyncpg prepares first and sends what the parameter description asks (text for jsonb's)."""
    import asyncio
    import json

    import asyncpg

    _, _, t = both

    async def main() -> None:
        c = await asyncpg.connect(
            host="127.0.0.1", port=server.port, database=pdb, user=PDB_ADMIN, password=PDB_PASSWORD
        )
        try:
            row = await c.fetchrow(
                f"SELECT data || $1, data - $2::text FROM {t} WHERE id = 1", '{"z": 1}', "a"
            )
            assert json.loads(row[0]) == {"a": 1, "b": [1, 2], "c": {"d": "x"}, "z": 1}
            assert json.loads(row[1]) == {"b": [1, 2], "c": {"d": "x"}}
            ids = await c.fetch(f"SELECT id FROM {t} WHERE data @> $1 ORDER BY id", '{"a": 1}')
            assert [r[0] for r in ids] == [1]
            texts = await c.fetch(f"SELECT t || $1 FROM {t} ORDER BY id", "!")
            assert [r[0] for r in texts] == ["x!", '{"t": 1}!', None]
        finally:
            await c.close()

    asyncio.run(main())


_OID_STATEMENTS = [
    # columns declared jsonb (3802) and json (114), through views, subqueries and ALTER TABLE
    "SELECT * FROM {t}_o ORDER BY id",
    "SELECT j, k, j -> 'a', k -> 'a', j -> 'a' -> 'b', j -> 'a' ->> 'b', j #> '{a}', j #>> '{a}' FROM {t}_o ORDER BY id",
    "SELECT coalesce(j, '{}'), CASE WHEN id > 0 THEN j END, s.x FROM {t}_o, (SELECT j AS x FROM {t}_o) s ORDER BY 3",
    "SELECT * FROM {t}_v ORDER BY 1",
    "SELECT j || '{\"z\": 1}', j - 'a', t - 0, j #- '{a}', jsonb_set(j, '{a}', '2') FROM {t}_o ORDER BY id",
    # jsonb expressions
    """SELECT '{"a":1}'::jsonb, CAST('[1]' AS jsonb), jsonb '2', '{"a":1}'::json, to_jsonb(1), to_json(1)""",
    "SELECT jsonb_build_object('a', 1), jsonb_build_array(1), jsonb_agg(id), jsonb_object_agg(id, id) FROM {t}_o",
    "SELECT jsonb_array_elements('[1, {\"a\": 2}]'), jsonb_strip_nulls('{\"a\": null}')",
    "SELECT * FROM jsonb_array_elements('[1, 2]')",
    "SELECT value FROM jsonb_array_elements('[1, 2]') AS e",
    "SELECT pg_typeof('{}'::jsonb)::text, pg_typeof(to_jsonb(1))::text, pg_typeof('{}'::json)::text",
    # the catalog
    "SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{t}_o'::regclass"
    " AND attnum > 0 ORDER BY attnum",
    "SELECT column_name::text, data_type::text, udt_name::text FROM information_schema.columns"
    " WHERE table_name = '{t}_o' ORDER BY ordinal_position",
    "SELECT relchecks FROM pg_class WHERE relname = '{t}_o'",
    "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '{t}_o'::regclass",
]


@pytest.fixture
def oid_tables(both) -> Iterator[tuple]:
    ours, theirs, t = both
    for c in (ours, theirs):
        c.execute(f"DROP VIEW IF EXISTS {t}_v")
        c.execute(f"DROP TABLE IF EXISTS {t}_o")
        c.execute(
            f"CREATE TABLE {t}_o (id int PRIMARY KEY, j jsonb, k json, t text, \"J j\" jsonb NOT NULL DEFAULT '[]',"
            " ja jsonb[], jj json[])"
        )
        c.execute(f"CREATE INDEX {t}_oi ON {t}_o (t)")
        c.execute(
            f"""INSERT INTO {t}_o VALUES (1, '{{"a": {{"b": 1}}}}', '{{"a": 1}}', '[1]', '{{}}',"""
            f""" ARRAY['{{"x": 1}}'::jsonb, '[2]'], ARRAY['{{"y": 1}}'::json]), (2, NULL, NULL, NULL, '2', NULL, NULL)"""
        )
        c.execute(f"ALTER TABLE {t}_o ADD COLUMN n jsonb DEFAULT '{{\"d\": 1}}'")
        c.execute(f"ALTER TABLE {t}_o ALTER COLUMN t TYPE jsonb USING t::jsonb")
        c.execute(f"CREATE VIEW {t}_v (x, y, z) AS SELECT j -> 'a' -> 'b', k, t FROM {t}_o")
    yield both
    for c in (ours, theirs):
        c.execute(f"DROP VIEW IF EXISTS {t}_v")
        c.execute(f"DROP TABLE IF EXISTS {t}_o")


def _typed(con: psycopg.Connection, sql: str, binary: bool) -> tuple:
    try:
        cur = con.cursor(binary=binary)
        cur.execute(sql)
        return ("ok", [d.type_code for d in cur.description], cur.fetchall())
    except psycopg.Error as e:
        return ("error", e.sqlstate)


def test_jsonb_is_oid_3802(oid_tables) -> None:
    """jsonb results are jsonb (3802) and json ones json (114), as PostgreSQL's RowDescription says
    (psycopg decodes both to Python values, in text and in binary: jsonb's has a version byte)."""
    ours, theirs, t = oid_tables
    for sql in _OID_STATEMENTS:
        sql = sql.replace("{t}", t)
        for binary in (False, True):
            mine, pgs = _typed(ours, sql, binary), _typed(theirs, sql, binary)
            assert mine == pgs, f"{sql} (binary: {binary})\nDuckCDB:    {mine}\nPostgreSQL: {pgs}"
            assert mine[0] == "ok", sql
    # a column changed from jsonb to text, a jsonb column dropped
    for c in (ours, theirs):
        c.execute(f"ALTER TABLE {t}_o ALTER COLUMN n TYPE text")
        c.execute(f'ALTER TABLE {t}_o DROP COLUMN "J j"')
    for binary in (False, True):
        sql = f"SELECT * FROM {t}_o ORDER BY id"
        assert _typed(ours, sql, binary) == _typed(theirs, sql, binary)


def test_jsonb_parameters(oid_tables) -> None:
    """Parameters typed jsonb (3802), in text and in binary (a version byte, then the text)."""
    ours, theirs, t = oid_tables
    for binary in (False, True):
        for params in ([Jsonb({"b": 2, "a": [1, 2]})], [Jsonb([1, "x"])], [None]):
            sql = "SELECT %(p)s::jsonb, %(p)s::jsonb -> 0, pg_typeof(%(p)s::jsonb)::text"
            sql = sql.replace("%(p)s", "%b" if binary else "%s")
            mine = ours.cursor(binary=binary).execute(sql, params * 3)
            pgs = theirs.cursor(binary=binary).execute(sql, params * 3)
            assert [d.type_code for d in mine.description] == [d.type_code for d in pgs.description]
            assert mine.fetchall() == pgs.fetchall()
        with ours.transaction(force_rollback=True):
            cur = ours.cursor(binary=binary)
            cur.execute(
                f"INSERT INTO {t}_o (id, j) VALUES (9, {'%b' if binary else '%s'})", [Jsonb({"q": 1})]
            )
            assert cur.execute(f"SELECT j FROM {t}_o WHERE id = 9").fetchone() == ({"q": 1},)


def test_parameters_declared_json_are_json(oid_tables) -> None:
    """A parameter the driver declares json or jsonb is one without a cast: SELECT $1 is a jsonb,
    $1 -> 'a' jsonb's operator, $1::text jsonb's text; and a parenthesised operand cast to jsonb."""
    from psycopg.types.json import Json

    ours, theirs, _ = oid_tables
    cases = [
        ("SELECT %s AS a", [Jsonb({"b": 2, "a": [1, 2]})]),
        ("SELECT %s -> 'a' AS a, %s ->> 'b' AS b", [Jsonb({"b": 2, "a": [1]})] * 2),
        ("SELECT %s::text AS a", [Jsonb({"bb": 1, "a": 2})]),
        ("SELECT x FROM (SELECT %s AS x) s", [Jsonb([1, "x"])]),
        ("SELECT %s AS a, %s AS b", [Json({"b": 1, "a": 2}), "x"]),
        ("SELECT ('{\"b\": 1, \"a\": 2}')::jsonb AS a, (('[1]'))::jsonb -> 0 AS b", []),
    ]
    for binary in (False, True):
        for sql, params in cases:
            sql = sql.replace("%s", "%b") if binary else sql
            mine = ours.cursor(binary=binary).execute(sql, params)
            pgs = theirs.cursor(binary=binary).execute(sql, params)
            assert [d.type_code for d in mine.description] == [d.type_code for d in pgs.description], sql
            assert mine.fetchall() == pgs.fetchall(), sql


def test_jsonb_oid_through_asyncpg(
    oid_tables, server: RunningServer, pdb: str, pg15: PostgresServer, pg_db: str
) -> None:
    """asyncpg checks a column's OID in its codec and decodes jsonb (binary: a version byte) to text."""
    import asyncio

    import asyncpg

    _, _, t = oid_tables

    async def answers(**kw: Any) -> list:
        c = await asyncpg.connect(**kw)
        try:
            out = []
            for sql, args in [
                (f"SELECT id, j, k, j -> 'a' -> 'b', t, n, \"J j\" FROM {t}_o ORDER BY id", ()),
                (f"SELECT * FROM {t}_v ORDER BY 1", ()),
                (
                    "SELECT $1::jsonb, to_jsonb($2::int), '{\"b\": 1, \"a\": 2}'::jsonb, '[1]'::json",
                    ('{"x": [1, 2]}', 5),
                ),
                ("SELECT jsonb_array_elements($1::jsonb)", ('[1, {"a": 2}]',)),
            ]:
                st = await c.prepare(sql)
                out.append([(a.name, a.type.oid) for a in st.get_attributes()])
                out.append([tuple(r) for r in await st.fetch(*args)])
            return out
        finally:
            await c.close()

    mine = asyncio.run(
        answers(host="127.0.0.1", port=server.port, database=pdb, user=PDB_ADMIN, password=PDB_PASSWORD)
    )
    theirs = asyncio.run(answers(host="127.0.0.1", port=pg15.port, database=pg_db, user="postgres"))
    assert mine == theirs


class _RawText(psycopg.adapt.Loader):
    """jsonb, json and numeric results as the text the server sent (binary jsonb: after the version
    byte), not as psycopg decodes them: the text a driver shows its user."""

    def load(self, data: Any) -> str:
        return bytes(data).decode()


class _RawJsonbBinary(psycopg.adapt.Loader):
    format = psycopg.pq.Format.BINARY

    def load(self, data: Any) -> str:
        raw = bytes(data)
        assert raw[:1] == b"\x01", raw
        return raw[1:].decode()


def _raw(con: psycopg.Connection, sql: str, binary: bool) -> tuple:
    cur = con.cursor(binary=binary)
    for oid in (oids.JSON, oids.JSONB, oids.JSONB_ARRAY, oids.JSON_ARRAY):
        cur.adapters.register_loader(oid, _RawText)
    if binary:
        cur.adapters.register_loader(oids.JSONB, _RawJsonbBinary)
    try:
        cur.execute(sql)
        if cur.description is None:
            return ("ok", cur.statusmessage)
        return ("ok", [d.type_code for d in cur.description], cur.fetchall())
    except psycopg.Error as e:
        return ("error", e.sqlstate)


# jsonb values whose text DuckDB keeps as inserted or prints compact; PostgreSQL prints jsonb's form
_PRINTED = [
    'SELECT id, j, t, n, "J j" FROM {t}_p ORDER BY id',
    "SELECT id, j -> 'aa', j -> 'aa' -> 'x', j #> '{aa}', j -> 'l' -> 1 FROM {t}_p ORDER BY id",
    'SELECT \'{"a":{"c":1,"b":2}}\'::jsonb -> \'a\', \'[1,{"y":1,"x":2}]\'::jsonb -> 1',
    "SELECT jsonb_agg(j ORDER BY id), jsonb_object_agg(id, j) FROM {t}_p",
    "SELECT ja FROM {t}_p ORDER BY id",
    "SELECT x FROM {t}_pv ORDER BY 1",
    "SELECT k, k -> 'b' FROM {t}_p ORDER BY id",  # json keeps its text (compact input here)
    "SELECT j FROM {t}_p WHERE j @> '{\"b\": 1}'",
]


@pytest.fixture
def printed_tables(both) -> Iterator[tuple]:
    ours, theirs, t = both
    for c in (ours, theirs):
        c.execute(f"DROP VIEW IF EXISTS {t}_pv")
        c.execute(f"DROP TABLE IF EXISTS {t}_p")
        c.execute(f'CREATE TABLE {t}_p (id int, j jsonb, k json, t jsonb, n jsonb, "J j" jsonb, ja jsonb[])')
        c.execute(
            f"""INSERT INTO {t}_p VALUES (1, '{{"b":1,"aa":{{"y":2,"x":[1,2]}},"l":[0,{{"zz":1,"z":2}}]}}',"""
            f""" '{{"b":1,"a":2}}', '[1,2,{{"b":null,"a":true}}]', '1.50', '{{"a":1,"a":2}}',"""
            f""" ARRAY['{{"y":1,"x":2}}', '[1,2]']::jsonb[]),"""
            f""" (2, '[{{"bb":1,"c":2}}]', NULL, '"s"', 'null', '{{}}', NULL)"""
        )
        c.execute(f"CREATE VIEW {t}_pv (x) AS SELECT j -> 'aa' FROM {t}_p")
    yield both
    for c in (ours, theirs):
        c.execute(f"DROP VIEW IF EXISTS {t}_pv")
        c.execute(f"DROP TABLE IF EXISTS {t}_p")


def test_jsonb_prints_as_postgresql_prints_it(printed_tables) -> None:
    """A jsonb value goes out in jsonb's text (keys by length then bytes, ", " and ": ", the last
    of a duplicate key), in text and in binary: a column holding the text as inserted, ->, #>,
    jsonb_agg, a jsonb[] and a view's jsonb column alike; a json value keeps its text."""
    ours, theirs, t = printed_tables
    for sql in _PRINTED:
        sql = sql.replace("{t}", t)
        for binary in (False, True):
            mine, pgs = _raw(ours, sql, binary), _raw(theirs, sql, binary)
            assert mine == pgs, f"{sql} (binary: {binary})\nDuckCDB:    {mine}\nPostgreSQL: {pgs}"
            assert mine[0] == "ok", sql


def test_jsonb_text_through_asyncpg(
    printed_tables, server: RunningServer, pdb: str, pg15: PostgresServer, pg_db: str
) -> None:
    """asyncpg decodes jsonb (binary) to its text: the same text as PostgreSQL's."""
    import asyncio

    import asyncpg

    _, _, t = printed_tables

    async def answers(**kw: Any) -> list:
        c = await asyncpg.connect(**kw)
        try:
            return [[tuple(r) for r in await c.fetch(sql.replace("{t}", t))] for sql in _PRINTED[:4]]
        finally:
            await c.close()

    mine = asyncio.run(
        answers(host="127.0.0.1", port=server.port, database=pdb, user=PDB_ADMIN, password=PDB_PASSWORD)
    )
    theirs = asyncio.run(answers(host="127.0.0.1", port=pg15.port, database=pg_db, user="postgres"))
    assert mine == theirs


def test_jsonb_numbers_keep_their_scale(both) -> None:
    """to_jsonb, jsonb_build_object and jsonb_build_array of a numeric print it as numeric does
    (1.50, not DuckDB's to_json 1.5), nested too; the argument errors are PostgreSQL's."""
    ours, theirs, t = both
    for c in (ours, theirs):
        c.execute(f"DROP TABLE IF EXISTS {t}_n")
        c.execute(f"CREATE TABLE {t}_n (id int, m numeric(10, 2), s text, j jsonb)")
        c.execute(f"""INSERT INTO {t}_n VALUES (1, 2.50, 'x', '{{"b":1}}'), (2, -0.00, NULL, NULL)""")
    try:
        for sql in [
            "SELECT jsonb_build_object('z', 1, 'bb', m, 's', s, 'j', j) FROM {t}_n ORDER BY id",
            "SELECT to_jsonb(m), to_jsonb(1.50), to_jsonb('a'::text), to_jsonb(NULL::int) FROM {t}_n ORDER BY id",
            "SELECT jsonb_build_array(1, 'a', m, jsonb_build_object('k', m), NULL, true) FROM {t}_n ORDER BY id",
            "SELECT jsonb_build_object('a', 1.50), jsonb_build_object(), jsonb_build_array(), jsonb_build_array(0.10)",
            "SELECT jsonb_build_object('a', 1, 'a', 2), jsonb_build_object(1.50, 2, true, DATE '2020-01-02')",
            "SELECT jsonb_build_object('a', (SELECT max(id) FROM {t}_n), 'b', ARRAY[1, 2])",
            "SELECT pg_catalog.jsonb_build_object('a', 1.0) -> 'a'",
            "SELECT jsonb_build_object('a', 1) || jsonb_build_object('b', 2.00)",
            "SELECT to_jsonb(1234567890123456.78::numeric(18, 2)), jsonb_build_array(12345678901234567890.123::numeric)",
            "SELECT jsonb_build_object('a', 1, 'b')",
            "SELECT jsonb_build_object(NULL, 1)",
        ]:
            sql = sql.replace("{t}", t)
            for binary in (False, True):
                mine, pgs = _raw(ours, sql, binary), _raw(theirs, sql, binary)
                assert mine == pgs, f"{sql} (binary: {binary})\nDuckCDB:    {mine}\nPostgreSQL: {pgs}"
    finally:
        for c in (ours, theirs):
            c.execute(f"DROP TABLE IF EXISTS {t}_n")


def test_pg_catalog_jsonb(both) -> None:
    """pg_catalog.jsonb is jsonb: in casts (the value printed as jsonb, its operators jsonb's) and
    as a column's type (pg_dump and SQLAlchemy qualify types)."""
    ours, theirs, t = both
    try:
        for sql in [
            "SELECT 'x'::pg_catalog.jsonb",
            """SELECT '{"b":1,"a":[1]}'::pg_catalog.jsonb, CAST('{"b":1,"a":2}' AS pg_catalog.jsonb)""",
            "SELECT '[1]'::pg_catalog.jsonb -> 0, CAST('{\"b\":1}' AS pg_catalog.jsonb) || '{\"a\":2}'",
            'CREATE TABLE {t}_c (id int, j pg_catalog.jsonb DEFAULT \'{"b":1,"a":2}\'::pg_catalog.jsonb,'
            " k pg_catalog.jsonb[])",
            """INSERT INTO {t}_c (id) VALUES (1)""",
            """INSERT INTO {t}_c VALUES (2, '{"d":1,"c":2}'::pg_catalog.jsonb, ARRAY['[1]'::pg_catalog.jsonb])""",
            "ALTER TABLE {t}_c ADD COLUMN m pg_catalog.jsonb DEFAULT CAST('[2]' AS pg_catalog.jsonb)",
            "SELECT * FROM {t}_c ORDER BY id",
        ]:
            sql = sql.replace("{t}", t)
            for binary in (False, True):
                if binary and not sql.startswith("SELECT"):
                    continue
                mine, pgs = _raw(ours, sql, binary), _raw(theirs, sql, binary)
                assert mine == pgs, f"{sql} (binary: {binary})\nDuckCDB:    {mine}\nPostgreSQL: {pgs}"
    finally:
        for c in (ours, theirs):
            c.execute(f"DROP TABLE IF EXISTS {t}_c")


def test_jsonb_parameter_description(
    both, server: RunningServer, pdb: str, pg15: PostgresServer, pg_db: str
) -> None:
    """A parameter cast to jsonb is jsonb (3802) in ParameterDescription, as PostgreSQL infers it:
    asyncpg then sends it as jsonb (binary, with the version byte)."""
    import asyncio

    import asyncpg

    async def answers(**kw: Any) -> list:
        c = await asyncpg.connect(**kw)
        try:
            out = []
            for sql, args in [
                ("SELECT $1::jsonb", ('{"b":1,"a":2}',)),
                ("SELECT CAST($1 AS pg_catalog.jsonb) -> 'a', $2::int", ('{"a":[1]}', 3)),
                ("SELECT $1::jsonb || $2::jsonb, $3::text", ("[1]", '{"x":1}', "t")),
            ]:
                st = await c.prepare(sql)
                out.append([t.oid for t in st.get_parameters()])
                out.append([tuple(r) for r in await st.fetch(*args)])
            return out
        finally:
            await c.close()

    mine = asyncio.run(
        answers(host="127.0.0.1", port=server.port, database=pdb, user=PDB_ADMIN, password=PDB_PASSWORD)
    )
    theirs = asyncio.run(answers(host="127.0.0.1", port=pg15.port, database=pg_db, user="postgres"))
    assert mine == theirs
    assert mine[0] == [oids.JSONB]


def test_add_column_jsonb_if_not_exists_and_arrays(both) -> None:
    """ADD COLUMN [IF NOT EXISTS] c jsonb / jsonb[] make jsonb (3802) and jsonb[] (3807) columns;
    IF NOT EXISTS leaves a column that is there as it was (a json column stays json)."""
    ours, theirs, t = both
    try:
        for sql in [
            "CREATE TABLE {t}_a (id int, js json)",
            """INSERT INTO {t}_a VALUES (1, '{"b":1,"a":2}')""",
            "ALTER TABLE {t}_a ADD COLUMN IF NOT EXISTS k jsonb",
            "ALTER TABLE {t}_a ADD COLUMN IF NOT EXISTS js jsonb",
            "ALTER TABLE {t}_a ADD COLUMN ka jsonb[]",
            """ALTER TABLE {t}_a ADD COLUMN IF NOT EXISTS kb jsonb[] DEFAULT ARRAY['{"y":1,"x":2}'::jsonb]""",
            """UPDATE {t}_a SET k = '{"d":1,"c":2}', ka = ARRAY['[1,2]'::jsonb]""",
            "SELECT * FROM {t}_a",
        ]:
            sql = sql.replace("{t}", t)
            for binary in (False, True):
                if binary and not sql.startswith("SELECT"):
                    continue
                mine, pgs = _raw(ours, sql, binary), _raw(theirs, sql, binary)
                assert mine == pgs, f"{sql} (binary: {binary})\nDuckCDB:    {mine}\nPostgreSQL: {pgs}"
    finally:
        for c in (ours, theirs):
            c.execute(f"DROP TABLE IF EXISTS {t}_a")


def test_plain_text_until_a_json_column_appears(
    server: RunningServer, pg15: PostgresServer, pg_db: str
) -> None:
    """A statement whose text holds nothing JSON runs without jsonb's dispatch while its PDB has
    no JSON column (pgcompat.rewrite's plain text). Once another session makes one, the same
    statement text (prepared, or sent again) gives PostgreSQL's answers: the dispatched text."""
    name = "JP" + uuid.uuid4().hex[:8].upper()
    with server.connect(autocommit=True) as root:
        root.execute(
            f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"'
        )
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    t = "jp_" + uuid.uuid4().hex[:8]
    try:
        with (
            server.connect(name, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as a,
            server.connect(name, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as b,
            server.connect(name, PDB_ADMIN, PDB_PASSWORD) as in_block,
            pg15.connect(pg_db, autocommit=True) as theirs,
        ):
            for c in (a, theirs):
                c.execute(f"CREATE TABLE {t} (id int, v text, x text)")
                c.execute(f"""INSERT INTO {t} VALUES (1, 'a', '["a"]')""")
                c.execute(f"CREATE VIEW {t}_w AS SELECT id, x AS y, id AS k FROM {t}")
            prepared = f"SELECT v || %s, id - 1 FROM {t} WHERE id = 1"
            again = f"""SELECT y || '["b"]', k - 0, v || 'x' FROM {t}_w JOIN {t} USING (id)"""

            def check(sql: str, params: Any = None, prepare: bool | None = None) -> tuple:
                mine = _answer_prepared(a, sql, params, prepare)
                pgs = _answer_prepared(theirs, sql, params, prepare)
                assert mine == pgs, f"{sql} {params!r}\nDuckCDB:    {mine}\nPostgreSQL: {pgs}"
                return mine

            assert check(prepared, ["x"], True) == ("ok", [("ax", 0)])
            assert check(again) == ("ok", [('["a"]["b"]', 1, "ax")])
            # a transaction block began before the change reads the PDB's columns after it (in its
            # snapshot: no JSON column); the next block sees them
            assert in_block.execute(f"SELECT v || 'q' FROM {t}").fetchall() == [("aq",)]
            # another session makes a jsonb column, and the view's columns read it
            for c in (b, theirs):
                c.execute(f"ALTER TABLE {t} ADD COLUMN j jsonb")
                c.execute(f"""UPDATE {t} SET j = '["c"]'""")
                c.execute(f"DROP VIEW {t}_w")
                c.execute(f"CREATE VIEW {t}_w AS SELECT id, j AS y, j AS k FROM {t}")
            assert in_block.execute(f"SELECT v || 'q' FROM {t}").fetchall() == [("aq",)]
            in_block.commit()
            assert in_block.execute(again).fetchall() == [(["c", "b"], [], "ax")]
            in_block.rollback()
            assert check(prepared, ["y"], True) == ("ok", [("ay", 0)])
            assert check(again) == ("ok", [(["c", "b"], [], "ax")])
            assert check(f"SELECT j || %s, j - 0 FROM {t}", ['["d"]'], True) == ("ok", [(["c", "d"], [])])
            # and when it is gone, DuckDB's own operators again
            for c in (b, theirs):
                c.execute(f"DROP VIEW {t}_w")
                c.execute(f"ALTER TABLE {t} DROP COLUMN j")
                c.execute(f"CREATE VIEW {t}_w AS SELECT id, x AS y, id AS k FROM {t}")
            assert check(again) == ("ok", [('["a"]["b"]', 1, "ax")])
            assert check(prepared, ["z"], True) == ("ok", [("az", 0)])
            theirs.execute(f"DROP VIEW {t}_w")
            theirs.execute(f"DROP TABLE {t}")
    finally:
        with server.connect(autocommit=True) as root:
            root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE")
            root.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")


def _answer_prepared(con: psycopg.Connection, sql: str, params: Any, prepare: bool | None) -> tuple:
    try:
        cur = con.execute(sql, params, prepare=prepare)
        return ("ok", cur.fetchall() if cur.description else None)
    except psycopg.Error as e:
        return ("error", e.sqlstate)
