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
from typing import Any

import duckdb
from duckdb import _seam
from duckdb.sqltypes import BIGINT, DOUBLE, INTEGER, VARCHAR, DuckDBPyType

from pgwire.errors import DbError
from pgwire.types import (
    NOT_ROUNDED,
    PARAM_PICK,
    PARAM_PICKED,
    QUOTIENT_PRECISION,
    QUOTIENT_SCALE,
    QUOTIENT_TYPE,
    UNCONSTRAINED_NUMERIC,
    UNCONSTRAINED_NUMERIC_PRECISION,
    UNCONSTRAINED_NUMERIC_SCALE,
    numeric_fits,
)

# PostgreSQL's numeric.c: NUMERIC_MIN_SIG_DIGITS, DEC_DIGITS, NUMERIC_MAX_DISPLAY_SCALE.
_MIN_SIG_DIGITS = 16
_DEC_DIGITS = 4
_MAX_DISPLAY_SCALE = 1000

PREFIX = "__pg_"  # every name here: a statement that holds it needs the macros
EXACT_DIV = "__pg_exact_div"  # the Python function: (VARCHAR, VARCHAR) -> DECIMAL(38,20)
SUM, SUM_DISTINCT, AVG, AVG_DISTINCT = "__pg_sum", "__pg_sum_distinct", "__pg_avg", "__pg_avg_distinct"
WINDOW_SUM = "__pg_wsum"  # sum(x) OVER (...): a window macro's body holds one aggregate (no overflow check)
CHAIN = "__pg_chain"  # (r, l): a chain of + and - past pgcompat.result_types' passes, checked whole
PRODUCT_CHAIN = "__pg_mchain"  # (r, l): a chain of * past pgcompat.result_types' passes, checked whole
WINDOW_AVG = "__pg_wavg"  # (max, sum, count, avg) of one window: avg(x) OVER (...) of integers exact
WINDOW_CHECK = "__pg_wcheck"  # (sum, max, min) of one window: float8pl's overflow check of a window sum
WINDOW_ACCUM = "__pg_waccum"  # (x, r, sum, count, var_pop, max, min): a window variance's overflow check
DIV = "__pg_div"  # a / b (pgcompat.result_types)
ROUND = "__pg_round"  # round(x)
MUL = "__pg_mul"  # a * b (pgcompat.result_types)
ADD, SUB = "__pg_add", "__pg_sub"  # a + b, a - b (pgcompat.result_types.additions)
TO_NUMERIC = "__pg_to_numeric"  # a decimal's text -> DECIMAL(38,10), refused if it would round
FLOAT_NUMERIC = "__pg_float_numeric"  # a float -> DECIMAL(38,10) as PostgreSQL converts it
CAST_NUMERIC = "__pg_cast_numeric"  # (x, x): (expr)::numeric (pgcompat.result_types.numeric_casts)
FLOAT_CAST = "__pg_float_cast"  # a float -> DECIMAL(38,20) as PostgreSQL's float8_numeric
ANY_CAST = "__pg_cast_any"  # (text, typeof): (expr)::numeric where DuckDB cannot type a macro's argument
STORE = "__pg_numeric"  # (x, x): a computed value written into an unconstrained numeric column
NEGATE = "__pg_neg"  # -(x) as __pg_neg(x, x) (pgcompat.numeric.integer_negation)
TEXT = "__pg_text"  # x::text as PostgreSQL's output function writes x (pgcompat.text_casts)
CONCAT_OPERAND = "__pg_cat"  # (x, x): a column beside || as PostgreSQL's || reads it (pgcompat.text_casts)
ARRAY_TEXT = "__pg_array_text"  # a list's text as PostgreSQL's array_out writes it
COLUMN_TEXT = "__pg_column_text"  # (c, c): a column's ::text, an array column's as array_out
INTERVAL_TEXT = "__pg_interval_text"  # the Python function: (months, days, us) -> IntervalStyle postgres
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


_WHOLE = UNCONSTRAINED_NUMERIC_PRECISION - UNCONSTRAINED_NUMERIC_SCALE
_LIMITS = (
    f"DuckCDB's unconstrained numeric is {UNCONSTRAINED_NUMERIC} (at most {_WHOLE} digits before the "
    f"decimal point and {UNCONSTRAINED_NUMERIC_SCALE} after); {NOT_ROUNDED}"
)
_TOO_LONG = f"does not fit: {_LIMITS}".replace("'", "''")


def _not_stored(value: object, why: str) -> ValueError:
    return ValueError(f'numeric value "{value}" {why}: {_LIMITS}')


def _stored(value: Decimal, shown: object) -> Decimal:
    if not value.is_finite():
        raise _not_stored(shown, "is not a finite number")
    if not numeric_fits(value):
        raise _not_stored(shown, "does not fit")
    return value


def to_numeric(text: str) -> Decimal:
    """A number's text (a decimal with more than 10 decimals, as DuckDB writes it) as the
    unconstrained numeric holds it: every digit, or 22003."""
    try:
        value = Decimal(text)
    except InvalidOperation as e:
        raise ValueError(f'invalid input syntax for type numeric: "{text}"') from e
    return _stored(value, text)


def float_numeric(value: float, digits: int) -> Decimal:
    """float8_numeric / float4_numeric: the float's %.15g (%.6g for real) text as a numeric, as
    PostgreSQL converts a float written into a numeric column; 22003 where it does not fit."""
    return _stored(Decimal(format(value, f".{digits}g")), value)


_CAST_LIMITS = (
    f"DuckCDB's numeric results of a cast are {UNCONSTRAINED_NUMERIC} or {QUOTIENT_TYPE} (at most "
    f"{QUOTIENT_PRECISION - QUOTIENT_SCALE} digits before the point with {QUOTIENT_SCALE} after); {NOT_ROUNDED}"
)


def _cast_value(value: Decimal, shown: object) -> Decimal:
    """A cast's numeric as DECIMAL(38,20) holds it: every digit, or 22003 (never rounded)."""
    if value.is_infinite():
        raise ValueError(
            f'numeric value "{shown}" does not fit: DuckCDB\'s numeric has no Infinity; {NOT_ROUNDED}'
        )
    if value.is_nan():
        raise ValueError(
            f'numeric value "{shown}" does not fit: DuckCDB\'s numeric has no NaN; {NOT_ROUNDED}'
        )
    if abs(value) >= _LIMIT or _dscale(value) > QUOTIENT_SCALE:
        raise ValueError(f'numeric value "{shown}" does not fit: {_CAST_LIMITS}')
    return value


