"""PostgreSQL's result types and values of aggregates and numeric division, on DuckDB.

PostgreSQL's `sum(int2|int4)` is bigint, `avg` of integers and numerics a
numeric, and numeric division exact to a scale of at least 16 significant digits
(select_div_scale in numeric.c). DuckDB answers HUGEINT, DOUBLE and a float quotient. The
rewrite (pgcompat.result_types) calls the TEMP macros defined here instead of sum/avg/`/`; DuckDB's
binder picks the overload by the argument's type, so columns, literals, casts and expressions are
typed by DuckDB itself, and the overloads cost nothing at execution.

The exact quotient is a Python function of the database (registered once when it opens),
computed with integers and returned as DECIMAL(38,20), which results send as PostgreSQL's bare
numeric (pgwire.types.is_bare_numeric). A quotient that needs more than 20 decimals or 18 digits
before the point is refused with 22003, never rounded.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import duckdb
from duckdb.sqltypes import VARCHAR, DuckDBPyType

from pgwire.types import (
    NOT_ROUNDED,
    QUOTIENT_PRECISION,
    QUOTIENT_SCALE,
    QUOTIENT_TYPE,
    UNCONSTRAINED_NUMERIC_SCALE,
)

# PostgreSQL's numeric.c: NUMERIC_MIN_SIG_DIGITS, DEC_DIGITS, NUMERIC_MAX_DISPLAY_SCALE.
_MIN_SIG_DIGITS = 16
_DEC_DIGITS = 4
_MAX_DISPLAY_SCALE = 1000

PREFIX = "__pg_"  # every name here: a statement that holds it needs the macros
EXACT_DIV = "__pg_exact_div"  # the Python function: (VARCHAR, VARCHAR) -> DECIMAL(38,20)
SUM, SUM_DISTINCT, AVG, AVG_DISTINCT = "__pg_sum", "__pg_sum_distinct", "__pg_avg", "__pg_avg_distinct"
DIV = "__pg_div"  # a / b (pgcompat.result_types)
ROUND = "__pg_round"  # round(x)
# what the UDF's errors start with: engine.errors maps them to PostgreSQL's SQLSTATEs
DIVISION_BY_ZERO = "division by zero"
QUOTIENT_OVERFLOW = "numeric quotient out of range"


def _weight_first(v: Decimal) -> tuple[int, int]:
    """PostgreSQL's NBASE-10000 weight and first digit of v (0, 0 for zero)."""
    if not v:
        return 0, 0
    weight = v.adjusted() // _DEC_DIGITS
    first = int(abs(v).scaleb(-_DEC_DIGITS * weight))
    return weight, first


def _dscale(v: Decimal) -> int:
    """The display scale: digits after the point, trailing zeros not counted (DuckCDB keeps no
    per-value display scale: an unconstrained numeric is sent without them)."""
    _, digits, exp = v.as_tuple()
    assert isinstance(exp, int)
    end = len(digits)
    while exp < 0 and end > 1 and digits[end - 1] == 0:
        end -= 1
        exp += 1
    return max(0, -exp)


def div_scale(a: Decimal, b: Decimal, dscale_a: int | None = None, dscale_b: int | None = None) -> int:
    """select_div_scale: at least 16 significant digits, no less than either input's display
    scale (by default the value's own digits)."""
    w1, f1 = _weight_first(a)
    w2, f2 = _weight_first(b)
    qweight = w1 - w2 - (1 if f1 <= f2 else 0)
    rscale = _MIN_SIG_DIGITS - qweight * _DEC_DIGITS
    da = _dscale(a) if dscale_a is None else dscale_a
    db = _dscale(b) if dscale_b is None else dscale_b
    rscale = max(rscale, da, db, 0)
    return min(rscale, _MAX_DISPLAY_SCALE)


def numeric_div(a: Decimal, b: Decimal, dscale_a: int | None = None, dscale_b: int | None = None) -> Decimal:
    """a / b as PostgreSQL's numeric division: rounded half away from zero at div_scale."""
    if not b:
        raise ZeroDivisionError(DIVISION_BY_ZERO)
    rscale = div_scale(a, b, dscale_a, dscale_b)
    sa, da, ea = a.as_tuple()
    sb, db, eb = b.as_tuple()
    assert isinstance(ea, int) and isinstance(eb, int)
    ma = int("".join(map(str, da)))
    mb = int("".join(map(str, db)))
    k = ea - eb + rscale  # a / b * 10^rscale = ma / mb * 10^k
    num, den = (ma * 10**k, mb) if k >= 0 else (ma, mb * 10**-k)
    q = (2 * num + den) // (2 * den)  # half away from zero (signs apart)
    return Decimal((sa ^ sb, tuple(int(d) for d in str(q)), -rscale))


_LIMIT = Decimal(10) ** (QUOTIENT_PRECISION - QUOTIENT_SCALE)


def _text_dscale(text: str) -> int | None:
    """The display scale of a number as DuckDB writes a decimal: its scale, as PostgreSQL's
    numeric(p,s) values and literals have it; None (each value's own digits) for DuckCDB's bare
    numeric and quotients, whose fixed scales are not a display scale."""
    _, dot, frac = text.partition(".")
    n = len(frac) if dot else 0
    return None if n in (UNCONSTRAINED_NUMERIC_SCALE, QUOTIENT_SCALE) else n


