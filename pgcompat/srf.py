"""Set-returning functions in a select list return rows, as in PostgreSQL, and are refused where
PostgreSQL refuses them.

`SELECT generate_series(1, 3)` is three rows in PostgreSQL; DuckDB's generate_series in a select
list is one row holding a list. Unnesting it there gives PostgreSQL's rows (several such calls
are zipped and padded with NULLs, as PostgreSQL 10+ does); DuckDB's own unnest() already returns
rows there. In FROM both mean a table already.

Elsewhere a list would be a quiet wrong answer (`WHERE generate_series(1, 2) > 1` compares a
list), so each call's place is found first (`placement`): in WHERE, JOIN conditions, HAVING,
LIMIT, OFFSET, UPDATE's SET, a multi-row VALUES, CASE, COALESCE or an aggregate's arguments
PostgreSQL refuses it with 0A000 and so does DuckCDB, with PostgreSQL's words; in places where
PostgreSQL runs it and DuckDB cannot run it the same way (GROUP BY, ORDER BY, DISTINCT ON,
RETURNING, a single-row INSERT ... VALUES, the arguments of another set-returning function) it
is refused with 0A000 too, never answered differently. Those checks read the client's text
(`misplaced`); the rewrite reads pgcompat.functions' translation, which may wrap arguments in
CASE or COALESCE of its own (pg_typeof), so it steps through those.

Types: generate_series over int4 is int4 in PostgreSQL (DuckDB's is always BIGINT): where the
arguments are visibly int4 (integer literals in range, `::int` casts) the result is cast so.
A 2-D array literal unnests to its elements, all dimensions, as PostgreSQL does (in a select
list and in FROM); so does an array column that is the select list's only set-returning call's
argument (DuckDB's max_depth, which would also take an array of records apart: a table's column
of records is not something a PostgreSQL client creates). Beside other set-returning calls, or in
FROM, an array column of two dimensions still unnests one level (its type is not known to the
rewrite).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat.tokens import CLAUSES, CLOSE, NAMES, OPEN, Tokens

Edit = tuple[int, int, str]

# Functions that are tables in PostgreSQL and lists in a DuckDB select list.
_LIST_VALUED = frozenset({"generate_series"})
# What returns rows in a DuckCDB select list (pgcompat.functions makes regexp_split_to_table
# and others unnest() calls before the rewrites run).
_SET_RETURNING = _LIST_VALUED | {"unnest"}
# PostgreSQL's set-returning functions, refused where PostgreSQL refuses them.
_REFUSED_SRFS = _SET_RETURNING | {
    "generate_subscripts",
    "regexp_split_to_table",
    "regexp_matches",
    "string_to_table",
    "json_array_elements",
    "json_array_elements_text",
    "jsonb_array_elements",
    "jsonb_array_elements_text",
    "json_each",
    "json_each_text",
    "jsonb_each",
    "jsonb_each_text",
    "json_object_keys",
    "jsonb_object_keys",
}
# Aggregates whose arguments PostgreSQL refuses a set-returning call in (the common ones; any
# call followed by FILTER or OVER is one too).
_AGGREGATES = frozenset(
    {
        "count",
        "sum",
        "avg",
        "min",
        "max",
        "array_agg",
        "string_agg",
        "bool_and",
        "bool_or",
        "every",
        "json_agg",
        "jsonb_agg",
        "json_object_agg",
        "jsonb_object_agg",
        "stddev",
        "stddev_pop",
        "stddev_samp",
        "variance",
        "var_pop",
        "var_samp",
        "bit_and",
        "bit_or",
        "corr",
        "covar_pop",
        "covar_samp",
        "percentile_cont",
        "percentile_disc",
        "mode",
        "__pg_sum",
        "__pg_wsum",
        "__pg_avg",
    }
)
# Where PostgreSQL refuses a set-returning call (check_srf_call_placement): clause -> its words.
_REFUSED_IN = {
    TokenType.WHERE: "WHERE",
    TokenType.ON: "JOIN conditions",
    TokenType.USING: "JOIN conditions",
    TokenType.HAVING: "HAVING",
    TokenType.LIMIT: "LIMIT",
    TokenType.OFFSET: "OFFSET",
    TokenType.FETCH: "LIMIT",
    TokenType.SET: "UPDATE",
    TokenType.WINDOW: "window definitions",
}
# Where PostgreSQL runs one and DuckCDB cannot run it the same way.
_UNSUPPORTED_IN = {
    TokenType.GROUP_BY: "GROUP BY",
    TokenType.ORDER_BY: "ORDER BY",
    TokenType.RETURNING: "RETURNING",
}
_NAME_TOKENS = frozenset({TokenType.VAR, TokenType.UNNEST, TokenType.IDENTIFIER})
_INT4_TYPES = frozenset({"int", "integer", "int4"})
_INT4_MAX = 2**31 - 1

# What placement() finds: rows from a select list, a table in FROM, or a refusal's message.
SELECT, FROM = "select", "from"


def _mentions(toks: Sequence[Token], names: frozenset[str]) -> bool:
    """The one look at a statement's tokens for the names (sqlglot reads them as names, unnest
    as UNNEST): statements without any pay no more."""
    return any(t.token_type in _NAME_TOKENS and t.text.lower() in names for t in toks)


def _calls(tk: Tokens, names: frozenset[str]) -> list[int]:
    """Indices of calls name( ... ) of the given functions (unqualified or pg_catalog.)."""
    out = []
    for i in range(tk.n):
        if tk.word(i) not in names or tk.tt(i + 1) != TokenType.L_PAREN or tk.closing(i + 1) is None:
            continue
        if tk.tt(i - 1) == TokenType.DOT and tk.word(i - 2) != "pg_catalog":
            continue
        out.append(i)
    return out


def _enclosing_call(tk: Tokens, open_: int) -> str | None:
    """What the parenthesis at open_ belongs to: 'aggregate', 'coalesce', 'srf', a subquery
    ('query') or None (a call of another function, a plain grouping, a row)."""
    if tk.tt(open_ + 1) in (TokenType.SELECT, TokenType.WITH):
        return "query"
    if tk.tt(open_) != TokenType.L_PAREN:
        return None
    name = tk.word(open_ - 1)
    close = tk.closing(open_)
    after = tk.word(close + 1) if close is not None else None
    if name in _AGGREGATES or after in ("over", "filter", "within"):
        return "aggregate"
    if name == "coalesce":
        return "coalesce"
    if name in _SET_RETURNING:
        return "srf"
    return None


def _refusal(where: str) -> str:
    return f"set-returning functions are not allowed in {where}"


def placement(tk: Tokens, i: int, lenient: bool = False) -> str | None:
    """Where the call at token i stands: SELECT (a select list, possibly inside other calls),
    FROM (a table function, or inside a FROM item's arguments), a refusal's message, or None
    (anywhere else DuckDB already reads as PostgreSQL does). lenient: CASE, COALESCE and
    aggregates are stepped through (text pgcompat.functions wrote, whose client's text was
    checked by misplaced())."""
    k, ends = i - 1, 0
    while k >= 0:
        t = tk.toks[k].token_type
        if t in CLOSE and k in tk.match:
            k = tk.match[k] - 1
            continue
        if t == TokenType.END:
            ends += 1
        elif t == TokenType.CASE:
            if ends == 0 and not lenient:
                return _refusal("CASE")
            ends = max(ends - 1, 0)
        elif t in OPEN and not lenient:
            kind = _enclosing_call(tk, k)
            if kind == "aggregate":
                return "aggregate function calls cannot contain set-returning function calls"
            if kind == "coalesce":
                return _refusal("COALESCE")
            if kind == "srf" and placement(tk, k - 1) == SELECT:
                return (
                    "set-returning functions in the arguments of a set-returning function are not supported"
                )
        elif (t in CLAUSES or t == TokenType.OFFSET or t == TokenType.FETCH) and not _not_a_clause(tk, k, t):
            return _clause_placement(tk, k, t)
        k -= 1
    return None


def _not_a_clause(tk: Tokens, k: int, t: TokenType) -> bool:
    """A clause's keyword used as a name (x AS from, DISTINCT FROM); not CREATE TABLE / VIEW name AS
    SELECT, whose query's select list is one."""
    if t == TokenType.SELECT and tk.tt(k - 1) == TokenType.ALIAS and tk.tt(0) == TokenType.CREATE:
        return False
    return tk.tt(k - 1) == TokenType.ALIAS or (t == TokenType.FROM and tk.word(k - 1) == "distinct")


def _clause_placement(tk: Tokens, k: int, t: TokenType) -> str | None:
    if t == TokenType.SELECT:
        return SELECT
    if t in (TokenType.FROM, TokenType.JOIN):
        return FROM
    if t == TokenType.ON and tk.tt(k - 1) == TokenType.DISTINCT:
        return "set-returning functions in DISTINCT ON are not supported"
    if t == TokenType.VALUES:
        if not _single_row_values(tk, k):
            return _refusal("VALUES")
        return "set-returning functions in VALUES are not supported: use INSERT ... SELECT"
    if t in _REFUSED_IN:
        return _refusal(_REFUSED_IN[t])
    if t in _UNSUPPORTED_IN:
        return f"set-returning functions in {_UNSUPPORTED_IN[t]} are not supported"
    return None


def _single_row_values(tk: Tokens, k: int) -> bool:
    close = tk.closing(k + 1)
    return close is not None and tk.tt(close + 1) != TokenType.COMMA


def misplaced(text: str, toks: Sequence[Token]) -> tuple[str, str] | None:
    """(0A000, message) when a set-returning call stands where PostgreSQL refuses it, or where
    DuckCDB cannot return PostgreSQL's rows; None otherwise. (The client's text: the functions
    pgcompat.functions translates may wrap their arguments in CASE or COALESCE.)"""
    if not _mentions(toks, _REFUSED_SRFS):
        return None
    tk = Tokens(text, toks)
    for i in _calls(tk, _REFUSED_SRFS):
        where = placement(tk, i)
        if where in (None, SELECT, FROM):
            continue
        if "not allowed" in where or "cannot contain" in where or tk.word(i) in _SET_RETURNING:
            return ("0A000", where)
    return None


def _argument_type(tk: Tokens, lo: int, hi: int) -> str | None:
    """The DuckDB type tokens lo..hi-1 visibly have: INTEGER for an integer literal in int4's
    range (with a sign) or a primary cast ::int / ::integer / ::int4, BIGINT for a longer integer
    literal, "" for a decimal literal; None for anything else (a column, a parameter, ...)."""
    negative = tk.tt(lo) == TokenType.DASH
    if tk.tt(lo) in (TokenType.DASH, TokenType.PLUS):
        lo += 1
    if hi == lo + 1 and tk.tt(lo) == TokenType.NUMBER:
        digits = tk.src(lo)
        if not digits.isdigit():
            return ""
        return "INTEGER" if int(digits) <= _INT4_MAX + negative else "BIGINT"
    if hi - lo >= 3 and tk.tt(hi - 2) == TokenType.DCOLON and tk.word(hi - 1) in _INT4_TYPES:
        k = hi - 3
        if tk.tt(k) in CLOSE and k in tk.match:
            k = tk.match[k] - (1 if tk.word(tk.match[k] - 1) else 0)
        while tk.tt(k - 1) == TokenType.DOT and tk.tt(k - 2) in NAMES:
            k -= 2
        return "INTEGER" if k == lo else None
    return None


def _series_type(tk: Tokens, i: int) -> str | None:
    """The type of generate_series at token i when its arguments show it (see _argument_type):
    INTEGER when all are int4 (PostgreSQL's generate_series(int4, int4) is int4), BIGINT when
    some integer is longer, "" with a decimal. Whether a statement is rewritten never depends on
    its numbers alone (pgcompat.statements lets a statement run as written stand for those that
    differ from it only in their numbers)."""
    close = tk.closing(i + 1)
    if close is None:
        return None
    args = tk.split(i + 2, close, frozenset({TokenType.COMMA}))
    types = [_argument_type(tk, lo, hi) for lo, hi, _ in args]
    if len(args) not in (2, 3) or None in types:
        return None
    if "" in types:
        return ""
    return "BIGINT" if "BIGINT" in types else "INTEGER"


def _array_depth(tk: Tokens, i: int) -> int:
    """How many dimensions an ARRAY[[...]] literal that is unnest()'s only argument shows."""
    close = tk.closing(i + 1)
    k, depth = i + 2, 0
    while tk.tt(k) == TokenType.ARRAY or tk.word(k) == "array":
        if tk.tt(k + 1) != TokenType.L_BRACKET:
            break
        depth, k = depth + 1, k + 2
        while tk.tt(k) == TokenType.L_BRACKET:
            depth, k = depth + 1, k + 1
    if depth < 2 or close is None or tk.closing(i + 2 + 1) != close - 1:
        return 0
    return depth


_MAX_DIMENSIONS = 6  # PostgreSQL's MAXDIM


def _column_argument(tk: Tokens, open_: int, close: int) -> bool:
    """The call's only argument is a column reference (name or qualified.name)."""
    k = open_ + 1
    while tk.tt(k) in NAMES and tk.tt(k + 1) == TokenType.DOT:
        k += 2
    return tk.tt(k) in NAMES and k + 1 == close


def select_list_srfs(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """generate_series(...) in a select list -> unnest(generate_series(...)) (int4 where its
    arguments are); unnest() of a multi-dimensional array literal unnests every dimension."""
    if not _mentions(toks, _SET_RETURNING):
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    calls = [i for i in _calls(tk, _SET_RETURNING) if placement(tk, i, lenient=True) == SELECT]
    for i in calls:
        close = tk.closing(i + 1)
        if close is None:
            continue
        name = tk.word(i)
        if name in _LIST_VALUED:
            cast = _series_type(tk, i) == "INTEGER"
            first = i - 2 if tk.tt(i - 1) == TokenType.DOT else i
            edits.append((tk.start(first), tk.start(first), "unnest(CAST(" if cast else "unnest("))
            edits.append((tk.end(close), tk.end(close), " AS INTEGER[]))" if cast else ")"))
        elif name == "unnest":
            depth = _array_depth(tk, i)
            if depth:
                edits.append((tk.start(close), tk.start(close), f", max_depth := {depth}"))
            elif len(calls) == 1 and _column_argument(tk, i + 1, close):
                # an array column of any number of dimensions: every element (DuckDB's unnest
                # of a list's lists goes as deep as asked, and leaves a list of one dimension
                # as it is); alone in the select list, as DuckDB's deep unnest does not run in
                # step with others
                edits.append((tk.start(close), tk.start(close), f", max_depth := {_MAX_DIMENSIONS}"))
    return edits


def _from_alias(tk: Tokens, close: int) -> tuple[str | None, bool] | None:
    """The alias after a FROM item ending at close: (name or None, whether a column list
    follows); None when the item goes on (WITH ORDINALITY, a cast, ...)."""
    k = close + 1
    if tk.tt(k) == TokenType.ALIAS:
        k += 1
    elif tk.tt(k) not in NAMES:
        return (None, False) if tk.tt(k) is None or tk.tt(k) in _FROM_ITEM_END else None
    if tk.tt(k) not in NAMES:
        return None
    return tk.name(k), tk.tt(k + 1) == TokenType.L_PAREN


# What a function call that is a FROM item follows.
_FROM_ITEM_START = frozenset({TokenType.FROM, TokenType.JOIN, TokenType.COMMA, TokenType.LATERAL})
# What may follow a FROM item without an alias.
_FROM_ITEM_END = frozenset(
    {
        TokenType.COMMA,
        TokenType.R_PAREN,
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.HAVING,
        TokenType.ORDER_BY,
        TokenType.LIMIT,
        TokenType.OFFSET,
        TokenType.FETCH,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
        TokenType.WINDOW,
        TokenType.JOIN,
        TokenType.INNER,
        TokenType.LEFT,
        TokenType.RIGHT,
        TokenType.FULL,
        TokenType.CROSS,
        TokenType.NATURAL,
        TokenType.ON,
        TokenType.SEMICOLON,
    }
)


def from_int4_series(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """FROM generate_series(1, 10): int4 in PostgreSQL when its arguments are; DuckDB's table
    function is BIGINT, so the item becomes a subquery casting its column (named as PostgreSQL
    names it: after the alias, or generate_series)."""
    if not _mentions(toks, _LIST_VALUED):
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    for i in _calls(tk, _LIST_VALUED):
        close = tk.closing(i + 1)
        first = i - 2 if tk.tt(i - 1) == TokenType.DOT else i  # pg_catalog.generate_series
        if close is None or tk.tt(first - 1) not in _FROM_ITEM_START or placement(tk, i) != FROM:
            continue
        kind = _series_type(tk, i)
        if kind is None:
            continue
        alias = _from_alias(tk, close)
        if alias is None:
            continue
        name, columns = alias
        column = "generate_series" if name is None or columns else name
        edits.append(
            (
                tk.start(first),
                tk.start(first),
                f'(SELECT {_cast("generate_series", kind)} AS "{column}" FROM ',
            )
        )
        edits.append((tk.end(close), tk.end(close), ")" + ("" if name else " AS generate_series")))
    return edits


def _cast(column: str, kind: str) -> str:
    return f"CAST({column} AS {kind})" if kind else column


def from_unnest_arrays(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """FROM unnest(ARRAY[[1, 2], [3, 4]]): every element in PostgreSQL (WITH ORDINALITY counts
    them); DuckDB's table function unnests one level, so the literal is flattened first."""
    if not any(t.token_type == TokenType.UNNEST for t in toks):
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    for i in _calls(tk, frozenset({"unnest"})):
        close = tk.closing(i + 1)
        first = i - 2 if tk.tt(i - 1) == TokenType.DOT else i
        if close is None or tk.tt(first - 1) not in _FROM_ITEM_START or placement(tk, i) != FROM:
            continue
        depth = _array_depth(tk, i)
        if depth:
            edits.append((tk.end(i + 1), tk.end(i + 1), "flatten(" * (depth - 1)))
            edits.append((tk.start(close), tk.start(close), ")" * (depth - 1)))
    return edits


REWRITES = [select_list_srfs, from_int4_series, from_unnest_arrays]