def float_cast(value: float, digits: int) -> Decimal:
    """float8::numeric (digits 15) and float4::numeric (6): PostgreSQL's float8_numeric, the
    float's %.15g text, exact in DECIMAL(38,20) or 22003."""
    return _cast_value(Decimal(format(value, f".{digits}g")), value)


def cast_any(text: str, kind: str) -> Decimal:
    """(expr)::numeric from the value's text and DuckDB's type name (typeof): floats as PostgreSQL
    converts them, anything else read exactly."""
    if kind in ("DOUBLE", "FLOAT"):
        return float_cast(float(text), 15 if kind == "DOUBLE" else 6)
    try:
        value = Decimal(text.strip())
    except InvalidOperation as e:
        raise ValueError(f'invalid input syntax for type numeric: "{text}"') from e
    return _cast_value(value, text)


# DuckDB's type names of the date/time columns, by the kind of datetime_literals' readings.
_DATED = {
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "DATE": "date",
    "TIME": "time",
    "TIME WITH TIME ZONE": "timetz",
}


def _refuse_unplaced(produced: list[str], columns: list[str], dated: dict[str, str]) -> None:
    """An INSERT's query holds an untyped literal DuckDB would read otherwise than PostgreSQL as
    a date/time ('0044-03-15 12:00:00 BC') where the rewrite could not place it (a UNION's second
    branch, a VALUES subquery): 0A000 when text goes into a date/time column, not year 44 AD."""
    for k, kind in enumerate(produced[: len(columns)]):
        if kind == "VARCHAR" and columns[k] in dated:
            raise DbError(
                "0A000",
                f'an untyped literal of this INSERT\'s query goes into the {dated[columns[k]]} column "{columns[k]}",'
                " and DuckDB would read it otherwise than PostgreSQL (an era, more than 6 fractional"
                " digits); write its type (TIMESTAMP '...', DATE '...') or put it in the first SELECT's list",
            )


def exact_writes(con: duckdb.DuckDBPyConnection, sql: str, spec: dict[str, Any], shift: int = 0) -> str:
    """sql with each computed value it writes into an unconstrained numeric column (found by
    pgcompat.numeric.expression_writes) passed through __pg_numeric, which keeps every digit or
    refuses it (22003) where DuckDB's cast to DECIMAL(38,10) would round it; and each untyped
    literal written into a date/time column that DuckDB would read otherwise than PostgreSQL
    ('0044-03-15 BC': the item's readings by kind) replaced by the reading of the column's type.
    One bind of the target (and of an INSERT's query) says which columns those are."""
    try:
        target = _seam.bind(con, f"SELECT * FROM {spec['table']}")
    except duckdb.Error:
        return sql  # DuckDB says what is wrong when it runs
    names = [n.lower() for n in target.names]
    types = dict(zip(names, (str(t) for t in target.types), strict=True))
    numeric = {n for n, t in types.items() if t == UNCONSTRAINED_NUMERIC}
    dated = {n: _DATED[t] for n, t in types.items() if t in _DATED}
    if not numeric and not dated:
        return sql
    columns = [str(c).lower() for c in spec.get("columns") or []] or names

    def column(target: object) -> str | None:
        if isinstance(target, int):
            return names[target - 1] if 0 < target <= len(names) else None
        return str(target).lower()

    edits = []
    for item in spec.get("items") or []:
        name, start, end, text = column(item[0]), item[1] + shift, item[2] + shift, item[3]
        if sql[start:end] != text:
            continue
        if len(item) > 4:  # an untyped literal's readings as each date/time type
            reading = item[4].get(dated.get(name or ""))
            if reading is not None:
                edits.append((start, end, reading))
        elif name in numeric:
            edits.append((start, end, f"{STORE}(({text}), ({text}))"))
    query = spec.get("query")
    if query:
        query = [query[0] + shift, query[1] + shift, query[2]]
    if query and sql[query[0] : query[1]] == query[2]:
        try:
            produced = [str(t) for t in _seam.bind(con, query[2]).types]
        except duckdb.Error:
            produced = []
        width = len(produced)
        if spec.get("unplaced"):
            _refuse_unplaced(produced, columns, dated)
        wanted = [k for k in range(min(width, len(columns))) if columns[k] in numeric]
        if wanted:
            # the literals' readings inside the query go into the wrapped query's text
            inner = [e for e in edits if query[0] <= e[0] and e[1] <= query[1]]
            edits = [e for e in edits if e not in inner]
            body = query[2]
            for start, end, new in sorted(inner, reverse=True):
                body = body[: start - query[0]] + new + body[end - query[0] :]
            cols = [f"__c{k}" for k in range(width)]
            out = ", ".join(f"{STORE}({c}, {c})" if k in wanted else c for k, c in enumerate(cols))
            edits.append((query[0], query[1], f"SELECT {out} FROM ({body}) AS __pg_src({', '.join(cols)})"))
    for start, end, new in sorted(edits, reverse=True):
        sql = sql[:start] + new + sql[end:]
    return sql


def register(con: duckdb.DuckDBPyConnection) -> None:
    """The exact quotient, for every connection of the database (before its configuration locks).
    Called row by row ("native"): an avg calls it once per group, where an Arrow batch's set-up
    costs more than the division (bench: ~0.1 ms less per aggregate query, ~15% more per row of
    a long division)."""
    con.create_function(EXACT_DIV, quotient, [VARCHAR, VARCHAR], DuckDBPyType(QUOTIENT_TYPE), type="native")
    numeric = DuckDBPyType(UNCONSTRAINED_NUMERIC)
    con.create_function(TO_NUMERIC, to_numeric, [VARCHAR], numeric, type="native")
    con.create_function(FLOAT_NUMERIC, float_numeric, [DOUBLE, INTEGER], numeric, type="native")
    wide = DuckDBPyType(QUOTIENT_TYPE)
    con.create_function(FLOAT_CAST, float_cast, [DOUBLE, INTEGER], wide, type="native")
    con.create_function(ANY_CAST, cast_any, [VARCHAR, VARCHAR], wide, type="native")
    from engine.codec.temporal import interval_str  # (here: engine.codec imports this module)

    con.create_function(INTERVAL_TEXT, interval_str, [BIGINT, BIGINT, BIGINT], VARCHAR, type="native")


