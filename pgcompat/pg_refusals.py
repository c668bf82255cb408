"""Statements PostgreSQL refuses and DuckDB would run: refused here with PostgreSQL's SQLSTATE
and words, never answered (DuckDB's friendlier syntax would give a client an answer PostgreSQL
never gives, and code written against DuckCDB would then fail on PostgreSQL).

- a trailing comma before FROM, a closing parenthesis or the end (`SELECT 1, FROM t`): 42601;
- a subquery or VALUES in FROM without an alias (PostgreSQL 15 requires one): 42601;
- SELECT DISTINCT ... ORDER BY a column that is not in the select list: 42P10;
- LIMIT or OFFSET of a negative number: 2201W, 2201X (DuckDB refuses both with one 42601);
- literals PostgreSQL resolves to one type: CASE ... THEN 1 ELSE 'x' END and SELECT 1 UNION
  SELECT 'x' (22P02: 'x' read as an integer), SELECT 1 UNION SELECT 'x'::text (42804);
- a select-list alias named in the same SELECT's WHERE (`SELECT a + 1 AS b FROM t WHERE b > 1`):
  DuckDB reads the alias where no column of that name exists, PostgreSQL reads columns only
  (42703); the name is qualified with the one FROM item's name (of several: it is DuckDB's
  COLUMNS() of the name), which binds it to a column as before or fails as PostgreSQL does (a
  top-level SELECT: a subquery's name may be an outer query's column, left as it is);
- a string literal in arithmetic with an integer literal (`'a' + 1`): PostgreSQL reads the
  string as an integer (22P02 when it is none; `'1' + 1` is 2), DuckDB finds no operator;
- a string literal cast to text, varchar or char compared with a number literal
  (`'1'::text = 1`): PostgreSQL has no such operator (42883), DuckDB casts and answers;
- an aggregate call whose arguments hold another aggregate call or a window function call
  (`sum(count(*))`, `sum(row_number() OVER ())`): 42803, PostgreSQL's grouping_error (DuckDB's
  own words for it are lost behind the overloads of DuckCDB's sum / avg macros, a 42601).

One pass over the tokens decides whether a statement needs a closer look; only SELECT DISTINCT
with ORDER BY is parsed (sqlglot), and those are rare.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from pgcompat import lexer
from pgcompat.tokens import NAMES, Edit, Tokens

Refusal = tuple[str, str]

# What may not follow a comma in PostgreSQL's grammar.
_AFTER_COMMA = frozenset(
    {
        TokenType.FROM,
        TokenType.R_PAREN,
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.ORDER_BY,
        TokenType.HAVING,
        TokenType.LIMIT,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
        TokenType.SEMICOLON,
    }
)
_QUERY_START = frozenset({TokenType.SELECT, TokenType.VALUES, TokenType.WITH})
# What follows a FROM item that has no alias.
_NO_ALIAS = frozenset(
    {
        TokenType.COMMA,
        TokenType.R_PAREN,
        TokenType.SEMICOLON,
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.ORDER_BY,
        TokenType.HAVING,
        TokenType.LIMIT,
        TokenType.OFFSET,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
        TokenType.JOIN,
        TokenType.INNER,
        TokenType.LEFT,
        TokenType.RIGHT,
        TokenType.FULL,
        TokenType.CROSS,
        TokenType.NATURAL,
        TokenType.WINDOW,
    }
)


def _unaliased_subquery(toks: Sequence[Token], open_: int) -> Refusal | None:
    """FROM ( SELECT ... ) or JOIN ( VALUES ... ) that no alias follows."""
    if open_ + 1 >= len(toks) or toks[open_ + 1].token_type not in _QUERY_START:
        return None
    depth = 0
    for j in range(open_, len(toks)):
        tt = toks[j].token_type
        if tt == TokenType.L_PAREN:
            depth += 1
        elif tt == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                if j + 1 < len(toks) and toks[j + 1].token_type not in _NO_ALIAS:
                    return None
                what = "VALUES" if toks[open_ + 1].token_type == TokenType.VALUES else "subquery"
                return "42601", f"{what} in FROM must have an alias"
    return None


def _distinct_order_by(text: str) -> Refusal | None:
    """SELECT DISTINCT (not DISTINCT ON) ordered by a column neither selected nor a select-list
    alias (columns only: an expression is left to DuckDB)."""
    try:
        tree = lexer.parse_one(text, "postgres")
    except Exception:  # sqlglot's errors: the analysis reports what it cannot read
        return None
    if tree is None:
        return None
    for select in tree.find_all(exp.Select):
        distinct = select.args.get("distinct")
        order = select.args.get("order")
        if distinct is None or distinct.args.get("on") is not None or order is None:
            continue
        if any(
            isinstance(e, exp.Star) or isinstance(e, exp.Column) and e.is_star for e in select.expressions
        ):
            continue
        names = {str(e.alias_or_name).lower() for e in select.expressions}
        shown = {e.unalias().sql().lower() for e in select.expressions}
        for o in order.expressions:
            key = o.this
            if (
                isinstance(key, exp.Column)
                and str(key.name).lower() not in names
                and key.sql().lower() not in shown
            ):
                return "42P10", "for SELECT DISTINCT, ORDER BY expressions must appear in select list"
    return None


_COMMA, _FROM, _JOIN, _PAREN = TokenType.COMMA, TokenType.FROM, TokenType.JOIN, TokenType.L_PAREN


_LIMIT, _OFFSET = TokenType.LIMIT, TokenType.OFFSET


def _negative_number(toks: Sequence[Token], i: int) -> bool:
    """toks[i:] begins with a minus and a number other than zero (LIMIT -1)."""
    if i + 1 >= len(toks) or toks[i].token_type is not TokenType.DASH:
        return False
    if toks[i + 1].token_type is not TokenType.NUMBER:
        return False
    try:
        return float(toks[i + 1].text) != 0
    except ValueError:
        return False


def refusal(text: str, toks: Sequence[Token]) -> Refusal | None:
    """PostgreSQL's error for the statement, when it is one of those above (identity tests on
    token types: this runs for every statement not in the cache)."""
    n, distinct = len(toks), False
    for i, t in enumerate(toks):
        tt = t.token_type
        if tt is _COMMA:
            if i + 1 == n:
                return "42601", "syntax error at end of input"
            if toks[i + 1].token_type in _AFTER_COMMA:
                return "42601", f'syntax error at or near "{toks[i + 1].text}"'
        elif (tt is _FROM or tt is _JOIN) and i + 1 < n and toks[i + 1].token_type is _PAREN:
            found = _unaliased_subquery(toks, i + 1)
            if found is not None:
                return found
        elif tt is TokenType.DISTINCT:
            distinct = True
        elif (tt is _LIMIT or tt is _OFFSET) and _negative_number(toks, i + 1):
            # DuckDB's one message for both is a 42601; PostgreSQL's are these
            return (
                ("2201W", "LIMIT must not be negative")
                if tt is _LIMIT
                else ("2201X", "OFFSET must not be negative")
            )
    if distinct and any(t.token_type is TokenType.ORDER_BY for t in toks):
        found = _distinct_order_by(text)
        if found is not None:
            return found
    return (
        view_if_not_exists(toks)
        or unknown_literals(text, toks)
        or nested_aggregates(toks)
        or aggregate_modifiers(toks)
        or text_number_comparisons(text, toks)
        or _arithmetic_refusal(text, toks)
    )


def view_if_not_exists(toks: Sequence[Token]) -> Refusal | None:
    """CREATE VIEW IF NOT EXISTS: PostgreSQL's grammar has no such clause (DuckDB's has; a
    materialized view's is PostgreSQL's too)."""
    if not toks or toks[0].token_type is not TokenType.CREATE:
        return None
    words = [t.text.upper() for t in toks[1:8]]
    k = 2 if words[:2] == ["OR", "REPLACE"] else 0
    while k < len(words) and words[k] in ("TEMP", "TEMPORARY", "RECURSIVE"):
        k += 1
    if words[k : k + 4] == ["VIEW", "IF", "NOT", "EXISTS"]:
        return "42601", f'syntax error at or near "{toks[k + 3].text}"'
    return None


# ---------------------------------------------------------------- aggregates in aggregates

# PostgreSQL's built-in aggregates (a call of one with OVER is a window function call instead).
AGGREGATES = frozenset(
    {
        "avg", "bit_and", "bit_or", "bit_xor", "bool_and", "bool_or", "count", "every", "max", "min",
        "sum", "array_agg", "string_agg", "json_agg", "jsonb_agg", "json_object_agg",
        "jsonb_object_agg", "xmlagg", "corr", "covar_pop", "covar_samp", "regr_avgx", "regr_avgy",
        "regr_count", "regr_intercept", "regr_r2", "regr_slope", "regr_sxx", "regr_sxy", "regr_syy",
        "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp", "mode",
        "percentile_cont", "percentile_disc", "range_agg", "range_intersect_agg",
    }
)  # fmt: skip


def _call_end(toks: Sequence[Token], open_: int) -> int | None:
    """The index of the parenthesis that closes the one at open_."""
    depth = 0
    for j in range(open_, len(toks)):
        tt = toks[j].token_type
        if tt is TokenType.L_PAREN:
            depth += 1
        elif tt is TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return j
    return None


def _windowed(toks: Sequence[Token], close: int) -> bool:
    """Whether the call that closes at token close is a window call: OVER, or FILTER (...) OVER."""
    k = close + 1
    if k < len(toks) and toks[k].token_type is TokenType.FILTER and k + 1 < len(toks):
        end = _call_end(toks, k + 1)
        k = end + 1 if end is not None else k
    return k < len(toks) and toks[k].token_type is TokenType.OVER


def nested_aggregates(toks: Sequence[Token]) -> Refusal | None:
    """An aggregate call (not a window call) with an aggregate or a window function call in its
    arguments, outside a subquery there: PostgreSQL's 42803. A cheap look first: two calls at
    least, one of them an aggregate's."""
    calls = [
        i
        for i in range(len(toks) - 1)
        if toks[i + 1].token_type is TokenType.L_PAREN and toks[i].token_type is TokenType.VAR
    ]
    if len(calls) < 2 or not any(toks[i].text.lower() in AGGREGATES for i in calls):
        return None
    for i in calls:
        if toks[i].text.lower() not in AGGREGATES or (i > 0 and toks[i - 1].token_type is TokenType.DOT):
            continue
        close = _call_end(toks, i + 1)
        if close is None or _windowed(toks, close):
            continue
        j = i + 2
        while j < close:
            tt = toks[j].token_type
            if tt is TokenType.L_PAREN and j + 1 < close and toks[j + 1].token_type in _QUERY_START:
                j = (_call_end(toks, j) or close) + 1  # a subquery: its own level
                continue
            if tt is TokenType.VAR and toks[j + 1].token_type is TokenType.L_PAREN:
                inner = _call_end(toks, j + 1)
                if inner is not None and _windowed(toks, inner):
                    return "42803", "aggregate function calls cannot contain window function calls"
                if toks[j].text.lower() in AGGREGATES and toks[j - 1].token_type is not TokenType.DOT:
                    return "42803", "aggregate function calls cannot be nested"
            j += 1
    return None


