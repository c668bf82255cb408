"""Every function a statement calls, by the name DuckDB will resolve, split by namespace.

DuckDB matches function names case-insensitively, quoted or not, and `system.main.f(`, `main.f(`,
`'lit'.f(` and `col.f(` all call f; scalar and table functions are separate namespaces (FROM,
JOIN, LATERAL call table functions). The sandbox judges these names against an allow-list
(policies.allowed_functions), so a name missed here is a name let through: names are taken both
from sqlglot's tree (which knows positions) and from the tokens (which see what the client wrote,
whatever sqlglot made of it), and a token followed by `(` counts as a call unless its position
shows it is not one (a type, a keyword, a table, an alias, a CTE's column list).
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.parser import Parser
from sqlglot.tokens import Token, TokenType

# Keywords that may be followed by `(` without calling anything.
_STRUCTURAL = frozenset(
    {
        "all", "and", "any", "as", "between", "by", "case", "check", "constraint", "copy", "cube",
        "default", "distinct", "do", "else", "escape", "except", "exclude", "exists", "explain",
        "filter", "for", "from", "group", "grouping sets", "having", "ilike", "in", "include", "intersect",
        "into", "is", "join", "key", "lateral", "like", "limit", "materialized", "not", "of", "offset",
        "on", "or", "order", "over", "partition", "primary", "qualify", "recursive", "references",
        "rename", "returning", "rollup", "rows", "select", "set", "sets", "similar", "some", "table",
        "then", "to", "union", "unique", "using", "values", "when", "where", "window", "with", "within",
        "tablesample", "sample", "reservoir", "bernoulli", "system", "zone", "analyze", "vacuum",
        "ordinality", "foreign", "generated", "always", "stored", "virtual", "conflict", "unpivot", "pivot",
        "return", "returns", "language", "nothing", "update", "insert", "delete", "merge", "view",
        "operator",  # PostgreSQL's a OPERATOR(pg_catalog.~) b
    }
)  # fmt: skip
# Words after which `name (` names an object or its column list: INSERT INTO t (a), CREATE TABLE
# t (...), REFERENCES t (a), CREATE MACRO m (x), PREPARE p (int), EXECUTE p (1), COPY t (a).
_NAMES_AN_OBJECT = frozenset(
    {
        "into", "table", "view", "references", "macro", "function", "prepare", "execute", "copy",
        "exists", "index", "type", "sequence", "with", "recursive", "window",
    }
)  # fmt: skip
_TABLE_POSITION = frozenset({"from", "join", "lateral", "call", "apply"})
_TYPE_TOKENS = frozenset(Parser.TYPE_TOKENS)
_WORD = re.compile(r"[a-z_][a-z0-9_$]*$")
_NOT_NAMES = frozenset(
    {
        TokenType.STRING,
        TokenType.NUMBER,
        TokenType.PARAMETER,
        TokenType.PLACEHOLDER,
        TokenType.NATIONAL_STRING,
    }
)


def unquote(name: str) -> str:
    """A function name as DuckDB resolves it: without its quotes, lower case."""
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('""', '"')
    return name.lower()


def from_tree(tree: exp.Expression) -> tuple[set[str], set[str]]:
    """(scalar calls, table calls) sqlglot parsed as calls of functions it does not know: every
    name DuckDB has that is not on the allow-list parses so (tests/unit/test_allowed_functions.py)."""
    scalar: set[str] = set()
    table: set[str] = set()
    for f in tree.find_all(exp.Anonymous):
        raw = str(f.this)
        if raw.lower() in _STRUCTURAL:  # x = ALL(...), OPERATOR(...): syntax sqlglot kept as a call
            continue
        name = unquote(raw)
        (table if isinstance(f.parent, exp.Table | exp.Lateral | exp.From | exp.Join) else scalar).add(name)
    return scalar, table


def from_tokens(tokens: tuple[Token, ...], opaque: bool) -> tuple[set[str], set[str]]:
    """(scalar calls, table calls) written as `name (`: scalar where the position does not make
    it a table function. `opaque`: sqlglot kept the statement as a Command, so no tree says what
    a name is; then `, name (` is judged as a table function too (FROM a, histogram(...)), as it
    is after a FROM-list item (FROM t, jsonb_each(t.j)) in any statement."""
    scalar: set[str] = set()
    table: set[str] = set()
    for i in range(len(tokens) - 1):
        t = tokens[i]
        if tokens[i + 1].token_type != TokenType.L_PAREN or t.token_type in _NOT_NAMES:
            continue
        quoted = t.token_type == TokenType.IDENTIFIER
        name = t.text.lower()
        if not quoted and (name in _STRUCTURAL or t.token_type in _TYPE_TOKENS or not _WORD.match(name)):
            continue  # keywords (PRIMARY KEY, VALUES), types (varchar(10)), punctuation ((a), b)
        start = i  # the first token of a dotted name (system.main.f, 'x'.f: f is called)
        while start >= 2 and tokens[start - 1].token_type == TokenType.DOT:
            start -= 2
        before = tokens[start - 1] if start > 0 else None
        plain = before is not None and before.token_type not in (TokenType.IDENTIFIER, TokenType.STRING)
        word = before.text.lower() if plain and before is not None else ""
        named = start == i or tokens[start].token_type in (TokenType.VAR, TokenType.IDENTIFIER)
        if named and (word in _NAMES_AN_OBJECT or not opaque and _names_object(tokens, start, i, word)):
            continue
        if word in _TABLE_POSITION or (word == "," and (opaque or _in_from(tokens, start))):
            table.add(name)
        else:
            scalar.add(name)
    return scalar, table


def literal_only(tokens: tuple[Token, ...], name: str) -> bool:
    """Whether every call of `name` is written `name('literal'[, ...])`: a plain string first, no
    method syntax ('x'.name()), no expression DuckDB would fold into a constant ('a' || 'b')."""
    for i, t in enumerate(tokens):
        if t.text.lower() != name or i + 1 >= len(tokens) or tokens[i + 1].token_type != TokenType.L_PAREN:
            continue
        plain = i + 3 < len(tokens) and tokens[i + 2].token_type == TokenType.STRING
        if not plain or tokens[i + 3].token_type not in (TokenType.R_PAREN, TokenType.COMMA):
            return False
        if i > 0 and tokens[i - 1].token_type == TokenType.DOT:
            return False
    return True


def _names_object(tokens: tuple[Token, ...], start: int, i: int, word: str) -> bool:
    """Whether `name (` at i is an alias with its column list or an indexed table, not a call."""
    before = tokens[start - 1] if start > 0 else None
    if before is not None and before.token_type in (TokenType.R_PAREN, TokenType.VAR, TokenType.IDENTIFIER):
        return start == i  # an alias with column names: (SELECT ...) s(a), FROM t v(x)
    if word == "as":
        return start == i and _in_from(tokens, start)  # FROM range(3) AS r(i)
    if word == "," and start == i:
        return _is_cte(tokens, i + 1)  # WITH a AS (...), b(x) AS (...)
    if word == "on" and start == i:
        return _after_index(tokens, start - 1)  # CREATE INDEX i ON t (a)
    return False


def matching(tokens: tuple[Token, ...], open_at: int) -> int:
    depth = 0
    for j in range(open_at, len(tokens)):
        if tokens[j].token_type == TokenType.L_PAREN:
            depth += 1
        elif tokens[j].token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens)


def _is_cte(tokens: tuple[Token, ...], open_at: int) -> bool:
    j = matching(tokens, open_at) + 1
    if j + 1 >= len(tokens) or tokens[j].text.upper() != "AS":
        return False
    nxt = tokens[j + 1]
    return nxt.token_type == TokenType.L_PAREN or nxt.text.upper() in ("MATERIALIZED", "NOT")


def _in_from(tokens: tuple[Token, ...], at: int) -> bool:
    """Whether the AS at `at - 1` follows a FROM-list item (then `AS name (` is an alias)."""
    depth = 0
    for j in range(at - 2, -1, -1):
        tt = tokens[j].token_type
        if tt == TokenType.R_PAREN:
            depth += 1
        elif tt == TokenType.L_PAREN:
            if depth == 0:
                return False
            depth -= 1
        elif depth == 0:
            w = tokens[j].text.upper()
            if w in ("FROM", "JOIN", "LATERAL"):
                return True
            if w in ("SELECT", "WHERE", "ON", "HAVING", "BY", "MACRO", "FUNCTION", "RETURNING", "SET"):
                return False
    return False


def _after_index(tokens: tuple[Token, ...], on_at: int) -> bool:
    j = on_at - 1  # CREATE INDEX ON t (a), CREATE INDEX i ON t (a)
    if j >= 0 and tokens[j].token_type in (TokenType.VAR, TokenType.IDENTIFIER):
        j -= 1
    return j >= 0 and tokens[j].text.upper() == "INDEX"
