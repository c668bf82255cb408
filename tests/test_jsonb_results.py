"""jsonb where a result, a new table or a function's value comes from a jsonb column (issues 12
and 14): RETURNING, CREATE TABLE AS, pg_typeof, jsonb_each, ->> and json's own text. Each
statement through psycopg against DuckCDB and against a real PostgreSQL 15, with the same type
OIDs and the same text (jsonb's is PostgreSQL's form), or the same SQLSTATE; psycopg decodes
jsonb (3802) and json (114) to Python values by OID, asserted too."""

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
    "CREATE TABLE {t} (id int PRIMARY KEY, j jsonb, k json, v varchar(5), n int)",
    """INSERT INTO {t} VALUES (1, '{{"b":[1,2],"a":1,"c":{{"y":"s","x":null}}}}', '{{"b":[1,2],  "a" : 1}}', 'ab', 1)""",
    """INSERT INTO {t} VALUES (2, '[1,{{"x":"y"}},"z"]', '[1, {{"x" : "y"}}]', 'abc', 2)""",
]


class _Raw(psycopg.adapt.Loader):
    """The text the server sent (json, jsonb, their arrays): what a driver shows its user."""

    def load(self, data: Any) -> str:
        return bytes(data).decode()


@pytest.fixture(scope="module")
def both(server: RunningServer, pdb: str, pg15: PostgresServer) -> Iterator[tuple]:
    """(ours, PostgreSQL's) connections, each with the table {t} made and filled alike."""
    name = "jr_" + uuid.uuid4().hex[:8]
    with pg15.connect(autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    t = "jr_" + uuid.uuid4().hex[:8]
    with (
        server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as ours,
        pg15.connect(name, autocommit=True) as theirs,
    ):
        for c in (ours, theirs):
            for s in _SETUP:
                c.execute(s.format(t=t))
        yield ours, theirs, t
        ours.execute(f"DROP TABLE IF EXISTS {t}")


def _answer(con: psycopg.Connection, sql: str, raw: bool, binary: bool = False) -> tuple:
    cur = con.cursor(binary=binary)
    if raw:
        for oid in (oids.JSON, oids.JSONB, oids.JSON_ARRAY, oids.JSONB_ARRAY):
            cur.adapters.register_loader(oid, _Raw)
    try:
        cur.execute(sql)
        if cur.description is None:
            return ("ok", None)
        return ("ok", [d.type_code for d in cur.description], cur.fetchall())
    except psycopg.Error as e:
        return ("error", e.sqlstate)


def same(both: tuple, sql: str, binary: bool = False) -> tuple:
    """The statement's answer on DuckCDB (as psycopg decodes it), asserted to be PostgreSQL's,
    and its text (jsonb's as PostgreSQL prints it) too."""
    ours, theirs, t = both
    sql = sql.replace("{t}", t)
    for raw in (True, False):
        if raw and not sql.lstrip().upper().startswith(("SELECT", "VALUES", "WITH", "TABLE")):
            continue  # a write: run once
        mine, pgs = _answer(ours, sql, raw, binary), _answer(theirs, sql, raw, binary)
        assert mine == pgs, f"{sql} (raw: {raw})\nDuckCDB:    {mine}\nPostgreSQL: {pgs}"
    return mine


def test_returning_a_jsonb_column_is_jsonb(both) -> None:
    ours, theirs, t = both
    for c in (ours, theirs):
        c.execute(f"CREATE TEMP TABLE r_{t} AS SELECT * FROM {t}")
    try:
        for sql in [
            """INSERT INTO r_{t} VALUES (3, '{"z":1,"a":[1,2]}', '{"z":1,  "a":2}', 'x', 3) RETURNING j, k, v, id""",
            """INSERT INTO r_{t} AS r VALUES (4, '[2,1]', NULL, NULL, 4) RETURNING *""",
            "UPDATE r_{t} SET n = n + 1 WHERE id = 1 RETURNING j, j -> 'c', k, r_{t}.j",
            "UPDATE r_{t} AS r SET j = r.j || '{\"q\": 1}' WHERE id = 1 RETURNING r.j, to_jsonb(r.n)",
            "DELETE FROM r_{t} WHERE id = 99 RETURNING j",
            "DELETE FROM r_{t} WHERE id = 4 RETURNING r_{t}.*",
        ]:
            mine = same(both, sql.replace("r_{t}", f"r_{t}"))
            assert mine[0] == "ok" and oids.JSONB in mine[1], sql
        # through psycopg's decoding: jsonb is a Python dict, as from PostgreSQL
        row = ours.execute(f"UPDATE r_{t} SET n = 0 WHERE id = 3 RETURNING j, k").fetchone()
        assert row == ({"z": 1, "a": [1, 2]}, {"z": 1, "a": 2})
        with ours.cursor(binary=True) as cur:
            cur.execute(f"UPDATE r_{t} SET n = 0 WHERE id = 3 RETURNING j")
            assert cur.description[0].type_code == oids.JSONB and cur.fetchone() == ({"z": 1, "a": [1, 2]},)
    finally:
        for c in (ours, theirs):
            c.execute(f"DROP TABLE r_{t}")


def test_create_table_as_keeps_jsonb_and_lengths(both) -> None:
    """A new table's column from a jsonb column or expression is jsonb, from a varchar(5) column
    varchar(5) (its length enforced); json stays json."""
    ours, theirs, t = both
    try:
        for temp in ("", "TEMP "):
            same(both, f"DROP TABLE IF EXISTS c_{t}")
            same(
                both,
                f"CREATE {temp}TABLE c_{t} AS SELECT id, j, k, v, j -> 'c' AS jc, to_jsonb(n) AS tj, n FROM {t}",
            )
            same(both, f"SELECT * FROM c_{t} ORDER BY id")
            same(both, f"SELECT j -> 'a', j ? 'a', j || '[0]', k -> 'a' FROM c_{t} ORDER BY id")
            same(both, f"INSERT INTO c_{t} (id, v) VALUES (9, 'toolong')")
            assert ours.execute(f"SELECT jc FROM c_{t} WHERE id = 1").fetchone() == ({"x": None, "y": "s"},)
        same(
            both,
            f"SELECT column_name::text, data_type::text, character_maximum_length FROM information_schema.columns"
            f" WHERE table_name = 'c_{t}' ORDER BY ordinal_position",
        )
    finally:
        for c in (ours, theirs):
            c.execute(f"DROP TABLE IF EXISTS c_{t}")


def test_jsonb_each_and_array_elements_values_are_jsonb(both) -> None:
    """jsonb_each's value and jsonb_array_elements' are jsonb, in FROM after a comma too (a table
    function there, not a refused scalar call); the _text forms are text."""
    for sql in [
        'SELECT * FROM jsonb_each(\'{"b": [1, 2], "a": {"y": 1, "x": 2}}\')',
        'SELECT * FROM jsonb_each_text(\'{"b": [1,2], "a": "s"}\')',
        "SELECT key, value FROM {t}, jsonb_each({t}.j) WHERE id = 1 ORDER BY key",
        "SELECT e.key, e.value, e.value -> 'y' FROM {t}, jsonb_each(j) AS e WHERE id = 1 ORDER BY 1",
        "SELECT key, value FROM {t} CROSS JOIN LATERAL jsonb_each_text(j) WHERE id = 1 ORDER BY key",
        "SELECT value FROM {t}, jsonb_array_elements(j) WHERE id = 2",
        "SELECT v.value, v.value -> 'x' FROM {t}, jsonb_array_elements(j) AS v WHERE id = 2",
        "SELECT jsonb_array_elements(j) FROM {t} WHERE id = 2",
        "SELECT key FROM {t}, jsonb_each(j) WHERE id = 2",  # 22023: not an object
    ]:
        same(both, sql)
    ours, _, t = both
    rows = ours.execute(f"SELECT key, value FROM {t}, jsonb_each(j) WHERE id = 1 ORDER BY key").fetchall()
    assert rows == [("a", 1), ("b", [1, 2]), ("c", {"x": None, "y": "s"})]  # decoded: jsonb


def test_json_builders_and_to_json_print_as_postgresql(both) -> None:
    """json_build_object / json_build_array with PostgreSQL's spacing, a json value's own text
    kept, to_json / to_jsonb of a timestamp in ISO 8601; PostgreSQL's errors."""
    for sql in [
        "SELECT json_build_object('a', 1.50, 'b', 'x', 'c', '{\"z\":  1}'::json, 'd', '{\"z\":1,\"a\":2}'::jsonb,"
        " 'e', ARRAY[1,2], 'f', NULL, 'g', true, 'h', 1.5::float8, 'i', TIMESTAMP '2024-01-01 10:00')",
        "SELECT json_build_array(1, 'a', NULL, '[1,  2]'::json), json_build_array(), json_build_object()",
        "SELECT json_build_object(1, 2), json_build_object('a', 1, 'a', 2)",
        "SELECT json_build_object('k', k, 'v', v) FROM {t} ORDER BY id",
        "SELECT to_json(TIMESTAMP '2024-01-01 10:00:00.5'), to_json(TIMESTAMPTZ '2024-01-01 10:00:00+02'),"
        " to_json(timestamp 'infinity'), to_json(date '2024-01-02'), to_json(1.50), to_json('a\"b'::text)",
        "SELECT to_jsonb(TIMESTAMP '2024-01-01 10:00'), jsonb_build_object('t', TIMESTAMPTZ '2024-01-01 10:00:00+02')",
        "SELECT jsonb_build_object('a', json_build_array(1, 2)), to_jsonb(json_build_object('k', 1)), to_json(1) || 'x'",
        "SELECT to_json(x) FROM (VALUES (1), (NULL)) t(x)",
        "SELECT json_build_object('a')",  # 22023
        "SELECT json_build_object(NULL, 1)",  # 22023
    ]:
        same(both, sql)
    ours, _, _ = both
    assert ours.execute("SELECT json_build_object('a', 1, 'b', ARRAY['x'])").fetchone() == (
        {"a": 1, "b": ["x"]},
    )


def test_pg_typeof_of_a_jsonb_column(both) -> None:
    """pg_typeof of a jsonb column (or -> of one, jsonb_each's value) is jsonb, of a json one json,
    in subqueries and CTEs too."""
    for sql in [
        "SELECT pg_typeof(j)::text, pg_typeof(k)::text, pg_typeof(j -> 'a')::text, pg_typeof(k -> 'a')::text,"
        " pg_typeof(id)::text FROM {t} ORDER BY id",
        "SELECT pg_typeof(x.j)::text FROM {t} x WHERE id = 1",
        "SELECT (SELECT pg_typeof(j)::text FROM {t} WHERE id = 1), pg_typeof('{}'::jsonb)::text, pg_typeof('{}'::json)::text",
        "WITH c AS (SELECT j FROM {t}) SELECT DISTINCT pg_typeof(j)::text FROM c",
        "SELECT pg_typeof(value)::text FROM jsonb_each('{\"a\": 1}')",
        "SELECT id FROM {t} WHERE pg_typeof(j)::text = 'jsonb' ORDER BY id",
    ]:
        same(both, sql)
    ours, _, t = both
    for _ in range(2):  # a prepared statement, run again
        assert ours.execute(
            f"SELECT pg_typeof(j)::text FROM {t} WHERE id = %s", [1], prepare=True
        ).fetchone() == ("jsonb",)


def test_a_json_column_has_no_minus(both) -> None:
    """json (not jsonb) has no - operator: 42883, as in PostgreSQL; a jsonb column's - and an
    integer column's - are theirs."""
    for sql in [
        "SELECT k - 'a' FROM {t} WHERE id = 1",
        "SELECT x.k - 1 FROM {t} x WHERE id = 2",
        "SELECT j - 'a', id - 1, n - 1 FROM {t} ORDER BY id",
        "SELECT j - 0 FROM {t} WHERE id = 2",
        "SELECT '{\"a\": 1}'::json - 'a'",
    ]:
        same(both, sql)


def test_rows_and_aggregates_print_jsonb_as_postgresql(both) -> None:
    """A row as json (row_to_json, to_json, json_agg, json_build_object of a FROM item: a table,
    a subquery, a view, an outer join's missing side) writes its jsonb fields in jsonb's text, its
    json fields as written, numerics with their scale, timestamps in ISO 8601; json_agg puts a
    newline before each composite or array element but the first, as PostgreSQL does."""
    ours, theirs, t = both
    for c in (ours, theirs):
        c.execute(f"CREATE OR REPLACE VIEW v_{t} AS SELECT id, j, k FROM {t}")
        c.execute(f"CREATE OR REPLACE VIEW v_{t}_s AS SELECT (SELECT j FROM {t} ORDER BY id LIMIT 1) AS s")
        c.execute(f"CREATE TEMP TABLE n_{t} (id int, x numeric(6,2), ts timestamp, a int[])")
        c.execute(
            f"INSERT INTO n_{t} VALUES (1, 1.50, '2024-01-01 10:00', ARRAY[1, 2]), (2, NULL, NULL, NULL)"
        )
    try:
        for sql in [
            "SELECT row_to_json({t}), to_json({t}) FROM {t} ORDER BY id",
            "SELECT row_to_json(x), to_json(x) FROM (SELECT j, k, id FROM {t}) x ORDER BY id",
            "SELECT json_agg(x) FROM (SELECT j FROM {t} ORDER BY id) x",
            "SELECT json_agg(r ORDER BY id) FROM {t} r",
            "SELECT id, json_build_object('r', r) FROM {t} r ORDER BY id",
            "SELECT row_to_json(v) FROM v_{t} v ORDER BY id",
            "SELECT a.id, row_to_json(b) FROM {t} a LEFT JOIN {t} b ON a.id = b.id + 1 ORDER BY a.id",
            "SELECT json_agg(j), json_agg(k), jsonb_agg(j), jsonb_agg(k) FROM {t}",
            "SELECT to_jsonb(r) FROM {t} r ORDER BY id",
            "SELECT row_to_json(n_{t}) FROM n_{t} ORDER BY id",
            "SELECT json_agg(a ORDER BY id DESC), json_agg(n ORDER BY id) FROM n_{t} n",
            "SELECT json_agg(a) FILTER (WHERE a IS NOT NULL) FROM n_{t}",
            "SELECT json_agg(x) FROM (VALUES (1, 'a'), (2, NULL)) x(a, b)",
            # arrays of jsonb (jsonb[], elements in jsonb's text) and of json (as written)
            "SELECT array_agg(j ORDER BY id), array_to_json(array_agg(j ORDER BY id)), pg_typeof(array_agg(j))::text"
            " FROM {t}",
            "SELECT to_json(ARRAY[j]), ARRAY[j, NULL], pg_typeof(ARRAY[j])::text FROM {t} ORDER BY id",
            "SELECT array_agg(k ORDER BY id), array_to_json(array_agg(k ORDER BY id)), to_json(array_agg(k ORDER BY id))"
            " FROM {t}",
            "SELECT json_build_object('a', array_agg(j ORDER BY id)) FROM {t}",
            # json_object_agg: PostgreSQL's spacing, each value as to_json writes it
            "SELECT json_object_agg(id, j), json_object_agg(v, k ORDER BY id DESC) FROM {t}",
            "SELECT json_object_agg(id, j) FROM {t} WHERE false",
            "SELECT json_object_agg(NULL::text, 1)",
            # a scalar subquery of a jsonb column is jsonb, in a view too
            "SELECT (SELECT j FROM {t} ORDER BY id LIMIT 1), (SELECT k FROM {t} ORDER BY id LIMIT 1)",
            "SELECT id, (SELECT y.j FROM {t} y WHERE y.id = x.id) FROM {t} x ORDER BY id",
            "SELECT s FROM v_{t}_s",
        ]:
            same(both, sql.replace("n_{t}", f"n_{t}").replace("v_{t}", f"v_{t}"))
    finally:
        for c in (ours, theirs):
            c.execute(f"DROP VIEW v_{t}")
            c.execute(f"DROP VIEW v_{t}_s")
            c.execute(f"DROP TABLE n_{t}")


def test_json_has_none_of_jsonbs_operators(both) -> None:
    """json (not jsonb) has no ||, ?, ?|, ?&, #-, @>, <@ (42883, as PostgreSQL says when it parses
    the statement: with no rows too), nor has jsonb || json or jsonb @> json; json || text is text
    with json's own text; json #> / #>> keep the member's text and are json."""
    for sql in [
        "SELECT k || k FROM {t}",
        "SELECT x.k || x.k FROM {t} x",
        "SELECT j || k FROM {t}",
        "SELECT k || j FROM {t} WHERE false",
        "SELECT k -> 'a' || k FROM {t}",
        "SELECT k || 5 FROM {t}",
        "SELECT k || '{\"b\": 2}', k || 'x'::text, 'a' || k, v || k, k || NULL, k || k::text FROM {t} ORDER BY id",
        "SELECT k || 'a' || j FROM {t} ORDER BY id",
        "SELECT k ? 'a' FROM {t}",
        "SELECT k ?| ARRAY['a'] FROM {t}",
        "SELECT k ?& ARRAY['a'] FROM {t} WHERE false",
        "SELECT k #- '{a}' FROM {t}",
        "SELECT k @> '{\"a\": 1}' FROM {t}",
        "SELECT k <@ k FROM {t}",
        "SELECT j @> k FROM {t}",
        "SELECT k @> j FROM {t}",
        "SELECT j @> j, j <@ j, j ? 'a', j || j FROM {t} ORDER BY id",
        "SELECT k #> '{b}', k #>> '{b}', k #> '{}', k #> '{0}' FROM {t} ORDER BY id",
        "SELECT json_build_object('a', 1) || json_build_object('b', 2)",
        "SELECT '{\"a\":1}'::json || '{\"b\":2}'::jsonb",
    ]:
        same(both, sql)


def test_jsonb_text_of_arrow_casts_builders_and_copy(both) -> None:
    """->> of a jsonb object or array, a jsonb column cast to text, inside to_json and
    json_build_object, and COPY TO: jsonb's text (PostgreSQL's form), not the text as inserted or
    DuckDB's compact one; a json column keeps its own text."""
    for sql in [
        "SELECT j ->> 'b', j ->> 'a', j ->> 'c', j ->> 'nope', k ->> 'b' FROM {t} WHERE id = 1",
        "SELECT j ->> 1, j ->> -1, j ->> 5, j ->> 'x', (j -> 1) ->> 'x', j -> 1 ->> 'x' FROM {t} WHERE id = 2",
        "SELECT x.j ->> 'c' FROM {t} x ORDER BY id",
        "SELECT j::text, CAST(j AS text), k::text FROM {t} ORDER BY id",
        "SELECT json_build_object('j', j, 'k', k), to_json(j) FROM {t} ORDER BY id",
        'SELECT \'{"a":{"c":1,"b":[1,2]}}\'::jsonb ->> \'a\'',
        "SELECT id FROM {t} WHERE j ->> 'a' = '1' AND j::text LIKE '{\"a\": 1, %'",
        "SELECT j ->> 'c' AS c, count(*) FROM {t} GROUP BY j ->> 'c' ORDER BY 1",
    ]:
        same(both, sql)
    ours, theirs, t = both
    for sql in [
        f"COPY (SELECT id, j, k, j -> 'c' FROM {t} ORDER BY id) TO STDOUT",
        f"COPY {t} TO STDOUT",
        f"COPY (SELECT j FROM {t} ORDER BY id) TO STDOUT (FORMAT csv)",
        f"COPY (SELECT j FROM {t} ORDER BY id) TO STDOUT (FORMAT binary)",
    ]:
        out = []
        for c in (ours, theirs):
            with c.cursor().copy(sql) as cp:
                out.append(b"".join(bytes(x) for x in cp))
        assert out[0] == out[1], f"{sql}\nDuckCDB:    {out[0]!r}\nPostgreSQL: {out[1]!r}"
    assert b'{"a": 1, "b": [1, 2], "c": {"x": null, "y": "s"}}' in out[0]


def test_json_arrow_keeps_the_members_text(both) -> None:
    """json (not jsonb) -> and ->> give the member's text as written (PostgreSQL's json keeps
    its text), the last of a duplicate key; jsonb's are jsonb's text."""
    ours, theirs, t = both
    for c in (ours, theirs):
        c.execute(f"CREATE TEMP TABLE a_{t} (id int, k json, j jsonb)")
        c.execute(
            f"""INSERT INTO a_{t} VALUES (1, '{{"b": [1,  2], "a" : {{"x":  1}}, "s": "q\\"r", "n": null, "a": {{"y" : 2}}}}',"""
            f""" '{{"b":[1,2]}}'), (2, '[1, {{"x" : "y"}} , "z"]', NULL)"""
        )
    try:
        for sql in [
            "SELECT '{\"a\": {\"b\": [1, 2]}}'::json -> 'a', '{\"a\": 1}'::json ->> 'a'",
            "SELECT k -> 'b', k -> 'a', k -> 'a' -> 'y', k ->> 'a', k ->> 's', k -> 's', k ->> 'n', k -> 'n',"
            " k -> 'zz' FROM a_{t} WHERE id = 1",
            "SELECT k -> 1, k -> -1, k ->> 1, k -> 1 -> 'x', k -> 1 ->> 'x', k -> 9 FROM a_{t} WHERE id = 2",
            "SELECT j -> 'b', j ->> 'b', k::jsonb -> 'a' FROM a_{t} WHERE id = 1",
            "SELECT x.k -> 'a' FROM a_{t} x ORDER BY id",
            "SELECT id FROM a_{t} WHERE k ->> 's' = 'q\"r'",
        ]:
            same(both, sql.replace("a_{t}", f"a_{t}"))
    finally:
        for c in (ours, theirs):
            c.execute(f"DROP TABLE a_{t}")


def test_select_into_a_jsonb_table_is_read_as_jsonb_by_the_same_session(server: RunningServer, pg15) -> None:  # noqa: ANN001
    """SELECT ... INTO makes a table, as CREATE TABLE AS does: its jsonb column is jsonb, and the
    session that made it, in a PDB that had no JSON column, reads it as jsonb at once (its ||
    merged nothing and concatenated the texts while the session's catalog reads were stale)."""
    name = "SI" + uuid.uuid4().hex[:8].upper()
    db = "si_" + uuid.uuid4().hex[:8]
    with server.connect(autocommit=True) as root:
        root.execute(
            f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"'
        )
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    with pg15.connect(autocommit=True) as pg:
        pg.execute(f"CREATE DATABASE {db}")
    try:
        with (
            server.connect(name, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as ours,
            pg15.connect(db, autocommit=True) as theirs,
        ):
            for c in (ours, theirs):
                c.execute("CREATE TABLE a (x text)")
                c.execute("INSERT INTO a VALUES ('p')")
                c.execute("SELECT x || 'q' AS y FROM a").fetchall()  # (|| while no JSON column)
                c.execute("""SELECT '{"a": 1}'::jsonb AS j INTO t""")
            for sql in ("""SELECT j || '{"b": 2}' AS m FROM t""", "SELECT pg_typeof(j)::text AS k FROM t"):
                mine, pgs = _answer(ours, sql, True), _answer(theirs, sql, True)
                assert mine == pgs, f"{sql}\nDuckCDB:    {mine}\nPostgreSQL: {pgs}"
            assert ours.execute("""SELECT j || '{"b": 2}' FROM t""").fetchone() == ({"a": 1, "b": 2},)
    finally:
        with server.connect(autocommit=True) as root:
            root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE")
            root.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")
        with pg15.connect(autocommit=True) as pg:
            pg.execute(f"DROP DATABASE {db}")


def test_create_table_as_is_tagged_with_its_rows(both) -> None:
    """CREATE TABLE AS answers PostgreSQL's tag, SELECT n (drivers' rowcount), and CREATE TABLE AS
    for WITH NO DATA and where IF NOT EXISTS finds the table (with PostgreSQL's notice 42P07);
    with a column list, IF NOT EXISTS, TABLE t, and jsonb columns (made with their CHECKs) too."""
    ours, theirs, t = both
    notices: list[list[tuple[str | None, str | None]]] = [[], []]
    for c, seen in zip((ours, theirs), notices, strict=True):
        c.add_notice_handler(lambda n, seen=seen: seen.append((n.sqlstate, n.message_primary)))
    made = [
        "CREATE TABLE {t}_c1 AS SELECT id, n FROM {t}",
        "CREATE TEMP TABLE {t}_c2 AS SELECT id FROM {t} WHERE false",
        "CREATE TABLE {t}_c3 AS SELECT id FROM {t} WITH NO DATA",
        "CREATE TABLE {t}_c4 AS SELECT id, j FROM {t}",
        "CREATE TABLE {t}_c5 (a, b) AS SELECT id, j, v FROM {t}",
        "CREATE TABLE IF NOT EXISTS {t}_c6 AS SELECT id, j FROM {t}",
        "CREATE TABLE IF NOT EXISTS {t}_c6 AS SELECT id, j FROM {t}",
        "CREATE TABLE IF NOT EXISTS {t}_c1 AS SELECT 1 AS x WITH NO DATA",
        "CREATE TEMP TABLE IF NOT EXISTS {t}_c7 (z) AS SELECT 5 UNION ALL SELECT 6",
        "CREATE TABLE {t}_c8 AS TABLE {t}",
        "CREATE TABLE {t}_c9 (a) AS SELECT 1 WITH NO DATA",
    ]
    tags = []
    try:
        for sql in made:
            got = []
            for c, seen in zip((ours, theirs), notices, strict=True):
                seen.clear()
                cur = c.execute(sql.replace("{t}", t))
                got.append((cur.statusmessage, cur.rowcount, list(seen)))
            assert got[0] == got[1], f"{sql}\nDuckCDB:    {got[0]}\nPostgreSQL: {got[1]}"
            tags.append(got[0][:2])
        assert tags[0] == ("SELECT 2", 2) and tags[6][0] == "CREATE TABLE AS"
        # the new tables' columns: jsonb and varchar(5) kept, named by the column list
        for sql in [
            "SELECT * FROM {t}_c5 ORDER BY a",
            "SELECT pg_typeof(j)::text, j FROM {t}_c6 ORDER BY id",
            "INSERT INTO {t}_c5 VALUES (9, NULL, 'toolong')",
        ]:
            same(both, sql.replace("{t}_", f"{t}_"))
    finally:
        for c in (ours, theirs):
            for i in range(1, 10):
                c.execute(f"DROP TABLE IF EXISTS {t}_c{i}")


def test_jsonb_columns_store_documents_as_jsonb(both) -> None:
    """A value written into a jsonb column is stored as jsonb reads it (keys sorted and unique,
    the last of a duplicate key kept), however it is written: VALUES, a parameter, INSERT ...
    SELECT, UPDATE, COPY. Equal documents are then equal: =, DISTINCT, GROUP BY, joins and a
    literal compared with the column find them, as in PostgreSQL (the text as written was
    compared: '{"b": 2, "a": 1}' = '{"a":1,"b":2}' was false)."""
    ours, theirs, t = both
    d = f"{t}_docs"
    for c in (ours, theirs):
        c.execute(f"CREATE TABLE {d} (id int, j jsonb)")
        c.execute(f"""INSERT INTO {d} VALUES (1, '{{"a":1,"b":2}}'), (2, '{{"b": 2, "a": 1}}')""")
        c.execute(f"INSERT INTO {d} (id, j) VALUES (3, %s)", [Jsonb({"b": 2, "a": 1})])
        c.execute(f"""INSERT INTO {d} SELECT 4, '{{"a": 1, "a": 5}}'""")
        c.execute(f"""INSERT INTO {d} VALUES (5, '[1]'), (6, NULL)""")
        c.execute(f"""UPDATE {d} SET j = '{{"z": [3], "y":  1}}' WHERE id = 5""")
        with c.cursor().copy(f"COPY {d} FROM STDIN") as cp:
            cp.write('7\t{"b":2,"a":1}\n8\t{"a": 1, "a": 5}\n')
    for sql in [
        f"SELECT id, j FROM {d} ORDER BY id",
        f"SELECT count(DISTINCT j) FROM {d}",
        f"""SELECT id FROM {d} WHERE j = '{{"a": 1, "b": 2}}' ORDER BY id""",
        f"""SELECT id FROM {d} WHERE '{{"b":2,"a":1}}' = j ORDER BY id""",
        f"SELECT j::text, count(*) FROM {d} GROUP BY j ORDER BY 2 DESC, 1",
        f"SELECT a.id, b.id FROM {d} a JOIN {d} b ON a.j = b.j AND a.id < b.id ORDER BY 1, 2",
        f"SELECT id, j -> 'a' FROM {d} WHERE id IN (4, 8) ORDER BY id",
    ]:
        assert same(both, sql)[0] == "ok", sql


def test_json_each_and_array_elements_keep_the_text(both) -> None:
    """json_each / json_each_text / json_array_elements / json_array_elements_text of a json (not
    jsonb): PostgreSQL's columns (key, value), each value's text as written (whitespace, key order,
    duplicate keys kept: json is its text), in FROM (after a comma, LATERAL, with an alias and its
    column list) and in a select list; PostgreSQL's errors for the other kinds of value."""
    for sql in [
        'SELECT * FROM json_each(\'{"b": 1,  "a" : [1,  2], "b": {"x" :1}}\')',
        'SELECT * FROM json_each_text(\'{"b": 1,  "a" : [1,  2], "b": "x\\n", "n": null}\')',
        'SELECT * FROM json_array_elements(\'[1,  {"b" : 2, "a": 1}, "x", null]\')',
        'SELECT * FROM json_array_elements_text(\'[1,  {"b" : 2, "a": 1}, "x", null]\')',
        'SELECT json_each(\'{"b": 1,  "a" : [1,  2]}\'), json_each_text(\'{"a" : [1,  2]}\')',
        "SELECT json_array_elements('[1,  {\"b\" : 2}]') AS e, json_array_elements_text('[\"x\", 2]') AS t",
        "SELECT id, key, value FROM {t}, json_each({t}.k) WHERE id = 1",
        "SELECT e.key, e.value, e.value -> 'b' FROM {t}, json_each(k) AS e WHERE id = 1",
        "SELECT id, e.* FROM {t} CROSS JOIN LATERAL json_each_text(k) e(kk, vv) WHERE id = 1",
        "SELECT v.value, v.value ->> 'x' FROM {t}, json_array_elements(k) v WHERE id = 2",
        "SELECT id, json_array_elements(k) FROM {t} WHERE id = 2",
        "SELECT to_json(t), row_to_json(t), t FROM json_each('{\"a\" : 1}') t",
        "SELECT value::text, pg_typeof(value)::text FROM json_array_elements('[1, \"a\"]')",
        "SELECT * FROM json_each(NULL)",
        "SELECT key FROM {t}, json_each(k) WHERE id = 2",  # 22023: an array
        "SELECT * FROM json_each('1')",  # 22023: a scalar
        "SELECT * FROM json_array_elements('{}')",  # 22023: an object
        "SELECT json_array_elements_text('1')",  # 22023
        "SELECT * FROM json_array_elements('[1,')",  # 22P02
    ]:
        same(both, sql)
    ours, _, t = both
    rows = ours.execute(f"SELECT key, value FROM {t}, json_each(k) WHERE id = 1").fetchall()
    assert rows == [("b", [1, 2]), ("a", 1)]  # decoded: json


def test_json_aggregates_as_window_functions_filtered_and_distinct(both) -> None:
    """json_agg, jsonb_agg, json_object_agg and jsonb_object_agg with OVER (...) / OVER w, FILTER
    (WHERE ...) (both together too) and DISTINCT (in the order PostgreSQL sorts the values), with
    PostgreSQL's spacing and jsonb's text; PostgreSQL's errors for DISTINCT or ORDER BY in a window
    call (0A000, with no rows too) and for DISTINCT's ORDER BY of another expression (42P10)."""
    for sql in [
        "SELECT id, jsonb_agg(j) OVER (ORDER BY id), json_agg(k) OVER (ORDER BY id) FROM {t} ORDER BY id",
        "SELECT x, json_agg(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW),"
        " jsonb_agg(x) OVER w FROM (VALUES (2), (1), (3)) v(x) WINDOW w AS (ORDER BY x DESC) ORDER BY x",
        "SELECT x, json_object_agg(k, x) OVER (ORDER BY x), jsonb_object_agg(k, x) OVER (ORDER BY x)"
        " FROM (VALUES ('b', 2), ('a', 1), ('b', 3)) v(k, x) ORDER BY x",
        "SELECT x, jsonb_agg(x) FILTER (WHERE x > 1) OVER (ORDER BY x),"
        " json_object_agg(k, x) FILTER (WHERE x <> 2) OVER (ORDER BY x)"
        " FROM (VALUES ('b', 2), ('a', 1), ('b', 3)) v(k, x) ORDER BY x",
        "SELECT json_object_agg(k, x) FILTER (WHERE x > 1), jsonb_object_agg(k, x) FILTER (WHERE x > 1),"
        " jsonb_agg(x) FILTER (WHERE x > 1) FROM (VALUES ('b', 2), ('a', 1), ('b', 3)) v(k, x)",
        "SELECT json_agg(DISTINCT x), jsonb_agg(DISTINCT x), json_agg(DISTINCT x ORDER BY x DESC)"
        " FROM (VALUES (2), (NULL), (10), (2), (NULL)) v(x)",
        "SELECT json_object_agg(DISTINCT k, x), jsonb_object_agg(DISTINCT k, x)"
        " FROM (VALUES ('b', 2), ('a', 3), ('b', 2), ('a', 1)) v(k, x)",
        "SELECT jsonb_agg(DISTINCT x) FILTER (WHERE x > 1) FROM (VALUES (3), (1), (3), (2)) v(x)",
        "SELECT jsonb_agg(x ORDER BY x DESC), jsonb_agg(n), jsonb_object_agg(v, n) FROM (VALUES (1.50), (0.25)) t(x),"
        " {t} WHERE id = 1",
        "SELECT jsonb_object_agg(k, x) FROM (VALUES ('b', 1), ('a', 2), ('b', 3)) v(k, x)",
        "SELECT jsonb_object_agg(k, x) FROM (VALUES ('a', 1), (NULL, 2)) v(k, x)",  # 22023
        "SELECT json_agg(DISTINCT x) OVER () FROM (VALUES (1)) v(x) WHERE false",  # 0A000
        "SELECT jsonb_object_agg(DISTINCT k, x) OVER () FROM (VALUES ('a', 1)) v(k, x)",  # 0A000
        "SELECT json_agg(x ORDER BY x) OVER () FROM (VALUES (1)) v(x) WHERE false",  # 0A000
        "SELECT json_object_agg(k, x ORDER BY x) FILTER (WHERE x > 1) OVER () FROM (VALUES ('a', 1)) v(k, x)",
        "SELECT sum(DISTINCT x) OVER () FROM (VALUES (1)) v(x)",  # 0A000
        "SELECT json_agg(DISTINCT x ORDER BY y) FROM (VALUES (1, 2)) v(x, y)",  # 42P10
    ]:
        same(both, sql)
    ours, _, _ = both
    cur = ours.execute(
        "SELECT jsonb_agg(x) OVER (ORDER BY x), json_agg(x) OVER () FROM (VALUES (1), (2)) v(x)"
    )
    assert [d.name for d in cur.description] == ["jsonb_agg", "json_agg"]
    assert cur.fetchall() == [([1], [1, 2]), ([1, 2], [1, 2])]


def test_anonymous_records_as_json(both) -> None:
    """ROW(...) and (a, b) given to row_to_json, to_json, to_jsonb, json_agg, jsonb_agg,
    json_build_* and json_object_agg: PostgreSQL's anonymous record {"f1":...,"f2":...} (a record
    in a field too, each field as to_json writes it), not DuckDB's unnamed STRUCT's JSON array;
    a VALUES list in FROM whose alias names fewer columns than it has: PostgreSQL's columnN."""
    for sql in [
        "SELECT row_to_json(ROW(1, 'a')), row_to_json((1, 'a')), row_to_json(ROW())",
        "SELECT row_to_json(ROW(1, 'a', ROW(2, NULL), ARRAY[1, 2]))",
        "SELECT to_json(ROW(1, 'a')), to_jsonb(ROW(1, 'a')), to_jsonb(ROW(1.50, 'a', ROW('{\"b\":1, \"a\":2}'::jsonb)))",
        "SELECT json_agg(ROW(x, 'a') ORDER BY x), jsonb_agg(ROW(x, 'a')) FROM (VALUES (1), (2)) v(x)",
        "SELECT json_build_object('r', ROW(1, 2.50)), json_build_array(ROW(1, TIMESTAMP '2024-01-01 10:00')),"
        " jsonb_build_object('r', ROW(1, 'x'))",
        "SELECT json_object_agg(x, ROW(x, y)) FROM (VALUES (1, 'a'), (2, NULL)) v(x, y)",
        "SELECT to_json(ROW(id, j, k)) FROM {t} ORDER BY id",
        "SELECT * FROM (VALUES (1, 'a', 2.50, NULL::int)) v(a, b)",
        "SELECT row_to_json(v), to_json(v) FROM (VALUES (1, 'a', 'x', NULL::int)) v(a)",
    ]:
        same(both, sql)
    ours, _, _ = both
    cur = ours.execute("SELECT * FROM (VALUES (1, 2)) v(a)")
    assert [d.name for d in cur.description] == ["a", "column2"]


def test_renamed_subquery_rows_as_json(both) -> None:
    """The row of a subquery or VALUES list whose alias renames its columns, s(a, b), as to_json,
    row_to_json and json_agg write it: numerics with their scale, timestamps in ISO 8601, jsonb in
    jsonb's text (DuckDB's to_json of the STRUCT wrote 2.5 for 2.50); its columns keep their
    types (a jsonb column renamed is jsonb)."""
    for sql in [
        "SELECT to_json(v), row_to_json(v) FROM (VALUES (2.50, TIMESTAMP '2024-01-01 10:00', '{\"b\":1,\"a\":2}'::jsonb))"
        " v(a, b, c)",
        "SELECT to_json(v) FROM (VALUES (1, 2.50)) v(a)",
        "SELECT to_json(s), row_to_json(s) FROM (SELECT j, k, v, n FROM {t}) s(a, b) ORDER BY n",
        "SELECT json_agg(s ORDER BY b) FROM (SELECT j, n FROM {t}) s(a, b)",
        "SELECT s.a, pg_typeof(s.a)::text, s.v FROM (SELECT j, v FROM {t}) s(a) ORDER BY s.v",
    ]:
        same(both, sql)


def test_the_row_of_a_one_column_function_is_its_value(both) -> None:
    """to_json(t), to_jsonb(t), json_agg(t), json_build_object('k', t), json_object_agg(..., t) of t,
    the alias of a set-returning function of one column in FROM (generate_series(...) t(x),
    json_array_elements(...) t, unnest(ARRAY[...]) t(x)): PostgreSQL's t is the column's value,
    not a row {"x": ...}; row_to_json of it is PostgreSQL's 42883. unnest of several arrays
    renamed t(x, y) is a row, its numerics with their scale."""
    for sql in [
        "SELECT to_json(t), to_jsonb(t) FROM generate_series(1, 2) AS t(x)",
        "SELECT json_agg(t), jsonb_agg(t ORDER BY t DESC), json_build_array(count(t)) FROM generate_series(1, 3) AS t(x)",
        'SELECT to_json(t), to_jsonb(t), json_agg(t) OVER () FROM jsonb_array_elements(\'[{"b":1,"a":2}, 1.50]\') t',
        "SELECT to_json(t), json_build_object('k', t) FROM json_array_elements('[1, {\"a\" : 1}]') t",
        'SELECT json_object_agg(e, t) FROM jsonb_array_elements_text(\'["a", "b"]\') t, generate_series(1, 1) e(n)',
        'SELECT to_json("T") FROM generate_series(1, 2) AS "T"(x)',
        "SELECT to_json(t) FROM unnest(ARRAY['a', 'b']) AS t(x)",
        "SELECT to_json(t) FROM unnest(ARRAY[1.50], ARRAY['a']) AS t(x, y)",
        "SELECT id, to_json(e) FROM {t}, json_array_elements(k) e WHERE id = 2",
        "SELECT row_to_json(t) FROM generate_series(1, 2) t(x)",  # 42883
    ]:
        same(both, sql)


def test_json_paths_lengths_and_pretty_rows(both) -> None:
    """json_extract_path / _text (VARIADIC keys; DuckDB's takes other arguments) keep json's text
    and index arrays by a key of digits, jsonb_extract_path / _text are jsonb's; json_array_length
    of an object or a scalar is PostgreSQL's 22023 (DuckDB's says 0); row_to_json(r, true) puts a
    line feed and a space after each top-level field's comma."""
    for sql in [
        "SELECT json_extract_path('{\"a\": {\"b\" :  [1,  2]}}', 'a', 'b'), json_extract_path_text('{\"a\": [10, \"x\"]}', 'a', '-1')",
        "SELECT json_extract_path(k, 'b'), json_extract_path_text(k, 'b', '0'), jsonb_extract_path(j, 'b'),"
        " jsonb_extract_path_text(j, 'c', 'y') FROM {t} ORDER BY id",
        "SELECT json_array_length(k) FROM {t} WHERE id = 2",
        "SELECT json_array_length('[1, [2, 3]]'), json_array_length(NULL)",
        "SELECT json_array_length(k) FROM {t} WHERE id = 1",  # 22023: an object
        "SELECT json_array_length('1')",  # 22023: a scalar
        "SELECT row_to_json(ROW(1, 'a'), true), row_to_json(ROW(1, 'a'), false), row_to_json(ROW(), true)",
        "SELECT row_to_json(r, true) FROM {t} r ORDER BY id",
        "SELECT array_to_json(ARRAY[[1,2],[3,4]], true), array_to_json(ARRAY['a'], true), array_to_json('{}'::int[], true),"
        " array_to_json(ARRAY[1,2], NULL), array_to_json(ARRAY[TIMESTAMP '2024-01-01 10:00'], false)",
        "SELECT array_to_json(array_agg(j ORDER BY id), true), array_to_json(array_agg(k ORDER BY id), true) FROM {t}",
    ]:
        same(both, sql)


def test_json_object_keys_bytea_and_numeric_arrays(both) -> None:
    """json_object_keys of an array or a scalar is PostgreSQL's 22023 (DuckDB's json_keys gave no
    rows), its keys in order with duplicates; to_json of a bytea is PostgreSQL's hex text, of a
    numeric array compact with null (it was a JSON error with a NULL element)."""
    for sql in [
        'SELECT json_object_keys(\'{"b":1, "a":2, "b":3}\'), json_object_keys(NULL)',
        "SELECT json_object_keys(k) FROM {t} WHERE id = 2",  # 22023: an array
        "SELECT json_object_keys('1')",  # 22023: a scalar
        'SELECT to_json(t) FROM json_object_keys(\'{"b":1, "a":2}\') t',
        'SELECT json_agg(t ORDER BY t) FROM jsonb_object_keys(\'{"b":1,"a":2}\') t',
        "SELECT to_json('\\x0102'::bytea), to_json('\\x'::bytea), json_build_object('b', '\\xdeadbeef'::bytea)",
        "SELECT to_json(ARRAY[1.50, NULL]), to_json(ARRAY[[1.25, 2.50], [NULL, 0.10]]), json_build_array(ARRAY[1.5::numeric])",
    ]:
        same(both, sql)


def test_order_by_a_jsonb_column_is_jsonbs_order(both) -> None:
    """ORDER BY a jsonb column sorts as PostgreSQL's jsonb btree order (object > array > boolean >
    number > string > null, bigger containers after smaller, members in storage order, numbers by
    value, [] before any scalar), not by the document's text; DESC and NULLS FIRST too."""
    ours, theirs, t = both
    docs = [
        "null", '"a"', '"b"', '"ab"', '"é"', "-10", "-2", "-1.5", "0", "0.001", "1", "2", "10", "1e2", "false",
        "true", "[]", "[1]", "[1,2]", "[2]", '["a"]', "{}", '{"a":1}', '{"b":1}', '{"aa":1,"c":1}',
        '{"b":1,"d":1}', "[[1]]", "[{}]", "[null]", '{"a": {"b": 1}}', '{"a": 1, "b": 2}', "[true, false]",
    ]  # fmt: skip
    for c in (ours, theirs):
        c.execute(f"CREATE TEMP TABLE o_{t} (id int, j jsonb)")
        with c.cursor() as cur:
            cur.executemany(f"INSERT INTO o_{t} VALUES (%s, %s::jsonb)", list(enumerate(docs)) + [(99, None)])
    try:
        for sql in [
            "SELECT id, j FROM o_{t} ORDER BY j, id",
            "SELECT id FROM o_{t} ORDER BY j DESC, id",
            "SELECT x.id FROM o_{t} x ORDER BY x.j NULLS FIRST, x.id",
            "SELECT DISTINCT j FROM o_{t} ORDER BY j",
            "SELECT DISTINCT ON (j) j, id FROM o_{t} ORDER BY j, id",
            "SELECT id, j FROM {t} ORDER BY j",
        ]:
            same(both, sql.replace("o_{t}", f"o_{t}"))
    finally:
        for c in (ours, theirs):
            c.execute(f"DROP TABLE o_{t}")


def test_a_rows_char_column_as_json_is_padded(both) -> None:
    """A table's or subquery's row as row_to_json / to_json / json_agg write it: a char(n) field
    padded with blanks to n, as PostgreSQL keeps it (to_json of the column alone was already)."""
    ours, theirs, t = both
    for c in (ours, theirs):
        c.execute(f"CREATE TEMP TABLE b_{t} (id int, c char(3), v varchar(3))")
        c.execute(f"INSERT INTO b_{t} VALUES (1, 'x', 'y'), (2, NULL, 'z')")
    try:
        for sql in [
            "SELECT row_to_json(b_{t}), to_json(b_{t}), to_json(c) FROM b_{t} ORDER BY id",
            "SELECT json_agg(s ORDER BY id), jsonb_agg(s ORDER BY id) FROM (SELECT id, c FROM b_{t}) s",
        ]:
            same(both, sql.replace("b_{t}", f"b_{t}"))
    finally:
        for c in (ours, theirs):
            c.execute(f"DROP TABLE b_{t}")


def test_json_functions_in_from_with_ordinality(both) -> None:
    """jsonb_array_elements / _text, jsonb_each / _text and their json forms in FROM WITH
    ORDINALITY (it was a syntax error): their columns, and ordinality (int8) counting from 1;
    jsonb values jsonb, json ones as written; after a comma, LATERAL, with an alias and its
    column list."""
    for sql in [
        'SELECT * FROM jsonb_array_elements(\'[{"b":1,"a":2}, 1.50]\') WITH ORDINALITY',
        "SELECT t.v -> 'a', t.n FROM jsonb_array_elements('[{\"b\":1,\"a\":2}, 1.50]') WITH ORDINALITY t(v, n)",
        "SELECT * FROM jsonb_array_elements_text('[\"x\", 2]') WITH ORDINALITY",
        "SELECT * FROM json_array_elements_text('[1,  \"z\"]') WITH ORDINALITY e(v, i)",
        'SELECT * FROM jsonb_each(\'{"b":[1, 2],"a":2}\') WITH ORDINALITY',
        'SELECT * FROM json_each_text(\'{"b":[1,  2],"a":"s"}\') WITH ORDINALITY AS x(k, v, n)',
        "SELECT id, e.* FROM {t}, json_array_elements(k) WITH ORDINALITY e WHERE id = 2 ORDER BY e.ordinality",
        "SELECT id, e.key, e.value, e.ordinality FROM {t} CROSS JOIN LATERAL jsonb_each(j) WITH ORDINALITY e"
        " WHERE id = 1 ORDER BY e.ordinality",
        "SELECT pg_typeof(value)::text, pg_typeof(ordinality)::text FROM jsonb_array_elements('[1]') WITH ORDINALITY",
    ]:
        same(both, sql)


def test_timestamp_arrays_as_json(both) -> None:
    """to_json, to_jsonb and json_build_object of a timestamp array: a JSON array of ISO 8601
    strings, as PostgreSQL writes them (it was one JSON string of DuckDB's list text)."""
    for sql in [
        "SELECT to_json(ARRAY[TIMESTAMP '2024-01-01 10:00', NULL, TIMESTAMP '2024-01-01 10:00:00.5']),"
        " to_json(ARRAY[TIMESTAMPTZ '2024-01-01 10:00+02'])",
        "SELECT json_build_object('t', ARRAY[TIMESTAMP '2024-01-01 10:00']), to_jsonb(ARRAY[TIMESTAMP 'infinity']),"
        " to_json(ARRAY[[TIMESTAMP '2024-01-01 10:00']])",
        "SELECT json_agg(a) FROM (VALUES (ARRAY[TIMESTAMP '2024-01-01 10:00'])) v(a)",
    ]:
        same(both, sql)


def test_json_functions_refuse_what_their_argument_shows_is_not_theirs(both) -> None:
    """json_each, json_typeof, json_array_length, ... of an argument that shows jsonb or text (a
    cast, a jsonb function), and jsonb_each, jsonb_typeof, jsonb_pretty, jsonb_set, ... of one that
    shows json: PostgreSQL's 42883 (json and jsonb are not the same type; the engine's functions
    read any text and would answer); the right ones answer."""
    for sql in [
        "SELECT * FROM json_each('{\"a\":1}'::jsonb)",
        "SELECT jsonb_typeof('1'::json)",
        "SELECT json_array_length('[1]'::text)",
        "SELECT * FROM jsonb_each(CAST('{\"a\":1}' AS json))",
        "SELECT jsonb_pretty(json_build_object('a', 1))",
        "SELECT json_each(to_jsonb(1))",
        "SELECT jsonb_set('{\"a\":1}'::json, '{a}', '2')",
        "SELECT json_typeof('1'::json), jsonb_typeof('1'::jsonb), json_array_length(json_build_array(1)),"
        " jsonb_array_length(to_jsonb(ARRAY[1]))",
    ]:
        same(both, sql)
