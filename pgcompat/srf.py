"""Set-returning functions in a select list return rows, as in PostgreSQL.

`SELECT generate_series(1, 3)` is three rows in PostgreSQL; DuckDB's generate_series in a select
list is one row holding a list. Unnesting it there gives PostgreSQL's rows (several such calls
are zipped and padded with NULLs, as PostgreSQL 10+ does). In FROM both mean a table already.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat.tokens import Tokens

Edit = tuple[int, int, str]

# Functions that are tables in PostgreSQL and lists in a DuckDB select list.
_LIST_VALUED = frozenset({"generate_series"})


def select_list_srfs(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    if not any(t.text.lower() in _LIST_VALUED for t in toks):
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    for i in range(tk.n):
        if (
            tk.word(i) not in _LIST_VALUED
            or tk.tt(i + 1) != TokenType.L_PAREN
            or tk.tt(i - 1) == TokenType.DOT
        ):
            continue
        close = tk.closing(i + 1)
        if close is None or tk.clause_of(i) != TokenType.SELECT:
            continue
        edits.append((tk.start(i), tk.end(i), f"unnest({tk.src(i)}"))
        edits.append((tk.start(close), tk.end(close), "))"))
    return edits
