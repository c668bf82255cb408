"""Parameters typed by the other operand of arithmetic, as PostgreSQL types them.

PostgreSQL gives an unknown parameter the type of the other operand of an operator (`i + $1`
with i an int4 makes $1 an int4), and says so in the ParameterDescription; drivers that encode
by it (asyncpg, binary) then send an int. DuckDB leaves such a parameter unknown (its + has many
overloads), which would describe it as text, and asyncpg refuses to send an int as text. Each
such parameter is typed by binding the statement once with the parameter written so that DuckDB
types it: `$n` as `(CASE WHEN x = $n THEN x END)`, a comparison with the other operand x (which
DuckDB types by x) inside an expression of x's own type, so the rest of the statement binds as
before. Only a column (or qualified column) operand is read; a parameter not typed so stays as it
was.
"""

from __future__ import annotations

from typing import Any

import duckdb
import sqlglot
from duckdb import _seam
from sqlglot.tokens import Token, TokenType

_ARITHMETIC = frozenset({TokenType.PLUS, TokenType.DASH, TokenType.STAR, TokenType.SLASH, TokenType.MOD})
_NAMES = frozenset({TokenType.VAR, TokenType.IDENTIFIER})
_UNTYPED = frozenset({"UNKNOWN", "NULL", "ANY"})


def _column_ending(toks: list[Token], i: int) -> int | None:
    """The first token of a column reference (a, t.a, s.t.a) that ends at token i."""
    if i < 0 or toks[i].token_type not in _NAMES:
        return None
    while i >= 2 and toks[i - 1].token_type == TokenType.DOT and toks[i - 2].token_type in _NAMES:
        i -= 2
    if i >= 1 and toks[i - 1].token_type == TokenType.DOT:
        return None
    return i


def _column_starting(toks: list[Token], i: int) -> int | None:
    """The last token of a column reference that starts at token i (not a function call)."""
    n = len(toks)
    if i >= n or toks[i].token_type not in _NAMES:
        return None
    while i + 2 < n and toks[i + 1].token_type == TokenType.DOT and toks[i + 2].token_type in _NAMES:
        i += 2
    if i + 1 < n and toks[i + 1].token_type in (TokenType.L_PAREN, TokenType.DOT):
        return None
    return i


def _enclosing(toks: list[Token]) -> list[tuple[int, int]]:
    """Per token: its innermost "(" (-1: none) and the top-level commas between that "(" and it
    (one pass: a statement of 65,535 parameters is read once, not once per parameter)."""
    out: list[tuple[int, int]] = []
    stack: list[list[int]] = []  # [its "(" index, commas so far]
    for k, t in enumerate(toks):
        out.append((stack[-1][0], stack[-1][1]) if stack else (-1, 0))
        if t.token_type == TokenType.L_PAREN:
            stack.append([k, 0])
        elif t.token_type == TokenType.R_PAREN and stack:
            stack.pop()
        elif t.token_type == TokenType.COMMA and stack:
            stack[-1][1] += 1
    return out


def _checked_operand(toks: list[Token], enclosing: list[tuple[int, int]], i: int) -> bool:
    """Whether token i starts the third argument of a call to the engine's checked arithmetic
    (pgcompat.result_types writes a + b as __pg_add(a, b, a, b): the last two are the operands)."""
    open_, commas = enclosing[i]
    return open_ >= 1 and commas == 2 and toks[open_ - 1].text.lower().startswith("__pg_")


def _other_operand(toks: list[Token], enclosing: list[tuple[int, int]], j: int) -> tuple[int, int] | None:
    """(first, last) token of the column the parameter at j (its $; its number at j + 1) is
    computed with: x op $n, $n op x, __pg_add(a, b, x, $n), __pg_add(a, b, $n, x)."""
    n = len(toks)
    before = toks[j - 1].token_type if j >= 1 else None
    after = toks[j + 2].token_type if j + 2 < n else None
    if before in _ARITHMETIC or (before == TokenType.COMMA and after == TokenType.R_PAREN):
        first = _column_ending(toks, j - 2)
        if first is not None and (before in _ARITHMETIC or _checked_operand(toks, enclosing, first)):
            return first, j - 2
    if after in _ARITHMETIC or (after == TokenType.COMMA and _checked_operand(toks, enclosing, j)):
        last = _column_starting(toks, j + 3)
        closes = last is not None and last + 1 < n and toks[last + 1].token_type == TokenType.R_PAREN
        if last is not None and (after in _ARITHMETIC or closes):
            return j + 3, last
    return None


def operand_types(con: Any, sql: str, untyped: list[int]) -> tuple[str | None, dict[int, str]]:
    """The statement with its parameters so typed (it binds without values; None when none is),
    and {parameter index (0-based): DuckDB type} for the untyped parameters that are an operand of
    + - * / % beside a column."""
    try:
        toks = list(sqlglot.tokenize(sql, read="duckdb"))
    except Exception:  # sqlglot's tokenizer errors: nothing typed here
        return None, {}
    wanted = {i + 1 for i in untyped}
    enclosing = _enclosing(toks)
    out, pos, typed = [], 0, False
    for j in range(len(toks) - 1):
        dollar, number = toks[j], toks[j + 1]
        if dollar.token_type != TokenType.PARAMETER or number.token_type != TokenType.NUMBER:
            continue
        if not number.text.isdigit() or int(number.text) not in wanted or number.start != dollar.end + 1:
            continue
        other = _other_operand(toks, enclosing, j)
        if other is not None:
            x = sql[toks[other[0]].start : toks[other[1]].end + 1]
            out += [sql[pos : dollar.start], f"(CASE WHEN {x} = ${number.text} THEN {x} END)"]
            pos, typed = number.end + 1, True
    if not typed:
        return None, {}
    out.append(sql[pos:])
    probe = "".join(out)
    try:
        sig = _seam.bind(con, probe)
    except duckdb.Error:
        return None, {}
    return probe, {
        int(n) - 1: str(t)
        for n, t in sig.parameters
        if n.isdigit() and int(n) - 1 in untyped and str(t) not in _UNTYPED
    }
