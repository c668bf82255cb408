"""A string literal cast to an integer type is read as PostgreSQL 15 reads it.

DuckDB's cast from text rounds '1.5'::int to 2 and takes '1_000' as 1000; PostgreSQL 15 takes
blanks, a sign and decimal digits only (pg_strtoint32), and refuses anything else (22P02) or a
value beyond the type (22003). The literal is checked here, where its text is known: a bad one
becomes an error() with PostgreSQL's message (engine.errors maps it to the SQLSTATE); a good one
is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat.tokens import Edit, literal

# Each integer type's name in PostgreSQL's messages, and its range.
_TYPES = {
    "smallint": ("smallint", 16),
    "int2": ("smallint", 16),
    "int": ("integer", 32),
    "integer": ("integer", 32),
    "int4": ("integer", 32),
    "bigint": ("bigint", 64),
    "int8": ("bigint", 64),
}
_INTEGER = re.compile(r"^[ \t\n\r\f\v]*[+-]?[0-9]+[ \t\n\r\f\v]*$")


def refusal(value: str, type_name: str) -> str | None:
    """PostgreSQL's error for value as an integer type, or None when it is a good one."""
    name, bits = _TYPES[type_name]
    if not _INTEGER.match(value):
        return f'invalid input syntax for type {name}: "{value}"'
    if not -(2 ** (bits - 1)) <= int(value) < 2 ** (bits - 1):
        return f'value "{value.strip()}" is out of range for type {name}'
    return None


def _integer_type(toks: Sequence[Token], i: int) -> str | None:
    """The integer type named at toks[i] (not an array of it, nor a function call)."""
    if i >= len(toks) or toks[i].text.lower() not in _TYPES:
        return None
    nxt = toks[i + 1].token_type if i + 1 < len(toks) else None
    return None if nxt in (TokenType.L_BRACKET, TokenType.L_PAREN, TokenType.DOT) else toks[i].text.lower()


def literal_int_casts(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """'1.5'::int, CAST('1.5' AS integer), ...: PostgreSQL's error for a string that is not one."""
    edits: list[Edit] = []
    for i, t in enumerate(toks[:-2]):
        if t.token_type != TokenType.STRING or text[t.start - base] != "'":
            continue
        cast = toks[i + 1].token_type == TokenType.DCOLON or (
            toks[i + 1].token_type == TokenType.ALIAS
            and i >= 2
            and toks[i - 1].token_type == TokenType.L_PAREN
            and toks[i - 2].text.lower() == "cast"
            and i + 3 < len(toks)
            and toks[i + 3].token_type == TokenType.R_PAREN
        )
        kind = _integer_type(toks, i + 2) if cast else None
        message = refusal(t.text, kind) if kind is not None else None
        if message is not None:
            edits.append((t.start - base, t.end - base + 1, f"error({literal(message)})"))
    return edits


REWRITES = [literal_int_casts]
