"""engine.declared on a DuckDB connection: which result columns are a table's varchar(n) /
char(n) columns, as DuckDB resolves the names, and nothing assumed where it is unsure."""

from __future__ import annotations

import duckdb
import pytest
from duckdb import _seam

from engine import declared
from engine.session import _sig_columns
from pgwire import types as oids
from pgwire.errors import DbError

V5 = (oids.VARCHAR, 9)
V7 = (oids.VARCHAR, 11)
C3 = (oids.BPCHAR, 7)
TEXT = (oids.TEXT, -1)
INT = (oids.INT4, -1)
NUM = (oids.NUMERIC, 655366)
REC = (oids.RECORD, -1)
JSONB, JSON = (oids.JSONB, -1), (oids.JSON, -1)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    # the CHECKs as pgcompat.lengths writes them
    c.execute(
        'CREATE TABLE t (id int, a varchar CHECK (len(a) <= 5), "B b" varchar CHECK (len(CAST("B b" AS BPCHAR)) <= 3),'
        " n decimal(10,2), s STRUCT(x varchar))"
    )
    c.execute("CREATE TABLE u (id int, x varchar)")
    c.execute("CREATE SCHEMA other")
    c.execute("CREATE TABLE other.t (a varchar CHECK (len(a) <= 7))")
    c.execute("CREATE VIEW v AS SELECT a FROM t")
    c.execute("CREATE VIEW w (z) AS SELECT a FROM t")
    c.execute(
        "CREATE TABLE j (id int, d JSON CHECK (typeof(d) <> 'jsonb'), \"E e\" JSON CHECK (typeof(\"E e\") <> 'jsonb'), k JSON)"
    )
    c.execute("CREATE VIEW jv (x, y) AS SELECT d -> 'a', k FROM j")
    c.execute("CREATE FUNCTION pg_jsonb(x) AS CAST(x AS JSON)")  # (engine.jsonb's is a Python function)
    c.execute("CREATE VIEW other.ov AS SELECT a FROM t")  # other.t's a, as DuckDB reads it
    return c


def _described(con: duckdb.DuckDBPyConnection, sql: str, stamp: object = 1) -> list[tuple[int, int]]:
    types = declared.DeclaredTypes(con)
    sig = _seam.bind(con, sql)
    cols = _sig_columns(sig, None, lambda: types.origins(sql, stamp, lambda: None))
    assert cols is not None
    return [(t.oid, t.typmod) for _, t in cols]


@pytest.mark.parametrize(
    ("sql", "want"),
    [
        ("SELECT a, \"B b\", a || 'x', upper(a), id FROM t", [V5, C3, TEXT, TEXT, INT]),
        ("SELECT t.a AS z, T.A, x.a FROM t, t AS x", [V5, V5, V5]),
        ("SELECT * FROM t JOIN u ON true", [INT, V5, C3, NUM, REC, INT, TEXT]),
        ("SELECT u.*, t.a FROM t, u", [INT, TEXT, V5]),
        ("SELECT a FROM t JOIN u USING (id)", [V5]),
        ("SELECT * FROM t JOIN u USING (id)", [INT, TEXT, TEXT, NUM, REC, TEXT]),  # merged: no star
        ("SELECT a FROM other.t", [V7]),
        ("SELECT a FROM memory.other.t", [V7]),
        ("SELECT a FROM v", [V5]),  # a view: its query's
        ("SELECT z FROM w", [V5]),  # a view that renames its columns: its query's, by position
        ("SELECT a FROM other.ov", [V7]),  # a view's names are its schema's first
        ("SELECT s.a FROM (SELECT a, id + 1 FROM t) s", [V5]),
        ("SELECT * FROM (SELECT a, id + 1 FROM t) s", [TEXT, INT]),  # an unnamed column: no star
        ("SELECT * FROM (SELECT a FROM t) s(b)", [V5]),  # renamed by the alias: its type kept (PostgreSQL's)
        ("WITH w AS (SELECT a FROM t) SELECT a FROM w", [V5]),
        ("WITH RECURSIVE t AS (SELECT a FROM main.t UNION ALL SELECT a FROM t) SELECT a FROM t", [TEXT]),
        ("SELECT a FROM t UNION SELECT a FROM t", [V5]),
        ("SELECT a FROM t UNION SELECT a FROM other.t", [TEXT]),  # branches disagree
        ("SELECT t.s.x FROM t", [TEXT]),  # a struct's field
        ("SELECT * EXCLUDE (id) FROM t", [TEXT, TEXT, NUM, REC]),  # not followed
        ("SELECT a FROM t WHERE id = $1", [V5]),
        ("SELECT x FROM u", [TEXT]),
        # jsonb: the columns with the CHECK that says so (pgcompat.lengths), the engine's jsonb
        # functions, -> of a jsonb; DuckDB's JSON otherwise
        (
            "SELECT d, \"E e\", k, d -> 'a', k -> 'a', d ->> 'a', j.d -> 'a' -> 'b' FROM j",
            [JSONB, JSONB, JSON, JSONB, JSON, TEXT, JSONB],
        ),
        ("SELECT * FROM j", [INT, JSONB, JSONB, JSON]),
        (
            "SELECT pg_jsonb('1'), CAST('1' AS JSON), coalesce(d, '{}'), CASE WHEN id > 0 THEN d END FROM j",
            [JSONB, JSON, JSONB, JSONB],
        ),
        ("SELECT s.z, s.k FROM (SELECT d AS z, k FROM j) s", [JSONB, JSON]),
        ("SELECT * FROM jv", [JSONB, JSON]),
    ],
)
def test_declared_types(con: duckdb.DuckDBPyConnection, sql: str, want: list[tuple[int, int]]) -> None:
    assert _described(con, sql) == want


