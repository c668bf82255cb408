"""jsonb's text as PostgreSQL prints it, for the engine's DuckDB (a scalar function, pg_jsonb).

PostgreSQL parses jsonb into its binary form and prints that: object keys sorted by length, then
bytes; a duplicate key keeps its last value; numbers as numeric prints them (1e2 is 100, 1.50
stays 1.50); ", " and ": " between items. DuckDB's JSON keeps the text as written, so the
rewrites (pgcompat.rewrite.jsonb_type) pass every jsonb cast and jsonb-returning function
through pg_jsonb. jsonb_pretty's layout is pg_jsonb_pretty. The operators and functions that
edit a document (||, -, #-, jsonb_set, jsonb_insert) are here too, and the TEMP macros through
which DuckDB's binder picks jsonb's ||, - and @> by the operands' types (MACROS, at the end).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from engine import pgmath
from engine.codec.pgarray import ArraySyntaxError, parse_array_text
from pgwire.types import UNCONSTRAINED_NUMERIC_PRECISION, UNCONSTRAINED_NUMERIC_SCALE


class _Number(str):
    """A JSON number, kept as numeric prints it."""


def _number(text: str) -> _Number:
    try:
        d = Decimal(text)
    except InvalidOperation as e:  # json.loads gave it: cannot happen
        raise ValueError(f'invalid input syntax for type json: "{text}"') from e
    return _Number(format(d.copy_abs() if d.is_zero() else d, "f"))  # numeric has no -0


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return dict(pairs)  # the last value of a duplicate key wins, as in PostgreSQL


def _key(k: str) -> tuple[int, bytes]:
    b = k.encode("utf-8")
    return len(b), b


def _string(s: str) -> str:
    """A JSON string as jsonb prints it: json.dumps escapes the same characters as PostgreSQL's
    escape_json (", \\, \\b \\f \\n \\r \\t, other controls as \\u00xx; no other), in C."""
    return _dumps(s, ensure_ascii=False)


_dumps = json.dumps


def _int(text: str) -> _Number:
    return _Number("0" if text == "-0" else text)  # (an integer's text is numeric's, but -0)


def _parse(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_float=_number, parse_int=_int)
    except (ValueError, RecursionError) as e:
        raise ValueError(f"invalid input syntax for type json\n{e}") from None


def _render(v: Any) -> str:
    if isinstance(v, _Number):
        return str(v)
    if isinstance(v, str):
        return _string(v)
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, list):
        return "[" + ", ".join(_render(x) for x in v) + "]"
    items = sorted(v.items(), key=lambda kv: _key(kv[0]))
    return "{" + ", ".join(f"{_string(k)}: {_render(x)}" for k, x in items) + "}"


def normalize(text: str | None) -> str | None:
    """jsonb_out(jsonb_in(text))."""
    if text is None:
        return None
    return _render(_parse(text))


# ---------------------------------------------------------------- jsonb's btree order as bytes
# PostgreSQL orders jsonb (ORDER BY, min / max, < >, =) by compareJsonbContainers: by kind, null <
# string < number < boolean < array < object; arrays by length, then (a document that is one
# scalar before an array of one element) element by element; objects by their number of pairs,
# then key, value, key, value... with the keys in their stored order (length, then bytes); strings
# by their bytes (the C collation), numbers as numerics. sort_key writes that order as bytes that
# compare as DuckDB compares a BLOB: each value's bytes delimit themselves, so a sequence of them
# compares element by element.
_NULL, _STRING, _NUMERIC, _BOOL, _ARRAY, _OBJECT = b"\x01", b"\x02", b"\x03", b"\x04", b"\x05", b"\x06"


def _string_key(s: str) -> bytes:
    return _STRING + s.encode("utf-8").replace(b"\x00", b"\x00\xff") + b"\x00\x00"


def _numeric_key(text: str) -> bytes:
    d = Decimal(text)
    if d.is_zero():
        return _NUMERIC + b"\x02"
    sign, digits, exponent = d.normalize().as_tuple()
    assert isinstance(exponent, int)
    magnitude = len(digits) + exponent + (1 << 31)  # where the first digit stands
    body = magnitude.to_bytes(5, "big") + bytes(0x30 + x for x in digits) + b"\x00"
    if sign:  # a larger magnitude is a smaller negative number
        return _NUMERIC + b"\x01" + bytes(0xFF - x for x in body)
    return _NUMERIC + b"\x03" + body


def _value_key(v: Any, out: list[bytes], top: bool = False) -> None:
    if isinstance(v, _Number):
        key = _numeric_key(v)
    elif isinstance(v, str):
        key = _string_key(v)
    elif v is None:
        key = _NULL
    elif isinstance(v, bool):
        key = _BOOL + (b"\x01" if v else b"\x00")
    elif isinstance(v, list):
        out.append(_ARRAY + len(v).to_bytes(4, "big") + b"\x01")
        for x in v:
            _value_key(x, out)
        return
    else:
        out.append(_OBJECT + len(v).to_bytes(4, "big"))
        for k in sorted(v, key=_key):
            out.append(_string_key(k))
            _value_key(v[k], out)
        return
    if top:  # a document that is one scalar: PostgreSQL's raw scalar, an array of one
        out.append(_ARRAY + (1).to_bytes(4, "big") + b"\x00")
    out.append(key)


def sort_key(text: str | None) -> bytes | None:
    """The bytes of a jsonb document that order as PostgreSQL orders jsonb (above)."""
    if text is None:
        return None
    out: list[bytes] = []
    _value_key(_parse(text), out, top=True)
    return b"".join(out)


def _pretty(v: Any, depth: int) -> str:
    pad, inner = "    " * depth, "    " * (depth + 1)
    if isinstance(v, list):
        if not v:
            return "[\n" + pad + "]"
        return "[\n" + ",\n".join(inner + _pretty(x, depth + 1) for x in v) + "\n" + pad + "]"
    if isinstance(v, dict):
        if not v:
            return "{\n" + pad + "}"
        items = sorted(v.items(), key=lambda kv: _key(kv[0]))
        body = ",\n".join(f"{inner}{_string(k)}: {_pretty(x, depth + 1)}" for k, x in items)
        return "{\n" + body + "\n" + pad + "}"
    return _render(v)


def pretty(text: str | None) -> str | None:
    """jsonb_pretty: four spaces a level, PostgreSQL's layout."""
    if text is None:
        return None
    return _pretty(_parse(text), 0)


