"""char(n) in UNION / INTERSECT / EXCEPT as PostgreSQL's bpchar (issue 12: never a quiet
difference): a char(n) column's values meet a cast to char(n) without their trailing blanks
(pgcompat.char_casts keeps the cast's blanks off there, as the column's are stored), and the
result column is bpchar(n), sent padded (engine.declared reads the cast as bpchar(n)). Each
statement runs on DuckCDB and on PostgreSQL 15 beside it; the answers must be the same."""

from __future__ import annotations

import pytest

from tests.beside_pg import answer, both_with
from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)

_TABLE = "create table cso (id int, c char(4))"
_ROWS = "insert into cso values (1, 'ab'), (2, 'ab  '), (3, 'x')"

_STATEMENTS = [
    "select c from cso union select 'ab  '::char(4) order by 1",
    "select c from cso union select 'ab'::char(4) order by 1",
    "select c from cso union all select 'ab  '::char(4) order by 1",
    "select c from cso union select cast('x' as char(4)) from cso order by 1",
    "select c from cso intersect select 'ab'::char(4)",
    "select c from cso except select 'ab '::char(4)",
    "select c from cso union select c from cso order by 1",
    "select 'ab'::char(4) as a union select 'ab  '::char(4)",
    "select 'ab'::char(4) as a, 'abcdef'::char(3) as b",
    "select * from (select 'ab'::char(4) as a) s",
    "select count(*) from (select c from cso union select 'ab  '::char(4)) s",
]


@pytest.fixture(scope="module")
def both(server, pdb, pg15):  # noqa: F811
    with both_with(server, pdb, pg15, ("cso",), [_TABLE, _ROWS]) as pair:
        yield pair


@pytest.mark.parametrize("sql", _STATEMENTS)
def test_char_set_operations_as_postgresql(both, sql: str) -> None:
    ours, theirs = both
    want = answer(theirs, sql, sizes=True)
    for prepare in (False, True):
        assert answer(ours, sql, prepare=prepare, sizes=True) == want, (sql, prepare)
