"""Issue 12, no quiet difference from PostgreSQL: the whole row of an outer join's missing side,
multi-dimensional arrays, char(n) values through subqueries, CTEs and views (sent blank-padded),
char(n) semantics (comparisons, LIKE, length, joins, parameters, writes and COPY), a char(n) key
read and written back, result column names,
upper() and regexp_matches(). Every answer is PostgreSQL 15's, asked beside us through psycopg
(text and binary results), or PostgreSQL's error with its SQLSTATE."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)


@pytest.fixture
def pg(pg15):  # noqa: F811
    with pg15.connect(autocommit=True) as c:
        yield c


def _answer(con, sql: str, binary: bool = False):
    cur = con.execute(sql, binary=binary)
    return [d.name for d in cur.description], [d.type_code for d in cur.description], cur.fetchall()


def _same(conn, pg, sql: str, *, types: bool = True) -> list[tuple]:
    """The statement's answer on DuckCDB, asserted equal to PostgreSQL's (names, type OIDs,
    rows in order: each statement here orders its rows)."""
    want = _answer(pg, sql)
    for binary in (False, True):
        got = _answer(conn, sql, binary)
        assert got[0] == want[0], sql
        if types:
            assert got[1] == want[1], sql
        assert got[2] == want[2], (sql, binary)
    return want[2]


def _sqlstate(con, sql: str) -> str | None:
    try:
        con.execute(sql)
    except psycopg.Error as e:
        return e.sqlstate
    return None


@pytest.fixture
def joined(conn, pg):
    """Parents 1..3, children of parent 1 (one of them with a NULL column), a child table
    without a key the joins use, and a view and a CTE-able subquery over the children."""
    s = "t" + uuid.uuid4().hex[:8]
    for c in (conn, pg):
        c.execute(f"create temp table {s}_p (id int primary key, x int)")
        c.execute(f"insert into {s}_p values (1, 10), (2, null), (3, 30)")
        c.execute(f"create temp table {s}_c (id int, pid int, note text)")
        c.execute(f"insert into {s}_c values (100, 1, 'a'), (101, 1, null), (null, null, null)")
        c.execute(f"create temp view {s}_v as select id, pid from {s}_c")
    return s


def test_missing_side_of_a_left_join_is_a_null_row(conn, pg, joined) -> None:
    p, c = f"{joined}_p", f"{joined}_c"
    rows = _same(conn, pg, f"select count(c) as a, count(p) as b from {p} p left join {c} c on c.pid = p.id")
    assert rows == [(2, 4)]
    rows = _same(
        conn,
        pg,
        f"select p.id, c is distinct from null as a, c is not distinct from null as b, c is null as n"
        f" from {p} p left join {c} c on c.pid = p.id order by p.id, c.id",
    )
    assert rows == [
        (1, True, False, False),
        (1, True, False, False),
        (2, False, True, True),
        (3, False, True, True),
    ]
    # USING, a join on a subquery with a key, a view, a table named by itself, FILTER
    for sql in (
        f"select count(c) as a from {p} p left join {c} c using (id)",
        f"select count(s) as a from {p} p left join (select * from {c}) s on s.pid = p.id",
        f"select count(v) as a from {p} p left join {joined}_v v on p.id = v.pid",
        f"select count({c}) as a from {p} left join {c} on {c}.pid = {p}.id and {c}.note is not null",
        f"select count(*) filter (where c is distinct from null) as a from {p} p left join {c} c on c.pid = p.id",
        f"with q as (select * from {c}) select count(q) as a from {p} p left join q on q.pid = p.id",
        f"with q as (select * from {c}), r as (select 1 as k) select count(q) as a, count(r) as b"
        f" from {p} p left join q on q.pid = p.id left join r on r.k = q.pid",
        f"select p.id, count(l) as a from {p} p left join lateral (select * from {c} where pid = p.id) l on true"
        f" group by p.id order by p.id",
    ):
        _same(conn, pg, sql)


def test_missing_rows_of_right_and_full_joins(conn, pg, joined) -> None:
    p, c = f"{joined}_p", f"{joined}_c"
    assert _same(
        conn, pg, f"select count(p) as a, count(c) as b from {p} p right join {c} c on c.pid = p.id"
    ) == [(2, 3)]
    assert _same(
        conn, pg, f"select count(p) as a, count(c) as b from {p} p full join {c} c on c.pid = p.id"
    ) == [(4, 3)]


def test_a_joined_row_of_nulls_is_still_a_row(conn, pg, joined) -> None:
    """No key to tell by: the table's row id does (a row whose columns are all NULL is a row)."""
    p, c = f"{joined}_p", f"{joined}_c"
    sql = f"select p.id, count(c) as a from {p} p left join {c} c on c.id is null and p.x is null group by p.id order by p.id"
    assert _same(conn, pg, sql) == [(1, 0), (2, 1), (3, 0)]


