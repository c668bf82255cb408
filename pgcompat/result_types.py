"""sum, avg and `/` with PostgreSQL's result types: sum(int2|int4) is bigint, avg of integers and
numerics an exact numeric, a division with a numeric operand an exact numeric (DuckDB: HUGEINT,
DOUBLE, DOUBLE).

The calls go to the engine's typed macros (engine.pgmath), whose overload DuckDB's binder picks
by the arguments' types: no schema is read here, a statement without sum(, avg( or / is not
touched (one look at its tokens), and integer or float division stays DuckDB's own. Left as
DuckDB's: calls with ORDER BY or over a subquery, avg as a window function, anything whose operands hold
a parameter (its type is unknown when DuckDB binds the overload), divisions whose operands call
an aggregate, a window or any function but a few scalar ones (DuckDB does not type those when
it picks an overload), operands this reading of the tokens is not sure of, and DDL (a view keeps DuckDB's functions: the macros are each session's
own).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat.numeric import CAST_MARK_DIGITS, unary_minus
from pgcompat.tokens import apply, tokenize
from pgwire.types import PARAM_PICK

Edit = tuple[int, int, str]

# the engine's macros (engine.pgmath: SUM, SUM_DISTINCT, AVG, AVG_DISTINCT)
_MACROS = {
    ("sum", False): "__pg_sum",
    ("sum", True): "__pg_sum_distinct",
    ("avg", False): "__pg_avg",
    ("avg", True): "__pg_avg_distinct",
}
_WINDOW_SUM = "__pg_wsum"  # engine.pgmath.WINDOW_SUM: sum(x) OVER (...)
_WINDOW_CHECK = "__pg_wcheck"  # engine.pgmath.WINDOW_CHECK: its overflow check
_WINDOW_AVG = "__pg_wavg"  # engine.pgmath.WINDOW_AVG: avg(x) OVER (...)
_WINDOW_ACCUM = "__pg_waccum"  # engine.pgmath.WINDOW_ACCUM: stddev(x) OVER (...), ...
_DDL = frozenset({TokenType.CREATE, TokenType.ALTER})


def _close(toks: Sequence[Token], open_: int) -> int | None:
    depth = 0
    for j in range(open_, len(toks)):
        tt = toks[j].token_type
        if tt in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif tt in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
            if depth == 0:
                return j
    return None


def _plain_argument(toks: Sequence[Token], first: int, last: int) -> bool:
    """One argument, no ORDER BY, no parameter, no subquery, not *."""
    if first > last or toks[first].token_type == TokenType.STAR and first == last:
        return False
    depth = 0
    for t in toks[first : last + 1]:
        tt = t.token_type
        if tt in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif tt in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
        elif tt in (TokenType.PARAMETER, TokenType.SELECT) or (
            depth == 0 and tt in (TokenType.COMMA, TokenType.ORDER_BY)
        ):
            return False  # (a subquery's own sum or avg would overlap the copy of this one)
    return True


# A statement's text may grow by copying operands (a / b is __pg_div(a, b, a, b)); nested
# divisions copy what they hold, so the passes stop before the text grows past this factor.
_MAX_GROWTH = 8
_MIN_LIMIT = 2048  # (what a short statement may grow to all the same: select $1 + $2 * $3)
_MAX_PASSES = 16
# + and - nest one call per pass (a + b + c is __pg_add(__pg_add(a, b, ..), c, ..)), and each call's
# checked body reads its left operand three times: DuckDB binds 3^depth copies of the first
# operand (a chain of 8 took 1.4 s to bind, of 10 50 s; of 5 with three passes 37 ms, with two 4 ms). Past this depth the rest of a chain is
# DuckDB's own +, checked once as a whole (chains).
_MAX_ADDITION_PASSES = 2
# * likewise (its checked body reads the left operand five times: a product of 6 doubles took 1.3 s
# to bind, of 8 8.8 s); / keeps its passes (a numeric quotient is exact only as __pg_div)
_MAX_PRODUCT_PASSES = 2


def applies(toks: Sequence[Token]) -> bool:
    """Whether a statement may call sum or avg or divide (one look at its tokens)."""
    return (
        bool(toks)
        and toks[0].token_type not in _DDL
        and any(
            _candidate(t)
            or (t.token_type is TokenType.STAR and _multiplication(toks, i))
            or (t.token_type in _ADD and _additive(toks, i))
            or (t.token_type is TokenType.DASH and _negation(toks, i))
            for i, t in enumerate(toks)
        )
    )


def typed_sql(sql: str, toks: Sequence[Token] | None = None) -> str:
    """The engine's statement with PostgreSQL's result types of sum, avg, division, extract and
    date_part (run on the SQL every other rewrite has made); toks: its tokens when the caller
    has them. Each step copies text only once the steps before are done with it: extract and
    date_part first (they leave their argument in place), then divisions bottom up (an operand
    holding another waits for the next pass), then sum and avg (whose argument avg copies)."""
    toks = tokenize(sql) if toks is None else toks
    if not applies(toks):
        return sql
    limit = max(_MAX_GROWTH * len(sql), _MIN_LIMIT)
    for _ in range(_MAX_PASSES):  # (first: the steps after rewrite inside both copies)
        shaped = numeric_casts(sql, toks, toks[0].start)
        if not shaped or len(apply(sql, shaped)) > limit:
            break
        sql = apply(sql, shaped)
        toks = tokenize(sql)
        if not toks:
            return sql
    shaped = [e for group in extracts(sql, toks, toks[0].start) for e in group]
    if shaped:
        sql = apply(sql, shaped)
        toks = tokenize(sql)
        if not toks:
            return sql
    for step in (integer_windows, math_calls, powers, negations):  # (each copies what the one before made)
        shaped = step(sql, toks, toks[0].start)
        if shaped:
            sql = apply(sql, shaped)
            toks = tokenize(sql)
            if not toks:
                return sql
    shaped = [e for group in rounds(sql, toks, toks[0].start) for e in group]
    if shaped:
        sql = apply(sql, shaped)
        toks = tokenize(sql)
    for round_ in range(2):  # (the second: the divisions a product chain held, once it is a call)
        for n in range(_MAX_PASSES):
            if not toks:
                return sql
            groups, deferred = divisions(sql, toks, toks[0].start, round_ == 0 and n < _MAX_PRODUCT_PASSES)
            if not groups:
                break
            grown = apply(sql, [e for group in groups for e in group])
            if len(grown) > limit:
                break
            sql, toks = grown, tokenize(grown)
            if not deferred:
                break
        shaped = products(sql, toks, toks[0].start) if toks and round_ == 0 else []
        if not shaped:
            break
        sql = apply(sql, shaped)
        toks = tokenize(sql)
    left = False  # whether + or - are left that the passes would rewrite
    for _ in range(_MAX_ADDITION_PASSES):  # + and -, left to right, once the products are calls
        if not toks:
            return sql
        found, deferred = additions(sql, toks, toks[0].start)
        if not found:
            break
        grown = apply(sql, found)
        if len(grown) > limit:
            left = True
            break
        sql, toks = grown, tokenize(grown)
        if not deferred:
            break
    else:
        left = True
    if left and toks and additions(sql, toks, toks[0].start)[0]:  # a chain longer than the passes
        shaped = chains(sql, toks, toks[0].start)
        if shaped:
            sql = apply(sql, shaped)
            toks = tokenize(sql)
    if toks:
        edits = [e for group in sum_avg(sql, toks, toks[0].start) for e in group]
        if edits:
            sql = apply(sql, edits)
    return sql


def _candidate(t: Token) -> bool:
    return (
        t.token_type in (TokenType.SLASH, TokenType.CARET, TokenType.DECIMAL)
        or t.text.lower() in ("sum", "avg", "extract", "date_part", "round")
        or t.text.lower() in _VARIANCES
        or t.text.lower() in _MATH
        or t.text.lower() in _INT4_WINDOWS
    )


# stddev and variance: engine.pgmath's __pg_<name>(x), float8_accum's overflow check (not DISTINCT,
# not in a window: DuckDB's own there)
_VARIANCES = frozenset({"stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop"})


def sum_avg(text: str, toks: Sequence[Token], base: int) -> list[list[Edit]]:
    edits: list[list[Edit]] = []
    for i, t in enumerate(toks[:-1]):
        name = t.text.lower()
        if (
            (name not in ("sum", "avg") and name not in _VARIANCES)
            or toks[i + 1].token_type != TokenType.L_PAREN
            or text[t.start - base] == '"'
            or (i > 0 and toks[i - 1].token_type == TokenType.DOT)
        ):
            continue
        end = _close(toks, i + 1)
        if end is None:
            continue
        after = toks[end + 1].text.upper() if end + 1 < len(toks) else ""
        if after == "WITHIN":
            continue
        first = i + 2
        distinct = first < end and toks[first].token_type == TokenType.DISTINCT
        if distinct or (first < end and toks[first].token_type == TokenType.ALL):
            first += 1
        if not _plain_argument(toks, first, end - 1):
            continue
        arg = text[toks[first].start - base : toks[end].start - base].rstrip()
        last = end  # the call's last token, its FILTER clause's when it has one
        if after == "FILTER":
            # sum(x) FILTER (WHERE c) is sum(CASE WHEN c THEN x END): a macro takes no FILTER
            close = _close(toks, end + 2) if end + 3 < len(toks) else None
            if close is None or toks[end + 3].token_type != TokenType.WHERE:
                continue
            cond = text[toks[end + 3].end - base + 1 : toks[close].start - base].strip()
            arg, last = f"CASE WHEN ({cond}) THEN {arg} END", close
            after = toks[close + 1].text.upper() if close + 1 < len(toks) else ""
        window = None  # the OVER (...) clause's last token (OVER w: the window's name)
        if after == "OVER":
            if last + 2 >= len(toks):
                continue
            if toks[last + 2].token_type == TokenType.L_PAREN:
                window = _close(toks, last + 2)
            elif toks[last + 2].token_type in (TokenType.VAR, TokenType.IDENTIFIER):
                window = last + 2
            if window is None or distinct:
                continue
        if name in _VARIANCES and distinct:
            continue
        span = (t.start - base, toks[last if window is None else window].end - base + 1)
        while edits and edits[-1][0][0] <= span[0] and span[1] <= edits[-1][-1][1]:
            edits.pop()  # sum(sum(x)) OVER (): the inner one is rewritten, the outer left as it is
        if window is not None:
            over = text[toks[last + 1].start - base : span[1]]
            if name == "sum":  # the window macro, and its overflow check from the same window
                new = f"{_WINDOW_CHECK}({_WINDOW_SUM}({arg}) {over}, max({arg}) {over}, min({arg}) {over})"
            elif _typable(toks, first, end - 1):  # avg: picked by x (valid where avg(x) OVER is:
                # the select list's level), exact from the window's sum and count; a float's
                # checked as float8_accum (engine.pgmath: its var_pop, max and min too)
                accum = f"var_pop({arg}) {over}, max({arg}) {over}, min({arg}) {over}"
                if name == "avg":
                    new = f"{_WINDOW_AVG}({arg}, sum({arg}) {over}, count({arg}) {over}, avg({arg}) {over}, {accum})"
                else:
                    call = text[t.start - base : span[1]]
                    new = f"{_WINDOW_ACCUM}({arg}, {call}, sum({arg}) {over}, count({arg}) {over}, {accum})"
            else:
                continue  # (avg(sum(x)) OVER (): DuckDB does not type an aggregate to pick an overload)
            edits.append([(span[0], span[1], new)])
            continue
        # avg(x) -> __pg_avg(x, x): the overload by the first, the value of the second
        args = f"{arg}, {arg}" if name == "avg" else arg
        macro = f"__pg_{name}" if name in _VARIANCES else _MACROS[(name, distinct)]
        edits.append(
            [
                (t.start - base, toks[first].start - base, f"{macro}("),
                (toks[first].start - base, toks[last].end - base + 1, f"{args})"),
            ]
        )
    return edits


# ---------------------------------------------------------------- (expr)::numeric

_CAST_NUMERIC = "__pg_cast_numeric"  # engine.pgmath.CAST_NUMERIC
_ANY_CAST = "__pg_cast_any"  # engine.pgmath.ANY_CAST


def _cast_mark(toks: Sequence[Token], d: int) -> bool:
    """Whether DECIMAL at d is pgcompat.numeric.CAST_MARK: DECIMAL(038,10)."""
    return (
        d + 4 < len(toks)
        and toks[d].token_type == TokenType.DECIMAL
        and toks[d + 1].token_type == TokenType.L_PAREN
        and toks[d + 2].text == CAST_MARK_DIGITS
        and toks[d + 4].text == "10"
        and toks[d + 5].token_type == TokenType.R_PAREN
    )


def _cast_operand(toks: Sequence[Token], d: int) -> tuple[int, int, int, int] | None:
    """The marked cast at d: (first, last) of its operand and of the whole cast; None when unsure.
    x::VARCHAR::DECIMAL(038,10) (the operand ends before the first ::) or CAST(x AS DECIMAL(038,10))."""
    prev = toks[d - 1].token_type if d >= 1 else None
    if prev == TokenType.DCOLON and d >= 4 and toks[d - 3].token_type == TokenType.DCOLON:
        first = _back(toks, d - 4)
        return None if first is None else (first, d - 4, first, d + 5)
    if prev == TokenType.ALIAS and d + 6 < len(toks) and toks[d + 6].token_type == TokenType.R_PAREN:
        depth = 0
        for j in range(d - 2, 0, -1):
            tt = toks[j].token_type
            if tt in (TokenType.R_PAREN, TokenType.R_BRACKET):
                depth += 1
            elif tt in (TokenType.L_PAREN, TokenType.L_BRACKET):
                if depth == 0:
                    if toks[j - 1].text.upper() != "CAST" or j + 1 > d - 2:
                        return None
                    return j + 1, d - 2, j - 1, d + 6
                depth -= 1
    return None


def numeric_casts(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """(expr)::numeric and CAST(expr AS numeric), marked by pgcompat.numeric: PostgreSQL's value
    (every digit of a numeric, a float's 15 significant digits) or 22003, where DuckDB's cast to
    DECIMAL(38,10) rounds. The engine's macro picks the conversion by the operand's type; where
    DuckDB cannot type a macro's argument (an aggregate, a window, a parameter), a function is
    given the value's text and type name. The outermost casts first: one inside waits for the
    next pass (in both copies)."""
    edits: list[Edit] = []
    for d in range(len(toks)):
        if not _cast_mark(toks, d):
            continue
        found = _cast_operand(toks, d)
        if found is None:
            continue
        first, last, start, end = found
        while edits and edits[-1][0] >= toks[start].start - base:
            edits.pop()  # inside this one: the next pass
        if edits and toks[start].start - base < edits[-1][1]:
            continue
        x = text[toks[first].start - base : toks[last].end - base + 1]
        if _typable(toks, first, last):
            new = f"{_CAST_NUMERIC}(({x}), ({x}))"
        else:
            new = f"{_ANY_CAST}(CAST(({x}) AS VARCHAR), typeof(({x})))"
        edits.append((toks[start].start - base, toks[end].end - base + 1, new))
    return edits


# ---------------------------------------------------------------- extract and date_part

# PostgreSQL's extract() is numeric, date_part() float8; DuckDB's are BIGINT (second truncated to
# whole seconds) or DOUBLE (epoch). The fields' values, as PostgreSQL gives them, from the
# microseconds DuckDB keeps: {} is the source expression, left in place.
_FIELDS = {
    "second": "(CAST(extract(microseconds FROM {}) AS DECIMAL(38,0)) * 0.000001)",
    "milliseconds": "(CAST(extract(microseconds FROM {}) AS DECIMAL(38,0)) * 0.001)",
    "epoch": "(CAST(epoch_us({}) AS DECIMAL(38,0)) * 0.000001)",
    **{
        f: "CAST(extract(" + f + " FROM {}) AS DECIMAL(38,0))"
        for f in (
            "microseconds", "minute", "hour", "day", "month", "year", "dow", "isodow", "doy", "week",
            "quarter", "decade", "century", "millennium", "isoyear", "timezone", "timezone_hour",
            "timezone_minute",
        )
    },
}  # fmt: skip
_FIELD_ALIASES = {"seconds": "second", "minutes": "minute", "hours": "hour", "days": "day", "months": "month",
                  "years": "year", "millisecond": "milliseconds", "microsecond": "microseconds"}  # fmt: skip


def _field(t: Token) -> str | None:
    name = t.text.strip("'\"").lower()
    name = _FIELD_ALIASES.get(name, name)
    return name if name in _FIELDS else None


def extracts(text: str, toks: Sequence[Token], base: int) -> list[list[Edit]]:
    """extract(field FROM x) -> numeric and date_part('field', x) -> float8 with PostgreSQL's
    values (a fraction of a second kept); x stays where it is (rewrites inside it apply)."""
    out: list[list[Edit]] = []
    for i, t in enumerate(toks[:-3]):
        name = t.text.lower()
        if name not in ("extract", "date_part") or toks[i + 1].token_type != TokenType.L_PAREN:
            continue
        if text[t.start - base] == '"' or (i > 0 and toks[i - 1].token_type == TokenType.DOT):
            continue
        end = _close(toks, i + 1)
        field = _field(toks[i + 2])
        sep = toks[i + 3].token_type
        if end is None or field is None or sep != (TokenType.FROM if name == "extract" else TokenType.COMMA):
            continue
        if name == "date_part" and toks[i + 2].token_type != TokenType.STRING:
            continue
        head, tail = _FIELDS[field].split("{}")
        if name == "date_part":
            head, tail = f"CAST({head}", f"{tail} AS DOUBLE)"
        out.append(
            [
                (t.start - base, toks[i + 3].end - base + 1, head),
                (toks[end].start - base, toks[end].end - base + 1, tail),
            ]
        )
    return out


def rounds(text: str, toks: Sequence[Token], base: int) -> list[list[Edit]]:
    """round(x) -> __pg_round(x, x): float8's half to even (DuckDB rounds half away from zero),
    integers as float8. Left alone where DuckDB cannot type x (see _typable)."""
    out: list[list[Edit]] = []
    for i, t in enumerate(toks[:-2]):
        if (
            t.text.lower() != "round"
            or toks[i + 1].token_type != TokenType.L_PAREN
            or text[t.start - base] == '"'
            or (i > 0 and toks[i - 1].token_type == TokenType.DOT)
        ):
            continue
        end = _close(toks, i + 1)
        if end is None or end == i + 2 or not _plain_argument(toks, i + 2, end - 1):
            continue  # round(x, n) is numeric's, as DuckDB's
        if not _typable(toks, i + 2, end - 1) or any(
            x.text.lower() == "round" and x is not t for x in toks[i + 2 : end]
        ):
            continue
        arg = text[toks[i + 2].start - base : toks[end].start - base].rstrip()
        out.append([(t.start - base, toks[end].end - base + 1, f"{_ROUND}({arg}, {arg})")])
    return out


# ---------------------------------------------------------------- math functions and ^

# engine.pgmath's macros with PostgreSQL's errors (2201E, 2201F, 22003) where DuckDB answers NaN,
# -Infinity or Infinity: sqrt(-1), ln(0), log(-1), (-8) ^ (1.0/3), 1e200 ^ 2, exp(1000).
# gcd(x, y) and lcm(x, y): PostgreSQL's integer of int2/int4 arguments, bigint of int8 ones (DuckDB's
# are BIGINT for both).
_MATH = {"sqrt": "__pg_sqrt", "ln": "__pg_ln", "log": "__pg_log", "log10": "__pg_log10",
         "power": "__pg_power", "pow": "__pg_power", "exp": "__pg_exp", "gcd": "__pg_gcd",
         "lcm": "__pg_lcm"}  # fmt: skip
_POWER = "__pg_power"


def math_calls(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """sqrt(x), ln(x), log([b,] x), log10(x), power(x, y) -> the engine's checked macros."""
    edits: list[Edit] = []
    for i, t in enumerate(toks[:-1]):
        new = _MATH.get(t.text.lower())
        if (
            new is None
            or toks[i + 1].token_type != TokenType.L_PAREN
            or text[t.start - base] == '"'
            or (i > 0 and toks[i - 1].token_type in (TokenType.DOT, TokenType.DCOLON, TokenType.ALIAS))
        ):
            continue
        edits.append((t.start - base, t.end - base + 1, new))
    return edits


_INT4_WINDOWS = frozenset({"ntile"})  # window functions PostgreSQL types integer (DuckDB: BIGINT)


def integer_windows(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """ntile(n) OVER (...) -> CAST(... AS INTEGER): PostgreSQL's int4 (a checked cast). A named
    window (OVER w) is left as DuckDB's."""
    edits: list[Edit] = []
    for i, t in enumerate(toks[:-1]):
        if (
            t.text.lower() not in _INT4_WINDOWS
            or toks[i + 1].token_type != TokenType.L_PAREN
            or text[t.start - base] == '"'
            or (i > 0 and toks[i - 1].token_type in (TokenType.DOT, TokenType.DCOLON, TokenType.ALIAS))
        ):
            continue
        close = _close(toks, i + 1)
        if close is None or close + 2 >= len(toks) or toks[close + 1].text.upper() != "OVER":
            continue
        if toks[close + 2].token_type != TokenType.L_PAREN:
            continue
        end = _close(toks, close + 2)
        if end is None:
            continue
        edits += [
            (t.start - base, t.start - base, "CAST("),
            (toks[end].end - base + 1, toks[end].end - base + 1, " AS INTEGER)"),
        ]
    return edits


def powers(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """a ^ b -> __pg_power(a, b) where both operands are sure (a sign binds tighter than ^ in
    PostgreSQL: -2 ^ 2 is 4); chains (a ^ b ^ c) are left as DuckDB's."""
    edits: list[Edit] = []
    n = len(toks)
    for k, t in enumerate(toks):
        if t.token_type != TokenType.CARET or k == 0 or k + 1 >= n:
            continue
        left, right = _back(toks, k - 1), _forward(toks, k + 1)
        if left is None or right is None:
            continue
        if any(x.token_type == TokenType.CARET for x in (*toks[left:k], *toks[k + 1 : right + 1])):
            continue
        before = toks[left - 1] if left > 0 else None
        after = toks[right + 1] if right + 1 < n else None
        if (before is not None and before.token_type == TokenType.CARET) or (
            after is not None and after.token_type in (TokenType.CARET, TokenType.DCOLON, TokenType.L_BRACKET)
        ):
            continue
        if not _typable(toks, left, right):
            continue
        a = text[toks[left].start - base : toks[k - 1].end - base + 1]
        b = text[toks[k + 1].start - base : toks[right].end - base + 1]
        edits.append((toks[left].start - base, toks[right].end - base + 1, f"{_POWER}({a}, {b})"))
    return edits


NEGATE = "__pg_neg"  # engine.pgmath.NEGATE


def _negation(toks: Sequence[Token], i: int) -> bool:
    """-( expr ): a sign before a parenthesis (not a subquery's)."""
    return (
        i + 2 < len(toks)
        and toks[i + 1].token_type == TokenType.L_PAREN
        and toks[i + 2].token_type not in (TokenType.SELECT, TokenType.WITH, TokenType.VALUES)
        and unary_minus(toks, i)
    )


def negations(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """-(expr) -> __pg_neg((expr), (expr)): PostgreSQL's 22003 "integer out of range" where DuckDB
    widens -(-2147483647 - 1) to a BIGINT 2147483648 (the overload by the first, the value of
    the second). One inside another's operand stays DuckDB's minus; so does one before ^ or ::,
    which bind tighter."""
    edits: list[Edit] = []
    for i in range(len(toks)):
        if not _negation(toks, i) or (edits and toks[i].start - base < edits[-1][1]):
            continue
        close = _close(toks, i + 1)
        if close is None or not _typable(toks, i + 1, close):
            continue
        after = toks[close + 1] if close + 1 < len(toks) else None
        if after is not None and after.token_type in (TokenType.CARET, TokenType.DCOLON, TokenType.L_BRACKET):
            continue
        inner = text[toks[i + 1].start - base : toks[close].end - base + 1]
        edits.append((toks[i].start - base, toks[close].end - base + 1, f"{NEGATE}({inner}, {inner})"))
    return edits


# ---------------------------------------------------------------- division

_DIV = "__pg_div"  # engine.pgmath.DIV
_TIMES = "__pg_mul"  # engine.pgmath.MUL
_ROUND = "__pg_round"  # engine.pgmath.ROUND
_NAME_TYPES = frozenset({TokenType.VAR, TokenType.IDENTIFIER})
# Keywords that cannot end an operand or be one: where a chain of * / % operands starts or ends.
_CLAUSE = frozenset(
    {
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "AS", "ON", "BY", "GROUP", "ORDER", "HAVING",
        "LIMIT", "OFFSET", "WHEN", "THEN", "ELSE", "END", "CASE", "IN", "IS", "LIKE", "ILIKE", "BETWEEN",
        "UNION", "EXCEPT", "INTERSECT", "JOIN", "SET", "VALUES", "RETURNING", "DISTINCT", "ALL", "ASC",
        "DESC", "NULLS", "WITH", "INTO", "USING", "FILTER", "OVER", "EXISTS", "ANY", "SOME", "SIMILAR",
        "ESCAPE", "COLLATE", "WINDOW", "QUALIFY", "FETCH", "FOR", "INSERT", "UPDATE", "DELETE", "CAST",
        "INTERVAL", "ARRAY", "ROW",
    }
)  # fmt: skip
_TYPED_LITERAL = frozenset({"INTERVAL", "DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "NUMERIC", "DECIMAL"})
_MUL = frozenset({TokenType.STAR, TokenType.SLASH, TokenType.MOD})
_UNARY = frozenset({TokenType.DASH, TokenType.PLUS})


def _word(t: Token) -> bool:
    """A name, a literal or a typed value word (not a keyword that structures the statement)."""
    if t.token_type in _NAME_TYPES or t.token_type in (TokenType.NUMBER, TokenType.STRING, TokenType.NULL):
        return True
    return t.text.replace("_", "a").isalnum() and t.text.upper() not in _CLAUSE


def _ends_operand(t: Token) -> bool:
    return _word(t) or t.token_type in (TokenType.R_PAREN, TokenType.R_BRACKET) or t.text.upper() == "END"


def _open(toks: Sequence[Token], close: int) -> int | None:
    depth = 0
    for j in range(close, -1, -1):
        tt = toks[j].token_type
        if tt in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth += 1
        elif tt in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth -= 1
            if depth == 0:
                return j
    return None


def _case_end(toks: Sequence[Token], i: int, step: int) -> int | None:
    """The END of the CASE at i (step 1), or the CASE of the END at i (step -1)."""
    depth = 0
    j = i
    while 0 <= j < len(toks):
        w = toks[j].text.upper()
        if w == ("CASE" if step == 1 else "END"):
            depth += 1
        elif w == ("END" if step == 1 else "CASE"):
            depth -= 1
            if depth == 0:
                return j
        j += step
    return None


def _back(toks: Sequence[Token], e: int) -> int | None:
    """The first token of the operand (a primary with its unary signs, casts, subscripts and
    ^ powers) that ends at e; None when unsure."""
    if e < 0:
        return None
    t = toks[e]
    if t.token_type in (TokenType.R_PAREN, TokenType.R_BRACKET):
        s = _open(toks, e)
        if s is None:
            return None
        if s >= 2 and toks[s - 1].text.upper() in ("FILTER", "OVER"):
            return _back(toks, s - 2)  # f(x) FILTER (...), f(x) OVER (...)
        if (
            s > 0
            and toks[s - 1].token_type not in _MUL
            and _word(toks[s - 1])
            and toks[s - 1].token_type
            not in (
                TokenType.NUMBER,
                TokenType.STRING,
            )
        ):
            s -= 1  # a call, or a subscript of a name
            while s >= 2 and toks[s - 1].token_type == TokenType.DOT and _word(toks[s - 2]):
                s -= 2
    elif t.text.upper() == "END":
        s = _case_end(toks, e, -1)
        if s is None:
            return None
    elif t.token_type == TokenType.STRING and e > 0 and toks[e - 1].text.upper() in _TYPED_LITERAL:
        s = e - 1
    elif _word(t):
        s = e
        while s >= 2 and toks[s - 1].token_type == TokenType.DOT and _word(toks[s - 2]):
            s -= 2
        if s >= 1 and toks[s - 1].token_type == TokenType.PARAMETER:
            if s + 1 < len(toks) and toks[s + 1].token_type == TokenType.DCOLON:
                return s - 1  # $1::float8 (the cast goes on below)
            return None
    else:
        return None
    if s >= 1 and toks[s - 1].token_type in (TokenType.DCOLON, TokenType.CARET):
        return _back(toks, s - 2)  # x::type, x ^ y: the operand goes on to the left
    while s >= 1 and toks[s - 1].token_type in _UNARY and (s < 2 or not _ends_operand(toks[s - 2])):
        s -= 1
    return s


def _chain_start(toks: Sequence[Token], e: int) -> int | None:
    """The first token of the chain of * / % operands ending at e (they bind left to right)."""
    s = _back(toks, e)
    while s is not None and s >= 2 and toks[s - 1].token_type in _MUL and _ends_operand(toks[s - 2]):
        k = s - 2
        if (
            toks[s - 1].token_type in (TokenType.SLASH, TokenType.STAR)
            and toks[k].token_type == toks[s - 1].token_type
        ):
            return None  # // and **: left alone
        s = _back(toks, k)
    return s


def _forward(toks: Sequence[Token], b: int) -> int | None:
    """The last token of the operand that starts at b; None when unsure."""
    n = len(toks)
    while b < n and toks[b].token_type in _UNARY:
        b += 1
    if b >= n:
        return None
    t = toks[b]
    if t.token_type == TokenType.L_PAREN:
        e = _close(toks, b)
    elif t.text.upper() == "CASE":
        e = _case_end(toks, b, 1)
    elif t.text.upper() in _TYPED_LITERAL and b + 1 < n and toks[b + 1].token_type == TokenType.STRING:
        e = b + 1
    elif (
        t.token_type == TokenType.PARAMETER
        and _cast_parameter(toks, b)
        and toks[b + 2].token_type == TokenType.DCOLON
    ):
        e = b + 1  # $1::float8 (the cast goes on below)
    elif _word(t):
        e = b
        while e + 2 < n and toks[e + 1].token_type == TokenType.DOT and _word(toks[e + 2]):
            e += 2
        if (
            e + 1 < n
            and toks[e + 1].token_type == TokenType.L_PAREN
            and t.token_type
            not in (
                TokenType.NUMBER,
                TokenType.STRING,
            )
        ):
            e = _close(toks, e + 1)
            if e is not None and e + 2 < n and toks[e + 1].text.upper() in ("FILTER", "OVER"):
                e = _close(toks, e + 2) if toks[e + 2].token_type == TokenType.L_PAREN else None
    else:
        return None
    while e is not None and e + 1 < n:
        nxt = toks[e + 1].token_type
        if nxt == TokenType.DCOLON and e + 2 < n:
            e += 2
            if e + 1 < n and toks[e + 1].token_type == TokenType.L_PAREN:
                e = _close(toks, e + 1)
            while e is not None and e + 2 < n and toks[e + 1].token_type == TokenType.L_BRACKET:
                e = _close(toks, e + 1)
        elif nxt == TokenType.L_BRACKET:
            e = _close(toks, e + 1)
        elif nxt == TokenType.CARET:
            e = _forward(toks, e + 2)
        else:
            break
    return e


def _delimits(t: Token | None) -> bool:
    """Whether a token may stand next to a chain of * / % operands (not part of an operand)."""
    if t is None:
        return True
    if t.token_type in (TokenType.DOT, TokenType.DCOLON, TokenType.L_BRACKET, TokenType.CARET):
        return False
    if t.text.upper() in ("FILTER", "OVER", "COLLATE", "ESCAPE"):
        return False
    return not _ends_operand(t) or t.text.upper() in _CLAUSE


# Scalar functions an operand may call: DuckDB types a macro's arguments to pick its overload,
# but not an aggregate or window call there (avg(x) / 2 would bind as integers: never done).
_SCALAR_CALLS = frozenset(
    {
        "abs", "round", "trunc", "ceil", "ceiling", "floor", "coalesce", "nullif", "greatest", "least",
        "length", "char_length", "octet_length", "power", "pow", "sqrt", "sign", "mod", "cast",
        "try_cast", "date_part", "extract", "epoch", "epoch_us", "age", "now", "random", _DIV, _ROUND,
        "__pg_sqrt", "__pg_ln", "__pg_log", "__pg_log10", "__pg_power", "__pg_exp", _TIMES, NEGATE,
        "gcd", "lcm", "__pg_gcd", "__pg_lcm",
        # pgcompat.jsonb's x - 1 (DuckDB's own - but for a JSON x) and the class of x it passes
        "__pg_jminus", "__pg_jlminus", "__pg_jcls",
        "__pg_add", "__pg_sub", "__pg_cast_numeric", "__pg_mchain", "__pg_chain",
    }
)  # fmt: skip


# the calls these rewrites make of + - * /, whose overload was picked by operands DuckDB types
# (picked_by): a parameter among the operands they compute from leaves their type known
_PICKED = frozenset({"__pg_add", "__pg_sub", "__pg_mul", _DIV, "__pg_jminus", "__pg_jlminus"})


def _typable(toks: Sequence[Token], first: int, last: int) -> bool:
    """Whether DuckDB's binder can type the operands to pick the overload: no parameter, no
    subquery, and no call but of the scalar functions above."""
    j = first - 1
    while j < last:
        j += 1
        t = toks[j]
        if t.text.lower() in _PICKED and j + 1 <= last and toks[j + 1].token_type == TokenType.L_PAREN:
            close = _close(toks, j + 1)
            if close is not None and close <= last:
                j = close
                continue
        if t.token_type == TokenType.PARAMETER and _cast_parameter(toks, j):
            continue  # $1::float8, CAST($1 AS ...): DuckDB types it by the cast
        if t.token_type in (TokenType.PARAMETER, TokenType.SELECT) or t.text.upper() in ("OVER", "FILTER"):
            return False
        if (
            j + 1 <= last
            and toks[j + 1].token_type == TokenType.L_PAREN
            and _word(t)
            and t.token_type not in (TokenType.NUMBER, TokenType.STRING)
            and t.text.lower() not in _SCALAR_CALLS
            and not (j > first and toks[j - 1].token_type in (TokenType.DCOLON, TokenType.ALIAS))  # a type
        ):
            return False
    return True


def _cast_parameter(toks: Sequence[Token], j: int) -> bool:
    """Whether the parameter at j ($ and its number) is cast right there: $1::type, CAST($1 AS
    type), or CAST(( $1 ) AS type), the type of a literal beside it (pgcompat.param_types) or the
    one the client declares (pgwire.types.declared_params)."""
    n = len(toks)
    if j + 2 >= n or toks[j + 1].token_type != TokenType.NUMBER:
        return False
    after = toks[j + 2].token_type
    if after == TokenType.DCOLON:
        return True
    if j >= 2 and toks[j - 1].token_type == TokenType.L_PAREN:
        if after == TokenType.ALIAS and toks[j - 2].text.upper() == "CAST":
            return True
        return (
            j >= 3
            and j + 3 < n
            and toks[j - 2].token_type == TokenType.L_PAREN
            and toks[j - 3].text.upper() == "CAST"
            and after == TokenType.R_PAREN
            and toks[j + 3].token_type == TokenType.ALIAS
        )
    return False


def _bare_parameter(toks: Sequence[Token], first: int, last: int) -> bool:
    """Whether tokens first..last are one parameter ($1), nothing more."""
    return (
        last == first + 1
        and toks[first].token_type == TokenType.PARAMETER
        and toks[last].token_type == TokenType.NUMBER
    )


# what may stand just beside a parameter that is a whole operand of + - * (not a cast of it, a
# power, a subscript, or another factor)
_NOT_ALONE = frozenset({*_MUL, TokenType.DCOLON, TokenType.CARET, TokenType.L_BRACKET, TokenType.DOT})


def _parameter_before(toks: Sequence[Token], e: int) -> int | None:
    """The first token of the operand ending at e when it is a parameter alone ($1)."""
    if not (e >= 1 and _bare_parameter(toks, e - 1, e)) or (e >= 2 and toks[e - 2].token_type in _NOT_ALONE):
        return None
    if e >= 2 and toks[e - 2].token_type in _UNARY and (e < 3 or not _ends_operand(toks[e - 3])):
        return None  # -$1 + a: a sign of it (left as it is)
    return e - 1


def _parameter_after(toks: Sequence[Token], b: int) -> int | None:
    """The last token of the operand starting at b when it is a parameter alone ($1)."""
    n = len(toks)
    if (
        b + 1 < n
        and _bare_parameter(toks, b, b + 1)
        and (b + 2 >= n or toks[b + 2].token_type not in _NOT_ALONE)
    ):
        return b + 1
    return None


def picked_by(toks: Sequence[Token], left: int, k: int, right: int, a: str, b: str) -> tuple[str, str] | None:
    """The pair of texts that picks the overload of a op b (operands left..k-1 and k+1..right):
    (a, b) where DuckDB can type both; where one is a parameter alone, its pick is
    __pg_ptype($n, other): the other operand's type, which PostgreSQL gives an untyped parameter
    (a float8 - $1 is a float8: its overflow is checked; DuckDB types $1 from x op y, computed as
    written), or the type the client declares for it (pgwire.types.declared_params: $1 + $2 of
    two float8 parameters); None where DuckDB cannot type them."""
    alone_a, alone_b = _bare_parameter(toks, left, k - 1), _bare_parameter(toks, k + 1, right)
    if alone_a and alone_b:
        return f"{PARAM_PICK}({a}, {a})", f"{PARAM_PICK}({b}, {b})"
    if alone_a and _typable(toks, k + 1, right):
        return f"{PARAM_PICK}({a}, {b})", b
    if alone_b and _typable(toks, left, k - 1):
        return a, f"{PARAM_PICK}({b}, {a})"
    return (a, b) if _typable(toks, left, right) else None


def _computed(pick: tuple[str, str], a: str, b: str) -> tuple[str, str]:
    """The operands a call computes from: a and b, but two lone parameters are computed as their
    picks (the declared types: $1 + $2 of two int2 is an int2, of two numerics exact)."""
    if pick[0].startswith(PARAM_PICK) and pick[1].startswith(PARAM_PICK):
        return pick
    return a, b


def _multiplication(toks: Sequence[Token], k: int) -> bool:
    """Whether the * at k multiplies (not SELECT *, count(*), t.* or DuckDB's **)."""
    if toks[k].token_type != TokenType.STAR or k == 0 or k + 1 >= len(toks):
        return False
    prev, nxt = toks[k - 1], toks[k + 1]
    if TokenType.STAR in (prev.token_type, nxt.token_type) or prev.token_type == TokenType.DOT:
        return False
    return _ends_operand(prev) and prev.text.upper() not in _CLAUSE


def _operator(toks: Sequence[Token], k: int) -> bool:
    return toks[k].token_type == TokenType.SLASH or _multiplication(toks, k)


def _holds_operator(toks: Sequence[Token], first: int, last: int) -> bool:
    """Whether tokens first..last hold a / or * (not inside a product chain's __pg_mchain call)."""
    j = first
    while j <= last:
        if (
            toks[j].text.lower() == _PRODUCT_CHAIN
            and j + 1 <= last
            and toks[j + 1].token_type == TokenType.L_PAREN
        ):
            close = _close(toks, j + 1)
            if close is not None:
                j = close + 1
                continue
        if _operator(toks, j):
            return True
        j += 1
    return False


def divisions(
    text: str, toks: Sequence[Token], base: int, products: bool = True
) -> tuple[list[list[Edit]], bool]:
    """a / b -> __pg_div(a, b, a, b), where the engine's overloads keep integer and float division
    and make a numeric one exact, and a * b -> __pg_mul(a, b, a, b), where they refuse a float
    product that overflows (22003, as PostgreSQL's float8mul; DuckDB answers Infinity); and
    whether an operation waits for the next pass (an operand holding another)."""
    out: list[list[Edit]] = []
    deferred = False
    n = len(toks)
    for k, t in enumerate(toks):
        if t.token_type not in (TokenType.SLASH, TokenType.STAR) or k == 0 or k + 1 >= n:
            continue
        if t.token_type == TokenType.STAR and (not products or not _multiplication(toks, k)):
            continue  # (past its passes a product is left to products)
        if toks[k - 1].token_type == TokenType.SLASH or toks[k + 1].token_type == TokenType.SLASH:
            continue  # DuckDB's // (integer division)
        left, right = _chain_start(toks, k - 1), _forward(toks, k + 1)
        left = _parameter_before(toks, k - 1) if left is None else left  # (a * $1: picked_by)
        right = _parameter_after(toks, k + 1) if right is None else right
        if left is None or right is None:
            continue
        before = toks[left - 1] if left > 0 else None
        after = toks[right + 1] if right + 1 < n else None
        if not _delimits(before) or not (
            _delimits(after) or after.token_type in (*_NAME_TYPES, TokenType.R_PAREN, TokenType.R_BRACKET)
        ):
            continue  # (an operand may be followed by its alias, or end a parenthesis)
        a = text[toks[left].start - base : toks[k - 1].end - base + 1]
        b = text[toks[k + 1].start - base : toks[right].end - base + 1]
        # (a lone parameter divided by a numeric is read as text by the exact quotient: DuckDB
        # types it VARCHAR, exact as the untyped parameter it was)
        pick = picked_by(toks, left, k, right, a, b)
        if pick is None:
            continue
        a, b = _computed(pick, a, b)
        if (
            _holds_operator(toks, left, k - 1)
            or _holds_operator(toks, k + 1, right)
            or (out and out[-1][0][1] > toks[left].start - base)
        ):
            deferred = True  # an operand holding a division or product (a / b / c): the next pass
            continue
        # the overload is picked by the first two, the value computed from the last two (not
        # cast to the overload's types: a decimal keeps every digit it has)
        macro = _DIV if t.token_type == TokenType.SLASH else _TIMES
        pa, pb = pick
        out.append([(toks[left].start - base, toks[right].end - base + 1, f"{macro}({pa}, {pb}, {a}, {b})")])
    return out, deferred


# ---------------------------------------------------------------- addition and subtraction

_ADDS = {TokenType.PLUS: "__pg_add", TokenType.DASH: "__pg_sub"}  # engine.pgmath.ADD, SUB
_ADD = frozenset(_ADDS)
_TIGHTER = frozenset({*_MUL, TokenType.CARET, TokenType.DCOLON, TokenType.DOT, TokenType.L_BRACKET})


# Statements whose + and - are arithmetic (MOVE -2 FROM c, FETCH ABSOLUTE -1 take a sign)
_QUERIES = frozenset(
    {TokenType.SELECT, TokenType.INSERT, TokenType.UPDATE, TokenType.DELETE, TokenType.WITH, TokenType.VALUES}
)
_SIGN_AFTER = frozenset({"TO", "SYMMETRIC", "ABSOLUTE", "RELATIVE", "FORWARD", "BACKWARD"})


def _additive(toks: Sequence[Token], k: int) -> bool:
    """Whether the + or - at k adds or subtracts (not a sign) in a query or DML statement."""
    if toks[k].token_type not in _ADD or k == 0 or k + 1 >= len(toks) or toks[0].token_type not in _QUERIES:
        return False
    prev = toks[k - 1]
    word = prev.text.upper()
    return _ends_operand(prev) and (word not in _CLAUSE or word == "END") and word not in _SIGN_AFTER


def _term_end(toks: Sequence[Token], b: int) -> int | None:
    """The last token of the chain of * / % operands that starts at b."""
    e = _forward(toks, b)
    while e is not None and e + 2 < len(toks) and _operator(toks, e + 1):
        e = _forward(toks, e + 2)
    return e


def additions(text: str, toks: Sequence[Token], base: int) -> tuple[list[Edit], bool]:
    """a + b -> __pg_add(a, b, a, b) and a - b -> __pg_sub(a, b, a, b): DuckDB's sums, but a float
    sum that overflows is PostgreSQL's 22003 "value out of range: overflow" (float8pl, float8mi),
    where DuckDB answers Infinity. Left to right: a + b + c waits for a + b to be a call (the
    next pass); and whether one waits."""
    edits: list[Edit] = []
    deferred = False
    n = len(toks)
    for k in range(1, n - 1):
        if not _additive(toks, k):
            continue
        left, right = _chain_start(toks, k - 1), _term_end(toks, k + 1)
        left = _parameter_before(toks, k - 1) if left is None else left  # (a - $1: picked by a)
        right = _parameter_after(toks, k + 1) if right is None else right
        if left is None or right is None:
            continue
        before = toks[left - 1] if left > 0 else None
        after = toks[right + 1] if right + 1 < n else None
        if before is not None and before.token_type in _ADD and _additive(toks, left - 1):
            deferred = True  # (a + b) + c: once a + b is a call
            continue
        if any(x is not None and x.token_type in _TIGHTER for x in (before, after)):
            continue  # a // b + 1, a + b % c: an operator that binds tighter than + (unsure)
        if not _delimits(before) or not (
            _delimits(after)
            or after.token_type in (*_NAME_TYPES, TokenType.R_PAREN, TokenType.R_BRACKET, *_ADD)
        ):
            continue
        a = text[toks[left].start - base : toks[k - 1].end - base + 1]
        b = text[toks[k + 1].start - base : toks[right].end - base + 1]
        pick = picked_by(toks, left, k, right, a, b)
        if pick is None:
            continue
        a, b = _computed(pick, a, b)
        if edits and edits[-1][1] > toks[left].start - base:
            deferred = True  # (a - b) + c, f(a - b) + c: once the inner one is a call
            continue
        macro = _ADDS[toks[k].token_type]
        edits.append(
            (toks[left].start - base, toks[right].end - base + 1, f"{macro}({pick[0]}, {pick[1]}, {a}, {b})")
        )
    return edits, deferred


_CHAIN = "__pg_chain"  # engine.pgmath.CHAIN: (r, l) the chain's value and its signed terms


def chains(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """What additions leaves of a chain longer than its passes (L + c + d, L the calls they made):
    the chain as DuckDB's own + and -, in __pg_chain(chain, l), l the signed terms as doubles (read
    only where the chain is not finite): a float result that is not finite from finite operands
    overflowed on the way, PostgreSQL's 22003 (float8pl's check; once a partial sum is infinite,
    adding finite values keeps it so); with an operand that is not finite, the terms are added up
    again one by one with float8pl's check (a real chain's is made in float8: its overflow past an
    Infinity operand is not seen). Chains with
    a parameter or a subquery are left as they are (a cast would type the parameter)."""
    edits: list[Edit] = []
    n = len(toks)
    for k in range(1, n - 1):
        if not _additive(toks, k):
            continue
        left = _chain_start(toks, k - 1)
        if left is None or (edits and edits[-1][1] > toks[left].start - base):
            continue
        before = toks[left - 1] if left > 0 else None
        if before is not None and (before.token_type in _TIGHTER or not _delimits(before)):
            continue
        if before is not None and before.token_type in _ADD and _additive(toks, left - 1):
            continue  # not the chain's first operator
        operands = [(left, k - 1, "")]
        op, right = k, None
        while True:
            right = _term_end(toks, op + 1)
            if right is None:
                break
            operands.append((op + 1, right, "-" if toks[op].token_type == TokenType.DASH else ""))
            if right + 1 < n and _additive(toks, right + 1):
                op = right + 1
                continue
            break
        if right is None:
            continue
        after = toks[right + 1] if right + 1 < n else None
        if after is not None and (
            after.token_type in _TIGHTER
            or not (
                _delimits(after) or after.token_type in (*_NAME_TYPES, TokenType.R_PAREN, TokenType.R_BRACKET)
            )
        ):
            continue
        if not _typable(toks, left, right):
            continue
        chain = text[toks[left].start - base : toks[right].end - base + 1]
        terms = ", ".join(
            f"{sign}TRY_CAST(({text[toks[a].start - base : toks[b].end - base + 1]}) AS DOUBLE)"
            for a, b, sign in operands
        )
        edits.append((toks[left].start - base, toks[right].end - base + 1, f"{_CHAIN}({chain}, [{terms}])"))
    return edits


_PRODUCT_CHAIN = "__pg_mchain"  # engine.pgmath.PRODUCT_CHAIN: (r, l) as __pg_chain, for *


def products(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """What divisions leaves of a product longer than its passes (L * c * d, L the calls they
    made): the run of * from the chain's start as DuckDB's own *, in __pg_mchain(run, l), l the
    factors as doubles (read only where the product is 0 or not finite): a float product that is
    infinite (0) from factors finite and not 0 overflowed (underflowed) on the way, PostgreSQL's
    22003 (float8mul's checks; a partial product once infinite or 0 stays so); with a factor that
    is 0 or not finite, the factors are multiplied again one by one with float8mul's checks. A / after the
    run is left to divisions (the run is then one operand). Runs with a parameter or a subquery
    are left as they are (a cast would type the parameter)."""
    edits: list[Edit] = []
    n = len(toks)
    for k in range(1, n - 1):
        if not _multiplication(toks, k) or (edits and edits[-1][1] > toks[k].start - base):
            continue
        left = _chain_start(toks, k - 1)
        if left is None or not _delimits(toks[left - 1] if left > 0 else None):
            continue
        first = _forward(toks, left)
        if first != k - 1:
            continue  # a / or % before it: divisions first
        factors = [(left, k - 1)]
        op, right = k, None
        while True:
            right = _forward(toks, op + 1)
            if right is None:
                break
            factors.append((op + 1, right))
            if right + 1 < n and _multiplication(toks, right + 1):
                op = right + 1
                continue
            break
        if right is None or not _typable(toks, left, right):
            continue
        after = toks[right + 1] if right + 1 < n else None
        if after is not None and (
            after.token_type in (TokenType.CARET, TokenType.DCOLON, TokenType.DOT, TokenType.L_BRACKET)
            or not (
                _delimits(after)
                or after.token_type
                in (*_NAME_TYPES, TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.SLASH, TokenType.MOD)
            )
        ):
            continue
        run = text[toks[left].start - base : toks[right].end - base + 1]
        values = ", ".join(
            f"TRY_CAST(({text[toks[a].start - base : toks[b].end - base + 1]}) AS DOUBLE)" for a, b in factors
        )
        edits.append(
            (toks[left].start - base, toks[right].end - base + 1, f"{_PRODUCT_CHAIN}({run}, [{values}])")
        )
    return edits