def _sort_key(toks: Sequence[Token], lo: int, hi: int) -> tuple[str, ...]:
    """An ORDER BY item's expression (tokens lo..hi-1 without ASC / DESC / NULLS FIRST / LAST),
    as comparable words."""
    while hi > lo and toks[hi - 1].text.lower() in ("asc", "desc", "first", "last", "nulls"):
        hi -= 1
    return tuple(t.text.lower() for t in toks[lo:hi])


def _top_ranges(toks: Sequence[Token], lo: int, hi: int) -> list[tuple[int, int]]:
    out, depth, first = [], 0, lo
    for j in range(lo, hi):
        tt = toks[j].token_type
        if tt is TokenType.L_PAREN or tt is TokenType.L_BRACKET:
            depth += 1
        elif tt is TokenType.R_PAREN or tt is TokenType.R_BRACKET:
            depth -= 1
        elif depth == 0 and tt is _COMMA:
            out.append((first, j))
            first = j + 1
    out.append((first, hi))
    return out


def aggregate_modifiers(toks: Sequence[Token]) -> Refusal | None:
    """An aggregate's DISTINCT or ORDER BY where PostgreSQL refuses them (parse analysis): in a
    window call (0A000: DuckDB would compute them), and DISTINCT's ORDER BY of an expression
    not among its arguments (42P10). A cheap look first: an aggregate's DISTINCT or ORDER BY."""
    if not any(
        t.token_type is TokenType.DISTINCT or t.token_type is TokenType.ORDER_BY for t in toks
    ) or not any(t.text.lower() in AGGREGATES for t in toks):
        return None
    for i in range(len(toks) - 2):
        if toks[i + 1].token_type is not TokenType.L_PAREN or toks[i].text.lower() not in AGGREGATES:
            continue
        if i > 0 and toks[i - 1].token_type is TokenType.DOT and toks[i - 2].text.lower() != "pg_catalog":
            continue
        close = _call_end(toks, i + 1)
        if close is None:
            continue
        distinct = toks[i + 2].token_type is TokenType.DISTINCT
        depth, order = 0, None
        for j in range(i + 2, close):
            tt = toks[j].token_type
            if tt is TokenType.L_PAREN:
                depth += 1
            elif tt is TokenType.R_PAREN:
                depth -= 1
            elif depth == 0 and tt is TokenType.ORDER_BY:
                order = j
                break
        if _windowed(toks, close):
            if distinct:
                return "0A000", "DISTINCT is not implemented for window functions"
            if order is not None:
                return "0A000", "aggregate ORDER BY is not implemented for window functions"
        if distinct and order is not None:
            args = {_sort_key(toks, a, b) for a, b in _top_ranges(toks, i + 3, order)}
            if any(_sort_key(toks, a, b) not in args for a, b in _top_ranges(toks, order + 1, close)):
                return (
                    "42P10",
                    "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list",
                )
    return None