def _div(n: str, d: str) -> str:
    return f"{EXACT_DIV}(CAST({n} AS VARCHAR), CAST({d} AS VARCHAR))"


def _macros() -> str:
    """The TEMP macros (per session: DuckDB keeps macros per connection in `temp`). Every
    numeric type has its own overload: DuckDB binds an argument to the cheapest implicit cast,
    and a decimal would take a FLOAT or DOUBLE overload before an untyped one."""
    ints = ("SMALLINT", "INTEGER")  # (TINYINT binds to SMALLINT's)
    out = []
    for name, distinct in ((SUM, ""), (SUM_DISTINCT, "DISTINCT "), (WINDOW_SUM, "")):
        # no FLOAT overload: decimals would bind to it (sum(real) stays DuckDB's double)
        over = [f"(a {t}) AS CAST(sum({distinct}a) AS BIGINT)" for t in ints]
        # sum(int8) is a numeric: a decimal, so that a division of it is never an integer one
        # (DuckDB's HUGEINT would divide as an integer where the division is left to it)
        over += [f"(a BIGINT) AS CAST(sum({distinct}a) AS DECIMAL(38,0))"]
        if not distinct:  # PostgreSQL's sum(interval) adds each of its three fields
            over += [f"(a INTERVAL) AS {_interval(*(f'sum({f})' for f in _interval_fields('a')))}"]
        over += [f"(a) AS {'sum(a)' if name == WINDOW_SUM else _checked_float_sum(distinct)}"]
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
        over += [
            f"(a {t}, v) AS {_accum_overflow(f'avg({distinct}v)', 'v', distinct)}"
            for t in ("FLOAT", "DOUBLE")
        ]
        over += [f"(a INTERVAL, v) AS avg({distinct}v)", f"(a, v) AS avg({distinct}v)"]
        out.append(f"CREATE OR REPLACE TEMP MACRO {name}" + ", ".join(over) + ";")
    # stddev and variance (pgcompat.result_types.sum_avg), checked as float8_accum
    for f in VARIANCES:
        out.append(f"CREATE OR REPLACE TEMP MACRO __pg_{f}(a) AS {_accum_overflow(f'{f}(a)', 'a', '')};")
    # avg(x) OVER w as __pg_wavg(x, sum(x) OVER w, count(x) OVER w, avg(x) OVER w)
    # (pgcompat.result_types.sum_avg): picked by x's type; DuckDB drops the window aggregates the
    # overload does not read
    # (and v, hi, lo: var_pop(x), max(x), min(x) OVER w, float8_accum's overflow check of a float's)
    exact = f"CASE WHEN c > 0 THEN {_div('s', 'c')} END"
    over = [f"(a {t}, s, c, g, v, hi, lo) AS {exact}" for t in (*ints, "BIGINT", "HUGEINT", QUOTIENT_TYPE)]
    over += [f"(a {t}, s, c, g, v, hi, lo) AS {_window_accum_overflow('g')}" for t in ("FLOAT", "DOUBLE")]
    over += ["(a INTERVAL, s, c, g, v, hi, lo) AS g", "(a, s, c, g, v, hi, lo) AS g"]
    out.append(f"CREATE OR REPLACE TEMP MACRO {WINDOW_AVG}" + ", ".join(over) + ";")
    # stddev(x) OVER w (and the other variances) as __pg_waccum(x, stddev(x) OVER w, sum(x) OVER w,
    # count(x) OVER w, var_pop(x) OVER w, max(x) OVER w, min(x) OVER w), checked as avg's
    over = [f"(a {t}, r, s, c, v, hi, lo) AS {_window_accum_overflow('r')}" for t in ("FLOAT", "DOUBLE")]
    over += ["(a, r, s, c, v, hi, lo) AS r"]
    out.append(f"CREATE OR REPLACE TEMP MACRO {WINDOW_ACCUM}" + ", ".join(over) + ";")
    # Integer division stays integer (the database's integer_division), float division float;
    # a numeric operand (a decimal, or a HUGEINT) makes it exact. Anything else (interval / 2)
    # is DuckDB's own.
    over = [f"(a {t}, b {t}, x, y) AS x / y" for t in (*ints, "BIGINT")]
    over += [f"(a {t}, b {t}, x, y) AS {_checked_quotient('x', 'y')}" for t in ("DOUBLE", "FLOAT")]
    over += [f"(a {ta}, b {tb}, x, y) AS {body}" for ta, tb, body in _real_with_exact("/")]
    over += [f"(a {t}, b {t}, x, y) AS {_div('x', 'y')}" for t in ("HUGEINT", QUOTIENT_TYPE)]
    over += [f"(a INTERVAL, b DOUBLE, x, y) AS {_interval_div('x', 'y')}", "(a, b, x, y) AS x / y"]
    out.append(f"CREATE OR REPLACE TEMP MACRO {DIV}" + ", ".join(over) + ";")
    # round(x): PostgreSQL's round(float8) rounds half to even (rint) and takes integers as
    # float8; round(numeric) rounds half away from zero, as DuckDB's round does.
    over = [f"(a {t}, v) AS round_even(CAST(v AS DOUBLE), 0)" for t in ("DOUBLE", "FLOAT", *ints, "BIGINT")]
    over += [f"(a {QUOTIENT_TYPE}, v) AS round(v)", "(a, v) AS round(v)"]
    out.append(f"CREATE OR REPLACE TEMP MACRO {ROUND}" + ", ".join(over) + ";")
    for name, op in ((MUL, "*"), (ADD, "+"), (SUB, "-")):
        over = arithmetic_overloads(op)
        if op == "-":  # time - time is an interval in PostgreSQL
            over += ["(a TIME, b TIME, x, y) AS to_microseconds(date_diff('microsecond', y, x))"]
            # timestamptz - timestamptz: PostgreSQL's elapsed microseconds, whole 24 hours as
            # days (timestamptz_mi's justify_hours); DuckDB's counts the session zone's calendar
            # (across a DST change, an hour more or less)
            us = "(epoch_us(x) - epoch_us(y))"
            days = f"CAST(trunc({us} / 86400000000) AS BIGINT)"
            over += [
                f"(a TIMESTAMPTZ, b TIMESTAMPTZ, x, y) AS to_days(CAST({days} AS INTEGER)) "
                f"+ to_microseconds({us} - {days} * 86400000000)"
            ]
        over += [f"(a, b, x, y) AS x {op} y"]
        out.append(f"CREATE OR REPLACE TEMP MACRO {name}" + ", ".join(over) + ";")
    # the pick of a parameter alone as an operand (pgwire.types.declared_params): the other
    # operand's type, or the type the client declared
    # sum(x) OVER w as __pg_wcheck(__pg_wsum(x) OVER w, max(x) OVER w, min(x) OVER w)
    # (pgcompat.result_types.sum_avg): a window macro's body is one aggregate, so the check is
    # made outside it, from the same window's max and min
    out.append(f"CREATE OR REPLACE TEMP MACRO {WINDOW_CHECK}(s, hi, lo) AS {_sum_overflow('s', 'hi', 'lo')};")
    # a chain of + and - (pgcompat.result_types.chains) and of * (products): r the chain, l its
    # terms (factors) as doubles, read only for the rows whose chain is not finite (or 0): when
    # every term is finite (and not 0), that is an overflow (underflow) on the way; else the terms
    # are added up (multiplied) again one by one with float.c's checks, as PostgreSQL computes them
    finite = "len(list_filter(l, lambda v: NOT isfinite(v))) = 0"
    nonzero = "len(list_filter(l, lambda v: v = 0 OR NOT isfinite(v))) = 0"
    add = (
        "lambda acc, v: CASE WHEN isinf(acc + v) AND NOT isinf(acc) AND NOT isinf(v) "
        f"THEN error('{FLOAT_OVERFLOW}') ELSE acc + v END"
    )
    mul = (
        "lambda acc, v: CASE WHEN isinf(acc * v) AND NOT isinf(acc) AND NOT isinf(v) "
        f"THEN error('{FLOAT_OVERFLOW}') WHEN acc * v = 0 AND acc <> 0 AND v <> 0 "
        f"THEN error('{FLOAT_UNDERFLOW}') ELSE acc * v END"
    )
    fr = "TRY_CAST(r AS DOUBLE)"
    out.append(
        f"CREATE OR REPLACE TEMP MACRO {CHAIN}(r, l) AS CASE WHEN typeof(r) IN ('DOUBLE', 'FLOAT') "
        f"AND NOT isfinite({fr}) THEN CASE WHEN {finite} THEN error('{FLOAT_OVERFLOW}') "
        f"WHEN list_reduce(l, {add}) IS NULL THEN r ELSE r END ELSE r END;"
    )
    out.append(
        f"CREATE OR REPLACE TEMP MACRO {PRODUCT_CHAIN}(r, l) AS CASE WHEN typeof(r) IN ('DOUBLE', 'FLOAT') "
        f"AND (NOT isfinite({fr}) OR {fr} = 0) THEN CASE WHEN {nonzero} AND isinf({fr}) THEN error('{FLOAT_OVERFLOW}') "
        f"WHEN {nonzero} AND {fr} = 0 THEN error('{FLOAT_UNDERFLOW}') "
        f"WHEN list_reduce(l, {mul}) IS NULL THEN r ELSE r END ELSE r END;"
    )
    out.append(f"CREATE OR REPLACE TEMP MACRO {PARAM_PICK}(p, other) AS other;")
    out.append(f"CREATE OR REPLACE TEMP MACRO {PARAM_PICKED}(p, other) AS p;")
    out += _store_macros()
    out += _cast_macros()
    out += _text_macros()
    out += _math_macros()
    return "\n".join(out)


