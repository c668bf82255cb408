"""GROUP BY a table's primary key, selecting its other columns ungrouped (Django's annotate()):
PostgreSQL takes the columns functionally dependent on the key; DuckDB wants them grouped.

Grouping by more columns of a table already grouped by its key changes no group, so the query
can also be written with them in its GROUP BY. Whether the grouped columns cover the key is the
catalog's to say when the statement runs: `alternative` gives the engine that other text and the
keys to check (engine.grouping); when they do not cover a primary key the statement runs as
written and fails as in PostgreSQL (42803).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from pgcompat import lexer

_LIST_END = frozenset(
    {
        TokenType.HAVING,
        TokenType.ORDER_BY,
        TokenType.LIMIT,
        TokenType.OFFSET,
        TokenType.WINDOW,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
        TokenType.FETCH,
        TokenType.FOR,
    }
)
_NAMES = (TokenType.VAR, TokenType.IDENTIFIER)


def _fold(text: str, t: Token, base: int) -> str:
    return t.text if text[t.start - base] == '"' else t.text.lower()


def _qualified(toks: Sequence[Token], i: int) -> bool:
    """toks[i] . toks[i+2] is a column qualified by one name (not a longer name, not a call)."""
    return (
        i + 2 < len(toks)
        and toks[i].token_type in _NAMES
        and toks[i + 1].token_type == TokenType.DOT
        and toks[i + 2].token_type in _NAMES
        and (i == 0 or toks[i - 1].token_type != TokenType.DOT)
        and (i + 3 >= len(toks) or toks[i + 3].token_type not in (TokenType.DOT, TokenType.L_PAREN))
    )


def alternative(text: str, toks: Sequence[Token]) -> dict[str, Any] | None:
    """For a single SELECT ... GROUP BY q.k, ... that names other columns q.c of a grouped table
    q: {"sql": the text with those columns grouped too, "keys": [[schema, table, grouped]]}."""
    if not toks or toks[0].token_type != TokenType.SELECT:
        return None
    if sum(t.token_type == TokenType.SELECT for t in toks) != 1:
        return None  # subqueries may reuse the qualifiers: left as written
    base = toks[0].start
    depth, start = 0, None
    for i, t in enumerate(toks):
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(t.token_type, 0)
        if depth == 0 and t.token_type == TokenType.GROUP_BY:
            start = i + 1
            break
    if start is None:
        return None
    end = len(toks)
    for j in range(start, len(toks)):
        if toks[j].token_type in _LIST_END:
            end = j
            break
    grouped: dict[str, list[str]] = {}
    for i in range(start, end):
        if _qualified(toks, i):
            grouped.setdefault(_fold(text, toks[i], base), []).append(_fold(text, toks[i + 2], base))
    if not grouped:
        return None
    added: dict[str, list[str]] = {}
    for i in range(len(toks)):
        if start <= i < end or not _qualified(toks, i):
            continue
        q, c = _fold(text, toks[i], base), _fold(text, toks[i + 2], base)
        if q in grouped and c not in grouped[q] and c not in added.get(q, []):
            added.setdefault(q, []).append(c)
    if not added:
        return None
    tables = _tables(text)
    keys = []
    for q in added:
        if q.lower() not in tables:
            return None
        keys.append([*tables[q.lower()], grouped[q]])
    more = ", ".join(f'"{q}"."{c}"' for q, cols in added.items() for c in cols)
    at = toks[end - 1].end - base + 1
    return {"sql": f"{text[:at]}, {more}{text[at:]}", "keys": keys}


def _tables(text: str) -> dict[str, tuple[str, str]]:
    """The statement's tables by the name that qualifies their columns: (schema, table)."""
    try:
        tree = lexer.parse_one(text, "duckdb")
    except Exception:  # sqlglot's errors: then nothing is known, and nothing is changed
        return {}
    out: dict[str, tuple[str, str]] = {}
    for t in tree.find_all(exp.Table):
        schema = str(t.db or "") or "main"
        out[str(t.alias_or_name).lower()] = ("main" if schema == "public" else schema, str(t.name))
    return out