# ---------------------------------------------------------------- unknown literals and integers

_INT4 = range(-(2**31), 2**31)
_INTEGER_TEXT = re.compile(r"^\s*[+-]?\d+\s*$")


def _literal_type(tk: Tokens, lo: int, hi: int) -> str | None:
    """'int4' for an integer literal in int4's range, 'unknown' for a string literal, 'text' for
    one cast to text, 'null' for NULL; None for anything else (whose type is not visible here)."""
    t = [tk.tt(k) for k in range(lo, hi)]
    if t == [TokenType.NUMBER] or t == [TokenType.DASH, TokenType.NUMBER]:
        s = _join(tk, lo, hi)
        return "int4" if re.fullmatch(r"-?\d+", s) and int(s) in _INT4 else None
    if t == [TokenType.STRING] and tk.string(lo) is not None:
        return "unknown"
    if (
        len(t) == 3
        and t[0] == TokenType.STRING
        and t[1] == TokenType.DCOLON
        and tk.word(lo + 2) in ("text", "varchar")
    ):
        return "text"
    if t == [TokenType.NULL]:
        return "null"
    return None


def _join(tk: Tokens, lo: int, hi: int) -> str:
    return "".join(tk.src(k) for k in range(lo, hi))


def _resolve(tk: Tokens, items: list[tuple[int, int]], context: str) -> Refusal | None:
    """PostgreSQL's resolution of literals that meet (CASE results, a UNION's column): integers
    and unknown strings make an integer, and each string must read as one (22P02); an integer
    and a text are 42804. Only when every item's type is visible."""
    kinds = [_literal_type(tk, lo, hi) for lo, hi in items]
    if None in kinds or "int4" not in kinds:
        return None
    if "text" in kinds:
        return "42804", f"{context} types integer and text cannot be matched"
    for (lo, _), kind in zip(items, kinds, strict=True):
        value = tk.string(lo) if kind == "unknown" else None
        if value is not None and not (_INTEGER_TEXT.match(value) and int(value) in _INT4):
            return "22P02", f'invalid input syntax for type integer: "{value}"'
    return None


