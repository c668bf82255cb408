"""A select-list alias named in a subquery of the WHERE (or in a subquery's own WHERE) is no
column in PostgreSQL (42703); DuckDB would read the alias (issue 12: never a quiet difference).
engine.declared.outer_alias_refusal refuses it where every FROM in scope is known; a name some
FROM has is that column, as in PostgreSQL. Each statement runs on DuckCDB and on PostgreSQL 15
beside it; the answers must be the same."""

from __future__ import annotations

import psycopg
import pytest

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


def _answer(con: psycopg.Connection, sql: str, prepare: bool) -> tuple:
    try:
        cur = con.execute(sql, prepare=prepare)
        return ("ok", [d.type_code for d in cur.description or []], cur.fetchall())
    except psycopg.Error as e:
        return ("error", e.sqlstate, e.diag.message_primary)


@pytest.fixture(scope="module")
def both(server, pdb, pg15):  # noqa: F811
    from tests.conftest import PDB_ADMIN, PDB_PASSWORD

    with (
        server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as ours,
        pg15.connect(autocommit=True) as theirs,
    ):
        for c in (ours, theirs):
            c.execute("drop table if exists asa")
            c.execute("drop table if exists asb")
            for s in (*_TABLES, *_ROWS):
                c.execute(s)
        yield ours, theirs
        for c in (ours, theirs):
            c.execute("drop table asa")
            c.execute("drop table asb")


@pytest.mark.parametrize("sql", _STATEMENTS)
def test_alias_in_subquery_as_postgresql(both, sql: str) -> None:
    ours, theirs = both
    want = _answer(theirs, sql, False)
    for prepare in (False, True):
        assert _answer(ours, sql, prepare) == want, (sql, prepare)
