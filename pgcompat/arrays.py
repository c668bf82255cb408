"""Multi-dimensional ARRAY[...] literals with PostgreSQL's rules.

PostgreSQL's arrays are rectangular: `ARRAY[[1, 2], [3]]` is refused (2202E), where DuckDB makes
a list of lists of different lengths. `ARRAY[]` has no element type (42P18) unless a cast gives
it one (`ARRAY[]::int[]`, `CAST(ARRAY[] AS int[])`); DuckDB makes a list of NULL type.

A subscript reaches an element only when there is one per dimension: `(ARRAY[[1, 2], [3, 4]])[1]`
is NULL in PostgreSQL, DuckDB's list of lists gives the row {1,2}. For a literal the rewrite
counts its dimensions and makes such a subscript a NULL of the element's type. A column's
dimensions are not visible to the rewrite: `a[1]` becomes
`(CASE WHEN typeof(a) LIKE '%[][]' THEN NULL ELSE a[1] END)` (typeof() is a constant to DuckDB,
the test costs nothing per row); for a 2-D column that NULL is typed as a row (int4[] where
PostgreSQL's is int4), the value is PostgreSQL's. Statements that read the catalog are left alone
(the shim's arrays have one dimension, and its own rewrites work on those texts).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat.tokens import NAMES, Edit, Tokens

RAGGED = "multidimensional arrays must have array expressions with matching dimensions"
EMPTY = "cannot determine type of empty array"


class _Ragged(Exception):
    pass


def _sub_array(tk: Tokens, lo: int, hi: int) -> int | None:
    """The "[" of an element lo..hi-1 that is an array literal itself ([...] or ARRAY[...])."""
    k = lo + 1 if tk.tt(lo) == TokenType.ARRAY else lo
    if tk.tt(k) == TokenType.L_BRACKET and tk.closing(k) == hi - 1:
        return k
    return None


def _shape(tk: Tokens, open_: int) -> tuple[int, ...] | None:
    """The lengths per dimension of the literal whose "[" is token open_; None when an element is
    not a literal (its dimensions are not visible). Raises _Ragged as PostgreSQL refuses it."""
    close = tk.closing(open_)
    if close is None:
        return None
    if close == open_ + 1:
        return (0,)
    elems = tk.split(open_ + 1, close, frozenset({TokenType.COMMA}))
    subs = [_sub_array(tk, lo, hi) for lo, hi, _ in elems]
    if all(s is None for s in subs):
        return (len(elems),)
    if any(s is None for s in subs):
        return None  # arrays beside other expressions: not visible here
    shapes = [_shape(tk, s) for s in subs if s is not None]
    if any(sh is None for sh in shapes):
        return None
    if len(set(shapes)) > 1:
        raise _Ragged
    inner = shapes[0] or ()
    return (len(elems), *inner)


def _literals(tk: Tokens) -> list[int]:
    """The ARRAY tokens of ARRAY[...] literals that are no element of another one."""
    out = []
    inside = -1  # the "]" of the literal being stepped through
    for i in range(tk.n):
        if i <= inside:
            continue
        if tk.tt(i) == TokenType.ARRAY and tk.tt(i + 1) == TokenType.L_BRACKET:
            out.append(i)
            inside = tk.closing(i + 1) or i
    return out


def _cast_follows(tk: Tokens, i: int, close: int) -> bool:
    """ARRAY[...] at i..close is the operand of ::type or of CAST(... AS type)."""
    if tk.tt(close + 1) == TokenType.DCOLON:
        return True
    return (
        tk.tt(i - 1) == TokenType.L_PAREN
        and tk.word(i - 2) in ("cast", "try_cast")
        and tk.tt(close + 1) == TokenType.ALIAS
    )


def _mentions_arrays(toks: Sequence[Token]) -> bool:
    return any(t.token_type == TokenType.ARRAY for t in toks)


def array_refusal(text: str, toks: Sequence[Token]) -> tuple[str, str] | None:
    """(SQLSTATE, message) of an ARRAY literal PostgreSQL refuses: ragged (2202E), or empty
    without a cast to give its type (42P18)."""
    if not _mentions_arrays(toks):
        return None
    tk = Tokens(text, toks)
    for i in _literals(tk):
        close = tk.closing(i + 1)
        if close is None:
            continue
        if close == i + 2 and not _cast_follows(tk, i, close):
            return ("42P18", EMPTY)
        try:
            _shape(tk, i + 1)
        except _Ragged:
            return ("2202E", RAGGED)
    return None


def _subscripts(tk: Tokens, k: int) -> tuple[int, int] | None:
    """(how many [..] subscripts follow token k, index of the last "]"); None for a slice."""
    count, last = 0, k
    while tk.tt(last + 1) == TokenType.L_BRACKET and tk.closing(last + 1) is not None:
        close = tk.closing(last + 1) or 0
        if any(tk.tt(j) == TokenType.COLON for j in range(last + 2, close)):
            return None
        count, last = count + 1, close
    return count, last


def literal_subscripts(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """(ARRAY[[...]])[i]: NULL (of the element type) with fewer subscripts than dimensions."""
    if not _mentions_arrays(toks):
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    for i in _literals(tk):
        close = tk.closing(i + 1)
        if close is None:
            continue
        first, last = i, close
        if tk.tt(i - 1) == TokenType.L_PAREN and tk.closing(i - 1) == close + 1:
            first, last = i - 1, close + 1
        try:
            shape = _shape(tk, i + 1)
        except _Ragged:
            continue  # refused (array_refusal)
        found = _subscripts(tk, last)
        if shape is None or found is None or not 0 < found[0] < len(shape):
            continue
        more = "[1]" * (len(shape) - found[0])
        edits.append((tk.start(first), tk.start(first), "(CASE WHEN false THEN "))
        edits.append((tk.end(found[1]), tk.end(found[1]), f"{more} END)"))
    return edits


def _reads_catalog(toks: Sequence[Token]) -> bool:
    return any(t.text.lower().startswith(("pg_", "information_schema")) for t in toks)


def column_subscripts(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """col[i] (and t.col[i][j], ...): NULL when the column has more dimensions than subscripts."""
    found = [
        i
        for i in range(1, len(toks))
        if toks[i].token_type == TokenType.L_BRACKET and toks[i - 1].token_type in NAMES
    ]
    if not found or _reads_catalog(toks):  # the one cheap look for other statements
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    for b in found:
        first = b - 1
        while tk.tt(first - 1) == TokenType.DOT and tk.tt(first - 2) in NAMES:
            first -= 2
        if tk.tt(first - 1) in (TokenType.DOT, TokenType.DCOLON, TokenType.ALIAS):
            continue  # a part of something else, or a type (x::mytype[])
        subs = _subscripts(tk, b - 1)
        if subs is None or subs[0] == 0 or tk.closing(b) == b + 1:
            continue  # a slice, or a type's []
        if tk.tt(subs[1] + 1) in (TokenType.DOT, TokenType.L_BRACKET):
            continue
        if tk.tt(subs[1] + 1) == TokenType.EQ and tk.clause_of(first) == TokenType.SET:
            continue  # UPDATE ... SET a[1] = x: an assignment (DuckDB refuses it as a syntax error)
        col = tk.text[tk.start(first) : tk.end(b - 1)]
        deeper = "[]" * (subs[0] + 1)
        edits.append(
            (tk.start(first), tk.start(first), f"(CASE WHEN typeof({col}) LIKE '%{deeper}' THEN NULL ELSE ")
        )
        edits.append((tk.end(subs[1]), tk.end(subs[1]), " END)"))
    return edits


REWRITES = [literal_subscripts, column_subscripts]
