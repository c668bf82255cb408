"""jsonb over DuckDB's JSON: values printed as PostgreSQL prints jsonb, and its functions.

DuckDB's JSON keeps the text as written; PostgreSQL's jsonb prints its parsed form (keys sorted
by length then bytes, the last of duplicate keys, numbers as numeric prints them, ", " and ": ").
The engine has that form as pg_jsonb (engine.jsonb): each jsonb cast, and each function that
returns jsonb, goes through it. The jsonb functions that read a document are the engine's too,
with PostgreSQL's errors (an array length of an object is an error, not 0).

What stays different (README): a jsonb column holds the text as inserted (a literal the client
writes into it unconverted prints as written; values cast to jsonb or sent as jsonb parameters
are normalised). Result columns are jsonb (3802) where the engine sees one (engine.declared:
a column declared jsonb, the functions these rewrites write).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat.text_casts import PG_CONCAT_OPERAND
from pgcompat.tokens import CLAUSES, tokenize
from pgwire import types as oids

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


# Keywords a parenthesised operand may follow, which are not a function called with it
# (SELECT ('{}')::jsonb casts the parenthesis, not "SELECT(...)").
_BEFORE_PARENTHESIS = CLAUSES | {
    TokenType.DCOLON, TokenType.COMMA, TokenType.AND, TokenType.OR, TokenType.NOT, TokenType.WHEN,
    TokenType.THEN, TokenType.ELSE, TokenType.IN, TokenType.IS, TokenType.LIKE, TokenType.ILIKE,
    TokenType.BETWEEN, TokenType.DISTINCT, TokenType.ALIAS, TokenType.CASE, TokenType.OFFSET,
    TokenType.ALL, TokenType.ANY, TokenType.SOME, TokenType.EXISTS, TokenType.END,
}  # fmt: skip


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
                and toks[p - 1].token_type not in _BEFORE_PARENTHESIS
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
        q = i  # the type name's first token: pg_catalog.jsonb is jsonb
        if i >= 3 and toks[i - 1].token_type == TokenType.DOT and toks[i - 2].text.lower() == "pg_catalog":
            q = i - 2
        prev = toks[q - 1]
        if prev.token_type == TokenType.DCOLON:
            start = operand_start(toks, q - 1)
            if start is None:
                continue
            edits.append((toks[start].start - base, toks[start].start - base, "pg_jsonb(CAST("))
            edits.append((prev.start - base, t.end - base + 1, " AS VARCHAR))"))
        elif prev.token_type == TokenType.ALIAS and nxt is not None and nxt.token_type == TokenType.R_PAREN:
            o = _open_of(toks, i + 1)
            if o is None or o == 0 or toks[o - 1].text.upper() not in ("CAST", "TRY_CAST"):
                continue
            edits.append((toks[o - 1].start - base, toks[o - 1].start - base, "pg_jsonb("))
            edits.append((toks[q].start - base, nxt.end - base + 1, "VARCHAR))"))
        elif nxt is not None and nxt.token_type == TokenType.STRING and prev.token_type != TokenType.DOT:
            edits.append((t.start - base, t.end - base + 1, "pg_jsonb("))  # jsonb '{"a": 1}'
            edits.append((nxt.end - base + 1, nxt.end - base + 1, ")"))
    return edits


def parameter_types(text: str, toks: Sequence[Token], base: int) -> tuple[int, ...]:
    """The parameters cast to jsonb ($1::jsonb, CAST($1 AS jsonb), pg_catalog.jsonb too): jsonb
    (3802) in ParameterDescription, as PostgreSQL infers them (the rewrite makes them VARCHAR for
    pg_jsonb); 0 (DuckDB's inference) for the others. () when there is none."""
    found: dict[int, int] = {}
    for i, t in enumerate(toks):
        if not _is_jsonb(text, t, base) or i < 3:
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt is not None and nxt.token_type in (TokenType.L_BRACKET, TokenType.L_PAREN, TokenType.DOT):
            continue
        q = (
            i - 2
            if toks[i - 1].token_type == TokenType.DOT and toks[i - 2].text.lower() == "pg_catalog"
            else i
        )
        cast = toks[q - 1].token_type == TokenType.DCOLON or (
            toks[q - 1].token_type == TokenType.ALIAS
            and nxt is not None
            and nxt.token_type == TokenType.R_PAREN
        )
        if not cast or q < 3:
            continue
        number, dollar = toks[q - 2], toks[q - 3]
        if (
            dollar.token_type == TokenType.PARAMETER
            and number.token_type == TokenType.NUMBER
            and number.text.isdigit()
        ):
            if toks[q - 1].token_type == TokenType.ALIAS and not (
                q >= 5 and toks[q - 4].token_type == TokenType.L_PAREN and toks[q - 5].text.upper() == "CAST"
            ):
                continue
            found[int(number.text)] = oids.JSONB
    if not found:
        return ()
    return tuple(found.get(n, 0) for n in range(1, max(found) + 1))


# jsonb function -> (what its name becomes, what its closing parenthesis becomes). The argument
# text stays as written (other rewrites apply inside it).
_WRAPPED: dict[str, tuple[str, str]] = {
    "to_jsonb": ("pg_jsonb(__pg_jval(", "))"),  # (engine.jsonb: a numeric keeps its scale)
    "jsonb_strip_nulls": ("pg_jsonb(json_strip_nulls(CAST(", " AS JSON)))"),
    "jsonb_pretty": ("pg_jsonb_pretty(CAST(", " AS VARCHAR))"),
    "jsonb_typeof": ("pg_jsonb_typeof(CAST(", " AS VARCHAR))"),
    "jsonb_array_length": ("pg_jsonb_array_length(CAST(", " AS VARCHAR))"),
    "jsonb_object_keys": ("unnest(pg_jsonb_object_keys(CAST(", " AS VARCHAR)))"),
    "jsonb_array_elements": ("unnest(pg_jsonb_array_elements(CAST(", " AS VARCHAR)))"),
    "jsonb_array_elements_text": ("unnest(pg_jsonb_array_elements_text(CAST(", " AS VARCHAR)))"),
    # in a select list: a record (key, value) per member
    "jsonb_each": ("unnest(pg_jsonb_each(CAST(", " AS VARCHAR)))"),
    "jsonb_each_text": ("unnest(pg_jsonb_each_text(CAST(", " AS VARCHAR)))"),
}
# json's (not jsonb's) set-returning functions: each member's or element's text as written
# (json is its text: whitespace, key order and duplicate keys kept), engine.jsonb's pg_json_*
_JSON_SRF = ("json_each", "json_each_text", "json_array_elements", "json_array_elements_text")
_WRAPPED.update({name: (f"unnest(pg_{name}(CAST(", " AS VARCHAR)))") for name in _JSON_SRF})
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
    # (__jsonb_each.value: a jsonb, engine.declared)
    "jsonb_each": (
        "(SELECT __jsonb_each.key AS key, __jsonb_each.value AS value FROM (SELECT unnest(pg_jsonb_each(CAST(",
        " AS VARCHAR))) AS __jsonb_each))",
    ),
    "jsonb_each_text": (
        "(SELECT __jsonb_each.key AS key, __jsonb_each.value AS value FROM (SELECT"
        " unnest(pg_jsonb_each_text(CAST(",
        " AS VARCHAR))) AS __jsonb_each))",
    ),
    **{
        name: (
            f"(SELECT __json_each.key AS key, __json_each.value AS value FROM (SELECT unnest(pg_{name}(CAST(",
            " AS VARCHAR))) AS __json_each))",
        )
        for name in ("json_each", "json_each_text")
    },
    **{
        name: (f"(SELECT unnest(pg_{name}(CAST(", " AS VARCHAR))) AS value)")
        for name in ("json_array_elements", "json_array_elements_text")
    },
}
# jsonb_set(target, path, new [, create_if_missing]) and jsonb_insert(target, path, new
# [, insert_after]): the engine's, each argument as it takes it (the path as JSON: a list, or
# PostgreSQL's array text as a JSON string)
_EDITING = {"jsonb_set": "pg_jsonb_set", "jsonb_insert": "pg_jsonb_insert"}
_EDITING_DEFAULT = {"jsonb_set": "true", "jsonb_insert": "false"}
_BUILDING = {"jsonb_build_object": "pg_jsonb_build_object", "jsonb_build_array": "pg_jsonb_build_array"}
NAMES = (frozenset(_WRAPPED) | frozenset(_IN_FROM) | frozenset(_EDITING) | frozenset(_BUILDING)) - set(
    _JSON_SRF
)
# json's (not jsonb's) builders: PostgreSQL's spacing ('{"a" : 1, "b" : 2}', '[1, 2]'), values as
# to_json writes them (__pg_jval: a json value keeps its text, a timestamp in ISO 8601)
_JSON_BUILDING = {"json_build_object": "pg_json_build_object", "json_build_array": "pg_json_build_array"}
_TO_JSON = ("CAST(__pg_jval(", ") AS JSON)")
# json_extract_path(j, VARIADIC keys) and the others: j #> keys, j #>> keys (engine.jsonb's)
_EXTRACT_PATHS = {
    "json_extract_path": "pg_json_path",
    "json_extract_path_text": "pg_json_path_text",
    "jsonb_extract_path": "pg_jsonb_path",
    "jsonb_extract_path_text": "pg_jsonb_path_text",
}
_JSON_NAMES = (
    frozenset(_JSON_BUILDING)
    | {"to_json", "json_array_length"}
    | frozenset(_JSON_SRF)
    | frozenset(_EXTRACT_PATHS)
)


