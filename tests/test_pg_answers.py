"""Answers PostgreSQL gives (issue 12): set-returning functions in a select list return rows,
ROW(...) is a record in record_out's text form."""

from __future__ import annotations

import datetime

import pytest

from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)


def test_generate_series_in_the_select_list_returns_rows(conn) -> None:
    cur = conn.execute("select generate_series(1, 3)")
    assert cur.fetchall() == [(1,), (2,), (3,)]
    assert cur.description[0].name == "generate_series"
    assert conn.execute("select generate_series(1, 3) as g, 10 + generate_series(1, 2) as h").fetchall() == [
        (1, 11),
        (2, 12),
        (3, None),
    ]
    days = conn.execute(
        "select generate_series(date '2024-01-30', date '2024-02-01', interval '1 day')::date"
    ).fetchall()
    assert days == [
        (datetime.date(2024, 1, 30),),
        (datetime.date(2024, 1, 31),),
        (datetime.date(2024, 2, 1),),
    ]
    # in FROM it was a table already
    assert conn.execute("select count(*) from generate_series(1, 10)").fetchone() == (10,)


def test_row_is_a_record(conn) -> None:
    cur = conn.execute("select row(1, 'a'), (2, null::text, 'b c'), row(3, '', 'q\"')")
    # psycopg parses record text as it does PostgreSQL's: '(1,a)' -> ('1', 'a')
    assert cur.fetchone() == (("1", "a"), ("2", None, "b c"), ("3", "", 'q"'))
    assert [d.type_code for d in cur.description] == [2249, 2249, 2249]


def test_columns_are_named_after_the_function(conn) -> None:
    cur = conn.execute(
        "select lpad('5', 3, '0'), to_hex(255), substr('abc', 2), count(*) filter (where true),"
        " row_number() over (), trim(leading 'x' from 'xa'), 1.5::float4::float8, position('a' in 'abc')::int"
    )
    names = [d.name for d in cur.description]
    assert names == ["lpad", "to_hex", "substr", "count", "row_number", "ltrim", "float8", "position"]


def test_pg_typeof_answers_postgresql_names(conn) -> None:
    row = conn.execute(
        "select pg_typeof(1), pg_typeof(1.5::float8), pg_typeof('a'::text), pg_typeof(array[1]),"
        " pg_typeof(1.5), pg_typeof(now()), pg_typeof(row(1, 2)), pg_typeof(true)"
    ).fetchone()
    assert row == (
        "integer",
        "double precision",
        "text",
        "integer[]",
        "numeric",
        "timestamp with time zone",
        "record",
        "boolean",
    )


def test_json_comes_back_decoded(conn, table_name) -> None:
    from psycopg.types.json import Json, Jsonb

    conn.execute(f"create table {table_name}(j json)")
    conn.execute(f"insert into {table_name} values (%s), (%s)", (Json({"a": 1}), Jsonb([1, "x"])))
    rows = [r[0] for r in conn.execute(f"select j from {table_name}").fetchall()]
    assert {"a": 1} in rows and [1, "x"] in rows  # decoded as they are from PostgreSQL, not str
    cur = conn.execute("""select '{"b": [true, null]}'::json""")
    assert cur.fetchone() == ({"b": [True, None]},)
    assert cur.description[0].type_code == 114


