"""PostgreSQL built-in functions DuckDB lacks (or has with other arguments), as DuckDB SQL.

Each translator takes one call (pgcompat.functions.Call) and returns its DuckDB expression with
PostgreSQL's value and result type, or None to leave the call as the client wrote it (DuckDB then
answers 42883, as for any unknown function). Where the answer depends on an argument's type the
call goes to one of engine.pgmath's typed TEMP macros (`__pg_` names), whose overloads DuckDB's
binder picks by type.
"""

from __future__ import annotations

import re

from sqlglot.tokens import TokenType

from pgcompat import pg_strings
from pgcompat.tokens import literal

# PostgreSQL functions answered by engine.pgmath's typed macros, by the argument's type, and how
# many arguments they take. The client's call is written with the name quoted ("length"(x): the
# same function to DuckDB and to the sandbox's analysis), which marks it as the client's, not a
# translation's; after the analysis the rewrite (macro_calls) renames the quoted names.
MACRO_CALLS = {
    "width_bucket": ("__pg_width_bucket", 4),
    "justify_hours": ("__pg_justify_hours", 1),
    "justify_days": ("__pg_justify_days", 1),
    "div": ("__pg_div_trunc", 2),
}


def _marked(call) -> str | None:
    if len(call.args) != MACRO_CALLS[call.name][1] or call.tk.tt(call.first - 1) == TokenType.DOT:
        return None
    return f'"{call.name}"({", ".join(call.args)})'


def macro_calls(text: str, toks, base: int, taken) -> list[tuple[int, int, str]]:
    """The marked calls of MACRO_CALLS renamed to their macros (name tokens only, none inside
    another rewrite's edit)."""
    edits = []
    for i, t in enumerate(toks[:-1]):
        found = MACRO_CALLS.get(t.text.lower())
        if (
            found is None
            or text[t.start - base] != '"'
            or toks[i + 1].token_type != TokenType.L_PAREN
            or any(s <= t.start - base < e for s, e, _ in taken)
        ):
            continue
        edits.append((t.start - base, t.end - base + 1, found[0]))
    return edits


def _raise(message: str) -> str:
    return f"error({literal(message)})"


def every(call) -> str | None:
    """every(b): the SQL standard's name of bool_and."""
    return f"bool_and({', '.join(call.args)})" if len(call.args) == 1 else None


def initcap(call) -> str | None:
    """initcap(s): each run of letters and digits with its first character upper case, the rest
    lower case (PostgreSQL's words are alphanumeric runs)."""
    if len(call.args) != 1:
        return None
    runs = f"regexp_extract_all(CAST(({call.args[0]}) AS VARCHAR), '[\\pL\\pN]+|[^\\pL\\pN]+')"
    return f"array_to_string(list_transform({runs}, lambda __w: upper(__w[1]) || lower(__w[2:])), '')"


def btrim(call) -> str | None:
    """btrim(s [, characters]): DuckDB's trim."""
    return f"trim({', '.join(call.args)})" if len(call.args) in (1, 2) else None


def quote_nullable(call) -> str | None:
    """quote_nullable(x): quote_literal of x as text, or the word NULL."""
    if len(call.args) != 1:
        return None
    return f"coalesce({pg_strings.quoted_literal(pg_strings.text_of(call.args[0]))}, 'NULL')"


def _regex_flags(call, k: int, name: str) -> str | None:
    """DuckDB's options for PostgreSQL's flags argument k ('' when absent), None when not a
    literal of the flags both understand."""
    if len(call.args) <= k:
        return ""
    flags = call.string(k)
    if flags is None or set(flags) - {"i", "c"}:
        return None
    insensitive = False
    for c in flags:  # the last of i and c counts
        insensitive = c == "i"
    return ", 'i'" if insensitive else ""


def regexp_match(call) -> str | None:
    """regexp_match(s, pattern [, flags]): the first match's capturing groups (or the whole
    match) as text[], NULL without a match."""
    from pgcompat.functions import _capturing_groups  # (functions imports this module)

    if len(call.args) not in (2, 3):
        return None
    pattern = call.string(1)
    options = _regex_flags(call, 2, "regexp_match")
    if pattern is None or options is None:
        return None
    if _capturing_groups(pattern) and pg_strings._OPTIONAL_GROUP.search(pattern.replace("\\\\", "")):
        return None  # a group left out of a match is NULL in PostgreSQL, '' in DuckDB
    groups = _capturing_groups(pattern)
    s, p = f"CAST(({call.args[0]}) AS VARCHAR)", call.args[1]
    parts = ", ".join(f"regexp_extract({s}, {p}, {k}{options})" for k in (range(1, groups + 1) or [0]))
    return f"CASE WHEN regexp_matches({s}, {p}{options}) THEN CAST([{parts}] AS VARCHAR[]) END"


