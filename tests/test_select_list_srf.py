"""Issue 12, no quiet wrong answers: set-returning functions in a select list return PostgreSQL's
rows (and are refused with 0A000 where PostgreSQL refuses them), explicit casts to varchar(n) /
char(n) cut and pad, row comparisons and IS [NOT] NULL of rows follow PostgreSQL's NULL rules.
Each answer is checked against the PostgreSQL 15 beside us, through psycopg."""

from __future__ import annotations

import psycopg
import pytest

from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)


@pytest.fixture
def pg(pg15):  # noqa: F811
    with pg15.connect(autocommit=True) as c:
        yield c


def _answer(con, sql: str, params=None, binary: bool = False):
    cur = con.execute(sql, params, binary=binary)
    return [d.name for d in cur.description], [d.type_code for d in cur.description], cur.fetchall()


def _same(conn, pg, sql: str, params=None, *, types: bool = True) -> list[tuple]:
    """The statement's answer on DuckCDB, asserted equal to PostgreSQL's (rows compared in
    order: each statement here orders its rows or returns them in a defined order)."""
    want = _answer(pg, sql, params)
    for binary in (False, True):
        got = _answer(conn, sql, params, binary)
        assert got[0] == want[0], sql
        if types:
            assert got[1] == want[1], sql
        assert got[2] == want[2], (sql, binary)
    return want[2]


def _sqlstate(con, sql: str, params=None) -> str | None:
    try:
        con.execute(sql, params)
    except psycopg.Error as e:
        return e.sqlstate
    return None


_ROWS = [
    "select generate_series(1, 3)",
    "select generate_series(1, 2) as a, generate_series(1, 3) as b",
    "select generate_series(1, 3) * 2 as doubled, 'x' as c",
    "select abs(generate_series(-2, 2)) as a",
    "select generate_series(3, 1, -1) as a",
    "select generate_series(5, 1) as none_at_all",
    "select generate_series(1, 3000000000, 1500000000) as big",
    "select generate_series(1::int, 3::integer)",
    "select (select generate_series(4, 4)) as one",
    "select sum(x) as s from (select generate_series(1, 10) as x) t",
    "select unnest(array[1, 2]) as u, generate_series(1, 3) as g",
    "select unnest(array[[1, 2], [3, 4]]) as u",
    "select unnest(array[[[1], [2]], [[3], [4]]]) as u",
    "select * from generate_series(1, 5, 2)",
    "select g from generate_series(3, 1, -1) as g",
    "select x from generate_series(1, 2) as t(x)",
    "select generate_series.generate_series from generate_series(1, 2)",
    "select count(*) from generate_series(1, 1000)",
]


@pytest.mark.parametrize("sql", _ROWS)
def test_set_returning_functions_answer_as_postgresql(conn, pg, sql: str) -> None:
    rows = _same(conn, pg, sql)
    assert rows or "none_at_all" in sql


def test_rows_per_row_of_a_table(conn, pg, table_name) -> None:
    for c in (conn, pg):
        c.execute(f"create temp table {table_name} (id int, n int)")
        c.execute(f"insert into {table_name} values (1, 2), (2, 0), (3, null)")
    rows = _same(conn, pg, f"select id, generate_series(1, 2) as k from {table_name} order by id, k")
    assert rows == [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (3, 2)]
    # arguments of a column: the rows are PostgreSQL's; the type int8 where PostgreSQL's is int4
    # (tests/differential/known_differences.toml, srf_select_column_args)
    _same(conn, pg, f"select id, generate_series(1, n) as k from {table_name} order by id, k", types=False)


def test_rows_of_a_new_table_or_view(conn, pg, table_name) -> None:
    """CREATE TABLE AS, SELECT INTO and CREATE VIEW of a select list with a set-returning function
    hold PostgreSQL's rows (its query's select list was left as DuckDB's list: one row)."""
    try:
        for c in (conn, pg):
            assert (
                c.execute(f"create temp table {table_name} as select generate_series(1, 3) as i").rowcount
                == 3
            )
            c.execute(f"select generate_series(1, 2) as k, 'a' as b into temp {table_name}_i")
            c.execute(
                f"create temp view {table_name}_v (u, g) as select unnest(array[1, 2]), generate_series(1, 2)"
            )
        assert _same(conn, pg, f"select * from {table_name} order by i") == [(1,), (2,), (3,)]
        _same(conn, pg, f"select * from {table_name}_i order by k")
        _same(conn, pg, f"select * from {table_name}_v order by u")
    finally:
        for c in (conn, pg):
            c.execute(f"drop view if exists {table_name}_v")
            c.execute(f"drop table if exists {table_name}_i")
            c.execute(f"drop table if exists {table_name}")


