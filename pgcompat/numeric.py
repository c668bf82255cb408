"""PostgreSQL's unconstrained `numeric` on DuckDB's decimals.

PostgreSQL's bare `numeric` keeps every digit it is given. DuckDB's bare DECIMAL is
DECIMAL(18,3), which rounds 1.23456 to 1.235 without a word. DuckDB's widest decimal has 38
digits, so an unconstrained numeric is stored as DECIMAL(38,10) (pgwire.types.UNCONSTRAINED_NUMERIC):
28 digits before the point, 10 after. A value that does not fit is refused (22003), never
rounded: a literal cast to numeric here, a parameter the engine binds to it (engine.codec.params),
a COPY value (engine.copy). Results of that type are sent with PostgreSQL's bare numeric typmod
and without the trailing zeros of the fixed scale (engine.codec.numeric).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation

from sqlglot.tokens import Token, TokenType

from pgcompat import datetime_literals
from pgwire.errors import DbError
from pgwire.types import (
    NOT_ROUNDED,
    UNCONSTRAINED_NUMERIC,
    UNCONSTRAINED_NUMERIC_PRECISION,
    numeric_fits,
    require_exact_numeric,
)

Edit = tuple[int, int, str]

_NAMES = frozenset({"NUMERIC", "DECIMAL", "DEC"})
# DECIMAL(38,10) spelt as no client writes it: the cast of an expression to an unconstrained
# numeric, which pgcompat.result_types.numeric_casts makes exact by the expression's type (left
# as it is, DuckDB reads it as DECIMAL(38,10)).
CAST_MARK = "DECIMAL(038,10)"
CAST_MARK_DIGITS = "038"
_DDL = frozenset({TokenType.CREATE, TokenType.ALTER})


def _type_position(toks: Sequence[Token], i: int) -> bool:
    """Whether the numeric word at i names a type (not a column called numeric)."""
    prev = toks[i - 1] if i > 0 else None
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if prev is None:
        return False
    if prev.token_type == TokenType.DCOLON:
        return True
    if nxt is not None and nxt.token_type == TokenType.STRING:
        return True  # numeric '1.5'
    if prev.token_type == TokenType.ALIAS:  # CAST(x AS numeric), not SELECT 1 AS numeric FROM
        return nxt is None or nxt.token_type in (TokenType.R_PAREN, TokenType.L_BRACKET)
    if toks[0].token_type in _DDL:
        # a column definition (c numeric ...) or ALTER ... TYPE numeric: after a name
        return prev.token_type not in (TokenType.L_PAREN, TokenType.COMMA, TokenType.DOT) and (
            nxt is None or nxt.token_type not in (TokenType.DCOLON,)
        )
    return False


def check_literal(text: str) -> None:
    """22003 when a numeric literal does not fit an unconstrained numeric without rounding."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return  # not a number: DuckDB says so (22P02)
    require_exact_numeric(value)


def _is_parameter(toks: Sequence[Token], k: int) -> bool:
    return k >= 1 and toks[k].token_type == TokenType.NUMBER and toks[k - 1].token_type == TokenType.PARAMETER


def _is_literal(toks: Sequence[Token], k: int) -> bool:
    return toks[k].token_type in (TokenType.NUMBER, TokenType.STRING) and not _is_parameter(toks, k)


def _cast_of(toks: Sequence[Token], i: int, base: int) -> tuple[str, list[Edit]]:
    """x::numeric: the type to cast to, and edits of x.

    DuckDB converts a DOUBLE to DECIMAL(38,10) through the double scaled by 10^10
    (123456789.123 becomes 123456789.1229999872); through its shortest decimal text the digits
    are the float's own, as PostgreSQL gives them, so expressions go through VARCHAR. Literals
    are checked here (one with an exponent, a DOUBLE to DuckDB, is read as the decimal text it
    is); parameters go straight, keeping their numeric type in ParameterDescription."""
    k = i - 2
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if toks[k].token_type == TokenType.NULL:
        return UNCONSTRAINED_NUMERIC, []
    if _is_literal(toks, k):
        t = toks[k]
        check_literal(t.text)
        if t.token_type == TokenType.NUMBER and "e" in t.text.lower():
            return UNCONSTRAINED_NUMERIC, [(t.start - base, t.end - base + 1, f"'{t.text}'")]
        return UNCONSTRAINED_NUMERIC, []
    if _is_parameter(toks, k) or (nxt is not None and nxt.token_type == TokenType.L_BRACKET):
        return UNCONSTRAINED_NUMERIC, []  # numeric[]: element casts
    return f"VARCHAR::{CAST_MARK}", []