def test_a_subquery_that_names_its_own_row_so_is_its_own(conn, pg, joined) -> None:
    """The inner c is the whole table (its row of NULLs counts); the outer c is the missing side."""
    p, c = f"{joined}_p", f"{joined}_c"
    sql = (
        f"select p.id, (select count(c) from {c} c) as inner_count, count(c) as outer_count"
        f" from {p} p left join {c} c on c.pid = p.id group by p.id order by p.id"
    )
    assert _same(conn, pg, sql) == [(1, 3, 2), (2, 3, 0), (3, 3, 0)]


def test_a_column_named_as_a_join_alias_is_left_alone(conn, pg, joined) -> None:
    p, c = f"{joined}_p", f"{joined}_c"
    sql = f"select count(note) as a from {p} p left join {c} note on note.pid = p.id"
    assert _same(conn, pg, sql) == [(1,)]


def test_multi_dimensional_arrays(conn, pg, table_name) -> None:
    for sql in (
        "select cardinality(array[[1, 2], [3, 4]]) as a, cardinality(array[1, 2, 3]) as b,"
        " cardinality('{}'::int[]) as c, cardinality(null::int[]) as d",
        "select (array[[1, 2], [3, 4]])[1] as a, (array[[1, 2], [3, 4]])[2][1] as b, (array[[1, 2]])[1:1] as c",
        "select unnest(array[[1, 2], [3, 4]]) as u",
    ):
        _same(conn, pg, sql)
    for c in (conn, pg):
        c.execute(f"create temp table {table_name} (id int, a int[][], b int[])")
        c.execute(
            f"insert into {table_name} values (1, array[[1, 2], [3, 4]], array[5]), (2, null, array[]::int[])"
        )
    _same(conn, pg, f"select id, cardinality(a) as c, cardinality(b) as d from {table_name} order by id")
    _same(conn, pg, f"select id, unnest(a) as u from {table_name} order by id, u")
    _same(conn, pg, f"select unnest(b) as u from {table_name} order by u")
    _same(conn, pg, f"select id, a[2][1] as x, b[1] as y, a[1:1] as z from {table_name} order by id")
    # one subscript of a 2-D column: NULL as in PostgreSQL (typed int4[] here, int4 there)
    sql = f"select a[1] as x from {table_name} order by id"
    assert conn.execute(sql).fetchall() == pg.execute(sql).fetchall() == [(None,), (None,)]
    sql = f"select id from {table_name} where a[1] is null order by id"
    assert conn.execute(sql).fetchall() == pg.execute(sql).fetchall() == [(1,), (2,)]


@pytest.mark.parametrize(
    ("sql", "sqlstate"),
    [
        ("select array[[1, 2], [3]] as a", "2202E"),
        ("select array[[[1], [2]], [[3]]] as a", "2202E"),
        ("select array[] as a", "42P18"),
    ],
)
def test_arrays_postgresql_refuses(conn, pg, sql: str, sqlstate: str) -> None:
    assert _sqlstate(pg, sql) == sqlstate
    assert _sqlstate(conn, sql) == sqlstate
    assert conn.execute("select 1").fetchone() == (1,)  # the session goes on