def regexp_count(call) -> str | None:
    """regexp_count(s, pattern): how many times the pattern matches (int4)."""
    if len(call.args) != 2:
        return None
    return f"CAST(len(regexp_extract_all(CAST(({call.args[0]}) AS VARCHAR), {call.args[1]})) AS INTEGER)"


def regexp_like(call) -> str | None:
    """regexp_like(s, pattern [, flags]): whether the pattern matches anywhere."""
    options = _regex_flags(call, 2, "regexp_like")
    if len(call.args) not in (2, 3) or options is None:
        return None
    return f"regexp_matches(CAST(({call.args[0]}) AS VARCHAR), {call.args[1]}{options})"


def regexp_substr(call) -> str | None:
    """regexp_substr(s, pattern): the first match, NULL without one."""
    if len(call.args) != 2:
        return None
    return f"regexp_extract_all(CAST(({call.args[0]}) AS VARCHAR), {call.args[1]})[1]"


_UTF8 = frozenset({"utf8", "utf-8", "unicode"})


def convert_to(call) -> str | None:
    """convert_to(text, 'UTF8'): the text's bytes (the database encoding is UTF8)."""
    enc = call.string(1) if len(call.args) == 2 else None
    return f"encode(CAST(({call.args[0]}) AS VARCHAR))" if enc and enc.lower() in _UTF8 else None


def convert_from(call) -> str | None:
    """convert_from(bytea, 'UTF8'): the bytes read as UTF-8 text (invalid UTF-8 is an error)."""
    enc = call.string(1) if len(call.args) == 2 else None
    return f"decode(CAST(({call.args[0]}) AS BLOB))" if enc and enc.lower() in _UTF8 else None


# a DuckDB decimal sent as PostgreSQL's bare numeric, without trailing zeros (pgwire.types.is_bare_numeric)
_BARE = r"'DECIMAL\(38,[1-9][0-9]\)'"


def scale(call) -> str | None:
    """scale(numeric): the digits after the point as the value is shown (int4)."""
    if len(call.args) != 1:
        return None
    x = f"({call.args[0]})"
    frac = f"regexp_extract(CAST({x} AS VARCHAR), '\\.([0-9]*)$', 1)"
    shown = f"CASE WHEN regexp_full_match(typeof({x}), {_BARE}) THEN rtrim({frac}, '0') ELSE {frac} END"
    return f"CASE WHEN {x} IS NOT NULL THEN CAST(length({shown}) AS INTEGER) END"


def trim_scale(call) -> str | None:
    """trim_scale(numeric): the value without trailing zeros: a bare numeric shows none (the sum
    keeps every digit: its scale is the larger of the two)."""
    return f"(({call.args[0]}) + CAST(0 AS DECIMAL(38,10)))" if len(call.args) == 1 else None


_MAKE_INTERVAL = ("years", "months", "weeks", "days", "hours", "mins", "secs")
_NAMED = re.compile(r"^\s*(\w+)\s*=>\s*(.*)$", re.S)


def make_interval(call) -> str | None:
    """make_interval(years, months, weeks, days, hours, mins, secs), positional or named (=>)."""
    given: dict[str, str] = {}
    for k, arg in enumerate(call.args):
        m = _NAMED.match(arg)
        if m is not None:
            name, value = m.group(1).lower(), m.group(2)
        elif k < len(_MAKE_INTERVAL) and not given.keys() - set(_MAKE_INTERVAL[:k]):
            name, value = _MAKE_INTERVAL[k], arg
        else:
            return None
        if name not in _MAKE_INTERVAL or name in given:
            return None
        given[name] = f"({value})"
    v = {n: given.get(n, "0") for n in _MAKE_INTERVAL}
    months = f"CAST({v['years']} * 12 + {v['months']} AS INTEGER)"
    days = f"CAST({v['weeks']} * 7 + {v['days']} AS INTEGER)"
    micros = (
        f"CAST({v['hours']} AS BIGINT) * 3600000000 + CAST({v['mins']} AS BIGINT) * 60000000"
        f" + CAST(round(CAST({v['secs']} AS DOUBLE) * 1000000) AS BIGINT)"
    )
    return f"(to_months({months}) + to_days({days}) + to_microseconds({micros}))"


# PostgreSQL's to_date / to_timestamp fields and strptime's codes for them
_PARSE_FIELDS = (
    ("YYYY", "%Y"),
    ("HH24", "%H"),
    ("HH12", "%I"),
    ("Month", "%B"),
    ("MONTH", "%B"),
    ("month", "%B"),
    ("Mon", "%b"),
    ("MON", "%b"),
    ("mon", "%b"),
    ("MM", "%m"),
    ("DD", "%d"),
    ("HH", "%I"),
    ("MI", "%M"),
    ("SS", "%S"),
    ("US", "%f"),
    ("AM", "%p"),
    ("PM", "%p"),
)


