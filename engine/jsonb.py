"""jsonb's text as PostgreSQL prints it, for the engine's DuckDB (a scalar function, pg_jsonb).

PostgreSQL parses jsonb into its binary form and prints that: object keys sorted by length, then
bytes; a duplicate key keeps its last value; numbers as numeric prints them (1e2 is 100, 1.50
stays 1.50); ", " and ": " between items. DuckDB's JSON keeps the text as written, so the
rewrites (pgcompat.rewrite.jsonb_type) pass every jsonb cast and jsonb-returning function
through pg_jsonb. jsonb_pretty's layout is pg_jsonb_pretty.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.codec.pgarray import ArraySyntaxError, parse_array_text


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


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _string(s: str) -> str:
    out = ['"']
    for ch in s:
        e = _ESCAPES.get(ch)
        if e is not None:
            out.append(e)
        elif ch < " ":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _parse(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_float=_number, parse_int=_number)
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
            raise ValueError(f'malformed array literal: "{text}"') from None
    if any(isinstance(x, list) for x in out):
        raise ValueError("wrong number of array subscripts")
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
    "pg_jsonb_contains": (contains, "BOOLEAN", 2),
    "pg_jsonb_contained": (lambda a, b: contains(b, a), "BOOLEAN", 2),
    "pg_jsonb_exists": (exists, "BOOLEAN", 2),
    "pg_jsonb_exists_any": (exists_any, "BOOLEAN", 2),
    "pg_jsonb_exists_all": (exists_all, "BOOLEAN", 2),
}


def register(con: Any) -> None:
    """The pg_jsonb functions on a DuckDB connection (its cursors see them)."""
    for name, (fn, result, *arity) in FUNCTIONS.items():
        args = ["VARCHAR"] * (arity[0] if arity else 1)
        con.create_function(name, fn, args, result, null_handling="special", side_effects=False)