def test_typed_empty_arrays_are_accepted(conn, pg) -> None:
    _same(conn, pg, "select array[]::int[] as a, cast(array[] as text[]) as b, array[[1], [2]] as c")


def test_char_n_is_sent_padded_wherever_it_comes_from(conn, pg, table_name) -> None:
    """A char(n) column's values go out blank-padded to n, as PostgreSQL sends them, from the
    table, a subquery, a CTE, a view (DuckCDB keeps them without trailing blanks: engine.bpchar)."""
    for c in (conn, pg):
        c.execute(f"create temp table {table_name} (id int, c char(4), v varchar(4))")
        c.execute(f"insert into {table_name} values (1, 'ab', 'ab'), (2, null, 'x'), (3, 'abcd', '')")
        c.execute(f"create temp view {table_name}_v as select id, c from {table_name}")
    t = table_name
    for sql in (
        f"select c, v from {t} order by id",
        f"select c from (select c, id from {t}) s order by id",
        f"with w as (select * from {t}) select w.c from w order by id",
        f"select c from {t}_v order by id",
        f"select c, c = 'ab' as eq, c || '|' as cat from {t} order by id",
    ):
        assert _same(conn, pg, sql)[0][0] == "ab  ", sql
    # the small-result path (a point query) pads as well
    for binary in (False, False, False, True, True):
        assert conn.execute(f"select c from {t} where id = %s", (1,), binary=binary).fetchone() == ("ab  ",)
        assert conn.execute(f"select c, id from {t} where id = 1", binary=binary).fetchone() == ("ab  ", 1)


@pytest.mark.parametrize("binary", [False, True])
def test_char_n_key_read_and_written_back_updates_its_row(conn, pg, table_name, binary: bool) -> None:
    """What an ORM's save does: read a char(n) key, then UPDATE ... WHERE key = <the value read>.
    PostgreSQL 15 updates the row; so must DuckCDB (never a silently lost update)."""
    t = table_name
    for c in (conn, pg):
        c.execute(f"create temp table {t} (code char(4) primary key, v int)")
        c.execute(f"insert into {t} values ('ab', 1), ('abcd', 2), ('x', 3)")
    for c in (conn, pg):
        read = c.execute(f"select code, v from {t} order by v", binary=binary).fetchall()
        for code, v in read:
            cur = c.execute(f"update {t} set v = %s where code = %s", (v + 10, code), binary=binary)
            assert cur.rowcount == 1, (c is pg, code)
            cur = c.execute(f"delete from {t} where code = %s and v = %s", (code, -1))
            assert cur.rowcount == 0
        # and the key read through a subquery, as a literal in the statement
        (code,) = c.execute(f"select s.code from (select code from {t} where v = 11) s").fetchone()
        assert c.execute(f"update {t} set v = 21 where code = '{code}'").rowcount == 1
    want = pg.execute(f"select v from {t} order by v").fetchall()
    assert want == [(12,), (13,), (21,)]
    assert conn.execute(f"select v from {t} order by v").fetchall() == want


def _char_tables(conn, pg, t: str) -> None:
    for c in (conn, pg):
        c.execute(f"create temp table {t} (id int, c char(4), v varchar(6), x text)")
        c.execute(
            f"insert into {t} values (1, 'ab', 'ab', 'ab'), (2, 'cd  ', 'cd  ', 'cd  '),"
            " (3, 'abcd  ', 'abcd', 'abcd'), (4, ' e', ' e', ' e'), (5, null, null, null)"
        )
        c.execute(f"create temp table {t}_o (k char(6), n int)")
        c.execute(f"insert into {t}_o values ('ab', 1), ('cd    ', 2), ('e', 3)")