def test_parameters_and_prepared_statements(conn, pg) -> None:
    sql = "select generate_series(1, %s) as g, %s::text as t"
    want = pg.execute(sql, (3, "x")).fetchall()
    assert conn.execute(sql, (3, "x")).fetchall() == want == [(1, "x"), (2, "x"), (3, "x")]
    for _ in range(3):  # psycopg prepares it server-side after the first runs
        assert conn.execute(sql, (2, "y"), prepare=True).fetchall() == [(1, "y"), (2, "y")]


# Where PostgreSQL refuses a set-returning function: the same SQLSTATE (0A000) and message.
_REFUSED = [
    "select 1 where generate_series(1, 2) > 1",
    "select 1 where unnest(array[1, 2]) > 1",
    "select case when true then generate_series(1, 2) end",
    "select coalesce(generate_series(1, 2), 0)",
    "select sum(generate_series(1, 3))",
    "select count(*) from (select 1) t having count(*) > generate_series(1, 2)",
    "select 1 from (select 1 as a) x join (select 1 as b) y on x.a = generate_series(1, 2)",
    "select 1 limit generate_series(1, 2)",
    "select 1 where regexp_split_to_table('a,b', ',') = 'a'",
]


@pytest.mark.parametrize("sql", _REFUSED)
def test_refused_where_postgresql_refuses_them(conn, pg, sql: str) -> None:
    with pytest.raises(psycopg.errors.FeatureNotSupported) as want:
        pg.execute(sql)
    with pytest.raises(psycopg.errors.FeatureNotSupported) as got:
        conn.execute(sql)
    assert got.value.diag.message_primary == want.value.diag.message_primary
    assert conn.execute("select 1").fetchone() == (1,)  # the session goes on


def test_update_set_and_values(conn, pg, table_name) -> None:
    for c in (conn, pg):
        c.execute(f"create temp table {table_name} (a int)")
        c.execute(f"insert into {table_name} values (1)")
    sql = f"update {table_name} set a = generate_series(1, 2)"
    assert _sqlstate(conn, sql) == _sqlstate(pg, sql) == "0A000"
    # PostgreSQL inserts a row per value; DuckCDB cannot, and says so rather than insert a list
    with pytest.raises(psycopg.errors.FeatureNotSupported, match="INSERT ... SELECT"):
        conn.execute(f"insert into {table_name} values (generate_series(1, 2))")
    conn.execute(f"insert into {table_name} select generate_series(1, 2)")
    pg.execute(f"insert into {table_name} select generate_series(1, 2)")
    _same(conn, pg, f"select a from {table_name} order by a")


def test_a_transaction_goes_on_failed_then_rolls_back(server, pdb) -> None:
    from tests.conftest import PDB_ADMIN, PDB_PASSWORD

    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD) as c:
        with pytest.raises(psycopg.errors.FeatureNotSupported):
            c.execute("select 1 where generate_series(1, 2) > 1")
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            c.execute("select 1")
        c.rollback()
        assert c.execute("select generate_series(1, 2)").fetchall() == [(1,), (2,)]


def test_a_scalar_subquery_of_several_rows_is_21000(conn, pg) -> None:
    sql = "select (select generate_series(1, 2)) as a"
    with pytest.raises(psycopg.errors.CardinalityViolation) as want:
        pg.execute(sql)
    with pytest.raises(psycopg.errors.CardinalityViolation) as got:
        conn.execute(sql)
    assert got.value.diag.message_primary == want.value.diag.message_primary
    assert conn.execute("select (select generate_series(1, 1))").fetchone() == (1,)


# ---------------------------------------------------------------- varchar(n) and char(n) casts

_CASTS = [
    "select 'abcdef'::varchar(3) || '' as a, 'ab'::varchar(5) || '' as b, cast('xyz' as varchar(2)) || '' as c",
    "select 'ab'::char(4)::text as a, length('ab  '::char(5)) = 2 as b, 'ab'::char(4) || 'x' as c",
    "select 'a '::char(3) = 'a'::char(3) as a, 'abc'::char(2) = 'ab' as b, 'x'::char(3) < 'x '::char(1) as c",
    "select 'ééé'::varchar(2) || '' as a, 12345::varchar(3) || '' as b, null::varchar(2) || 'x' as c",
    "select upper('abcdef'::character varying(4)) as a, 'abc'::char || '' as b",
]


@pytest.mark.parametrize("sql", _CASTS)
def test_explicit_casts_cut_as_postgresql(conn, pg, sql: str) -> None:
    _same(conn, pg, sql)


def test_char_n_is_padded_as_a_result_column(conn, pg) -> None:
    sql = "select 'ab'::char(4) as a, 'abcdef'::char(3) as b, cast('x' as character(3)) as c, 'abcdef'::varchar(3) as d"
    want = pg.execute(sql).fetchall()
    assert want == [("ab  ", "abc", "x  ", "abc")]
    for binary in (False, True):
        assert conn.execute(sql, binary=binary).fetchall() == want
    # in a subquery's column the blanks mean nothing, as in PostgreSQL
    sql = "select c = 'ab' as eq, c || '|' as cat from (select 'ab'::char(4) as c) s"
    assert conn.execute(sql).fetchall() == pg.execute(sql).fetchall() == [(True, "ab|")]