def _strptime_format(fmt: str) -> str | None:
    """A PostgreSQL date/time format of the fields above and separators as strptime's, else None."""
    out, i = "", 0
    while i < len(fmt):
        for field, code in _PARSE_FIELDS:
            if fmt.startswith(field, i):
                out += code
                i += len(field)
                break
        else:
            c = fmt[i]
            if c.isalnum() or c in '%"\\':
                return None
            out += c
            i += 1
    return out


def to_date(call) -> str | None:
    """to_date(text, format) with a literal format of common fields."""
    fmt = call.string(1) if len(call.args) == 2 else None
    code = _strptime_format(fmt) if fmt is not None else None
    if code is None or "%H" in code or "%I" in code:
        return None
    return f"CAST(strptime(CAST(({call.args[0]}) AS VARCHAR), {literal(code)}) AS DATE)"


def to_timestamp(call) -> str | None:
    """to_timestamp(text, format): a timestamptz, the fields read in the session's time zone.
    (to_timestamp(float) is DuckDB's own.)"""
    fmt = call.string(1) if len(call.args) == 2 else None
    code = _strptime_format(fmt) if fmt is not None else None
    if code is None:
        return None
    return f"CAST(strptime(CAST(({call.args[0]}) AS VARCHAR), {literal(code)}) AS TIMESTAMPTZ)"


def date_bin(call) -> str | None:
    """date_bin(stride, source, origin): the start of source's bin, counted from origin in
    strides (a source before origin falls in the bin that starts before it)."""
    if len(call.args) != 3:
        return None
    stride, src, origin = (f"({a})" for a in call.args)
    stride = f"CAST({stride} AS INTERVAL)"
    us = f"date_diff('microsecond', {origin}, {src})"
    width = f"(datepart('day', {stride}) * 86400000000 + datepart('hour', {stride}) * 3600000000 + datepart('minute', {stride}) * 60000000 + datepart('microseconds', {stride}))"
    check = (
        f"CASE WHEN datepart('year', {stride}) * 12 + datepart('month', {stride}) <> 0 "
        "THEN error('DuckCDB 0A000: timestamps cannot be binned into intervals containing months or years') "
        f"WHEN {width} <= 0 THEN error('DuckCDB 22023: stride must be greater than zero') END"
    )
    binned = f"{origin} + to_microseconds({us} - (({us} % {width}) + {width}) % {width})"
    return f"coalesce({check}, {binned})"


_JSON_TYPES = (
    "MAP {'OBJECT': 'object', 'ARRAY': 'array', 'VARCHAR': 'string', 'BOOLEAN': 'boolean', 'NULL': 'null'}"
)


def json_typeof(call) -> str | None:
    """json_typeof(json): object, array, string, number, boolean or null."""
    if len(call.args) != 1:
        return None
    t = f"json_type(CAST(({call.args[0]}) AS JSON))"
    return f"coalesce({_JSON_TYPES}[{t}], CASE WHEN {t} IS NOT NULL THEN 'number' END)"


def json_object_keys(call) -> str | None:
    """json_object_keys(json): a row per top-level key, in the object's order (duplicates too);
    PostgreSQL's 22023 for an array or a scalar (DuckDB's json_keys gives no keys)."""
    if len(call.args) != 1:
        return None
    j = f"CAST(({call.args[0]}) AS JSON)"
    keys = (
        f"CASE WHEN {j} IS NULL THEN CAST(NULL AS VARCHAR[]) WHEN json_type({j}) = 'OBJECT' THEN json_keys({j})"
        f" WHEN json_type({j}) = 'ARRAY' THEN error('DuckCDB 22023: cannot call json_object_keys on an array')"
        " ELSE error('DuckCDB 22023: cannot call json_object_keys on a scalar') END"
    )
    return f"unnest({keys})"


def _aggregate_tail(call) -> tuple[str | None, str, int]:
    """What follows an aggregate's call: FILTER (WHERE c)'s condition (None without one), its
    OVER (...) / OVER w as written ('' without one), and the last token they take."""
    from pgcompat.functions import render_range  # (functions imports this module)

    tk, k = call.tk, call.close
    condition = None
    if tk.word(k + 1) == "filter" and tk.tt(k + 2) == TokenType.L_PAREN and tk.word(k + 3) == "where":
        close = tk.match[k + 2]
        condition, k = render_range(tk, k + 4, close), close
    window = ""
    if tk.word(k + 1) == "over" and tk.tt(k + 2) == TokenType.L_PAREN and k + 2 in tk.match:
        close = tk.match[k + 2]
        window, k = " OVER " + render_range(tk, k + 2, close + 1), close
    elif tk.word(k + 1) == "over" and tk.name(k + 2) is not None:
        window, k = f" OVER {tk.src(k + 2)}", k + 2
    return condition, window, k