def test_char_n_compares_as_postgresql(conn, pg, table_name) -> None:
    """Stored blank-padded, compared without trailing blanks against literals, varchar and other
    char(n) columns, as text against text; LIKE and regular expressions see the padding;
    length(), ::text, || and text functions do not. Each answer PostgreSQL 15's."""
    t = table_name
    _char_tables(conn, pg, t)
    for sql in (
        f"select id, c, c::text as s, c || '|' as cat, upper(c) as up, octet_length(c::text) as o from {t} order by id",
        f"select id from {t} where c = 'cd' order by id",
        f"select id from {t} where c = 'ab  ' or c in ('cd ') order by id",
        f"select id from {t} where 'ab   ' = c or c not in ('cd ', 'x') order by id",
        f"select id from {t} where c <> 'ab ' order by id",
        f"select id from {t} where c < 'ab ' or c >= 'cd  ' order by id",
        f"select id from {t} where c between 'ab ' and 'abcd ' order by id",
        f"select id from {t} where c is distinct from 'ab ' order by id",
        f"select id from {t} where c = 'ab  '::text or c = 'cd  '::varchar order by id",
        f"select id from {t} where c = cast('abcd ' as varchar) order by id",
        f"select id from {t} where c like 'ab%' order by id",
        f"select id from {t} where c like 'ab  ' or c like '%d' or c ilike ' E  ' order by id",
        f"select id from {t} where c not like '%  ' order by id",
        f"select id from {t} where c similar to 'ab' or c ~ 'e  $' order by id",
        f"select id from {t} where c = v order by id",
        f"select id from {t} where c = x order by id",
        f"select a.id, o.n, o.k from {t} a join {t}_o o on a.c = o.k order by a.id",
        f"select a.id from {t} a, {t}_o o where o.k = a.c and o.n = 2",
        f"select c, count(*) as n from {t} group by c order by c",
        f"select count(distinct c) as n from {t}",
        f"select max(c) as mx, min(c) as mn from {t}",
        f"select coalesce(c, c) as a, nullif(c, 'ab') as b, case when id > 1 then c end as d,"
        f" greatest(c, c) as g from {t} order by id",
        f"select m from (select max(c) as m from {t}) s",
        f"with w as (select 1 as one) select id from {t}, w where c = 'ab  ' order by id",
        f"select id from {t} where c in (select k from {t}_o where n < 3) order by id",
        f"select id from {t} where exists (select 1 from {t}_o o where o.k = {t}.c and o.n = 1) order by id",
        f"select id from {t} where extract(year from date '2024-01-01') = 2024 and c = 'cd ' order by id",
    ):
        _same(conn, pg, sql)
    # concat(), format(), octet_length() and json write the value's output: padded
    _same(
        conn,
        pg,
        f"select id, concat(c, '|', v) as a, concat_ws(',', c, x) as b, format('%s|%L|', c, c) as d,"
        f" octet_length(c) as e, quote_nullable(c) as q, c::text || '|' as t from {t} order by id",
    )
    _same(
        conn,
        pg,
        f"select id, to_json(c)::text as a, to_jsonb(c)::text as b, json_build_object('k', c)::text as j"
        f" from {t} order by id",
    )
    # a CASE / coalesce result column of the column and literals: the column's value padded, the
    # literal's as written (PostgreSQL's bpchar without a length; DuckCDB's type is text)
    _same(
        conn,
        pg,
        f"select id, case when id < 3 then c else 'zz' end as a, coalesce(c, 'x') as b from {t} order by id",
        types=False,
    )
    # length() ignores the blanks (PostgreSQL's is int4, DuckCDB's int8: the values only)
    _same(conn, pg, f"select id, length(c) as n, char_length(c) as m from {t} order by id", types=False)


