"""Text-format encoders: an Arrow array -> an Arrow string/binary array of PostgreSQL output text.

Everything here is vectorized (Arrow compute / numpy) except the rare types marked per-value.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine import jsonb
from engine.codec import _arrow as A
from engine.codec.floats import float_text
from engine.codec.numeric import bignum_text, decimal_text, is_bignum
from engine.codec.temporal import (
    date_text,
    interval_text,
    time_text,
    timestamp_text,
    timestamptz_text,
    timetz_text,
)
from pgwire import types as oids


@dataclass(frozen=True)
class EncodeContext:
    """What an encoder needs besides the values: the PG type being produced and the session zone."""

    pg_type: oids.PgType
    timezone: str = "UTC"

    def element(self) -> EncodeContext:
        elem = oids.ELEMENT_OF.get(self.pg_type.oid, oids.TEXT)
        return EncodeContext(oids.pg_type(elem, self.pg_type.typmod), self.timezone)


TEXTISH = frozenset(
    {
        oids.TEXT,
        oids.VARCHAR,
        oids.BPCHAR,
        oids.NAME,
        oids.CHAR,
        oids.JSON,
        oids.JSONB,
        oids.UNKNOWN,
        oids.UUID,
    }
)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def bool_text(arr: pa.Array) -> pa.Array:
    raw = np.where(A.bool_values(arr), np.uint8(ord("t")), np.uint8(ord("f")))
    return A.as_string(A.fixed_binary(raw, 1, A.validity(arr), len(arr)))


def bytea_text(arr: pa.Array) -> pa.Array:
    """'\\x' + lowercase hex, as bytea_output = 'hex'."""
    arr = A.as_binary(arr)
    offs = A.offsets(arr).astype(np.int64)
    raw = A.data(arr)[offs[0] : offs[-1]]
    hexed = np.empty(2 * len(raw), dtype=np.uint8)
    hexed[0::2] = _HEX[raw >> 4]
    hexed[1::2] = _HEX[raw & 15]
    body = A.from_offsets(2 * (offs - offs[0]), hexed, A.validity(arr), string=True)
    return A.join(b"\\x", body)


def _binary_text(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    return A.as_binary(arr) if ctx.pg_type.oid in TEXTISH else bytea_text(arr)


def _time_text(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    return timetz_text(arr) if ctx.pg_type.oid == oids.TIMETZ else time_text(arr)


def _struct_text(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    # a timetz comes as {us, tz} (engine.timetz), a record as its fields
    return timetz_text(arr) if ctx.pg_type.oid == oids.TIMETZ else _record_text(arr, ctx)


def _list_text(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    # A list sent as plain text (its elements have no PostgreSQL type) reads as DuckDB prints it.
    return array_text(arr, ctx) if oids.is_array(ctx.pg_type.oid) else _python_text(arr)


def _pick(t: pa.DataType) -> Callable[[pa.Array, EncodeContext], pa.Array]:
    """The text encoder for values of Arrow type `t`."""
    if pa.types.is_dictionary(t):
        return lambda arr, ctx: text_of(A.cast(arr, t.value_type), ctx)
    if is_bignum(t):
        return lambda arr, ctx: bignum_text(arr)
    if isinstance(t, pa.BaseExtensionType):
        return lambda arr, ctx: text_of(arr.storage, ctx)
    if t == pa.string() or t == pa.large_string():
        return lambda arr, ctx: arr
    if pa.types.is_string_view(t):
        return lambda arr, ctx: A.cast(arr, pa.string())
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        return _binary_text
    if pa.types.is_fixed_size_binary(t):
        return lambda arr, ctx: _binary_text(A.cast(arr, pa.binary()), ctx)
    if pa.types.is_boolean(t):
        return lambda arr, ctx: bool_text(arr)
    if pa.types.is_integer(t):
        return lambda arr, ctx: A.cast(arr, pa.string())
    if t == pa.float16():
        return lambda arr, ctx: float_text(A.cast(arr, pa.float32()))
    if pa.types.is_floating(t):
        return lambda arr, ctx: float_text(arr)
    if pa.types.is_decimal(t):
        return lambda arr, ctx: decimal_text(arr)
    if pa.types.is_date(t):
        return lambda arr, ctx: date_text(arr)
    if pa.types.is_time(t):
        return _time_text
    if pa.types.is_timestamp(t):
        if t.tz is not None:
            return lambda arr, ctx: timestamptz_text(arr, ctx.timezone)
        return lambda arr, ctx: timestamp_text(arr)
    if t == pa.month_day_nano_interval():
        return lambda arr, ctx: interval_text(arr)
    if is_list_type(t):
        return _list_text
    if pa.types.is_struct(t):
        return _struct_text
    if pa.types.is_null(t):
        return lambda arr, ctx: pa.nulls(len(arr), pa.string())
    return lambda arr, ctx: _python_text(arr)


_DISPATCH: dict[pa.DataType, Callable[[pa.Array, EncodeContext], pa.Array]] = {}


def text_of(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    """PostgreSQL output text of each value (string or binary array; nulls stay null)."""
    fn = _DISPATCH.get(arr.type)
    if fn is None:
        fn = _DISPATCH[arr.type] = _pick(arr.type)
    if ctx.pg_type.oid == oids.JSONB:  # a jsonb, or an element of a jsonb[]
        return jsonb_text(fn(arr, ctx))
    if ctx.pg_type.oid == oids.BPCHAR:
        return bpchar_padded(fn(arr, ctx), ctx)
    return fn(arr, ctx)


def bpchar_padded(texts: pa.Array, ctx: EncodeContext) -> pa.Array:
    """A char(n) column's values blank-padded to n, as PostgreSQL sends them (DuckCDB keeps them
    without their trailing blanks: engine.bpchar)."""
    n = ctx.pg_type.typmod - 4
    if n < 1:
        return texts
    return pc.utf8_rpad(A.as_string(texts), width=n, padding=" ")


def _jsonb_out(text: str) -> str:
    try:
        return jsonb.normalize(text) or ""
    except ValueError:  # not JSON (cannot come out of DuckDB's JSON): sent as it is
        return text


def jsonb_text(texts: pa.Array) -> pa.Array:
    """jsonb's output text, as PostgreSQL prints it (engine.jsonb: keys by length then bytes,
    ", " and ": "), whatever text DuckDB holds or prints for the value: a column keeps the text
    as inserted, and DuckDB's JSON operators and functions (->, ->>, json_agg...) print it
    compact. Per value (Python): only jsonb columns pay for it."""
    values = A.as_string(texts).to_pylist()
    return pa.array([None if v is None else _jsonb_out(v) for v in values], pa.string())


# ---- records ------------------------------------------------------------------------------------

# record_out quotes empty strings and anything with "\(), or whitespace; " and \ are doubled.
_RECORD_NEEDS_QUOTE = pc.MatchSubstringOptions(r'^$|["\\(),\s]')
_RECORD_ESCAPE = pc.ReplaceSubstringOptions(r'(["\\])', r"\1\1")


def _record_text(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    """A STRUCT as PostgreSQL's record text: (1,a), (,"b c") with a NULL first field."""
    fields: list[pa.Array] = []
    for i in range(arr.type.num_fields):
        child = arr.field(i)
        # a list field is a PostgreSQL array ({1,2}), a struct field a record; elements are
        # encoded by their own Arrow types
        kind = (
            oids.TEXT_ARRAY
            if is_list_type(child.type)
            else oids.RECORD
            if pa.types.is_struct(child.type)
            else oids.TEXT
        )
        texts = A.as_string(text_of(child, EncodeContext(oids.pg_type(kind), ctx.timezone)))
        needs = A.call("match_substring_regex", texts, options=_RECORD_NEEDS_QUOTE)
        quoted = A.join(b'"', A.call("replace_substring_regex", texts, options=_RECORD_ESCAPE), b'"')
        texts = A.call("if_else", needs, quoted, texts)
        fields.append(texts)
    parts: list[Any] = [b"("]
    for i, f in enumerate(fields):
        if i:
            parts.append(b",")
        parts.append(f)
    parts.append(b")")
    # a NULL field is nothing between its commas
    body = A.join(*parts, null_as=b"") if fields else pa.array(["()"] * len(arr), pa.string())
    return A.with_validity(A.as_string(body), A.validity(arr))


