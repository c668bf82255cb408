"""jsonb orders as PostgreSQL orders it (issue 12: never a quiet difference), not by its text:
ORDER BY (of a query, a window, an aggregate), < > <= >= = <> of jsonb, through
engine.jsonb.sort_key (kinds: null < string < number < boolean < array < object; arrays by
length, then elements; objects by their number of pairs, then keys and values; numbers as
numerics), and jsonb[] results typed jsonb[] (3807). PostgreSQL has no min / max of jsonb, and
json has no order nor equality at all (42883).
Each statement runs on DuckCDB and on PostgreSQL 15 beside it; the answers must be the same."""

from __future__ import annotations

import pytest

from engine.jsonb import sort_key
from tests.beside_pg import answer, both_with
from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)

_TABLE = "create table jo (id int, j jsonb, k jsonb, p json)"
_ROWS = (
    'insert into jo (id, j, k) values (1, \'{"a": {"b": 1}}\', \'1\'), (2, \'{"a": 1, "b": 2}\', \'"x"\'),'
    " (3, '[1, 2]', '[3]'), (4, '\"abc\"', 'null'), (5, '10', '[]'), (6, '9.5', '{}'), (7, 'true', null),"
    " (8, 'null', '2'), (9, '[]', '{\"a\": 1}'), (10, null, '3.0'), (11, '{\"aa\": 1, \"c\": 1}', '-1.5'),"
    ' (12, \'{"b": 1, "d": 1}\', \'"ab"\')'
)

_JSON = "update jo set p = j::json"

_STATEMENTS: list[tuple[str, list[object] | None]] = [
    ("select id from jo order by j, id", None),
    ("select id from jo order by j desc nulls last, id", None),
    ("select id from jo order by k, id", None),
    ("select j as x from jo order by x, id", None),
    ("select id, j from jo order by 2, 1", None),
    ("select * from jo order by 2, 1", None),
    ("select distinct j from jo order by j", None),
    ("select j from jo union select k from jo order by 1", None),
    ("select j from jo union select k from jo order by j desc", None),
    ("with c as (select j, id from jo) select j from c order by j, id", None),
    ("select j from (select j, id from jo) s order by 1, id", None),
    ("select j::text as j from jo order by j", None),  # the result column's text, not jsonb's order
    ("select j -> 'a' as j from jo order by j, id", None),
    ("select id, row_number() over (order by j, id) from jo order by id", None),
    ("select jsonb_agg(j order by j) from jo", None),
    (
        "select x from (values ('[]'::jsonb), ('null'), ('\"a\"'), ('10'), ('9.5'), ('true'), ('{}'), ('[1]')) v(x) order by x",
        None,
    ),
    ("select id from jo where j < k order by id", None),
    ("select id from jo where j > '5' order by id", None),
    ("select id from jo where '10' < j order by id", None),
    ("select id from jo where k = '3' order by id", None),
    ("select id from jo where j <> '10.0' order by id", None),
    ("select id from jo where j is distinct from '10.0' order by id", None),
    ("select id from jo where j in ('10.0', '[1,2]') order by id", None),
    ("select id from jo where j not in ('10.0', '[1,2]') order by id", None),
    ("select id from jo where j between '1' and '[]' order by id", None),
    ("select id from jo where k not between '1' and '[]' order by id", None),
    ("select id from jo where j = %s order by id", ["10.00"]),
    # a subquery's column, and a correlated name of the query around it
    ("select id from jo where j in (select k from jo) order by id", None),
    ("select id from jo where j not in (select k from jo where k is not null) order by id", None),
    ("select id from jo where j < all (select k from jo where k is not null) order by id", None),
    ("select id from jo where j = any (select k from jo union select '[1, 2]'::jsonb) order by id", None),
    ("select id from jo where '10.0' in (select j from jo) order by id", None),
    ("select id from jo a where exists (select 1 from jo b where b.k = a.j) order by id", None),
    ("select id, (select count(*) from jo b where k < j) as n from jo order by id", None),
    ("select id from jo where p in (select k from jo)", None),
    ("select id from jo where j < %s order by id", ["5"]),
    ("select '[1]'::jsonb < '2'::jsonb, '1.0'::jsonb = '1'::jsonb, '[]'::jsonb < 'null'::jsonb", None),
    ('select \'{"aa": 1, "c": 1}\'::jsonb > \'{"b": 1, "d": 1}\'::jsonb', None),
    (
        "select count(distinct x), count(x) from (values ('1.0'::jsonb), ('1'), ('[1]'), ('[1.00]')) v(x)",
        None,
    ),
    ("select count(distinct j), count(distinct k) from jo", None),
    # no min / max of jsonb, as an aggregate or a window function
    ("select min(j) from jo", None),
    ("select max(j) over (), id from jo", None),
    # json has no order nor equality (42883)
    ("select id from jo order by p", None),
    ("select id, row_number() over (order by p) from jo", None),
    ("select id from jo where p < '5'", None),
    ("select id from jo where p = k", None),
    ("select id from jo where p in ('1', '[1, 2]')", None),
    ("select id from jo where p between '1' and '2'", None),
    ("select distinct p from jo", None),
    ("select count(*) from jo group by p", None),
    ("select count(distinct p) from jo", None),
    ("select id from jo order by p::jsonb, id", None),
    ("select id from jo order by p ->> 'a', id", None),
    # jsonb[] results
    ("select array['1'::jsonb] || array['2'::jsonb]", None),
    (
        "select array_cat(array['1'::jsonb], array['3'::jsonb]), array_append(array['1'::jsonb], '2'::jsonb)",
        None,
    ),
    # text || ordered as text (the class macro: not jsonb)
    ("select ('x' || r) as a from (values (0.25::float4), ('NaN'::float4)) t(r) order by a", None),
]