# ---------------------------------------------------------------- jsonb functions over its text

_TYPES = {
    list: "array",
    dict: "object",
    str: "string",
    bool: "boolean",
    type(None): "null",
    _Number: "number",
}


def _kind(v: Any) -> str:
    return _TYPES.get(type(v), "number")


def typeof(text: str | None) -> str | None:
    return None if text is None else _kind(_parse(text))


def array_length(text: str | None) -> int | None:
    if text is None:
        return None
    v = _parse(text)
    if not isinstance(v, list):
        raise ValueError(
            f"cannot get array length of a {'scalar' if not isinstance(v, dict) else 'non-array'}"
        )
    return len(v)


def object_keys(text: str | None) -> list[str] | None:
    if text is None:
        return None
    v = _parse(text)
    if not isinstance(v, dict):
        raise ValueError(
            f"cannot call jsonb_object_keys on {'an array' if isinstance(v, list) else 'a scalar'}"
        )
    return sorted(v, key=_key)


def _array(text: str, fn: str) -> list[Any]:
    v = _parse(text)
    if not isinstance(v, list):
        raise ValueError(f"cannot extract elements from {'an object' if isinstance(v, dict) else 'a scalar'}")
    return v


def _as_text(v: Any) -> str | None:
    """A value as the *_text functions give it: a string unquoted, null as SQL NULL."""
    if v is None:
        return None
    return v if isinstance(v, str) and not isinstance(v, _Number) else _render(v)


def elements(text: str | None) -> list[str] | None:
    return None if text is None else [_render(x) for x in _array(text, "jsonb_array_elements")]


def elements_text(text: str | None) -> list[str | None] | None:
    return None if text is None else [_as_text(x) for x in _array(text, "jsonb_array_elements_text")]


def _object(text: str, fn: str) -> dict[str, Any]:
    v = _parse(text)
    if not isinstance(v, dict):
        raise ValueError(f"cannot call {fn} on a non-object")
    return v


def each(text: str | None) -> list[dict[str, Any]] | None:
    if text is None:
        return None
    v = _object(text, "jsonb_each")
    return [{"key": k, "value": _render(v[k])} for k in sorted(v, key=_key)]


def each_text(text: str | None) -> list[dict[str, Any]] | None:
    if text is None:
        return None
    v = _object(text, "jsonb_each_text")
    return [{"key": k, "value": _as_text(v[k])} for k in sorted(v, key=_key)]


# ---------------------------------------------------------------- jsonb operators


def _text_array(text: str) -> list[str | None]:
    """A text[] operand: PostgreSQL's array text ('{a,b}'), or a JSON array (a list the rewrite
    passed through to_json)."""
    s = text.strip()
    if s.startswith("["):
        out = json.loads(s)
    else:
        try:
            out = parse_array_text(s, lambda x: x)
        except ArraySyntaxError:
            raise ValueError(f'22P02: malformed array literal: "{text}"') from None
    if any(isinstance(x, list) for x in out):
        raise ValueError("2202E: wrong number of array subscripts")
    return out


def _at_path(text: str, path: str) -> Any:
    v = _parse(text)
    for step in _text_array(path):
        if step is None:
            return _MISSING
        if isinstance(v, dict):
            if step not in v:
                return _MISSING
            v = v[step]
        elif isinstance(v, list):
            try:
                i = int(step)
            except ValueError:
                return _MISSING
            if i < 0:
                i += len(v)
            if not 0 <= i < len(v):
                return _MISSING
            v = v[i]
        else:
            return _MISSING
    return v


_MISSING = object()


def path(text: str | None, steps: str | None) -> str | None:
    """jsonb #> text[]."""
    if text is None or steps is None:
        return None
    v = _at_path(text, steps)
    return None if v is _MISSING else _render(v)


def path_text(text: str | None, steps: str | None) -> str | None:
    """jsonb #>> text[]."""
    if text is None or steps is None:
        return None
    v = _at_path(text, steps)
    return None if v is _MISSING else _as_text(v)


_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")


def _json_member(text: str, k: Any) -> str | None:
    """The text of a json's field k (str; the last of a duplicate, as PostgreSQL's json ->) or
    element k (int; from the end when negative), as written: PostgreSQL's json keeps its text."""
    i = _WS.match(text, 0).end()
    opener = text[i : i + 1]
    if not (
        (opener == "{" and isinstance(k, str))
        or (opener == "[" and isinstance(k, int) and not isinstance(k, bool))
    ):
        return None
    i = _WS.match(text, i + 1).end()
    found: str | None = None
    spans: list[tuple[int, int]] = []
    while text[i : i + 1] not in ("}", "]", ""):
        name = None
        if opener == "{":
            name, i = _DECODER.raw_decode(text, i)
            i = _WS.match(text, i).end() + 1  # the colon
            i = _WS.match(text, i).end()
        _, end = _DECODER.raw_decode(text, i)
        if opener == "{" and name == k:
            found = text[i:end]
        spans.append((i, end))
        i = _WS.match(text, end).end()
        if text[i : i + 1] == ",":
            i = _WS.match(text, i + 1).end()
    if opener == "[":
        n = k + len(spans) if k < 0 else k
        return text[spans[n][0] : spans[n][1]] if 0 <= n < len(spans) else None
    return found


def _json_top(text: str, each: bool, fn: str) -> list[tuple[str | None, str]]:
    """The top-level members of a json object (each: (key, the value's text as written), every
    duplicate in its place) or elements of an array ((None, text)): json_each's and
    json_array_elements' rows, with PostgreSQL's errors for the other kinds."""
    v = _parse(text)  # (invalid json: 22P02, as PostgreSQL's json input says)
    if each and not isinstance(v, dict):
        raise ValueError(
            "cannot deconstruct an array as an object"
            if isinstance(v, list)
            else "cannot deconstruct a scalar"
        )
    if not each and not isinstance(v, list):
        raise ValueError(f"cannot call {fn} on {'a non-array' if isinstance(v, dict) else 'a scalar'}")
    out: list[tuple[str | None, str]] = []
    i = _WS.match(text, _WS.match(text, 0).end() + 1).end()
    while text[i : i + 1] not in ("}", "]", ""):
        name = None
        if each:
            name, i = _DECODER.raw_decode(text, i)
            i = _WS.match(text, _WS.match(text, i).end() + 1).end()  # (the colon)
        _, end = _DECODER.raw_decode(text, i)
        out.append((name, text[i:end]))
        i = _WS.match(text, end).end()
        if text[i : i + 1] == ",":
            i = _WS.match(text, i + 1).end()
    return out


