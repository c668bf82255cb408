"""Binary-format encoders (PostgreSQL's typsend): Arrow array -> Arrow binary array of wire values.

Fixed-width types are converted with numpy big-endian views; numeric and arrays are per-value.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Callable

import numpy as np
import pyarrow as pa

from engine.codec import _arrow as A
from engine.codec.numeric import bignum_binary, is_bignum, numeric_binary
from engine.codec.temporal import (
    DATE_INF,
    PG_EPOCH_DAYS,
    PG_EPOCH_US,
    TS_INF,
    interval_parts,
    time_us,
    timestamp_us,
    timetz_parts,
)
from engine.codec.text import EncodeContext, bpchar_padded, is_list_type, list_parts, text_of
from pgwire import types as oids

BinaryEncoder = Callable[[pa.Array, EncodeContext], pa.Array]

_STRINGS = (pa.string(), pa.large_string())


def _big_endian(v: np.ndarray, be_dtype: str, arr: pa.Array) -> pa.Array:
    raw = v.astype(be_dtype).view(np.uint8)
    return A.fixed_binary(raw, np.dtype(be_dtype).itemsize, A.validity(arr), len(arr))


def _numeric_to(arrow_type: pa.DataType, be_dtype: str) -> BinaryEncoder:
    native = np.dtype(be_dtype).newbyteorder("=")

    def encode(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
        if arr.type != arrow_type:
            arr = A.cast(arr, arrow_type)
        return _big_endian(A.values(arr, native), be_dtype, arr)

    return encode


def bool_binary(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    if arr.type != pa.bool_():
        arr = A.cast(arr, pa.bool_())
    return A.fixed_binary(A.bool_values(arr).astype(np.uint8), 1, A.validity(arr), len(arr))


def raw_binary(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    """text/varchar/json/bytea: the bytes themselves (non-string types go through their text)."""
    t = arr.type
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or t in _STRINGS:
        return A.as_binary(arr)
    return A.as_binary(text_of(arr, ctx))


def bpchar_binary(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    """char(n): its text, blank-padded to n (engine.codec.text.bpchar_padded)."""
    return raw_binary(bpchar_padded(A.as_string(arr), ctx), ctx)


def jsonb_binary(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    return A.join(b"\x01", A.as_binary(text_of(arr, ctx)))  # jsonb_send: version byte 1 + jsonb's text


def _from_text(arr: pa.Array, arrow_type: pa.DataType) -> pa.Array:
    """Columns a caller CAST to VARCHAR come back as strings: parse them with Arrow."""
    return A.cast(arr, arrow_type) if arr.type in _STRINGS else arr


def date_binary(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    arr = _from_text(arr, pa.date32())
    if arr.type != pa.date32():
        arr = A.cast(arr, pa.date32())
    days = A.values(arr, np.int32).astype(np.int64)
    pg = np.where(days == DATE_INF, 2**31 - 1, np.where(days == -DATE_INF, -(2**31), days - PG_EPOCH_DAYS))
    return _big_endian(pg, ">i4", arr)


def time_binary(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    arr = _from_text(arr, pa.time64("us"))
    return _big_endian(time_us(arr), ">i8", arr)


_TIMETZ_BE = np.dtype([("us", ">i8"), ("zone", ">i4")])


def timetz_binary(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    """timetz_send: int64 local microseconds, int32 zone in seconds WEST of UTC."""
    us, tz, valid = timetz_parts(arr)
    out = np.empty(len(us), dtype=_TIMETZ_BE)
    out["us"] = us
    out["zone"] = -tz
    return A.fixed_binary(out.view(np.uint8), 12, valid, len(us))


def timestamp_binary(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    arr = _from_text(arr, pa.timestamp("us"))
    us = timestamp_us(arr)
    with np.errstate(over="ignore"):
        pg = np.where(us == TS_INF, TS_INF, np.where(us == -TS_INF, -(2**63), us - PG_EPOCH_US))
    return _big_endian(pg, ">i8", arr)


_INTERVAL_BE = np.dtype([("us", ">i8"), ("days", ">i4"), ("months", ">i4")])


def interval_binary(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    months, days, us = interval_parts(arr)
    out = np.empty(len(arr), dtype=_INTERVAL_BE)
    out["us"], out["days"], out["months"] = us, days, months
    return A.fixed_binary(out.view(np.uint8), 16, A.validity(arr), len(arr))


_HEX_VALUE = np.zeros(256, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _HEX_VALUE[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    _HEX_VALUE[_c] = 10 + _i
_UUID_HEX_COLS = np.array([i for i in range(36) if i not in (8, 13, 18, 23)])


def uuid_binary(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    t = arr.type
    if pa.types.is_fixed_size_binary(t) and t.byte_width == 16:
        return A.cast(arr, pa.binary())
    if pa.types.is_binary(t):
        return arr
    arr = A.as_string(arr) if t not in _STRINGS else arr
    mat, lens = A.to_matrix(arr)
    vm = A.valid_mask(arr)
    ok = lens == 36 if vm is None else (lens == 36) | ~vm
    if mat.shape[1] != 36 or not ok.all():
        # Per-value fallback for non-canonical spellings (DuckDB always prints the canonical form).
        vals = [None if s is None else uuid.UUID(s).bytes for s in arr.to_pylist()]
        return pa.array(vals, pa.binary())
    nib = _HEX_VALUE[mat[:, _UUID_HEX_COLS]]
    raw = (nib[:, 0::2] << 4) | nib[:, 1::2]
    return A.fixed_binary(np.ascontiguousarray(raw).reshape(-1), 16, A.validity(arr), len(arr))


def numeric_encoder(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    if is_bignum(arr.type):
        return bignum_binary(arr)
    return numeric_binary(arr)


# ---- arrays (per value: rare) ---------------------------------------------------------------------

_ARRAY_HEADER = struct.Struct(">iii")
_DIM = struct.Struct(">ii")


def array_binary(arr: pa.Array, ctx: EncodeContext) -> pa.Array:
    """array_send: ndim, has-null flag, element OID, (size, lower bound 1) per dim, elements."""
    from engine.codec.registry import get_encoder

    elem_oid = oids.ELEMENT_OF[ctx.pg_type.oid]
    levels: list[np.ndarray] = []
    child: pa.Array = arr
    while is_list_type(child.type):
        offs, child = list_parts(child)
        levels.append(offs)
    elem_ctx = ctx.element()
    cells_of = get_encoder(elem_oid, 1)(child, elem_ctx)
    elem_offs = A.offsets(cells_of).astype(np.int64)
    elem_lens = np.diff(elem_offs)
    evm = A.valid_mask(cells_of)
    if evm is not None:
        elem_lens = np.where(evm, elem_lens, -1)
    # One contiguous run of (length, bytes) cells per leaf element, so a row is one slice of it.
    prefix = A.fixed_binary(elem_lens.astype(">i4").view(np.uint8), 4, None, len(elem_lens))
    cells = A.join(prefix, A.as_binary(cells_of), null_as=b"")
    cell_offs = A.offsets(cells).astype(np.int64)
    cell_data = A.data(cells)
    null_cum = np.concatenate([[0], np.cumsum(elem_lens < 0)])
    vm = A.valid_mask(arr)
    out: list[bytes | None] = []
    # Per-value fallback: the row loop assembles headers around precomputed element runs.
    for i in range(len(arr)):
        if vm is not None and not vm[i]:
            out.append(None)
            continue
        start, end = int(levels[0][i]), int(levels[0][i + 1])
        dims = [end - start]
        for lv in levels[1:]:
            if dims[-1] == 0:
                break
            sizes = np.diff(lv[start : end + 1])
            if not (sizes == sizes[0]).all():
                from engine.codec.errors import EncodeError

                raise EncodeError(
                    "2202E", "multidimensional arrays must have array expressions with matching dimensions"
                )
            dims.append(int(sizes[0]))
            start, end = int(lv[start]), int(lv[end])
        if 0 in dims:
            out.append(_ARRAY_HEADER.pack(0, 0, elem_oid))
            continue
        has_null = int(null_cum[end] - null_cum[start] > 0)
        head = _ARRAY_HEADER.pack(len(dims), has_null, elem_oid) + b"".join(_DIM.pack(d, 1) for d in dims)
        out.append(head + cell_data[cell_offs[start] : cell_offs[end]].tobytes())
    return pa.array(out, pa.binary())


BINARY_ENCODERS: dict[int, BinaryEncoder] = {
    oids.BOOL: bool_binary,
    oids.INT2: _numeric_to(pa.int16(), ">i2"),
    oids.INT4: _numeric_to(pa.int32(), ">i4"),
    oids.INT8: _numeric_to(pa.int64(), ">i8"),
    oids.OID: _numeric_to(pa.uint32(), ">u4"),
    oids.FLOAT4: _numeric_to(pa.float32(), ">f4"),
    oids.FLOAT8: _numeric_to(pa.float64(), ">f8"),
    oids.NUMERIC: numeric_encoder,
    oids.TEXT: raw_binary,
    oids.VARCHAR: raw_binary,
    oids.BPCHAR: bpchar_binary,
    oids.NAME: raw_binary,
    oids.CHAR: raw_binary,
    oids.JSON: raw_binary,
    oids.JSONB: jsonb_binary,
    oids.BYTEA: raw_binary,
    oids.DATE: date_binary,
    oids.TIME: time_binary,
    oids.TIMETZ: timetz_binary,
    oids.TIMESTAMP: timestamp_binary,
    oids.TIMESTAMPTZ: timestamp_binary,
    oids.INTERVAL: interval_binary,
    oids.UUID: uuid_binary,
}
for _elem, _arr in oids.ARRAY_OF.items():
    if _elem in BINARY_ENCODERS:
        BINARY_ENCODERS[_arr] = array_binary