def _top_commas(toks: Sequence[Token], open_: int, close: int) -> list[int]:
    depth, out = 0, []
    for j in range(open_ + 1, close):
        tt = toks[j].token_type
        if tt in _OPEN:
            depth += 1
        elif tt in _CLOSE:
            depth -= 1
        elif depth == 0 and tt == TokenType.COMMA:
            out.append(j)
    return out


def _editing_call(name: str, toks: Sequence[Token], first: int, i: int, close: int, base: int) -> list[Edit]:
    commas = _top_commas(toks, i + 1, close)
    if len(commas) not in (2, 3):
        return []  # DuckDB's error: no such function
    edits = [
        (toks[first].start - base, toks[i + 1].end - base + 1, f"{_EDITING[name]}(CAST("),
        (toks[commas[0]].start - base, toks[commas[0]].end - base + 1, " AS VARCHAR), CAST(to_json("),
        (toks[commas[1]].start - base, toks[commas[1]].end - base + 1, ") AS VARCHAR), CAST("),
    ]
    if len(commas) == 3:
        edits.append((toks[commas[2]].start - base, toks[commas[2]].end - base + 1, " AS VARCHAR), "))
    else:
        edits.append(
            (toks[close].start - base, toks[close].start - base, f" AS VARCHAR), {_EDITING_DEFAULT[name]}")
        )
    return edits


def _building_call(name: str, toks: Sequence[Token], first: int, i: int, close: int, base: int) -> list[Edit]:
    """jsonb_build_object(k, v, ...) / jsonb_build_array(v, ...) -> the engine's over a list of
    texts: keys as text, values through __pg_jval (engine.jsonb: numerics keep their scale)."""
    fn = _BUILDING.get(name) or _JSON_BUILDING[name]
    if close == i + 2:  # no arguments
        return [(toks[first].start - base, toks[close].end - base + 1, f"{fn}(CAST([] AS VARCHAR[]))")]
    commas = _top_commas(toks, i + 1, close)
    obj = name.endswith("_build_object")
    value, key = "CAST(__pg_jval(", "CAST("
    edits = [(toks[first].start - base, toks[i + 1].end - base + 1, f"{fn}([{key if obj else value}")]
    for n, c in enumerate(commas):
        ends_key = obj and n % 2 == 0
        nxt = value if ends_key or not obj else key
        edits.append(
            (
                toks[c].start - base,
                toks[c].end - base + 1,
                f"{' AS VARCHAR)' if ends_key else ') AS VARCHAR)'}, {nxt}",
            )
        )
    bounds = [i + 1, *commas, close]
    for n, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        if not obj or n % 2 == 1:
            edits += _row_constructor(toks, a + 1, b - 1, base)  # a value that is a ROW(...)
    last_is_key = obj and len(commas) % 2 == 0
    edits.append(
        (
            toks[close].start - base,
            toks[close].end - base + 1,
            " AS VARCHAR)])" if last_is_key else ") AS VARCHAR)])",
        )
    )
    return edits


def _row_constructor(toks: Sequence[Token], lo: int, hi: int, base: int) -> list[Edit]:
    """Tokens lo..hi when they are a row constructor, ROW(a, b) or (a, b): edits that make it
    the json of PostgreSQL's anonymous record, '{"f1":a,"f2":b}' (engine.jsonb's pg_json_row,
    each field as to_json writes it, a row in a field too); DuckDB's unnamed STRUCT would be a
    JSON array. [] for anything else."""
    if lo > hi:
        return []
    if toks[lo].token_type == TokenType.ROW and lo + 1 <= hi and toks[lo + 1].token_type == TokenType.L_PAREN:
        open_ = lo + 1
    elif toks[lo].token_type == TokenType.L_PAREN and _top_commas(toks, lo, hi):
        open_ = lo
    else:
        return []
    if _close_of(toks, open_) != hi:
        return []
    start, end = toks[lo].start - base, toks[hi].end - base + 1
    if hi == open_ + 1:
        return [(start, end, "pg_json_row(CAST([] AS VARCHAR[]), CAST([] AS VARCHAR[]))")]
    commas = _top_commas(toks, open_, hi)
    bounds = [open_, *commas, hi]
    names = ", ".join(f"'f{n}'" for n in range(1, len(bounds)))
    edits = [(start, toks[open_].end - base + 1, f"pg_json_row([{names}], [CAST(__pg_jval(")]
    edits += [
        (toks[c].start - base, toks[c].end - base + 1, ") AS VARCHAR), CAST(__pg_jval(") for c in commas
    ]
    edits.append((toks[hi].start - base, end, ") AS VARCHAR)])"))
    for a, b in zip(bounds, bounds[1:], strict=False):
        edits += _row_constructor(toks, a + 1, b - 1, base)
    return edits