def _json_text(value: str) -> str | None:
    """A json member as the *_text functions give it: a string unquoted, null as NULL, anything
    else its text as written."""
    if value == "null":
        return None
    return json.loads(value) if value.startswith('"') else value


def json_each(text: str | None) -> list[dict[str, Any]] | None:
    """json_each(json): (key, value) per member in the order written, duplicates kept, each
    value's text as written (PostgreSQL's json is its text)."""
    if text is None:
        return None
    return [{"key": k, "value": v} for k, v in _json_top(text, True, "json_each")]


def json_each_text(text: str | None) -> list[dict[str, Any]] | None:
    if text is None:
        return None
    return [{"key": k, "value": _json_text(v)} for k, v in _json_top(text, True, "json_each_text")]


def json_elements(text: str | None) -> list[str] | None:
    """json_array_elements(json): each element's text as written."""
    if text is None:
        return None
    return [v for _, v in _json_top(text, False, "json_array_elements")]


def json_elements_text(text: str | None) -> list[str | None] | None:
    if text is None:
        return None
    return [_json_text(v) for _, v in _json_top(text, False, "json_array_elements_text")]


def json_arrow(text: str | None, key: str | None) -> str | None:
    """json -> key (key as to_json wrote it): the member's text as written."""
    if text is None or key is None:
        return None
    try:
        return _json_member(text, json.loads(key))
    except (ValueError, IndexError) as e:
        raise ValueError(f"invalid input syntax for type json\n{e}") from None


def json_arrow_text(text: str | None, key: str | None) -> str | None:
    """json ->> key: a string unquoted, null as NULL, anything else its text as written."""
    v = json_arrow(text, key)
    if v is None or v == "null":
        return None
    return json.loads(v) if v.startswith('"') else v


def json_path(text: str | None, steps: str | None) -> str | None:
    """json #> text[]: the member's text as written (PostgreSQL's json keeps its text), each step
    a field of an object or an element of an array (from the end when negative)."""
    if text is None or steps is None:
        return None
    cur: str | None = text
    for step in _text_array(steps):
        if step is None or cur is None:
            return None
        opener = cur[_WS.match(cur, 0).end() :][:1]
        if opener == "[":
            try:
                k: Any = int(step.strip())
            except ValueError:
                return None
        else:
            k = step
        try:
            cur = _json_member(cur, k)
        except (ValueError, IndexError) as e:
            raise ValueError(f"invalid input syntax for type json\n{e}") from None
    return cur


def json_path_text(text: str | None, steps: str | None) -> str | None:
    """json #>> text[]: a string unquoted, null as NULL, anything else its text as written."""
    v = json_path(text, steps)
    if v is None or v.strip() == "null":
        return None
    v = v.strip()
    return json.loads(v) if v.startswith('"') else v


def arrow_text(text: str | None, key: str | None) -> str | None:
    """jsonb ->> key: key as to_json wrote it (a JSON string: an object's field; a number: an
    array's element, from the end when negative); an object or array in jsonb's text."""
    if text is None or key is None:
        return None
    v, k = _parse(text), json.loads(key)
    if isinstance(k, str) and isinstance(v, dict):
        return _as_text(v[k]) if k in v else None
    if isinstance(k, int) and not isinstance(k, bool) and isinstance(v, list):
        i = k + len(v) if k < 0 else k
        return _as_text(v[i]) if 0 <= i < len(v) else None
    return None


def _contains(a: Any, b: Any, top: bool = False) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and all(k in a and _contains(a[k], x) for k, x in b.items())
    if isinstance(a, list):
        if isinstance(b, list):
            return all(any(_contains(y, x) for y in a) for x in b)
        # a top-level array contains a scalar (PostgreSQL's one exception)
        return top and not isinstance(b, dict) and any(_scalar_eq(y, b) for y in a)
    return _scalar_eq(a, b)


def _scalar_eq(a: Any, b: Any) -> bool:
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    if isinstance(a, _Number) and isinstance(b, _Number):
        return Decimal(a) == Decimal(b)
    return type(a) is type(b) and a == b


def contains(a: str | None, b: str | None) -> bool | None:
    """jsonb @> jsonb (and <@ with the operands swapped)."""
    if a is None or b is None:
        return None
    return _contains(_parse(a), _parse(b), top=True)


def _has(v: Any, key: str) -> bool:
    if isinstance(v, dict):
        return key in v
    if isinstance(v, list):
        return any(isinstance(x, str) and not isinstance(x, _Number) and x == key for x in v)
    return isinstance(v, str) and not isinstance(v, _Number) and v == key


def exists(text: str | None, key: str | None) -> bool | None:
    """jsonb ? text: a key of the object, or a string of the array."""
    if text is None or key is None:
        return None
    return _has(_parse(text), key)


def exists_any(text: str | None, keys: str | None) -> bool | None:
    if text is None or keys is None:
        return None
    v = _parse(text)
    return any(k is not None and _has(v, k) for k in _text_array(keys))


def exists_all(text: str | None, keys: str | None) -> bool | None:
    if text is None or keys is None:
        return None
    v = _parse(text)
    return all(k is not None and _has(v, k) for k in _text_array(keys))


# ---------------------------------------------------------------- jsonb || jsonb and the editing operators


def _concat(x: Any, y: Any) -> Any:
    """PostgreSQL's jsonb || jsonb: two objects merge (the right one's keys win), two arrays
    concatenate, anything else is concatenated as arrays (a non-array as an array of one)."""
    if isinstance(x, dict) and isinstance(y, dict):
        return {**x, **y}
    return (x if isinstance(x, list) else [x]) + (y if isinstance(y, list) else [y])


def concat(a: str | None, b: str | None) -> str | None:
    """jsonb || jsonb."""
    if a is None or b is None:
        return None
    return _render(_concat(_parse(a), _parse(b)))


