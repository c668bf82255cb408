"""sum and avg with PostgreSQL's result types: sum(int2|int4) is bigint, avg of integers and
numerics an exact numeric (DuckDB: HUGEINT and DOUBLE).

The calls go to the engine's typed macros (engine.pgmath), whose overload DuckDB's binder picks
by the argument's type: no schema is read here, and a statement without sum( or avg( is not
touched (one look at its tokens). Left as DuckDB's: calls with ORDER BY or FILTER, avg as a
window function, calls whose argument holds a parameter (its type is unknown when DuckDB binds
the overload), and DDL (a view keeps DuckDB's functions: the macros are each session's own).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

Edit = tuple[int, int, str]

# the engine's macros (engine.pgmath: SUM, SUM_DISTINCT, AVG, AVG_DISTINCT)
_MACROS = {
    ("sum", False): "__pg_sum",
    ("sum", True): "__pg_sum_distinct",
    ("avg", False): "__pg_avg",
    ("avg", True): "__pg_avg_distinct",
}
_DDL = frozenset({TokenType.CREATE, TokenType.ALTER})


def _close(toks: Sequence[Token], open_: int) -> int | None:
    depth = 0
    for j in range(open_, len(toks)):
        tt = toks[j].token_type
        if tt in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif tt in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
            if depth == 0:
                return j
    return None


def _plain_argument(toks: Sequence[Token], first: int, last: int) -> bool:
    """One argument, no ORDER BY, no parameter, not *."""
    if first > last or toks[first].token_type == TokenType.STAR and first == last:
        return False
    depth = 0
    for t in toks[first : last + 1]:
        tt = t.token_type
        if tt in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif tt in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
        elif tt == TokenType.PARAMETER or (depth == 0 and tt in (TokenType.COMMA, TokenType.ORDER_BY)):
            return False
    return True


def sum_avg(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    if not toks or toks[0].token_type in _DDL:
        return []
    edits: list[Edit] = []
    for i, t in enumerate(toks[:-1]):
        name = t.text.lower()
        if (
            name not in ("sum", "avg")
            or toks[i + 1].token_type != TokenType.L_PAREN
            or text[t.start - base] == '"'
            or (i > 0 and toks[i - 1].token_type == TokenType.DOT)
        ):
            continue
        end = _close(toks, i + 1)
        if end is None:
            continue
        after = toks[end + 1].text.upper() if end + 1 < len(toks) else ""
        if after in ("FILTER", "WITHIN") or (after == "OVER" and name == "avg"):
            continue
        first = i + 2
        distinct = first < end and toks[first].token_type == TokenType.DISTINCT
        if distinct or (first < end and toks[first].token_type == TokenType.ALL):
            first += 1
        if not _plain_argument(toks, first, end - 1):
            continue
        edits.append((t.start - base, toks[first].start - base, f"{_MACROS[(name, distinct)]}("))
    return edits
