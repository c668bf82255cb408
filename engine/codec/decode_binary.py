"""Binary-format parameter decoders (PostgreSQL's typreceive) -> Python values DuckDB binds.

Decoders raise ValueError/struct.error on malformed input; params.py turns that into 08P01.
"""

from __future__ import annotations

import datetime as dt
import struct
import uuid
from collections.abc import Callable
from typing import Any

from engine import jsonb
from engine.codec.errors import ParamError
from engine.codec.interval import interval_value
from engine.codec.numeric import numeric_recv
from engine.codec.pgarray import parse_array_binary
from engine.codec.temporal import timetz_value
from pgwire import types as oids

BinaryDecoder = Callable[[bytes], Any]

PG_EPOCH = dt.datetime(2000, 1, 1)
PG_EPOCH_DATE = dt.date(2000, 1, 1)
INT32_MAX, INT32_MIN = 2**31 - 1, -(2**31)
INT64_MAX, INT64_MIN = 2**63 - 1, -(2**63)


def _fixed(fmt: str) -> BinaryDecoder:
    st = struct.Struct(fmt)

    def decode(raw: bytes) -> Any:
        if len(raw) != st.size:
            raise ValueError(f"expected {st.size} bytes, got {len(raw)}")
        return st.unpack(raw)[0]

    return decode


_i4, _i8, _u4 = _fixed(">i"), _fixed(">q"), _fixed(">I")


def _bool(raw: bytes) -> bool:
    if len(raw) != 1:
        raise ValueError("bool must be 1 byte")
    return raw != b"\x00"


def _text(raw: bytes) -> str:
    return raw.decode("utf-8")


def _jsonb(raw: bytes) -> str:
    if not raw or raw[0] != 1:
        raise ValueError("unsupported jsonb version number")
    try:
        return jsonb.normalize(raw[1:].decode("utf-8")) or ""  # jsonb's form (engine.jsonb)
    except ValueError as e:
        raise ParamError("22P02", "invalid input syntax for type json") from e


def _civil(days: int) -> tuple[int, int, int]:
    """(year, month, day) of days since 1970-01-01, proleptic Gregorian (Hinnant's algorithm)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def _date_str(days_1970: int) -> str:
    """DuckDB's spelling of a date outside Python's range (astronomical year <= 0 is BC)."""
    y, m, d = _civil(days_1970)
    return f"{y:04d}-{m:02d}-{d:02d}" if y > 0 else f"{1 - y:04d}-{m:02d}-{d:02d} (BC)"


def _date(raw: bytes) -> dt.date | str:
    days = _i4(raw)
    if days == INT32_MAX:
        return "infinity"
    if days == INT32_MIN:
        return "-infinity"
    try:
        return PG_EPOCH_DATE + dt.timedelta(days=days)
    except OverflowError:
        return _date_str(days + 10957)


def _time(raw: bytes) -> dt.time | str:
    us = _i8(raw)
    if us == 86_400_000_000:
        return "24:00:00"
    if not 0 <= us < 86_400_000_000:
        raise ValueError("time out of range")
    s, micro = divmod(us, 1_000_000)
    return dt.time(s // 3600, s // 60 % 60, s % 60, micro)


def timetz_parts(raw: bytes) -> tuple[int, int]:
    """(local microseconds, offset seconds EAST of UTC) of timetz_send's bytes."""
    if len(raw) != 12:
        raise ValueError("timetz must be 12 bytes")
    us, zone = struct.unpack(">qi", raw)
    return us, -zone  # the wire zone is seconds WEST of UTC


def _timetz(raw: bytes) -> Any:  # noqa: ANN401
    return timetz_value(*timetz_parts(raw))


def _timestamp(with_zone: bool) -> BinaryDecoder:
    def decode(raw: bytes) -> dt.datetime | str:
        us = _i8(raw)
        if us == INT64_MAX:
            return "infinity"
        if us == INT64_MIN:
            return "-infinity"
        try:
            value = PG_EPOCH + dt.timedelta(microseconds=us)
        except OverflowError:
            days, rem = divmod(us, 86_400_000_000)
            s, micro = divmod(rem, 1_000_000)
            clock = f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{micro:06d}"
            return f"{_date_str(days + 10957)} {clock}" + ("+00" if with_zone else "")
        return value.replace(tzinfo=dt.UTC) if with_zone else value

    return decode


def _interval(raw: bytes) -> Any:
    if len(raw) != 16:
        raise ValueError("interval must be 16 bytes")
    us, days, months = struct.unpack(">qii", raw)
    return interval_value(months, days, us)


def _uuid(raw: bytes) -> uuid.UUID:
    if len(raw) != 16:
        raise ValueError("uuid must be 16 bytes")
    return uuid.UUID(bytes=bytes(raw))


def _char(raw: bytes) -> str:
    return raw.decode("latin-1")[:1]


BINARY_DECODERS: dict[int, BinaryDecoder] = {
    oids.BOOL: _bool,
    oids.BYTEA: bytes,
    oids.CHAR: _char,
    oids.NAME: _text,
    oids.INT8: _i8,
    oids.INT2: _fixed(">h"),
    oids.INT4: _i4,
    oids.TEXT: _text,
    oids.OID: _u4,
    oids.JSON: _text,
    oids.JSONB: _jsonb,
    oids.FLOAT4: _fixed(">f"),
    oids.FLOAT8: _fixed(">d"),
    oids.UNKNOWN: _text,
    oids.BPCHAR: _text,
    oids.VARCHAR: _text,
    oids.DATE: _date,
    oids.TIME: _time,
    oids.TIMETZ: _timetz,
    oids.TIMESTAMP: _timestamp(False),
    oids.TIMESTAMPTZ: _timestamp(True),
    oids.INTERVAL: _interval,
    oids.NUMERIC: lambda raw: numeric_recv(raw),
    oids.UUID: _uuid,
}


def _array(declared_elem: int) -> BinaryDecoder:
    def element(elem_oid: int, raw: bytes) -> Any:
        # Trust the element OID on the wire when we know it (drivers may send e.g. int8 elements).
        dec = BINARY_DECODERS.get(elem_oid) or BINARY_DECODERS[declared_elem]
        return dec(raw)

    def decode(raw: bytes) -> list[Any]:
        return parse_array_binary(raw, element)

    return decode


for _elem, _arr in oids.ARRAY_OF.items():
    if _elem in BINARY_DECODERS:
        BINARY_DECODERS[_arr] = _array(_elem)