@pytest.fixture(scope="module")
def both(server, pdb, pg15):  # noqa: F811
    with both_with(server, pdb, pg15, ("jo",), [_TABLE, _ROWS, _JSON]) as pair:
        yield pair


@pytest.mark.parametrize(("sql", "params"), _STATEMENTS)
def test_jsonb_order_as_postgresql(both, sql: str, params: list[object] | None) -> None:
    ours, theirs = both
    want = answer(theirs, sql, params)
    for prepare in (False, True):
        assert answer(ours, sql, params, prepare) == want, (sql, prepare)


_VALUES = ['[]', 'null', '"a"', '"ab"', '""', '"é"', '1', '1.0', '-1', '-1.5', '-1.25', '0', '-0', '10', '1e2',
           '0.001', '-0.001', '123456789012345678901234567890', 'true', 'false', '{}', '[1]', '[1, 2]', '[2]',
           '[[1]]', '[{}]', '[null]', '["a"]', '{"a": 1}', '{"b": 1}', '{"a": 2}', '{"aa": 1, "c": 1}',
           '{"b": 1, "d": 1}', '{"a": {"b": 1}}', '{"a": 1, "b": 2}', '[1, "a"]', '["a", 1]', '[false, 1]']  # fmt: skip


def test_sort_key_orders_as_postgresql(pg15) -> None:  # noqa: F811
    """Every pair of these documents compares by sort_key as PostgreSQL's jsonb comparison does."""
    with pg15.connect(autocommit=True) as theirs:
        rows = theirs.execute(
            "select a, b, (a::jsonb > b::jsonb)::int - (a::jsonb < b::jsonb)::int"
            " from unnest(%s::text[]) a, unnest(%s::text[]) b",
            [_VALUES, _VALUES],
        ).fetchall()
    for a, b, want in rows:
        ka, kb = sort_key(a), sort_key(b)
        assert ka is not None and kb is not None
        assert (ka > kb) - (ka < kb) == want, (a, b)
