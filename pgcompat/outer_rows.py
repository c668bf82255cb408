"""The whole row of an outer join's missing side is NULL, as in PostgreSQL.

DuckDB binds a FROM item's name used as a value (`count(c)`, `c IS DISTINCT FROM NULL`,
`row_to_json(c)`, `SELECT c`) to a STRUCT of its columns; where a LEFT, RIGHT or FULL JOIN found
no row, that is a STRUCT of NULLs, which is not NULL: count(c) counts it. PostgreSQL's whole row
of a missing side is NULL. Each such reference becomes
`(CASE WHEN <marker> IS NULL AND typeof(c) LIKE 'STRUCT(%' THEN NULL ELSE c END)`, where the
marker is NULL exactly when the join found no row:

- a column of the item the join's ON condition compares with `=` in a top-level AND (a matched
  row's value there is not NULL), or the item's first USING column (not for a FULL JOIN, which
  keeps either side's unmatched rows);
- else `c.rowid` when the item is a table (DuckDB's row id is never NULL in a table's row);
- else (a subquery, view or CTE joined on something else) the test that every field is NULL: the
  one case that differs from PostgreSQL is a matched row whose every column is NULL.

The typeof guard keeps a column of another table that shares the name as it is (DuckDB, like
PostgreSQL, takes a column first). `c IS [NOT] NULL` is pgcompat.rows' (it reads the fields, which
is PostgreSQL's rule for a present row too), and is left alone here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot.tokens import Token, TokenType

from pgcompat.tokens import CLOSE, NAMES, OPEN, Edit, Tokens

_OUTER = frozenset({TokenType.LEFT, TokenType.RIGHT, TokenType.FULL})
_JOIN_WORDS = frozenset(
    {
        TokenType.NATURAL,
        TokenType.LEFT,
        TokenType.RIGHT,
        TokenType.FULL,
        TokenType.INNER,
        TokenType.OUTER,
        TokenType.CROSS,
        TokenType.JOIN,
        TokenType.COMMA,
    }
)
# Clauses the FROM list ends at (at its own nesting level).
_FROM_END = frozenset(
    {
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.HAVING,
        TokenType.ORDER_BY,
        TokenType.LIMIT,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
        TokenType.WINDOW,
        TokenType.FETCH,
        TokenType.SEMICOLON,
        TokenType.QUALIFY,
        TokenType.OFFSET,
        TokenType.RETURNING,
        TokenType.SET,
        TokenType.R_PAREN,
    }
)
# Clauses where a FROM item's name is no value: the items themselves, join conditions, CTE names.
_NOT_VALUES = frozenset({TokenType.FROM, TokenType.JOIN, TokenType.ON, TokenType.USING, TokenType.WITH})
_EVERY_FIELD_NULL = (
    "len(list_filter(json_extract(to_json({x}), '$.*'), "
    "lambda __pg_field: CAST(__pg_field AS VARCHAR) <> 'null')) = 0"
)
_NULLED = "(CASE WHEN {test} AND typeof({x}) LIKE 'STRUCT(%' THEN NULL ELSE {x} END)"


@dataclass
class _Item:
    alias: str
    table: bool  # a plain name (a table, or a view or CTE: see _ctes)
    join: frozenset[TokenType]  # the join words before it (empty for the first item or a comma)
    on: tuple[int, int] | None = None  # token range of its ON condition
    using: str | None = None  # its first USING column, as written


def _ctes(tk: Tokens) -> set[str]:
    """Names a WITH clause defines: `name AS (` or `name (cols) AS (`."""
    out: set[str] = set()
    for k in range(tk.n):
        if tk.tt(k) != TokenType.ALIAS or tk.tt(k + 1) != TokenType.L_PAREN:
            continue
        j = k - 1
        if tk.tt(j) == TokenType.R_PAREN and j in tk.match:
            j = tk.match[j] - 1
        if tk.tt(j) in NAMES and tk.name(j):
            out.add(tk.name(j) or "")
    return out


def _items(tk: Tokens, k: int) -> list[_Item]:
    """The FROM list after the FROM at token k."""
    items: list[_Item] = []
    j, n = k + 1, tk.n
    while j < n:
        join: set[TokenType] = set()
        while tk.tt(j) in _JOIN_WORDS:
            join.add(tk.tt(j))  # type: ignore[arg-type]
            j += 1
        if tk.tt(j) == TokenType.LATERAL:
            j += 1
        alias, table = None, False
        if tk.tt(j) == TokenType.L_PAREN and j in tk.match:
            j = tk.match[j] + 1
        elif tk.name(j) is not None:
            while tk.tt(j + 1) == TokenType.DOT:
                j += 2
            alias, table = tk.name(j), True
            j += 1
            if tk.tt(j) == TokenType.L_PAREN and j in tk.match:  # a table function
                j, table = tk.match[j] + 1, False
        else:
            return items
        if tk.tt(j) == TokenType.ALIAS:
            j += 1
        if tk.tt(j) in NAMES and tk.name(j) is not None:
            alias = tk.name(j)
            j += 1
            if tk.tt(j) == TokenType.L_PAREN and j in tk.match:  # column aliases
                j = tk.match[j] + 1
        item = _Item(alias or "", table, frozenset(join))
        if tk.tt(j) == TokenType.ON:
            lo = j = j + 1
            while j < n and tk.tt(j) not in _JOIN_WORDS and tk.tt(j) not in _FROM_END:
                j = (
                    tk.match[j] + 1
                    if tk.tt(j) in (TokenType.L_PAREN, TokenType.L_BRACKET) and j in tk.match
                    else j + 1
                )
            item.on = (lo, j)
        elif tk.tt(j) == TokenType.USING and tk.tt(j + 1) == TokenType.L_PAREN and j + 1 in tk.match:
            item.using = tk.src(j + 2)
            j = tk.match[j + 1] + 1
        items.append(item)
        if tk.tt(j) not in _JOIN_WORDS:
            return items
    return items


def _key(tk: Tokens, on: tuple[int, int], alias: str) -> str | None:
    """alias.col that the ON condition compares with = in a top-level AND, as written."""
    lo, hi = on
    while tk.tt(lo) == TokenType.L_PAREN and tk.match.get(lo) == hi - 1:
        lo, hi = lo + 1, hi - 1
    for a, b, _ in tk.split(lo, hi, frozenset({TokenType.AND})):
        sides = tk.split(a, b, frozenset({TokenType.EQ}))
        if len(sides) != 2:
            continue
        for s, e, _ in sides:
            if e - s == 3 and tk.tt(s + 1) == TokenType.DOT and tk.name(s) == alias and tk.name(s + 2):
                return tk.text[tk.start(s) : tk.end(s + 2)]
    return None


def _markers(tk: Tokens, items: list[_Item], ctes: set[str], out: dict[str, str]) -> None:
    """The marker test (NULL when no row was joined) of each item an outer join may leave out."""
    for i, item in enumerate(items):
        if not item.join & _OUTER:
            continue
        nullable: list[tuple[_Item, bool]] = []  # (item, whether USING names its column)
        if item.join & {TokenType.LEFT, TokenType.FULL}:
            nullable.append((item, True))
        if item.join & {TokenType.RIGHT, TokenType.FULL}:
            nullable += [(left, i == 1) for left in items[:i]]
        for target, using_is_its in nullable:
            if not target.alias or target.alias in out:
                continue  # the first join that may leave it out gives its marker
            # a FULL JOIN keeps either side's unmatched rows, whose key may be NULL: no key tells
            keyed = TokenType.FULL not in item.join
            col = _key(tk, item.on, target.alias) if item.on and keyed else None
            if col is None and item.using and using_is_its and keyed:
                col = f"{target.alias}.{item.using}"
            if col is None and target.table and target.alias not in ctes:
                col = f"{target.alias}.rowid"
            out[target.alias] = f"{col} IS NULL" if col else _EVERY_FIELD_NULL.format(x=target.alias)


def _is_null_test(tk: Tokens, i: int) -> bool:
    """Token i is followed by IS [NOT] NULL (pgcompat.rows' to rewrite)."""
    if tk.tt(i + 1) != TokenType.IS:
        return False
    k = i + 3 if tk.tt(i + 2) == TokenType.NOT else i + 2
    return tk.tt(k) == TokenType.NULL


def nullable_whole_rows(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """A whole-row reference to an outer join's nullable side is NULL where no row was joined."""
    if not any(t.token_type in _OUTER for t in toks):  # the one cheap look for other statements
        return []
    tk = Tokens(text, toks, base)
    ctes = _ctes(tk)
    markers: dict[tuple[int, str], str] = {}  # (scope, alias) -> the test that no row was joined
    parent = _parents(tk)
    defined: dict[int, set[str]] = {}  # query scope (its "(", -1 for the statement) -> its FROM names
    for k in range(tk.n):
        if tk.tt(k) == TokenType.FROM and tk.word(k - 1) != "distinct":
            items = _items(tk, k)
            defined.setdefault(parent[k], set()).update(it.alias for it in items if it.alias)
            found: dict[str, str] = {}
            _markers(tk, items, ctes, found)
            markers.update({(parent[k], alias): test for alias, test in found.items()})
    if not markers:
        return []
    names = {alias for _, alias in markers}
    edits: list[Edit] = []
    for i in range(tk.n):
        name = tk.name(i) if tk.tt(i) in NAMES else None
        if name not in names:
            continue
        if tk.tt(i - 1) in (TokenType.DOT, TokenType.ALIAS) or tk.tt(i + 1) in (
            TokenType.DOT,
            TokenType.L_PAREN,
        ):
            continue
        if _is_null_test(tk, i) or tk.clause_of(i) in _NOT_VALUES:
            continue
        if tk.tt(i + 1) == TokenType.ALIAS and tk.tt(i + 2) == TokenType.L_PAREN:
            continue  # a CTE's definition
        scope = parent[i]  # the nearest query around it whose FROM names it
        while scope != -1 and name not in defined.get(scope, ()):
            scope = parent[scope]
        test = markers.get((scope, name or ""))
        if test is not None:
            x = tk.src(i)
            edits.append((tk.start(i), tk.end(i), _NULLED.format(test=test, x=x)))
    return edits


def _parents(tk: Tokens) -> list[int]:
    """For each token, the "(" or "[" it stands in (-1 at the statement's level)."""
    out, stack = [], []
    for i in range(tk.n):
        t = tk.tt(i)
        if t in CLOSE and stack:
            stack.pop()
        out.append(stack[-1] if stack else -1)
        if t in OPEN:
            stack.append(i)
    return out


REWRITES = [nullable_whole_rows]
