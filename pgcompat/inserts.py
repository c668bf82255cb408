"""INSERT INTO t VALUES (...) with fewer values than t has columns: PostgreSQL gives the first
columns the values and the rest their defaults; DuckDB wants every column. The statement is
marked here (where its target's column list goes) and the engine, which knows the table,
writes the list when DuckDB's binder says values are missing (engine.inserts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot.tokens import Token, TokenType

from pgcompat.tokens import NAMES, Tokens


def positional_insert(text: str, toks: Sequence[Token]) -> dict[str, Any] | None:
    """{"table": the target as written, "at": the offset its column list goes at} for
    INSERT INTO name [AS alias] {VALUES | SELECT | WITH} ..., else None."""
    tk = Tokens(text, toks)
    if tk.word(0) != "insert" or tk.tt(1) != TokenType.INTO:
        return None
    k = 2
    if tk.tt(k) not in NAMES and tk.word(k) is None:
        return None
    while tk.tt(k + 1) == TokenType.DOT and k + 2 < tk.n:
        k += 2
    table = tk.text[tk.start(2) : tk.end(k)]
    k += 1
    if tk.tt(k) == TokenType.ALIAS:
        k += 2
    if tk.tt(k) not in (TokenType.VALUES, TokenType.SELECT, TokenType.WITH):
        return None
    return {"table": table, "at": tk.start(k)}
