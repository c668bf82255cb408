"""PostgreSQL statement syntax reshaped for DuckDB (pgcompat.syntax): the statement is classified,
analysed and checked in the form that runs, and that form runs on a real DuckDB."""

from __future__ import annotations

import duckdb
import pytest

from pgcompat import analysis
from pgcompat.statements import split
from pgwire.tags import COUNTED, SELECT_INTO
from policies import lockdown, sandbox


def reshaped(sql: str) -> str:
    (st,) = split(sql)
    return st.text


def test_keyword_aliases_are_quoted_and_parse() -> None:
    sql = "SELECT NULL AS role, t.x AS table, 1 AS Update, 2 AS select, 3 AS insert, 4 AS delete FROM t"
    (st,) = split(sql)
    assert st.text == (
        'SELECT NULL AS role, t.x AS "table", 1 AS "update", 2 AS "select", 3 AS "insert", 4 AS "delete" FROM t'
    )
    assert analysis.analyze(st).parse_error is None
    assert analysis.result_names(st) == ["role", "table", "update", "select", "insert", "delete"]
    cte = "WITH p AS (SELECT 1 AS update, 2 AS select) SELECT p.* FROM p"
    assert analysis.analyze(split(cte)[0]).parse_error is None
    con = duckdb.connect()
    assert con.execute(split(cte)[0].engine_sql).fetchall() == [(1, 2)]


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE t AS SELECT 1 AS a",
        "CREATE VIEW v AS SELECT 1",
        "SELECT CAST(x AS int), CAST(y AS date) FROM t",
        "CREATE TABLE t (id INTEGER GENERATED ALWAYS AS IDENTITY, b INT)",
        "CREATE SEQUENCE s AS bigint",
        "WITH x AS (SELECT 1) SELECT * FROM x",
        "CREATE MACRO m() AS TABLE SELECT 1",
        'SELECT 1 AS "update"',
        "INSERT INTO t SELECT * FROM u",
        "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",
        "CREATE TEMPORARY TABLE t (a INT) ON COMMIT PRESERVE ROWS",
        "SELECT * FROM t WHERE a IN (SELECT b INTO c FROM d)",
    ],
)
def test_statements_without_postgres_only_syntax_stay(sql: str) -> None:
    assert reshaped(sql) == sql


def test_local_and_global_temporary_tables() -> None:
    (st,) = split('CREATE LOCAL TEMPORARY TABLE "#Tableau_1" ("COL" INTEGER) ON COMMIT PRESERVE ROWS')
    assert st.text == 'CREATE TEMPORARY TABLE "#Tableau_1" ("COL" INTEGER) ON COMMIT PRESERVE ROWS'
    assert (st.kind, st.tag) == ("ddl", "CREATE TABLE")
    assert analysis.analyze(st).kind == "Create"
    assert reshaped("create global temp table g (a int)") == "create temp table g (a int)"
    con = duckdb.connect()
    con.execute(st.engine_sql)
    assert con.execute('SELECT count(*) FROM "#Tableau_1"').fetchone() == (0,)


def test_select_into_is_create_table_as() -> None:
    (st,) = split('SELECT * INTO TEMPORARY TABLE "#T" FROM (SELECT 1 AS COL UNION ALL SELECT 2) AS CHECKTEMP')
    assert (
        st.text
        == 'CREATE TEMPORARY TABLE "#T" AS SELECT * FROM (SELECT 1 AS COL UNION ALL SELECT 2) AS CHECKTEMP'
    )
    # Checked as the CREATE TABLE it is; run by the engine as a statement tagged "SELECT n".
    assert (st.kind, st.tag, st.engine_kind) == ("ddl", "CREATE TABLE", SELECT_INTO)
    assert st.engine_op()["kind"] == SELECT_INTO and COUNTED[SELECT_INTO] == "SELECT"
    a = analysis.analyze(st)
    assert a.kind == "Create" and ("", "", "#t") in a.tables
    assert [act.statement for act in lockdown.usage(st, a).actions] == ["CREATE TABLE"]
    con = duckdb.connect()
    assert con.execute(st.engine_sql).fetchall() == [(2,)]
    assert con.execute('SELECT count(*) FROM "#T"').fetchone() == (2,)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT a, b INTO t2 FROM t WHERE a > 1", "CREATE TABLE t2 AS SELECT a, b FROM t WHERE a > 1"),
        ("SELECT 1 INTO UNLOGGED s.t", "CREATE TABLE s.t AS SELECT 1"),
        ("select 1 into local temp table x", "CREATE TEMPORARY TABLE x AS select 1"),
        (
            "WITH w AS (SELECT 1 AS a) SELECT a INTO TEMP x FROM w UNION SELECT 2",
            "CREATE TEMPORARY TABLE x AS WITH w AS (SELECT 1 AS a) SELECT a FROM w UNION SELECT 2",
        ),
    ],
)
def test_select_into_forms(sql: str, expected: str) -> None:
    assert reshaped(sql) == expected


def test_select_into_is_checked_by_the_sandbox() -> None:
    for sql in (
        "SELECT * INTO TEMP x FROM read_csv('/etc/passwd')",
        "SELECT getenv('HOME') INTO TEMP x",
        "SELECT * INTO TEMP x FROM other.main.t",
    ):
        (st,) = split(sql)
        assert sandbox.check(analysis.analyze(st)) is not None, sql