def unconstrained_numeric(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """numeric / decimal without a precision -> DECIMAL(38,10); a literal cast to it is checked."""
    edits: list[Edit] = []
    for i, t in enumerate(toks):
        if t.token_type != TokenType.DECIMAL or t.text.upper() not in _NAMES:
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt is not None and nxt.token_type == TokenType.L_PAREN:
            continue  # numeric(p, s): PostgreSQL rounds to s too
        if not _type_position(toks, i):
            continue
        prev = toks[i - 1]
        if prev.token_type == TokenType.DCOLON and i >= 2:
            target, operand = _cast_of(toks, i, base)
            edits += operand
            edits.append((t.start - base, t.end - base + 1, target))
            continue
        target = UNCONSTRAINED_NUMERIC
        if nxt is not None and nxt.token_type == TokenType.STRING:
            check_literal(nxt.text)  # numeric '1.5'
        elif (
            prev.token_type == TokenType.ALIAS
            and i >= 3
            and _is_literal(toks, i - 2)
            and toks[i - 3].token_type == TokenType.L_PAREN
        ):
            check_literal(toks[i - 2].text)  # CAST(1.5 AS numeric)
        elif prev.token_type == TokenType.ALIAS and nxt is not None and nxt.token_type == TokenType.R_PAREN:
            target = CAST_MARK  # CAST(expr AS numeric)
        edits.append((t.start - base, t.end - base + 1, target))
    return edits


# ---------------------------------------------------------------- literals written into columns

# The first words of what may stand in a VALUES list or SET after a bare number (its end).
_ITEM_END = frozenset({TokenType.COMMA, TokenType.R_PAREN})


def _name(text: str, t: Token, base: int) -> str:
    """An identifier as DuckDB compares it (lower-cased unless quoted)."""
    return t.text if text[t.start - base] == '"' else t.text.lower()


def _literal_at(toks: Sequence[Token], i: int) -> tuple[str, int] | None:
    """A bare number (with its sign) at i that an unconstrained numeric cannot hold: (text, the
    index after it)."""
    sign = ""
    if i < len(toks) and toks[i].token_type in (TokenType.DASH, TokenType.PLUS):
        sign, i = ("-" if toks[i].token_type == TokenType.DASH else ""), i + 1
    if i >= len(toks) or toks[i].token_type != TokenType.NUMBER or (i > 0 and _is_parameter(toks, i)):
        return None
    try:
        value = Decimal(sign + toks[i].text)
    except InvalidOperation:
        return None
    if not value.is_finite() or numeric_fits(value):
        return None
    return sign + toks[i].text, i + 1


def _table(text: str, toks: Sequence[Token], i: int, base: int) -> tuple[str, str, int] | None:
    """schema, table (as DuckDB compares them) of a name at i, and the index after it."""
    if i >= len(toks):
        return None
    if i + 2 < len(toks) and toks[i + 1].token_type == TokenType.DOT:
        schema = _name(text, toks[i], base)
        return ("main" if schema == "public" else schema), _name(text, toks[i + 2], base), i + 3
    return "main", _name(text, toks[i], base), i + 1


def written_literals(
    text: str,
    toks: Sequence[Token],
    base: int,
    pick: Callable[[Sequence[Token], int], tuple[str, int] | None] | None = None,
) -> tuple[str, str, list[tuple[str | int, str]]] | None:
    """INSERT INTO t [(cols)] VALUES (...) and UPDATE t SET c = <literal>: the table and the
    (column name, or 1-based position) that each literal pick finds (its text and the index after
    it; by default a too long bare number) is written into as the whole value."""
    pick = pick or _literal_at
    words = [t.token_type for t in toks[:2]]
    found: list[tuple[str | int, str]] = []
    if words == [TokenType.INSERT, TokenType.INTO]:
        named = _table(text, toks, 2, base)
        if named is None:
            return None
        schema, table, i = named
        columns: list[str] = []
        if i < len(toks) and toks[i].token_type == TokenType.L_PAREN:
            i += 1
            while i < len(toks) and toks[i].token_type != TokenType.R_PAREN:
                if toks[i].token_type != TokenType.COMMA:
                    columns.append(_name(text, toks[i], base))
                i += 1
            i += 1
        if i >= len(toks) or toks[i].token_type != TokenType.VALUES:
            return None
        i += 1
        while i < len(toks) and toks[i].token_type == TokenType.L_PAREN:
            i, position, depth = i + 1, 0, 1
            while i < len(toks) and depth:
                at = pick(toks, i) if toks[i - 1].token_type in (TokenType.L_PAREN, TokenType.COMMA) else None
                if (
                    at is not None
                    and depth == 1
                    and at[1] < len(toks)
                    and toks[at[1]].token_type in _ITEM_END
                ):
                    target = columns[position] if position < len(columns) else position + 1
                    found.append((target if columns else position + 1, at[0]))
                tt = toks[i].token_type
                depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(tt, 0)
                if tt == TokenType.COMMA and depth == 1:
                    position += 1
                i += 1
            if i < len(toks) and toks[i].token_type == TokenType.COMMA:
                i += 1
    elif words[:1] == [TokenType.UPDATE]:
        named = _table(text, toks, 1, base)
        if named is None:
            return None
        schema, table, i = named
        while i < len(toks) and toks[i].token_type != TokenType.SET:
            i += 1
        depth = 0
        for j in range(i + 1, len(toks) - 2):
            tt = toks[j].token_type
            depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(tt, 0)
            if depth == 0 and tt in (TokenType.WHERE, TokenType.FROM, TokenType.RETURNING):
                break
            if (
                depth == 0
                and toks[j + 1].token_type == TokenType.EQ
                and toks[j - 1].token_type
                in (
                    TokenType.SET,
                    TokenType.COMMA,
                )
            ):
                at = pick(toks, j + 2)
                if at is not None and (at[1] >= len(toks) or toks[at[1]].token_type not in _CONTINUES):
                    found.append((_name(text, toks[j], base), at[0]))
    else:
        return None
    return (schema, table, found) if found else None


# What may follow a number inside a longer expression (then it is not the whole value).
_CONTINUES = frozenset(
    {
        TokenType.PLUS,
        TokenType.DASH,
        TokenType.STAR,
        TokenType.SLASH,
        TokenType.MOD,
        TokenType.DCOLON,
        TokenType.CARET,
    }
)


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def literal_checks(text: str, toks: Sequence[Token]) -> list[str]:
    """A statement run first (pgcompat.rewrite's pre) that fails with 22003 when a number too long
    for an unconstrained numeric (more than 10 decimals or 28 whole digits) is written by INSERT
    ... VALUES or UPDATE ... SET into such a column: DuckDB would round it into DECIMAL(38,10)
    without a word. Only the catalog knows the column's type, hence the check when it runs."""
    if not toks or toks[0].token_type not in (TokenType.INSERT, TokenType.UPDATE):
        return []
    found = written_literals(text, toks, toks[0].start)
    if found is None:
        return []
    schema, table, items = found
    checks = []
    for target, literal in items:
        try:
            require_exact_numeric(Decimal(literal))
            continue
        except DbError as e:  # its message is the error the check raises
            message = e.message
        checks.append(
            column_check(schema, table, target, _quote(message), f"= {_quote(UNCONSTRAINED_NUMERIC)}")
        )
    return checks


def column_check(schema: str, table: str, target: str | int, message: str, data_type: str) -> str:
    """A statement run first that raises message (an SQL expression, which may read data_type)
    when the column target (a name, or a 1-based position) of schema.table has a type that
    `data_type <condition>` holds: only the catalog knows it when the statement runs."""
    where = (
        f"column_index = {target}"
        if isinstance(target, int)
        else f"lower(column_name) = lower({_quote(target)})"
    )
    return (
        f"SELECT error({message}) FROM duckdb_columns() WHERE database_name IN (current_database(), 'temp')"
        f" AND schema_name = {_quote(schema)} AND lower(table_name) = lower({_quote(table)})"
        f" AND {where} AND data_type {data_type}"
    )


# ---------------------------------------------------------------- numeric literals past 38 digits


def _digits_literal(t: Token) -> bool:
    """A decimal literal with a point and no exponent (DuckDB's decimal literals, or DOUBLE when
    longer than 38 digits)."""
    return t.token_type == TokenType.NUMBER and "." in t.text and "e" not in t.text.lower()


def long_numeric_literals(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """A literal of more than 38 digits (123456789012345678901234567890.123456789): DuckDB reads
    it as a DOUBLE, losing its digits without a word. Its exact value, as the decimal that holds
    it when one can (leading zeros and the fraction's trailing zeros do not count: 0.<38 digits>
    is DECIMAL(38,38)), else 22003: DuckDB's decimals hold 38 digits."""
    edits: list[Edit] = []
    for i, t in enumerate(toks):
        if not _digits_literal(t) or len(t.text.replace("_", "")) <= 39 or _is_parameter(toks, i):
            continue
        whole, _, frac = t.text.replace("_", "").partition(".")
        whole, frac = whole.lstrip("0"), frac.rstrip("0")
        if len(whole) + len(frac) > UNCONSTRAINED_NUMERIC_PRECISION:
            raise DbError(
                "22003",
                f'numeric literal "{t.text}" has {len(whole) + len(frac)} significant digits: DuckCDB\'s '
                f"numerics hold at most {UNCONSTRAINED_NUMERIC_PRECISION}; " + NOT_ROUNDED,
            )
        width = max(1, len(whole) + len(frac))
        edits.append(
            (
                t.start - base,
                t.end - base + 1,
                f"CAST('{whole or '0'}.{frac or '0'}' AS DECIMAL({width},{len(frac)}))",
            )
        )
    return edits


# ---------------------------------------------------------------- integer literals and negation

# -2147483648 is int4 in PostgreSQL (its grammar negates the constant, then types it); DuckDB
# types 2147483648 first (BIGINT). The same one step up for int8.
_NEGATED_MINIMUM = {"2147483648": "INTEGER", "9223372036854775808": "BIGINT"}


def unary_minus(toks: Sequence[Token], i: int) -> bool:
    """Whether the minus at i is a sign (not a subtraction)."""
    if toks[i].token_type != TokenType.DASH:
        return False
    if i == 0:
        return True
    prev = toks[i - 1]
    if prev.token_type in _OPERAND_ENDS or prev.text.upper() == "END":
        return False
    word = prev.text.replace("_", "a").isalnum()
    return not word or prev.text.upper() in _OPERAND_STARTERS


_OPERAND_ENDS = frozenset(
    {
        TokenType.R_PAREN,
        TokenType.R_BRACKET,
        TokenType.NUMBER,
        TokenType.STRING,
        TokenType.VAR,
        TokenType.IDENTIFIER,
        TokenType.NULL,
    }
)


# Keywords after which a minus sign is unary (a word before a minus is otherwise an operand).
_OPERAND_STARTERS = frozenset(
    {
        "SELECT", "WHERE", "AND", "OR", "NOT", "ON", "BY", "HAVING", "WHEN", "THEN", "ELSE", "CASE",
        "IN", "IS", "LIKE", "ILIKE", "BETWEEN", "SET", "VALUES", "RETURNING", "DISTINCT", "ALL",
        "LIMIT", "OFFSET", "AS", "RETURN", "ANY", "SOME",
    }
)  # fmt: skip


def integer_negation(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """-2147483648 as PostgreSQL types it (int4; -9223372036854775808 int8). (-(expr) is
    pgcompat.result_types.negations'.)"""
    edits: list[Edit] = []
    for i in range(len(toks) - 1):
        if not unary_minus(toks, i):
            continue
        nxt = toks[i + 1]
        kind = _NEGATED_MINIMUM.get(nxt.text) if nxt.token_type == TokenType.NUMBER else None
        if kind is not None and not (
            i + 2 < len(toks) and toks[i + 2].token_type in (TokenType.DOT, TokenType.DCOLON)
        ):
            edits.append((toks[i].start - base, nxt.end - base + 1, f"CAST(-{nxt.text} AS {kind})"))
    return edits


# ---------------------------------------------------------------- float literals out of range

_FLOAT_TYPES = {TokenType.DOUBLE: "double precision", TokenType.FLOAT: "real"}


def _float_type(t: Token) -> str | None:
    """PostgreSQL's name of the float type a type token names (float and float8 are double)."""
    kind = _FLOAT_TYPES.get(t.token_type)
    if kind == "real" and t.text.lower() not in ("real", "float4"):
        return None
    return kind


def _check_float(value: str, kind: str) -> None:
    """22003 where PostgreSQL's float8in / float4in find the text out of range: DuckDB would
    give Infinity or 0."""
    s = value.strip()
    try:
        f = float(s)
    except ValueError:
        return  # DuckDB says what is wrong with it (22P02), and reads 'Infinity' and 'NaN'
    if math.isinf(f) or math.isnan(f):
        if s.lstrip("+-").lower() in ("inf", "infinity", "nan"):
            return
    elif kind == "real" and f != 0.0:
        try:
            f = struct.unpack("f", struct.pack("f", f))[0]
        except OverflowError:
            f = math.inf
    if math.isinf(f) or (f == 0.0 and any(c in "123456789" for c in s.lower().partition("e")[0])):
        raise DbError("22003", f'"{s}" is out of range for type {kind}')


def float_literals(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """'1e400'::float8, float8 '1e-400', CAST('1e40' AS real): PostgreSQL refuses (22003) a text
    out of the type's range, DuckDB gives Infinity or 0. Checked here; nothing is edited."""
    for i, t in enumerate(toks):
        if t.token_type != TokenType.STRING:
            continue
        nxt = toks[i + 2] if i + 2 < len(toks) else None
        if nxt is not None and toks[i + 1].token_type in (TokenType.DCOLON, TokenType.ALIAS):
            kind = _float_type(nxt)
            if kind is not None and not (i + 3 < len(toks) and toks[i + 3].token_type == TokenType.L_BRACKET):
                _check_float(t.text, kind)
        if i > 0:
            kind = _float_type(toks[i - 1])
            if kind is not None and (
                i < 2 or toks[i - 2].token_type not in (TokenType.DCOLON, TokenType.ALIAS)
            ):
                _check_float(t.text, kind)
    return []


# ---------------------------------------------------------------- values computed into columns

_PLAIN = frozenset(
    {TokenType.NUMBER, TokenType.STRING, TokenType.NULL, TokenType.DEFAULT, TokenType.TRUE, TokenType.FALSE}
)


def _query_end(toks: Sequence[Token], i: int) -> int:
    """The index after an INSERT's query that starts at i (before ON CONFLICT or RETURNING)."""
    depth = 0
    for j in range(i, len(toks)):
        tt = toks[j].token_type
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(tt, 0)
        if depth == 0 and (
            tt == TokenType.RETURNING
            or (tt == TokenType.ON and j + 1 < len(toks) and toks[j + 1].text.upper() == "CONFLICT")
        ):
            return j
    return len(toks)


# What VALUES lists of literals only are made of (and a sign after "(" or ",").
_LITERAL_ROWS = frozenset(
    {*_PLAIN, TokenType.COMMA, TokenType.L_PAREN, TokenType.R_PAREN, TokenType.PARAMETER}
)
_ITEM_START = frozenset({TokenType.COMMA, TokenType.L_PAREN})


def _literal_rows(toks: Sequence[Token], i: int) -> bool:
    """Whether toks from i are VALUES lists of literals, NULL, DEFAULT and parameters only."""
    for j in range(i, len(toks)):
        tt = toks[j].token_type
        if tt not in _LITERAL_ROWS and not (
            tt in (TokenType.DASH, TokenType.PLUS) and toks[j - 1].token_type in _ITEM_START
        ):
            return False
    return True


def _plain_value(toks: Sequence[Token], first: int, last: int) -> bool:
    """A literal, NULL, DEFAULT or a parameter: what DuckDB stores exactly or pgcompat checks
    (literal_checks, engine.codec.params)."""
    if first <= last and toks[first].token_type in (TokenType.DASH, TokenType.PLUS):
        first += 1
    if first == last:
        return toks[first].token_type in _PLAIN
    return last == first + 1 and _is_parameter(toks, last)


def _untyped_parameter(toks: Sequence[Token], first: int, last: int) -> bool:
    """Whether a parameter without a cast ($1, not $1::float8) stands in first..last: DuckDB cannot
    pick the engine macro's overload by an untyped parameter (the value is left to DuckDB)."""
    return any(
        _is_parameter(toks, j) and (j + 1 > last or toks[j + 1].token_type != TokenType.DCOLON)
        for j in range(first + 1, last + 1)
    )


def _items(
    toks: Sequence[Token], first: int, stop: frozenset[TokenType]
) -> tuple[list[tuple[int, int]], int]:
    """The comma-separated items at depth 0 from first, up to a token of stop at depth 0 (or a
    closing parenthesis of the enclosing level): their (first, last) and the index where they end."""
    items, depth, start, j = [], 0, first, first
    while j < len(toks):
        tt = toks[j].token_type
        if tt in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif tt in (TokenType.R_PAREN, TokenType.R_BRACKET):
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (tt in stop or tt == TokenType.COMMA):
            if tt != TokenType.COMMA:
                break
            items.append((start, j - 1))
            start = j + 1
        j += 1
    if start <= j - 1:
        items.append((start, j - 1))
    return items, j


def _dated(text: str, toks: Sequence[Token], a: int, b: int, base: int, target: object) -> list[list[object]]:
    """[[target, start, end, text, readings]] of an untyped literal DuckDB would read otherwise
    than PostgreSQL as a date/time ('0044-03-15 BC': datetime_literals.readings), else []: the
    engine writes the reading of the column's type (engine.pgmath.exact_writes)."""
    if a != b:
        return []
    start, end = toks[a].start - base, toks[a].end - base + 1
    found = datetime_literals.string_readings(toks[a], text[start:end])
    return [] if found is None else [[target, start, end, text[start:end], found]]


def _suspect_strings(toks: Sequence[Token], i: int) -> bool:
    """Whether a string from token i may read otherwise as a date/time (one regex search each)."""
    return any(
        t.token_type == TokenType.STRING and datetime_literals.readings(t.text) is not None for t in toks[i:]
    )


def _select_literals(
    text: str, toks: Sequence[Token], i: int, end: int, base: int, columns: list[str]
) -> list[list[object]]:
    """INSERT ... SELECT 'a', 'b' [FROM ...] from the SELECT at i: its select list's untyped
    literals DuckDB would read otherwise as dates/times (_dated), by the column each goes to."""
    if toks[i].token_type != TokenType.SELECT:
        return []
    stop = frozenset({TokenType.FROM, TokenType.WHERE, TokenType.UNION, TokenType.ORDER_BY, TokenType.LIMIT})
    items, _ = _items(toks[:end], i + 1, stop)
    found: list[list[object]] = []
    for position, (a, b) in enumerate(items):
        if columns and position >= len(columns):
            break
        target: object = columns[position] if columns else position + 1
        if b == a + 2 and toks[a + 1].token_type == TokenType.ALIAS or b == a + 1:
            b = a  # ('...' AS name, '...' name)
        found += _dated(text, toks, a, b, base, target)
    return found


def _value_lists(
    text: str, toks: Sequence[Token], i: int, base: int, columns: list[str]
) -> list[list[object]]:
    """VALUES (...), (...) from i: [target, start, end, text] of each computed value."""
    found: list[list[object]] = []
    while i < len(toks) and toks[i].token_type == TokenType.L_PAREN:
        items, close = _items(toks, i + 1, frozenset())
        for position, (a, b) in enumerate(items):
            if a > b or columns and position >= len(columns):
                continue  # (more values than columns: DuckDB's error)
            target: object = columns[position] if position < len(columns) else position + 1
            start, end = toks[a].start - base, toks[b].end - base + 1
            if _plain_value(toks, a, b) or _untyped_parameter(toks, a, b):
                found += _dated(text, toks, a, b, base, target)
                continue
            found.append([target, start, end, text[start:end]])
        i = close + 1
        if i < len(toks) and toks[i].token_type == TokenType.COMMA:
            i += 1
        else:
            break
    return found


def _assignments(text: str, toks: Sequence[Token], i: int, base: int) -> list[list[object]]:
    """SET c = expr, ... from the SET at i: [column, start, end, text] of each computed value."""
    items, _ = _items(toks, i + 1, frozenset({TokenType.FROM, TokenType.WHERE, TokenType.RETURNING}))
    found: list[list[object]] = []
    for a, b in items:
        if (
            b < a + 2
            or toks[a + 1].token_type != TokenType.EQ
            or not (toks[a].token_type == TokenType.IDENTIFIER or toks[a].text.replace("_", "a").isalnum())
        ):
            continue  # (SET (a, b) = ...: left as it is)
        if _plain_value(toks, a + 2, b) or _untyped_parameter(toks, a + 2, b):
            found += _dated(text, toks, a + 2, b, base, _name(text, toks[a], base))
            continue
        start, end = toks[a + 2].start - base, toks[b].end - base + 1
        found.append([_name(text, toks[a], base), start, end, text[start:end]])
    return found


def _conflict_update(text: str, toks: Sequence[Token], i: int, base: int) -> list[list[object]]:
    """ON CONFLICT ... DO UPDATE SET c = expr from i: its computed values (as UPDATE's)."""
    for j in range(i, len(toks) - 2):
        if (
            toks[j].text.upper() == "DO"
            and toks[j + 1].token_type == TokenType.UPDATE
            and toks[j + 2].token_type == TokenType.SET
        ):
            return _assignments(text, toks, j + 2, base)
    return []


def expression_writes(text: str, toks: Sequence[Token]) -> dict[str, object] | None:
    """Where INSERT ... VALUES, INSERT ... SELECT (and their ON CONFLICT DO UPDATE SET) and
    UPDATE ... SET write a computed value (1.0/3,
    n * 1.1, a float8): the engine wraps those that go into an unconstrained numeric column, so
    that DuckDB's cast to DECIMAL(38,10) cannot round them (engine.pgmath.exact_writes).
    {"table": the target as written, "items": [[column name or 1-based position, start, end,
    text], ...], "query": [start, end, text] of an INSERT's query, "columns": the INSERT's
    column list}; None when nothing is computed."""
    if not toks:
        return None
    base = toks[0].start
    first = toks[0].token_type
    if first == TokenType.INSERT and len(toks) > 2 and toks[1].token_type == TokenType.INTO:
        named = _table(text, toks, 2, base)
        if named is None:
            return None
        i = named[2]
        table = text[toks[2].start - base : toks[i - 1].end - base + 1]
        if i < len(toks) and toks[i].token_type == TokenType.ALIAS:
            i += 2
        columns: list[str] = []
        if i < len(toks) and toks[i].token_type == TokenType.L_PAREN:
            items, close = _items(toks, i + 1, frozenset())
            if any(a != b for a, b in items):
                return None
            columns = [_name(text, toks[a], base) for a, _ in items]
            i = close + 1
        if i >= len(toks):
            return None
        if toks[i].token_type == TokenType.VALUES:
            if _literal_rows(toks, i + 1) and not (
                datetime_literals.may_hold_readings(text) and _suspect_strings(toks, i + 1)
            ):
                return None  # only literals (the common INSERT): one look at the tokens
            found = _value_lists(text, toks, i + 1, base, columns)
            found += _conflict_update(text, toks, i, base)
            return {"table": table, "items": found, "columns": columns} if found else None
        if toks[i].token_type in (TokenType.SELECT, TokenType.WITH, TokenType.L_PAREN):
            end = _query_end(toks, i)
            start, stop = toks[i].start - base, toks[end - 1].end - base + 1
            found = _select_literals(text, toks, i, end, base, columns)
            placed = {f[1] for f in found}
            found += _conflict_update(text, toks, end, base)
            spec: dict[str, object] = {
                "table": table,
                "items": found,
                "columns": columns,
                "query": [start, stop, text[start:stop]],
            }
            if any(
                t.token_type == TokenType.STRING
                and t.start - base not in placed
                and datetime_literals.readings(t.text) is not None
                for t in toks[i:end]
            ):
                spec["unplaced"] = True  # (a UNION's or a subquery's literal: refused for a date/time column)
            return spec
        return None
    if first != TokenType.UPDATE:
        return None
    named = _table(text, toks, 1, base)
    if named is None:
        return None
    table = text[toks[1].start - base : toks[named[2] - 1].end - base + 1]
    i = named[2]
    while i < len(toks) and toks[i].token_type != TokenType.SET:
        i += 1
    found = _assignments(text, toks, i, base)
    return {"table": table, "items": found, "columns": []} if found else None