def _case_results(tk: Tokens, case: int) -> list[tuple[int, int]] | None:
    """The THEN and ELSE results (token ranges) of the CASE at token case, at its own level."""
    results: list[tuple[int, int]] = []
    start, depth, k = None, 0, case + 1
    while k < tk.n:
        t = tk.tt(k)
        if t in (TokenType.L_PAREN, TokenType.L_BRACKET) and k in tk.match:
            k = tk.match[k] + 1
            continue
        if t == TokenType.CASE:
            depth += 1
        elif t == TokenType.END and depth:
            depth -= 1
        elif depth == 0 and t in (TokenType.WHEN, TokenType.ELSE, TokenType.END, TokenType.THEN):
            if start is not None:
                results.append((start, k))
                start = None
            if t == TokenType.END:
                return results
            if t in (TokenType.THEN, TokenType.ELSE):
                start = k + 1
        k += 1
    return None


def _select_lists(tk: Tokens) -> list[list[tuple[int, int]]] | None:
    """The select lists of SELECT ... UNION [ALL] SELECT ... without FROM or anything else."""
    lists, k = [], 0
    while k < tk.n:
        if tk.tt(k) != TokenType.SELECT:
            return None
        end = k + 1
        while end < tk.n and tk.tt(end) not in (TokenType.UNION, TokenType.EXCEPT, TokenType.INTERSECT):
            if tk.tt(end) in (TokenType.FROM, TokenType.WHERE, TokenType.L_PAREN, TokenType.ORDER_BY):
                return None
            end += 1
        items = []
        for lo, hi, _ in tk.split(k + 1, end, frozenset({TokenType.COMMA})):
            if hi - lo >= 2 and tk.tt(hi - 2) == TokenType.ALIAS:
                hi -= 2  # its column alias
            items.append((lo, hi))
        lists.append(items)
        k = end + 1
        if k < tk.n and tk.tt(k) in (TokenType.ALL, TokenType.DISTINCT):
            k += 1
    return lists if len(lists) > 1 else None