# The classes of an operand of ||, as the rewrite (pgcompat.jsonb) and the macros below tell
# them: jsonb, text, an untyped literal or parameter (it takes the other operand's type, as
# PostgreSQL's unknown), another type (an array, bytea, a number), one whose type cannot be
# known when DuckDB picks a macro (an aggregate, a window function, a parameter in an expression),
# text that came out of a jsonb (text || jsonb), an operand pair PostgreSQL refuses, and json (not
# jsonb: it has no ||, @>, <@, -; json || text is text with json's own text).
JSONB, TEXT, UNKNOWN, OTHER, UNTYPED, MIXED, REFUSED, JSON = "J", "T", "L", "O", "X", "M", "E", "S"
_CLASS_TYPES = {
    JSONB: "BIT",
    TEXT: "UUID",
    UNKNOWN: "INTERVAL",
    OTHER: "BOOLEAN",
    UNTYPED: "TIME",
    MIXED: "BLOB",
    REFUSED: "DATE",
    JSON: "UHUGEINT",
}  # (types no other of them casts to implicitly: the macros' overloads match one exactly)


def fold(left: str, right: str) -> str:
    """The class of left || right (PostgreSQL's operator resolution, one step of a chain)."""
    pair = {left, right}
    if REFUSED in pair:
        return REFUSED
    if MIXED in pair:
        return MIXED  # text with jsonb's text in it: text || anything is text
    if JSON in pair:
        other = right if left == JSON else left
        # json || text, json || 'lit': text (anynonarray || text); json || json, json || jsonb,
        # json || integer: no such operator
        return TEXT if other in (TEXT, UNKNOWN) else REFUSED
    if JSONB in pair:
        other = right if left == JSONB else left
        if other in (JSONB, UNKNOWN):
            return JSONB
        if other == TEXT:
            return MIXED  # jsonb || text and text || jsonb: text (anynonarray || text)
        return REFUSED  # jsonb || int[], jsonb || bytea, or an operand of unknown type
    if UNTYPED in pair:
        return TEXT if TEXT in pair else UNTYPED
    if pair == {OTHER}:
        return OTHER
    return TEXT  # text || text, 'lit' || 'lit', 'lit' || 5


def class_literal(c: str) -> str:
    """The constant that stands for a class in the macros' arguments."""
    return f"CAST(NULL AS {_CLASS_TYPES[c]})"


_CLASS_NAMES = {JSONB: "jsonb", JSON: "json", TEXT: "text", UNKNOWN: "unknown"}
_TYPE_WORDS = _CLASS_NAMES


def refusal(left: str, right: str) -> str:
    """The error of left || right where fold says REFUSED: 'SQLSTATE: message[\\nhint]'."""
    kind = "json" if JSON in (left, right) else "jsonb"
    if UNTYPED in (left, right):
        return (
            f"0A000: {kind} || an operand whose type DuckCDB cannot tell (an aggregate, a window function "
            "or an expression holding a parameter)\nCast that operand: ::jsonb (or ::text for text)"
        )
    if left in _CLASS_NAMES and right in _CLASS_NAMES:
        return f"42883: operator does not exist: {_CLASS_NAMES[left]} || {_CLASS_NAMES[right]}"
    return f"42883: operator does not exist: {kind} || a value that is neither jsonb nor text"


def chain(spec: str | None, parts: list[str | None] | None) -> str | None:
    """o1 || o2 || ... as PostgreSQL evaluates it, from the left: spec holds each operand's
    class, parts its text (a jsonb or text value). Its result here is jsonb or text as text."""
    if spec is None or parts is None or len(spec) != len(parts):
        raise ValueError("internal error: jsonb || chain")
    cls, val = spec[0], parts[0]
    for c, v in zip(spec[1:], parts[1:], strict=True):
        nxt = fold(cls, c)
        if nxt == REFUSED:
            raise ValueError(refusal(cls, c))
        if val is None or v is None:
            val = None
        elif nxt == JSONB:
            val = _render(_concat(_parse(val), _parse(v)))
        else:  # text: a jsonb operand as jsonb prints it
            left = _render(_parse(val)) if cls == JSONB else val
            right = _render(_parse(v)) if c == JSONB else v
            val = left + right
        cls = nxt
    return val


def _key_json(key: str) -> Any:
    """The right operand of jsonb - x, as to_json wrote it: a string, an integer or a text[]."""
    try:
        return json.loads(key)
    except ValueError:
        return key


def _delete(v: Any, k: Any) -> Any:
    if isinstance(k, str):  # jsonb - text: a key of the object, the matching strings of the array
        if isinstance(v, dict):
            return {kk: x for kk, x in v.items() if kk != k}
        if isinstance(v, list):
            return [x for x in v if not (isinstance(x, str) and not isinstance(x, _Number) and x == k)]
        raise ValueError("cannot delete from scalar")
    if isinstance(k, list):  # jsonb - text[]
        for x in k:
            if x is not None:
                if not isinstance(x, str):
                    x = json.dumps(x)
                v = _delete(v, x)
        return v
    if isinstance(k, bool) or not isinstance(k, int):
        raise ValueError("42883: operator does not exist: jsonb - " + _pg_type_of(k))
    if isinstance(v, dict):  # jsonb - integer
        raise ValueError("cannot delete from object using integer index")
    if not isinstance(v, list):
        raise ValueError("cannot delete from scalar")
    i = k + len(v) if k < 0 else k
    return v if not 0 <= i < len(v) else v[:i] + v[i + 1 :]


def _pg_type_of(k: Any) -> str:
    if isinstance(k, dict) or k is True or k is False:
        return "jsonb"
    return "numeric" if isinstance(k, float) else "unknown"


def minus(text: str | None, key: str | None) -> str | None:
    """jsonb - text, jsonb - integer, jsonb - text[] (the right operand as to_json wrote it)."""
    if text is None or key is None:
        return None
    return _render(_delete(_parse(text), _key_json(key)))


def _path_steps(path: str) -> list[str | None]:
    """A text[] path: PostgreSQL's array text, a JSON array (a list), or a JSON string of array text."""
    s = path.strip()
    if s.startswith('"'):
        s = json.loads(s)
    return [x if x is None or isinstance(x, str) else json.dumps(x) for x in _text_array(s)]


