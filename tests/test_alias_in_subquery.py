"""A select-list alias named in a subquery of the WHERE (or in a subquery's own WHERE) is no
column in PostgreSQL (42703); DuckDB would read the alias (issue 12: never a quiet difference).
engine.declared.outer_alias_refusal refuses it where every FROM in scope is known; a name some
FROM has is that column, as in PostgreSQL. Each statement runs on DuckCDB and on PostgreSQL 15
beside it; the answers must be the same."""

from __future__ import annotations

import pytest

from tests.beside_pg import answer, both_with
from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)

_TABLES = ("create table asa (id int, n int)", "create table asb (id int, k int)")
_ROWS = ("insert into asa values (1, 2), (2, 0)", "insert into asb values (1, 5)")

_STATEMENTS = [
    "select n as m from asa where exists (select 1 from asb where m > 1)",
    "select n as m from asa where n in (select m from asb)",
    "select n as m from asa where exists (select 1 from asb where exists (select 1 from asb x where m > 1))",
    "select n as m from asa where exists (select 1 from (select k from asb) s where m > 1)",
    "select n from asa where exists (select k as z from asb where z > 1)",
    "with c as (select k from asb) select n as m from asa where exists (select 1 from c where m > 0)",
    # a column of that name, in the subquery or around it: that column
    "select n as k from asa where exists (select 1 from asb where k > 1) order by 1",
    "select n + 1 as n from asa where exists (select 1 from asb where n > 1) order by 1",
    "select id as m from asa where exists (select 1 from asb d where n > 1)",
    "select n as m from asa where id = (select max(id) from asb where k > 0)",
    "select n as m from asa where n in (select k as m from asb) order by 1",
]


@pytest.fixture(scope="module")
def both(server, pdb, pg15):  # noqa: F811
    with both_with(server, pdb, pg15, ("asa", "asb"), [*_TABLES, *_ROWS]) as pair:
        yield pair


@pytest.mark.parametrize("sql", _STATEMENTS)
def test_alias_in_subquery_as_postgresql(both, sql: str) -> None:
    ours, theirs = both
    want = answer(theirs, sql)
    for prepare in (False, True):
        assert answer(ours, sql, prepare=prepare) == want, (sql, prepare)