def _json_element(value: str) -> str:
    # PostgreSQL puts a newline and a space before each composite or array element but the first:
    # marked with chr(1) (never in JSON text: to_json escapes it), the first's taken off the whole
    structured = (
        f"(typeof({value}) LIKE 'STRUCT(%' OR typeof({value}) LIKE 'TUPLE(%' OR typeof({value}) LIKE '%]')"
    )
    return f"coalesce(CASE WHEN {structured} THEN chr(1) ELSE '' END || CAST(to_json({value}) AS VARCHAR), 'null')"


def _json_array_text(agg: str) -> str:
    return f"CAST('[' || replace(ltrim({agg}, chr(1)), chr(1), chr(10) || ' ') || ']' AS JSON)"


_SORT_WORDS = frozenset({"asc", "desc", "nulls", "first", "last"})


def _distinct_order(call, lo: int, order: int | None, hi: int) -> str | None:
    """The ORDER BY of an aggregate(DISTINCT x ...) as the list of x takes it: x's own order
    without one (PostgreSQL sorts to find the duplicates), ORDER BY x [ASC | DESC] [NULLS ...]
    as written; None for any other (PostgreSQL's 42P10: left to DuckDB's error)."""
    from pgcompat.functions import render_range  # (functions imports this module)

    tk = call.tk
    value = render_range(tk, lo, order if order is not None else hi).strip()
    if order is None:
        return f" ORDER BY {value}"
    k = order + 1
    while k < hi and tk.word(k) not in _SORT_WORDS:
        k += 1
    if (
        render_range(tk, order + 1, k).strip() != value
        or tk.split(order + 1, hi, frozenset({TokenType.COMMA}))[1:]
    ):
        return None
    return " " + render_range(tk, order, hi)


def json_agg(call) -> str | tuple[str, int] | None:
    """json_agg(x [ORDER BY ...]) [FILTER (WHERE c)] [OVER ...], json_agg(DISTINCT x [ORDER BY x]):
    PostgreSQL's text of the array, elements after ', ', NULL for no rows (a FILTER is taken into
    the aggregate's argument); DISTINCT's elements in x's order, as PostgreSQL sorts them.
    jsonb_agg: the same, as jsonb (a cast, which pgcompat.jsonb makes the engine's pg_jsonb)."""
    if len(call.args) != 1:
        return None
    from pgcompat.functions import render_range  # (functions imports this module)

    lo, hi = call.ranges[0]
    tk = call.tk
    distinct = tk.word(lo) == "distinct"
    if distinct:
        lo += 1
    order = next((k for k in range(lo, hi) if tk.tt(k) == TokenType.ORDER_BY and _top(tk, lo, k)), None)
    condition, window, last = _aggregate_tail(call)
    if window and (distinct or order is not None):
        return None  # (PostgreSQL's 0A000: pgcompat.pg_refusals.window_aggregate_refusal)
    value = render_range(tk, lo, order if order is not None else hi)
    if distinct:
        sort = _distinct_order(call, lo, order, hi)
        if sort is None:
            return None
        items = f"list(DISTINCT {value}{sort})"
        if condition is not None:
            items += f" FILTER (WHERE {condition})"
        agg = f"array_to_string(list_transform({items}, lambda __e: {_json_element('__e')}), ', ')"
    else:
        tail = " " + render_range(tk, order, hi) if order is not None else ""
        element = _json_element(value)
        if condition is not None:
            element = f"CASE WHEN {condition} THEN {element} END"
        agg = f"string_agg({element}, ', '{tail}){window}"
    sql = _json_array_text(agg)
    if call.name == "jsonb_agg":
        sql = f"CAST({sql} AS jsonb)"
    return sql, last


def json_object_agg(call) -> str | tuple[str, int] | None:
    """json_object_agg(k, v [ORDER BY ...]) [FILTER (WHERE c)] [OVER ...] and
    json_object_agg(DISTINCT k, v): PostgreSQL's text of the object ('{ "k" : v, ... }'), each key
    its text, each value as to_json writes it (DISTINCT's pairs in (k, v)'s order, as PostgreSQL
    sorts them); NULL for no rows, 22023 for a NULL key. jsonb_object_agg: the same as jsonb (keys
    sorted, the last of a duplicate kept)."""
    if len(call.args) != 2:
        return None
    tk = call.tk
    (klo, khi), (lo, hi) = call.ranges
    distinct = tk.word(klo) == "distinct"
    if distinct:
        klo += 1
    order = next((k for k in range(lo, hi) if tk.tt(k) == TokenType.ORDER_BY and _top(tk, lo, k)), None)
    condition, window, last = _aggregate_tail(call)
    if window and (distinct or order is not None):
        return None  # (PostgreSQL's 0A000: pgcompat.pg_refusals.window_aggregate_refusal)
    if distinct and order is not None:
        return None  # (DuckDB's error: no such function)
    from pgcompat.functions import render_range  # (functions imports this module)

    key = render_range(tk, klo, khi)
    value = render_range(tk, lo, order if order is not None else hi)

    def pair(k: str, v: str) -> str:
        return (
            f"CASE WHEN ({k}) IS NULL THEN error('DuckCDB 22023: field name must not be null')"
            f" ELSE CAST(to_json(CAST(({k}) AS VARCHAR)) AS VARCHAR) || ' : '"
            f" || coalesce(CAST(to_json({v}) AS VARCHAR), 'null') END"
        )

    if distinct:
        items = f"list(DISTINCT {{'k': {key}, 'v': {value}}} ORDER BY {{'k': {key}, 'v': {value}}})"
        if condition is not None:
            items += f" FILTER (WHERE {condition})"
        agg = f"array_to_string(list_transform({items}, lambda __p: {pair('__p.k', '__p.v')}), ', ')"
    else:
        tail = " " + render_range(tk, order, hi) if order is not None else ""
        element = pair(key, value)
        if condition is not None:
            element = f"CASE WHEN {condition} THEN {element} END"
        agg = f"string_agg({element}, ', '{tail}){window}"
    sql = f"CAST('{{ ' || {agg} || ' }}' AS JSON)"
    if call.name == "jsonb_object_agg":
        sql = f"CAST({sql} AS jsonb)"
    return sql, last


