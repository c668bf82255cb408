"""Casts to text of a value the statement shows to be bytea, an array or an unconstrained numeric,
printed as PostgreSQL's.

DuckDB's cast of a BLOB to VARCHAR gives the raw bytes ('AB'), of a list its own list text
([1, 2]); PostgreSQL's gives bytea's hex form ('\\x4142') and array_out's form ({1,2}, elements
with blanks, quotes, commas, braces or backslashes quoted, NULL as NULL). Only a cast whose
operand visibly has the type is rewritten: `x::bytea::text`, `ARRAY[...]::text`,
`'{...}'::int[]::text` (a column's type is not known here). An array of arrays keeps DuckDB's
text (a known difference).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat.char_casts import _primary_start
from pgcompat.tokens import Edit, Tokens

_TEXT_TYPES = frozenset({TokenType.TEXT, TokenType.VARCHAR})

_BYTEA = ("('\\x' || lower(hex(", ")))")
# array_out: each element's text, quoted when PostgreSQL's would be; NULL elements as NULL.
_ELEMENT = (
    "CASE WHEN __t IS NULL THEN 'NULL' "
    "WHEN __t = '' OR lower(__t) = 'null' OR regexp_matches(__t, '[{}\",\\\\\\s]') "
    "THEN '\"' || replace(replace(__t, '\\', '\\\\'), '\"', '\\\"') || '\"' ELSE __t END"
)
_ARRAY = (
    "('{' || array_to_string(list_transform(list_transform((",
    "), lambda __e: CASE WHEN typeof(__e) = 'BOOLEAN' THEN left(CAST(__e AS VARCHAR), 1) "
    f"ELSE CAST(__e AS VARCHAR) END), lambda __t: {_ELEMENT}), ',') || '}}')",
)


# An unconstrained numeric (DECIMAL(38,10) or wider: pgcompat.numeric) without the fixed scale's
# trailing zeros, as results send it (100::numeric::text is '100', not '100.0000000000'); its text
# always has a point. (PostgreSQL keeps a value's own display scale, 1.10::numeric::text '1.10':
# DuckDB keeps one per type, so that one prints '1.1'.)
_BARE_NUMERIC = ("rtrim(rtrim(CAST((", ") AS VARCHAR), '0'), '.')")
_NUMERIC_WORDS = frozenset({"numeric", "decimal"})


def _kind(tk: Tokens, first: int, last: int) -> tuple[str, str] | None:
    """The wrapping of an operand (tokens first..last) that is visibly bytea, an array or an
    unconstrained numeric (x::numeric)."""
    if tk.tt(last - 1) == TokenType.DCOLON and tk.word(last) in _NUMERIC_WORDS:
        return _BARE_NUMERIC
    if (
        tk.tt(last) == TokenType.VARBINARY
        and tk.word(last) == "bytea"
        and tk.tt(last - 1) == TokenType.DCOLON
    ):
        return _BYTEA
    array_cast = (
        tk.tt(last) == TokenType.R_BRACKET
        and tk.tt(last - 1) == TokenType.L_BRACKET
        and tk.tt(last - 3) == TokenType.DCOLON
    )
    if array_cast or (tk.tt(first) == TokenType.ARRAY and tk.tt(first + 1) == TokenType.L_BRACKET):
        return _ARRAY
    return None


def bytea_and_array_text(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """x::bytea::text -> '\\x...' and ARRAY[...]::text -> {...}, as PostgreSQL prints them."""
    casts = [
        i
        for i in range(1, len(toks) - 1)
        if toks[i].token_type == TokenType.DCOLON
        and toks[i + 1].token_type in _TEXT_TYPES
        and (i + 2 >= len(toks) or toks[i + 2].token_type not in (TokenType.L_PAREN, TokenType.L_BRACKET))
    ]
    if not casts:
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    for i in casts:
        first = _primary_start(tk, i - 1)
        kind = _kind(tk, first, i - 1) if first is not None else None
        if first is None or kind is None:
            continue
        edits.append((tk.start(first), tk.start(first), kind[0]))
        edits.append((tk.start(i), tk.end(i + 1), kind[1]))
    return edits


REWRITES = [bytea_and_array_text]