def _store_macros() -> list[str]:
    """__pg_numeric(x, x): a value written into an unconstrained numeric column (engine.exact_writes),
    by its type: integers as they are (DuckDB's cast is exact or fails), floats as PostgreSQL
    converts them, decimals (any scale: they bind to the DECIMAL(38,20) overload) checked digit
    by digit, text read exactly; anything else is DuckDB's own cast."""
    over = [f"(a {t}, v) AS v" for t in ("SMALLINT", "INTEGER", "BIGINT", "HUGEINT")]
    over += [f"(a DOUBLE, v) AS {FLOAT_NUMERIC}(CAST(v AS DOUBLE), 15)"]
    over += [f"(a FLOAT, v) AS {FLOAT_NUMERIC}(CAST(v AS DOUBLE), 6)"]
    # (a decimal is checked in SQL: no call into Python per row; its type stays, uncast)
    refused = f"error(concat('numeric value \"', CAST(v AS VARCHAR), '\" {_TOO_LONG}'))"
    over += [
        f"(a {QUOTIENT_TYPE}, v) AS CASE WHEN v IS NULL OR round(v, {UNCONSTRAINED_NUMERIC_SCALE}) = v THEN v ELSE {refused} END"
    ]
    over += [f"(a VARCHAR, v) AS {TO_NUMERIC}(v)", "(a, v) AS v"]
    return [f"CREATE OR REPLACE TEMP MACRO {STORE}" + ", ".join(over) + ";"]


def _cast_macros() -> list[str]:
    """__pg_cast_numeric(x, x): (expr)::numeric by the expression's type, never rounded. Integers
    and text exactly into the unconstrained numeric (DECIMAL(38,10)); a decimal keeps its digits
    (at least DECIMAL(38,10)'s scale, more when it has them: 1/3::numeric's 20 decimals); a float
    as PostgreSQL's float8_numeric (15 significant digits, DECIMAL(38,20)). DuckDB's own cast went
    through a VARCHAR rounded to 10 decimals (0.6666666667)."""
    over = [f"(a {t}, v) AS CAST(v AS {UNCONSTRAINED_NUMERIC})" for t in ("SMALLINT", "INTEGER", "BIGINT")]
    over += [f"(a HUGEINT, v) AS {TO_NUMERIC}(CAST(v AS VARCHAR))"]
    over += [f"(a {QUOTIENT_TYPE}, v) AS v + CAST(0 AS {UNCONSTRAINED_NUMERIC})"]
    over += [f"(a DOUBLE, v) AS {FLOAT_CAST}(CAST(v AS DOUBLE), 15)"]
    over += [f"(a FLOAT, v) AS {FLOAT_CAST}(CAST(v AS DOUBLE), 6)"]
    over += [f"(a VARCHAR, v) AS {TO_NUMERIC}(v)", f"(a, v) AS CAST(v AS {UNCONSTRAINED_NUMERIC})"]
    over += [f"(a BOOLEAN, v) AS {TO_NUMERIC}(CAST(v AS VARCHAR))"]  # refused, as PostgreSQL does
    return [f"CREATE OR REPLACE TEMP MACRO {CAST_NUMERIC}" + ", ".join(over) + ";"]


