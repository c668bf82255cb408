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
from pgcompat.pg_refusals import AGGREGATES

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
        return _unqualified(text, toks, start, end)
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


def _bare(toks: Sequence[Token], i: int) -> bool:
    """toks[i] is a name standing alone: not qualified, qualifying, called, nor an alias."""
    return (
        toks[i].token_type in _NAMES
        and (i == 0 or toks[i - 1].token_type not in (TokenType.DOT, TokenType.ALIAS))
        and (i + 1 >= len(toks) or toks[i + 1].token_type not in (TokenType.DOT, TokenType.L_PAREN))
    )


def _unqualified(text: str, toks: Sequence[Token], start: int, end: int) -> dict[str, Any] | None:
    """SELECT id, s FROM t GROUP BY id with one table in FROM: {"sql": the text up to the end of
    the GROUP BY list, "rest": the text after it, "keys": [[schema, table, grouped]], "more": the
    statement's other bare names} (the engine adds those that are columns of the table, when
    the grouped names cover its primary key)."""
    base = toks[0].start
    items = range(start, end, 2)  # name, comma, name, ...
    if (end - start) % 2 != 1 or any(
        not _bare(toks, i) or (i + 1 < end and toks[i + 1].token_type != TokenType.COMMA) for i in items
    ):
        return None  # a GROUP BY of expressions: left as written
    grouped = [_fold(text, toks[i], base) for i in items]
    froms = [i for i, t in enumerate(toks) if t.token_type == TokenType.FROM]
    if len(froms) != 1 or any(
        t.token_type in (TokenType.JOIN, TokenType.L_PAREN) for t in toks[froms[0] : start]
    ):
        return None
    aliases = {
        _fold(text, toks[i + 1], base) for i in range(len(toks) - 1) if toks[i].token_type == TokenType.ALIAS
    }
    where = next((i for i, t in enumerate(toks) if t.token_type == TokenType.WHERE), start)
    more: list[str] = []
    calls: list[str] = []  # the names of the calls around token i ("" for a parenthesis)
    for i in range(len(toks)):
        tt = toks[i].token_type
        if tt == TokenType.L_PAREN:
            calls.append(toks[i - 1].text.lower() if i and toks[i - 1].token_type in _NAMES else "")
        elif tt == TokenType.R_PAREN and calls:
            calls.pop()
        if where <= i < end or not _bare(toks, i) or any(c in AGGREGATES for c in calls):
            continue  # (WHERE and aggregates' arguments read the rows before grouping)
        name = _fold(text, toks[i], base)
        if name not in grouped and name not in aliases and name not in more:
            more.append(name)
    tables = _tables(text)
    if len(tables) != 1:
        return None
    schema, table = next(iter(tables.values()))
    more = [m for m in more if m.lower() != table.lower() and m.lower() not in tables]
    if not more:
        return None
    at = toks[end - 1].end - base + 1
    return {"sql": text[:at], "rest": text[at:], "keys": [[schema, table, grouped]], "more": more}


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
