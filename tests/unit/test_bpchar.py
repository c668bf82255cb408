"""engine.bpchar on a DuckDB connection: the statements that read or write a char(n) column get
PostgreSQL's bpchar semantics, and nothing changes where the column is not known to be one.
(Through the server and beside PostgreSQL 15: tests/test_pg_rows_arrays.py.)"""

from __future__ import annotations

import contextlib

import duckdb
import pytest
from duckdb import _seam

from engine import bpchar, declared
from pgcompat import lengths


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    # the CHECKs as pgcompat.lengths writes them
    code = lengths.length_check('"code"', lengths.BPCHAR, 4)
    c.execute(
        f"CREATE TABLE t (code varchar PRIMARY KEY {code}, v int, vc varchar {lengths.length_check('vc', 'VARCHAR', 6)})"
    )
    c.execute("CREATE TABLE other (code varchar, w int)")
    return c


@pytest.fixture
def rw(con: duckdb.DuckDBPyConnection):
    types = declared.DeclaredTypes(con)
    tables = types.char_tables(1, lambda: None)
    assert tables == frozenset({"t"})

    def columns_of(query: str) -> tuple[str, ...] | None:
        try:
            return tuple(str(n).lower() for n in _seam.bind(con, query).names)
        except duckdb.Error:
            return None

    def run(sql: str, text_params: tuple[int, ...] = ()) -> str:
        out = bpchar.rewrite(sql, tables, types.lookup, text_params, lambda: None, columns_of)
        if out.startswith("MERGE"):  # not preparable: run, then undone
            con.execute("BEGIN")
            try:
                con.execute(out)
            finally:
                con.execute("ROLLBACK")
        else:
            con.execute(f"PREPARE p AS {out}")  # the rewrite is DuckDB SQL
            con.execute("DEALLOCATE p")
        return out

    return run


def test_statements_without_a_char_table_are_untouched(rw) -> None:
    sql = "SELECT code FROM other WHERE code = 'ab '"
    assert rw(sql) == sql


def test_comparisons_trim_the_other_side(rw) -> None:
    assert rw("SELECT v FROM t WHERE code = 'ab  ' OR code IN ('cd ', $1) OR 'x ' <> t.code") == (
        "SELECT v FROM t WHERE code = rtrim('ab  ') OR code IN (rtrim('cd '), rtrim($1)) OR rtrim('x ') <> t.code"
    )
    assert rw("SELECT v FROM t WHERE code BETWEEN 'a ' AND 'b ' AND code IS DISTINCT FROM $1::varchar") == (
        "SELECT v FROM t WHERE code BETWEEN rtrim('a ') AND rtrim('b ') AND code IS DISTINCT FROM rtrim($1::varchar)"
    )
    assert rw("SELECT v FROM t a WHERE a.code = a.vc") == "SELECT v FROM t a WHERE a.code = rtrim(a.vc)"
    # a FROM that names no source (a call's, IS DISTINCT FROM's) hides nothing
    assert rw("SELECT v FROM t WHERE substring(vc FROM 1 FOR 2) = 'x' AND code = 'a '") == (
        "SELECT v FROM t WHERE substring(vc FROM 1 FOR 2) = 'x' AND code = rtrim('a ')"
    )


def test_text_compares_as_text(rw) -> None:
    """A declared text parameter, a ::text cast, an expression: the blanks count, as in PostgreSQL."""
    for sql in (
        "SELECT v FROM t WHERE code = $1",
        "SELECT v FROM t WHERE code = 'ab '::text",
        "SELECT v FROM t WHERE code = 'ab ' || 'c'",
        "SELECT v FROM t WHERE code || 'x' = 'abx '",
    ):
        assert rw(sql, (1,)) == sql


def test_patterns_read_the_padded_value(rw) -> None:
    assert rw("SELECT v FROM t WHERE code LIKE 'a%' OR code NOT ILIKE 'b'") == (
        "SELECT v FROM t WHERE rpad(code, 4, ' ') LIKE 'a%' OR rpad(code, 4, ' ') NOT ILIKE 'b'"
    )


def test_ambiguous_names_are_left_alone(rw) -> None:
    """code is t's char(4) and other's text: only a qualified reference is known."""
    sql = "SELECT v FROM t, other WHERE code = 'ab '"
    assert rw(sql.replace("code", "t.code")) == "SELECT v FROM t, other WHERE t.code = rtrim('ab ')"
    with pytest.raises(duckdb.BinderException):
        rw(sql)  # (DuckDB refuses it too: ambiguous)
    # a subquery or CTE whose columns DuckDB tells (bound alone) does not hide t's code
    assert rw("SELECT v FROM t, (SELECT 1 AS w) s WHERE code = 'ab '") == (
        "SELECT v FROM t, (SELECT 1 AS w) s WHERE code = rtrim('ab ')"
    )
    assert rw("WITH c AS (SELECT 1 AS w) SELECT v FROM t JOIN c ON c.w = t.v WHERE code = 'ab '") == (
        "WITH c AS (SELECT 1 AS w) SELECT v FROM t JOIN c ON c.w = t.v WHERE code = rtrim('ab ')"
    )
    # one that has a code of its own, or whose columns are not known alone (LATERAL), does
    for sql in (
        "SELECT v FROM t, (SELECT 'x' AS code) s WHERE code = 'ab '",
        "SELECT v FROM t, LATERAL (SELECT t.v AS w) s WHERE code = 'ab '",
    ):
        with pytest.raises(duckdb.BinderException) if "AS code" in sql else _nothing():
            assert rw(sql) == sql