def unknown_literals(text: str, toks: Sequence[Token]) -> Refusal | None:
    """CASE ... THEN 1 ELSE 'x' END and SELECT 1 UNION SELECT 'x': PostgreSQL types the string
    an integer and refuses it (22P02), where DuckDB makes the result text or never reads it."""
    cases = [i for i, t in enumerate(toks) if t.token_type is TokenType.CASE]
    union = any(t.token_type is TokenType.UNION for t in toks)
    if not cases and not union:
        return None
    tk = Tokens(text, toks)
    for i in cases:
        results = _case_results(tk, i)
        found = _resolve(tk, results, "CASE") if results else None
        if found is not None:
            return found
    lists = _select_lists(tk) if union else None
    if lists is not None and len({len(x) for x in lists}) == 1:
        for column in zip(*lists, strict=True):
            found = _resolve(tk, list(column), "UNION")
            if found is not None:
                return found
    return None


def union_integer_literals(text: str, toks: Sequence[Token], base: int) -> list[tuple[int, int, str]]:
    """SELECT 1 UNION SELECT '2': the column is PostgreSQL's integer (DuckDB's would be text):
    the strings that meet integers in a literal UNION column are cast to integer (those that do
    not read as one are refused above)."""
    if not any(t.token_type is TokenType.UNION for t in toks):
        return []
    tk = Tokens(text, toks, base)
    lists = _select_lists(tk)
    if lists is None or len({len(x) for x in lists}) != 1:
        return []
    edits = []
    for column in zip(*lists, strict=True):
        kinds = [_literal_type(tk, lo, hi) for lo, hi in column]
        if None in kinds or "int4" not in kinds or "text" in kinds:
            continue
        for (lo, _), kind in zip(column, kinds, strict=True):
            if kind == "unknown":
                edits.append((tk.start(lo), tk.end(lo), f"CAST({tk.src(lo)} AS INTEGER)"))
    return edits


# ---------------------------------------------------------------- select-list aliases in WHERE

# What ends a WHERE clause at its own level.
_WHERE_END = frozenset(
    {
        TokenType.GROUP_BY,
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
        TokenType.SEMICOLON,
        TokenType.QUALIFY,
    }
)


def _level_tokens(tk: Tokens, start: int) -> list[int]:
    """The indices of the tokens from start on at start's level (parentheses stepped over, the
    opening one listed), up to the end of that level."""
    out, k = [], start
    while k < tk.n and tk.tt(k) != TokenType.R_PAREN:
        out.append(k)
        k = (
            tk.match[k] + 1
            if tk.tt(k) in (TokenType.L_PAREN, TokenType.L_BRACKET) and k in tk.match
            else k + 1
        )
    return out