def _top(tk, lo: int, k: int) -> bool:
    depth = 0
    for j in range(lo, k):
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(tk.tt(j), 0)
    return depth == 0


def array_ndims(call) -> str | None:
    """array_ndims(a): the dimensions of a non-empty array (NULL for an empty one)."""
    if len(call.args) != 1:
        return None
    a = f"({call.args[0]})"
    t = f"typeof({a})"
    dims = f"(length({t}) - length(regexp_replace({t}, '(\\[\\])+$', ''))) // 2"
    return f"CASE WHEN len({a}) > 0 THEN CAST({dims} AS INTEGER) END"


def array_dims(call) -> str | None:
    """array_dims(a): '[1:n]' per dimension (lengths of the first element at each depth)."""
    if len(call.args) != 1:
        return None
    a = f"({call.args[0]})"
    n = array_ndims(call)
    j = f"CAST(to_json({a}) AS JSON)"
    parts = []
    for depth in range(6):  # PostgreSQL's MAXDIM
        path = "$" + "[0]" * depth
        parts.append(
            f"CASE WHEN {n} > {depth} THEN '[1:' || CAST(json_array_length({j}, '{path}') AS VARCHAR) || ']' ELSE '' END"
        )
    return f"CASE WHEN len({a}) > 0 THEN " + " || ".join(parts) + " END"


def array_replace(call) -> str | None:
    """array_replace(a, from, to): every element equal to from (NULL included) replaced."""
    if len(call.args) != 3:
        return None
    a, old, new = call.args
    return f"list_transform({a}, lambda __e: CASE WHEN __e IS NOT DISTINCT FROM ({old}) THEN ({new}) ELSE __e END)"


def string_to_table(call) -> str | None:
    """string_to_table(s, delimiter [, null_string]): a row per piece."""
    array = string_to_array(call)
    return None if array is None else f"unnest({array})"


def string_to_array(call) -> str | None:
    """string_to_array(s, delimiter [, null_string]) as PostgreSQL splits: an empty string is an
    empty array, a NULL delimiter splits into characters, an empty one keeps s whole (DuckDB's
    split does the opposite of the last two and gives [''] for the first); pieces equal to
    null_string are NULL."""
    if len(call.args) not in (2, 3):
        return None
    s, d = call.args[:2]
    split = (
        f"CASE WHEN ({s}) IS NULL THEN NULL WHEN ({s}) = '' THEN CAST([] AS VARCHAR[])"
        f" WHEN ({d}) IS NULL THEN string_split({s}, '') WHEN ({d}) = '' THEN [CAST(({s}) AS VARCHAR)]"
        f" ELSE string_to_array({s}, {d}) END"
    )
    if len(call.args) == 2:
        return split
    return f"list_transform({split}, lambda __p: CASE WHEN __p = ({call.args[2]}) THEN NULL ELSE __p END)"


def txid_current(call) -> str | None:
    """txid_current(): bigint, as in PostgreSQL (DuckDB's is an unsigned 64-bit integer, which
    would reach the client as numeric)."""
    return "CAST(txid_current() AS BIGINT)" if not call.args else None


def array_to_string(call) -> str | None:
    """array_to_string(a, delimiter, null_string): NULL elements written as null_string."""
    if len(call.args) != 3:
        return None
    a, d, null = call.args
    element = pg_strings.text_of("__e")
    return f"array_to_string(list_transform({a}, lambda __e: coalesce({element}, ({null}))), {d})"


def pad(name: str):
    def translate(call) -> str | None:
        """lpad/rpad(s, n): filled with spaces."""
        return f"{name}({call.args[0]}, {call.args[1]}, ' ')" if len(call.args) == 2 else None

    return translate


