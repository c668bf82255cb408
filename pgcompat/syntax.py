"""PostgreSQL statement syntax that DuckDB (or the analysis) cannot parse, in the form both can.

These rewrites change the shape of a statement, so the statement is classified, analysed and
checked (sandbox, lockdown, privileges) in its rewritten form: what is judged is what runs.
Each is a small function over the statement's tokens returning edits; a statement none of them
touches stays exactly as the client wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlglot.tokens import Token, TokenType

from pgcompat import pg_operators
from pgcompat.tokens import ITEM_END, NAMES, WORD, Edit, Tokens, apply, tokenize
from pgwire.tags import LOCK_TABLE, SELECT_INTO

# What ends the search for the SELECT an INTO belongs to.
_NOT_SELECT_LIST = frozenset(
    {
        TokenType.FROM,
        TokenType.WHERE,
        TokenType.INSERT,
        TokenType.UPDATE,
        TokenType.DELETE,
        TokenType.MERGE,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
        TokenType.VALUES,
    }
)


def keyword_aliases(tk: Tokens) -> list[Edit]:
    """`expr AS update` / `AS select` / `AS table`: PostgreSQL takes any keyword as a column label
    after AS; sqlglot does not. Quoted (lower case, as PostgreSQL folds it), the name is the same."""
    edits: list[Edit] = []
    for i in range(tk.n - 1):
        k = i + 1
        if tk.tt(i) != TokenType.ALIAS or tk.tt(k) in NAMES or not WORD.match(tk.src(k)):
            continue
        if k + 1 < tk.n and tk.tt(k + 1) not in ITEM_END:
            continue
        if tk.clause_of(i) not in (TokenType.SELECT, TokenType.RETURNING):
            continue
        edits.append((tk.start(k), tk.end(k), f'"{tk.src(k).lower()}"'))
    return edits


def temporary_scope(tk: Tokens) -> list[Edit]:
    """CREATE LOCAL TEMPORARY TABLE / CREATE GLOBAL TEMP TABLE: PostgreSQL ignores LOCAL and
    GLOBAL (every temporary table is the session's own, as in DuckDB), DuckDB refuses them."""
    if tk.word(0) == "create" and tk.word(1) in ("local", "global") and tk.word(2) in ("temp", "temporary"):
        return [(tk.start(1), tk.start(2), "")]
    return []


def _select_into_clause(tk: Tokens) -> int | None:
    """Index of the INTO of `SELECT ... INTO t FROM ...` at the top level of a query, else None."""
    if tk.tt(0) not in (TokenType.SELECT, TokenType.WITH):
        return None
    k = 0
    while k < tk.n:
        t = tk.tt(k)
        if t in (TokenType.L_PAREN, TokenType.L_BRACKET) and k in tk.match:
            k = tk.match[k] + 1
            continue
        if t == TokenType.INTO:
            j = k - 1
            while j >= 0 and tk.tt(j) not in _NOT_SELECT_LIST and tk.tt(j) != TokenType.SELECT:
                j = tk.match[j] - 1 if tk.tt(j) == TokenType.R_PAREN and j in tk.match else j - 1
            return k if j >= 0 and tk.tt(j) == TokenType.SELECT else None
        k += 1
    return None


def select_into(tk: Tokens) -> list[Edit]:
    """SELECT ... INTO [TEMPORARY | UNLOGGED] [TABLE] t FROM ...: PostgreSQL's old spelling of
    CREATE TABLE t AS SELECT ... FROM ..., which DuckDB lacks."""
    i = _select_into_clause(tk)
    if i is None:
        return []
    k = i + 1
    temporary = False
    if tk.word(k) in ("local", "global"):
        k += 1
    if tk.word(k) in ("temp", "temporary"):
        temporary, k = True, k + 1
    elif tk.word(k) == "unlogged":
        k += 1
    if tk.word(k) == "table":
        k += 1
    first = k
    if tk.tt(k) not in NAMES:
        return []
    while tk.tt(k + 1) == TokenType.DOT and tk.tt(k + 2) in NAMES:
        k += 2
    name = tk.text[tk.start(first) : tk.end(k)]
    head = f"CREATE {'TEMPORARY ' if temporary else ''}TABLE {name} AS "
    return [(0, 0, head), (tk.start(i), tk.start(k + 1) if k + 1 < tk.n else tk.end(k), "")]


def identity_cache(tk: Tokens) -> list[Edit]:
    """GENERATED ... AS IDENTITY (... CACHE n ...): how many values a PostgreSQL backend takes from
    the sequence at a time (gaps only, never a value), which neither DuckDB's CREATE SEQUENCE nor
    the analysis reads."""
    edits: list[Edit] = []
    for i in range(tk.n - 1):
        if tk.word(i) != "identity" or tk.tt(i + 1) != TokenType.L_PAREN or (i + 1) not in tk.match:
            continue
        for k in range(i + 2, tk.match[i + 1] - 1):
            if tk.word(k) == "cache" and tk.tt(k + 1) == TokenType.NUMBER:
                edits.append((tk.start(k), tk.end(k + 1), ""))
    return edits


# Words DuckDB reserves (or keeps for types and functions) that PostgreSQL takes as plain names:
# columns of that name are common (pandas frames: at, pivot, qualify, asof).
DUCKDB_ONLY_KEYWORDS = frozenset(
    {"at", "asof", "positional", "anti", "semi", "pivot", "unpivot", "pivot_longer", "pivot_wider", "qualify"}
)
# What stands before a name in an expression, a list or a clause (never before DuckDB's own use
# of those words: x AT TIME ZONE, t ASOF JOIN, FROM t PIVOT (...), ... QUALIFY expr).
_BEFORE_NAME = frozenset(
    {
        TokenType.COMMA,
        TokenType.L_PAREN,
        TokenType.DOT,
        TokenType.SELECT,
        TokenType.WHERE,
        TokenType.AND,
        TokenType.OR,
        TokenType.NOT,
        TokenType.DISTINCT,
        TokenType.SET,
        TokenType.EQ,
        TokenType.NEQ,
        TokenType.LT,
        TokenType.GT,
        TokenType.LTE,
        TokenType.GTE,
        TokenType.PLUS,
        TokenType.DASH,
        TokenType.STAR,
        TokenType.SLASH,
        TokenType.WHEN,
        TokenType.THEN,
        TokenType.ELSE,
        TokenType.HAVING,
        TokenType.RETURNING,
        TokenType.ORDER_BY,
        TokenType.GROUP_BY,
        TokenType.PARTITION_BY,
        TokenType.ON,
    }
)
# What follows a name in an expression or a list (a column definition's type: see below).
_AFTER_NAME = frozenset(
    {
        TokenType.COMMA,
        TokenType.R_PAREN,
        TokenType.DOT,
        TokenType.FROM,
        TokenType.WHERE,
        TokenType.ALIAS,
        TokenType.IS,
        TokenType.IN,
        TokenType.EQ,
        TokenType.NEQ,
        TokenType.LT,
        TokenType.GT,
        TokenType.LTE,
        TokenType.GTE,
        TokenType.PLUS,
        TokenType.DASH,
        TokenType.STAR,
        TokenType.SLASH,
        TokenType.DPIPE,
        TokenType.DCOLON,
        TokenType.AND,
        TokenType.OR,
        TokenType.ORDER_BY,
        TokenType.GROUP_BY,
        TokenType.LIMIT,
        TokenType.DESC,
        TokenType.ASC,
        TokenType.SEMICOLON,
    }
)


def _column_list_open(tk: Tokens) -> int | None:
    """The "(" of CREATE [TEMP] TABLE [IF NOT EXISTS] name (...): its column definitions."""
    if tk.word(0) != "create":
        return None
    for k in range(1, min(tk.n, 12)):
        if tk.tt(k) == TokenType.L_PAREN:
            return k if tk.tt(k - 1) in NAMES and "table" in {tk.word(j) for j in range(1, k)} else None
        if tk.tt(k) == TokenType.ALIAS:
            return None
    return None


def _enclosing(tk: Tokens, i: int) -> int | None:
    """The "(" whose parentheses hold token i most closely."""
    k = i - 1
    while k >= 0:
        if tk.tt(k) == TokenType.R_PAREN and k in tk.match:
            k = tk.match[k] - 1
            continue
        if tk.tt(k) == TokenType.L_PAREN:
            return k
        k -= 1
    return None


def duckdb_keyword_names(tk: Tokens) -> list[Edit]:
    """`at`, `pivot`, `qualify`, `asof` ... as column names, unquoted as PostgreSQL takes them
    (SQLAlchemy quotes only PostgreSQL's reserved words): quoted, lower case as PostgreSQL folds
    them, where they stand as names. In CREATE and ALTER TABLE a column's name is followed by its
    type."""
    columns = _column_list_open(tk)
    edits: list[Edit] = []
    for i in range(tk.n):
        if tk.word(i) not in DUCKDB_ONLY_KEYWORDS:
            continue
        before = tk.tt(i - 1) in _BEFORE_NAME or tk.word(i - 1) in ("by", "column", "add", "to")
        after = i + 1 >= tk.n or tk.tt(i + 1) in _AFTER_NAME or tk.word(i + 1) in ("to", "type")
        typed = tk.src(i + 1)[:1].isalpha() and (
            (
                columns is not None
                and tk.tt(i - 1) in (TokenType.COMMA, TokenType.L_PAREN)
                and _enclosing(tk, i) == columns
            )
            or (tk.word(0) == "alter" and tk.word(i - 1) in ("column", "add"))
        )
        if tk.word(i) == "at" and tk.word(i + 1) in ("time", "local"):
            continue
        if before and (after or typed):
            edits.append((tk.start(i), tk.end(i), f'"{tk.word(i)}"'))
    return edits


# LOCK TABLE modes that conflict with ROW EXCLUSIVE (what INSERT, UPDATE and DELETE take): held,
# they keep other writers out until the transaction ends.
_WRITER_EXCLUDING_MODES = frozenset({"share", "share row exclusive", "exclusive", "access exclusive"})
_LOCK_MODES = _WRITER_EXCLUDING_MODES | {
    "access share",
    "row share",
    "row exclusive",
    "share update exclusive",
}


_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_LOCKED_NAME = re.compile(rf"\s*(?:ONLY\s+)?({_IDENT}(?:\s*\.\s*{_IDENT}){{0,2}})\s*\*?\s*$", re.I)
_LOCK = re.compile(
    r"^\s*LOCK\s+(?:TABLE\s+)?(?P<names>.+?)(?:\s+IN\s+(?P<mode>[A-Za-z ]+?)\s+MODE)?(?:\s+(?P<nowait>NOWAIT))?\s*$",
    re.I | re.S,
)


def lock_table(text: str) -> str | None:
    """LOCK [TABLE] [ONLY] name [*] [, ...] [IN mode MODE] [NOWAIT]: DuckDB has no table locks.
    Every transaction reads its own snapshot, so the weak modes (pg_dump's ACCESS SHARE) only
    check that the tables exist; the modes that keep writers out take the PDB's write gate as
    SELECT ... FOR UPDATE does (pgcompat.locking). Returns that SELECT, or None when the
    statement is no LOCK this reads (DuckDB's syntax error then). (sqlglot reads LOCK as a
    command with one string argument, hence the expressions over the text.)"""
    m = _LOCK.match(text)
    if m is None:
        return None
    mode = " ".join((m.group("mode") or "access exclusive").lower().split())  # PostgreSQL's default
    if mode not in _LOCK_MODES:
        return None
    names = []
    for part in m.group("names").split(","):
        found = _LOCKED_NAME.match(part)
        if found is None:
            return None  # a comma inside a quoted name, or no name: DuckDB's syntax error
        names.append(found.group(1))
    lock = " FOR UPDATE" + (" NOWAIT" if m.group("nowait") else "") if mode in _WRITER_EXCLUDING_MODES else ""
    return f"SELECT NULL FROM {', '.join(names)} LIMIT 0{lock}"


_PREPARE_TYPED = re.compile(
    r"^\s*PREPARE\s+((?:\"(?:[^\"]|\"\")+\"|\w+))\s*\((.*?)\)\s*AS\s+(.*)$", re.I | re.S
)


def prepare_types(text: str) -> str | None:
    """PREPARE name (type, ...) AS statement: DuckDB's PREPARE takes no type list; each $n of the
    statement is cast to its listed type instead, as PostgreSQL types it. None for any other."""
    m = _PREPARE_TYPED.match(text)
    if m is None:
        return None
    name, listed, statement = m.group(1), m.group(2), m.group(3)
    types, depth, start = [], 0, 0
    for k, ch in enumerate(listed + ","):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            types.append(listed[start:k].strip())
            start = k + 1
    if depth or not all(types):
        return None
    toks = tokenize(statement)
    if not toks:
        return None
    tk = Tokens(statement, toks)
    edits: list[Edit] = []
    for k in range(tk.n - 1):
        if tk.tt(k) == TokenType.PARAMETER and tk.tt(k + 1) == TokenType.NUMBER and tk.src(k + 1).isdigit():
            n = int(tk.src(k + 1))
            if 1 <= n <= len(types):
                edits.append((tk.start(k), tk.start(k), "CAST("))
                edits.append((tk.end(k + 1), tk.end(k + 1), f" AS {types[n - 1]})"))
    return f"PREPARE {name} AS {apply(statement, edits)}"


SHAPES: list[Callable[[Tokens], list[Edit]]] = [
    keyword_aliases,
    temporary_scope,
    select_into,
    identity_cache,
    duckdb_keyword_names,
    *pg_operators.SHAPES,
]


@dataclass(frozen=True)
class Shaped:
    text: str
    engine_kind: str = ""  # the kind the engine runs it as, when not the rewritten text's own


def _worth_a_look(toks: Sequence[Token]) -> bool:
    """Whether any shape above may apply (most statements have no INTO, no keyword after AS and
    are no CREATE LOCAL/GLOBAL, and name no column DuckDB reserves)."""
    if any(t.text.lower() in DUCKDB_ONLY_KEYWORDS for t in toks) or pg_operators.worth_a_look(toks):
        return True
    if toks[0].token_type == TokenType.CREATE:
        return (
            len(toks) > 1
            and toks[1].text.lower() in ("local", "global")
            or any(t.text.upper() == "CACHE" for t in toks)
        )
    return any(
        t.token_type == TokenType.INTO or (t.token_type == TokenType.ALIAS and nxt.token_type not in NAMES)
        for t, nxt in zip(toks, toks[1:], strict=False)
    )


def reshape(text: str, toks: Sequence[Token]) -> Shaped | None:
    """The statement in a form DuckDB and the analysis parse, or None when it needs no change."""
    if not toks:
        return None
    if toks[0].text.upper() == "LOCK":
        locked = lock_table(text)
        return Shaped(locked, LOCK_TABLE) if locked is not None else None
    if toks[0].text.upper() == "PREPARE":
        typed = prepare_types(text)
        return Shaped(typed) if typed is not None else None
    if not _worth_a_look(toks):
        return None
    tk = Tokens(text, toks)
    edits: list[Edit] = []
    kind = ""
    for shape in SHAPES:
        found = shape(tk)
        if found:
            edits += found
            if shape is select_into:
                kind = SELECT_INTO
    if not edits:
        return None
    return Shaped(apply(tk.text, edits).strip(), kind)
