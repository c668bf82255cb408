"""COPY FROM STDIN data -> an Arrow table.

text/csv give string columns (unescaped; NULL as null) for the caller to CAST to the target types;
binary gives typed columns. Text and CSV are split by pyarrow.csv (C++); PostgreSQL's backslash
escapes of the text format are undone with numpy over each column's bytes, only for columns that
contain a backslash. Binary COPY decodes per value (acceptable: it is rare).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from engine.codec import _arrow as A
from engine.codec.decode_binary import BINARY_DECODERS, timetz_parts
from engine.codec.decode_text import TEXT_DECODERS, DecodeContext
from engine.codec.errors import CopyError
from engine.codec.pgarray import parse_array_binary
from engine.codec.temporal import timetz_spelling
from pgwire import types as oids
from pgwire.types import PgType

_BINARY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_COUNT_RE = re.compile(r"Expected (\d+) columns, got (\d+)")
_SIMPLE_ESCAPES = {ord("b"): 8, ord("f"): 12, ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("v"): 11}


def copy_in_to_arrow(
    data: bytes,
    columns: list[tuple[str, PgType]],
    fmt: str,
    delimiter: str | None = None,
    null: str | None = None,
    quote: str = '"',
    escape: str | None = None,
    header: bool = False,
) -> pa.Table:
    """Parse a whole COPY FROM STDIN payload (the concatenated CopyData bytes)."""
    names = [name for name, _ in columns]
    if fmt == "binary":
        return _binary(data, columns)
    if fmt not in ("text", "csv"):
        raise CopyError("42601", f'COPY format "{fmt}" not recognized')
    csv = fmt == "csv"
    delim = delimiter if delimiter is not None else ("," if csv else "\t")
    null_str = null if null is not None else ("" if csv else "\\N")
    if len(delim.encode()) != 1:
        raise CopyError("0A000", "COPY delimiter must be a single one-byte character")
    data = _strip_end_marker(data)
    if not names:
        return pa.table({})
    if not data:
        return _empty(names)
    if len(names) > 1 and _has_empty_line(data, header, csv and quote.encode() in data):
        # pyarrow pads an empty line with empty values; PostgreSQL reads one empty field.
        raise CopyError("22P04", f'missing data for column "{names[1]}"')
    if csv:
        table = _read(data, names, delim, null_str, header, quote=quote, escape=escape)
        return table
    markers: dict[int, int] = {}
    if b"\\" + delim.encode() in data or b"\\\n" in data or b"\\\r" in data:
        data, markers = _protect_escaped(data, delim.encode())
    table = _read(data, names, delim, null_str, header, quote=None, escape=None)
    cols = [_unescape(table.column(i).combine_chunks(), markers) for i in range(table.num_columns)]
    return pa.table(cols, names=names)


def _empty(names: list[str]) -> pa.Table:
    return pa.table([pa.array([], pa.string()) for _ in names], names=names)


def _has_empty_line(data: bytes, header: bool, quoted: bool) -> bool:
    if quoted:  # a blank line may sit inside a quoted CSV value; leave those to the parser
        return False
    body = data.split(b"\n", 1)[1] if header and b"\n" in data else data
    return body.startswith((b"\n", b"\r\n")) or b"\n\n" in body or b"\n\r\n" in body


def _strip_end_marker(data: bytes) -> bytes:
    r"""Drop the '\.' end-of-data line and anything after it."""
    if data.startswith((b"\\.\n", b"\\.\r")) or data == b"\\.":
        return b""
    m = re.search(rb"\n\\\.(?:\r?\n|$)", data)
    return data[: m.start() + 1] if m else data


def _read(
    data: bytes, names: list[str], delim: str, null: str, header: bool, quote: str | None, escape: str | None
) -> pa.Table:
    read = pacsv.ReadOptions(
        column_names=names, skip_rows=1 if header else 0, block_size=max(1 << 20, min(len(data) + 1, 1 << 30))
    )
    if quote is None:
        parse = pacsv.ParseOptions(
            delimiter=delim, quote_char=False, escape_char=False, ignore_empty_lines=False
        )
    else:
        parse = pacsv.ParseOptions(
            delimiter=delim,
            quote_char=quote,
            double_quote=escape is None or escape == quote,
            escape_char=escape if escape and escape != quote else False,
            newlines_in_values=True,
            ignore_empty_lines=False,
        )
    convert = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names},
        null_values=[null],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    try:
        return pacsv.read_csv(
            pa.py_buffer(data), read_options=read, parse_options=parse, convert_options=convert
        )
    except pa.ArrowInvalid as exc:
        raise _csv_error(str(exc), names) from None


def _csv_error(message: str, names: list[str]) -> CopyError:
    m = _COUNT_RE.search(message)
    if m:
        got = int(m.group(2))
        if got > len(names):
            return CopyError("22P04", "extra data after last expected column")
        return CopyError("22P04", f'missing data for column "{names[got]}"')
    if "UTF8" in message or "utf8" in message.lower():
        return CopyError("22021", 'invalid byte sequence for encoding "UTF8"')
    return CopyError("22P04", message)


def _escape_starters(buf: np.ndarray, boundary: np.ndarray | None) -> np.ndarray:
    """Backslashes that begin an escape: even positions in each run of consecutive backslashes."""
    is_bs = buf == 0x5C
    n = len(buf)
    idx = np.arange(n)
    prev = np.zeros(n, dtype=bool)
    prev[1:] = is_bs[:-1]
    if boundary is not None:
        prev &= ~boundary[:n]
    begin = is_bs & ~prev
    run_start = np.maximum.accumulate(np.where(begin, idx, 0))
    return is_bs & ((idx - run_start) % 2 == 0)


def _protect_escaped(data: bytes, delim: bytes) -> tuple[bytes, dict[int, int]]:
    r"""Swap escaped delimiters/newlines for unused bytes so the splitter sees only real ones."""
    buf = np.frombuffer(data, dtype=np.uint8).copy()
    starters = _escape_starters(buf, None)
    escaped = np.zeros(len(buf), dtype=bool)
    escaped[1:] = starters[:-1]
    present = np.bincount(buf, minlength=256)
    free = [b for b in (*range(1, 9), *range(14, 32)) if present[b] == 0 and b != delim[0]]
    markers: dict[int, int] = {}
    for original in (delim[0], 0x0A, 0x0D):
        hit = escaped & (buf == original)
        if hit.any():
            if not free:
                raise CopyError("22P04", "cannot parse escaped delimiters in this COPY data")
            marker = free.pop(0)
            buf[hit] = marker
            markers[marker] = original
    return buf.tobytes(), markers


def _unescape(col: pa.Array, markers: dict[int, int]) -> pa.Array:
    """PostgreSQL text-format de-escaping of a string column, vectorized over its bytes."""
    if col.null_count == len(col) or not A.call("any", A.call("match_substring", col, options=_BS)).as_py():
        return col
    offs = A.offsets(col).astype(np.int64)
    buf = A.data(col)[offs[0] : offs[-1]].copy()
    offs = offs - offs[0]
    n = len(buf)
    boundary = np.zeros(n + 1, dtype=bool)
    boundary[offs] = True
    starters = _escape_starters(buf, boundary)
    starters[n - 1 :] &= False
    starters[:-1] &= ~boundary[1:n]  # a backslash ending its field escapes nothing
    keep = ~starters
    s = np.flatnonzero(starters)
    nxt = s + 1
    c = buf[nxt]

    def same_field(pos: np.ndarray) -> np.ndarray:
        inside = pos < n
        inside[inside] &= ~boundary[pos[inside]]
        return inside

    def octal(pos: np.ndarray) -> np.ndarray:
        ok = same_field(pos)
        ok[ok] &= (buf[pos[ok]] >= 0x30) & (buf[pos[ok]] <= 0x37)
        return ok

    def hexval(pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ok = same_field(pos)
        v = np.zeros(len(pos), dtype=np.int64)
        ch = buf[np.minimum(pos, n - 1)].astype(np.int64)
        dig = (ch >= 0x30) & (ch <= 0x39)
        low = (ch | 0x20) - 0x61
        alpha = (low >= 0) & (low < 6)
        v = np.where(dig, ch - 0x30, low + 10)
        return ok & (dig | alpha), v

    out = buf.copy()
    for code, value in _SIMPLE_ESCAPES.items():
        out[nxt[c == code]] = value
    # \ooo: up to three octal digits
    o1 = (c >= 0x30) & (c <= 0x37)
    o2 = o1 & octal(s + 2)
    o3 = o2 & octal(s + 3)
    val = np.where(o1, c.astype(np.int64) - 0x30, 0)
    val = np.where(o2, val * 8 + buf[np.minimum(s + 2, n - 1)] - 0x30, val)
    val = np.where(o3, val * 8 + buf[np.minimum(s + 3, n - 1)] - 0x30, val)
    out[nxt[o1]] = (val[o1] & 0xFF).astype(np.uint8)
    keep[(s + 2)[o2]] = False
    keep[(s + 3)[o3]] = False
    # \xh or \xhh
    is_x = c == ord("x")
    h1, v1 = hexval(s + 2)
    h1 &= is_x
    h2, v2 = hexval(s + 3)
    h2 &= h1
    hv = np.where(h2, v1 * 16 + v2, v1)
    out[nxt[h1]] = hv[h1].astype(np.uint8)
    keep[(s + 2)[h1]] = False
    keep[(s + 3)[h2]] = False
    for marker, original in markers.items():
        out[out == marker] = original
    dropped = np.concatenate([[0], np.cumsum(~keep)])
    new_offs = offs - dropped[offs]
    result = A.from_offsets(new_offs, out[keep], A.validity(col), string=True)
    try:
        result.validate(full=True)
    except pa.ArrowInvalid as exc:
        raise CopyError("22021", 'invalid byte sequence for encoding "UTF8"') from exc
    return result


_BS = pc.MatchSubstringOptions("\\")


# ---- binary (per value: rare) ------------------------------------------------------------------------


def _arrow_type(t: PgType) -> pa.DataType | None:
    oid = t.oid
    elem = oids.ELEMENT_OF.get(oid)
    if elem is not None:
        inner = _arrow_type(oids.pg_type(elem, t.typmod))
        return None if inner is None else pa.list_(inner)
    if oid == oids.NUMERIC:
        if t.typmod >= 4:
            p, s = (t.typmod - 4) >> 16, (t.typmod - 4) & 0xFFFF
            return pa.decimal128(min(max(p, 1), 38), s)
        return None
    return _ARROW_TYPES.get(oid, pa.string())


_ARROW_TYPES: dict[int, pa.DataType] = {
    oids.BOOL: pa.bool_(),
    oids.INT2: pa.int16(),
    oids.INT4: pa.int32(),
    oids.INT8: pa.int64(),
    oids.OID: pa.int64(),
    oids.FLOAT4: pa.float32(),
    oids.FLOAT8: pa.float64(),
    oids.BYTEA: pa.binary(),
    oids.DATE: pa.date32(),
    oids.TIME: pa.time64("us"),
    oids.TIMESTAMP: pa.timestamp("us"),
    oids.TIMESTAMPTZ: pa.timestamp("us", tz="UTC"),
    oids.INTERVAL: pa.month_day_nano_interval(),
}


def _value(oid: int, raw: bytes) -> Any:
    if oid == oids.INTERVAL:
        us, days, months = struct.unpack(">qii", raw)
        return pa.MonthDayNano([months, days, us * 1000])
    if oid in oids.ELEMENT_OF:
        return parse_array_binary(raw, _value)
    if oid == oids.TIMETZ:
        return timetz_spelling(*timetz_parts(raw))
    v = BINARY_DECODERS[oid](raw)
    return str(v) if oid == oids.UUID else v


def _binary(data: bytes, columns: list[tuple[str, PgType]]) -> pa.Table:
    mv = memoryview(data)
    if bytes(mv[:11]) != _BINARY_SIGNATURE:
        raise CopyError("22P04", "COPY file signature not recognized")
    try:
        _flags, ext = struct.unpack_from(">ii", mv, 11)
        pos = 19 + ext
        ncols = len(columns)
        values: list[list[Any]] = [[] for _ in columns]
        col_oids = [t.oid if t.oid in BINARY_DECODERS else oids.TEXT for _, t in columns]
        while pos < len(mv):
            (count,) = struct.unpack_from(">h", mv, pos)
            pos += 2
            if count == -1:
                break
            if count != ncols:
                raise CopyError("22P04", f"row field count is {count}, expected {ncols}")
            for i in range(ncols):
                (length,) = struct.unpack_from(">i", mv, pos)
                pos += 4
                if length < 0:
                    values[i].append(None)
                    continue
                if pos + length > len(mv):
                    raise CopyError("22P04", "unexpected EOF in COPY data")
                values[i].append(_value(col_oids[i], bytes(mv[pos : pos + length])))
                pos += length
    except CopyError:
        raise
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise CopyError("22P04", f"invalid COPY binary data: {exc}") from None
    arrays = []
    for (_, t), vals in zip(columns, values, strict=True):
        typ = _arrow_type(t)
        try:
            arrays.append(pa.array(vals, typ))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
            # e.g. 'infinity' dates: hand the column over as text for DuckDB to CAST
            arrays.append(pa.array([None if v is None else str(v) for v in vals], pa.string()))
    return pa.table(arrays, names=[n for n, _ in columns])


# Date/time texts DuckDB's cast reads otherwise than PostgreSQL: 'BC' (ignored on a timestamp,
# refused on a date) and more than 6 fractional digits (cut; PostgreSQL rounds).
_PG_ONLY_DATETIME = pc.MatchSubstringOptions(r"\s(?:[bB][cC]|[aA][dD])\s*$|\.\d{7}", ignore_case=False)
DATETIME_OIDS = frozenset({oids.DATE, oids.TIMESTAMP, oids.TIMESTAMPTZ, oids.TIME, oids.TIMETZ})


def pg_datetime_texts(col: pa.ChunkedArray | pa.Array, oid: int, timezone: str = "UTC") -> pa.Array:
    """A COPY column of date/time texts with the values DuckDB would misread spelt as it reads
    them (by the parameters' decoders, engine.codec.decode_text; few rows: per value)."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    found = pc.fill_null(A.call("match_substring_regex", arr, options=_PG_ONLY_DATETIME), False)
    if not A.call("any", found).as_py():
        return arr
    decode = TEXT_DECODERS[oid]
    ctx = DecodeContext(timezone)
    texts = arr.filter(found).to_pylist()
    spelt = [_spelling(decode(text, ctx)) for text in texts]
    return A.replace_rows(arr, found.to_numpy(zero_copy_only=False), pa.array(spelt, arr.type))


def _spelling(v: Any) -> str:  # noqa: ANN401
    """A decoded date/time parameter as text DuckDB reads (its own spelling where Python's
    datetime cannot hold the value; a timetz value's text)."""
    if isinstance(v, dt.datetime):
        return v.isoformat(" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return str(v)