def _edit(v: Any, steps: list[str | None], level: int, op: str, new: Any, flag: bool) -> Any:
    """One level of jsonb_set (op "set", flag: create_if_missing), jsonb_insert ("insert", flag:
    insert_after) and #- ("delete"), as PostgreSQL's setPath walks it."""
    step = steps[level]
    if step is None:
        raise ValueError(f"22004: path element at position {level + 1} is null")
    last = level == len(steps) - 1
    creating = op == "insert" or (op == "set" and flag)
    if isinstance(v, dict):
        if step not in v:
            return {**v, step: new} if last and creating else v
        if not last:
            return {**v, step: _edit(v[step], steps, level + 1, op, new, flag)}
        if op == "insert":
            raise ValueError(
                "cannot replace existing key\nTry using the function jsonb_set to replace key value."
            )
        if op == "delete":
            return {k: x for k, x in v.items() if k != step}
        return {**v, step: new}
    if not isinstance(v, list):
        return v  # a scalar inside the document: left as it is
    try:
        i = int(step.strip())
    except ValueError:
        raise ValueError(f'22P02: path element at position {level + 1} is not an integer: "{step}"') from None
    n = len(v)
    j: int | None = (i + n if -i <= n else None) if i < 0 else min(i, n)  # None: before the first
    if not last:
        return (
            v if j is None or j >= n else v[:j] + [_edit(v[j], steps, level + 1, op, new, flag)] + v[j + 1 :]
        )
    if j is None:
        return [new, *v] if creating else v
    if j == n:
        return [*v, new] if creating else v
    if op == "delete":
        return v[:j] + v[j + 1 :]
    if op == "set":
        return v[:j] + [new] + v[j + 1 :]
    k = j + 1 if flag else j
    return v[:k] + [new] + v[k:]


def delete_path(text: str | None, path: str | None) -> str | None:
    """jsonb #- text[]."""
    if text is None or path is None:
        return None
    v = _parse(text)
    steps = _path_steps(path)
    if not isinstance(v, (dict, list)):
        raise ValueError("cannot delete path in scalar")
    return _render(_edit(v, steps, 0, "delete", None, False) if steps else v)


def jsonb_set(text: str | None, path: str | None, new: str | None, create: bool | None) -> str | None:
    """jsonb_set(target, path, new_value[, create_if_missing]) (strict: NULL gives NULL)."""
    if text is None or path is None or new is None or create is None:
        return None
    v = _parse(text)
    steps = _path_steps(path)
    if not isinstance(v, (dict, list)):
        raise ValueError("cannot set path in scalar")
    return _render(_edit(v, steps, 0, "set", _parse(new), create) if steps else v)


def jsonb_insert(text: str | None, path: str | None, new: str | None, after: bool | None) -> str | None:
    """jsonb_insert(target, path, new_value[, insert_after])."""
    if text is None or path is None or new is None or after is None:
        return None
    v = _parse(text)
    steps = _path_steps(path)
    if not isinstance(v, (dict, list)):
        raise ValueError("cannot set path in scalar")
    return _render(_edit(v, steps, 0, "insert", _parse(new), after) if steps else v)


def build_object(items: list[str | None] | None) -> str | None:
    """jsonb_build_object(k1, v1, ...): items alternate keys (as text) and values (jsonb text from
    __pg_jval, None for SQL NULL); the last of a duplicate key wins, as in jsonb."""
    items = items or []
    if len(items) % 2:
        raise ValueError(
            "22023: argument list must have even number of elements\n"
            "The arguments of jsonb_build_object() must consist of alternating keys and values."
        )
    out: dict[str, Any] = {}
    for n in range(0, len(items), 2):
        key, value = items[n], items[n + 1]
        if key is None:
            raise ValueError(f"22023: argument {n + 1}: key must not be null")
        out[key] = None if value is None else _parse(value)
    return _render(out)


_FLOAT_WORDS = {"nan": '"NaN"', "inf": '"Infinity"', "-inf": '"-Infinity"', "infinity": '"Infinity"',
                "-infinity": '"-Infinity"'}  # fmt: skip


def float_json(text: str | None, switch: int | None) -> str | None:
    """A float4 / float8 (its shortest text, as DuckDB casts it to VARCHAR) as to_json writes it:
    PostgreSQL's float text (exponent form where the exponent is < -4 or >= 6 / 15, at least two
    exponent digits), NaN and the infinities as JSON strings."""
    if text is None or switch is None:
        return None
    word = _FLOAT_WORDS.get(text.strip().lower())
    if word is not None:
        return word
    d = Decimal(text).normalize()
    sign, digits, exp = d.as_tuple()
    assert isinstance(exp, int)
    e = len(digits) + exp - 1
    if d.is_zero() or -4 <= e < switch:
        return format(d, "f")
    mantissa = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if len(digits) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{'-' if e < 0 else '+'}{abs(e):02d}"


def json_row(names: list[str] | None, values: list[str | None] | None) -> str | None:
    """A row as PostgreSQL's row_to_json / to_json writes a composite: '{"a":1,"b":"x"}' (no
    spaces), each value's JSON text as __pg_jval wrote it, null for NULL."""
    if names is None or values is None:
        return None
    return (
        "{"
        + ",".join(f"{_string(k)}:{'null' if v is None else v}" for k, v in zip(names, values, strict=True))
        + "}"
    )


def pretty_array(text: str | None, pretty: bool | None) -> str | None:
    """array_to_json(a, pretty): with pretty, a line feed and a space after each top-level
    element's comma ('[[1,2],\n [3,4]]')."""
    if text is None or pretty is None:
        return None
    if not pretty:
        return text
    return "[" + ",\n ".join(v for _, v in _json_top(text, False, "array_to_json")) + "]"


def pretty_row(text: str | None, pretty: bool | None) -> str | None:
    """row_to_json(r, pretty): with pretty, a line feed and a space after each top-level field's
    comma, as PostgreSQL writes it ('{"f1":1,\n "f2":"a"}')."""
    if text is None or pretty is None:
        return None
    if not pretty:
        return text
    return "{" + ",\n ".join(f"{_string(k or '')}:{v}" for k, v in _json_top(text, True, "row_to_json")) + "}"


def build_array(items: list[str | None] | None) -> str | None:
    """jsonb_build_array(v1, ...): values as __pg_jval wrote them."""
    return _render([None if v is None else _parse(v) for v in items or []])


