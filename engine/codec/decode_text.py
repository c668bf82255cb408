"""Text-format parameter decoders: PostgreSQL input syntax -> Python values DuckDB binds.

Each decoder takes the parameter's text (already UTF-8 decoded) and raises ValueError subclasses
carrying the PostgreSQL SQLSTATE/message via ParamError (see `_bad`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
import zoneinfo
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from engine import jsonb
from engine.codec.errors import ParamError
from engine.codec.interval import IntervalSyntaxError, interval_value, parse_interval
from engine.codec.pgarray import ArraySyntaxError, parse_array_text
from engine.codec.temporal import timetz_value
from pgwire import types as oids

TextDecoder = Callable[[str, "DecodeContext"], Any]


class DecodeContext:
    """Session facts decoding needs: the TimeZone for timestamptz input without an offset."""

    __slots__ = ("timezone",)

    def __init__(self, timezone: str = "UTC") -> None:
        self.timezone = timezone


_PG_NAMES = {
    oids.INT2: "smallint",
    oids.INT4: "integer",
    oids.INT8: "bigint",
    oids.OID: "oid",
    oids.FLOAT4: "real",
    oids.FLOAT8: "double precision",
    oids.NUMERIC: "numeric",
    oids.BOOL: "boolean",
    oids.BYTEA: "bytea",
    oids.DATE: "date",
    oids.TIME: "time without time zone",
    oids.TIMETZ: "time with time zone",
    oids.TIMESTAMP: "timestamp without time zone",
    oids.TIMESTAMPTZ: "timestamp with time zone",
    oids.INTERVAL: "interval",
    oids.UUID: "uuid",
    oids.JSON: "json",
    oids.JSONB: "json",
}


def _bad(oid: int, text: str, sqlstate: str = "22P02") -> ParamError:
    return ParamError(sqlstate, f'invalid input syntax for type {_PG_NAMES.get(oid, "text")}: "{text}"')


def _range(oid: int, text: str) -> ParamError:
    return ParamError("22003", f'value "{text}" is out of range for type {_PG_NAMES[oid]}')


_INT_RE = re.compile(r"^\s*[+-]?\d+\s*$")
_INT_LIMITS = {oids.INT2: 2**15, oids.INT4: 2**31, oids.INT8: 2**63}


def _int(oid: int) -> TextDecoder:
    limit = _INT_LIMITS[oid]

    def decode(text: str, ctx: DecodeContext) -> int:
        if not _INT_RE.match(text):
            raise _bad(oid, text)
        value = int(text)
        if not -limit <= value < limit:
            raise _range(oid, text)
        return value

    return decode


def _oid(text: str, ctx: DecodeContext) -> int:
    if not _INT_RE.match(text):
        raise _bad(oids.OID, text)
    value = int(text)
    if not -(2**31) <= value < 2**32:
        raise _range(oids.OID, text)
    return value % 2**32


_FLOAT_SPECIAL = {"nan", "infinity", "+infinity", "-infinity", "inf", "+inf", "-inf"}
_FLOAT_RE = re.compile(r"^\s*[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)\s*$")


def _float(oid: int) -> TextDecoder:
    def decode(text: str, ctx: DecodeContext) -> float:
        s = text.strip().lower()
        if s in _FLOAT_SPECIAL:
            return float(s)
        if not _FLOAT_RE.match(text):
            raise _bad(oid, text)
        value = float(s)
        if math.isinf(value) or (oid == oids.FLOAT4 and abs(value) > 3.4028235677973366e38):
            raise ParamError("22003", f'"{text.strip()}" is out of range for type {_PG_NAMES[oid]}')
        return value

    return decode


_NUMERIC_RE = re.compile(r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$")


def _numeric(text: str, ctx: DecodeContext) -> Decimal:
    s = text.strip()
    if s.lower() in ("nan", "infinity", "+infinity", "-infinity", "inf", "+inf", "-inf"):
        return Decimal(s.replace("inf", "Infinity") if "infinity" not in s.lower() else s)
    if not _NUMERIC_RE.match(text):
        raise _bad(oids.NUMERIC, text)
    try:
        return Decimal(s)
    except InvalidOperation as exc:
        raise _bad(oids.NUMERIC, text) from exc


def _bool(text: str, ctx: DecodeContext) -> bool:
    # parse_bool: any unique prefix of true/false/yes/no, 'on'/'off' (2+ chars), '1'/'0'.
    s = text.strip().lower()
    if s:
        if s in ("1", "on") or (s[0] in "ty" and (("true".startswith(s)) or "yes".startswith(s))):
            return True
        if (
            s in ("0",)
            or (len(s) >= 2 and "off".startswith(s))
            or (s[0] in "fn" and ("false".startswith(s) or "no".startswith(s)))
        ):
            return False
    raise _bad(oids.BOOL, text)


def _text(text: str, ctx: DecodeContext) -> str:
    return text


def _jsonb(text: str, ctx: DecodeContext) -> str:
    """A jsonb parameter as PostgreSQL keeps it: parsed, printed in jsonb's form (engine.jsonb)."""
    try:
        return jsonb.normalize(text) or ""
    except ValueError as e:
        raise ParamError("22P02", "invalid input syntax for type json") from e