def encode(call) -> str | None:
    """encode(bytea, 'base64' | 'hex'): PostgreSQL's base64 breaks lines after 76 characters."""
    fmt = call.string(1) if len(call.args) == 2 else None
    b = f"CAST(({call.args[0]}) AS BLOB)" if fmt else ""
    if fmt == "hex":
        return f"lower(hex({b}))"
    if fmt == "base64":
        return f"regexp_replace(base64({b}), '(.{{76}})', '\\1' || chr(10), 'g')"
    return None


def regexp_replace(call) -> str | None:
    """regexp_replace(s, pattern, replacement [, flags]): PostgreSQL's \\& (the whole match) is
    RE2's \\0."""
    repl = call.string(2) if len(call.args) in (3, 4) else None
    if repl is None or "\\&" not in repl:
        return None
    fixed = re.sub(r"\\(.)", lambda m: "\\0" if m.group(1) == "&" else m.group(0), repl)
    return f"regexp_replace({', '.join([*call.args[:2], literal(fixed), *call.args[3:]])})"


_VISIBLY_BYTEA = re.compile(
    r"(::\s*bytea\s*|\bAS\s+bytea\s*\)\s*)$|^\s*(convert_to|decode|sha256)\s*\(", re.I
)


def length(call) -> str | None:
    """length(text) and char_length(text): int4. length(bytea) is its bytes where the argument is
    visibly a bytea (a cast to it, a function returning it); DuckDB's own binder refuses the rest."""
    if len(call.args) != 1:
        return None
    x = call.args[0]
    if call.name == "length" and _VISIBLY_BYTEA.search(x):
        return f"CAST(octet_length(CAST(({x}) AS BLOB)) AS INTEGER)"
    return f"CAST({call.name}({x}) AS INTEGER)"


def get_byte(call) -> str | None:
    """get_byte(bytea, n): the byte at offset n (from 0), 2202E outside the value."""
    if len(call.args) != 2:
        return None
    b, n = f"CAST(({call.args[0]}) AS BLOB)", f"({call.args[1]})"
    outside = f"error('DuckCDB 2202E: index ' || CAST({n} AS VARCHAR) || ' out of valid range, 0..' || CAST(octet_length({b}) - 1 AS VARCHAR))"
    byte = f"CAST('0x' || substr(hex({b}), 2 * {n} + 1, 2) AS INTEGER)"
    return f"CASE WHEN {n} < 0 OR {n} >= octet_length({b}) THEN {outside} ELSE {byte} END"


def _in_from(call) -> bool:
    from pgcompat.functions import _in_from as in_from  # (functions imports this module)

    return in_from(call.tk, call.first)


def _from_item(call, sql: str, column: str) -> str | tuple[str, int]:
    """A set-returning call in FROM as PostgreSQL names its column: after the alias (and its
    column list) when there is one, else after the function."""
    tk, k = call.tk, call.close + 1
    if tk.tt(k) == TokenType.ALIAS:
        k += 1
    if tk.tt(k) in (TokenType.VAR, TokenType.IDENTIFIER):
        alias = tk.src(k)
        if tk.tt(k + 1) == TokenType.L_PAREN and k + 1 in tk.match:
            close = tk.match[k + 1]
            return f"(SELECT {sql}) AS {alias}{tk.text[tk.start(k + 1) : tk.end(close)]}", close
        return f"(SELECT {sql}) AS {alias}({alias})", k
    return f"(SELECT {sql} AS {column})"


_NUMERIC_CAST = re.compile(r"(::\s*(numeric|decimal)\b|\bAS\s+(numeric|decimal)\b)", re.I)


def _visibly_numeric(call, k: int) -> bool:
    lo, hi = call.ranges[k]
    if hi == lo + 1 and call.tk.tt(lo) == TokenType.NUMBER:
        return "." in call.tk.src(lo) and "e" not in call.tk.src(lo).lower()
    return bool(_NUMERIC_CAST.search(call.args[k]))


def generate_series(call) -> str | tuple[str, int] | None:
    """generate_series(numeric, numeric [, numeric]) where an argument is visibly a numeric (a
    literal with a point, a cast to numeric): exact steps (the count estimated in float8, each
    value computed and compared exactly), the values' scale their arguments' as PostgreSQL's."""
    if len(call.args) not in (2, 3) or not any(_visibly_numeric(call, k) for k in range(len(call.args))):
        return None
    start, stop = f"({call.args[0]})", f"({call.args[1]})"
    step = f"({call.args[2]})" if len(call.args) == 3 else "1"
    est = (
        f"CAST(floor((CAST({stop} AS DOUBLE) - CAST({start} AS DOUBLE)) / CAST({step} AS DOUBLE)) AS BIGINT)"
    )
    values = (
        f"list_filter(list_transform(range(0, greatest({est} + 2, 0)), lambda __i: {start} + __i * {step}), "
        f"lambda __v: CASE WHEN {step} > 0 THEN __v <= {stop} ELSE __v >= {stop} END)"
    )
    zero = "error('DuckCDB 22023: step size cannot equal zero')"
    sql = f"unnest(CASE WHEN {step} = 0 THEN {zero} ELSE {values} END)"
    return _from_item(call, sql, "generate_series") if _in_from(call) else sql


