"""PostgreSQL's answers of string, bytea and array functions whose DuckDB namesakes differ.

Translators of one call each (pgcompat.functions.TRANSLATORS): they get the call's arguments as
SQL text and return DuckDB SQL, or None to leave the call as written. Where PostgreSQL refuses a
value, the translation raises the same message (engine.errors maps it to PostgreSQL's SQLSTATE).

Some answers depend on an argument's type (concat() prints a boolean as t/f, to_hex() of an
int4 is 32 bits wide): `typeof(x)` is a constant to DuckDB, which keeps the one CASE branch that
applies, so the test costs nothing when the statement runs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pgcompat.tokens import literal
from pgwire.errors import DbError
from pgwire.types import OUTPUT_TEXT

if TYPE_CHECKING:
    from pgcompat.functions import Call

# Arguments left as written: parameters (DuckDB cannot type typeof($1)) and plain literals.
_PLAIN = re.compile(r"^\s*(?:\$\d+|%s|'(?:[^']|'')*'|[+-]?\d+(?:\.\d*)?)\s*$")

NEGATIVE_SUBSTRING = "negative substring length not allowed"  # PostgreSQL's 22011
NULL_CHARACTER = "null character not permitted"  # PostgreSQL's 54000
ZERO_FIELD = "field position must not be zero"  # PostgreSQL's 22023


def _raise(message: str) -> str:
    return f"error({literal(message)})"


def text_of(arg: str, as_type: str = "VARCHAR") -> str:
    """arg as text the way concat() and format() print it: booleans as t/f (DuckDB's true/false).
    as_type OUTPUT_TEXT: the value's output (a char(n) column's blank-padded: engine.bpchar)."""
    x = f"({arg})"
    if _PLAIN.match(arg):
        return f"CAST({x} AS VARCHAR)"
    return f"CASE WHEN typeof({x}) = 'BOOLEAN' THEN left(CAST({x} AS VARCHAR), 1) ELSE CAST({x} AS {as_type}) END"


def _concat_arg(arg: str) -> str:
    return arg if _PLAIN.match(arg) else text_of(arg, OUTPUT_TEXT)  # (concat() writes each output)


def concat(call: Call) -> str | None:
    """concat(a, b, ...): each argument's text, NULLs left out; a boolean is t or f."""
    if not call.args or any(call.tk.word(lo) == "variadic" for lo, _ in call.ranges):
        return None
    return f"concat({', '.join(_concat_arg(a) for a in call.args)})"


def concat_ws(call: Call) -> str | None:
    """concat_ws(sep, a, b, ...): as concat(), booleans t or f."""
    if len(call.args) < 2 or any(call.tk.word(lo) == "variadic" for lo, _ in call.ranges):
        return None
    return f"concat_ws({call.args[0]}, {', '.join(_concat_arg(a) for a in call.args[1:])})"


def split_part(call: Call) -> str | None:
    """split_part(s, d, n): n = 0 is refused, an empty delimiter leaves s whole (field 1 or -1)."""
    if len(call.args) != 3:
        return None
    s, d, n = (f"({a})" for a in call.args)
    return (
        f"(CASE WHEN {n} = 0 THEN {_raise(ZERO_FIELD)} "
        f"WHEN {d} = '' THEN CASE WHEN {n} IN (1, -1) THEN {s} ELSE '' END "
        f"ELSE split_part({s}, {d}, {n}) END)"
    )


def to_hex(call: Call) -> str | None:
    """to_hex(n): lower case, an int4 (or int2) in 32-bit two's complement, an int8 in 64."""
    if len(call.args) != 1:
        return None
    x = f"({call.args[0]})"
    return (
        f"lower(CASE WHEN typeof({x}) IN ('TINYINT', 'SMALLINT', 'INTEGER') "
        f"THEN to_hex(TRY_CAST({x} AS BIGINT) & 4294967295) ELSE to_hex({x}) END)"
    )