def json_build_object(items: list[str | None] | None) -> str | None:
    """json_build_object(k1, v1, ...) as PostgreSQL's json prints it: '{"k" : v, "k2" : v2}',
    each value's JSON text as __pg_jval wrote it (a json value keeps its text), every key kept
    (json keeps duplicates)."""
    items = items or []
    if len(items) % 2:
        raise ValueError(
            "22023: argument list must have even number of elements\n"
            "The arguments of json_build_object() must consist of alternating keys and values."
        )
    pairs = []
    for n in range(0, len(items), 2):
        key, value = items[n], items[n + 1]
        if key is None:
            raise ValueError(f"22023: argument {n + 1} cannot be null\nObject keys should be text.")
        pairs.append(f"{_string(key)} : {'null' if value is None else value}")
    return "{" + ", ".join(pairs) + "}"


def json_build_array(items: list[str | None] | None) -> str | None:
    """json_build_array(v1, ...) as PostgreSQL's json prints it: '[v1, v2]'."""
    return "[" + ", ".join("null" if v is None else v for v in items or []) + "]"


def refuse(message: str | None) -> bool:
    """An error the macros below raise where PostgreSQL has no such operator."""
    raise ValueError(message)


# name -> (function, result type[, argument count]): the engine registers each on its DuckDB
# (register()); their arguments are VARCHAR.
FUNCTIONS: dict[str, tuple[Any, ...]] = {
    "pg_jsonb": (normalize, "JSON"),
    "pg_jsonb_pretty": (pretty, "VARCHAR"),
    "pg_jsonb_typeof": (typeof, "VARCHAR"),
    "pg_jsonb_array_length": (array_length, "INTEGER"),
    "pg_jsonb_object_keys": (object_keys, "VARCHAR[]"),
    "pg_jsonb_array_elements": (elements, "JSON[]"),
    "pg_jsonb_array_elements_text": (elements_text, "VARCHAR[]"),
    "pg_jsonb_each": (each, "STRUCT(key VARCHAR, value JSON)[]"),
    "pg_jsonb_each_text": (each_text, "STRUCT(key VARCHAR, value VARCHAR)[]"),
    "pg_jsonb_path": (path, "JSON", 2),
    "pg_jsonb_path_text": (path_text, "VARCHAR", 2),
    "pg_jsonb_arrow_text": (arrow_text, "VARCHAR", 2),
    "pg_json_arrow": (json_arrow, "JSON", 2),
    "pg_json_arrow_text": (json_arrow_text, "VARCHAR", 2),
    "pg_json_path": (json_path, "JSON", 2),
    "pg_json_each": (json_each, "STRUCT(key VARCHAR, value JSON)[]"),
    "pg_json_each_text": (json_each_text, "STRUCT(key VARCHAR, value VARCHAR)[]"),
    "pg_json_array_elements": (json_elements, "JSON[]"),
    "pg_json_array_elements_text": (json_elements_text, "VARCHAR[]"),
    "pg_json_path_text": (json_path_text, "VARCHAR", 2),
    "pg_jsonb_contains": (contains, "BOOLEAN", 2),
    "pg_jsonb_contained": (lambda a, b: contains(b, a), "BOOLEAN", 2),
    "pg_jsonb_exists": (exists, "BOOLEAN", 2),
    "pg_jsonb_exists_any": (exists_any, "BOOLEAN", 2),
    "pg_jsonb_exists_all": (exists_all, "BOOLEAN", 2),
    "pg_jsonb_concat": (concat, "JSON", 2),
    "pg_jsonb_minus": (minus, "JSON", 2),
    "pg_jsonb_delete_path": (delete_path, "JSON", 2),
    "pg_jsonb_refuse": (refuse, "BOOLEAN"),
    "pg_jsonb_sortkey": (sort_key, "BLOB"),
}
# and with other argument types: name -> (function, argument types, result type)
TYPED: dict[str, tuple[Any, list[str], str]] = {
    "pg_jsonb_chain": (chain, ["VARCHAR", "VARCHAR[]"], "JSON"),
    "pg_jsonb_build_object": (build_object, ["VARCHAR[]"], "JSON"),
    "pg_jsonb_build_array": (build_array, ["VARCHAR[]"], "JSON"),
    "pg_json_build_object": (json_build_object, ["VARCHAR[]"], "JSON"),
    "pg_json_build_array": (json_build_array, ["VARCHAR[]"], "JSON"),
    "pg_json_row": (json_row, ["VARCHAR[]", "VARCHAR[]"], "JSON"),
    "pg_json_pretty_row": (pretty_row, ["VARCHAR", "BOOLEAN"], "JSON"),
    "pg_json_pretty_array": (pretty_array, ["VARCHAR", "BOOLEAN"], "JSON"),
    "pg_json_float": (float_json, ["VARCHAR", "INTEGER"], "VARCHAR"),
    "pg_jsonb_chain_text": (chain, ["VARCHAR", "VARCHAR[]"], "VARCHAR"),
    "pg_jsonb_set": (jsonb_set, ["VARCHAR", "VARCHAR", "VARCHAR", "BOOLEAN"], "JSON"),
    "pg_jsonb_insert": (jsonb_insert, ["VARCHAR", "VARCHAR", "VARCHAR", "BOOLEAN"], "JSON"),
}


def register(con: Any) -> None:
    """The pg_jsonb functions on a DuckDB connection (its cursors see them)."""
    for name, (fn, result, *arity) in FUNCTIONS.items():
        args = ["VARCHAR"] * (arity[0] if arity else 1)
        con.create_function(name, fn, args, result, null_handling="special", side_effects=False)
    for name, (fn, args, result) in TYPED.items():
        con.create_function(name, fn, args, result, null_handling="special", side_effects=False)


# ---------------------------------------------------------------- the operators DuckDB binds by type
# The rewrite (pgcompat.jsonb.dispatch) cannot see a column's type; DuckDB's binder can, and picks a
# typed macro overload by its arguments' types. Every type casts to JSON implicitly, so no overload
# takes a JSON argument for a value: an operand x is classified by __pg_jcls(x) -- JSON by the
# (JSON, VARCHAR) overload, VARCHAR by (VARCHAR, VARCHAR), anything else by neither -- into a NULL of
# a type that stands for its class (_CLASS_TYPES); the other macros take those exactly. An argument
# used only to pick an overload is never evaluated.

