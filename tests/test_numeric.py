"""Unconstrained numeric (issue 12): exact within DuckDB's widest decimal (DECIMAL(38,10): 28 digits
before the point, 10 after), 22003 beyond it, never rounded; shown as PostgreSQL shows bare numeric."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)


def test_bare_numeric_column_keeps_every_digit(conn, table_name) -> None:
    conn.execute(f"create table {table_name}(id int, v numeric, w decimal not null default 0)")
    conn.execute(
        f"insert into {table_name}(id, v) values (1, 1.23456), (2, 0.1), (3, 12345678901234567890.5)"
    )
    rows = conn.execute(f"select v from {table_name} order by id").fetchall()
    assert rows == [(Decimal("1.23456"),), (Decimal("0.1"),), (Decimal("12345678901234567890.5"),)]
    # sent as PostgreSQL sends bare numeric: no fixed scale's trailing zeros (a cast to text in
    # SQL is DuckDB's and keeps them: a known difference, tests/differential/known_differences.toml)
    assert [str(r[0]) for r in rows] == ["1.23456", "0.1", "12345678901234567890.5"]
    cur = conn.execute(f"select v from {table_name} where id = 1")
    assert cur.description[0].type_code == 1700
    # the column is described as unconstrained numeric (typmod -1), as in PostgreSQL
    assert conn.execute(
        f"select format_type(atttypid, atttypmod) from pg_attribute where attrelid = '{table_name}'::regclass and attname = 'v'"
    ).fetchone() == ("numeric",)


def test_arithmetic_is_exact(conn) -> None:
    assert conn.execute("select 0.1::numeric + 0.2::numeric").fetchone() == (Decimal("0.3"),)
    assert str(conn.execute("select 0.1::numeric + 0.2::numeric").fetchone()[0]) == "0.3"
    assert conn.execute("select 5::numeric, cast(2.5 as numeric) * 4").fetchone() == (Decimal(5), Decimal(10))
    assert conn.execute("select numeric '1.125'").fetchone() == (Decimal("1.125"),)
    assert conn.execute("select sum(x) from (values (0.1::numeric), (0.2::numeric)) t(x)").fetchone() == (
        Decimal("0.3"),
    )


def test_floats_become_their_own_digits(conn, table_name) -> None:
    # DuckDB's DOUBLE -> DECIMAL(38,10) invents digits (123456789.1229999872); PostgreSQL gives
    # the float's decimal digits.
    row = conn.execute(
        "select 123456789.123::float8::numeric, (2::float8 / 3)::numeric, 1e20::numeric"
    ).fetchone()
    assert [str(v) for v in row] == ["123456789.123", "0.666666666666667", "100000000000000000000"]
    # a float's 15 digits are kept in DECIMAL(38,20): 18 whole digits at most, never rounded
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):
        conn.execute("select 1e20::float8::numeric")
    conn.execute(f"create table {table_name}(v numeric)")
    conn.execute(f"insert into {table_name} values (%s)", (123456789.123,))
    assert str(conn.execute(f"select v from {table_name}").fetchone()[0]) == "123456789.123"


def test_numeric_with_a_typmod_still_rounds_as_postgresql(conn) -> None:
    assert conn.execute("select 1.23456::numeric(10,2)").fetchone() == (Decimal("1.23"),)
    assert conn.execute("select 1.5::numeric(10,2)::text").fetchone() == ("1.50",)


@pytest.mark.parametrize(
    "sql",
    [
        "select 1.12345678901::numeric",
        "select '0.000000000001'::numeric",
        "select cast('123456789012345678901234567890' as numeric)",
        "select numeric '3.14159265358979'",
    ],
)
def test_values_beyond_the_limit_are_22003_not_rounded(conn, sql) -> None:
    with pytest.raises(psycopg.errors.NumericValueOutOfRange) as e:
        conn.execute(sql)
    assert e.value.sqlstate == "22003"
    assert "refused, not rounded" in str(e.value)
    assert conn.execute("select 1").fetchone() == (1,)  # the session goes on


def test_parameters_are_checked(conn, table_name) -> None:
    conn.execute(f"create table {table_name}(v numeric)")
    conn.execute(f"insert into {table_name} values (%s)", (Decimal("1.0123456789"),))
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):
        conn.execute(f"insert into {table_name} values (%s)", (Decimal("1.01234567891"),))
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):
        conn.execute(f"insert into {table_name} values (%s)", (Decimal("1" + "0" * 30),))
    assert conn.execute(f"select v from {table_name}").fetchall() == [(Decimal("1.0123456789"),)]


def test_copy_is_checked(conn, table_name) -> None:
    conn.execute(f"create table {table_name}(id int, v numeric)")
    with conn.cursor().copy(f"copy {table_name} from stdin") as cp:
        cp.write("1\t2.5\n2\t0.0000000001\n3\t1.50000000000000\n")
    got = conn.execute(f"select v from {table_name} order by id").fetchall()
    assert [str(r[0]) for r in got] == ["2.5", "1E-10", "1.5"]
    cur = conn.cursor()
    with (
        pytest.raises(psycopg.errors.NumericValueOutOfRange),
        cur.copy(f"copy {table_name} from stdin") as cp,
    ):
        cp.write("4\t3.14159265358979\n")
    csv = f"copy {table_name} (id, v) from stdin with (format csv)"
    with pytest.raises(psycopg.errors.NumericValueOutOfRange), cur.copy(csv) as cp:
        cp.write("5,1.5e-12\n")
    assert conn.execute(f"select count(*) from {table_name}").fetchone() == (3,)


def test_binary_results_carry_each_values_scale(server, pdb, table_name) -> None:
    async def run() -> list:
        c = await asyncpg.connect(
            host="127.0.0.1", port=server.port, user=PDB_ADMIN, password=PDB_PASSWORD, database=pdb, ssl=False
        )
        try:
            await c.execute(f"create table {table_name}(v numeric)")
            await c.execute(
                f"insert into {table_name} values ($1), ($2)", Decimal("1.5"), Decimal("-0.0000000001")
            )
            return [r[0] for r in await c.fetch(f"select v from {table_name} order by v")]
        finally:
            await c.close()

    import asyncio

    assert asyncio.run(run()) == [Decimal("-0.0000000001"), Decimal("1.5")]
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD) as c:
        got = c.execute(f"select v from {table_name} order by v", binary=True).fetchall()
        assert [str(r[0]) for r in got] == ["-1E-10", "1.5"]


def test_similar_to_as_postgresql(conn) -> None:
    # issue 12: DuckDB's SIMILAR TO takes a regular expression; PostgreSQL's takes % and _
    row = conn.execute(
        "select 'ABC' similar to 'A%', 'abc' not similar to '_b_', 'abc' similar to 'a.c'"
    ).fetchone()
    assert row == (True, False, False)
    assert conn.execute("select %s similar to 'a#%%c' escape '#'", ("a%c",)).fetchone() == (True,)
    with pytest.raises(psycopg.errors.FeatureNotSupported):
        conn.execute("select 'abc' similar to %s", ("a%",))
    assert conn.execute("select 1").fetchone() == (1,)


# --- result types of aggregates and the exact quotient (engine.pgmath, pgcompat.result_types)
_AGGREGATES = (
    "select sum(i), sum(s), sum(b), sum(n), sum(d), avg(i), avg(s), avg(b), avg(n), avg(d), avg(r),"
    " count(*), sum(distinct i), avg(distinct i), round(avg(i), 2), avg(i) * 3"
    " from (values (1, 1::smallint, 10::bigint, 1.5::numeric, 1.5::float8, 1::real), (2, 2::smallint, 20::bigint,"
    " 2.25::numeric, 2::float8, 2::real), (2, 2::smallint, 30::bigint, 0.125::numeric, 3::float8, 4::real))"
    " t(i, s, b, n, d, r)"
)


def test_sum_and_avg_answer_postgresql_types_and_values(conn, pg15) -> None:  # noqa: F811
    with pg15.connect(autocommit=True) as pg:
        want = pg.execute(_AGGREGATES)
        want_types = [d.type_code for d in want.description]
        want_rows = want.fetchall()
    assert want_types == [20, 20, 1700, 1700, 701, 1700, 1700, 1700, 1700, 701, 701, 20, 20, 1700, 1700, 1700]
    for binary in (False, True):
        cur = conn.execute(_AGGREGATES, binary=binary)
        assert [d.type_code for d in cur.description] == want_types
        assert [d.name for d in cur.description] == [d.name for d in want.description]
        assert cur.fetchall() == want_rows  # Decimal("1.6666666666666667"), 5, ... equal values
    # the digits PostgreSQL gives (the display scale's trailing zeros apart: a known difference)
    assert (
        str(conn.execute("select avg(x) from (values (1), (2), (2)) t(x)").fetchone()[0])
        == "1.6666666666666667"
    )
    assert (
        str(conn.execute("select avg(x) from (values (1), (0), (0)) t(x)").fetchone()[0])
        == "0.33333333333333333333"
    )
    assert conn.execute("select avg(x) from (values (1)) t(x) where false").fetchone() == (None,)


def test_sum_of_integers_is_bigint_and_overflows_as_postgresql(conn, table_name) -> None:
    conn.execute(f"create table {table_name}(v int, w bigint)")
    conn.execute(
        f"insert into {table_name} values (2147483647, 9223372036854775807), (2147483647, 9223372036854775807)"
    )
    cur = conn.execute(f"select sum(v), sum(w) from {table_name}")
    assert cur.fetchone() == (4294967294, Decimal("18446744073709551614"))
    assert [d.type_code for d in cur.description] == [20, 1700]
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):
        conn.execute("select sum(x::int) from range(3000000000, 3000000003) t(x)")  # a bigint argument
    assert conn.execute("select 1").fetchone() == (1,)


def test_avg_that_cannot_be_exact_is_22003_not_rounded(conn) -> None:
    # PostgreSQL's scale for 0.0001 / 3 is 24 decimals; DuckCDB's quotients hold 20
    with pytest.raises(psycopg.errors.NumericValueOutOfRange) as e:
        conn.execute("select avg(x) from (values (0.0001::numeric), (0), (0)) t(x)")
    assert "refused, not rounded" in str(e.value)
    assert conn.execute("select avg(x) from (values (0.0001::numeric), (0)) t(x)").fetchone() == (
        Decimal("0.00005"),
    )


def test_aggregate_types_through_asyncpg(server, pdb) -> None:
    import asyncio

    async def run() -> tuple:
        c = await asyncpg.connect(
            host="127.0.0.1", port=server.port, user=PDB_ADMIN, password=PDB_PASSWORD, database=pdb, ssl=False
        )
        try:
            st = await c.prepare("select sum(x), avg(x), avg(x::float8) from (values (1), (2), (2)) t(x)")
            types = [a.type.name for a in st.get_attributes()]
            return types, tuple(await st.fetchrow())
        finally:
            await c.close()

    types, row = asyncio.run(run())
    assert types == ["int8", "numeric", "float8"]
    assert row == (5, Decimal("1.6666666666666667"), 5 / 3)


def test_numeric_division_matches_postgresql_digit_for_digit(pg15) -> None:  # noqa: F811
    from engine.pgmath import numeric_div

    values = [
        "1",
        "3",
        "7",
        "0.0001",
        "123456789.12",
        "10",
        "9999",
        "10000",
        "2.5",
        "-7.125",
        "1e20",
        "0.3",
        "100000000",
    ]
    pairs = [(a, b) for a in values for b in values]
    with pg15.connect(autocommit=True) as pg:
        for a, b in pairs:
            want = pg.execute(f"select ({a}::numeric / {b}::numeric)::text").fetchone()[0]
            assert format(numeric_div(Decimal(a), Decimal(b)), "f") == want, (a, b)


_DIVISIONS = (
    "select 1::numeric / 3, 10::numeric / 4, 7 / 2.0, 1.0 * 2 / 3, 7 / 2, 7::bigint / 2, 7.5::float8 / 2,"
    " x / 3, round(x / 3, 2), x / y, 1::numeric / 3 / 3, 123456789.12::numeric / 7, x::numeric(10,2) / 3"
    " from (values (1.5::numeric, 4), (100, 3), (-7, -8)) t(x, y)"
)


def test_numeric_division_is_postgresqls_exact_quotient(conn, pg15) -> None:  # noqa: F811
    with pg15.connect(autocommit=True) as pg:
        want = pg.execute(_DIVISIONS)
        want_types = [d.type_code for d in want.description]
        want_rows = want.fetchall()
    assert want_types == [1700, 1700, 1700, 1700, 23, 20, 701, 1700, 1700, 1700, 1700, 1700, 1700]
    for binary in (False, True):
        cur = conn.execute(_DIVISIONS, binary=binary)
        assert [d.type_code for d in cur.description] == want_types
        assert cur.fetchall() == want_rows
    row = conn.execute("select 1::numeric / 3, 2 / 3.0").fetchone()
    assert [str(v) for v in row] == ["0.33333333333333333333", "0.66666666666666666667"]
    # a numeric(p,s) operand keeps its scale as PostgreSQL's display scale; operands are never
    # cast to the quotient's type (this dividend has more whole digits than it holds)
    sqls = ["select 1000000000000.00::numeric(20,2) / 3", "select 12345678901234567890::numeric / 123456789"]
    with pg15.connect(autocommit=True) as pg:
        for sql in sqls:
            assert conn.execute(sql).fetchone() == pg.execute(sql).fetchone()
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):  # 25 decimals: refused, not rounded
        conn.execute("select 0.1234567890123456789012345::numeric(30,25) * 3 / 3")


def test_a_quotient_that_cannot_be_exact_is_22003(conn) -> None:
    for sql in ("select 0.0001::numeric / 3", "select 12345678901234567890::numeric / 3"):
        with pytest.raises(psycopg.errors.NumericValueOutOfRange) as e:
            conn.execute(sql)
        assert "refused, not rounded" in str(e.value)
    with pytest.raises(psycopg.errors.DivisionByZero):
        conn.execute("select 1.5::numeric / 0")
    assert conn.execute("select 1 / 2").fetchone() == (0,)  # integers divide as integers


def test_division_through_asyncpg(server, pdb) -> None:
    import asyncio

    async def run() -> tuple:
        c = await asyncpg.connect(
            host="127.0.0.1", port=server.port, user=PDB_ADMIN, password=PDB_PASSWORD, database=pdb, ssl=False
        )
        try:
            st = await c.prepare("select 1::numeric / 3, 7 / 2, 7.5::float8 / 2")
            return [a.type.name for a in st.get_attributes()], tuple(await st.fetchrow())
        finally:
            await c.close()

    types, row = asyncio.run(run())
    assert types == ["numeric", "int4", "float8"]
    assert row == (Decimal("0.33333333333333333333"), 3, 3.75)


def test_long_literals_written_into_numeric_columns_are_22003_not_rounded(conn, table_name) -> None:
    conn.execute(f"create table {table_name}(id int, v numeric, d float8, n2 numeric(10,2))")
    refused = [
        f"insert into {table_name} values (1, 1.12345678901, 0, 0)",
        f"insert into {table_name}(id, v) values (2, 1.5), (3, -2.12345678901)",
        f"insert into {table_name}(id, v) values (5, 123456789012345678901234567890)",
        f"insert into {table_name}(id, v) values (6, 1.5e-12)",
        f"insert into public.{table_name}(v, id) values (0.00000000001, 7)",
    ]
    for sql in refused:
        with pytest.raises(psycopg.errors.NumericValueOutOfRange) as e:
            conn.execute(sql)
        assert "refused, not rounded" in str(e.value)
    # the same numbers into a float column, and numeric(p,s) rounding as PostgreSQL's, are fine
    conn.execute(f"insert into {table_name}(id, d, n2) values (8, 1.12345678901, 1.125)")
    conn.execute(f"insert into {table_name}(id, v) values (9, 1.1234567891)")
    conn.execute(f"update {table_name} set d = 2.12345678901 where id = 8")
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):
        conn.execute(f"update {table_name} set v = 1.12345678901 where id = 9")
    rows = conn.execute(f"select id, v, d, n2 from {table_name} order by id").fetchall()
    assert rows == [(8, None, 2.12345678901, Decimal("1.13")), (9, Decimal("1.1234567891"), None, None)]


def test_aggregates_with_filter_and_over_divisions(conn, pg15) -> None:  # noqa: F811
    sql = (
        "select avg(x / 2.0), avg(x / 2), sum(x) filter (where x > 1), avg(x) filter (where x > 1),"
        " sum(x) filter (where x > 5) from (values (1), (2), (2)) t(x)"
    )
    with pg15.connect(autocommit=True) as pg:
        want = pg.execute(sql)
        want_types, want_rows = [d.type_code for d in want.description], want.fetchall()
    cur = conn.execute(sql)
    assert [d.type_code for d in cur.description] == want_types == [1700, 1700, 20, 1700, 20]
    assert cur.fetchall() == want_rows
    cur = conn.execute("select sum(x) over (order by x) from (values (1), (2), (2)) t(x)")
    assert cur.description[0].type_code == 20 and cur.fetchall() == [(1,), (5,), (5,)]


def test_the_macros_are_made_when_first_needed_and_survive_rollbacks(server, pdb) -> None:
    # engine.session makes engine.pgmath's macros before the first statement that calls them:
    # inside a transaction block that rolls back, they go with it and are made again.
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD) as c:  # not autocommit: a block
        assert c.execute("select avg(x) from (values (1), (2)) t(x)").fetchone() == (Decimal("1.5"),)
        c.rollback()
        assert c.execute("select sum(x), 7 / 2.0 from (values (1), (2)) t(x)").fetchone() == (
            3,
            Decimal("3.5"),
        )
        c.rollback()
        c.execute("begin")  # (a warning: psycopg's block is open)
        c.rollback()
        with c.cursor() as cur:
            cur.execute("select 1")
            c.commit()
            cur.execute("savepoint s")
            cur.execute("select avg(x) from (values (1), (2)) t(x)")
            cur.execute("rollback to savepoint s")
            assert cur.execute("select avg(x) from (values (2), (2)) t(x)").fetchone() == (Decimal("2"),)
        c.commit()
        c.autocommit = True
        for _ in range(2):
            assert c.execute("select avg(x) from (values (1), (4)) t(x)").fetchone() == (Decimal("2.5"),)
        with c.cursor() as cur, cur.copy("copy (select avg(x) from (values (1), (2)) t(x)) to stdout") as cp:
            assert [bytes(r) for r in cp] == [b"1.5\n"]