def test_temporary_table_first_and_a_new_stamp(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TEMP TABLE t (a varchar CHECK (len(a) <= 2))")
    try:
        assert _described(con, "SELECT a FROM t", stamp=2) == [(oids.VARCHAR, 6)]
        assert _described(con, "SELECT a FROM main.t", stamp=2) == [V5]
    finally:
        con.execute("DROP TABLE temp.t")
    assert _described(con, "SELECT a FROM t", stamp=3) == [V5]


def test_lengths_of_table_sql() -> None:
    sql = 'CREATE TABLE x(a VARCHAR, "q""x" VARCHAR, CHECK((len(a) <= 5)), CHECK((len(CAST("q""x" AS BPCHAR)) <= 2)));'
    assert declared.lengths_of(sql) == {
        "a": oids.pg_type(oids.VARCHAR, 9),
        'q"x': oids.pg_type(oids.BPCHAR, 6),
    }


def test_a_select_list_that_does_not_line_up_changes_nothing() -> None:
    cols = [("a", oids.pg_type(oids.TEXT))]
    origins = (("b", oids.pg_type(oids.VARCHAR, 9)),)
    assert declared.apply(["a"], cols, origins) == cols
    assert declared.apply(["a", "b"], cols, origins) == cols
    assert declared.apply(["A"], cols, (("a", oids.pg_type(oids.VARCHAR, 9)),)) == [
        ("a", oids.pg_type(oids.VARCHAR, 9))
    ]


def test_returning_is_read_as_a_select_of_the_target() -> None:
    q = declared.returning_query
    assert q("INSERT INTO t AS x (id, a) VALUES (1, 'a') RETURNING a, x.id") == "SELECT a, x.id FROM t AS x"
    assert (
        q("UPDATE s.t SET a = 'b' FROM u WHERE u.id = t.id RETURNING t.a")
        == "SELECT t.a FROM s.t CROSS JOIN u"
    )
    assert q("DELETE FROM t USING u RETURNING *") == "SELECT * FROM t CROSS JOIN u"
    assert q("INSERT INTO t VALUES (1)") is None
    assert q("SELECT 'returning'") is None


def test_create_table_as_is_split_where_it_can_be() -> None:
    parts = declared.created_as('CREATE TEMP TABLE "x y" AS SELECT 1')
    assert parts is not None
    assert (parts.head, parts.name, parts.query, parts.columns) == (
        'CREATE TEMP TABLE "x y" ',
        '"x y"',
        " SELECT 1",
        (),
    )
    parts = declared.created_as('CREATE TABLE IF NOT EXISTS s.t (a, "B") AS SELECT 1, 2')
    assert parts is not None
    assert (parts.head, parts.name, parts.last, parts.columns) == (
        "CREATE TABLE IF NOT EXISTS s.t ",
        "s.t",
        "t",
        ("a", '"B"'),
    )
    assert parts.if_not_exists and not parts.or_replace
    for sql in [
        "CREATE OR REPLACE TABLE t AS SELECT 1",  # (a CREATE TABLE AS all the same: tagged SELECT n)
        "CREATE TABLE t AS TABLE u",
    ]:
        assert declared.created_as(sql) is None and declared.table_as(sql) is not None, sql
    for sql in ["CREATE TABLE t (a int)", "CREATE VIEW v AS SELECT 1", "CREATE TABLE t (a int) AS SELECT 1"]:
        assert declared.table_as(sql) is None, sql


def test_made_by_query_keeps_jsonb_and_lengths(con: duckdb.DuckDBPyConnection) -> None:
    types = declared.DeclaredTypes(con)
    made = declared.made_by_query(
        con,
        "CREATE TABLE c AS SELECT id, a, d, k FROM t JOIN j USING (id)",
        lambda q: types.origins(q, 1, lambda: None),
    )
    assert made == [  # (a USING join: the merged id is neither table's; a, d are known)
        'CREATE TABLE c ("id" INTEGER, "a" VARCHAR, "d" JSON, "k" JSON, CHECK (len("a") <= 5),'
        " CHECK (typeof(\"d\") <> 'jsonb'))",
        "INSERT INTO c  SELECT id, a, d, k FROM t JOIN j USING (id)",
    ]
    made = declared.made_by_query(
        con, "CREATE TABLE c AS SELECT j.id, d, k FROM j", lambda q: types.origins(q, 1, lambda: None)
    )
    assert made == [
        """CREATE TABLE c ("id" INTEGER, "d" JSON, "k" JSON, CHECK (typeof("d") <> 'jsonb'))""",
        "INSERT INTO c  SELECT j.id, d, k FROM j",
    ]
    made = declared.made_by_query(
        con, "CREATE TABLE c AS SELECT a FROM t", lambda q: types.origins(q, 1, lambda: None)
    )
    assert made == ['CREATE TABLE c ("a" VARCHAR, CHECK (len("a") <= 5))', "INSERT INTO c  SELECT a FROM t"]


@pytest.mark.parametrize(
    ("sql", "query"),
    [
        (
            "update t set a = 1, b = DEFAULT, (c, d) = (2, 3) where j = '1' returning id",
            "SELECT  1\n,  (2, 3) \n,  id\n FROM t \n WHERE  j = '1' \n",
        ),
        (
            "UPDATE t AS x SET a = y.a FROM u y WHERE x.j = y.k",
            "SELECT  y.a \n FROM t AS x \n,  u y \n WHERE  x.j = y.k\n",
        ),
        ("delete from only t using u where t.j > u.k;", "SELECT NULL FROM t \n,  u \n WHERE  t.j > u.k\n"),
        (
            "with w as (select 1) delete from t where j is distinct from 'é' returning j = '2'",
            "with w as (select 1) SELECT  j = '2'\n FROM t \n WHERE  j is distinct from 'é' \n",
        ),
        ("update t set b = j is distinct from '1'", "SELECT  j is distinct from '1'\n FROM t \n"),
        (
            "insert into t (a, b) select x, y from u join v on u.j = v.k on conflict (a) do nothing",
            "select x, y from u join v on u.j = v.k ",
        ),
        (
            "INSERT INTO t AS x SELECT 1 RETURNING x.j = '1'",
            "SELECT  x.j = '1'\n FROM t AS x\n, (SELECT 1 \n) AS __q",
        ),
        ("create temp table n (a) as select j = '1' from t", " select j = '1' from t"),
        (
            "with w as (select 1) insert into t as x values (1) on conflict (a) do update set b = x.j = '1'"
            " where excluded.j > x.j returning a",
            "with w as (select 1) SELECT 1 FROM t AS excluded WHERE EXISTS (SELECT  x.j = '1' \n FROM t as x"
            "\n WHERE  excluded.j > x.j \n)",
        ),
        (
            "insert into t select * from u on conflict (a) do update set b = 1",
            "SELECT 1 FROM (select * from u \n) AS __i WHERE EXISTS (SELECT 1 FROM t AS excluded WHERE EXISTS"
            " (SELECT  1\n FROM t\n))",
        ),
    ],
)
def test_select_of_edit(sql: str, query: str) -> None:
    """An UPDATE / DELETE read as the SELECT of what it reads; each piece the statement's own bytes."""
    edit = declared.select_of_edit(sql)
    assert edit is not None and edit.query == query
    for at, source, length in edit.pieces:
        assert edit.query.encode()[at : at + length] == sql.encode()[source : source + length]
    assert edit.sites_in_edit({q: (q + 1, b"x") for q, _, _ in edit.pieces}) == {
        s: (s + 1, b"x") for _, s, _ in edit.pieces
    }


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "with w as (select 1) select * from w for update",
        "update t",
        "insert into t values (1)",
        "insert into t values (1) on conflict (a) do nothing",
        "insert into t values (1) on conflict do update a = 1",
        "create table t (a int)",
    ],
)
def test_select_of_edit_other(sql: str) -> None:
    assert declared.select_of_edit(sql) is None