def chr_(call: Call) -> str | None:
    """chr(0) is refused (PostgreSQL's text holds no NUL character)."""
    if len(call.args) != 1:
        return None
    n = f"({call.args[0]})"
    return f"(CASE WHEN {n} = 0 THEN {_raise(NULL_CHARACTER)} ELSE chr({n}) END)"


_COUNT = re.compile(r"^\s*\d+\s*$")  # a literal position or length DuckDB counts as PostgreSQL


def substring_positions(call: Call, value: str, start: str, length: str | None) -> str | None:
    """substring(s FROM start [FOR length]) / substr(s, start [, length]): PostgreSQL counts a
    start before the first character as characters that are not there (substring('hello', -1, 3)
    is 'h'), where DuckDB counts it from the end; a negative length is refused."""
    if _COUNT.match(start) and int(start) >= 1 and (length is None or _COUNT.match(length)):
        return None  # (left as written)
    s, a = f"({value})", f"({start})"
    if length is None:
        return f"substring({s}, greatest({a}, 1))"
    n = f"({length})"
    return (
        f"(CASE WHEN {n} < 0 THEN {_raise(NEGATIVE_SUBSTRING)} "
        f"ELSE substring({s}, greatest({a}, 1), greatest({a} + {n} - greatest({a}, 1), 0)) END)"
    )


def substr(call: Call) -> str | None:
    """substr(s, start [, length]): PostgreSQL's positions (substring_positions)."""
    if len(call.args) not in (2, 3) or call.string(1) is not None:
        return None
    return substring_positions(
        call, call.args[0], call.args[1], call.args[2] if len(call.args) == 3 else None
    )


_DECODERS = {"hex": "from_hex", "base64": "from_base64"}


def decode(call: Call) -> str | None:
    """decode(text, 'hex' | 'base64'): the bytes (DuckDB's decode is bytea -> text)."""
    fmt = call.string(1) if len(call.args) == 2 else None
    fn = _DECODERS.get((fmt or "").lower())
    return None if fn is None else f"{fn}({call.args[0]})"


def sha256(call: Call) -> str | None:
    """sha256(bytea) is bytea (DuckDB's is the hex digits as text)."""
    return f"from_hex(sha256({call.args[0]}))" if len(call.args) == 1 else None


def array_length(call: Call) -> str | None:
    """array_length(a, dim): NULL for an empty array (DuckDB says 0; PostgreSQL's arrays have no
    empty dimension), an integer as PostgreSQL's."""
    if len(call.args) != 2:
        return None
    return f"CAST(nullif(array_length({', '.join(call.args)}), 0) AS INTEGER)"


def integer_result(call: Call) -> str | None:
    """length(), char_length(), bit_length(), strpos(), position(), json_array_length(),
    grouping(): PostgreSQL's integer (int4), where DuckDB's answer is a BIGINT (or a UBIGINT, sent
    as numeric). The cast is checked: a value past int4 is an error (22003), never cut."""
    if not call.args:
        return None
    return f"CAST({call.name}({', '.join(call.args)}) AS INTEGER)"


def array_upper(call: Call) -> str | None:
    """array_upper(a, dim): an integer, NULL for an empty array (as array_length)."""
    if len(call.args) != 2:
        return None
    return f"CAST(nullif(array_upper({', '.join(call.args)}), 0) AS INTEGER)"


# Every element of an array of any number of dimensions, counted (an array of one dimension
# keeps DuckDB's cardinality: typeof() is a constant, the other branch is never run).
_CARDINALITY = (
    "CAST(CASE WHEN typeof({x}) LIKE '%[][]' THEN CASE WHEN ({x}) IS NOT NULL THEN "
    "(SELECT count(*) FROM (SELECT unnest({x}, recursive := true))) END "
    "ELSE cardinality({x}) END AS INTEGER)"
)


