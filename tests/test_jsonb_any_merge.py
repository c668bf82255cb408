"""jsonb op ANY / ALL (array) compares by PostgreSQL's order (engine.jsonb.sort_key: 1.0 = 1), in a
SELECT and in the writes that read one (UPDATE, DELETE, INSERT ... SELECT), never by the stored
text: each array element is keyed as the operand is. Where the array cannot be read as jsonb
here, 0A000. Each case runs on DuckCDB and on PostgreSQL 15 beside it, on tables made afresh:
every statement's answer (rows or error, and the row count) and the tables afterwards."""

from __future__ import annotations

import pytest

from tests.beside_pg import both_with, write_outcome
from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)

_SETUP = [
    "create table jt (id int, j jsonb, b bool)",
    "insert into jt (id, j) values (1, '{\"b\":2,\"a\":1}'), (2, '[1, 2.0]'), (3, '{\"a\": 1.0}'), (4, '1.0'),"
    " (5, '1'), (6, '[]'), (7, '\"x\"'), (8, null), (9, '{\"aa\": 1, \"c\": 1}'), (10, 'true')",
    "create table ju (id int, k jsonb)",
    "insert into ju values (1, '{\"a\": 1}'), (2, '1.00'), (3, '[1, 2]')",
]

_CASES: list[tuple[str, list[object] | None]] = [
    ("select id from jt where j = any (array['1', '{\"a\":1}'])", None),
    ("select id from jt where j = any (array['1'::jsonb, '{\"a\":1}'])", None),
    ("select id from jt where j = any (array[%s, %s])", ["1", "[1,2]"]),
    ("select id from jt where j = any (array[1, 2])", None),
    ("select id from jt where j <> all (array['1', '{\"a\":1}'])", None),
    ("select id from jt where j < any (array['[0]', '1.5'])", None),
    ("select id from jt where j >= all (array['1'::jsonb, '[1, 2]'])", None),
    ("select id from jt where j = any (array[null, '1'])", None),
    ("select id, j = any (array['[1, 2]', 'true']) from jt", None),
    ("select id from jt where j = any (%s::jsonb[])", [["1.000", '{"a": 1}']]),
    ("select id from jt t where j = any (array[(select k from ju where id = 2), '[1,2]'])", None),
    ("update jt set id = id + 100 where j = any (array['1', '{\"a\":1}']) returning id", None),
    ("update jt set b = (j = any (array['1.0', '[1,2]']))", None),
    ("delete from jt where j <> all (array['1', '{\"a\":1}', '[1,2]'])", None),
    ("delete from jt where j = any (%s::jsonb[]) returning id", [["1.000", "[1, 2]"]]),
    ("insert into ju select id, j from jt where j = any (array['1', '[1, 2.00]']) returning id, k", None),
    ("update jt set id = id + 100 where j = any (array['1'::jsonb, '{\"a\":1}']) returning id", None),
    ("update jt set b = (j = any (array['1.0'::jsonb, '[1,2]']))", None),
    ("delete from jt where j <> all (array['1'::jsonb, '{\"a\":1}', '[1,2]'])", None),
    ("delete from jt where j < any (array[cast('1' as jsonb), null])", None),
    ("insert into ju select id, j from jt where j = any (array['1'::jsonb, '[1, 2.00]'])", None),
    ("update jt set id = 0 where j = any (cast(%s as jsonb[]))", [["1.000", "[1, 2]"]]),
    ("select id from jt where j = any (select k from ju)", None),
    # no jsonb compared: as it is
    ("select id from jt where id = any (array[1, 3])", None),
    ("update jt set b = true where id <> all (array[1, 3])", None),
]

_AFTER = ("select id, j, b from jt order by id, j::text", "select id, k from ju order by id, k::text")


@pytest.mark.parametrize("prepare", [False, True])
@pytest.mark.parametrize(("sql", "params"), _CASES)
def test_jsonb_any_all_as_postgresql(server, pdb, pg15, sql: str, params, prepare: bool) -> None:  # noqa: F811, ANN001
    with both_with(server, pdb, pg15, ("jt", "ju"), _SETUP) as (ours, theirs):
        want = write_outcome(theirs, sql, params, prepare)
        assert write_outcome(ours, sql, params, prepare) == want, (sql, prepare)
        for after in _AFTER:
            assert write_outcome(ours, after, None, False) == write_outcome(theirs, after, None, False), sql


@pytest.mark.parametrize("prepare", [False, True])
@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("select id from jt where j = any ('{1, 2}')", None),  # (an array literal's text: not read here)
        ("select id from jt where j = any (%s)", [["1.000", "[1, 2]"]]),  # (an untyped array parameter)
        ("delete from jt where j = any (%s)", [["1.000", "[1, 2]"]]),
        ("select id from jt where j = any ((select array_agg(k) from ju))", None),  # (an array of a subquery)
        ("delete from jt where j = any (array(select k from ju))", None),
    ],
)
def test_unread_arrays_are_errors(server, pdb, pg15, sql: str, params, prepare: bool) -> None:  # noqa: F811, ANN001
    """Arrays DuckCDB does not read as jsonb[] here: an error (PostgreSQL answers), never a text
    comparison; the table unchanged."""
    with both_with(server, pdb, pg15, ("jt", "ju"), _SETUP) as (ours, theirs):
        assert write_outcome(ours, sql, params, prepare)[0] == "error", sql
        assert write_outcome(ours, _AFTER[0], None, False) == write_outcome(theirs, _AFTER[0], None, False)


