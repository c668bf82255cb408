"""varchar(n) and char(n) lengths, PostgreSQL's way: DuckDB accepts the types but keeps no length.

A column declared `varchar(n)` / `character varying(n)` in CREATE TABLE gets a CHECK constraint
of one shape, `CHECK (len("col") <= n)`; `char(n)` / `character(n)` / `bpchar(n)` / `nchar(n)`
(and bare `char`, which is char(1)) `CHECK (len(CAST("col" AS BPCHAR)) <= n)`. DuckDB keeps that
expression verbatim (duckdb_constraints().expression, the table's SQL; constraint names it
drops); PostgreSQL has no `len`, so no PostgreSQL client writes it by chance. The catalog shim
(pgcompat/shim/) reads the shape back as the column's type (`character varying(n)`,
atttypmod n + 4) and hides the CHECK from the constraint listings; engine/errors.py turns its
failure into PostgreSQL's 22001 `value too long for type character varying(n)`. NULLs pass (a
CHECK that is NULL holds).

What DuckDB cannot do: add a CHECK to an existing table (ALTER TABLE ... ADD [COLUMN] c
varchar(n) runs as before, the column is text, with a notice saying the length is not
enforced), drop a CHECK, or change the type of a column that has one. ALTER [COLUMN] c [SET DATA]
TYPE ... of such a column, or to varchar(n), makes the table again with the column's new CHECK
(pgcompat.alter reads it, engine.alter plans it). A char(n) column's values are stored without
their trailing blanks and sent padded, and its comparisons ignore trailing blanks as
PostgreSQL's bpchar does: engine.bpchar, which reads the CHECK to know the column. (Explicit
casts `'...'::varchar(n)` / `::char(n)` cut and pad as PostgreSQL's: pgcompat.char_casts.)

Every CHECK costs DuckDB a bind wherever the table's constraints are bound: each INSERT or
UPDATE of the table (some 10-20 us a column) and each catalog statement that reads
duckdb_constraints() (some 13 us a column of the whole PDB).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat.tokens import NAMES, Edit, Tokens, quote
from pgwire import types as oids
from pgwire.types import LENGTH_CHECK_SHAPE

VARCHAR, BPCHAR = "VARCHAR", "BPCHAR"
MAX_LENGTH = 10485760  # PostgreSQL's limit for varchar(n) and char(n)

# The type words (lower case, blanks collapsed) sqlglot's tokens spell -> the kind of length.
_VARYING = frozenset({"varchar", "character varying", "char varying"})
_FIXED = frozenset({"char", "character", "bpchar", "nchar"})
# Words that start a table constraint, not a column, in CREATE TABLE's list.
_TABLE_CONSTRAINT = frozenset({"constraint", "primary", "unique", "check", "foreign", "exclude", "like"})


def length_check(column: str, kind: str, n: int) -> str:
    """The CHECK constraint that enforces a length (column: the name as DuckDB should read it;
    pgwire.types writes it, the engine too for CREATE TABLE AS)."""
    return oids.length_check(column, oids.BPCHAR if kind == BPCHAR else oids.VARCHAR, n)


# The same CHECK as DuckDB prints it (duckdb_constraints().expression, the table's SQL, its
# errors): the column bare when it is a plain ASCII name and no keyword, else quoted. Groups: the
# column of a varchar(n), the column of a char(n) (one of the two is empty), n.
SHAPE = LENGTH_CHECK_SHAPE


def _type_word(tk: Tokens, k: int) -> str:
    return (
        " ".join(tk.src(k).lower().split())
        if tk.tt(k) not in (TokenType.IDENTIFIER, TokenType.STRING)
        else ""
    )


def declared_length(tk: Tokens, k: int) -> tuple[str, int, int] | None:
    """(VARCHAR or BPCHAR, n, index of the type's last token) when a string type with a length
    starts at token k; None for anything else (text, varchar without a length, arrays)."""
    if tk.word(k) == "pg_catalog" and tk.tt(k + 1) == TokenType.DOT:
        k += 2
    national = tk.word(k) == "national"
    if national:
        k += 1
    word = _type_word(tk, k)
    if national and word not in ("char", "character", "character varying", "char varying"):
        return None
    if word == "nchar" and tk.word(k + 1) == "varying":
        word, k = "varchar", k + 1
    if word in _VARYING:
        kind = VARCHAR
    elif word in _FIXED:
        kind = BPCHAR
    else:
        return None
    last = k
    n = 1  # char without a length is char(1)
    if tk.tt(k + 1) == TokenType.L_PAREN:
        if (
            tk.tt(k + 2) != TokenType.NUMBER
            or tk.tt(k + 3) != TokenType.R_PAREN
            or not tk.src(k + 2).isdigit()
        ):
            return None
        n, last = int(tk.src(k + 2)), k + 3
    elif word in _VARYING or word == "bpchar":
        return None  # varchar and bpchar without a length have none
    if not 1 <= n <= MAX_LENGTH:
        return None  # PostgreSQL refuses these; DuckDB may say what it makes of them
    if tk.tt(last + 1) in (TokenType.L_BRACKET, TokenType.ARRAY):
        return None  # an array of them: each element would need its own check
    return kind, n, last


def _column_list(tk: Tokens) -> tuple[int, int] | None:
    """The parentheses of CREATE [OR REPLACE] [TEMP] TABLE [IF NOT EXISTS] name ( ... )."""
    k = 1
    while k < tk.n and tk.word(k) in ("or", "replace", "temp", "temporary", "local", "global", "unlogged"):
        k += 1
    if tk.tt(k) != TokenType.TABLE:
        return None
    k += 1
    if tk.word(k) == "if" and tk.tt(k + 1) == TokenType.NOT and tk.word(k + 2) == "exists":
        k += 3
    if tk.name(k) is None:
        return None
    while tk.tt(k + 1) == TokenType.DOT and tk.name(k + 2) is not None:
        k += 2
    close = tk.closing(k + 1)
    if tk.tt(k + 1) != TokenType.L_PAREN or close is None:
        return None
    return k + 1, close


def _shown_name(tk: Tokens, i: int) -> str:
    """A column name in the CHECK, always quoted: the name as the client spelled it (DuckDB
    matches names without regard to case), safe whatever keyword it is."""
    s = tk.src(i)
    return s if s.startswith('"') else quote(s)


def _top_level_words(tk: Tokens, lo: int, hi: int) -> set[str | None]:
    """The words of tokens lo..hi outside parentheses."""
    words: set[str | None] = set()
    k = lo
    while k < hi:
        if tk.tt(k) in (TokenType.L_PAREN, TokenType.L_BRACKET) and k in tk.match:
            k = tk.match[k] + 1
            continue
        words.add(tk.word(k))
        k += 1
    return words


def _column_definitions(text: str, toks: Sequence[Token], base: int) -> Iterator[tuple[Tokens, int, int]]:
    """CREATE TABLE t (...)'s column definitions, token ranges [lo, hi) each (table constraints and
    generated columns left out: DuckDB takes no constraints on generated columns)."""
    if not toks or toks[0].token_type != TokenType.CREATE:
        return
    tk = Tokens(text, toks, base)
    found = _column_list(tk)
    if found is None:
        return
    open_, close = found
    for lo, hi, _sep in tk.split(open_ + 1, close, frozenset({TokenType.COMMA})):
        if (
            hi - lo < 2
            or (tk.tt(lo) not in NAMES and tk.word(lo) is None)
            or tk.word(lo) in _TABLE_CONSTRAINT
            or {"generated", "as"} & _top_level_words(tk, lo + 1, hi)
        ):
            continue
        yield tk, lo, hi


def varchar_length_checks(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """CREATE TABLE t (c varchar(100), ...): each such column gets the CHECK that enforces its
    length (see the module docstring); nothing else changes."""
    edits: list[Edit] = []
    for tk, lo, hi in _column_definitions(text, toks, base):
        declared = declared_length(tk, lo + 1)
        if declared is not None:
            kind, n, _last = declared
            edits.append((tk.end(hi - 1), tk.end(hi - 1), " " + length_check(_shown_name(tk, lo), kind, n)))
    return edits


def char_default_blanks(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """CREATE TABLE t (c char(n) DEFAULT 'x  '): the literal default without its trailing blanks,
    as engine.bpchar keeps every char(n) value (PostgreSQL's length() of it is then 1, its
    comparisons ignore the blanks, and it goes out padded to n). A default that is an expression
    is left as written."""
    edits: list[Edit] = []
    for tk, lo, hi in _column_definitions(text, toks, base):
        declared = declared_length(tk, lo + 1)
        if declared is None or declared[0] != BPCHAR:
            continue
        for k in range(declared[2] + 1, hi - 1):
            value = tk.string(k + 1) if tk.word(k) == "default" else None
            after = tk.tt(k + 2)
            cast = after == TokenType.DCOLON and _type_word(tk, k + 3) in _FIXED | _VARYING | {"text"}
            if value is not None and value != value.rstrip(" ") and (after not in _BINDS_STRING or cast):
                edits.append(
                    (tk.start(k + 1), tk.end(k + 1), "'" + value.rstrip(" ").replace("'", "''") + "'")
                )
    return edits


# Tokens after a literal that make it part of a larger expression.
_BINDS_STRING = frozenset({TokenType.DPIPE, TokenType.PLUS, TokenType.DCOLON, TokenType.L_BRACKET})


def jsonb_check(column: str) -> str:
    """The CHECK that says a column is jsonb (pgwire.types.jsonb_check)."""
    return oids.jsonb_check(column)


def _declared_jsonb(tk: Tokens, k: int) -> bool:
    """Whether the type that starts at token k is jsonb or jsonb[] (DuckDB's JSON, JSON[]: the
    CHECK holds for both)."""
    if tk.word(k) == "pg_catalog" and tk.tt(k + 1) == TokenType.DOT:
        k += 2
    return _type_word(tk, k) == "jsonb"


def jsonb_column_checks(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """CREATE TABLE t (c jsonb, ...): each jsonb (or jsonb[]) column gets the CHECK that says it is
    jsonb (the column itself is DuckDB's JSON: pgcompat.rewrite.jsonb_type)."""
    return [
        (tk.end(hi - 1), tk.end(hi - 1), " " + jsonb_check(_shown_name(tk, lo)))
        for tk, lo, hi in _column_definitions(text, toks, base)
        if _declared_jsonb(tk, lo + 1)
    ]


def _altered_lengths(tk: Tokens) -> bool:
    """Whether ALTER TABLE adds a column of type varchar(n) / char(n). (A column's type changed to
    one is made with its CHECK: engine.alter makes the table again.)"""
    k = 0
    while k < tk.n:
        if tk.tt(k) in (TokenType.L_PAREN, TokenType.L_BRACKET) and k in tk.match:
            k = tk.match[k] + 1
            continue
        w = tk.word(k)
        at = None
        if w == "add":
            j = k + 1
            if tk.word(j) == "column":
                j += 1
            if tk.word(j) == "if" and tk.tt(j + 1) == TokenType.NOT and tk.word(j + 2) == "exists":
                j += 3
            if tk.word(j) not in _TABLE_CONSTRAINT and tk.name(j) is not None:
                at = j + 1
        if at is not None and declared_length(tk, at) is not None:
            return True
        k += 1
    return False


def varchar_length_not_enforced(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """ALTER TABLE ... ADD [COLUMN] c varchar(n): DuckDB cannot add a CHECK to an existing table,
    so the statement runs as written; the client is told (an empty edit carries the notice)."""
    if len(toks) < 4 or toks[0].token_type != TokenType.ALTER or toks[1].token_type != TokenType.TABLE:
        return []
    tk = Tokens(text, toks, base)
    return [(0, 0, "")] if _altered_lengths(tk) else []


varchar_length_not_enforced.notice = (  # type: ignore[attr-defined]
    "ALTER TABLE does not enforce the length of varchar(n) or char(n) (DuckDB cannot add a CHECK "
    "constraint to an existing table): the column takes text of any length"
)

REWRITES = [varchar_length_checks, char_default_blanks, jsonb_column_checks, varchar_length_not_enforced]