def test_merge_and_upsert_compare_jsonb_by_sort_key(con: duckdb.DuckDBPyConnection) -> None:
    """MERGE's ON / WHEN conditions and ON CONFLICT DO UPDATE's WHERE compare jsonb's sort keys;
    a MERGE not read here that names a jsonb column is refused (0A000), never run on text."""
    types = declared.DeclaredTypes(con)
    out = types.jsonb_calls(
        "MERGE INTO j USING j AS s ON j.d = s.d WHEN MATCHED AND j.d < '1' THEN DELETE", 1, lambda: None
    )
    assert out.count(declared.SORT_KEY) == 4, out
    out = types.jsonb_calls(
        "INSERT INTO j VALUES (1) ON CONFLICT (id) DO UPDATE SET id = 2 WHERE j.d = excluded.d",
        1,
        lambda: None,
    )
    assert out.count(declared.SORT_KEY) == 2, out
    out = types.jsonb_calls(
        "SELECT id FROM j WHERE d = ANY (ARRAY[pg_jsonb(CAST('1' AS VARCHAR)), '2'])", 1, lambda: None
    )
    assert "list_transform(" in out and out.count(declared.SORT_KEY) == 2, out
    with pytest.raises(DbError) as e:
        types.jsonb_calls(
            "MERGE INTO j USING j s ON j.d = s.d WHEN MATCHED THEN UPDATE SET d RETURNING *", 1, lambda: None
        )
    assert e.value.sqlstate == "0A000"