@contextlib.contextmanager
def _nothing():
    yield


def test_writes_store_without_trailing_blanks(rw) -> None:
    assert rw("INSERT INTO t VALUES ('ab  ', 1, 'x '), (DEFAULT, 2, NULL)") == (
        "INSERT INTO t VALUES (rtrim('ab  '), 1, 'x '), (DEFAULT, 2, NULL)"
    )
    assert rw(
        "INSERT INTO t AS x (v, code) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET code = excluded.code"
    ) == (
        "INSERT INTO t AS x (v, code) VALUES ($1, rtrim(CAST(($2) AS VARCHAR)))"
        " ON CONFLICT (code) DO UPDATE SET code = rtrim(CAST((excluded.code) AS VARCHAR))"
    )
    assert rw("UPDATE t SET v = 1, code = 'a' || ' ' WHERE code = 'b '") == (
        "UPDATE t SET v = 1, code = rtrim(CAST(('a' || ' ') AS VARCHAR)) WHERE code = rtrim('b ')"
    )


def test_row_assignments_and_merge_store_without_trailing_blanks(rw) -> None:
    """SET (a, b) = (x, y) / ROW(...) in UPDATE and ON CONFLICT DO UPDATE, MERGE's UPDATE SET and
    INSERT VALUES: the values written into char(n) columns lose their trailing blanks."""
    assert rw("UPDATE t SET (code, v) = ('ab  ', 1), vc = 'x ' WHERE v = 2") == (
        "UPDATE t SET (code, v) = (rtrim('ab  '), 1), vc = 'x ' WHERE v = 2"
    )
    assert rw("UPDATE t SET (v, code) = ROW(1, $1 || ' ')") == (
        "UPDATE t SET (v, code) = ROW(1, rtrim(CAST(($1 || ' ') AS VARCHAR)))"
    )
    assert rw("INSERT INTO t VALUES ('a', 1, 'b') ON CONFLICT (code) DO UPDATE SET (code) = ('c ')") == (
        "INSERT INTO t VALUES (rtrim('a'), 1, 'b') ON CONFLICT (code) DO UPDATE SET (code) = (rtrim('c '))"
    )
    assert rw(
        "MERGE INTO t USING (SELECT 1 AS v, 'q ' AS k) s ON t.v = s.v"
        " WHEN MATCHED AND t.code = 'a ' THEN UPDATE SET code = CASE WHEN s.v = 1 THEN s.k END, v = 2"
        " WHEN NOT MATCHED THEN INSERT (v, code) VALUES (s.v, s.k)"
    ) == (
        "MERGE INTO t USING (SELECT 1 AS v, 'q ' AS k) s ON t.v = s.v"
        " WHEN MATCHED AND t.code = rtrim('a ') THEN UPDATE SET code ="
        " rtrim(CAST((CASE WHEN s.v = 1 THEN s.k END) AS VARCHAR)), v = 2"
        " WHEN NOT MATCHED THEN INSERT (v, code) VALUES (s.v, rtrim(CAST((s.k) AS VARCHAR)))"
    )
    assert rw(
        "MERGE INTO t USING other o ON t.v = o.w WHEN NOT MATCHED THEN INSERT VALUES ('z ', 1, 'y ')"
    ) == (
        "MERGE INTO t USING other o ON t.v = o.w WHEN NOT MATCHED THEN INSERT VALUES (rtrim('z '), 1, 'y ')"
    )