@pytest.mark.parametrize("prepare", [False, True])
def test_char_n_parameters_compare_as_postgresql(conn, pg, table_name, prepare: bool) -> None:
    """psycopg's parameters (unknown: bpchar in PostgreSQL), cast to varchar or to text, and
    declared text (PostgreSQL compares text then: the blanks count)."""
    t = table_name
    _char_tables(conn, pg, t)
    cases = [
        (f"select id from {t} where c = %s order by id", ("ab  ",)),
        (f"select id from {t} where c in (%s, %s) order by id", ("cd", "abcd ")),
        (f"select id from {t} where c = %s::varchar order by id", ("ab  ",)),
        (f"select id from {t} where c = %s::text order by id", ("ab  ",)),
        (f"select id from {t} where c = %s::text order by id", ("ab",)),
        (f"select id from {t} where c like %s order by id", ("ab  ",)),
    ]
    for sql, params in cases:
        want = pg.execute(sql, params, prepare=prepare).fetchall()
        assert conn.execute(sql, params, prepare=prepare).fetchall() == want, (sql, params)
    # str declared text (psycopg's StrDumper: OID 25): PostgreSQL compares as text; declared
    # varchar (1043, as JDBC's setString sends it): as bpchar
    sql = f"select id from {t} where c = %s order by id"
    strs = psycopg.types.string
    try:
        for dumper, blanks in ((strs.StrDumper, []), (strs.StrDumperVarchar, [(1,)])):
            for c in (conn, pg):
                c.adapters.register_dumper(str, dumper)
            for value, rows in (("ab  ", blanks), ("ab", [(1,)])):
                assert pg.execute(sql, (value,), prepare=prepare).fetchall() == rows
                assert conn.execute(sql, (value,), prepare=prepare).fetchall() == rows, (dumper, value)
    finally:
        for c in (conn, pg):
            c.adapters.register_dumper(str, psycopg.types.string.StrDumperUnknown)


def test_char_n_writes_keep_postgresql_values(conn, pg, table_name) -> None:
    """INSERT (literals, parameters, expressions), UPDATE SET, ON CONFLICT DO UPDATE and COPY FROM
    store what PostgreSQL does: a key inserted as 'ab' conflicts with 'ab  ', 'abcd  ' fits char(4)."""
    t = table_name
    for c in (conn, pg):
        c.execute(f"create temp table {t} (code char(4) primary key, v int, note char(3))")
        c.execute(f"insert into {t} values ('ab', 1, 'x  ')")
        c.execute(
            f"insert into {t} (v, code, note) values (2, %s, %s), (3, 'ef' || ' ', default)", ("cd  ", 7)
        )
        c.execute(
            f"insert into {t} values ('ab  ', 9, 'y') on conflict (code) do update set v = excluded.v + 1"
        )
        c.execute(f"update {t} set note = note || ' ', code = 'gh ' where v = 3")
        c.execute(f"insert into {t} (v, code) select v + 10, 'z' || code || ' ' from {t} where v = 2")
        c.execute(f"with s (k) as (select 'mn  ') insert into {t} select k, 20, k from s")
        with c.cursor().copy(f"copy {t} (code, v, note) from stdin") as cp:
            cp.write("ij  \t4\tz  \nkl\t5\t\\N\n")
        with pytest.raises(psycopg.errors.UniqueViolation):
            c.execute(f"insert into {t} values ('ij ', 6, null)")
        with pytest.raises(psycopg.errors.StringDataRightTruncation):
            c.execute(f"insert into {t} values ('abcde', 6, null)")
    _same(conn, pg, f"select code, v, note, length(code) = 2 as two from {t} order by v")
    _same(conn, pg, f"select v from {t} where code = 'gh' and note = 'x'")
    _same(conn, pg, f"select v, length(note) = 2 as two from {t} where code in ('mn', 'zcd') order by v")
    # RETURNING the columns themselves: bpchar(n), padded
    _same(conn, pg, f"update {t} set v = v where code = 'ab ' returning code, note as n, {t}.v")
    _same(conn, pg, f"update {t} set v = v where v = 2 returning *")
    # COPY TO: padded, in text and CSV
    for sql in (
        f"copy {t} to stdout",
        f"copy (select note, code from {t} where code <> 'ab ' order by v) to stdout csv",
    ):
        got, want = (_copied(c, sql) for c in (conn, pg))
        assert got == want and b"ij  " in want, sql