def cardinality(call: Call) -> str | None:
    """cardinality(a): an integer (DuckDB's is UBIGINT, sent as numeric), and of an array of
    several dimensions the number of all its elements, as PostgreSQL's (DuckDB counts the rows)."""
    return _CARDINALITY.format(x=call.args[0]) if len(call.args) == 1 else None


# upper() of ß is ß in PostgreSQL (no one-character capital in libc's towupper); DuckDB's gives
# U+1E9E. The ß is set aside as a noncharacter (U+FDD0, never in interchanged text) and put back.
_SHARP_S_ASIDE = "replace(upper(replace({x}, chr(223), chr(64976))), chr(64976), chr(223))"


def upper(call: Call) -> str | None:
    """upper(s) as PostgreSQL's: ß stays ß."""
    return _SHARP_S_ASIDE.format(x=call.args[0]) if len(call.args) == 1 else None


# A group that may stay out of a match (an alternative, or a group made optional): PostgreSQL
# gives NULL for it where DuckDB's regexp_extract_all gives ''.
_OPTIONAL_GROUP = re.compile(r"\||[)][?*]|[)]\{0")


def regexp_matches(call: Call) -> str | None:
    """regexp_matches(s, pattern [, flags]): PostgreSQL's set of text[] rows, one per match (the
    first only without the g flag), each holding the capturing groups (or the whole match when
    there are none), as unnest() of DuckDB's regexp_extract_all per group. A pattern or flags
    that are not literals, other flags, or a group that may stay out of a match are refused
    (0A000), never DuckDB's boolean regexp_matches."""
    from pgcompat.functions import _capturing_groups  # (functions imports this module)

    if len(call.args) not in (2, 3):
        return None
    pattern = call.string(1)
    flags = call.string(2) if len(call.args) == 3 else ""
    unsupported = None
    if pattern is None or flags is None:
        unsupported = "regexp_matches() with a pattern or flags that are not literals is not supported"
    elif set(flags) - {"g", "i"}:
        unsupported = f"regexp_matches() flags other than g and i are not supported: {flags}"
    elif _capturing_groups(pattern) and _OPTIONAL_GROUP.search(pattern.replace("\\\\", "")):
        unsupported = "regexp_matches() with a group that may not take part in a match is not supported"
    if unsupported is not None:
        raise DbError("0A000", unsupported, hint="regexp_extract_all() gives the matches as a list.")
    assert pattern is not None and flags is not None
    groups = _capturing_groups(pattern) or 0
    options = ", 'i'" if "i" in flags else ""
    s, p = f"({call.args[0]})", call.args[1]
    lists = [f"regexp_extract_all({s}, {p}, {k}{options})" for k in (range(1, groups + 1) if groups else [0])]
    # each group's list computed once, in a struct the lambda reads
    struct = "{" + ", ".join(f"'g{k}': {lst}" for k, lst in enumerate(lists)) + "}"
    row = "[" + ", ".join(f"__r.g{k}[__i]" for k in range(len(lists))) + "]"
    n = "len(__r.g0)" if "g" in flags else "len(__r.g0[1:1])"  # (NULL for a NULL text: no row)
    body = f"list_transform(range(1, {n} + 1), lambda __i: CAST({row} AS VARCHAR[]))"
    return f"unnest(list_transform([{struct}], lambda __r: {body})[1])"


def quoted_literal(value: str) -> str:
    """PostgreSQL's quote_literal of a text (SQL): doubled quotes, and a string with a backslash
    written E'...' with the backslashes doubled (DuckDB's quote_literal leaves them single)."""
    v = f"({value})"
    return (
        f"CASE WHEN strpos({v}, '\\') > 0 THEN 'E' || quote_literal(replace({v}, '\\', '\\\\')) "
        f"ELSE quote_literal({v}) END"
    )


def quote_literal(call: Call) -> str | None:
    """quote_literal(x): x as a string literal, as PostgreSQL writes it (quoted_literal)."""
    if len(call.args) != 1:
        return None
    return f"({quoted_literal(f'CAST(({call.args[0]}) AS VARCHAR)')})"