def quotient(a: str, b: str) -> Decimal:
    """The exact quotient of two numbers written as text, as the result type holds it."""
    try:
        q = numeric_div(Decimal(a), Decimal(b), _text_dscale(a), _text_dscale(b))
    except InvalidOperation as e:
        raise ValueError(f"invalid input syntax for type numeric: {a!r} / {b!r}") from e
    if abs(q) >= _LIMIT or _dscale(q) > QUOTIENT_SCALE:
        raise ValueError(
            f"{QUOTIENT_OVERFLOW}: {a} / {b} is {q}, which DuckCDB's numeric results ({QUOTIENT_TYPE}) "
            f"cannot hold exactly; {NOT_ROUNDED} (cast an operand to float8, or round it)"
        )
    return q


def register(con: duckdb.DuckDBPyConnection) -> None:
    """The exact quotient, for every connection of the database (before its configuration locks).
    Called row by row ("native"): an avg calls it once per group, where an Arrow batch's set-up
    costs more than the division (bench: ~0.1 ms less per aggregate query, ~15% more per row of
    a long division)."""
    con.create_function(EXACT_DIV, quotient, [VARCHAR, VARCHAR], DuckDBPyType(QUOTIENT_TYPE), type="native")


def _div(n: str, d: str) -> str:
    return f"{EXACT_DIV}(CAST({n} AS VARCHAR), CAST({d} AS VARCHAR))"


def _macros() -> str:
    """The TEMP macros (per session: DuckDB keeps macros per connection in `temp`). Every
    numeric type has its own overload: DuckDB binds an argument to the cheapest implicit cast,
    and a decimal would take a FLOAT or DOUBLE overload before an untyped one."""
    ints = ("SMALLINT", "INTEGER")  # (TINYINT binds to SMALLINT's)
    out = []
    for name, distinct in ((SUM, ""), (SUM_DISTINCT, "DISTINCT ")):
        # no FLOAT overload: decimals would bind to it (sum(real) stays DuckDB's double)
        over = [f"(a {t}) AS CAST(sum({distinct}a) AS BIGINT)" for t in ints]
        # sum(int8) is a numeric: a decimal, so that a division of it is never an integer one
        # (DuckDB's HUGEINT would divide as an integer where the division is left to it)
        over += [f"(a BIGINT) AS CAST(sum({distinct}a) AS DECIMAL(38,0))", f"(a) AS sum({distinct}a)"]
        out.append(f"CREATE OR REPLACE TEMP MACRO {name}" + ", ".join(over) + ";")
    # avg(x) is __pg_avg(x, x) and a / b is __pg_div(a, b, a, b) (pgcompat.result_types): DuckDB
    # picks the overload by the first argument(s), cast to its types; the body computes with the
    # others, uncast, so that a decimal keeps every digit it has (a DECIMAL(38,30) is not rounded
    # to the overload's 20 decimals, a value past its 18 whole digits still divides).
    for name, distinct in ((AVG, ""), (AVG_DISTINCT, "DISTINCT ")):
        exact = (
            f"CASE WHEN count({distinct}v) > 0 THEN {_div(f'sum({distinct}v)', f'count({distinct}v)')} END"
        )
        over = [f"(a {t}, v) AS {exact}" for t in (*ints, "BIGINT", "HUGEINT", QUOTIENT_TYPE)]
        over += [f"(a {t}, v) AS avg({distinct}v)" for t in ("FLOAT", "DOUBLE", "INTERVAL")]
        over += [f"(a, v) AS avg({distinct}v)"]
        out.append(f"CREATE OR REPLACE TEMP MACRO {name}" + ", ".join(over) + ";")
    # Integer division stays integer (the database's integer_division), float division float;
    # a numeric operand (a decimal, or a HUGEINT) makes it exact. Anything else (interval / 2)
    # is DuckDB's own.
    over = [f"(a {t}, b {t}, x, y) AS x / y" for t in (*ints, "BIGINT", "DOUBLE", "FLOAT")]
    over += [f"(a {t}, b {t}, x, y) AS {_div('x', 'y')}" for t in ("HUGEINT", QUOTIENT_TYPE)]
    over += ["(a, b, x, y) AS x / y"]
    out.append(f"CREATE OR REPLACE TEMP MACRO {DIV}" + ", ".join(over) + ";")
    # round(x): PostgreSQL's round(float8) rounds half to even (rint) and takes integers as
    # float8; round(numeric) rounds half away from zero, as DuckDB's round does.
    over = [f"(a {t}, v) AS round_even(CAST(v AS DOUBLE), 0)" for t in ("DOUBLE", "FLOAT", *ints, "BIGINT")]
    over += [f"(a {QUOTIENT_TYPE}, v) AS round(v)", "(a, v) AS round(v)"]
    out.append(f"CREATE OR REPLACE TEMP MACRO {ROUND}" + ", ".join(over) + ";")
    return "\n".join(out)


MACROS = _macros()


def install(con: duckdb.DuckDBPyConnection) -> None:
    """The macros on one session's connection, in a transaction of their own (engine.session
    makes them before the first statement that calls them)."""
    con.execute(f"BEGIN;\n{MACROS}\nCOMMIT;")
