"""jsonb over DuckDB's JSON: values printed as PostgreSQL prints jsonb, and its functions.

DuckDB's JSON keeps the text as written; PostgreSQL's jsonb prints its parsed form (keys sorted
by length then bytes, the last of duplicate keys, numbers as numeric prints them, ", " and ": ").
The engine has that form as pg_jsonb (engine.jsonb): each jsonb cast, and each function that
returns jsonb, goes through it. The jsonb functions that read a document are the engine's too,
with PostgreSQL's errors (an array length of an object is an error, not 0).

What stays different (README): a jsonb column holds the text as inserted (a literal the client
writes into it unconverted prints as written; values cast to jsonb or sent as jsonb parameters
are normalised), and result columns are json (oid 114), not jsonb (3802).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

Edit = tuple[int, int, str]
_OPEN = (TokenType.L_PAREN, TokenType.L_BRACKET)
_CLOSE = (TokenType.R_PAREN, TokenType.R_BRACKET)
_NAMEISH = (TokenType.VAR, TokenType.IDENTIFIER)


def _is_jsonb(text: str, t: Token, base: int) -> bool:
    return t.text.lower() == "jsonb" and text[t.start - base] not in "'\""


def _open_of(toks: Sequence[Token], close: int) -> int | None:
    depth = 0
    for j in range(close, -1, -1):
        tt = toks[j].token_type
        if tt in _CLOSE:
            depth += 1
        elif tt in _OPEN:
            depth -= 1
            if depth == 0:
                return j
    return None


def operand_start(toks: Sequence[Token], d: int) -> int | None:
    """The first token of the primary expression the '::' at d casts."""
    p = d - 1
    while p >= 0:
        tt = toks[p].token_type
        if tt in _CLOSE:
            o = _open_of(toks, p)
            if o is None:
                return None
            p = o
            if (
                p > 0
                and (toks[p - 1].token_type in _NAMEISH or toks[p - 1].text.isidentifier())
                and toks[p - 1].token_type not in (TokenType.DCOLON, TokenType.COMMA)
            ):
                p -= 1  # a call: f(...), ARRAY[...]
        elif tt == TokenType.NUMBER and p > 0 and toks[p - 1].token_type == TokenType.PARAMETER:
            p -= 1  # $1
        elif tt in (TokenType.STRING, TokenType.NUMBER, TokenType.PARAMETER, TokenType.NULL, TokenType.TRUE,
                    TokenType.FALSE) or tt in _NAMEISH or toks[p].text.isidentifier():  # fmt: skip
            pass
        else:
            return None
        while p >= 2 and toks[p - 1].token_type == TokenType.DOT:
            p -= 2  # a.b.c
        if p >= 1 and toks[p - 1].token_type == TokenType.DCOLON:
            p -= 2  # this was the type of an earlier cast: x::text::jsonb casts x::text
            continue
        return p
    return None


def defines_by_query(toks: Sequence[Token]) -> bool:
    """CREATE VIEW ... AS SELECT / CREATE TABLE ... AS SELECT (or WITH, or a parenthesised query)."""
    return toks[0].text.upper() == "CREATE" and any(
        t.token_type == TokenType.ALIAS
        and nxt.token_type in (TokenType.SELECT, TokenType.WITH, TokenType.L_PAREN, TokenType.VALUES)
        for t, nxt in zip(toks, toks[1:], strict=False)
    )


def jsonb_casts(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """x::jsonb, CAST(x AS jsonb), jsonb 'x': the value as PostgreSQL prints jsonb (pg_jsonb).
    Not in table definitions (a DEFAULT would keep the engine's function in the PDB's file, which
    other readers of the file lack): there a cast is DuckDB's JSON (pgcompat.rewrite.jsonb_type);
    a view's or CREATE TABLE AS's query is a query."""
    if toks and toks[0].text.upper() in ("CREATE", "ALTER") and not defines_by_query(toks):
        return []
    edits: list[Edit] = []
    for i, t in enumerate(toks):
        if not _is_jsonb(text, t, base) or i == 0:
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt is not None and nxt.token_type in (TokenType.L_BRACKET, TokenType.L_PAREN, TokenType.DOT):
            continue  # jsonb[] (left to jsonb_type), jsonb_...(), a name
        prev = toks[i - 1]
        if prev.token_type == TokenType.DCOLON:
            start = operand_start(toks, i - 1)
            if start is None:
                continue
            edits.append((toks[start].start - base, toks[start].start - base, "pg_jsonb(CAST("))
            edits.append((prev.start - base, t.end - base + 1, " AS VARCHAR))"))
        elif prev.token_type == TokenType.ALIAS and nxt is not None and nxt.token_type == TokenType.R_PAREN:
            o = _open_of(toks, i + 1)
            if o is None or o == 0 or toks[o - 1].text.upper() not in ("CAST", "TRY_CAST"):
                continue
            edits.append((toks[o - 1].start - base, toks[o - 1].start - base, "pg_jsonb("))
            edits.append((t.start - base, nxt.end - base + 1, "VARCHAR))"))
        elif nxt is not None and nxt.token_type == TokenType.STRING and prev.token_type != TokenType.DOT:
            edits.append((t.start - base, t.end - base + 1, "pg_jsonb("))  # jsonb '{"a": 1}'
            edits.append((nxt.end - base + 1, nxt.end - base + 1, ")"))
    return edits


# jsonb function -> (what its name becomes, what its closing parenthesis becomes). The argument
# text stays as written (other rewrites apply inside it).
_WRAPPED: dict[str, tuple[str, str]] = {
    "jsonb_build_object": ("pg_jsonb(json_object(", "))"),
    "jsonb_build_array": ("pg_jsonb(json_array(", "))"),
    "to_jsonb": ("pg_jsonb(to_json(", "))"),
    "jsonb_agg": ("pg_jsonb(json_group_array(", "))"),
    "jsonb_object_agg": ("pg_jsonb(json_group_object(", "))"),
    "jsonb_strip_nulls": ("pg_jsonb(json_strip_nulls(CAST(", " AS JSON)))"),
    "jsonb_pretty": ("pg_jsonb_pretty(CAST(", " AS VARCHAR))"),
    "jsonb_typeof": ("pg_jsonb_typeof(CAST(", " AS VARCHAR))"),
    "jsonb_array_length": ("pg_jsonb_array_length(CAST(", " AS VARCHAR))"),
    "jsonb_object_keys": ("unnest(pg_jsonb_object_keys(CAST(", " AS VARCHAR)))"),
    "jsonb_array_elements": ("unnest(pg_jsonb_array_elements(CAST(", " AS VARCHAR)))"),
    "jsonb_array_elements_text": ("unnest(pg_jsonb_array_elements_text(CAST(", " AS VARCHAR)))"),
}
# Set-returning ones read in FROM: a subquery with PostgreSQL's column names.
_IN_FROM: dict[str, tuple[str, str]] = {
    "jsonb_array_elements": ("(SELECT unnest(pg_jsonb_array_elements(CAST(", " AS VARCHAR))) AS value)"),
    "jsonb_array_elements_text": (
        "(SELECT unnest(pg_jsonb_array_elements_text(CAST(",
        " AS VARCHAR))) AS value)",
    ),
    "jsonb_object_keys": (
        "(SELECT unnest(pg_jsonb_object_keys(CAST(",
        " AS VARCHAR))) AS jsonb_object_keys)",
    ),
    "jsonb_each": (
        "(SELECT __e.key AS key, __e.value AS value FROM (SELECT unnest(pg_jsonb_each(CAST(",
        " AS VARCHAR))) AS __e))",
    ),
    "jsonb_each_text": (
        "(SELECT __e.key AS key, __e.value AS value FROM (SELECT unnest(pg_jsonb_each_text(CAST(",
        " AS VARCHAR))) AS __e))",
    ),
}
NAMES = frozenset(_WRAPPED) | frozenset(_IN_FROM)


def jsonb_functions(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """PostgreSQL's jsonb functions, over the engine's pg_jsonb_* (engine.jsonb)."""
    edits: list[Edit] = []
    for i, t in enumerate(toks[:-1]):
        name = t.text.lower()
        if name not in NAMES or toks[i + 1].token_type != TokenType.L_PAREN or text[t.start - base] in "'\"":
            continue
        if i > 0 and toks[i - 1].token_type == TokenType.DOT:
            if not (i > 1 and toks[i - 2].text.lower() == "pg_catalog"):
                continue
            first = i - 2
        else:
            first = i
        depth, close = 0, None
        for j in range(i + 1, len(toks)):
            depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(toks[j].token_type, 0)
            if depth == 0:
                close = j
                break
        if close is None:
            continue
        before = toks[first - 1].token_type if first > 0 else None
        in_from = before in (TokenType.FROM, TokenType.JOIN, TokenType.COMMA, TokenType.LATERAL) and _in_from(
            toks, first
        )
        head, tail = (_IN_FROM if in_from else _WRAPPED).get(name, (None, None))
        if head is None or tail is None:
            continue
        edits.append((toks[first].start - base, toks[i + 1].end - base + 1, head))
        edits.append((toks[close].start - base, toks[close].end - base + 1, tail))
    return edits


def _in_from(toks: Sequence[Token], i: int) -> bool:
    """Whether token i stands in a FROM list at its level (after FROM / JOIN, not in a select list)."""
    depth = 0
    for j in range(i - 1, -1, -1):
        tt = toks[j].token_type
        if tt in _CLOSE:
            depth += 1
        elif tt in _OPEN:
            if depth == 0:
                return False
            depth -= 1
        elif depth == 0 and tt in (TokenType.FROM, TokenType.JOIN, TokenType.LATERAL):
            return True
        elif depth == 0 and tt in (TokenType.SELECT, TokenType.WHERE, TokenType.ON):
            return False
    return False


def operand_end(toks: Sequence[Token], i: int) -> int | None:
    """The last token of the primary expression that starts at token i (with its casts)."""
    if i >= len(toks):
        return None
    tt = toks[i].token_type
    if tt == TokenType.PARAMETER and i + 1 < len(toks) and toks[i + 1].token_type == TokenType.NUMBER:
        end = i + 1
    elif tt in _OPEN:
        end = _close_of(toks, i)
    elif tt == TokenType.ARRAY or (
        (tt in _NAMEISH or toks[i].text.isidentifier())
        and i + 1 < len(toks)
        and toks[i + 1].token_type in _OPEN
    ):
        end = _close_of(toks, i + 1)  # ARRAY[...], f(...)
    elif (
        tt in (TokenType.STRING, TokenType.NUMBER, TokenType.NULL)
        or tt in _NAMEISH
        or toks[i].text.isidentifier()
    ):
        end = i
        while end + 2 < len(toks) and toks[end + 1].token_type == TokenType.DOT:
            end += 2
    else:
        return None
    while end is not None and end + 2 < len(toks) and toks[end + 1].token_type == TokenType.DCOLON:
        end += 2  # ::type, ::type[], ::varchar(10)
        if end + 1 < len(toks) and toks[end + 1].token_type in _OPEN:
            end = _close_of(toks, end + 1)
    return end


def _close_of(toks: Sequence[Token], open_: int) -> int | None:
    depth = 0
    for j in range(open_, len(toks)):
        tt = toks[j].token_type
        if tt in _OPEN:
            depth += 1
        elif tt in _CLOSE:
            depth -= 1
            if depth == 0:
                return j
    return None


# jsonb operators DuckDB has no meaning for -> the engine's function (engine.jsonb); the text[]
# operand of #>, #>>, ?| and ?& goes as PostgreSQL's array text, or a list as JSON.
_OPERATORS = {
    TokenType.HASH_ARROW: ("pg_jsonb_path", "text[]"),
    TokenType.DHASH_ARROW: ("pg_jsonb_path_text", "text[]"),
    TokenType.PLACEHOLDER: ("pg_jsonb_exists", "text"),
    TokenType.QMARK_PIPE: ("pg_jsonb_exists_any", "text[]"),
    TokenType.QMARK_AMP: ("pg_jsonb_exists_all", "text[]"),
    TokenType.AT_GT: ("pg_jsonb_contains", "jsonb"),
    TokenType.LT_AT: ("pg_jsonb_contained", "jsonb"),
}
_JSON_LITERAL = re.compile(r"""^'\s*[\[{].*["\]}:]\s*'$|^'\s*\{\s*\}\s*'$""", re.S)


def _jsonb_side(text: str, toks: Sequence[Token], lo: int, hi: int, base: int) -> bool:
    """Whether tokens lo..hi are jsonb to the eye: cast to jsonb, a jsonb function, a JSON literal."""
    span = [t.text.lower() for t in toks[lo : hi + 1]]
    if "jsonb" in span or any(s in NAMES or s.startswith("jsonb_") for s in span):
        return True
    return (
        hi == lo
        and toks[lo].token_type == TokenType.STRING
        and bool(_JSON_LITERAL.match(text[toks[lo].start - base : toks[lo].end - base + 1]))
    )


def jsonb_operators(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """j #> '{a,b}', j #>> '{a}', j ? 'k', j ?| array[...], j ?& '{...}': PostgreSQL's jsonb
    operators, as the engine's functions. @> and <@ are DuckDB's list containment too: they are
    jsonb's when an operand shows it (a jsonb cast or function, a JSON literal)."""
    edits: list[Edit] = []
    for i, t in enumerate(toks):
        op = _OPERATORS.get(t.token_type)
        if op is None or i == 0:
            continue
        if t.token_type == TokenType.PLACEHOLDER and t.text != "?":
            continue
        lo = operand_start(toks, i)
        # j -> 'a' ? 'k' is (j -> 'a') ? 'k': the same precedence, from the left
        while lo is not None and lo > 1 and toks[lo - 1].token_type in (TokenType.ARROW, TokenType.DARROW):
            lo = operand_start(toks, lo - 1)
        hi = operand_end(toks, i + 1)
        if lo is None or hi is None:
            continue
        fn, kind = op
        containment = t.token_type in (TokenType.AT_GT, TokenType.LT_AT)
        if containment and not (
            _jsonb_side(text, toks, lo, i - 1, base) or _jsonb_side(text, toks, i + 1, hi, base)
        ):
            continue
        right = "CAST(" if kind != "text[]" else _array_operand(toks, i + 1, hi)
        close = " AS VARCHAR))" if kind != "text[]" else _array_close(toks, i + 1, hi)
        # "(" first: a zero-width insert at the same place as a jsonb cast's sorts before it (outside)
        edits.append((toks[lo].start - base, toks[lo].start - base, f"({fn}(CAST("))
        edits.append((t.start - base, t.end - base + 1, f" AS VARCHAR), {right}"))
        edits.append((toks[hi].end - base + 1, toks[hi].end - base + 1, close + ")"))
    return edits


def _array_operand(toks: Sequence[Token], lo: int, hi: int) -> str:
    """How a text[] operand starts: a string literal as PostgreSQL's array text, else the list as JSON."""
    return "CAST(" if lo == hi and toks[lo].token_type == TokenType.STRING else "CAST(to_json(CAST("


def _array_close(toks: Sequence[Token], lo: int, hi: int) -> str:
    return (
        " AS VARCHAR))"
        if lo == hi and toks[lo].token_type == TokenType.STRING
        else " AS VARCHAR[])) AS VARCHAR))"
    )