# INSERT ... ON CONFLICT ... DO UPDATE: its SET values and WHERE compare jsonb by jsonb's order
_UPSERT_SETUP = [
    "create table jk (k int primary key, j jsonb, n int, b bool)",
    "insert into jk values (1, '{\"a\": 1.0}', 0, null), (2, '[1, 2.0]', 0, null), (3, '1.00', 0, null)",
    "create table jv (k int, j jsonb)",
    "insert into jv values (1, '{\"a\": 1}'), (2, '[1, 2]'), (3, '2'), (4, '1')",
]

_UPSERTS: list[tuple[str, list[object] | None]] = [
    ("insert into jk values (1, '{\"a\":1}', 0) on conflict (k) do update set n = jk.n + 1 where jk.j = excluded.j", None),
    ("insert into jk values (2, '[1,2]', 0) on conflict (k) do update set n = 7 where jk.j = '[1, 2]' returning k, n", None),
    ("insert into jk (k, j, n) values (3, '1', 0) on conflict (k) do update set n = 9 where jk.j <> excluded.j", None),
    ("insert into jk values (1, '[]', 0) on conflict (k) do update set b = (jk.j = '{\"a\": 1}'), j = excluded.j", None),
    ("insert into jk as t values (1, '{}', 0) on conflict (k) do update set n = t.n + 10 where t.j > '[0]'", None),
    ("insert into jk select k, j, 0 from jv on conflict (k) do update set n = 3 where jk.j = excluded.j", None),
    ("insert into jk select k, j, 0 from jv where j in ('1', '2') on conflict (k) do update set n = 4"
     " where excluded.j < jk.j returning k, n", None),
    ("insert into jk values (3, '1', 0) on conflict (k) do update set n = 5 where jk.j = %s", ["1.0"]),
    # no jsonb compared: as it is
    ("insert into jk values (1, '1', 0) on conflict (k) do update set n = 8 where jk.n = 0", None),
    ("insert into jk values (1, '1', 0) on conflict (k) do nothing", None),
]  # fmt: skip


@pytest.mark.parametrize("prepare", [False, True])
@pytest.mark.parametrize(("sql", "params"), _UPSERTS)
def test_on_conflict_do_update_as_postgresql(server, pdb, pg15, sql: str, params, prepare: bool) -> None:  # noqa: F811, ANN001
    with both_with(server, pdb, pg15, ("jk", "jv"), _UPSERT_SETUP) as (ours, theirs):
        want = write_outcome(theirs, sql, params, prepare)
        assert write_outcome(ours, sql, params, prepare) == want, (sql, prepare)
        after = "select k, j, n, b from jk order by k"
        assert write_outcome(ours, after, None, False) == write_outcome(theirs, after, None, False), sql


# MERGE: its ON and WHEN conditions (and SET / VALUES) compare jsonb by jsonb's order
_MERGES: list[tuple[str, list[object] | None]] = [
    ("merge into jk using jv on jk.j = jv.j when matched then update set n = jv.k", None),
    ("merge into jk t using jv s on t.k = s.k when matched and t.j = s.j then update set n = 1"
     " when matched then update set n = 2 when not matched then insert values (s.k, s.j, 0, s.j = '1')", None),
    ("merge into jk t using jv s on t.k = s.k when matched and t.j <> s.j then delete", None),
    ("merge into jk t using jv s on t.k = s.k when matched then update set b = (t.j = s.j)"
     " when not matched and s.j > '1' then insert (k, j, n) values (s.k, s.j, 9)", None),
    ("merge into jk t using (select k, j from jv where j in ('1', '[1, 2.0]')) s on t.j = s.j"
     " when matched then update set n = 5 when not matched then do nothing", None),
    ("merge into jk t using jv s on t.k = s.k when matched and t.j = %s then update set n = 3", ["1"]),
    ("merge into jk t using jv s on t.k = s.k when matched and t.j = case when s.k = 3 then '1' else s.j end"
     " then update set n = 4", None),
    ("merge into jk t using jv s on t.k = s.k when matched and t.j = any (array['1'::jsonb, '[1, 2]'])"
     " then update set n = 6", None),
    # no jsonb compared: as it is
    ("merge into jk t using jv s on t.k = s.k when matched then update set n = 8", None),
]  # fmt: skip


@pytest.mark.parametrize("prepare", [False, True])
@pytest.mark.parametrize(("sql", "params"), _MERGES)
def test_merge_as_postgresql(server, pdb, pg15, sql: str, params, prepare: bool) -> None:  # noqa: F811, ANN001
    with both_with(server, pdb, pg15, ("jk", "jv"), _UPSERT_SETUP) as (ours, theirs):
        want = write_outcome(theirs, sql, params, prepare)
        assert write_outcome(ours, sql, params, prepare) == want, (sql, prepare)
        after = "select k, j, n, b from jk order by k"
        assert write_outcome(ours, after, None, False) == write_outcome(theirs, after, None, False), sql