def test_casts_of_parameters(conn, pg) -> None:
    sql = "select %s::varchar(3) || '' as a, %s::char(2) || '|' as b, cast(%s as varchar(1)) || '' as c"
    params = ("abcdef", "xyz", "uv")
    assert conn.execute(sql, params).fetchall() == pg.execute(sql, params).fetchall() == [("abc", "xy|", "u")]
    sql = "select %s::char(4) as a"
    assert conn.execute(sql, ("ab",)).fetchall() == pg.execute(sql, ("ab",)).fetchall() == [("ab  ",)]


def test_assignment_to_a_varchar_column_still_fails_22001(conn, pg, table_name) -> None:
    for c in (conn, pg):
        c.execute(f"create temp table {table_name} (v varchar(3), t text)")
        with pytest.raises(psycopg.errors.StringDataRightTruncation):
            c.execute(f"insert into {table_name} (v) values ('abcdef')")
        c.execute(f"insert into {table_name} values ('abcdef'::varchar(3), 'xy'::char(4))")
        c.execute(f"insert into {table_name} select 'uvwxyz'::varchar(3), 'z'::char(3)")
    # (a varchar(n) column's type is text in DuckCDB: known_differences.toml, dml_insert_char_column)
    rows = _same(conn, pg, f"select v, t from {table_name} order by v", types=False)
    assert rows == [("abc", "xy"), ("uvw", "z")]


# ---------------------------------------------------------------- rows and NULL

_ROW_NULLS = [
    "select row(1, null) = row(1, null) as a, row(1, null) = row(2, null) as b, (1, 2) = (1, 2) as c",
    "select (1, null) <> (1, null) as a, (1, null) <> (2, null) as b, (1, 'a') <> (1, 'b') as c",
    "select row(1, 2, 3) >= row(1, 2, null) as a, row(null, 1) < row(1, 2) as b, row(1, null) < row(2, 1) as c,"
    " row(1, 2) <= row(1, 2) as d, row(2, 1) > row(1, 9) as e",
    "select row(null, null) is null as a, row(1, null) is null as b, row(1, null) is not null as c,"
    " (1, 2) is not null as d, not row(null, null) is null as e",
    "select (1, null) in ((1, 2), (3, 4)) as a, (1, null) not in ((2, 2)) as b, (1, 2) in ((3, 4), (1, 2)) as c",
    "select row(1, row(2, 3)) = row(1, row(2, 3)) as a",
    "select case when row(1, null) = row(1, null) then 'eq' else 'not known' end as a",
]


@pytest.mark.parametrize("sql", _ROW_NULLS)
def test_row_comparisons_with_nulls(conn, pg, sql: str) -> None:
    _same(conn, pg, sql)


def test_rows_of_columns_and_parameters(conn, pg, table_name) -> None:
    for c in (conn, pg):
        c.execute(f"create temp table {table_name} (id int, a int, b text)")
        c.execute(
            f"insert into {table_name} values (1, 1, 'x'), (2, null, 'y'), (3, null, null), (4, 5, null)"
        )
    _same(
        conn,
        pg,
        f"select id, (a, b) is null as n, (a, b) is not null as nn, (a, b) = (1, 'x') as eq,"
        f" (a, b) < (2, 'a') as lt from {table_name} order by id",
    )
    rows = _same(conn, pg, f"select id from {table_name} where (a, b) = (%s, %s) order by id", (1, "x"))
    assert rows == [(1,)]
    _same(conn, pg, f"select id from {table_name} where not (a, b) is not null order by id")


def test_whole_row_of_a_left_join_is_null(conn, pg, table_name) -> None:
    for c in (conn, pg):
        c.execute(f"create temp table {table_name}_p (id int, v text)")
        c.execute(f"create temp table {table_name}_c (pid int, w text)")
        c.execute(f"insert into {table_name}_p values (1, 'a'), (2, null), (3, 'c')")
        c.execute(f"insert into {table_name}_c values (1, null), (3, 'x')")
    join = f"from {table_name}_p p left join {table_name}_c c on c.pid = p.id"
    rows = _same(
        conn, pg, f"select p.id, c is null as a, c is not null as b, p is not null as d {join} order by 1"
    )
    assert rows == [(1, False, False, True), (2, True, False, False), (3, False, True, True)]
    assert _same(conn, pg, f"select p.id {join} where c is null order by 1") == [(2,)]
    # a column that shares the alias's name is the column, in both
    _same(conn, pg, f"select v.id, v is null as a from {table_name}_p v order by 1")
