"""An untyped parameter beside a number literal takes the literal's type, as in PostgreSQL.

PostgreSQL types `$1 + 1` and `$1 * 2` as int4 arithmetic (an unknown operand takes the other's
type): a value '1.5' is refused (22P02 "invalid input syntax for type integer"). DuckDB leaves the
parameter UNKNOWN and computes with whatever it is given, so a text 0.12345678901 sent for
`$1 * 2` was stored 0 in a numeric column, and 1.12345678901 rounded to 10 decimals: the
parameter is cast to the literal's type here (int4, int8 or the unconstrained numeric), which
also makes ParameterDescription PostgreSQL's. A parameter whose type the client declares keeps
it (the engine drops the cast: pgwire.types.declared_params). Only where the literal is the whole other operand
and the parameter the whole of its own (x * $1 + 1 takes x's type in PostgreSQL: left alone).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgwire.types import UNCONSTRAINED_NUMERIC, literal_typed_param

Edit = tuple[int, int, str]

_ADDITIVE = frozenset({TokenType.PLUS, TokenType.DASH})
_MULTIPLICATIVE = frozenset({TokenType.STAR, TokenType.SLASH, TokenType.MOD})
# What binds tighter than any arithmetic operator, next to an operand (it is then not the whole one)
_POSTFIX = frozenset({TokenType.CARET, TokenType.DCOLON, TokenType.DOT, TokenType.L_BRACKET})
# Tokens before an operand that start it (the operand is all that follows up to the operator)
_STARTS = frozenset(
    {
        TokenType.L_PAREN, TokenType.COMMA, TokenType.EQ, TokenType.NEQ, TokenType.LT, TokenType.GT,
        TokenType.LTE, TokenType.GTE, TokenType.SELECT, TokenType.VALUES, TokenType.WHERE,
        TokenType.AND, TokenType.OR, TokenType.THEN, TokenType.ELSE, TokenType.WHEN, TokenType.SET,
        TokenType.RETURNING, TokenType.NOT,
    }
)  # fmt: skip
_PREPARED = frozenset(
    {TokenType.SELECT, TokenType.INSERT, TokenType.UPDATE, TokenType.DELETE, TokenType.WITH, TokenType.VALUES}
)
_INT4 = 2**31
_INT8 = 2**63


def _literal_type(t: Token) -> str | None:
    """PostgreSQL's type of a number literal, as DuckDB spells it."""
    if t.token_type != TokenType.NUMBER:
        return None
    text = t.text.replace("_", "")
    if text.isdigit():
        value = int(text)
        return "INTEGER" if value < _INT4 else "BIGINT" if value < _INT8 else UNCONSTRAINED_NUMERIC
    return UNCONSTRAINED_NUMERIC


def _kind(t: Token | None) -> frozenset[TokenType] | None:
    if t is None:
        return None
    if t.token_type in _ADDITIVE:
        return _ADDITIVE
    return _MULTIPLICATIVE if t.token_type in _MULTIPLICATIVE else None


def _starts(toks: Sequence[Token], i: int, op: frozenset[TokenType]) -> bool:
    """Whether the operand of an operator of kind op begins at i (nothing before binds to it)."""
    if i == 0:
        return True
    prev = toks[i - 1]
    return prev.token_type in _STARTS or (
        op is _MULTIPLICATIVE
        and prev.token_type in _ADDITIVE
        and i >= 2
        and toks[i - 2].token_type not in _STARTS
    )


def _ends(toks: Sequence[Token], i: int, op: frozenset[TokenType]) -> bool:
    """Whether the operand of an operator of kind op ends at i (nothing after binds to it)."""
    if i + 1 >= len(toks):
        return True
    nxt = toks[i + 1].token_type
    return nxt not in _POSTFIX and not (op is _ADDITIVE and nxt in _MULTIPLICATIVE)


def literal_operand_parameters(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """$n + 1, 2 * $n, $n / 3.5: the parameter cast to the literal's type (PostgreSQL's). Only in
    the statements the engine prepares itself (PREPARE and DECLARE carry their own types)."""
    if not toks or toks[0].token_type not in _PREPARED:
        return []
    edits: list[Edit] = []
    n = len(toks)
    for i in range(n - 1):
        if toks[i].token_type != TokenType.PARAMETER or toks[i + 1].token_type != TokenType.NUMBER:
            continue
        p = i + 1  # $n is two tokens: i and p
        if p + 1 < n and toks[p + 1].token_type in _POSTFIX:
            continue  # $1::type, $1[1]: typed or not the whole operand
        kind = None
        op = _kind(toks[p + 1]) if p + 1 < n else None  # $n op literal
        if op is not None and p + 2 < n and _starts(toks, i, op) and _ends(toks, p + 2, op):
            kind = _literal_type(toks[p + 2])
        op = _kind(toks[i - 1]) if i > 0 else None  # literal op $n
        if kind is None and op is not None and i >= 2 and _ends(toks, p, op) and _starts(toks, i - 2, op):
            kind = _literal_type(toks[i - 2])
        if kind is not None:
            start, end = toks[i].start - base, toks[p].end - base + 1
            edits.append((start, end, literal_typed_param(text[start:end], kind)))
    return edits