CLS = "__pg_jcls"  # (x): the class of x
CLS_JSON = "__pg_jclsjson"  # (x): the class of an x the engine knows is json (engine.declared)
FOLD = "__pg_jfold"  # (class, class): the class of their ||
LETTER = "__pg_jletter"  # (class): its letter, for pg_jsonb_chain's spec
PICK = "__pg_jpick"  # (class of the chain, native chain, spec, parts)
MINUS = "__pg_jminus"  # (class of x, x, y, x, y): x - y (the copies: engine.pgmath)
CONTAINS = "__pg_jcontains"  # (class of x, class of y, x, y): x @> y
SORT = "__pg_jsort"  # (class of x, x): x's ORDER BY key (jsonb's order for a jsonb)


def _t(c: str) -> str:
    return _CLASS_TYPES[c]


# A value as to_json, to_jsonb, json_build_* and jsonb_build_* take it, as JSON text: a numeric as
# numeric prints it (DuckDB's to_json drops a DECIMAL's trailing zeros: 1.50 -> 1.5), a bare
# numeric (pgwire.types.is_bare_numeric) without its fixed scale's zeros as DuckCDB sends it,
# a JSON value as it is (to_json would print it again), a timestamp in ISO 8601 as PostgreSQL
# writes it ("2024-01-01T10:00:00", with time zone "+00:00"), anything else as DuckDB's to_json
# writes it. typeof(x) is a constant: DuckDB folds the CASE.
VALUE = "__pg_jval"
_BARE = ", ".join(
    f"'DECIMAL({UNCONSTRAINED_NUMERIC_PRECISION},{s})'"
    for s in range(UNCONSTRAINED_NUMERIC_SCALE, UNCONSTRAINED_NUMERIC_PRECISION + 1)
)
# (an array of numerics: its text's elements, compact, NULL as null, a bare numeric's without
# its fixed scale's zeros; a bytea: PostgreSQL's hex text, "\\x0102", not DuckDB's escapes)
_BARE_ARRAYS = ", ".join(f"{t[:-1]}[]'" for t in _BARE.split(", "))
_NUMERIC_ARRAY = "replace(replace(CAST(x AS VARCHAR), ', ', ','), 'NULL', 'null')"
_VALUE_MACRO = (
    f"CREATE OR REPLACE TEMP MACRO {VALUE}(x) AS CASE"
    f" WHEN typeof(x) IN ({_BARE}) THEN rtrim(rtrim(CAST(x AS VARCHAR), '0'), '.')"
    f" WHEN typeof(x) IN ({_BARE_ARRAYS}) THEN regexp_replace(regexp_replace({_NUMERIC_ARRAY},"
    " '([.][0-9]*[1-9])0+([],])', '\\1\\2', 'g'), '[.]0+([],])', '\\1', 'g')"
    f" WHEN typeof(x) LIKE 'DECIMAL(%]' THEN {_NUMERIC_ARRAY}"
    " WHEN typeof(x) = 'BLOB' THEN CAST(to_json('\\x' || lower(hex(CAST(CAST(x AS VARCHAR) AS BLOB)))) AS VARCHAR)"
    " WHEN typeof(x) LIKE 'DECIMAL(%' OR typeof(x) = 'JSON' THEN CAST(x AS VARCHAR)"
    " WHEN typeof(x) IN ('DOUBLE', 'FLOAT') THEN pg_json_float(CAST(x AS VARCHAR), CASE WHEN typeof(x) = 'FLOAT'"
    " THEN 6 ELSE 15 END)"
    " WHEN typeof(x) LIKE 'TIMESTAMP%]' THEN regexp_replace(regexp_replace(CAST(to_json(x) AS VARCHAR),"
    " '\"([0-9-]+) ', '\"\\1T', 'g'), '([+-][0-9][0-9])\"', '\\1:00\"', 'g')"
    " WHEN typeof(x) LIKE 'TIMESTAMP%' THEN CAST(to_json(regexp_replace(regexp_replace(CAST(x AS VARCHAR),"
    " ' ', 'T'), '([+-][0-9][0-9])$', '\\1:00')) AS VARCHAR)"
    " ELSE CAST(to_json(x) AS VARCHAR) END;"
)


def _jsonb_macros() -> str:
    classes = list(_CLASS_TYPES)
    # coalesce(x, '') is VARCHAR for an ENUM (which would take the JSON overload: the JSON
    # extension makes a cast to JSON cost one less than to VARCHAR), and x's own type otherwise
    out = [
        f"CREATE OR REPLACE TEMP MACRO {CLS}_of(a JSON, b VARCHAR) AS {class_literal(JSONB)}, "
        f"(a VARCHAR, b VARCHAR) AS {class_literal(TEXT)}, (a, b) AS {class_literal(OTHER)};",
        f"CREATE OR REPLACE TEMP MACRO {CLS}(x) AS {CLS}_of(coalesce(x, ''), coalesce(x, ''));",
    ]
    # a class the rewrite sees in an operand's tokens: __pg_jJ(), __pg_jL(), ...
    out += [f"CREATE OR REPLACE TEMP MACRO __pg_j{c}() AS {class_literal(c)};" for c in classes]
    # __pg_jcls(x) of an x that is json, not jsonb (engine.declared.jsonb_calls)
    out.append(f"CREATE OR REPLACE TEMP MACRO {CLS_JSON}(x) AS {class_literal(JSON)};")
    over = [f"(a {_t(x)}, b {_t(y)}) AS {class_literal(fold(x, y))}" for x in classes for y in classes]
    out.append(f"CREATE OR REPLACE TEMP MACRO {FOLD}" + ", ".join(over) + ";")
    over = [f"(a {_t(x)}) AS '{x}'" for x in classes]
    out.append(f"CREATE OR REPLACE TEMP MACRO {LETTER}" + ", ".join(over) + ";")
    out.append(_operators(PICK, MINUS, CONTAINS))
    out.append(_VALUE_MACRO)

    # jsonb's - of a table's column that is not jsonb (engine.declared.jsonb_calls): a json's is
    # PostgreSQL's 42883, any other type's as jsonb's minus macro computes it: DuckDB's
    # own - (3 arguments: x - $1), or the - picked as any other's (5: engine.pgmath's overflow check)
    # (its operand's class is JSON where engine.declared knows it is json: __pg_jclsjson)
    no_minus = _no_minus("y")
    out.append(
        f"CREATE OR REPLACE TEMP MACRO __pg_jsonminus(c {_t(JSONB)}, x, y) AS {no_minus},"
        f" (c {_t(JSON)}, x, y) AS {no_minus}, (c, x, y) AS x - y,"
        f" (c {_t(JSONB)}, a, b, x, y) AS {no_minus}, (c {_t(JSON)}, a, b, x, y) AS {no_minus},"
        f" {', '.join(_DIFFERENCE)};"
    )
    # an ORDER BY key that is jsonb where its operands are (engine.declared: || and - of jsonb):
    # (__pg_jcls(x), x) -> jsonb's order (sort_key), x's own for any other class
    out.append(
        f"CREATE OR REPLACE TEMP MACRO {SORT}(c {_t(JSONB)}, x) AS pg_jsonb_sortkey(CAST(x AS VARCHAR)), (c, x) AS x;"
    )
    # typeof(x) of a jsonb column (engine.declared.jsonb_calls: pg_typeof says jsonb)
    out.append(
        "CREATE OR REPLACE TEMP MACRO __pg_typeof_jsonb(x) AS CASE WHEN typeof(x) = 'JSON' THEN 'JSONB'"
        " WHEN typeof(x) LIKE 'JSON[]%' THEN 'JSONB' || substr(typeof(x), 5) ELSE typeof(x) END;"
    )
    return "\n".join(out)


