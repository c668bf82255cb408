"""Explicit casts to varchar(n) and char(n) cut and pad as PostgreSQL's do.

DuckDB takes `'abcdef'::varchar(3)` and keeps all six characters; PostgreSQL's explicit cast
truncates to n characters ('abc'), and char(n) (character(n), bpchar(n), bare char = char(1))
also pads with blanks to n ('ab'::char(4) is 'ab  ').

char(n)'s blanks are insignificant in PostgreSQL: comparisons, `||`, length() and the cast to
text all ignore them. DuckDB has no such type, so inside an expression the value is kept without
its trailing blanks (what every such operation sees in PostgreSQL), the way DuckCDB stores char(n)
columns too (engine.bpchar); only where the cast is itself a result column of the statement's
outer SELECT is it padded, as the client reads it.

Assignment to a varchar(n) column is not a cast: it fails with 22001 (pgcompat.lengths).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat.lengths import BPCHAR, declared_length
from pgcompat.tokens import CLAUSES, CLOSE, ITEM_END, NAMES, Edit, Tokens

# Keywords a parenthesis may follow without being a call's.
_NOT_CALLS = CLAUSES | {
    TokenType.AND,
    TokenType.OR,
    TokenType.NOT,
    TokenType.IN,
    TokenType.IS,
    TokenType.CASE,
    TokenType.WHEN,
    TokenType.THEN,
    TokenType.ELSE,
    TokenType.BETWEEN,
    TokenType.LIKE,
    TokenType.ILIKE,
    TokenType.DISTINCT,
    TokenType.ALL,
    TokenType.ANY,
    TokenType.SOME,
    TokenType.EXISTS,
    TokenType.ALIAS,
    TokenType.DCOLON,
}
# The tokens of the types (sqlglot's: national character(n) is a name and CHAR).
_TYPE_TOKENS = frozenset({TokenType.CHAR, TokenType.VARCHAR, TokenType.BPCHAR, TokenType.NCHAR})


def _primary_start(tk: Tokens, k: int) -> int | None:
    """The first token of the primary expression that ends at token k (a literal, a name, a
    call, a parenthesised expression, a subscript, a cast), as `::` takes it."""
    while True:
        if tk.tt(k) in CLOSE:
            if k not in tk.match:
                return None
            k = tk.match[k]
            prev = tk.tt(k - 1)
            if tk.tt(k) == TokenType.L_BRACKET and prev is not None and prev not in _NOT_CALLS:
                k -= 1  # x[1], ARRAY[...]: the thing subscripted
                continue
            if tk.word(k - 1) is not None and prev not in _NOT_CALLS:
                k -= 1  # f(...)
        elif tk.tt(k) is None or tk.tt(k) in _NOT_CALLS or tk.tt(k) == TokenType.COMMA:
            return None
        elif tk.tt(k) == TokenType.NUMBER and tk.tt(k - 1) == TokenType.PARAMETER:
            k -= 1  # $1
        while tk.tt(k - 1) == TokenType.DOT and (tk.tt(k - 2) in NAMES or tk.word(k - 2)):
            k -= 2
        if tk.tt(k - 1) == TokenType.DCOLON:
            k -= 2  # x::text::varchar(3): the operand is x::text
            continue
        return k


def _depth(tk: Tokens, k: int) -> int:
    return sum(
        1 for j, m in tk.match.items() if j < k < m and tk.tt(j) in (TokenType.L_PAREN, TokenType.L_BRACKET)
    )


def _is_result_column(tk: Tokens, first: int, last: int) -> bool:
    """Whether tokens first..last are a whole item of the outer SELECT list of a query."""
    if tk.tt(0) not in (TokenType.SELECT, TokenType.WITH):
        return False
    if tk.tt(first - 1) not in (TokenType.SELECT, TokenType.DISTINCT, TokenType.COMMA):
        return False
    after = tk.tt(last + 1)
    if not (after is None or after in ITEM_END or after == TokenType.ALIAS or after in NAMES):
        return False
    clause = tk.clause_index(first)
    if clause is None or tk.tt(clause) != TokenType.SELECT or _depth(tk, clause) != 0:
        return False
    # SELECT ... INTO t stores the value: kept as char(n) columns are (pgcompat.lengths)
    return not any(tk.tt(k) == TokenType.INTO and _depth(tk, k) == 0 for k in range(tk.n))


def _set_operation(tk: Tokens) -> bool:
    """Whether the statement holds a UNION, INTERSECT or EXCEPT, which compare its result values."""
    return any(tk.tt(k) in _SET_OPERATIONS for k in range(tk.n))


_SET_OPERATIONS = frozenset({TokenType.UNION, TokenType.INTERSECT, TokenType.EXCEPT})


def _wrap(tk: Tokens, first: int, last: int, kind: str, n: int) -> list[Edit]:
    if kind != BPCHAR:
        return [(tk.start(first), tk.start(first), "substring("), (tk.end(last), tk.end(last), f", 1, {n})")]
    # (a result column of a UNION is compared without its blanks, as the char(n) columns it meets
    # are stored: engine.declared types it bpchar(n), which the client reads padded)
    if _is_result_column(tk, first, last) and not _set_operation(tk):
        return [(tk.start(first), tk.start(first), "rpad("), (tk.end(last), tk.end(last), f", {n}, ' ')")]
    return [
        (tk.start(first), tk.start(first), "rtrim(substring("),
        (tk.end(last), tk.end(last), f", 1, {n}), ' ')"),
    ]


def explicit_length_casts(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """x::varchar(n), CAST(x AS char(n)), ...: cut to n characters (and char(n) padded where it
    is a result column, without its trailing blanks elsewhere)."""
    if not any(t.token_type in _TYPE_TOKENS for t in toks):
        return []
    if toks[0].token_type in (TokenType.CREATE, TokenType.ALTER) and not any(
        t.token_type == TokenType.SELECT for t in toks
    ):
        return []  # a column's type or default: pgcompat.lengths
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    for i in range(1, tk.n):
        if tk.tt(i) == TokenType.DCOLON:
            declared = declared_length(tk, i + 1)
            first = _primary_start(tk, i - 1) if declared else None
            if declared is not None and first is not None:
                edits += _wrap(tk, first, declared[2], declared[0], declared[1])
        elif tk.word(i) == "cast" and tk.tt(i + 1) == TokenType.L_PAREN:
            close = tk.closing(i + 1)
            if close is None:
                continue
            parts = tk.split(i + 2, close, frozenset({TokenType.ALIAS}))
            declared = declared_length(tk, parts[-1][0]) if len(parts) == 2 else None
            if declared is not None and declared[2] == close - 1:
                edits += _wrap(tk, i, close, declared[0], declared[1])
    return edits


REWRITES = [explicit_length_casts]
