"""Casts to text of a value the statement shows to be bytea, an array or an unconstrained numeric,
printed as PostgreSQL's.

DuckDB's cast of a BLOB to VARCHAR gives the raw bytes ('AB'), of a list its own list text
([1, 2]); PostgreSQL's gives bytea's hex form ('\\x4142') and array_out's form ({1,2}, elements
with blanks, quotes, commas, braces or backslashes quoted, NULL as NULL). Only a cast whose
operand visibly has the type is rewritten: `x::bytea::text`, `ARRAY[...]::text`,
`'{...}'::int[]::text` (a column's type is not known here). An array of arrays keeps DuckDB's
text (a known difference).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat.char_casts import _primary_start
from pgcompat.tokens import Edit, Tokens, apply, tokenize

_TEXT_TYPES = frozenset({TokenType.TEXT, TokenType.VARCHAR})

_BYTEA = ("('\\x' || lower(hex(", ")))")
# array_out: engine.pgmath's __pg_array_text (elements quoted when PostgreSQL's would be, NULL
# elements as NULL, booleans as t / f, floats as PostgreSQL writes them).
_ARRAY = ("__pg_array_text((", "))")


# An unconstrained numeric (DECIMAL(38,10) or wider: pgcompat.numeric) without the fixed scale's
# trailing zeros, as results send it (100::numeric::text is '100', not '100.0000000000'); its text
# always has a point. (PostgreSQL keeps a value's own display scale, 1.10::numeric::text '1.10':
# DuckDB keeps one per type, so that one prints '1.1'.)
_BARE_NUMERIC = ("rtrim(rtrim(CAST((", ") AS VARCHAR), '0'), '.')")
_NUMERIC_WORDS = frozenset({"numeric", "decimal"})


def _kind(tk: Tokens, first: int, last: int) -> tuple[str, str] | None:
    """The wrapping of an operand (tokens first..last) that is visibly bytea, an array or an
    unconstrained numeric (x::numeric)."""
    if tk.tt(last - 1) == TokenType.DCOLON and tk.word(last) in _NUMERIC_WORDS:
        return _BARE_NUMERIC
    if (
        tk.tt(last) == TokenType.VARBINARY
        and tk.word(last) == "bytea"
        and tk.tt(last - 1) == TokenType.DCOLON
    ):
        return _BYTEA
    array_cast = (
        tk.tt(last) == TokenType.R_BRACKET
        and tk.tt(last - 1) == TokenType.L_BRACKET
        and tk.tt(last - 3) == TokenType.DCOLON
    )
    if array_cast or (tk.tt(first) == TokenType.ARRAY and tk.tt(first + 1) == TokenType.L_BRACKET):
        return _ARRAY
    return None


def bytea_and_array_text(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """x::bytea::text -> '\\x...' and ARRAY[...]::text -> {...}, as PostgreSQL prints them."""
    casts = [
        i
        for i in range(1, len(toks) - 1)
        if toks[i].token_type == TokenType.DCOLON
        and toks[i + 1].token_type in _TEXT_TYPES
        and (i + 2 >= len(toks) or toks[i + 2].token_type not in (TokenType.L_PAREN, TokenType.L_BRACKET))
    ]
    if not casts:
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    for i in casts:
        first = _primary_start(tk, i - 1)
        kind = _kind(tk, first, i - 1) if first is not None else None
        if first is None or kind is None:
            continue
        edits.append((tk.start(first), tk.start(first), kind[0]))
        edits.append((tk.start(i), tk.end(i + 1), kind[1]))
    return edits


# Statements whose casts to text are written as PostgreSQL's output (engine.pgmath's __pg_text):
# queries and writes; not definitions (a view or a DEFAULT would keep the session's macro in the
# PDB's file), nor the catalog emulation's queries (its own rewrites read their casts).
_PG_TEXT_HEADS = frozenset({"SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "VALUES", "("})
PG_TEXT = "__pg_text"
PG_COLUMN_TEXT = "__pg_column_text"


def _catalog_query(toks: Sequence[Token]) -> bool:
    return any(t.text.lower().startswith("pg_") or t.text.lower() == "information_schema" for t in toks)


def output_text_casts(text: str, toks: Sequence[Token], base: int) -> list[list[Edit]]:
    """x::text, x::varchar, CAST(x AS text): __pg_text(x), which writes a float, an interval and
    a BC date as PostgreSQL's output functions do (DuckDB's cast writes 1.0, '1 month', '0044-03-15
    (BC)'). A string literal, and an operand handled above (bytea, array, numeric), are left."""
    if not any(t.token_type in _TEXT_TYPES for t in toks):
        return []  # (most statements name no text type)
    if toks[0].text.upper() not in _PG_TEXT_HEADS or _catalog_query(toks):
        return []
    n = len(toks)
    jsonish = "->" in text or "json" in text.lower()
    tk: Tokens | None = None
    edits: list[list[Edit]] = []
    for i in range(1, n - 1):
        t = toks[i]
        if t.token_type == TokenType.DCOLON and toks[i + 1].token_type in _TEXT_TYPES:
            if i + 2 < n and toks[i + 2].token_type in (TokenType.L_PAREN, TokenType.L_BRACKET):
                continue  # varchar(3): pgcompat.char_casts; text[]: an array type
            tk = tk or Tokens(text, toks, base)
            first = _primary_start(tk, i - 1)
            if first is None or _kind(tk, first, i - 1) is not None:
                continue
            lone = toks[first] if first == i - 1 else None
            if (
                (lone is not None and lone.token_type == TokenType.STRING)
                or (lone is not None and lone.token_type == TokenType.NUMBER and "e" not in lone.text.lower())
                or (first == i - 2 and toks[first].token_type == TokenType.PARAMETER)
            ):
                continue  # 'abc'::text, 12::text (the same text); $1::varchar (engine.bpchar reads it)
            if _column_at(toks, first, cast=True) == i - 1:  # a column, perhaps an array: its type picks
                column = text[tk.start(first) : tk.end(i - 1)]
                edits.append(
                    [
                        (
                            tk.start(first),
                            tk.end(i + 1),
                            f"{PG_COLUMN_TEXT}({column}, CAST({column} AS VARCHAR))",
                        )
                    ]
                )
                continue
            if jsonish:
                continue  # (an expression that may be jsonb: its cast is engine.declared's to read)
            edits.append(
                [(tk.start(first), tk.start(first), f"{PG_TEXT}("), (tk.start(i), tk.end(i + 1), ")")]
            )
        elif t.text.lower() == "cast" and toks[i + 1].token_type == TokenType.L_PAREN:
            tk = tk or Tokens(text, toks, base)
            close = tk.match.get(i + 1)
            if close is None or close < i + 4:
                continue
            if toks[close - 1].token_type not in _TEXT_TYPES or toks[close - 2].token_type != TokenType.ALIAS:
                continue
            if (close - 3 == i + 2 and toks[i + 2].token_type == TokenType.STRING) or (
                close - 3 == i + 3 and toks[i + 2].token_type == TokenType.PARAMETER
            ):
                continue  # CAST('abc' AS text), CAST($1 AS varchar)
            if _column_at(toks, i + 2) == close - 3:
                column = text[tk.start(i + 2) : tk.end(close - 3)]
                edits.append(
                    [(tk.start(i), tk.end(close), f"{PG_COLUMN_TEXT}({column}, CAST({column} AS VARCHAR))")]
                )
                continue
            if jsonish:
                continue
            edits.append(
                [(tk.start(i), tk.end(i + 1), f"{PG_TEXT}("), (tk.start(close - 2), tk.end(close - 1), "")]
            )
    return edits


