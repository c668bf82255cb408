"""UPDATE and DELETE (and INSERT ... SELECT, CREATE TABLE AS) compare jsonb as PostgreSQL does (issue 12: never a quiet difference, never a
lost or kept row without an error): = <> < > <= >= IN BETWEEN of jsonb in their WHERE, in a
subquery of it, in UPDATE ... FROM / DELETE ... USING, in SET values and in RETURNING, by
jsonb's order (engine.jsonb.sort_key: 1.0 = 1, objects by their number of pairs first), not by
the stored text; json has no equality nor order (42883).
Each case runs on DuckCDB and on PostgreSQL 15 beside it, on tables made afresh: every
statement's answer (rows or error, and the row count) and the tables afterwards must be the same."""

from __future__ import annotations

import pytest

from tests.beside_pg import both_with, write_outcome
from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)

_SETUP = [
    "create table jt (id int, j jsonb, b bool, p json)",
    "insert into jt (id, j) values (1, '{\"b\":2,\"a\":1}'), (2, '[1, 2.0]'), (3, '{\"a\": 1.0}'), (4, '1.0'),"
    " (5, '1'), (6, '[]'), (7, '\"x\"'), (8, null), (9, '{\"aa\": 1, \"c\": 1}'), (10, 'true')",
    "update jt set p = j::json",
    "create table ju (id int, k jsonb)",
    "insert into ju values (1, '{\"a\": 1}'), (2, '1.00'), (3, '[1, 2]')",
]

_CASES: list[tuple[str, list[object] | None]] = [
    ("update jt set id = 50 where j = '{\"a\":1}'", None),
    ("update jt set id = 60 where j in ('1', '{\"a\":1}')", None),
    ("update jt set id = 60 where j not in ('1', '{\"a\":1}')", None),
    ("delete from jt where j = '1'", None),
    ("delete from jt where j > '{\"a\": 0}'", None),
    ("delete from jt where j < '[1, 2]'", None),
    ("delete from jt where j <= '1' or j >= '{\"b\": 1, \"a\": 1}'", None),
    ("update jt set b = true where j <> '1.00'", None),
    ("update jt set b = true where j between '1' and '[]'", None),
    ("delete from jt where j not between '1' and '[]'", None),
    ("delete from jt where j is distinct from '1.0'", None),
    ("update jt set id = id + 100 where j = '[1, 2]' returning id, j", None),
    ("delete from jt where j = '1' returning *", None),
    ("update jt set b = (j = '1.0') returning id, b", None),
    ("update jt set id = id + 1 returning id, j < '[0]', j in ('1', '\"x\"')", None),
    ("update jt set id = 70 where j = %s", ["1.000"]),
    ("delete from jt where j < %s returning id", ["[0]"]),
    # UPDATE ... FROM, DELETE ... USING
    ("update jt set id = jt.id + 100 from ju where jt.j = ju.k returning jt.id, jt.j", None),
    ("update jt as t set id = u.id from ju u where t.j = u.k", None),
    ("delete from jt using ju where jt.j = ju.k returning jt.id", None),
    ("delete from jt t using ju where t.j > ju.k and ju.id = 2", None),
    # subqueries of the WHERE
    ("delete from jt where id in (select id from jt where j = '1')", None),
    ("update jt set b = true where exists (select 1 from ju where ju.k = jt.j)", None),
    ("delete from jt where j in (select k from ju)", None),
    ("update jt set id = 80 where j = (select k from ju where id = 2)", None),
    ("with w as (select k from ju) delete from jt where j in (select k from w)", None),
    # INSERT ... SELECT
    ("insert into ju select id, j from jt where j in ('1', '{\"a\": 1}') returning id, k", None),
    ("insert into ju select id, j from jt where j > '[0]' and j < '{}' returning k = '[1, 2]'", None),
    ("with w as (select j from jt where j = '1') insert into ju select 0, j from w", None),
    ("insert into ju (id, k) select a.id, a.j from jt a join ju b on a.j = b.k", None),
    # json has no equality nor order
    ("update jt set b = true where p = '1'", None),
    ("delete from jt where p < '[0]'", None),
    ("delete from jt where p in ('1', '2')", None),
    ("update jt set b = (p = '1')", None),
    # no jsonb compared: as it is
    ("update jt set id = id + 1 where id > 5", None),
    ("update jt set j = '1.0' where id = 1 returning j", None),
    ("delete from jt where id between 2 and 4 returning id, j", None),
]


_AFTER = ("select id, j, b from jt order by id, j::text", "select id, k from ju order by id, k::text")


@pytest.mark.parametrize("prepare", [False, True])
@pytest.mark.parametrize(("sql", "params"), _CASES)
def test_jsonb_update_delete_as_postgresql(server, pdb, pg15, sql: str, params, prepare: bool) -> None:  # noqa: F811, ANN001
    with both_with(server, pdb, pg15, ("jt", "ju"), _SETUP) as (ours, theirs):
        want = write_outcome(theirs, sql, params, prepare)
        assert write_outcome(ours, sql, params, prepare) == want, (sql, prepare)
        for after in _AFTER:
            assert write_outcome(ours, after, None, False) == write_outcome(theirs, after, None, False), sql


def test_multi_statement_simple_query(server, pdb, pg15) -> None:  # noqa: F811, ANN001
    """A simple query of several statements: its UPDATE and DELETE compare jsonb as alone."""
    sql = "select 1; update jt set id = 60 where j in ('1', '{\"a\":1}'); delete from jt where j = '[1, 2]'"
    with both_with(server, pdb, pg15, ("jt", "ju"), _SETUP) as (ours, theirs):
        for c in (ours, theirs):
            c.execute(sql)
        for after in _AFTER:
            assert write_outcome(ours, after, None, False) == write_outcome(theirs, after, None, False)


def test_create_table_as(server, pdb, pg15) -> None:  # noqa: F811, ANN001
    """CREATE TABLE AS's query compares jsonb as a SELECT does."""
    sql = "create temp table jx as select id from jt where j in ('1', '{\"a\": 1}') or j < '[0]'"
    with both_with(server, pdb, pg15, ("jt", "ju"), _SETUP) as (ours, theirs):
        assert write_outcome(ours, sql, None, False) == write_outcome(theirs, sql, None, False)
        after = "select id from jx order by id"
        assert write_outcome(ours, after, None, False) == write_outcome(theirs, after, None, False)
