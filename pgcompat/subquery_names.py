"""Unnamed columns of subqueries and CTEs get PostgreSQL's names.

DuckDB names `(SELECT count(*) FROM t) s`'s column "count_star()" and `(SELECT 1)`'s "1";
PostgreSQL names them count and ?column?, and queries read them so: `SELECT s.count FROM
(SELECT count(*) FROM t) s` fails in DuckDB, and `SELECT * FROM (...)` is named differently.
Each unnamed, computed item of a select list inside parentheses (a subquery, a CTE's body, a
derived table) gets `AS "name"`, the name pgcompat.column_names gives it; the outermost select
list keeps its names from pgcompat.analysis. This runs first, on the client's text (so that the
name is that of the function the client wrote), before the other rewrites read it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat import column_names, lexer
from pgcompat.tokens import CLAUSES, NAMES, Edit, Tokens, apply, quote

# What may stand just before an item's own alias written without AS (`count(*) n`, `'a' b`).
_BEFORE_BARE_ALIAS = frozenset(
    {
        TokenType.R_PAREN,
        TokenType.R_BRACKET,
        TokenType.NUMBER,
        TokenType.STRING,
        TokenType.VAR,
        TokenType.IDENTIFIER,
        TokenType.NULL,
        TokenType.TRUE,
        TokenType.FALSE,
        TokenType.END,
    }
)
_LIST_END = CLAUSES | {
    TokenType.R_PAREN,
    TokenType.SEMICOLON,
    TokenType.FETCH,
    TokenType.QUALIFY,
    TokenType.OFFSET,
}


def _named(tk: Tokens, lo: int, hi: int) -> bool:
    """Item lo..hi-1 has its own name: an alias, a column reference, a star."""
    last = tk.tt(hi - 1)
    if tk.tt(hi - 2) == TokenType.ALIAS or last == TokenType.STAR:
        return True
    if last in NAMES and hi - lo >= 2 and tk.tt(hi - 2) in _BEFORE_BARE_ALIAS:
        return True  # `expr alias`
    k = lo  # a column: name or qualified.name
    while tk.tt(k) in NAMES and tk.tt(k + 1) == TokenType.DOT:
        k += 2
    return tk.tt(k) in NAMES and k == hi - 1


def _list_end(tk: Tokens, k: int) -> int:
    """The token after the select list that starts after token k."""
    while k < tk.n:
        t = tk.tt(k)
        if t in (TokenType.L_PAREN, TokenType.L_BRACKET) and k in tk.match:
            k = tk.match[k] + 1
            continue
        if t in _LIST_END and not (t == TokenType.FROM and tk.word(k - 1) == "distinct"):
            return k
        k += 1
    return k


def subquery_column_names(text: str, toks: Sequence[Token]) -> list[Edit]:
    """`AS "name"` after each unnamed computed item of an inner select list."""
    inner = [
        i
        for i in range(1, len(toks))
        if toks[i].token_type == TokenType.SELECT and toks[i - 1].token_type == TokenType.L_PAREN
    ]
    if not inner:  # the one cheap look for other statements
        return []
    tk = Tokens(text, toks)
    edits: list[Edit] = []
    for s in inner:
        k = s + 1
        if tk.tt(k) in (TokenType.DISTINCT, TokenType.ALL):
            k += 1
            if tk.tt(k) == TokenType.ON and tk.tt(k + 1) == TokenType.L_PAREN and k + 1 in tk.match:
                k = tk.match[k + 1] + 1
        end = _list_end(tk, k)
        for lo, hi, _ in tk.split(k, end, frozenset({TokenType.COMMA})):
            if hi <= lo or _named(tk, lo, hi):
                continue
            item = text[tk.start(lo) : tk.end(hi - 1)]
            names = column_names.of_text(f"SELECT {item}")
            name = names[0] if names and len(names) == 1 else None
            if name:
                edits.append((tk.end(hi - 1), tk.end(hi - 1), f" AS {quote(name)}"))
    if edits and not _parses(apply(text, edits)):
        return []  # an item's end misread: the names are cosmetic, the statement is not
    return edits


def _parses(sql: str) -> bool:
    for dialect in ("postgres", "duckdb"):
        try:
            if lexer.parse_one(sql, dialect) is not None:
                return True
        except Exception:  # sqlglot's errors: this dialect does not read it
            continue
    return False
