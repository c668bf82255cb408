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

from pgwire.types import UNCONSTRAINED_NUMERIC, require_exact_numeric

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