def test_char_n_row_assignments_merge_and_defaults_store_postgresql_values(conn, pg, table_name) -> None:
    """UPDATE SET (a, b) = (...), ON CONFLICT DO UPDATE SET (a, b) = ROW(...), MERGE's UPDATE and
    INSERT, and a literal column default: what goes into char(n) loses its trailing blanks, so
    length() and comparisons answer as PostgreSQL's; 'abcd  ' fits char(4), 'abcde' is 22001."""
    t = table_name
    for c in (conn, pg):
        c.execute(f"create temp table {t} (id int primary key, code char(4), note char(3) default 'x  ')")
        c.execute(f"insert into {t} (id, code) values (1, 'ab'), (2, 'cd')")
        c.execute(f"update {t} set (code, note) = ('ef  ', 'z  ') where id = 1")
        c.execute(f"update {t} set (note, code) = row('y ', 'abcd  ') where id = 2")
        c.execute(f"insert into {t} values (1, 'q', 'q') on conflict (id) do update set (code) = row('gh  ')")
        c.execute(
            f"merge into {t} using (select 2 as id, 'ij  ' as k union all select 3, 'kl  ') s on {t}.id = s.id"
            " when matched then update set code = s.k, note = 'w  '"
            " when not matched then insert (id, code, note) values (s.id, s.k, 'v  ')"
        )
        c.execute(
            f"merge into {t} using (select 4 as id) s on {t}.id = s.id when not matched then insert values (4, 'mn  ', null)"
        )
        for sql in (
            f"update {t} set (code, note) = ('abcde', 'a') where id = 1",
            f"merge into {t} using (select 1 as id) s on {t}.id = s.id when matched then update set code = 'abcde'",
        ):
            with pytest.raises(psycopg.errors.StringDataRightTruncation):
                c.execute(sql)
    _same(
        conn,
        pg,
        f"select id, code, note, length(code) as lc, length(note) as ln, code = 'gh' as g from {t} order by id",
        types=False,
    )


def test_char_n_compares_with_varchar_as_postgresql(conn, pg, table_name) -> None:
    """A varchar column before a char(n) one, in an IN list, in a row comparison, as a subquery's
    column; E'..' and $$..$$ literals: compared as bpchar (trailing blanks ignored), as in
    PostgreSQL 15; text and text expressions compare as text."""
    t = table_name
    _char_tables(conn, pg, t)
    for sql in (
        f"select id, v = c as a, c = v as b, x = c as d, c = v || '' as e from {t} order by id",
        f"select id from {t} where c in (v, x) order by id",
        f"select id from {t} where c in ('ab  ', v) order by id",
        f"select id from {t} a where a.v = a.c and a.c = a.v order by id",
        f"select id from {t} where (c, id) = ('ab ', 1) or (id, c) = (2, 'cd   ') order by id",
        f"select id from {t} where (c, id) <> ('ab ', 1) order by id",
        f"select id from {t} where row(v, id) = row(c, id) order by id",
        f"select id from {t} where c in (select v from {t}) order by id",
        f"select id from {t} where c not in (select distinct v from {t} where id < 3) order by id",
        f"select id from {t} where c = any (select v from {t}) order by id",
        f"select id from {t} where c = (select v from {t} where id = 2) order by id",
        f"select id from {t} where c in (select x from {t}) order by id",
        f"select id from {t} where c = E'ab  ' or c = $$cd $$ order by id",
        f"select id from {t} where coalesce(c, 'ab  ') = 'ab' or 'cd ' = nullif(c, 'x ') order by id",
        f"select id from {t} where coalesce(c, x) = 'ab ' or greatest(c, v) in ('cd ') order by id",
        f"select id from {t} where coalesce(x, c) = 'ab ' or coalesce(v, c) = 'cd ' order by id",
        f"select id, nullif(c, 'ab ') as a, nullif(c, v) as b from {t} order by id",
        f"select id, case c when 'ab ' then 1 when 'cd  ' then 2 when v then 3 else 0 end as a from {t} order by id",
        f"select id from {t} where (c) = 'ab ' or ((c)) in ('cd ') order by id",
    ):
        _same(conn, pg, sql)
    for c in (conn, pg):
        c.execute(f"update {t} set v = c where id = 3")
    _same(conn, pg, f"select id, v, length(v) as n from {t} order by id", types=False)