def _aliases(tk: Tokens, select: int, from_: int) -> set[str]:
    """The select list's aliases (AS name) that are not the name of the item's own column."""
    out = set()
    for lo, hi, _ in tk.split(select + 1, from_, frozenset({TokenType.COMMA})):
        if hi - lo < 3 or tk.tt(hi - 2) != TokenType.ALIAS or tk.name(hi - 1) is None:
            continue
        own = tk.name(hi - 3) if hi - 3 == lo or tk.tt(hi - 4) == TokenType.DOT else None
        if tk.name(hi - 1) != own:
            out.add(str(tk.name(hi - 1)))
    return out


def _binding(tk: Tokens, lo: int, hi: int) -> str | None:
    """The name that qualifies the columns of the FROM item lo..hi (as written), None when it is
    not one table, aliased subquery or function with named columns (a function's own column
    is named by its alias alone: t.t is no column reference DuckDB takes)."""
    k, name, call = lo, None, False
    if tk.tt(k) == TokenType.L_PAREN and k in tk.match:
        k = tk.match[k] + 1
    elif tk.tt(k) in NAMES:
        while tk.tt(k) in NAMES and tk.tt(k + 1) == TokenType.DOT:
            k += 2
        if tk.tt(k) not in NAMES:
            return None
        name = tk.src(k)
        call = tk.tt(k + 1) == TokenType.L_PAREN and k + 1 in tk.match
        k = tk.match[k + 1] + 1 if call else k + 1
    else:
        return None
    if tk.tt(k) == TokenType.ALIAS:
        k += 1
    if tk.tt(k) in NAMES:
        name = tk.src(k)
        k += 1
        if tk.tt(k) == TokenType.L_PAREN and k in tk.match:
            k, call = tk.match[k] + 1, False
    return name if k == hi and not call else None


def names_an_alias_in_where(toks: Sequence[Token]) -> bool:
    """A cheap look: whether a name after a WHERE is also a name after an AS."""
    where = next((i for i, t in enumerate(toks) if t.token_type is TokenType.WHERE), None)
    if where is None:
        return False
    aliases = {
        toks[i + 1].text.lower()
        for i in range(where - 1)
        if toks[i].token_type is TokenType.ALIAS and toks[i + 1].token_type in NAMES
    }
    return bool(aliases) and any(
        t.token_type in NAMES and t.text.lower() in aliases for t in toks[where + 1 :]
    )


