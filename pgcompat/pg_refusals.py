"""Statements PostgreSQL refuses and DuckDB would run: refused here with PostgreSQL's SQLSTATE
and words, never answered (DuckDB's friendlier syntax would give a client an answer PostgreSQL
never gives, and code written against DuckCDB would then fail on PostgreSQL).

- a trailing comma before FROM, a closing parenthesis or the end (`SELECT 1, FROM t`): 42601;
- a subquery or VALUES in FROM without an alias (PostgreSQL 15 requires one): 42601;
- SELECT DISTINCT ... ORDER BY a column that is not in the select list: 42P10.

One pass over the tokens decides whether a statement needs a closer look; only SELECT DISTINCT
with ORDER BY is parsed (sqlglot), and those are rare.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from pgcompat import lexer

Refusal = tuple[str, str]

# What may not follow a comma in PostgreSQL's grammar.
_AFTER_COMMA = frozenset(
    {
        TokenType.FROM,
        TokenType.R_PAREN,
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.ORDER_BY,
        TokenType.HAVING,
        TokenType.LIMIT,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
        TokenType.SEMICOLON,
    }
)
_QUERY_START = frozenset({TokenType.SELECT, TokenType.VALUES, TokenType.WITH})
# What follows a FROM item that has no alias.
_NO_ALIAS = frozenset(
    {
        TokenType.COMMA,
        TokenType.R_PAREN,
        TokenType.SEMICOLON,
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.ORDER_BY,
        TokenType.HAVING,
        TokenType.LIMIT,
        TokenType.OFFSET,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
        TokenType.JOIN,
        TokenType.INNER,
        TokenType.LEFT,
        TokenType.RIGHT,
        TokenType.FULL,
        TokenType.CROSS,
        TokenType.NATURAL,
        TokenType.WINDOW,
    }
)


def _unaliased_subquery(toks: Sequence[Token], open_: int) -> Refusal | None:
    """FROM ( SELECT ... ) or JOIN ( VALUES ... ) that no alias follows."""
    if open_ + 1 >= len(toks) or toks[open_ + 1].token_type not in _QUERY_START:
        return None
    depth = 0
    for j in range(open_, len(toks)):
        tt = toks[j].token_type
        if tt == TokenType.L_PAREN:
            depth += 1
        elif tt == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                if j + 1 < len(toks) and toks[j + 1].token_type not in _NO_ALIAS:
                    return None
                what = "VALUES" if toks[open_ + 1].token_type == TokenType.VALUES else "subquery"
                return "42601", f"{what} in FROM must have an alias"
    return None


def _distinct_order_by(text: str) -> Refusal | None:
    """SELECT DISTINCT (not DISTINCT ON) ordered by a column neither selected nor a select-list
    alias (columns only: an expression is left to DuckDB)."""
    try:
        tree = lexer.parse_one(text, "postgres")
    except Exception:  # sqlglot's errors: the analysis reports what it cannot read
        return None
    if tree is None:
        return None
    for select in tree.find_all(exp.Select):
        distinct = select.args.get("distinct")
        order = select.args.get("order")
        if distinct is None or distinct.args.get("on") is not None or order is None:
            continue
        if any(
            isinstance(e, exp.Star) or isinstance(e, exp.Column) and e.is_star for e in select.expressions
        ):
            continue
        names = {str(e.alias_or_name).lower() for e in select.expressions}
        shown = {e.unalias().sql().lower() for e in select.expressions}
        for o in order.expressions:
            key = o.this
            if (
                isinstance(key, exp.Column)
                and str(key.name).lower() not in names
                and key.sql().lower() not in shown
            ):
                return "42P10", "for SELECT DISTINCT, ORDER BY expressions must appear in select list"
    return None


_COMMA, _FROM, _JOIN, _PAREN = TokenType.COMMA, TokenType.FROM, TokenType.JOIN, TokenType.L_PAREN


def refusal(text: str, toks: Sequence[Token]) -> Refusal | None:
    """PostgreSQL's error for the statement, when it is one of those above (identity tests on
    token types: this runs for every statement not in the cache)."""
    n, distinct = len(toks), False
    for i, t in enumerate(toks):
        tt = t.token_type
        if tt is _COMMA:
            if i + 1 == n:
                return "42601", "syntax error at end of input"
            if toks[i + 1].token_type in _AFTER_COMMA:
                return "42601", f'syntax error at or near "{toks[i + 1].text}"'
        elif (tt is _FROM or tt is _JOIN) and i + 1 < n and toks[i + 1].token_type is _PAREN:
            found = _unaliased_subquery(toks, i + 1)
            if found is not None:
                return found
        elif tt is TokenType.DISTINCT:
            distinct = True
    if distinct and any(t.token_type is TokenType.ORDER_BY for t in toks):
        return _distinct_order_by(text)
    return None