# (c, a, b, x, y): x - y of operands that are not jsonb, picked by a and b as every other - is
# (engine.pgmath's __pg_sub): DuckDB's own but for floats, whose overflow is PostgreSQL's 22003
# rather than Infinity. Typed by the class too: a JSON x would take a VARCHAR overload before
# the jsonb one.
_DIFFERENCE = [*pgmath.arithmetic_overloads("-", f"c {_t(OTHER)}, "), "(c, a, b, x, y) AS x - y"]


def _no_minus(y: str) -> str:
    """json - y: PostgreSQL's 42883 (json has no -), naming y's type."""
    return (
        f"pg_jsonb_refuse('42883: operator does not exist: json - ' || CASE WHEN typeof({y}) = 'VARCHAR'"
        f" THEN 'unknown' WHEN typeof({y}) = 'INTEGER' THEN 'integer' ELSE lower(typeof({y})) END)"
    )


def _operators(pick: str, minus: str, contains: str) -> str:
    """The macros the rewrite calls for ||, - and @>, under these names."""
    # the chain: jsonb -> pg_jsonb_chain, text holding a jsonb -> its text, refused -> its error,
    # else DuckDB's own || on the operands as written
    over = [
        f"(c {_t(JSONB)}, n, s, p) AS pg_jsonb_chain(s, p)",
        f"(c {_t(REFUSED)}, n, s, p) AS pg_jsonb_chain(s, p)",
        f"(c {_t(MIXED)}, n, s, p) AS pg_jsonb_chain_text(s, p)",
        "(c, n, s, p) AS n",
    ]
    out = [f"CREATE OR REPLACE TEMP MACRO {pick}" + ", ".join(over) + ";"]
    delete = "pg_jsonb_minus(CAST(x AS VARCHAR), CAST(to_json(y) AS VARCHAR))"
    no_minus = _no_minus("y")
    over = [f"(c {_t(JSONB)}, x, y) AS {delete}", f"(c {_t(JSON)}, x, y) AS {no_minus}", "(c, x, y) AS x - y"]
    over += [
        f"(c {_t(JSONB)}, a, b, x, y) AS {delete}",
        f"(c {_t(JSON)}, a, b, x, y) AS {no_minus}",
        *_DIFFERENCE,
    ]
    out.append(f"CREATE OR REPLACE TEMP MACRO {minus}" + ", ".join(over) + ";")
    jc = "pg_jsonb_contains(CAST(x AS VARCHAR), CAST(y AS VARCHAR))"
    bad = "pg_jsonb_refuse('42883: operator does not exist: jsonb @> a value that is not jsonb')"
    over = [
        f"(a {_t(JSONB)}, b {_t(JSONB)}, x, y) AS {jc}",
        f"(a {_t(JSONB)}, b {_t(UNKNOWN)}, x, y) AS {jc}",
        f"(a {_t(UNKNOWN)}, b {_t(JSONB)}, x, y) AS {jc}",
        *(f"(a {_t(JSONB)}, b {_t(c)}, x, y) AS {bad}" for c in (TEXT, OTHER, UNTYPED)),
        *(f"(a {_t(c)}, b {_t(JSONB)}, x, y) AS {bad}" for c in (TEXT, OTHER, UNTYPED)),
        # json has no @> / <@ (nor jsonb @> json)
        *(
            f"(a {_t(p)}, b {_t(q)}, x, y) AS pg_jsonb_refuse('42883: operator does not exist:"
            f" {_TYPE_WORDS.get(p, 'a value')} @> {_TYPE_WORDS.get(q, 'a value')}')"
            for p in _CLASS_TYPES
            for q in _CLASS_TYPES
            if JSON in (p, q)
        ),
        "(a, b, x, y) AS x @> y",
    ]
    out.append(f"CREATE OR REPLACE TEMP MACRO {contains}" + ", ".join(over) + ";")
    return "\n".join(out)


# The lazy family (__pg_jlpick, __pg_jlminus, __pg_jlcontains): what the rewrite calls when the
# statement's text holds nothing JSON (no cast, function or literal of it), so that only a JSON
# column can make an operand jsonb. While the PDB has no JSON column they are DuckDB's own
# operators (untyped macros: nothing more to bind); once it has one, the typed macros above.
# engine.session switches them (HAS_JSON, read again after DDL).
LAZY = "__pg_jl"


def lazy_macros(json_columns: bool) -> str:
    """The lazy family: the typed macros' copies, or DuckDB's own operators (no JSON column)."""
    names = (f"{LAZY}pick", f"{LAZY}minus", f"{LAZY}contains")
    if json_columns:
        return _operators(*names)
    bodies = ("(c, n, s, p) AS n", ", ".join(["(c, x, y) AS x - y", *_DIFFERENCE]), "(a, b, x, y) AS x @> y")
    return "\n".join(f"CREATE OR REPLACE TEMP MACRO {n}{b};" for n, b in zip(names, bodies, strict=True))


HAS_JSON = "SELECT count(*) > 0 FROM duckdb_columns() WHERE data_type LIKE '%JSON%'"
MACROS = _jsonb_macros() + "\n" + lazy_macros(True)