def bytea_substring(call, parts) -> str | None:
    """substring(bytea FROM s [FOR n]) / substring(bytea, s [, n]) where the value is visibly a
    bytea: the bytes from s (counted from 1) on, n of them."""
    from pgcompat.functions import render_range  # (functions imports this module)

    args = [render_range(call.tk, lo, hi) for lo, hi, _ in parts]
    if len(args) not in (2, 3) or not _VISIBLY_BYTEA.search(args[0]):
        return None
    b, s = f"CAST(({args[0]}) AS BLOB)", f"({args[1]})"
    end = f"least({s} + ({args[2]}), octet_length({b}) + 1)" if len(args) == 3 else f"(octet_length({b}) + 1)"
    first = f"greatest({s}, 1)"
    count = f"greatest({end} - {first}, 0)"
    sql = f"from_hex(substr(hex({b}), 2 * {first} - 1, 2 * {count}))"
    if len(args) == 3:
        negative = "error('DuckCDB 22011: negative substring length not allowed')"
        sql = f"CASE WHEN ({args[2]}) < 0 THEN {negative} ELSE {sql} END"
    return sql


def visibly_interval(call, k: int) -> bool:
    """Whether argument k is visibly an interval (INTERVAL '...', a cast to interval)."""
    lo, hi = call.ranges[k]
    tk = call.tk
    return tk.tt(lo) == TokenType.INTERVAL or (
        tk.tt(hi - 2) == TokenType.DCOLON and tk.tt(hi - 1) == TokenType.INTERVAL
    )


# to_char(interval)'s fields: PostgreSQL's interval2tm (years and months of the months, the
# days, the time's hours (not wrapped at 24), minutes, seconds and fraction), zero-padded
_INTERVAL_FIELDS = (
    ("HH24", "datepart('hour', {x})", 2),
    ("HH12", "CASE WHEN datepart('hour', {x}) % 12 = 0 THEN 12 ELSE datepart('hour', {x}) % 12 END", 2),
    ("HH", "CASE WHEN datepart('hour', {x}) % 12 = 0 THEN 12 ELSE datepart('hour', {x}) % 12 END", 2),
    ("MI", "datepart('minute', {x})", 2),
    ("SS", "datepart('second', {x})", 2),
    ("MS", "datepart('microseconds', {x}) % 1000000 // 1000", 3),
    ("US", "datepart('microseconds', {x}) % 1000000", 6),
    ("DD", "datepart('day', {x})", 2),
    ("MM", "datepart('month', {x})", 2),
    ("YYYY", "datepart('year', {x})", 4),
)


def interval_to_char(value: str, fmt: str) -> str | None:
    """to_char(interval, format) for the fields above, FM and literal text; None for others."""
    x = f"CAST(({value}) AS INTERVAL)"
    pieces, text, i, fm = [], "", 0, False
    while i < len(fmt):
        if fmt.startswith(("FM", "fm"), i):
            fm, i = True, i + 2
            continue
        field = next((f for f in _INTERVAL_FIELDS if fmt.startswith(f[0], i)), None)
        if field is not None:
            if text:
                pieces.append(literal(text))
                text = ""
            n = field[1].format(x=x)
            w = field[2]  # (a negative value is one wider: its sign, as PostgreSQL's %0*d)
            padded = f"CASE WHEN {n} < 0 THEN printf('%0{w + 1}d', {n}) ELSE printf('%0{w}d', {n}) END"
            plain = f"printf('%0{w}d', {n})"  # (DD, MS and US: not widened)
            pieces.append(
                f"CAST({n} AS VARCHAR)" if fm else plain if field[0] in ("DD", "MS", "US") else padded
            )
            i, fm = i + len(field[0]), False
        elif fmt[i] == '"':
            end = fmt.find('"', i + 1)
            if end < 0:
                return None
            text, i = text + fmt[i + 1 : end], end + 1
        elif fmt[i].isalpha() or fmt[i] == "\\":
            return None
        else:
            text, i = text + fmt[i], i + 1
    if text or not pieces:
        pieces.append(literal(text))
    return f"CASE WHEN ({value}) IS NOT NULL THEN " + " || ".join(pieces) + " END"