def _copied(con, sql: str) -> bytes:
    with con.cursor().copy(sql) as cp:
        return b"".join(bytes(b) for b in cp)


def test_char_n_by_alter_column_type(conn, pg, table_name) -> None:
    """ALTER COLUMN ... TYPE char(n): the values kept as PostgreSQL's (trailing blanks cut)."""
    t = table_name
    for c in (conn, pg):
        c.execute(f"create table {t} (id int, s text)")
        c.execute(f"insert into {t} values (1, 'ab  '), (2, 'abcd   '), (3, null)")
        c.execute(f"alter table {t} alter column s type char(4)")
    try:
        _same(conn, pg, f"select id, s, s = 'ab' as eq from {t} order by id")
    finally:
        for c in (conn, pg):
            c.execute(f"drop table {t}")


def test_char_n_through_a_view(conn, pg, table_name) -> None:
    """A view of a char(n) column, named unlike its table: compared and sent as the column."""
    t, view = table_name, "vw_" + uuid.uuid4().hex[:8]
    _char_tables(conn, pg, t)
    for c in (conn, pg):
        c.execute(f"create temp view {view} as select id, c from {t}")
    _same(conn, pg, f"select id, c from {view} where c = 'ab  ' or c in ('cd ') order by id")


def test_unquoted_names_fold_and_long_ones_are_cut(conn, pg) -> None:
    long = "a" * 70
    _same(conn, pg, f'select 1 as Foo, 2 as "Bar", 3 as {long}, (array[1, 2])[1]')


def test_upper_keeps_sharp_s(conn, pg) -> None:
    assert _same(conn, pg, "select upper('straße') as a, upper('ẞ') as b, lower('STRAẞE') as c") == [
        ("STRAßE", "ẞ", "straße")
    ]


def test_regexp_matches_is_a_set_of_text_arrays(conn, pg) -> None:
    for sql in (
        r"select regexp_matches('a1b22c', '(\d+)') as a",
        r"select regexp_matches('a1b22c', '(\d+)', 'g') as a",
        r"select regexp_matches('a1B22c', '([a-z])(\d+)', 'gi') as a",
        r"select regexp_matches('abc', 'b') as a",
        r"select regexp_matches('abc', 'x') as a",
        r"select m from regexp_matches('x1y2', '\d', 'g') as m",
        r"select s, (regexp_matches(s, '(\d+)'))[1] as m from (values ('a1b22'), ('xyz'), (null)) v(s) order by s",
        r"select s, m from (values ('a1b22'), (null)) v(s), regexp_matches(v.s, '\d', 'g') m order by s, m",
    ):
        _same(conn, pg, sql)
    # what DuckCDB cannot answer as PostgreSQL is refused, never DuckDB's boolean
    for sql in (
        "select regexp_matches('ab', '(a)|(b)')",
        "select regexp_matches('ab', 'a', 'x')",
    ):
        assert _sqlstate(conn, sql) == "0A000"