PG_CONCAT_OPERAND = "__pg_cat"
_NAME_TOKENS = frozenset({TokenType.VAR, TokenType.IDENTIFIER})


def _column_at(toks: Sequence[Token], first: int, cast: bool = False) -> int | None:
    """The last token of a bare column reference (c, t.c) that starts at first: a name chain
    that no call, subscript, further name or (unless cast) cast follows."""
    n, k = len(toks), first
    if k >= n or toks[k].token_type not in _NAME_TOKENS:
        return None
    while k + 2 < n and toks[k + 1].token_type == TokenType.DOT and toks[k + 2].token_type in _NAME_TOKENS:
        k += 2
    nxt = toks[k + 1].token_type if k + 1 < n else None
    if nxt in (TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.DOT) or (
        nxt == TokenType.DCOLON and not cast
    ):
        return None
    return k


def concat_operands(text: str, toks: Sequence[Token], base: int) -> list[list[Edit]]:
    """A column beside ||: __pg_cat(c, c), which writes a float, interval or date as PostgreSQL's
    || does (its text: 'x' || 1.0::float8 is 'x1', DuckDB's 'x1.0') and leaves any other value as
    it is (text, JSON, arrays, bytea: their || is another operator). Only bare column references,
    whose text can stand twice (the first picks the macro's overload by type, the second is the
    value, uncast)."""
    pipes = [k for k in range(1, len(toks) - 1) if toks[k].token_type == TokenType.DPIPE]
    if not pipes or toks[0].text.upper() not in _PG_TEXT_HEADS or "json" in text.lower():
        return []
    if _catalog_query(toks):
        return []
    edits: list[list[Edit]] = []
    done: set[int] = set()
    for k in pipes:
        first = k - 1
        while (
            first >= 2
            and toks[first - 1].token_type == TokenType.DOT
            and toks[first - 2].token_type in _NAME_TOKENS
        ):
            first -= 2
        sides = []
        before = toks[first - 1].token_type if first >= 1 else None
        if before not in (None, TokenType.DOT, TokenType.DCOLON) and _column_at(toks, first) == k - 1:
            sides.append((first, k - 1))
        last = _column_at(toks, k + 1)
        if last is not None:
            sides.append((k + 1, last))
        for a, b in sides:
            if a in done:
                continue
            done.add(a)
            column = text[toks[a].start - base : toks[b].end - base + 1]
            edits.append(
                [(toks[a].start - base, toks[b].end - base + 1, f"{PG_CONCAT_OPERAND}({column}, {column})")]
            )
    return edits


REWRITES = [bytea_and_array_text]


def _clear(edit: Edit, taken: Sequence[Edit]) -> bool:
    """Whether no other rewrite replaces text that edit touches (an insertion strictly inside a
    replaced range, or a replacement overlapping one, would be lost or garbled)."""
    s, e, _ = edit
    return not any(te > ts and (ts < s < te if s == e else ts < e and s < te) for ts, te, _ in taken)


def output_texts(text: str, toks: Sequence[Token], base: int, taken: Sequence[Edit]) -> list[Edit]:
    """The casts to text written as PostgreSQL's output writes them, where no other rewrite's edit
    covers them (run after the others: pgcompat.rewrite)."""
    groups = output_text_casts(text, toks, base)
    return [e for g in groups if all(_clear(e, taken) for e in g) for e in g]


def concat_texts(sql: str) -> str:
    """The rewritten statement with its columns beside || written as PostgreSQL's || reads them
    (concat_operands). Only where no operand of || can be json (pgcompat.rewrite: the statement
    run while the PDB has no JSON column): the engine tells json from jsonb by the column itself."""
    toks = tokenize(sql)
    if not toks:
        return sql
    edits = [e for g in concat_operands(sql, toks, toks[0].start) for e in g]
    return apply(sql, edits) if edits else sql