# ---- arrays -------------------------------------------------------------------------------------


# Element texts of these Arrow types never contain a character that array_out would quote.
def _never_quoted(t: pa.DataType) -> bool:
    return (
        pa.types.is_integer(t)
        or pa.types.is_floating(t)
        or pa.types.is_decimal(t)
        or pa.types.is_boolean(t)
        or pa.types.is_date(t)
        or pa.types.is_time(t)
    )


# array_out quotes empty strings, "NULL" in any case, and anything with {}",\ or whitespace.
_NEEDS_QUOTE = pc.MatchSubstringOptions(r'^$|^[Nn][Uu][Ll][Ll]$|[{}",\\ \t\n\r\x0b\f]')
_ESCAPE = pc.ReplaceSubstringOptions(r'(["\\])', r"\\\1")


def quote_elements(texts: pa.Array) -> pa.Array:
    texts = A.as_string(texts)
    needs = A.call("match_substring_regex", texts, options=_NEEDS_QUOTE)
    if not A.call("any", needs).as_py():
        return texts
    escaped = A.call("replace_substring_regex", texts, options=_ESCAPE)
    return A.call("if_else", needs, A.join(b'"', escaped, b'"'), texts)


def is_list_type(t: pa.DataType) -> bool:
    return pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)


def list_parts(arr: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """(n+1 offsets into child, child) of a list / large list / fixed-size list array."""
    if pa.types.is_fixed_size_list(arr.type):
        size = arr.type.list_size
        offs = np.arange(arr.offset, arr.offset + len(arr) + 1, dtype=np.int64) * size
        return offs, arr.values
    return A.offsets(arr).astype(np.int64), arr.values


def array_text(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    """'{1,2,NULL}', '{"a b",NULL}', '{{1,2},{3,4}}' for list arrays, nested to any depth."""
    offs, child = list_parts(arr)
    is_nested = is_list_type(child.type)
    elems = A.as_string(text_of(child, ctx if is_nested else ctx.element()))
    if not is_nested and not _never_quoted(child.type):
        elems = quote_elements(elems)
    if elems.null_count:
        elems = A.call("coalesce", elems, pa.scalar("NULL", elems.type))
    if elems.type == pa.large_string():
        elems = A.cast(elems, pa.string())
    mask = A.call("is_null", arr) if arr.null_count else None
    lists = pa.ListArray.from_arrays(pa.array(offs.astype(np.int32)), elems, mask=mask)
    joined = A.call("binary_join", lists, pa.scalar(","))
    return A.join(b"{", joined, b"}")


# ---- everything else: per-value fallback (structs, maps, unions: rare) --------------------------


def _py_text(v: Any) -> str:
    """DuckDB's VARCHAR rendering of nested values: {'a': 1, 'b': x}, {k=v}, [1, 2]."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "{" + ", ".join(f"'{k}': {_py_text(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        if v and all(isinstance(x, tuple) and len(x) == 2 for x in v):
            return "{" + ", ".join(f"{_py_text(k)}={_py_text(x)}" for k, x in v) + "}"
        return "[" + ", ".join(_py_text(x) for x in v) + "]"
    if isinstance(v, bytes):
        return "".join(chr(b) if 32 <= b < 127 and b != 92 else f"\\x{b:02X}" for b in v)
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time, decimal.Decimal)):
        return str(v)
    return str(v)


def _python_text(arr: pa.Array) -> pa.Array:
    # Per-value fallback for STRUCT/MAP/UNION columns (better: CAST them to VARCHAR in SQL).
    return pa.array([None if v is None else _py_text(v) for v in arr.to_pylist()], pa.string())
