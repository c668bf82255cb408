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

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from sqlglot.tokens import Token, TokenType

from pgwire.errors import DbError
from pgwire.types import UNCONSTRAINED_NUMERIC, numeric_fits, require_exact_numeric

Edit = tuple[int, int, str]

_NAMES = frozenset({"NUMERIC", "DECIMAL", "DEC"})
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
    if _is_literal(toks, k):
        t = toks[k]
        check_literal(t.text)
        if t.token_type == TokenType.NUMBER and "e" in t.text.lower():
            return UNCONSTRAINED_NUMERIC, [(t.start - base, t.end - base + 1, f"'{t.text}'")]
        return UNCONSTRAINED_NUMERIC, []
    if _is_parameter(toks, k) or (nxt is not None and nxt.token_type == TokenType.L_BRACKET):
        return UNCONSTRAINED_NUMERIC, []  # numeric[]: element casts
    return f"VARCHAR::{UNCONSTRAINED_NUMERIC}", []


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
        edits.append((t.start - base, t.end - base + 1, UNCONSTRAINED_NUMERIC))
        if nxt is not None and nxt.token_type == TokenType.STRING:
            check_literal(nxt.text)  # numeric '1.5'
        elif prev.token_type == TokenType.ALIAS and i >= 2 and _is_literal(toks, i - 2):
            check_literal(toks[i - 2].text)  # CAST(1.5 AS numeric)
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


def _written_literals(
    text: str, toks: Sequence[Token], base: int
) -> tuple[str, str, list[tuple[str | int, str]]] | None:
    """INSERT INTO t [(cols)] VALUES (...) and UPDATE t SET c = <number>: the table and the
    (column name, or 1-based position) that each too long bare number is written into."""
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
                at = (
                    _literal_at(toks, i)
                    if toks[i - 1].token_type in (TokenType.L_PAREN, TokenType.COMMA)
                    else None
                )
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
                at = _literal_at(toks, j + 2)
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
    found = _written_literals(text, toks, toks[0].start)
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
        where = (
            f"column_index = {target}"
            if isinstance(target, int)
            else f"lower(column_name) = lower({_quote(target)})"
        )
        checks.append(
            f"SELECT error({_quote(message)}) FROM duckdb_columns() WHERE database_name IN (current_database(), 'temp')"
            f" AND schema_name = {_quote(schema)} AND lower(table_name) = lower({_quote(table)})"
            f" AND {where} AND data_type = {_quote(UNCONSTRAINED_NUMERIC)}"
        )
    return checks