def _bytea(text: str, ctx: DecodeContext) -> bytes:
    if text.startswith("\\x"):
        hexdigits = "".join(text[2:].split())
        try:
            return bytes.fromhex(hexdigits)
        except ValueError as exc:
            raise ParamError(
                "22P02",
                "invalid hexadecimal data: odd number of digits"
                if len(hexdigits) % 2
                else "invalid hexadecimal digit",
            ) from exc
    out = bytearray()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c != "\\":
            out += c.encode()
            i += 1
        elif text[i + 1 : i + 2] == "\\":
            out.append(0x5C)
            i += 2
        elif re.match(r"[0-3][0-7]{2}", text[i + 1 : i + 4]):
            out.append(int(text[i + 1 : i + 4], 8))
            i += 4
        else:
            raise ParamError("22P02", "invalid input syntax for type bytea")
    return bytes(out)


# ---- dates and times -----------------------------------------------------------------------------

_DATE_RE = re.compile(r"^\s*(\d{4,})-(\d{1,2})-(\d{1,2})(?:\s*(bc|ad))?\s*$", re.I)
_TIME_PART = r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d*))?)?"
# (an era is no zone: '0044-03-15 12:00:00 BC' is 44 BC)
_ZONE_PART = r"(?:\s*(z|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?|(?!(?:bc|ad)\s*$)[a-z][a-z0-9_/+-]*))?"
_TIME_RE = re.compile(rf"^\s*{_TIME_PART}{_ZONE_PART}\s*$", re.I)
_TS_RE = re.compile(
    rf"^\s*(\d{{4,}})-(\d{{1,2}})-(\d{{1,2}})(?:[ tT]+{_TIME_PART})?{_ZONE_PART}(?:\s+(bc|ad))?\s*$", re.I
)
_SPECIAL_TS = {"infinity", "-infinity", "+infinity"}


def _micro(frac: str | None) -> int:
    """Microseconds of a fraction's digits as PostgreSQL reads them: more than 6 round (rint, as
    ParseFractionalSecond), so the result may be 1_000_000 (the next second)."""
    if frac and len(frac) > 6:
        return round(float("0." + frac) * 1_000_000)
    return int((frac or "").ljust(6, "0") or 0)


def _tz_of(zone: str | None, ctx: DecodeContext) -> dt.tzinfo | None:
    if zone is None:
        return None
    z = zone.strip()
    if z.upper() in ("Z", "UTC", "GMT", "UT", "ZULU"):
        return dt.UTC
    if z[0] in "+-":
        digits = z[1:].replace(":", "")
        hh = int(digits[:2] if len(digits) > 2 else digits)
        mm = int(digits[2:4] or 0) if len(digits) > 2 else 0
        ss = int(digits[4:6] or 0) if len(digits) > 4 else 0
        off = dt.timedelta(hours=hh, minutes=mm, seconds=ss)
        return dt.timezone(-off if z[0] == "-" else off)
    return zoneinfo.ZoneInfo(z)