def where_alias_references(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """SELECT a + 1 AS b FROM t WHERE b > 1: the WHERE's b becomes t.b, a column or PostgreSQL's
    42703 (engine.errors), as PostgreSQL reads it; see the module docstring."""
    if not any(t.token_type is TokenType.WHERE for t in toks) or not any(
        t.token_type is TokenType.ALIAS for t in toks
    ):
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    top = _level_tokens(tk, 0)
    for s in (i for i in top if tk.tt(i) == TokenType.SELECT):
        level = [i for i in top if i > s]
        ends = [i for i in level if tk.tt(i) in _WHERE_END or tk.tt(i) == TokenType.SELECT] + [tk.n]
        from_ = next((i for i in level if tk.tt(i) == TokenType.FROM and i < ends[0]), None)
        where = next((i for i in level if tk.tt(i) == TokenType.WHERE and i < ends[0]), None)
        if from_ is None or where is None or where < from_:
            continue
        aliases = _aliases(tk, s, from_)
        items = tk.split(from_ + 1, where, frozenset({TokenType.COMMA, TokenType.JOIN}))
        if not aliases:
            continue
        binding = _binding(tk, from_ + 1, where) if len(items) == 1 else None
        if binding is None and len(items) == 1:
            continue
        end = next(i for i in ends if i > where)
        k = where + 1
        while k < end:
            if tk.tt(k) == TokenType.L_PAREN and tk.tt(k + 1) in _QUERY_START and k in tk.match:
                k = tk.match[k] + 1  # a subquery: its own names
                continue
            if (
                tk.tt(k) in NAMES
                and tk.name(k) in aliases
                and tk.tt(k - 1) not in (TokenType.DOT, TokenType.ALIAS)
                and tk.tt(k + 1) not in (TokenType.DOT, TokenType.L_PAREN, TokenType.FROM)
            ):
                if binding is not None:
                    edits.append((tk.start(k), tk.start(k), binding + "."))
                else:
                    edits.append((tk.start(k), tk.end(k), from_columns(str(tk.name(k)))))
            k += 1
    return edits


def from_columns(name: str) -> str:
    """The FROM items' columns of a name, never a select-list alias: DuckDB's COLUMNS() with the
    name as its pattern (case-insensitive as DuckDB's names; engine.errors words its failure
    as PostgreSQL's column "name" does not exist)."""
    pattern = "".join(c if c.isalnum() or c == "_" else "\\" + c for c in name).replace("'", "''")
    return f"COLUMNS('(?i)^{pattern}$')"


# ---------------------------------------------------------------- text compared with a number

_COMPARISONS = frozenset(
    {TokenType.EQ, TokenType.NEQ, TokenType.LT, TokenType.LTE, TokenType.GT, TokenType.GTE}
)
# PostgreSQL's names of the string types a literal may be cast to.
_STRING_TYPES = {
    "text": "text",
    "varchar": "character varying",
    "character varying": "character varying",
    "char": "character",
    "character": "character",
    "bpchar": "character",
}
# What may stand before and after an operand that is the comparison's whole side.
_OPERAND_BEFORE = frozenset(
    {
        TokenType.SELECT, TokenType.WHERE, TokenType.AND, TokenType.OR, TokenType.NOT,
        TokenType.L_PAREN, TokenType.COMMA, TokenType.WHEN, TokenType.THEN, TokenType.ELSE,
        TokenType.ON, TokenType.HAVING,
    }
)  # fmt: skip
_OPERAND_AFTER = frozenset(
    {
        TokenType.AND, TokenType.OR, TokenType.R_PAREN, TokenType.COMMA, TokenType.FROM,
        TokenType.ALIAS, TokenType.THEN, TokenType.ELSE, TokenType.END, TokenType.ORDER_BY,
        TokenType.GROUP_BY, TokenType.LIMIT, TokenType.SEMICOLON, TokenType.WHERE,
    }
)  # fmt: skip


def _string_cast(tk: Tokens, first: int, last: int) -> str | None:
    """PostgreSQL's name of the string type of tokens first..last when they are a string literal
    cast to one ('x'::text, 'x'::varchar(3), CAST('x' AS text)); None otherwise."""
    if tk.tt(first) == TokenType.STRING and tk.tt(first + 1) == TokenType.DCOLON:
        k = first + 2
    elif (
        tk.word(first) == "cast" and tk.tt(first + 1) == TokenType.L_PAREN and tk.match.get(first + 1) == last
    ):
        if tk.tt(first + 2) != TokenType.STRING or tk.tt(first + 3) != TokenType.ALIAS:
            return None
        k, last = first + 4, last - 1
    else:
        return None
    kind = _STRING_TYPES.get(" ".join(tk.src(k).lower().split()))
    end = tk.match.get(k + 1, k) if tk.tt(k + 1) == TokenType.L_PAREN else k
    return kind if end == last else None


def _number(tk: Tokens, first: int, last: int) -> str | None:
    """PostgreSQL's type of a number literal at tokens first..last (a minus sign allowed)."""
    if (
        tk.tt(last) != TokenType.NUMBER
        or last - first > 1
        or (last > first and tk.tt(first) != TokenType.DASH)
    ):
        return None
    s = tk.src(last)
    if not s.isdigit():
        return "numeric"
    value = int(s)
    return (
        "integer"
        if value < 2**31 + (last > first)
        else "bigint"
        if value < 2**63 + (last > first)
        else "numeric"
    )


def _left_start(tk: Tokens, last: int) -> int | None:
    """The first token of a number, a string literal cast to a type or CAST(...) ending at last."""
    if tk.tt(last) == TokenType.NUMBER:
        return last - 1 if tk.tt(last - 1) == TokenType.DASH else last
    k = last
    if tk.tt(k) == TokenType.R_PAREN and k in tk.match:
        k = tk.match[k] - 1
        if tk.word(k) == "cast":
            return k
    return k - 2 if tk.tt(k - 1) == TokenType.DCOLON and tk.tt(k - 2) == TokenType.STRING else None


def text_number_comparisons(text: str, toks: Sequence[Token]) -> Refusal | None:
    """'1'::text = 1: PostgreSQL's 42883 operator does not exist (see the module docstring)."""
    ops = [i for i, t in enumerate(toks) if t.token_type in _COMPARISONS]
    if not ops or not any(t.token_type is TokenType.NUMBER for t in toks):
        return None
    tk = Tokens(text, toks)
    for i in ops:
        left_last, right_first = i - 1, i + 1
        left_first = _left_start(tk, left_last)
        if left_first is None:
            continue
        right_last = right_first + (tk.tt(right_first) == TokenType.DASH)
        if tk.word(right_first) == "cast" and right_first + 1 in tk.match:
            right_last = tk.match[right_first + 1]
        elif tk.tt(right_first) == TokenType.STRING and tk.tt(right_first + 1) == TokenType.DCOLON:
            right_last = right_first + 2
            if tk.tt(right_last + 1) == TokenType.L_PAREN and right_last + 1 in tk.match:
                right_last = tk.match[right_last + 1]
        before, after = tk.tt(left_first - 1), tk.tt(right_last + 1)
        if (left_first > 0 and before not in _OPERAND_BEFORE) or (
            after is not None and after not in _OPERAND_AFTER
        ):
            continue
        sides = (
            (_string_cast(tk, left_first, left_last), _number(tk, right_first, right_last)),
            (_number(tk, left_first, left_last), _string_cast(tk, right_first, right_last)),
        )
        for a, b in sides:
            if a is not None and b is not None:
                return "42883", f"operator does not exist: {a} {tk.src(i)} {b}"
    return None


# ---------------------------------------------------------------- unknown literals in arithmetic

_ARITHMETIC = frozenset({TokenType.PLUS, TokenType.DASH, TokenType.STAR, TokenType.SLASH, TokenType.MOD})


def _arithmetic_strings(tk: Tokens) -> list[int]:
    """The string literals that are an operand of + - * / % whose other operand is an integer
    literal (int4), both standing alone: PostgreSQL reads them as integers."""
    out = []
    for i in range(1, tk.n - 1):
        if tk.tt(i) not in _ARITHMETIC:
            continue
        before, after = tk.tt(i - 2), tk.tt(i + 2)
        if (i >= 2 and before not in _OPERAND_BEFORE | _COMPARISONS) or (
            after is not None
            and after not in _OPERAND_AFTER | _COMPARISONS | {TokenType.PLUS, TokenType.DASH}
        ):
            continue
        kinds = (_literal_type(tk, i - 1, i), _literal_type(tk, i + 1, i + 2))
        if kinds == ("unknown", "int4"):
            out.append(i - 1)
        elif kinds == ("int4", "unknown"):
            out.append(i + 1)
    return out


def _arithmetic_refusal(text: str, toks: Sequence[Token]) -> Refusal | None:
    if not any(t.token_type is TokenType.STRING for t in toks) or not any(
        t.token_type in _ARITHMETIC for t in toks
    ):
        return None
    tk = Tokens(text, toks)
    for k in _arithmetic_strings(tk):
        value = tk.string(k)
        if value is not None and not (_INTEGER_TEXT.match(value) and int(value) in _INT4):
            return "22P02", f'invalid input syntax for type integer: "{value}"'
    return None


def arithmetic_integer_literals(text: str, toks: Sequence[Token], base: int) -> list[tuple[int, int, str]]:
    """'1' + 1: the string is PostgreSQL's integer (those that read as none are refused above)."""
    if not any(t.token_type is TokenType.STRING for t in toks) or not any(
        t.token_type in _ARITHMETIC for t in toks
    ):
        return []
    tk = Tokens(text, toks, base)
    return [(tk.start(k), tk.end(k), f"CAST({tk.src(k)} AS INTEGER)") for k in _arithmetic_strings(tk)]
