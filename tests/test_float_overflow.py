"""Float overflow and underflow are PostgreSQL's 22003, never a quiet Infinity or 0 (issue 12):
with parameters (psycopg binds a float as float8 on the server), in window sums, and in chains of
+ and - longer than pgcompat.result_types' passes; and real with an integer or a numeric computes
in float8, as PostgreSQL does. Each statement runs on DuckCDB and on
PostgreSQL 15 beside it, both through psycopg; the answers (rows and types, or SQLSTATE and
message) must be the same."""

from __future__ import annotations

import pytest

from tests.beside_pg import answer, both_with
from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)

_TABLE = "create table fo (a float8, b float8, c float8, d float8, e float8, r real, i int, n numeric)"
_ROWS = "insert into fo values (1e308, 1e308, 0, 0, 1, 3e38, 7, 1.5)"

# (statement, parameters): the parameters as psycopg binds them (a float is float8, an int int2,
# int4 or int8 by its size, a str untyped)
_STATEMENTS: list[tuple[str, list[object] | None]] = [
    # parameters
    ("select 1e308 / %s", [1e-10]),
    ("select 1e308::float8 / %s", [1e-10]),
    ("select %s + %s", [1e308, 1e308]),
    ("select %s - %s", [-1e308, 1e308]),
    ("select %s * %s", [1e200, 1e200]),
    ("select %s * %s", [1e-300, 1e-300]),  # underflow
    ("select (%s * 2) + 1e308", [1e308]),
    ("select %s * 2 * 2 * 2", [1e308]),  # chains longer than two levels holding a parameter
    ("select 2 * %s * 2 * 2", [1e308]),
    ("select %s + 1e308 + 1e308 + 1", [1e308]),
    ("select %s - 1e308 - 1e308 - 1", [-1e308]),
    ("select (%s + %s) * 2 * 2", [1e308, 1e308]),
    ("select %s::float8 * 1e308", [10]),
    ("select 2 * %s::float8 + 1", [1e308]),
    ("select cast(%s as float8) + 1e308::float8", [1e308]),
    ("select a + %s + b from fo", [1.0]),
    ("select %s + %s, %s * 2, %s + 1, 3 - %s, %s / 2, %s * 1.5", [1.5, 2.5, 1.5, 2, 3, 5, 3]),
    ("select %s + %s", [1, 2]),
    ("select %s / %s", [1e-300, 1e300]),  # underflow
    ("select %s / %s, %s / %s", [7, 2, 7.0, 2]),
    ("select %s + %s * %s", [1e308, 1e200, 1e200]),
    ("select f / %s from (values (1e308::float8)) v(f)", [1e-10]),
    ("select %s / f from (values (1e-10::float8)) v(f)", [1e308]),
    ("select n / %s, %s / n from fo", ["3", "3"]),  # untyped beside a numeric: exact numerics
    ("select %s + %s", ["1", "2"]),  # untyped: "operator is not unique: unknown + unknown"
    ("select %s * 2", ["1.5"]),  # untyped beside an int4 literal: 22P02
    # real with an integer or a numeric is float8 (PostgreSQL's float48 operators), real with real real
    ("select r * 10, r + 1, r / 3, 1.5 - r, r * n, i / r from fo", None),
    ("select r * r from fo", None),
    ("select r / 1e-10::real from fo", None),
    ("select r + %s, r * %s from fo", [1, 2.5]),
    # window sums
    ("select sum(x) over (order by x) from (values (1e308::float8), (1e308)) v(x)", None),
    ("select sum(x) over () from (values (1e308::float8), (1e308)) v(x)", None),
    ("select sum(x) over (partition by x > 0) from (values (1e308::float8), (1e308), (-1)) v(x)", None),
    ("select sum(x) over (rows current row) from (values (1e308::float8), (1e308)) v(x)", None),
    ("select sum(x) over (order by x) from (values (1.5::float8), (2), ('Infinity')) v(x)", None),
    ("select sum(x) filter (where x > 0) over () from (values (1e308::float8), (1e308)) v(x)", None),
    ("select sum(x::float8) filter (where x > 0) over () from (values (1, 1), (2, 2)) v(x, y)", None),
    ("select sum(sum(x)) over () from (values (1, 1), (2, 2)) v(x, y) group by y", None),
    ("select sum(i) over (), sum(n) over () from fo", None),
    ("select sum(x) over w from (values (1e308::float8), (1e308)) v(x) window w as (order by x)", None),
    ("select avg(x) over w = 1.5, sum(x) over w from (values (1), (2)) v(x) window w as ()", None),
    ("select sum(r + r) over () from fo", None),
    # chains of + and -
    ("select a + b + c + d from fo", None),
    ("select a + b + c + d + e from fo", None),
    ("select c + d + e + c + d + e + a + b from fo", None),
    ("select c - d - e - c - d - e - a - b from fo", None),
    ("select (c + d + e + c + d + e + a + b) * 2 from fo", None),
    ("select c + d + e + c + d + e + a - b, i + i + i + i + i + i, n + n + n + n + n from fo", None),
    ("select 'Infinity'::float8 + c + d + e + a + b from fo", None),  # an infinite operand first: no error
    ("select c + d + e + a + b + 'Infinity'::float8 from fo", None),  # (a + b overflowed before it)
    ("select c + d + e + a + b - 'Infinity'::float8 from fo", None),
    ("select ('NaN'::float8 + c + d + e + a + b) = 'NaN'::float8 from fo", None),
    ("select c + d + e + a - 'Infinity'::float8 + b from fo", None),
    ("select c + d + e + c + d + e + e + %s from fo", [1.5]),
    ("select e + e + e + e + e + e + e + e + e + e + e + e + e + e + e + e + e + e + e + e from fo", None),
    ("select date '2020-01-01' - date '2019-01-01' + 1 + 1 + 1 + 1 + 1", None),
    ("select 1 from fo where c + d + e + c + c + c + c + a + a < 1", None),
    ("select 1e-300::float8 * 1e-300", None),
    # avg, stddev and variance of floats: float8_accum's overflow (of the sum, and of the sum of
    # squared deviations: avg(1e300, -1e300) too)
    ("select avg(x) from (values (1e308::float8), (1e308)) v(x)", None),
    ("select avg(x) from (values (1e300::float8), (-1e300)) v(x)", None),
    ("select var_pop(x) from (values (1e300::float8), (-1e300)) v(x)", None),
    ("select stddev(x) from (values (1e300::float8), (-1e300)) v(x)", None),
    ("select variance(x) filter (where x <> 0) from (values (1e300::float8), (-1e300)) v(x)", None),
    ("select avg(distinct x) from (values (1e308::float8), (1.5e308), (1e308)) v(x)", None),
    ("select avg(x), stddev_pop(x) = 'NaN'::float8 from (values ('Infinity'::float8), (1e308)) v(x)", None),
    ("select avg(x), stddev_pop(x) from (values (1e200::float8), (1e200)) v(x)", None),
    # ... inside a window too (float8_accum's check, row by row of the frame)
    ("select avg(x) over () from (values (1e308::float8), (1e308)) v(x)", None),
    ("select avg(x) over (order by x) from (values (1e300::float8), (-1e300)) v(x)", None),
    ("select stddev(x) over () from (values (1e300::float8), (-1e300)) v(x)", None),
    ("select variance(x) over (order by x) from (values (1e300::float8), (-1e300)) v(x)", None),
    (
        "select var_pop(x) over w, avg(x) over w from (values (1e300::float8), (-1e300)) v(x) window w as ()",
        None,
    ),
    ("select stddev(x) filter (where x <> 0) over () from (values (1e300::float8), (-1e300)) v(x)", None),
    ("select avg(a) over (partition by i) from fo", None),
    (
        "select avg(x) over (order by x), stddev(x) over (order by x) from (values (1.5::float8), (2), (4)) v(x)",
        None,
    ),
    (
        "select avg(x) over (), stddev_samp(x) over () = 'NaN'::float8 from (values (1.5::float8), ('Infinity')) v(x)",
        None,
    ),
    ("select avg(x) over () from (values (interval '1 day'), (interval '2 hours')) v(x)", None),
    # a sum of reals past real's range: float4pl's overflow
    ("select sum(r) from (values (3e38::real), (3e38::real)) v(r)", None),
    ("select sum(r) filter (where r > 0) from (values (3e38::real), (3e38::real)) v(r)", None),
    ("select sum(r) over () from (values (3e38::real), (3e38::real)) v(r)", None),
    ("select sum(distinct r) from (values (3e38::real), (2e38::real)) v(r)", None),
    ("select sum(r) = 4 from (values (1.5::real), (2.5::real)) v(r)", None),
    # power's underflow (dpow), not of numerics
    ("select 10::float8 ^ -400", None),
    ("select power(10, -400), 1", None),
    ("select (-10)::float8 ^ -401", None),
    ("select 10::float8 ^ -310, 2::float8 ^ -1074, 0::float8 ^ 2, 0.5::float8 ^ 'Infinity'::float8", None),
    ("select 10.0 ^ -400::float8", None),
    ("select power(e, -400) from fo", None),
    # chains of * (and a / after them)
    ("select a * e * e * e * e * e * 10 from fo", None),
    ("select e * e * e * e * e * a * 10 from fo", None),
    ("select e * e * e * e * e * a * 10 * 0 from fo", None),  # overflowed before the 0
    ("select 0 * e * e * e * e * a * 10 from fo", None),
    ("select e * e * e * e * 1e-300 * 1e-300 from fo", None),  # underflow
    ("select e * e * e * e * e * 'Infinity'::float8 * 1e-300 from fo", None),
    ("select e * 2 * 3 * 4 * 5 * 6 * 7 / 8, i * i * i * i * i / 7, n * 2 * 3 * n / 7 from fo", None),
    ("select e * 2 * 3 * 4 * 5 * 6 * a / 1e-10 from fo", None),
    ("select a / 1e-10 * e * e * e * e from fo", None),
]


@pytest.fixture(scope="module")
def both(server, pdb, pg15):  # noqa: F811
    with both_with(server, pdb, pg15, ("fo",), [_TABLE, _ROWS]) as pair:
        yield pair


@pytest.mark.parametrize(("sql", "params"), _STATEMENTS)
def test_float_overflow_as_postgresql(both, sql: str, params: list[object] | None) -> None:
    ours, theirs = both
    want = answer(theirs, sql, params)
    for prepare in (False, True):
        assert answer(ours, sql, params, prepare) == want, (sql, prepare)


def test_postgresql_answers_as_expected(both) -> None:
    """The statements above test what they mean to: PostgreSQL's 22003 where a float overflows."""
    _, theirs = both
    errors = {sql for sql, params in _STATEMENTS if answer(theirs, sql, params)[0] == "error"}
    assert "select 1e308 / %s" in errors
    assert "select a + b + c + d + e from fo" in errors
    assert "select sum(x) over (order by x) from (values (1e308::float8), (1e308)) v(x)" in errors
    assert answer(theirs, "select %s * %s", [1e-300, 1e-300], False) == (
        "error",
        "22003",
        "value out of range: underflow",
    )