def jsonb_functions(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """PostgreSQL's jsonb functions, over the engine's pg_jsonb_* (engine.jsonb)."""
    edits: list[Edit] = []
    for i, t in enumerate(toks[:-1]):
        name = t.text.lower()
        if (
            (name not in NAMES and name not in _JSON_NAMES and name not in ("row_to_json", "array_to_json"))
            or toks[i + 1].token_type != TokenType.L_PAREN
            or text[t.start - base] in "'\""
        ):
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
        if name in _EDITING:
            edits += _editing_call(name, toks, first, i, close, base)
            continue
        if name in _BUILDING or name in _JSON_BUILDING:
            edits += _building_call(name, toks, first, i, close, base)
            continue
        if name == "to_json":
            if close == i + 2 or _top_commas(toks, i + 1, close):
                continue  # DuckDB's error: to_json takes one argument
            edits.append((toks[first].start - base, toks[i + 1].end - base + 1, _TO_JSON[0]))
            edits.append((toks[close].start - base, toks[close].end - base + 1, _TO_JSON[1]))
            edits += _row_constructor(toks, i + 2, close - 1, base)
            continue
        if name == "json_array_length" and close > i + 2 and not _top_commas(toks, i + 1, close):
            # (PostgreSQL's errors for an object or a scalar: DuckDB's says 0)
            edits.append(
                (toks[first].start - base, toks[i + 1].end - base + 1, "pg_jsonb_array_length(CAST(")
            )
            edits.append((toks[close].start - base, toks[close].end - base + 1, " AS VARCHAR))"))
            continue
        if name in _EXTRACT_PATHS:
            commas = _top_commas(toks, i + 1, close)
            if not commas:
                continue  # (no path: PostgreSQL's 42883, as DuckDB's)
            edits.append(
                (toks[first].start - base, toks[i + 1].end - base + 1, f"{_EXTRACT_PATHS[name]}(CAST(")
            )
            edits.append(
                (
                    toks[commas[0]].start - base,
                    toks[commas[0]].end - base + 1,
                    " AS VARCHAR), CAST(to_json([CAST(",
                )
            )
            edits += [
                (toks[c].start - base, toks[c].end - base + 1, " AS VARCHAR), CAST(") for c in commas[1:]
            ]
            edits.append(
                (toks[close].start - base, toks[close].end - base + 1, " AS VARCHAR)]) AS VARCHAR))")
            )
            continue
        if name == "array_to_json":
            commas = _top_commas(toks, i + 1, close)
            if close == i + 2 or len(commas) > 1:
                continue
            # to_json's value (numerics with their scale, timestamps in ISO 8601); with pretty,
            # the engine's layout of it
            if commas:
                edits.append((toks[first].start - base, toks[i + 1].end - base + 1,
                              f"pg_json_pretty_array(CAST({_TO_JSON[0]}"))  # fmt: skip
                edits.append((toks[commas[0]].start - base, toks[commas[0]].end - base + 1,
                              f"{_TO_JSON[1]} AS VARCHAR),"))  # fmt: skip
            else:
                edits.append((toks[first].start - base, toks[i + 1].end - base + 1, _TO_JSON[0]))
                edits.append((toks[close].start - base, toks[close].end - base + 1, _TO_JSON[1]))
            continue
        if name == "row_to_json":
            commas = _top_commas(toks, i + 1, close)
            if len(commas) > 1:
                continue
            end = commas[0] if commas else close
            row = _row_constructor(toks, i + 2, end - 1, base)
            if row:  # row_to_json(ROW(...)): the record's json is its value
                edits += [(toks[first].start - base, toks[i + 1].end - base + 1, "("), *row]
            if commas:  # row_to_json(r, pretty): the engine's layout of the json
                edits.append((toks[first].start - base, toks[first].start - base, "pg_json_pretty_row(CAST("))
                # (the comma closes the row's json: row_to_json(r) / (row) AS VARCHAR)
                edits.append((toks[end].start - base, toks[end].end - base + 1, ") AS VARCHAR),"))
            continue
        if name == "to_jsonb" and not _top_commas(toks, i + 1, close):
            edits += _row_constructor(toks, i + 2, close - 1, base)
        before = toks[first - 1].token_type if first > 0 else None
        in_from = before in (TokenType.FROM, TokenType.JOIN, TokenType.COMMA, TokenType.LATERAL) and _in_from(
            toks, first
        )
        head, tail = (_IN_FROM if in_from else _WRAPPED).get(name, (None, None))
        if head is None or tail is None:
            continue
        ordinality = (
            in_from
            and close + 2 < len(toks)
            and toks[close + 1].text.lower() == "with"
            and toks[close + 2].text.lower() == "ordinality"
        )
        if ordinality:  # ... WITH ORDINALITY: a column ordinality (1, 2, ...), as PostgreSQL adds
            head, tail = _with_ordinality(name)
            edits.append((toks[close + 1].start - base, toks[close + 2].end - base + 1, ""))
        edits.append((toks[first].start - base, toks[i + 1].end - base + 1, head))
        edits.append((toks[close].start - base, toks[close].end - base + 1, tail))
    return edits


def _with_ordinality(name: str) -> tuple[str, str]:
    """FROM f(x) WITH ORDINALITY of the functions of _IN_FROM: their columns, and ordinality (int8)
    from the list's subscripts (the list computed once). The names the engine reads a jsonb
    value by (engine.declared: __jsonb_each.value, unnest(__jsonb_elements))."""
    fn = f"pg_{name}"
    if name.endswith(("_each", "_each_text")):
        row = "__jsonb_each" if name.startswith("jsonb") else "__json_each"
        return (
            f"(SELECT {row}.key AS key, {row}.value AS value, __n AS ordinality FROM (SELECT unnest(__l) AS {row},"
            f" generate_subscripts(__l, 1) AS __n FROM (SELECT {fn}(CAST(",
            " AS VARCHAR)) AS __l)))",
        )
    column = "jsonb_object_keys" if name == "jsonb_object_keys" else "value"
    items = "__jsonb_elements" if name == "jsonb_array_elements" else "__l"
    return (
        f"(SELECT unnest({items}) AS {column}, generate_subscripts({items}, 1) AS ordinality FROM (SELECT {fn}(CAST(",
        f" AS VARCHAR)) AS {items}))",
    )


# PostgreSQL's set-returning functions of one column that is no composite: their alias in FROM,
# as a value, is that column (SELECT to_json(t) FROM generate_series(1, 2) t(x) is 1, 2), and the
# name of the column where the alias gives none and it is not the alias's own
_SCALAR_SETS = frozenset({
    "generate_series", "generate_subscripts", "unnest", "regexp_split_to_table", "string_to_table",
    "json_array_elements", "json_array_elements_text", "jsonb_array_elements", "jsonb_array_elements_text",
    "json_object_keys", "jsonb_object_keys",
})  # fmt: skip
_VALUE_COLUMN = {n: "value" for n in _SCALAR_SETS if "_array_elements" in n}
_VALUE_COLUMN["jsonb_object_keys"] = "jsonb_object_keys"  # (_IN_FROM's column)
# what writes a row it is given as json (a record's fields; a scalar's value)
_ROW_TAKERS = frozenset({
    "to_json", "to_jsonb", "row_to_json", "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg",
    "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array",
})  # fmt: skip


def _alias_key(text: str, t: Token, base: int) -> str:
    raw = text[t.start - base : t.end - base + 1]
    return raw if raw.startswith('"') else raw.lower()


def scalar_function_rows(text: str, toks: Sequence[Token]) -> list[Edit]:
    """to_json(t), json_agg(t), json_build_object('k', t), ... of t, the alias of a set-returning
    function of one column in FROM (generate_series(1, 2) AS t(x), jsonb_array_elements(j) t):
    PostgreSQL's t is the column's value there (1, not {"x":1}); DuckDB's is the row. t -> t.x.
    (Run on the client's text, before the translations: json_agg's reads its argument's type.)"""
    if not toks or not any(t.text.lower() in _ROW_TAKERS for t in toks):
        return []  # the one cheap look for other statements
    base, n = toks[0].start, len(toks)
    columns: dict[str, str] = {}
    defined: set[int] = set()
    for i, t in enumerate(toks[:-1]):
        name = t.text.lower()
        if name not in _SCALAR_SETS or toks[i + 1].token_type != TokenType.L_PAREN:
            continue
        first = i - 2 if i >= 2 and toks[i - 1].token_type == TokenType.DOT else i
        if first == 0 or toks[first - 1].token_type not in (TokenType.FROM, TokenType.JOIN, TokenType.COMMA,
                                                             TokenType.LATERAL) or not _in_from(toks, first):  # fmt: skip
            continue
        close = _close_of(toks, i + 1)
        if close is None or (name == "unnest" and _top_commas(toks, i + 1, close)):
            continue  # (unnest of several arrays: a row of several columns)
        k = close + 1
        if k < n and toks[k].text.lower() == "with":
            continue  # WITH ORDINALITY: a row of two columns
        if k < n and toks[k].token_type == TokenType.ALIAS:
            k += 1
        if k >= n or toks[k].token_type not in _NAMEISH:
            continue
        if k + 1 < n and toks[k + 1].token_type == TokenType.L_PAREN:
            if _close_of(toks, k + 1) != k + 3 or toks[k + 2].token_type not in _NAMEISH:
                continue
            column = text[toks[k + 2].start - base : toks[k + 2].end - base + 1]
        elif name in _VALUE_COLUMN:
            column = _VALUE_COLUMN[name]
        else:
            continue  # (its column is the alias's name: t is the value already)
        columns[_alias_key(text, toks[k], base)] = column
        defined.add(k)
    if not columns:
        return []
    edits: list[Edit] = []
    for j in range(1, n - 1):
        t = toks[j]
        if j in defined or t.token_type not in _NAMEISH:
            continue
        column = columns.get(_alias_key(text, t, base))
        if column is None or toks[j - 1].token_type not in (TokenType.L_PAREN, TokenType.COMMA):
            continue
        if toks[j + 1].token_type not in (TokenType.R_PAREN, TokenType.COMMA, TokenType.ORDER_BY):
            continue
        o = _open_of(toks, j + 1) if toks[j + 1].token_type == TokenType.R_PAREN else None
        if o is None:  # (followed by a comma or ORDER BY: the call's parenthesis before it)
            depth = 0
            for q in range(j - 1, -1, -1):
                tt = toks[q].token_type
                if tt in _CLOSE:
                    depth += 1
                elif tt in _OPEN:
                    if depth == 0:
                        o = q
                        break
                    depth -= 1
        if o is None or o == 0 or toks[o - 1].text.lower() not in _ROW_TAKERS:
            continue
        edits.append(
            (t.start - base, t.end - base + 1, f"{text[t.start - base : t.end - base + 1]}.{column}")
        )
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
    """The last token of the primary expression that starts at token i, with its unary signs and
    casts: a literal, a typed literal (date '...'), a name (a.b.c), a parameter, a parenthesised
    expression, CASE ... END, a call or ARRAY[...] (a call with its FILTER (...) or OVER (...) /
    OVER w). None where no operand starts there (an operator, a keyword, a closing parenthesis)."""
    n = len(toks)
    if i >= n:
        return None
    tt = toks[i].token_type
    if tt in (TokenType.DASH, TokenType.PLUS):
        return operand_end(toks, i + 1)  # unary
    if tt == TokenType.CASE:
        end = _case_end(toks, i)
    elif toks[i].text.lower() in _TYPED_LITERALS and i + 1 < n and toks[i + 1].token_type == TokenType.STRING:
        end = i + 1
    elif tt in _OPS or tt in _ARITH or tt in _CLOSE or (tt in _LEFT_OK and tt not in _OPEN):
        return None
    elif tt == TokenType.PARAMETER and i + 1 < n and toks[i + 1].token_type == TokenType.NUMBER:
        end = i + 1
    elif tt in _OPEN:
        end = _close_of(toks, i)
    elif tt == TokenType.ARRAY or ((tt in _NAMEISH or toks[i].text.isidentifier()) and i + 1 < n
                                   and toks[i + 1].token_type in _OPEN):  # fmt: skip
        end = _close_of(toks, i + 1)  # ARRAY[...], f(...)
        # an aggregate's FILTER (...) and a window function's OVER (...) / OVER w belong to the call
        while end is not None and end + 1 < n and toks[end + 1].text.lower() in ("filter", "over"):
            if end + 2 < n and toks[end + 2].token_type == TokenType.L_PAREN:
                end = _close_of(toks, end + 2)
            elif end + 2 < n and toks[end + 1].text.lower() == "over":
                end += 2
            else:
                return None
    elif (
        tt in (TokenType.STRING, TokenType.NUMBER, TokenType.NULL)
        or tt in _NAMEISH
        or toks[i].text.isidentifier()
    ):
        end = i
        while end + 2 < n and toks[end + 1].token_type == TokenType.DOT:
            end += 2
    else:
        return None
    return None if end is None else _casts(toks, end)


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
    TokenType.HASH_DASH: ("pg_jsonb_delete_path", "path"),
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
    jsonb's when an operand shows it (a jsonb cast or function, a JSON literal). And jsonb - x."""
    edits: list[Edit] = jsonb_minus(text, toks, base)
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
        if kind == "path":  # a list, or PostgreSQL's array text: as JSON (engine.jsonb._path_steps)
            right, close = "CAST(to_json(", ") AS VARCHAR))"
        else:
            right = "CAST(" if kind != "text[]" else _array_operand(toks, i + 1, hi)
            close = " AS VARCHAR))" if kind != "text[]" else _array_close(toks, i + 1, hi)
        # "(" first: a zero-width insert at the same place as a jsonb cast's sorts before it (outside)
        edits.append((toks[lo].start - base, toks[lo].start - base, f"({fn}(CAST("))
        edits.append((t.start - base, t.end - base + 1, f" AS VARCHAR), {right}"))
        edits.append((toks[hi].end - base + 1, toks[hi].end - base + 1, close + ")"))
    return edits


_JSONB_VALUED = frozenset({"jsonb_build_object", "jsonb_build_array", "to_jsonb", "jsonb_agg", "jsonb_object_agg",
                           "jsonb_strip_nulls", "jsonb_set", "jsonb_insert"})  # fmt: skip


def _jsonb_valued(text: str, toks: Sequence[Token], lo: int, hi: int, base: int) -> bool:
    """Whether tokens lo..hi are a jsonb value to the eye: x::jsonb, CAST(x AS jsonb), jsonb 'x',
    a function returning jsonb (not jsonb_array_length(x) - 1)."""
    last = toks[hi]
    if _is_jsonb(text, last, base) and hi > lo and toks[hi - 1].token_type == TokenType.DCOLON:
        return True
    first = toks[lo].text.lower()
    if hi == lo + 1 and _is_jsonb(text, toks[lo], base) and last.token_type == TokenType.STRING:
        return True
    call = hi > lo and toks[lo + 1].token_type == TokenType.L_PAREN and _close_of(toks, lo + 1) == hi
    if call and first in ("cast", "try_cast"):
        return _is_jsonb(text, toks[hi - 1], base)
    return call and first in _JSONB_VALUED


_JSON_VALUED = frozenset({"to_json", "row_to_json", "array_to_json", "json_build_object", "json_build_array",
                          "json_agg", "json_object_agg"})  # fmt: skip
# functions of json only and of jsonb only (PostgreSQL has no cast between them it would apply)
_OF_JSON = frozenset({"json_each", "json_each_text", "json_array_elements", "json_array_elements_text",
                      "json_array_length", "json_object_keys", "json_typeof", "json_extract_path",
                      "json_extract_path_text", "json_strip_nulls"})  # fmt: skip
_OF_JSONB = frozenset({"jsonb_each", "jsonb_each_text", "jsonb_array_elements", "jsonb_array_elements_text",
                       "jsonb_array_length", "jsonb_object_keys", "jsonb_typeof", "jsonb_extract_path",
                       "jsonb_extract_path_text", "jsonb_strip_nulls", "jsonb_pretty", "jsonb_set",
                       "jsonb_insert"})  # fmt: skip


def _shown_type(text: str, toks: Sequence[Token], lo: int, hi: int, base: int) -> str | None:
    """jsonb, json or text where tokens lo..hi show it (a cast to it, a function returning it)."""
    if _jsonb_valued(text, toks, lo, hi, base):
        return "jsonb"
    last, first = toks[hi].text.lower(), toks[lo].text.lower()
    cast = hi > lo and toks[hi - 1].token_type == TokenType.DCOLON and text[toks[hi].start - base] != '"'
    call = hi > lo + 1 and toks[lo + 1].token_type == TokenType.L_PAREN and _close_of(toks, lo + 1) == hi
    if cast and last in ("json", "text"):
        return last
    if call and first in ("cast", "try_cast") and toks[hi - 1].text.lower() in ("json", "text"):
        return toks[hi - 1].text.lower()
    return "json" if call and first in _JSON_VALUED else None


def argument_refusal(text: str, toks: Sequence[Token]) -> tuple[str, str] | None:
    """json_each(x::jsonb), jsonb_typeof(x::json), json_array_length(x::text), ...: PostgreSQL's
    42883 where the first argument shows a type the function does not take (the engine's
    functions read any text: they would answer)."""
    if not toks or not any(t.text.lower() in _OF_JSON or t.text.lower() in _OF_JSONB for t in toks):
        return None  # the one cheap look for other statements
    base = toks[0].start
    for i, t in enumerate(toks[:-1]):
        name = t.text.lower()
        if toks[i + 1].token_type != TokenType.L_PAREN or (name not in _OF_JSON and name not in _OF_JSONB):
            continue
        if i > 0 and toks[i - 1].token_type == TokenType.DOT and toks[i - 2].text.lower() != "pg_catalog":
            continue
        close = _close_of(toks, i + 1)
        if close is None or close == i + 2:
            continue
        commas = _top_commas(toks, i + 1, close)
        shown = _shown_type(text, toks, i + 2, (commas[0] if commas else close) - 1, base)
        wanted = "json" if name in _OF_JSON else "jsonb"
        if shown is not None and shown != wanted:
            more = ", ..." if commas else ""
            return "42883", f"function {name}({shown}{more}) does not exist"
    return None


def shows_jsonb(expression: str) -> bool:
    """Whether an expression's text is a jsonb to the eye (x::jsonb, a jsonb function's call)."""
    text = expression.strip()
    toks = tokenize(text)
    return bool(toks) and _jsonb_valued(text, toks, 0, len(toks) - 1, toks[0].start)


def jsonb_minus(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """'{"a": 1}'::jsonb - 'a' / - 1 / - ARRAY['a']: the engine's jsonb - text / integer / text[]
    where the operand before - shows jsonb (a cast, a jsonb function); the right operand goes as
    to_json writes it, which tells the three apart. Other operands: dispatch() below."""
    edits: list[Edit] = []
    for i, t in enumerate(toks):
        if t.token_type != TokenType.DASH or i == 0 or toks[i - 1].token_type in _ARITH:
            continue
        lo = operand_start(toks, i)
        hi = operand_end(toks, i + 1)
        if lo is None or hi is None or not _jsonb_valued(text, toks, lo, i - 1, base):
            continue
        if hi + 1 < len(toks) and toks[hi + 1].token_type in (TokenType.STAR, TokenType.SLASH, TokenType.MOD,
                                                              TokenType.CARET, TokenType.DOT):  # fmt: skip
            continue
        if lo > 0 and toks[lo - 1].token_type in _ARITH:
            continue  # x * '{}'::jsonb - 'a': not jsonb's operand alone
        edits.append((toks[lo].start - base, toks[lo].start - base, "(pg_jsonb_minus(CAST("))
        edits.append((t.start - base, t.end - base + 1, " AS VARCHAR), CAST(to_json("))
        edits.append((toks[hi].end - base + 1, toks[hi].end - base + 1, ") AS VARCHAR)))"))
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


# ---------------------------------------------------------------- ||, - and @> by their operands' types
# PostgreSQL picks jsonb's ||, - and @> by the operands' types, which the tokens show only for a
# jsonb cast or function. The others go to the engine's typed macros (engine.jsonb: DuckDB's
# binder picks the overload by each operand's type), on the text the rewrites above have made:
# jsonb's || and - where an operand is jsonb, DuckDB's own operator otherwise. An operand is
# classified here when its tokens show its type; J, T, L, O, X, U below (engine.jsonb's letters).

_J, _T, _L, _O, _X, _U, _S = "J", "T", "L", "O", "X", "U", "S"  # (S: json, engine.jsonb.JSON)
_ARITH = frozenset(
    {TokenType.PLUS, TokenType.DASH, TokenType.STAR, TokenType.SLASH, TokenType.MOD, TokenType.CARET}
)
# the operators of || 's precedence (PostgreSQL's "any other operator"), left-associative
_OPS = frozenset({
    TokenType.DPIPE, TokenType.ARROW, TokenType.DARROW, TokenType.HASH_ARROW, TokenType.DHASH_ARROW,
    TokenType.AT_GT, TokenType.LT_AT, TokenType.PLACEHOLDER, TokenType.QMARK_PIPE, TokenType.QMARK_AMP,
    TokenType.HASH_DASH,
})  # fmt: skip
# what may stand just before an operand of ||: an expression starts there
_LEFT_OK = frozenset({
    TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.COMMA, TokenType.SELECT, TokenType.WHERE, TokenType.AND,
    TokenType.OR, TokenType.NOT, TokenType.THEN, TokenType.ELSE, TokenType.WHEN, TokenType.CASE, TokenType.EQ,
    TokenType.NEQ, TokenType.LT, TokenType.GT, TokenType.LTE, TokenType.GTE, TokenType.SET, TokenType.RETURNING,
    TokenType.ON, TokenType.HAVING, TokenType.ORDER_BY, TokenType.GROUP_BY, TokenType.DISTINCT, TokenType.LIKE,
    TokenType.ILIKE, TokenType.IS, TokenType.BETWEEN, TokenType.SEMICOLON, TokenType.LIMIT, TokenType.OFFSET,
    TokenType.COLON_EQ, TokenType.ESCAPE, TokenType.SIMILAR_TO,
})  # fmt: skip
# what may not follow an operand (it binds tighter than ||, or the reading went wrong): leave it
_RIGHT_BAD = frozenset({
    TokenType.COLLATE, TokenType.DOT, TokenType.STRING, TokenType.NUMBER, TokenType.PARAMETER, TokenType.L_PAREN,
    TokenType.L_BRACKET, TokenType.WINDOW, TokenType.FILTER,
})  # fmt: skip
_RIGHT_BAD_WORDS = frozenset({"at", "over", "filter", "within"})
_TYPED_LITERALS = frozenset(
    {"date", "time", "timestamp", "timestamptz", "interval", "timetz", "uuid", "bytea"}
)
# engine functions (pass 1) whose result is jsonb
_JSONB_RESULT = frozenset({
    "pg_jsonb", "pg_jsonb_path", "pg_jsonb_concat", "pg_jsonb_chain", "pg_jsonb_minus", "pg_jsonb_delete_path",
    "pg_jsonb_set", "pg_jsonb_insert",
})  # fmt: skip
# PostgreSQL json (not jsonb) values: json has no ||, json || 'x' is text
_JSON_RESULT = frozenset({"json_object", "json_array", "to_json", "json_group_array", "json_group_object",
                          "row_to_json", "array_to_json", "json", "pg_json_build_object",
                          "pg_json_build_array"})  # fmt: skip
_TEXT_TYPES = frozenset({"text", "varchar", "char", "bpchar", "name", "character", "string"})
# aggregates: DuckDB does not type an aggregate when it picks a macro's overload
_AGGREGATES = frozenset({
    "count", "sum", "avg", "min", "max", "string_agg", "array_agg", "list", "group_concat", "listagg",
    "json_group_array", "json_group_object", "first", "last", "any_value", "arbitrary", "bool_and", "bool_or",
    "every", "bit_and", "bit_or", "bit_xor", "median", "mode", "quantile", "quantile_cont", "quantile_disc",
    "percentile_cont", "percentile_disc", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop",
    "var_samp", "arg_max", "arg_min", "argmax", "argmin", "max_by", "min_by", "histogram", "count_if",
    "product", "favg", "fsum", "kurtosis", "skewness", "entropy", "corr", "covar_pop", "covar_samp",
    "approx_count_distinct", "approx_quantile", "xmlagg", "__pg_sum", "__pg_sum_distinct", "__pg_wsum", "__pg_avg",
    "__pg_avg_distinct", "regr_slope", "regr_intercept", "regr_count", "regr_r2", "regr_avgx", "regr_avgy",
    "regr_sxx", "regr_syy", "regr_sxy", "bitstring_agg", "list_agg",
})  # fmt: skip
_CANDIDATES = frozenset({TokenType.DPIPE, TokenType.AT_GT, TokenType.LT_AT})


def candidates(toks: Sequence[Token]) -> bool:
    """One look at a statement's tokens: whether it has a ||, @>, <@, or a - before a string,
    a parameter or an array, or between a name and an integer (jsonb - text / text[] / integer)."""
    n = len(toks)
    for i, t in enumerate(toks):
        tt = t.token_type
        if tt in _CANDIDATES:
            return True
        if (
            tt == TokenType.DASH
            and i + 1 < n
            and (
                toks[i + 1].token_type in (TokenType.STRING, TokenType.PARAMETER, TokenType.ARRAY)
                or (_in_query(toks) and toks[i - 1].token_type in _NAMEISH and _integer_after(toks, i))
            )
        ):
            return True
    return False


def reads_catalog(toks: Sequence[Token]) -> bool:
    """Whether a statement names a catalog relation or function (pg_..., information_schema)."""
    return any(t.text.lower().startswith("pg_") or t.text.lower() == "information_schema" for t in toks)


def _casts(toks: Sequence[Token], end: int) -> int | None:
    while end + 2 < len(toks) and toks[end + 1].token_type == TokenType.DCOLON:
        end += 2
        if end + 1 < len(toks) and toks[end + 1].token_type in _OPEN:
            c = _close_of(toks, end + 1)
            if c is None:
                return None
            end = c
    return end


def _case_end(toks: Sequence[Token], i: int) -> int | None:
    depth = 0
    for j in range(i, len(toks)):
        tt = toks[j].token_type
        if tt == TokenType.CASE:
            depth += 1
        elif tt == TokenType.END:
            depth -= 1
            if depth == 0:
                return j
    return None


def _operand_end(toks: Sequence[Token], i: int) -> int | None:
    """The last token of the operand of || (or @>) that starts at i: primaries (operand_end)
    joined by arithmetic, which binds tighter."""
    e = operand_end(toks, i)
    while e is not None and e + 2 < len(toks) and toks[e + 1].token_type in _ARITH:
        e = operand_end(toks, e + 2)
    return e


_NOT_CALLS = frozenset({TokenType.IN, TokenType.EXISTS, TokenType.VALUES, TokenType.FROM, TokenType.JOIN,
                        TokenType.ANY, TokenType.ALL, TokenType.SOME, TokenType.ALIAS})  # fmt: skip


def _primary_start(toks: Sequence[Token], d: int) -> int | None:
    s = operand_start(toks, d)
    if s is None:
        return None
    if toks[s].text.lower() in ("over", "filter"):  # f(x) OVER (...), agg(x) FILTER (...)
        return _primary_start(toks, s)
    if s > 0 and toks[s - 1].text.lower() == "over" and toks[s].token_type in _NAMEISH:
        return _primary_start(toks, s - 1)  # f(x) OVER w
    keyword = toks[s].token_type in _LEFT_OK or toks[s].token_type in _NOT_CALLS
    if keyword and toks[s].token_type not in _OPEN:
        s += 1  # SELECT (subquery), IN (list): a keyword and a parenthesis, not a call
    if toks[s].token_type == TokenType.END:  # CASE ... END
        depth = 0
        for j in range(s, -1, -1):
            tt = toks[j].token_type
            if tt == TokenType.END:
                depth += 1
            elif tt == TokenType.CASE:
                depth -= 1
                if depth == 0:
                    return j
        return None
    if s > 0 and toks[s].token_type == TokenType.STRING and toks[s - 1].text.lower() in _TYPED_LITERALS:
        return s - 1
    return s


def _left_start(toks: Sequence[Token], op: int, ok: frozenset[TokenType], arrows: bool) -> int | None:
    """The first token of the left operand of the operator at op: back through arithmetic (and
    through -> chains when arrows: the same precedence, from the left); ok: where it may start."""
    p = op
    while True:
        s = _primary_start(toks, p)
        if s is None:
            return None
        if (
            s > 0
            and toks[s - 1].token_type in (TokenType.DASH, TokenType.PLUS)
            and (s == 1 or toks[s - 2].token_type in ok or toks[s - 2].token_type in _ARITH)
        ):
            s -= 1  # unary minus
        if s > 0 and (
            toks[s - 1].token_type in _ARITH
            or (arrows and toks[s - 1].token_type in (TokenType.ARROW, TokenType.DARROW))
        ):
            p = s - 1
            continue
        if s == 0 or toks[s - 1].token_type in ok:
            return s
        return None


def _right_ok(toks: Sequence[Token], j: int) -> bool:
    """Whether an operand may end just before token j."""
    if j >= len(toks):
        return True
    t = toks[j]
    return t.token_type not in _RIGHT_BAD and t.text.lower() not in _RIGHT_BAD_WORDS


def _classify(toks: Sequence[Token], lo: int, hi: int) -> str:
    """An operand's class as its tokens show it (U: only DuckDB's binder can tell)."""
    first = toks[lo]
    if first.token_type == TokenType.L_PAREN and hi > lo + 1 and _close_of(toks, lo) == hi:
        inner = _classify(toks, lo + 1, hi - 1)  # (x): x's
        if inner in (_J, _T, _O, _X, _S) or toks[lo + 1].token_type not in (TokenType.SELECT, TokenType.WITH):
            return inner if inner != _L else _U
    if lo == hi:
        if first.token_type in (
            TokenType.STRING,
            TokenType.NULL,
            TokenType.BYTE_STRING,
            TokenType.NATIONAL_STRING,
        ):
            return _L
        if first.token_type in (TokenType.NUMBER, TokenType.HEX_STRING, TokenType.BIT_STRING, TokenType.TRUE,
                                TokenType.FALSE):  # fmt: skip
            return _O
    if hi == lo + 1 and first.token_type == TokenType.PARAMETER and toks[hi].token_type == TokenType.NUMBER:
        return _L  # an untyped parameter: PostgreSQL's unknown, as a literal
    name = first.text.lower()
    call = lo + 1 <= hi and toks[lo + 1].token_type == TokenType.L_PAREN and _close_of(toks, lo + 1) == hi
    if call and name in _JSONB_RESULT:
        return _J
    if call and name in _JSON_RESULT:
        return _S
    if call and name in ("cast", "try_cast") and hi - 1 > lo and toks[hi - 1].text.lower() in _TEXT_TYPES:
        return _T
    if call and name in ("cast", "try_cast") and hi - 1 > lo and toks[hi - 1].text.lower() == "json":
        return _S
    if hi - 1 > lo and toks[hi - 1].token_type == TokenType.DCOLON:
        kind = toks[hi].text.lower()
        if kind in _TEXT_TYPES:
            return _T
        if kind == "json":
            return _S
        if kind != "jsonb":
            return _O  # ::int, ::bytea, ...
    if (
        toks[hi].token_type == TokenType.R_BRACKET
        and hi - 2 > lo
        and toks[hi - 3].token_type == TokenType.DCOLON
    ):
        return _O  # ::type[]
    if first.token_type in (TokenType.ARRAY, TokenType.L_BRACKET) and operand_end(toks, lo) == hi:
        return _O
    j = lo
    while j <= hi:
        t = toks[j]
        tt = t.token_type
        if (
            tt == TokenType.L_PAREN
            and j + 1 <= hi
            and toks[j + 1].token_type in (TokenType.SELECT, TokenType.WITH)
        ):
            c = _close_of(toks, j)
            if c is None:
                return _X
            j = c + 1  # a subquery is typed whatever it holds
            continue
        if tt == TokenType.PARAMETER or t.text.lower() in ("over", "filter", "within"):
            return _X
        if t.text.lower() in _AGGREGATES and j + 1 <= hi and toks[j + 1].token_type == TokenType.L_PAREN:
            return _X
        j += 1
    return _U


class _Node:
    """An operator whose meaning depends on its operands' types, over tokens lo..hi."""

    def __init__(self, kind: str, lo: int, hi: int, operands: list[tuple[int, int]]) -> None:
        self.kind, self.lo, self.hi, self.operands = kind, lo, hi, operands
        self.fold: str | None = None  # a chain of || the macros take: the expression of its class


# what may follow the - of jsonb - text / text[] (an integer index: see _integer_after)
_MINUS_RIGHT = frozenset({TokenType.STRING, TokenType.PARAMETER, TokenType.ARRAY, TokenType.L_BRACKET})


def _integer_after(toks: Sequence[Token], i: int) -> bool:
    """Whether an integer literal (signed or not) follows the - at i: jsonb - integer deletes an
    array element; a column's x - 1 goes through the engine's macro, which keeps DuckDB's own -
    for every type but JSON."""
    j = i + 1
    if j < len(toks) and toks[j].token_type in (TokenType.DASH, TokenType.PLUS):
        j += 1
    return j < len(toks) and toks[j].token_type == TokenType.NUMBER and toks[j].text.isdigit()


# statements whose expressions may hold a column's - integer (not MOVE -2 FROM c, FETCH ...)
_QUERIES = frozenset({TokenType.SELECT, TokenType.WITH, TokenType.INSERT, TokenType.UPDATE, TokenType.DELETE,
                      TokenType.VALUES, TokenType.L_PAREN, TokenType.CREATE})  # fmt: skip


def _in_query(toks: Sequence[Token]) -> bool:
    return bool(toks) and toks[0].token_type in _QUERIES


def _column(toks: Sequence[Token], lo: int, hi: int) -> bool:
    """Whether tokens lo..hi are a column reference: a name, or names joined by dots."""
    return (hi - lo) % 2 == 0 and all(
        (toks[k].token_type in _NAMEISH or toks[k].text.isidentifier())
        if (k - lo) % 2 == 0
        else toks[k].token_type == TokenType.DOT
        for k in range(lo, hi + 1)
    )


def _nodes(toks: Sequence[Token]) -> list[_Node]:
    nodes: list[_Node] = []
    used: set[int] = set()
    n = len(toks)
    minus_ok = _LEFT_OK | _OPS
    for i, t in enumerate(toks):
        tt = t.token_type
        if tt == TokenType.DPIPE and i not in used:
            lo = _left_start(toks, i, _LEFT_OK, arrows=True)
            if lo is None:
                continue
            operands, j = [(lo, i - 1)], i
            while j < n and toks[j].token_type == TokenType.DPIPE:
                used.add(j)
                e = _operand_end(toks, j + 1)
                if e is None:
                    break
                operands.append((j + 1, e))
                j = e + 1
            if j < n and toks[j].token_type == TokenType.DPIPE or not _right_ok(toks, j):
                continue  # an operand it could not read: left as it is
            nodes.append(_Node("cat", lo, j - 1, operands))
        elif tt in (TokenType.AT_GT, TokenType.LT_AT):
            lo = _left_start(toks, i, _LEFT_OK, arrows=True)
            e = _operand_end(toks, i + 1)
            if lo is None or e is None or not _right_ok(toks, e + 1):
                continue
            if e + 1 < n and toks[e + 1].token_type in _OPS:
                continue  # (a @> b) || c: left as it is
            kind = "contains" if tt == TokenType.AT_GT else "contained"
            nodes.append(_Node(kind, lo, e, [(lo, i - 1), (i + 1, e)]))
        elif (
            tt == TokenType.DASH
            and i + 1 < n
            and (toks[i + 1].token_type in _MINUS_RIGHT or _integer_after(toks, i))
            and i > 0
            and toks[i - 1].token_type not in minus_ok
            and toks[i - 1].token_type not in _ARITH
        ):
            lo = _left_start(toks, i, minus_ok, arrows=False)
            e = operand_end(toks, i + 1)
            if lo is None or e is None or not _right_ok(toks, e + 1):
                continue
            if toks[i + 1].token_type not in _MINUS_RIGHT and not (
                _column(toks, lo, i - 1) and _in_query(toks)
            ):
                continue  # x - 1: only a column can be jsonb there (an expression shows its type)
            if e + 1 < n and toks[e + 1].token_type in (
                TokenType.STAR,
                TokenType.SLASH,
                TokenType.MOD,
                TokenType.CARET,
            ):
                continue
            nodes.append(_Node("minus", lo, e, [(lo, i - 1), (i + 1, e)]))
    # properly nested only: a node overlapping an earlier one in part is left as it is
    kept: list[_Node] = []
    for nd in sorted(nodes, key=lambda x: (x.lo, -x.hi)):
        if all(nd.hi < k.lo or nd.lo > k.hi or (k.lo <= nd.lo and nd.hi <= k.hi) for k in kept):
            kept.append(nd)
    return kept


# engine.errors reads "DuckCDB <SQLSTATE>: message\nhint"
_VIEW_REFUSAL = (
    "DuckCDB 0A000: || of a jsonb column in a view is not supported\n"
    "Cast the operands in the view's definition (x::jsonb || y::jsonb), or concatenate in the query"
)


def _witness(cls: str, text: str) -> str:
    return f"__pg_jcls({text})" if cls == _U else f"__pg_j{cls}()"


def _emit_node(
    nd: _Node,
    classes: list[str],
    texts: list[str],
    macros: bool,
    known: list[str | None] | None = None,
    lazy: bool = False,
    parameter: bool = False,
    bare: bool = False,
) -> str | None:
    """The node's replacement, or None to leave the operator as it is. known: for an operand
    that is itself a chain of || the macros take, its class (that chain's fold) to use rather
    than classifying its text (which would copy it once more at each level); parameter: whether
    an operand of - holds one, bare: whether its right operand is one alone ($1)."""
    if nd.kind == "cat":
        if _U not in classes and _J not in classes and _S not in classes:
            return None
        parts = "[" + ", ".join(f"CAST({t} AS VARCHAR)" for t in texts) + "]"
        if _U not in classes and _S in classes:
            # json: json || json (or jsonb, integer) is no operator (engine.jsonb.chain's error),
            # json || text is text with json's own text
            return f"pg_jsonb_chain_text('{''.join(classes)}', {parts})"
        if _U not in classes and all(c in (_J, _L) for c in classes):
            return f"pg_jsonb_chain('{''.join(classes)}', {parts})"
        native = " || ".join(f"({t})" for t in texts)
        if not macros:
            if _U not in classes:
                return None
            # a view: its query runs in sessions that may lack the macros. A JSON operand the
            # tokens do not show is refused when the view is read, never concatenated as text.
            seen = " OR ".join(
                f"typeof({t}) = 'JSON'" for c, t in zip(classes, texts, strict=True) if c == _U
            )
            refusal = _VIEW_REFUSAL.replace("'", "''")
            return f"(CASE WHEN {seen} THEN error('{refusal}') ELSE {native} END)"
        ws = [
            k if k is not None else _witness(c, t)
            for c, t, k in zip(classes, texts, known or [None] * len(texts), strict=True)
        ]
        nd.fold = ws[0]
        fold = ws[0]
        for w in ws[1:]:
            fold = f"__pg_jfold({fold}, {w})"
        spec = ", ".join(
            f"__pg_jletter({w})" if c == _U else f"'{c}'" for c, w in zip(classes, ws, strict=True)
        )
        nd.fold = fold
        # (the text concatenation: a float, interval or date operand written as PostgreSQL's ||
        # writes it, engine.pgmath's __pg_cat; any other as it is)
        native = " || ".join(
            f"{PG_CONCAT_OPERAND}({t}, {t})" if _COLUMN_OPERAND.match(t) else f"({t})" for t in texts
        )
        return f"{_lazy('__pg_jpick', lazy)}({fold}, {native}, concat({spec}), {parts})"
    if nd.kind == "minus":
        (lc, _), (lt, rt) = classes, texts
        if lc == _J:
            return f"pg_jsonb_minus(CAST({lt} AS VARCHAR), CAST(to_json({rt}) AS VARCHAR))"
        if lc != _U or not macros:
            return None
        if parameter and not bare:  # (DuckDB cannot pick a typed overload for it: DuckDB's own -)
            return f"{_lazy('__pg_jminus', lazy)}({_witness(lc, lt)}, {lt}, {rt})"
        # x, y twice: the - of other operands is picked by the first pair, as any other - is
        # (engine.pgmath.arithmetic_overloads: a float's overflow is 22003), computed from the
        # second; x - $1 by x twice (pgcompat.result_types.picked_by: $1 takes x's type)
        pick = lt if bare else rt
        return f"{_lazy('__pg_jminus', lazy)}({_witness(lc, lt)}, {lt}, {pick}, {lt}, {rt})"
    # contains / contained: pass 1 took those with a jsonb operand in sight
    if _U not in classes or not macros:
        return None
    (ac, bc), (at, bt) = classes, texts
    if nd.kind == "contained":
        (ac, bc), (at, bt) = (bc, ac), (bt, at)
    return f"{_lazy('__pg_jcontains', lazy)}({_witness(ac, at)}, {_witness(bc, bt)}, ({at}), ({bt}))"


# an operand of || that __pg_cat takes: a column (t.c, "C"), whose type DuckDB knows when it
# picks the macro's overload (not a parameter, a window's or an aggregate's value)
_COLUMN_OPERAND = re.compile(
    r'^\s*(?:(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\.)*(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s*$'
)


def _lazy(name: str, lazy: bool) -> str:
    """__pg_jpick -> __pg_jlpick (engine.jsonb's lazy family) where only a column can be JSON."""
    return "__pg_jl" + name[len("__pg_j") :] if lazy else name


def dispatch(sql: str, toks: Sequence[Token] | None = None) -> str:
    """||, - and @> / <@ as PostgreSQL means them for jsonb operands (see above). sql: the
    statement as the other rewrites made it; toks: its tokens when the caller has them."""
    toks = tokenize(sql) if toks is None else toks
    if not toks:
        return sql
    macros = True
    if toks[0].text.upper() in ("CREATE", "ALTER"):
        if not defines_by_query(toks):
            return sql  # a DEFAULT, CHECK or generated column keeps DuckDB's operators
        # a view's query runs in other sessions, which may not have the macros: only what the
        # tokens show is rewritten there (README)
        macros = not any(t.token_type == TokenType.VIEW for t in toks[:8])
    nodes = _nodes(toks)
    if not nodes:
        return sql
    # nothing JSON in the text (no cast, function or literal: pass 1 made those pg_jsonb...):
    # only a JSON column can make an operand jsonb, which the engine knows (engine.jsonb.LAZY)
    lazy = not any("json" in t.text.lower() for t in toks)
    base = toks[0].start
    by_start: dict[int, list[_Node]] = {}
    for nd in nodes:
        by_start.setdefault(nd.lo, []).append(nd)

    def emit(lo: int, hi: int, skip: _Node | None = None) -> str:
        out, pos, k = [], toks[lo].start - base, lo
        while k <= hi:
            inner = [nd for nd in by_start.get(k, []) if nd.hi <= hi and nd is not skip]
            if inner:
                nd = max(inner, key=lambda x: x.hi)
                out.append(sql[pos : toks[k].start - base])
                out.append(emit_node(nd))
                pos, k = toks[nd.hi].end - base + 1, nd.hi + 1
            else:
                k += 1
        out.append(sql[pos : toks[hi].end - base + 1])
        return "".join(out)

    def _inner_fold(a: int, b: int) -> str | None:
        """The class expression of the chain of || that operand a..b is, in parentheses or not."""
        if toks[a].token_type == TokenType.L_PAREN and _close_of(toks, a) == b:
            a, b = a + 1, b - 1
        for nd in by_start.get(a, []):
            if nd.kind == "cat" and nd.hi == b and nd.fold is not None:
                return nd.fold
        return None

    def emit_node(nd: _Node) -> str:
        texts = [emit(a, b, nd if (a, b) == (nd.lo, nd.hi) else None) for a, b in nd.operands]
        classes = [_classify(toks, a, b) for a, b in nd.operands]
        known = [_inner_fold(a, b) for a, b in nd.operands]
        classes = [_U if k is not None else c for c, k in zip(classes, known, strict=True)]
        parameter = nd.kind == "minus" and any(
            toks[k].token_type == TokenType.PARAMETER for k in range(nd.lo, nd.hi + 1)
        )
        r0, r1 = nd.operands[-1]
        bare = parameter and r1 == r0 + 1 and toks[r0].token_type == TokenType.PARAMETER
        new = _emit_node(nd, classes, texts, macros, known, lazy, parameter, bare)
        if new is not None:
            return new
        # left as it is, with what its operands hold rewritten
        out, pos = [], toks[nd.lo].start - base
        for (a, b), t in zip(nd.operands, texts, strict=True):
            out.append(sql[pos : toks[a].start - base])
            out.append(t)
            pos = toks[b].end - base + 1
        out.append(sql[pos : toks[nd.hi].end - base + 1])
        return "".join(out)

    return emit(0, len(toks) - 1)