def _text_macros() -> list[str]:
    """__pg_text(x): x::text as PostgreSQL writes it, where DuckDB's cast to VARCHAR writes it
    otherwise: a float without DuckDB's '.0' (1, not 1.0) and NaN / Infinity spelt as PostgreSQL
    spells them, an interval in IntervalStyle postgres ('1 mon', '-1 days +02:00:00'), a BC date
    as '0044-03-15 BC'. Every branch binds for any type (each reads the VARCHAR of x), so one
    untyped macro serves all; typeof(x) is a constant, so one branch is left."""
    text = "CAST(v AS VARCHAR)"
    floats = (
        f"CASE {text} WHEN 'nan' THEN 'NaN' WHEN 'inf' THEN 'Infinity' WHEN '-inf' THEN '-Infinity' "
        f"ELSE regexp_replace({text}, '\\.0$', '') END"
    )
    months, days, micros = _interval_fields(f"TRY_CAST({text} AS INTERVAL)")
    fields = ", ".join(f"CAST({f} AS BIGINT)" for f in (months, days, micros))
    interval = f"{INTERVAL_TEXT}({fields})"
    # a || b: a float, interval or date operand is written as its text is (the rest, JSON, arrays
    # and bytea included, is left as it is: its || is another operator); every numeric type has
    # its own overload, which a decimal or an integer would not take DOUBLE's before
    # (no JSON overload: DuckDB casts anything to JSON as cheaply as to itself; JSON picks VARCHAR's)
    kept = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", QUOTIENT_TYPE, "VARCHAR", "BOOLEAN",
            "BLOB", "TIMESTAMP", "TIMESTAMPTZ", "TIME", "UUID")  # fmt: skip
    over = [f"(a {t}, v) AS v" for t in kept]
    over += [f"(a {t}, v) AS {TEXT}(v)" for t in ("DOUBLE", "FLOAT", "INTERVAL", "DATE")]
    over += ["(a, v) AS v"]
    # array_out: each element's text, quoted when PostgreSQL's would be (empty, NULL, blanks,
    # quotes, commas, braces, backslashes), NULL elements as NULL, booleans as t / f
    element = (
        "CASE WHEN __t IS NULL THEN 'NULL' "
        "WHEN __t = '' OR lower(__t) = 'null' OR regexp_matches(__t, '[{}\",\\\\\\s]') "
        "THEN '\"' || replace(replace(__t, '\\', '\\\\'), '\"', '\\\"') || '\"' ELSE __t END"
    )
    array = (
        "'{' || array_to_string(list_transform(list_transform(v, lambda __e: CASE WHEN typeof(__e) = 'BOOLEAN' "
        f"THEN left(CAST(__e AS VARCHAR), 1) ELSE {TEXT}(__e) END), lambda __t: {element}), ',') || '}}'"
    )
    # an array column (a list of any of these: DuckDB casts a list to another element type only
    # where the element cast is implicit); a nested list keeps DuckDB's text
    elements = ("BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE",
                QUOTIENT_TYPE, "VARCHAR", "DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "INTERVAL", "UUID", "BLOB")  # fmt: skip
    # __pg_column_text(c, CAST(c AS VARCHAR)): the column picks the overload (and is the value
    # where PostgreSQL's text differs); the cast stays in the text for engine.declared's jsonb
    # reading (a jsonb column's text is jsonb's)
    columns = [f"(a {t}[], v) AS {ARRAY_TEXT}(a)" for t in elements]
    columns += [f"(a {t}, v) AS {TEXT}(a)" for t in ("DOUBLE", "FLOAT", "INTERVAL", "DATE")]
    columns += [f"(a {t}, v) AS v" for t in kept] + ["(a, v) AS v"]
    return [
        f"CREATE OR REPLACE TEMP MACRO {TEXT}(v) AS CASE typeof(v) WHEN 'DOUBLE' THEN {floats} "
        f"WHEN 'FLOAT' THEN {floats} WHEN 'INTERVAL' THEN {interval} "
        f"WHEN 'DATE' THEN replace({text}, ' (BC)', ' BC') ELSE {text} END;",
        f"CREATE OR REPLACE TEMP MACRO {CONCAT_OPERAND}" + ", ".join(over) + ";",
        f"CREATE OR REPLACE TEMP MACRO {ARRAY_TEXT}(v) AS ({array});",
        f"CREATE OR REPLACE TEMP MACRO {COLUMN_TEXT}" + ", ".join(columns) + ";",
    ]


# PostgreSQL's errors of its math functions (float.c, numeric.c), which engine.errors maps to
# their SQLSTATEs: DuckDB answers NaN or -Infinity.
SQRT_NEGATIVE = "cannot take square root of a negative number"
LOG_ZERO = "cannot take logarithm of zero"
LOG_NEGATIVE = "cannot take logarithm of a negative number"
POWER_ZERO_NEGATIVE = "zero raised to a negative power is undefined"
POWER_COMPLEX = "a negative number raised to a non-integer power yields a complex result"
FLOAT_OVERFLOW = "value out of range: overflow"
FLOAT_UNDERFLOW = "value out of range: underflow"
INTEGER_RANGE = {
    "SMALLINT": "smallint out of range",
    "INTEGER": "integer out of range",
    "BIGINT": "bigint out of range",
}
POWER_ERRORS = (SQRT_NEGATIVE, POWER_ZERO_NEGATIVE, POWER_COMPLEX)  # 2201F
LOG_ERRORS = (LOG_ZERO, LOG_NEGATIVE)  # 2201E
RANGE_ERRORS = (FLOAT_OVERFLOW, FLOAT_UNDERFLOW, *INTEGER_RANGE.values())  # 22003


def _checked_float(r: str, x: str, y: str) -> str:
    """r (computed from x and y) with float.c's overflow and underflow checks of a product."""
    fx, fy = f"CAST({x} AS DOUBLE)", f"CAST({y} AS DOUBLE)"
    return (
        f"CASE WHEN isinf({r}) AND NOT isinf({fx}) AND NOT isinf({fy}) THEN error('{FLOAT_OVERFLOW}') "
        f"WHEN {r} = 0 AND {fx} <> 0 AND {fy} <> 0 THEN error('{FLOAT_UNDERFLOW}') ELSE {r} END"
    )


def _checked_sum(r: str, x: str, y: str) -> str:
    """r (x + y or x - y) with float.c's overflow check of a sum."""
    fx, fy = f"CAST({x} AS DOUBLE)", f"CAST({y} AS DOUBLE)"
    return (
        f"CASE WHEN isinf({r}) AND NOT isinf({fx}) AND NOT isinf({fy}) THEN error('{FLOAT_OVERFLOW}') "
        f"ELSE {r} END"
    )


_EXACT_TYPES = ("SMALLINT", "INTEGER", "BIGINT", "HUGEINT", QUOTIENT_TYPE)  # (TINYINT binds to SMALLINT's)
_FLOAT_TYPES = ("DOUBLE", "FLOAT")


def arithmetic_overloads(op: str, lead: str = "") -> list[str]:
    """The typed overloads of a * b, a + b and a - b as __pg_mul / __pg_add / __pg_sub(a, b, x, y)
    take them (pgcompat.result_types; engine.jsonb's - of operands that are not jsonb, with its
    class argument first: lead "c <type>, "); the caller adds the untyped one (DuckDB's own
    operator). DuckDB picks one by a and b and computes from x and y, uncast: DuckDB's operator,
    but a float result that overflows (or a product that underflows) is PostgreSQL's 22003
    (float.c's float8pl, float8mi, float8mul), where DuckDB answers Infinity or 0 -- also with an
    untyped literal on one side (a - '1e308': PostgreSQL's unknown takes the float's type; DuckDB
    binds a string literal argument as VARCHAR); and date - date is an integer, as PostgreSQL's."""
    r = f"x {op} y"
    checked = _checked_float(r, "x", "y") if op == "*" else _checked_sum(r, "x", "y")
    pairs = [(t, t, r) for t in _EXACT_TYPES] + [(t, t, checked) for t in _FLOAT_TYPES]
    pairs += _real_with_exact(op)
    pairs += [(t, "VARCHAR", r) for t in _EXACT_TYPES] + [("VARCHAR", t, r) for t in _EXACT_TYPES]
    pairs += [(t, "VARCHAR", checked) for t in _FLOAT_TYPES] + [("VARCHAR", t, checked) for t in _FLOAT_TYPES]
    if op == "-":  # date - date: PostgreSQL's integer days (DuckDB's BIGINT; the cast is checked)
        pairs.append(("DATE", "DATE", "CAST(x - y AS INTEGER)"))
    return [f"({lead}a {ta}, b {tb}, x, y) AS {body}" for ta, tb, body in pairs]


def _sum_overflow(s: str, hi: str, lo: str) -> str:
    """s (a sum of values from lo to hi), but a float sum that overflows is PostgreSQL's 22003
    (float8pl's check, where DuckDB answers Infinity): the sum is infinite and no value was.
    typeof() is a constant: for any other type DuckDB drops the check and its min and max."""
    return (
        f"CASE WHEN typeof({s}) IN ('DOUBLE', 'FLOAT') AND (isinf(TRY_CAST({s} AS DOUBLE)) "
        f"OR typeof({hi}) = 'FLOAT' AND abs(TRY_CAST({s} AS DOUBLE)) >= {_REAL_OVERFLOW}) "
        f"AND NOT isinf(TRY_CAST({hi} AS DOUBLE)) AND NOT isinf(TRY_CAST({lo} AS DOUBLE)) "
        f"THEN error('{FLOAT_OVERFLOW}') ELSE {s} END"
    )


# A sum of reals (DuckDB's: a double, see tests/differential/known_differences.toml) that real
# cannot hold: PostgreSQL's float4pl overflows on the way (2^128 - 2^103 rounds to Infinity in
# float4). (Partial sums past it that come back into range are not seen: PostgreSQL's overflow
# there depends on the rows' order.)
_REAL_OVERFLOW = "340282356779733661637539395458142568448.0"


def _real_with_exact(op: str) -> list[tuple[str, str, str]]:
    """real op an integer or a numeric (either side) as PostgreSQL computes it: in float8 (its
    float48 operators; DuckDB's FLOAT + INTEGER is a FLOAT: 1::float4 / 3 was 0.33333334), checked
    as float8's. real op real and real op an untyped literal stay real, as PostgreSQL's."""
    fx, fy = "CAST(x AS DOUBLE)", "CAST(y AS DOUBLE)"
    if op == "/":
        body = _checked_quotient(fx, fy)
    else:
        r = f"{fx} {op} {fy}"
        body = _checked_float(r, fx, fy) if op == "*" else _checked_sum(r, fx, fy)
    return [p for t in _EXACT_TYPES for p in (("FLOAT", t, body), (t, "FLOAT", body))]


VARIANCES = ("stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop")


def _accum_overflow(r: str, v: str, distinct: str) -> str:
    """r, an avg, stddev or variance of v, but PostgreSQL's 22003 where float8_accum's sum or sum of
    squared deviations (N times var_pop) overflows from finite values (avg(1e300, -1e300) too).
    typeof(sum(v)) is a constant: DOUBLE only for floats (DuckDB drops the check for the others)."""
    sx, sxx = f"sum({distinct}{v})", f"(var_pop({distinct}{v}) * count({distinct}{v}))"
    return (
        f"CASE WHEN typeof({sx}) = 'DOUBLE' AND (isinf(TRY_CAST({sx} AS DOUBLE)) OR isinf({sxx})) "
        f"AND NOT isinf(TRY_CAST(max({v}) AS DOUBLE)) AND NOT isinf(TRY_CAST(min({v}) AS DOUBLE)) "
        f"THEN error('{FLOAT_OVERFLOW}') ELSE {r} END"
    )


def _window_accum_overflow(r: str) -> str:
    """r, an avg, stddev or variance OVER a window, as _accum_overflow checks it, from the window's
    s (sum), c (count), v (var_pop), hi (max) and lo (min). (The overloads of floats: decimals
    bind to them too, whose sum is no DOUBLE.)"""
    return (
        "CASE WHEN typeof(s) = 'DOUBLE' AND (isinf(TRY_CAST(s AS DOUBLE)) OR isinf(v * c)) "
        "AND NOT isinf(TRY_CAST(hi AS DOUBLE)) AND NOT isinf(TRY_CAST(lo AS DOUBLE)) "
        f"THEN error('{FLOAT_OVERFLOW}') ELSE {r} END"
    )


def _checked_float_sum(distinct: str) -> str:
    """sum(a) of any other type, checked as a float sum (_sum_overflow)."""
    return _sum_overflow(f"sum({distinct}a)", "max(a)", "min(a)")


def _checked_quotient(x: str, y: str) -> str:
    """x / y with float.c's checks of a float quotient (float8div): 22003 where it overflows or
    underflows, where DuckDB answers Infinity or 0 (division by zero is DuckDB's error already)."""
    r, fx, fy = f"{x} / {y}", f"CAST({x} AS DOUBLE)", f"CAST({y} AS DOUBLE)"
    return (
        f"CASE WHEN isinf({r}) AND NOT isinf({fx}) THEN error('{FLOAT_OVERFLOW}') "
        f"WHEN {r} = 0 AND {fx} <> 0 AND NOT isinf({fy}) THEN error('{FLOAT_UNDERFLOW}') ELSE {r} END"
    )


# x ^ y is PostgreSQL's float8 dpow unless an operand is a numeric and neither a float (typeof is a
# constant: DuckDB folds it)
_NUMERIC_TYPE = "(typeof({v}) LIKE 'DECIMAL%' OR typeof({v}) = 'HUGEINT')"
_FLOAT_POWER = (
    "(typeof(x) IN ('DOUBLE', 'FLOAT') OR typeof(y) IN ('DOUBLE', 'FLOAT') OR NOT "
    f"({_NUMERIC_TYPE.format(v='x')} OR {_NUMERIC_TYPE.format(v='y')}))"
)


def _log_of(x: str) -> str:
    return f"WHEN {x} = 0 THEN error('{LOG_ZERO}') WHEN {x} < 0 THEN error('{LOG_NEGATIVE}')"


def _math_macros() -> list[str]:
    """sqrt, ln, log, log10, exp, power and ^, and -(x) with PostgreSQL's errors where DuckDB gives NaN,
    -Infinity or Infinity, or widens an integer (pgcompat.result_types calls them)."""
    power = (
        f"CASE WHEN x = 0 AND y < 0 THEN error('{POWER_ZERO_NEGATIVE}') "
        f"WHEN x < 0 AND y <> floor(y) THEN error('{POWER_COMPLEX}') "
        f"WHEN isinf(pow(x, y)) AND NOT isinf(CAST(x AS DOUBLE)) AND NOT isinf(CAST(y AS DOUBLE)) "
        f"THEN error('{FLOAT_OVERFLOW}') "
        # dpow's underflow (float8 ^ of finite operands is 0, x is not): not where PostgreSQL's
        # operands are numerics (numeric_power answers 0.0000000000000000 there)
        f"WHEN pow(x, y) = 0 AND x <> 0 AND NOT isinf(CAST(x AS DOUBLE)) AND NOT isinf(CAST(y AS DOUBLE)) "
        f"AND {_FLOAT_POWER} THEN error('{FLOAT_UNDERFLOW}') ELSE pow(x, y) END"
    )
    negate = [
        f"(a {t}, x) AS CASE WHEN x = {-(2 ** (bits - 1))} THEN error('{INTEGER_RANGE[t]}') ELSE CAST(-x AS {t}) END"
        for t, bits in (("SMALLINT", 16), ("INTEGER", 32), ("BIGINT", 64))
    ]
    negate += [f"(a {t}, x) AS -x" for t in ("HUGEINT", QUOTIENT_TYPE, "DOUBLE", "FLOAT")]
    return [
        f"CREATE OR REPLACE TEMP MACRO __pg_sqrt(x) AS CASE WHEN x < 0 THEN error('{SQRT_NEGATIVE}') ELSE sqrt(x) END;",
        f"CREATE OR REPLACE TEMP MACRO __pg_ln(x) AS CASE {_log_of('x')} ELSE ln(x) END;",
        f"CREATE OR REPLACE TEMP MACRO __pg_log10(x) AS CASE {_log_of('x')} ELSE log10(x) END;",
        f"CREATE OR REPLACE TEMP MACRO __pg_log(x) AS CASE {_log_of('x')} ELSE log10(x) END, "
        f"(b, x) AS CASE {_log_of('b')} {_log_of('x')} WHEN b = 1 THEN error('division by zero') ELSE log(b, x) END;",
        f"CREATE OR REPLACE TEMP MACRO __pg_power(x, y) AS {power};",
        f"CREATE OR REPLACE TEMP MACRO __pg_exp(x) AS CASE WHEN isinf(exp(x)) AND NOT isinf(CAST(x AS DOUBLE)) "
        f"THEN error('{FLOAT_OVERFLOW}') WHEN exp(x) = 0 AND NOT isinf(CAST(x AS DOUBLE)) "
        f"THEN error('{FLOAT_UNDERFLOW}') ELSE exp(x) END;",
        f"CREATE OR REPLACE TEMP MACRO {NEGATE}" + ", ".join([*negate, "(a, x) AS -x"]) + ";",
        # gcd and lcm of int2/int4 are PostgreSQL's integer (a checked cast: 22003 past it, as
        # PostgreSQL's "integer out of range"); of anything else DuckDB's own
        *(
            f"CREATE OR REPLACE TEMP MACRO __pg_{f}(a INTEGER, b INTEGER) AS CAST({f}(a, b) AS INTEGER), "
            f"(a, b) AS {f}(a, b);"
            for f in ("gcd", "lcm")
        ),
        *_builtin_macros(),
    ]


def _interval_fields(x: str) -> tuple[str, str, str]:
    """An interval's months, days and microseconds, PostgreSQL's three fields (DuckDB's hour part
    is the microseconds' whole hours, minute and microseconds the rest)."""
    months = f"(datepart('year', {x}) * 12 + datepart('month', {x}))"
    days = f"datepart('day', {x})"
    micros = f"(datepart('hour', {x}) * 3600000000 + datepart('minute', {x}) * 60000000 + datepart('microseconds', {x}))"
    return months, days, micros


def _interval(months: str, days: str, micros: str) -> str:
    return f"(to_months(CAST({months} AS INTEGER)) + to_days(CAST({days} AS INTEGER)) + to_microseconds(CAST({micros} AS BIGINT)))"


_DAY_US = 86400000000


def _justify(big: str, small: str, unit: int) -> tuple[str, str]:
    """PostgreSQL's justify step: whole units of small into big (both truncated towards zero),
    then the signs made alike."""
    b, s = f"({big} + {small} // {unit})", f"({small} % {unit})"
    big_out = f"CASE WHEN {b} > 0 AND {s} < 0 THEN {b} - 1 WHEN {b} < 0 AND {s} > 0 THEN {b} + 1 ELSE {b} END"
    small_out = f"CASE WHEN {b} > 0 AND {s} < 0 THEN {s} + {unit} WHEN {b} < 0 AND {s} > 0 THEN {s} - {unit} ELSE {s} END"
    return big_out, small_out


def _interval_div(x: str, y: str) -> str:
    """interval / number as PostgreSQL's interval_div: months and days divided and truncated,
    their fractions cascaded down into days and microseconds (a month is 30 days)."""
    m, d, us = _interval_fields(x)
    f = f"CAST({y} AS DOUBLE)"
    rm, rd = f"trunc({m} / {f})", f"trunc({d} / {f})"
    mrd = f"(round_even(({m} / {f} - {rm}) * 30 * 1000000, 0) / 1000000)"
    sec = f"(round_even(({d} / {f} - {rd} + {mrd} - trunc({mrd})) * 86400 * 1000000, 0) / 1000000)"
    days = f"({rd} + trunc({sec} / 86400) + trunc({mrd}))"
    rest = f"({sec} - trunc({sec} / 86400) * 86400)"
    micros = f"CAST(round_even({us} / {f} + {rest} * 1000000, 0) AS BIGINT)"
    return (
        f"CASE WHEN {f} = 0 THEN error('division by zero') "
        f"ELSE {_interval(f'CAST({rm} AS BIGINT)', f'CAST({days} AS BIGINT)', micros)} END"
    )


def _builtin_macros() -> list[str]:
    """PostgreSQL functions whose answer depends on an argument's type (pgcompat.pg_builtins)."""
    m, d, us = _interval_fields("CAST(x AS INTERVAL)")  # (an untyped NULL is an interval's)
    hours_days, hours_us = _justify(d, us, _DAY_US)
    days_months, days_days = _justify(m, d, 30)  # DAYS_PER_MONTH
    # width_bucket: float8's computed as float.c does, numerics and integers exactly (the float
    # estimate corrected by exact products: DuckDB's decimal products are exact or fail)
    floats = (
        "CASE WHEN lo < hi THEN CASE WHEN x < lo THEN 0 WHEN x >= hi THEN n + 1 "
        "ELSE CAST(floor(((x - lo) / (hi - lo)) * n) AS INTEGER) + 1 END "
        "ELSE CASE WHEN x > lo THEN 0 WHEN x <= hi THEN n + 1 "
        "ELSE CAST(floor(((lo - x) / (lo - hi)) * n) AS INTEGER) + 1 END END"
    )

    def exact(off: str, span: str) -> str:
        q = f"CAST(floor(CAST({off} AS DOUBLE) * n / CAST({span} AS DOUBLE)) AS BIGINT)"
        return (
            f"CAST(CASE WHEN ({q} + 1) * {span} <= {off} * n THEN {q} + 1 "
            f"WHEN {q} * {span} > {off} * n THEN {q} - 1 ELSE {q} END AS INTEGER) + 1"
        )

    exacts = (
        "CASE WHEN lo < hi THEN CASE WHEN x < lo THEN 0 WHEN x >= hi THEN n + 1 "
        f"ELSE {exact('(x - lo)', '(hi - lo)')} END "
        "ELSE CASE WHEN x > lo THEN 0 WHEN x <= hi THEN n + 1 "
        f"ELSE {exact('(lo - x)', '(lo - hi)')} END END"
    )
    checks = (
        "CASE WHEN n <= 0 THEN error('DuckCDB 2201G: count must be greater than zero') "
        "WHEN lo = hi THEN error('DuckCDB 2201G: lower bound cannot equal upper bound') END"
    )
    bucket = [f"(x {t}, lo, hi, n) AS coalesce({checks}, {floats})" for t in ("DOUBLE", "FLOAT")]
    bucket += [
        f"(x {t}, lo, hi, n) AS coalesce({checks}, {exacts})"
        for t in ("SMALLINT", "INTEGER", "BIGINT", "HUGEINT", QUOTIENT_TYPE)
    ]
    # div(a, b): the quotient truncated towards zero, exact (a - mod(a, b) divides evenly)
    trunc = (  # integers divide as integers (truncating, as PostgreSQL's div), exactly
        f"(a HUGEINT, b HUGEINT) AS CAST(CASE WHEN b = 0 THEN error('{DIVISION_BY_ZERO}') ELSE a // b END AS DECIMAL(38,0)), "
        f"(a, b) AS CAST(CASE WHEN b = 0 THEN error('{DIVISION_BY_ZERO}') "
        f"ELSE {_div('a - a % b', 'b')} END AS DECIMAL(38,0))"
    )
    return [
        f"CREATE OR REPLACE TEMP MACRO __pg_width_bucket{', '.join(bucket)};",
        f"CREATE OR REPLACE TEMP MACRO __pg_justify_hours(x) AS {_interval(m, hours_days, hours_us)};",
        f"CREATE OR REPLACE TEMP MACRO __pg_justify_days(x) AS {_interval(days_months, days_days, us)};",
        f"CREATE OR REPLACE TEMP MACRO __pg_div_trunc{trunc};",
    ]


MACROS = _macros()


def install(con: duckdb.DuckDBPyConnection) -> None:
    """The macros on one session's connection, in a transaction of their own (engine.session
    makes them before the first statement that calls them)."""
    con.execute(f"BEGIN;\n{MACROS}\nCOMMIT;")