def _session_tz(ctx: DecodeContext) -> dt.tzinfo:
    return dt.UTC if ctx.timezone.upper() in ("UTC", "ETC/UTC") else zoneinfo.ZoneInfo(ctx.timezone)


def _duck_date(y: int, m: int, d: int, bc: bool) -> dt.date | str:
    if not bc and 1 <= y <= 9999:
        return dt.date(y, m, d)
    # Outside Python's range: DuckDB parses this spelling (a CAST/typed slot is needed).
    return f"{y:04d}-{m:02d}-{d:02d}" + (" (BC)" if bc else "")


def _date(text: str, ctx: DecodeContext) -> dt.date | str:
    s = text.strip().lower()
    if s in _SPECIAL_TS:
        return s.lstrip("+")
    m = _DATE_RE.match(text) or _TS_RE.match(text)
    if m is None:
        raise _bad(oids.DATE, text, "22007")
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    bc = (m.group(m.lastindex or 1) or "").lower() == "bc"
    try:
        return _duck_date(y, mo, d, bc)
    except ValueError as exc:
        raise ParamError("22008", f'date/time field value out of range: "{text}"') from exc


def _time(with_zone: bool) -> TextDecoder:
    oid = oids.TIMETZ if with_zone else oids.TIME

    def decode(text: str, ctx: DecodeContext) -> Any:  # noqa: ANN401
        m = _TIME_RE.match(text)
        if m is None:
            # PostgreSQL also accepts a full timestamp for a time; keep only its clock part.
            m2 = _TS_RE.match(text)
            if m2 is None or m2.group(4) is None:
                raise _bad(oid, text, "22007")
            groups = m2.groups()[3:8]
        else:
            groups = m.groups()
        hh, mm, ss, frac, zone = groups
        h, mi, se = int(hh), int(mm), int(ss or 0)
        clock_us = ((h * 60 + mi) * 60 + se) * 1_000_000 + _micro(frac)
        if not with_zone and clock_us == 86_400_000_000 and mi <= 59 and se <= 59:
            return "24:00:00"
        try:
            if with_zone:
                # the given offset, or a zone's (or the session zone's) offset now
                tz = _tz_of(zone, ctx) or _session_tz(ctx)
                off = tz.utcoffset(None) if isinstance(tz, dt.timezone) else tz.utcoffset(dt.datetime.now())
                if mi > 59 or se > 59:
                    raise ValueError("minute or second out of range")
                return timetz_value(clock_us, int((off or dt.timedelta(0)).total_seconds()))
            if mi > 59 or se > 59 or not 0 <= clock_us < 86_400_000_000:
                raise ValueError("time out of range")
            s_, micro = divmod(clock_us, 1_000_000)
            return dt.time(s_ // 3600, s_ // 60 % 60, s_ % 60, micro)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
            raise ParamError("22008", f'date/time field value out of range: "{text}"') from exc

    return decode


def _day_number(year: int, month: int, day: int) -> int:
    """The proleptic Gregorian day number of an astronomical year's date (date2j's arithmetic)."""
    a = (14 - month) // 12
    y, m = year + 4800 - a, month + 12 * a - 3
    return day + (153 * m + 2) // 5 + 365 * y + y // 4 - y // 100 + y // 400 - 32045


def _from_day_number(n: int) -> tuple[int, int, int]:
    """The astronomical (year, month, day) of a day number (j2date's arithmetic)."""
    a = n + 32044
    b = (4 * a + 3) // 146097
    c = a - 146097 * b // 4
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    return 100 * b + d - 4800 + m // 10, m + 3 - 12 * (m // 10), e - (153 * m + 2) // 5 + 1


def _far_timestamp(y: int, mo: int, d: int, bc: bool, h: int, mi: int, se: int, frac: str | None) -> str:
    """A timestamp Python's datetime cannot hold (BC, past 9999) as DuckDB's text, its fraction
    rounded as PostgreSQL's with the carry ('06.9999999' is 07, '23:59:59.9999999' the next day)."""
    clock_us = ((h * 60 + mi) * 60 + se) * 1_000_000 + _micro(frac)
    start = _day_number(1 - y if bc else y, mo, d)
    if (
        _from_day_number(start) != (1 - y if bc else y, mo, d)
        or mi > 59
        or se > 60
        or clock_us > 86_400_000_000
    ):
        raise ValueError("date/time field value out of range")  # (Feb 30, 25:00: 22008)
    seconds, micro = divmod(clock_us, 1_000_000)
    days, seconds = divmod(seconds, 86_400)
    year, month, day = _from_day_number(start + days)
    if year <= 0:
        date = f"{1 - year:04d}-{month:02d}-{day:02d} (BC)"
    else:
        date = f"{year:04d}-{month:02d}-{day:02d}"
    return f"{date} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{micro:06d}"


def _timestamp(with_zone: bool) -> TextDecoder:
    oid = oids.TIMESTAMPTZ if with_zone else oids.TIMESTAMP

    def decode(text: str, ctx: DecodeContext) -> dt.datetime | str:
        s = text.strip().lower()
        if s in _SPECIAL_TS:
            return s.lstrip("+")
        m = _TS_RE.match(text)
        if m is None:
            raise _bad(oid, text, "22007")
        y, mo, d, hh, mi, ss, frac, zone, era = m.groups()
        bc = (era or "").lower() == "bc"
        try:
            tz = _tz_of(zone, ctx) if with_zone else None
            if with_zone and tz is None:
                tz = _session_tz(ctx)
            if bc or not 1 <= int(y) <= 9999:
                return _far_timestamp(
                    int(y), int(mo), int(d), bc, int(hh or 0), int(mi or 0), int(ss or 0), frac
                ) + (zone or "")
            value = dt.datetime(
                int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0), tzinfo=tz
            ) + dt.timedelta(microseconds=_micro(frac))
        except (ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
            raise ParamError("22008", f'date/time field value out of range: "{text}"') from exc
        if with_zone and isinstance(tz, zoneinfo.ZoneInfo):
            value = value.astimezone(dt.UTC)
        return value

    return decode


def _interval(text: str, ctx: DecodeContext) -> Any:
    try:
        return interval_value(*parse_interval(text))
    except IntervalSyntaxError as exc:
        raise _bad(oids.INTERVAL, text, "22007") from exc


def _uuid(text: str, ctx: DecodeContext) -> uuid.UUID:
    s = text.strip()
    if s.lower().startswith("urn:"):
        raise _bad(oids.UUID, text)
    try:
        return uuid.UUID(s)
    except ValueError as exc:
        raise _bad(oids.UUID, text) from exc


def _char(text: str, ctx: DecodeContext) -> str:
    return text[:1]


TEXT_DECODERS: dict[int, TextDecoder] = {
    oids.BOOL: _bool,
    oids.BYTEA: _bytea,
    oids.CHAR: _char,
    oids.NAME: _text,
    oids.INT8: _int(oids.INT8),
    oids.INT2: _int(oids.INT2),
    oids.INT4: _int(oids.INT4),
    oids.TEXT: _text,
    oids.OID: _oid,
    oids.JSON: _text,
    oids.JSONB: _jsonb,
    oids.FLOAT4: _float(oids.FLOAT4),
    oids.FLOAT8: _float(oids.FLOAT8),
    oids.UNKNOWN: _text,
    oids.BPCHAR: _text,
    oids.VARCHAR: _text,
    oids.DATE: _date,
    oids.TIME: _time(False),
    oids.TIMETZ: _time(True),
    oids.TIMESTAMP: _timestamp(False),
    oids.TIMESTAMPTZ: _timestamp(True),
    oids.INTERVAL: _interval,
    oids.NUMERIC: _numeric,
    oids.UUID: _uuid,
}


def _array(elem_oid: int) -> TextDecoder:
    def decode(text: str, ctx: DecodeContext) -> list[Any]:
        elem = TEXT_DECODERS[elem_oid]
        try:
            return parse_array_text(text, lambda s: elem(s, ctx))
        except ArraySyntaxError as exc:
            raise ParamError("22P02", f'malformed array literal: "{text}"') from exc

    return decode


for _elem, _arr in oids.ARRAY_OF.items():
    if _elem in TEXT_DECODERS:
        TEXT_DECODERS[_arr] = _array(_elem)
