"""A VALUES list in FROM names its columns column1, column2, ... as PostgreSQL's does.

DuckDB names them col0, col1, ...: `SELECT column1 FROM (VALUES (1)) v` fails there and
`SELECT * FROM (VALUES (1)) v` is named differently. `(VALUES ...) [AS] v` without a column list
gets one, `v(column1, column2, ...)`, as many as the first row has values; a shorter list than
that is completed so (`v(a)` of two values is `v(a, column2)`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat.tokens import NAMES, Edit, Tokens

_FROM_ITEM_START = frozenset({TokenType.FROM, TokenType.JOIN, TokenType.COMMA, TokenType.LATERAL})


def values_column_names(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """(VALUES (a, b), ...) [AS] v -> (VALUES ...) [AS] v(column1, column2)."""
    starts = [
        i
        for i in range(1, len(toks) - 1)
        if toks[i].token_type == TokenType.VALUES and toks[i - 1].token_type == TokenType.L_PAREN
    ]
    if not starts:  # the one cheap look for other statements
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    for i in starts:
        open_ = i - 1
        close = tk.closing(open_)
        if close is None or tk.tt(open_ - 1) not in _FROM_ITEM_START:
            continue
        first = tk.closing(i + 1) if tk.tt(i + 1) == TokenType.L_PAREN else None
        if first is None:
            continue
        n = len(tk.split(i + 2, first, frozenset({TokenType.COMMA})))
        k = close + 1
        if tk.tt(k) == TokenType.ALIAS:
            k += 1
        if tk.tt(k) not in NAMES:
            continue  # no alias (PostgreSQL refuses that)
        if tk.tt(k + 1) == TokenType.L_PAREN:
            # its own column names: those it leaves out are PostgreSQL's columnN still
            end = tk.closing(k + 1)
            named = len(tk.split(k + 2, end, frozenset({TokenType.COMMA}))) if end is not None else n
            if end is not None and end > k + 2 and named < n:
                rest = ", ".join(f"column{c}" for c in range(named + 1, n + 1))
                edits.append((tk.start(end), tk.start(end), f", {rest}"))
            continue
        names = ", ".join(f"column{c}" for c in range(1, n + 1))
        edits.append((tk.end(k), tk.end(k), f"({names})"))
    return edits


REWRITES = [values_column_names]