def test_result_column_names_as_postgresql(conn, pg, table_name) -> None:
    for sql in (
        "select E'b', $$c$$, 1 in (1), 1 between 0 and 2, 'abc' ^@ 'a'",
        "select (select 1), (select 2 as n), exists (select 1), array(select 1), array[1]",
        "select interval '1 day', timestamp '2024-01-01' at time zone 'UTC', '{}'::int[], '{a}'::text[]",
        "select 1 union all select 2 order by 1",
        "select * from (values (1, 'a'), (2, 'b')) v order by 1",
        "select column2 from (values (1, 'a')) as v",
        "values (1, 'a'), (2, 'b')",
        "select * from (select 1, 'a' as x, upper('b'), count(*) filter (where true)) s",
        "with c as (select 1, lower('A') n) select * from c",
        "select s.count, s.upper from (select count(*), upper('q') from (values (1), (2)) v) s",
        'select id from (select 1 as id, 2 + 3) s where s."?column?" = 5',
    ):
        _same(conn, pg, sql)
    for c in (conn, pg):
        c.execute(f"create temp table {table_name} (k int)")
    for sql in (
        f"insert into {table_name} values (5) returning k * 2, upper('a'), k as \"K\"",
        f"update {table_name} set k = 6 returning k + 1, k",
    ):  # (run once on each: a DML statement)
        assert _answer(conn, sql) == _answer(pg, sql)


def test_group_by_primary_key_selects_its_other_columns_unqualified(conn, pg, table_name) -> None:
    """GROUP BY a table's primary key, its other columns named bare (one table in FROM): PostgreSQL
    takes them (functional dependency), in the select list, HAVING and ORDER BY; grouped by
    another column, or by a table without a primary key, it refuses (42803) as before."""
    t = table_name
    for c in (conn, pg):
        c.execute(f"create temp table {t} (id int primary key, n int, s text)")
        c.execute(f"insert into {t} values (1, 10, 'b'), (2, 20, 'a'), (3, 20, 'a')")
        c.execute(f"create temp table {t}_k (id int, s text)")
    _same(conn, pg, f"select id, s from {t} group by id order by id")
    _same(
        conn,
        pg,
        f"select x.id, upper(s) as u, count(*) as c, max(n) as m from {t} x where n > 5"
        f" group by id having min(n) > 0 and s <> 'z' order by s, id",
    )
    for sql in (f"select n, s from {t} group by n", f"select id, s from {t}_k group by id"):
        assert _sqlstate(pg, sql) == "42803"
        assert _sqlstate(conn, sql) == "42803", sql


def test_update_set_columns_from_one_subquery(conn, pg, table_name) -> None:
    """UPDATE ... SET (a, b) = (SELECT ...), correlated or not (DuckDB takes one column from a
    subquery: pgcompat.rows writes one per column); a char(n) column so set keeps PostgreSQL's
    value; more than one row is 21000, as in PostgreSQL."""
    t = table_name
    for c in (conn, pg):
        c.execute(f"create temp table {t} (id int primary key, n int, code char(4))")
        c.execute(f"insert into {t} values (1, 0, 'a'), (2, 0, 'b')")
        c.execute(f"create temp table {t}_u (id int, x int, y text)")
        c.execute(f"insert into {t}_u values (1, 10, 'ten '), (2, 20, 'tw  '), (3, 30, 'x')")
        c.execute(f"update {t} set (n, code) = (select x, y from {t}_u where {t}_u.id = {t}.id)")
        c.execute(f"update {t} set code = 'q', (n) = (select max(x) from {t}_u) where id = 2")
        with pytest.raises(psycopg.errors.CardinalityViolation):
            c.execute(f"update {t} set (n, code) = (select x, y from {t}_u) where id = 1")
    _same(
        conn,
        pg,
        f"select id, n, code, length(code) as l, code = 'ten' as t from {t} order by id",
        types=False,
    )