def test_errors_in_postgresql_words_with_their_objects(conn, table_name) -> None:
    import psycopg

    conn.execute(f"create table {table_name}(a int)")
    cases = [
        (
            "select * from no_such_table",
            psycopg.errors.UndefinedTable,
            'relation "no_such_table" does not exist',
        ),
        (
            f"select no_such_col from {table_name}",
            psycopg.errors.UndefinedColumn,
            'column "no_such_col" does not exist',
        ),
        (
            f"create table {table_name}(a int)",
            psycopg.errors.DuplicateTable,
            f'relation "{table_name}" already exists',
        ),
        ("select 1::no_such_type", psycopg.errors.UndefinedObject, 'type "no_such_type" does not exist'),
    ]
    for sql, error, message in cases:
        with pytest.raises(error) as e:
            conn.execute(sql)
        assert e.value.diag.message_primary == message
        assert "Did you mean" not in str(e.value)
    with pytest.raises(psycopg.errors.UndefinedTable) as e:
        conn.execute("select * from no_such_table")
    assert e.value.diag.table_name == "no_such_table"
    with pytest.raises(psycopg.errors.UndefinedColumn) as e:
        conn.execute(f"select no_such_col from {table_name}")
    assert e.value.diag.column_name == "no_such_col"
    conn.execute(f"create table {table_name}_n (id int, n int not null)")
    try:
        with pytest.raises(psycopg.errors.NotNullViolation) as e:
            conn.execute(f"insert into {table_name}_n (id) values (1)")
        message = f'null value in column "n" of relation "{table_name}_n" violates not-null constraint'
        assert e.value.diag.message_primary == message
        assert (e.value.diag.table_name, e.value.diag.column_name) == (f"{table_name}_n", "n")
    finally:
        conn.execute(f"drop table {table_name}_n")


def test_unique_and_check_violations_name_their_constraints_as_postgresql(conn, table_name, pg15) -> None:  # noqa: F811
    """A duplicate key and a failed check, in PostgreSQL's words with its detail and the
    constraint, table and schema fields (psycopg's diag; ORMs branch on the constraint's name):
    each the same as PostgreSQL 15's, in and out of a transaction block."""
    import psycopg

    t = table_name
    statements = [
        f"create table {t} (id int primary key, code text unique, n int check (n > 0),"
        " m int not null default 1, unique (n, m))",
        f"insert into {t} values (1, 'a', 1, 1)",
        f"insert into {t} values (1, 'b', 2, 1)",  # primary key
        f"insert into {t} values (2, 'a', 3, 1)",  # unique column
        f"insert into {t} values (3, 'c', 1, 1)",  # unique (n, m)
        f"insert into {t} values (4, 'd', 0, 1)",  # check
        f"update {t} set n = -1 where id = 1",
        f"create table {t}_k (a int, b text, primary key (a, b))",
        f"insert into {t}_k values (1, 'x'), (1, 'x')",  # two rows of one statement
    ]

    def answers(con: psycopg.Connection) -> list[tuple]:
        out: list[tuple] = []
        for block in (False, True):
            con.execute(f"drop table if exists {t}")
            con.execute(f"drop table if exists {t}_k")
            for sql in statements:
                if block:
                    con.execute("begin")
                try:
                    con.execute(sql)
                    out.append(("ok",))
                except psycopg.Error as e:
                    d = e.diag
                    # (a check's detail, PostgreSQL's failing row, DuckDB does not give: not compared)
                    detail = d.message_detail if e.sqlstate != "23514" else None
                    out.append((e.sqlstate, d.message_primary, detail, d.constraint_name, d.table_name,
                                d.schema_name))  # fmt: skip
                if block:
                    con.execute("rollback" if out[-1][0] != "ok" else "commit")
        con.execute(f"drop table if exists {t}")
        con.execute(f"drop table if exists {t}_k")
        return out

    with psycopg.connect(pg15.dsn(), autocommit=True) as theirs:
        assert answers(conn) == answers(theirs)


def test_mod_is_named_mod(conn) -> None:
    cur = conn.execute("select mod(7, 3), 7 % 3, mod(-7, 3) as m")
    assert [d.name for d in cur.description] == ["mod", "?column?", "m"]
    assert cur.fetchone() == (1, 1, -1)


_EXTRACTS = (
    "select extract(second from ts), extract(milliseconds from ts), extract(microseconds from ts),"
    " extract(epoch from ts), extract(epoch from tz), extract(year from d), extract(dow from d),"
    " extract(epoch from i), extract(second from i), extract(second from t), extract(epoch from t),"
    " date_part('second', ts), date_part('epoch', ts), date_part('year', d), extract(epoch from ts) / 60"
    " from (values (timestamp '2024-01-01 10:20:30.25', timestamptz '2024-01-01 00:00:01.5+00',"
    " date '2024-03-05', interval '1 day 1.5 seconds', time '10:00:01.5')) v(ts, tz, d, i, t)"
)