def min_max(call) -> str | None:
    """min(x) / max(x) of a boolean or a json: PostgreSQL has neither (42883; bool_and / bool_or
    are its booleans' aggregates). The argument's type is DuckDB's to tell: typeof() is a constant
    of the plan, so other types cost nothing."""
    if len(call.args) != 1 or call.tk.word(call.ranges[0][0]) in ("distinct", "all"):
        return None
    x = f"({call.args[0]})"
    if call.tk.word(call.close + 1) in ("over", "filter"):  # (they follow the call: checked inside)
        name = f"CASE typeof({x}) WHEN 'BOOLEAN' THEN 'boolean' ELSE 'json' END"
        missing = f"error('DuckCDB 42883: function {call.name}(' || {name} || ') does not exist')"
        return f"{call.name}(CASE WHEN typeof({x}) IN ('BOOLEAN', 'JSON') THEN {missing} ELSE {x} END)"
    # the aggregate's own type, checked on its result: an aggregate of no rows is refused too
    agg = f"{call.name}({call.args[0]})"
    name = f"CASE typeof({agg}) WHEN 'BOOLEAN' THEN 'boolean' ELSE 'json' END"
    missing = f"error('DuckCDB 42883: function {call.name}(' || {name} || ') does not exist')"
    return f"(CASE WHEN typeof({agg}) IN ('BOOLEAN', 'JSON') THEN {missing} ELSE {agg} END)"


_NUMBER_FORMAT = re.compile(r"^(FM)?(S|L)?([90G,]*)(?:([D.])([90]*))?(MI|S|PR)?$", re.I)
_NUMBER_INPUT = re.compile(r"^\s*(<)?\s*([+-])?\s*\$?\s*([0-9,]*)(?:\.([0-9]*))?\s*(-|>)?\s*$")


def to_number(call) -> str | None:
    """to_number('text', 'format') of literals, for formats of digit positions (9, 0), group
    separators (G ,), a decimal point (D .), FM, a leading S or L and a trailing MI, S or PR:
    worked out here, with PostgreSQL's result scale (the fraction digits read, at most the
    format's). Input with more whole digits than the format has positions is left to DuckDB's
    42883 (PostgreSQL reads a prefix of it)."""
    text = call.string(0) if len(call.args) == 2 else None
    fmt = call.string(1) if text is not None else None
    f = _NUMBER_FORMAT.match(fmt) if fmt else None
    m = _NUMBER_INPUT.match(text) if f is not None and text is not None else None
    if f is None or m is None:
        return None
    whole_positions = sum(c in "90" for c in f.group(3))
    fraction_positions = len(f.group(5) or "")
    whole = m.group(3).replace(",", "")
    fraction = (m.group(4) or "")[:fraction_positions]
    if not whole and not fraction or len(whole.lstrip("0")) > whole_positions:
        return None
    negative = m.group(2) == "-" or m.group(5) == "-" or (m.group(1) == "<" and m.group(5) == ">")
    digits = (whole or "0") + ("." + fraction if fraction else "")
    return f"CAST('{'-' if negative else ''}{digits}' AS DECIMAL(38,{len(fraction)}))"


_CAST_FUNCTIONS = {
    "int2": "SMALLINT",
    "int4": "INTEGER",
    "int8": "BIGINT",
    "float4": "FLOAT",
    "float8": "DOUBLE",
    "text": "VARCHAR",
}


def cast_function(target: str):
    def translate(call) -> str | None:
        """int4(x), text(x), ...: PostgreSQL's function-style casts."""
        prev = call.tk.tt(call.first - 1)
        if len(call.args) != 1 or prev in (TokenType.DCOLON, TokenType.ALIAS):
            return None
        return f"CAST(({call.args[0]}) AS {target})"

    return translate


TRANSLATORS = {
    "every": every,
    "initcap": initcap,
    "btrim": btrim,
    "quote_nullable": quote_nullable,
    "regexp_match": regexp_match,
    "regexp_count": regexp_count,
    "regexp_like": regexp_like,
    "regexp_substr": regexp_substr,
    "regexp_replace": regexp_replace,
    "convert_to": convert_to,
    "convert_from": convert_from,
    "scale": scale,
    "trim_scale": trim_scale,
    "make_interval": make_interval,
    "to_date": to_date,
    "to_timestamp": to_timestamp,
    "date_bin": date_bin,
    "json_typeof": json_typeof,
    "json_object_keys": json_object_keys,
    "json_agg": json_agg,
    "json_object_agg": json_object_agg,
    "jsonb_agg": json_agg,
    "jsonb_object_agg": json_object_agg,
    "array_dims": array_dims,
    "array_ndims": array_ndims,
    "array_replace": array_replace,
    "string_to_table": string_to_table,
    "string_to_array": string_to_array,
    "txid_current": txid_current,
    "array_to_string": array_to_string,
    "lpad": pad("lpad"),
    "rpad": pad("rpad"),
    "encode": encode,
    "get_byte": get_byte,
    "to_number": to_number,
    "min": min_max,
    "max": min_max,
    "generate_series": generate_series,
    "length": length,
    "char_length": length,
    "character_length": length,
    **{name: cast_function(t) for name, t in _CAST_FUNCTIONS.items()},
    **dict.fromkeys(MACRO_CALLS, _marked),
}