def test_varchar_columns_subqueries_rows_and_quoted_strings_compare_as_bpchar(rw) -> None:
    """PostgreSQL compares char(n) with varchar as bpchar from either side, in IN lists, rows and
    against a subquery's varchar column; E'..' and $$..$$ are literals as '..' is."""
    assert rw("SELECT v FROM t WHERE vc = code OR t.vc <> t.code OR code IN (vc, 'a ')") == (
        "SELECT v FROM t WHERE rtrim(vc) = code OR rtrim(t.vc) <> t.code OR code IN (rtrim(vc), rtrim('a '))"
    )
    assert rw(
        "SELECT v FROM t WHERE code IN (SELECT vc FROM t) OR code = ANY (SELECT DISTINCT vc FROM t)"
    ) == (
        "SELECT v FROM t WHERE code IN (SELECT rtrim(vc) FROM t) OR code = ANY (SELECT DISTINCT rtrim(vc) FROM t)"
    )
    assert rw("SELECT v FROM t WHERE code = (SELECT vc || '' FROM t LIMIT 1)") == (
        "SELECT v FROM t WHERE code = (SELECT vc || '' FROM t LIMIT 1)"
    )
    assert rw("SELECT v FROM t WHERE (code, v) = ('a ', 1) OR ROW(v, vc) <> ROW(2, code)") == (
        "SELECT v FROM t WHERE (code, v) = (rtrim('a '), 1) OR ROW(v, rtrim(vc)) <> ROW(2, code)"
    )
    assert rw("SELECT v FROM t WHERE code = E'a ' OR code = $$b $$") == (
        "SELECT v FROM t WHERE code = rtrim(E'a ') OR code = rtrim($$b $$)"
    )
    # coalesce / nullif / greatest / least of a char(n) column first: bpchar, when compared
    assert rw("SELECT v FROM t WHERE coalesce(code, 'a ') = 'a ' AND 'b ' = nullif(code, vc)") == (
        "SELECT v FROM t WHERE coalesce(code, rtrim('a ')) = rtrim('a ') AND rtrim('b ') = nullif(code, rtrim(vc))"
    )
    assert (
        rw("SELECT v FROM t WHERE coalesce(vc, code) = 'a '")
        == "SELECT v FROM t WHERE coalesce(vc, code) = 'a '"
    )
    # a value's output text (pgwire.types.OUTPUT_TEXT): padded; a cast to text not (json: through the server)
    assert rw(
        "SELECT CAST((code) AS STRING) AS a, to_json(code) AS b, CAST((code) AS VARCHAR) AS c FROM t"
    ) == (
        "SELECT CAST((rpad(code, 4, ' ')) AS STRING) AS a, to_json(code) AS b,"
        " CAST((code) AS VARCHAR) AS c FROM t"
    )
    # a simple CASE compares its operand with each WHEN; a parenthesized column is the column
    assert rw("SELECT CASE code WHEN 'a ' THEN 1 WHEN vc THEN 2 END AS x FROM t WHERE (code) = 'b '") == (
        "SELECT CASE code WHEN rtrim('a ') THEN 1 WHEN rtrim(vc) THEN 2 END AS x FROM t WHERE (code) = rtrim('b ')"
    )
    # a result column CASE / coalesce of the column and literals: the column padded (not where
    # rows are compared: DISTINCT, GROUP BY, UNION)
    assert rw("SELECT CASE WHEN v > 1 THEN code ELSE 'z' END AS a, coalesce(code, 'y') FROM t") == (
        "SELECT CASE WHEN v > 1 THEN rpad(code, 4, ' ') ELSE 'z' END AS a, coalesce(rpad(code, 4, ' '), 'y') FROM t"
    )
    sql = "SELECT DISTINCT coalesce(code, 'y') AS a FROM t"
    assert rw(sql) == sql
    sql = "INSERT INTO other SELECT coalesce(code, 'y'), v FROM t"
    assert rw(sql) == sql
    # an assignment's target is no comparison
    assert rw("UPDATE t SET vc = code WHERE vc = code") == "UPDATE t SET vc = code WHERE rtrim(vc) = code"


def test_many_rows_are_rewritten_in_one_pass(rw) -> None:
    rows = ", ".join(f"('c{i} ', {i}, 'x')" for i in range(5000))
    out = rw(f"INSERT INTO t VALUES {rows}")
    assert out.count("rtrim(") == 5000


def test_stored_columns_of_a_copy_target(con) -> None:
    types = declared.DeclaredTypes(con)
    types.char_tables(1, lambda: None)
    assert bpchar.stored_columns("main.t", types.lookup) == {"code": "char"}
    assert bpchar.stored_columns('"other"', types.lookup) == {}


def test_insert_select_stores_the_query_trimmed(con) -> None:
    types = declared.DeclaredTypes(con)
    tables = types.char_tables(1, lambda: None)

    def width(query: str) -> tuple[str, ...]:
        return tuple(_seam.bind(con, query).names)

    sql = "INSERT INTO t (v, code) SELECT o.w, o.code FROM other o JOIN other p ON o.w = p.w ON CONFLICT DO NOTHING"
    out = bpchar.rewrite(sql, tables, types.lookup, (), lambda: None, width)
    assert out == (
        "INSERT INTO t (v, code) SELECT * REPLACE (rtrim(CAST(__pg_c1 AS VARCHAR)) AS __pg_c1) FROM ("
        "SELECT o.w, o.code FROM other o JOIN other p ON o.w = p.w) AS __pg_src(__pg_c0, __pg_c1) ON CONFLICT DO NOTHING"
    )
    con.execute(f"PREPARE p AS {out}")
    con.execute("DEALLOCATE p")
    # a query of fewer columns than the char(n) column's place: nothing of it goes there
    sql = "INSERT INTO t (v, vc, code) SELECT 1, 'x'"
    assert bpchar.rewrite(sql, tables, types.lookup, (), lambda: None, width) == sql