def test_extract_is_numeric_and_date_part_float8_with_the_fraction(conn, pg15) -> None:  # noqa: F811
    with pg15.connect(autocommit=True) as pg:
        want = pg.execute(_EXTRACTS)
        want_types = [d.type_code for d in want.description]
        want_rows = want.fetchall()
    assert want_types == [1700] * 11 + [701] * 3 + [1700]
    for binary in (False, True):
        cur = conn.execute(_EXTRACTS, binary=binary)
        assert [d.type_code for d in cur.description] == want_types
        assert [d.name for d in cur.description] == [d.name for d in want.description]
        assert cur.fetchall() == want_rows
    # the text PostgreSQL sends (DuckDB's extract(second) would be a whole 30)
    cur = conn.execute("select extract(second from timestamp '2024-01-01 10:20:30.25')")
    assert cur.pgresult.get_value(0, 0) == b"30.250000"


def test_round_of_a_float_is_half_to_even_as_postgresql(conn, pg15) -> None:  # noqa: F811
    sql = (
        "select round(2.5::float8), round(-2.5::float8), round(0.5::float8), round(2.5::real), round(2.5::numeric),"
        " round(-2.5), round(5), round(x), round(x::numeric, 1) from (values (3.5::float8)) t(x)"
    )
    with pg15.connect(autocommit=True) as pg:
        want = pg.execute(sql)
        want_types, want_rows = [d.type_code for d in want.description], want.fetchall()
    cur = conn.execute(sql)
    assert [d.type_code for d in cur.description] == want_types
    assert cur.fetchall() == want_rows == [(2.0, -2.0, 0.0, 2.0, 3, -3, 5.0, 4.0, 3.5)]


def test_integer_valued_functions_are_int4_as_postgresql(conn, pg15, table_name) -> None:  # noqa: F811
    """length(), char_length(), bit_length(), strpos(), position(), json_array_length(),
    grouping(), ntile(), date - date, and gcd()/lcm() of int2/int4 are PostgreSQL's integer (OID
    23), named after the function; DuckDB's BIGINT was sent as int8 (json_array_length's UBIGINT
    as numeric). gcd() of int8 stays bigint."""
    setup = [
        f"create table {table_name} (id int, s text, v varchar(10), d date)",
        f"insert into {table_name} values (1, 'héllo', 'ab', date '2024-03-01'), (2, null, '', date '2024-01-01')",
    ]
    sql = (
        f"select id, length(s), char_length(v), character_length(s), bit_length(s), strpos(s, 'l'),"
        f" position('l' in s), json_array_length('[1, [2], 3]'), d - date '2024-01-01', length(s) - 1,"
        f" length(s) * 2 from {table_name} order by id"
    )
    grouped = (
        f"select grouping(id), count(*), gcd(max(id), 4), lcm(min(id)::int2, 6), gcd(9::int8, 6)"
        f" from {table_name} group by rollup (id) order by 1, 3"
    )
    windowed = f"select id, ntile(2) over (order by id), ntile(3) over (order by id) + 1 from {table_name} order by id"
    with pg15.connect(autocommit=True) as pg:
        pg.execute(setup[0].replace("create table", "create temp table"))
        pg.execute(setup[1])
        answers = []
        for q in (sql, grouped, windowed):
            cur = pg.execute(q)
            answers.append(([(d.name, d.type_code) for d in cur.description], cur.fetchall()))
    for q in setup:
        conn.execute(q)
    try:
        for q, (described, rows) in zip((sql, grouped, windowed), answers, strict=True):
            cur = conn.execute(q)
            assert [(d.name, d.type_code) for d in cur.description] == described
            assert cur.fetchall() == rows
        assert [t for _, t in answers[0][0][1:9]] == [23] * 8
        # the values are never cut: a length past int4 would be an error (DuckDB's checked cast)
        prepared = conn.execute(f"select length(s) from {table_name} where id = %s", [1], prepare=True)
        assert prepared.fetchall() == [(5,)] and prepared.description[0].type_code == 23
    finally:
        conn.execute(f"drop table {table_name}")  # (the shared PDB's table count is others' to read)
