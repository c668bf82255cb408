"""Bind parameter decoding (text and binary) and the type mappings, round-tripped through DuckDB."""

from __future__ import annotations

import datetime as dt
import struct
import uuid
from decimal import Decimal

import duckdb
import numpy as np
import pytest
from duckdb import _seam

from engine.codec import ParamError, decode_param, duckdb_type_for_oid, pg_type_for_duckdb
from engine.codec.numeric import numeric_send
from pgwire import types as oids


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def bind(con: duckdb.DuckDBPyConnection, value: object, cast: str | None = None) -> object:
    sql = "SELECT $1" if cast is None else f"SELECT $1::{cast}"
    out = _seam.submit(con, sql, [value], "arrow").arrow_table().column(0).to_pylist()[0]
    if cast == "UUID":
        return uuid.UUID(out)
    if cast == "FLOAT":
        return float(np.float32(out)) if out == np.float32(value) else out
    return out


TEXT_CASES = [
    (b"12", oids.INT4, 12),
    (b" -7 ", oids.INT2, -7),
    (b"9223372036854775807", oids.INT8, 9223372036854775807),
    (b"1.5", oids.FLOAT8, 1.5),
    (b"-0.5", oids.FLOAT4, -0.5),
    (b"1.250", oids.NUMERIC, Decimal("1.250")),
    (b"t", oids.BOOL, True),
    (b"yes", oids.BOOL, True),
    (b"on", oids.BOOL, True),
    (b"0", oids.BOOL, False),
    (b"off", oids.BOOL, False),
    (b"FALSE", oids.BOOL, False),
    ("héllo".encode(), oids.TEXT, "héllo"),
    (b"", oids.VARCHAR, ""),
    (b"\\x00ff", oids.BYTEA, b"\x00\xff"),
    (b"a\\\\b\\001", oids.BYTEA, b"a\\b\x01"),
    (b"2024-01-02", oids.DATE, dt.date(2024, 1, 2)),
    (b"01:02:03.5", oids.TIME, dt.time(1, 2, 3, 500000)),
    (b"2024-01-02 03:04:05.5", oids.TIMESTAMP, dt.datetime(2024, 1, 2, 3, 4, 5, 500000)),
    (b"2024-01-02T03:04:05", oids.TIMESTAMP, dt.datetime(2024, 1, 2, 3, 4, 5)),
    (b"2024-01-02 03:04:05+05:30", oids.TIMESTAMPTZ,
     dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))),
    (b"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", oids.UUID, uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
    (b'{"a": 1}', oids.JSON, '{"a": 1}'),
    (b"whatever", 0, "whatever"),
    (b"{1,2,NULL}", oids.INT4_ARRAY, [1, 2, None]),
    (b'{"a b","x\\"y",NULL,"NULL",""}', oids.TEXT_ARRAY, ["a b", 'x"y', None, "NULL", ""]),
    (b"{{1,2},{3,4}}", oids.INT8_ARRAY, [[1, 2], [3, 4]]),
    (b"{}", oids.INT4_ARRAY, []),
    (b"[0:1]={7,8}", oids.INT4_ARRAY, [7, 8]),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "oid", "expected"), TEXT_CASES)
def test_text_params(con, raw, oid, expected):
    value = decode_param(raw, oid, 0)
    assert value == expected
    assert type(value) is type(expected)
    # T[] casts are one-dimensional; nested lists bind uncast (DuckDB infers the nesting).
    cast = (
        duckdb_type_for_oid(oid)
        if not (isinstance(value, list) and value and isinstance(value[0], list))
        else None
    )
    assert bind(con, value, cast) == (expected if oid != oids.TIMESTAMPTZ else expected.astimezone(dt.UTC))


def test_special_floats():
    assert decode_param(b"Infinity", oids.FLOAT8, 0) == float("inf")
    assert decode_param(b"-infinity", oids.FLOAT4, 0) == float("-inf")
    assert str(decode_param(b"NaN", oids.FLOAT8, 0)) == "nan"
    assert decode_param(b"NaN", oids.NUMERIC, 0).is_nan()


def test_timestamptz_without_offset_uses_session_zone(con):
    v = decode_param(b"2024-01-02 03:04:05", oids.TIMESTAMPTZ, 0, timezone="America/New_York")
    assert v == dt.datetime(2024, 1, 2, 8, 4, 5, tzinfo=dt.UTC)
    assert bind(con, v).astimezone(dt.UTC) == v


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"1 day 02:00:00", (0, 1, 7200 * 10**9)),
        (b"-00:00:01", (0, 0, -(10**9))),
        (b"-1 days +00:00:01", (0, -1, 10**9)),
        (b"P1Y2M3DT4H5M6.5S", (14, 3, 14_706_500_000_000)),
        (b"@ 3 hours ago", (0, 0, -10_800 * 10**9)),
        (b"-1 years -2 mons +3 days -04:05:06.5", (-14, 3, -14_706_500_000_000)),
        (b"1.5 months", (1, 15, 0)),
        (b"0 years 0 mons 1 days 2 hours 0 mins 0.0 secs", (0, 1, 7200 * 10**9)),
    ],
)
def test_interval_text_params_bind_as_interval(con, text, expected):
    mdn = bind(con, decode_param(text, oids.INTERVAL, 0))
    assert (mdn.months, mdn.days, mdn.nanoseconds) == expected


def test_interval_keeps_months(con):
    value = decode_param(b"1 year 2 mons 3 days 04:05:06.5", oids.INTERVAL, 0)
    out = _seam.submit(con, "SELECT $1, DATE '2024-01-31' + $1", [value], "arrow").arrow_table()
    mdn = out.column(0)[0].as_py()
    assert (mdn.months, mdn.days, mdn.nanoseconds) == (14, 3, 14_706_500_000_000)
    assert out.column(1)[0].as_py() == dt.datetime(2025, 4, 3, 4, 5, 6, 500000)


@pytest.mark.parametrize(
    ("raw", "oid", "sqlstate", "message"),
    [
        (b"abc", oids.INT4, "22P02", 'invalid input syntax for type integer: "abc"'),
        (b"1.5", oids.INT8, "22P02", 'invalid input syntax for type bigint: "1.5"'),
        (b"40000", oids.INT2, "22003", 'value "40000" is out of range for type smallint'),
        (b"x", oids.FLOAT8, "22P02", 'invalid input syntax for type double precision: "x"'),
        (b"1e400", oids.FLOAT8, "22003", '"1e400" is out of range for type double precision'),
        (b"1_0", oids.NUMERIC, "22P02", 'invalid input syntax for type numeric: "1_0"'),
        (b"maybe", oids.BOOL, "22P02", 'invalid input syntax for type boolean: "maybe"'),
        (b"nope", oids.UUID, "22P02", 'invalid input syntax for type uuid: "nope"'),
        (b"2024-13-01", oids.DATE, "22008", 'date/time field value out of range: "2024-13-01"'),
        (b"yesterday-ish", oids.DATE, "22007", 'invalid input syntax for type date: "yesterday-ish"'),
        (b"1 fortnight", oids.INTERVAL, "22007", 'invalid input syntax for type interval: "1 fortnight"'),
        (b"{1,2", oids.INT4_ARRAY, "22P02", 'malformed array literal: "{1,2"'),
        (b"{1,x}", oids.INT4_ARRAY, "22P02", 'invalid input syntax for type integer: "x"'),
        (b"\xff", oids.TEXT, "22021", 'invalid byte sequence for encoding "UTF8": 0xff'),
    ],
)
def test_text_param_errors(raw, oid, sqlstate, message):
    with pytest.raises(ParamError) as info:
        decode_param(raw, oid, 0)
    assert info.value.sqlstate == sqlstate
    assert str(info.value) == message


BINARY_CASES = [
    (struct.pack(">h", -3), oids.INT2, -3),
    (struct.pack(">i", 2**31 - 1), oids.INT4, 2**31 - 1),
    (struct.pack(">q", -(2**63)), oids.INT8, -(2**63)),
    (struct.pack(">f", 1.5), oids.FLOAT4, 1.5),
    (struct.pack(">d", 0.1), oids.FLOAT8, 0.1),
    (b"\x01", oids.BOOL, True),
    (b"\x00", oids.BOOL, False),
    ("ü".encode(), oids.TEXT, "ü"),
    (b"\x00\xff", oids.BYTEA, b"\x00\xff"),
    (b"\x00\x02\x00\x00\x00\x00\x00\x02\x00\x01\t\xc4", oids.NUMERIC, Decimal("1.25")),
    (b"\x00\x01\xff\xfe@\x00\x00\x07\x00d", oids.NUMERIC, Decimal("-0.0000010")),
    (b"\x00\x05\x00\x04\x00\x00\x00\x00\x04\xd2\x16.#4\r\x80\x1e\xd2", oids.NUMERIC, Decimal(12345678901234567890)),
    (b"\xff\xff\xff\xff", oids.DATE, dt.date(1999, 12, 31)),
    (b"\x00\x00\x00\x00\xdd\xf0\x19\xe0", oids.TIME, dt.time(1, 2, 3, 500000)),
    (b"\x00\x00\x00\x00\x00\x0fB@", oids.TIMESTAMP, dt.datetime(2000, 1, 1, 0, 0, 1)),
    (b"\x00\x00\x00\x00\x00\x0fB@", oids.TIMESTAMPTZ, dt.datetime(2000, 1, 1, 0, 0, 1, tzinfo=dt.UTC)),
    (b"\xa0\xee\xbc\x99\x9c\x0bN\xf8\xbbmk\xb9\xbd8\n\x11", oids.UUID, uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
    (b'\x01{"a": 1}', oids.JSONB, '{"a": 1}'),
    (b"\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x17\x00\x00\x00\x03\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00"
     b"\x00\x01\x00\x00\x00\x04\x00\x00\x00\x02\xff\xff\xff\xff", oids.INT4_ARRAY, [1, 2, None]),
    (b"\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x19\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x01a\xff\xff"
     b"\xff\xff", oids.TEXT_ARRAY, ["a", None]),
    (b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x17", oids.INT4_ARRAY, []),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "oid", "expected"), BINARY_CASES)
def test_binary_params(con, raw, oid, expected):
    value = decode_param(raw, oid, 1)
    assert value == expected
    assert type(value) is type(expected)
    got = bind(con, value, duckdb_type_for_oid(oid))
    assert got == (
        expected.astimezone(dt.UTC) if isinstance(expected, dt.datetime) and expected.tzinfo else expected
    )


def test_binary_nested_array():
    dims = struct.pack(">iiiii", 2, 0, 20, 2, 1) + struct.pack(">ii", 2, 1)
    elems = b"".join(struct.pack(">iq", 8, v) for v in (1, 2, 3, 4))
    assert decode_param(dims + elems, oids.INT8_ARRAY, 1) == [[1, 2], [3, 4]]


def test_binary_interval_and_infinity(con):
    value = decode_param(b"\x00\x00\x00\x03l\x93a\xa0\x00\x00\x00\x03\x00\x00\x00\x0e", oids.INTERVAL, 1)
    mdn = bind(con, value)
    assert (mdn.months, mdn.days, mdn.nanoseconds) == (14, 3, 14_706_500_000_000)
    assert decode_param(b"\x7f\xff\xff\xff\xff\xff\xff\xff", oids.TIMESTAMP, 1) == "infinity"
    assert decode_param(b"\x80\x00\x00\x00", oids.DATE, 1) == "-infinity"
    assert _seam.submit(con, "SELECT $1::DATE = 'infinity'::DATE", ["infinity"], "rows").fetchall() == [
        (True,)
    ]


def test_numeric_binary_roundtrip_through_duckdb(con):
    for text in ("3.14159", "-100000", "0.000001", "123456789012345678.9"):
        raw = numeric_send(Decimal(text))
        assert bind(con, decode_param(raw, oids.NUMERIC, 1)) == Decimal(text)


@pytest.mark.parametrize(
    ("raw", "oid"),
    [(b"\x00\x01", oids.INT4), (b"", oids.BOOL), (b"\x00" * 7, oids.FLOAT8), (b"\x00\x01", oids.NUMERIC),
     (b"\x00" * 15, oids.UUID), (b"\x02{}", oids.JSONB), (b"\x00\x00\x00\x01", oids.INT4_ARRAY)],
)  # fmt: skip
def test_malformed_binary_is_protocol_violation(raw, oid):
    with pytest.raises(ParamError) as info:
        decode_param(raw, oid, 1)
    assert info.value.sqlstate == "08P01"


def test_null_and_unknown():
    assert decode_param(None, oids.INT4, 0) is None
    assert decode_param(None, oids.INT4, 1) is None
    assert decode_param(b"1", 999999, 0) == "1"


def test_duckdb_type_for_oid():
    assert duckdb_type_for_oid(oids.INT4) == "INTEGER"
    assert duckdb_type_for_oid(oids.TEXT) == "VARCHAR"
    assert duckdb_type_for_oid(oids.TIMESTAMPTZ) == "TIMESTAMPTZ"
    assert duckdb_type_for_oid(oids.INT4_ARRAY) == "INTEGER[]"
    assert duckdb_type_for_oid(oids.NUMERIC) is None
    assert duckdb_type_for_oid(0) is None
    assert duckdb_type_for_oid(oids.UNKNOWN) is None


@pytest.mark.parametrize(
    ("duck", "oid", "typmod", "typlen"),
    [
        ("INTEGER", oids.INT4, -1, 4), ("SMALLINT", oids.INT2, -1, 2), ("BIGINT", oids.INT8, -1, 8),
        ("TINYINT", oids.INT2, -1, 2), ("UTINYINT", oids.INT2, -1, 2), ("USMALLINT", oids.INT4, -1, 4),
        ("UINTEGER", oids.INT8, -1, 8), ("UBIGINT", oids.NUMERIC, -1, -1), ("HUGEINT", oids.NUMERIC, -1, -1),
        ("UHUGEINT", oids.NUMERIC, -1, -1), ("FLOAT", oids.FLOAT4, -1, 4), ("DOUBLE", oids.FLOAT8, -1, 8),
        ("DECIMAL(10,2)", oids.NUMERIC, (10 << 16 | 2) + 4, -1), ("VARCHAR", oids.TEXT, -1, -1),
        ("BLOB", oids.BYTEA, -1, -1), ("DATE", oids.DATE, -1, 4), ("TIME", oids.TIME, -1, 8),
        ("TIMESTAMP", oids.TIMESTAMP, -1, 8), ("TIMESTAMP WITH TIME ZONE", oids.TIMESTAMPTZ, -1, 8),
        ("TIMESTAMP_NS", oids.TIMESTAMP, -1, 8), ("INTERVAL", oids.INTERVAL, -1, 16), ("UUID", oids.UUID, -1, 16),
        ("JSON", oids.JSON, -1, -1), ("BOOLEAN", oids.BOOL, -1, 1), ("INTEGER[]", oids.INT4_ARRAY, -1, -1),
        ("VARCHAR[]", oids.TEXT_ARRAY, -1, -1), ("INTEGER[3]", oids.INT4_ARRAY, -1, -1),
        ("INTEGER[][]", oids.INT4_ARRAY, -1, -1), ("DECIMAL(5,1)[]", oids.NUMERIC_ARRAY, (5 << 16 | 1) + 4, -1),
        ("STRUCT(a INTEGER)", oids.RECORD, -1, -1), ("MAP(VARCHAR, INTEGER)", oids.TEXT, -1, -1),
        ("ENUM('a', 'b')", oids.TEXT, -1, -1), ("BIT", oids.TEXT, -1, -1),
        ("STRUCT(a INTEGER)[]", oids.RECORD_ARRAY, -1, -1), ("TIME WITH TIME ZONE", oids.TIMETZ, -1, 12),
        ("BIGNUM", oids.NUMERIC, -1, -1),
    ],
)  # fmt: skip
def test_pg_type_for_duckdb(duck, oid, typmod, typlen):
    t = pg_type_for_duckdb(duck)
    assert (t.oid, t.typmod, t.typlen) == (oid, typmod, typlen)
    assert t.name == oids.PG_TYPE_NAMES[oid]


@pytest.mark.parametrize(
    ("raw", "fmt", "spelling"),
    [
        (b"23:59:59.123456-05:30", 0, "23:59:59.123456-05:30"),
        (b"01:02:03+02", 0, "01:02:03+02"),
        (b"24:00:00-01", 0, "24:00:00-01"),
        (b"10:00:00", 0, "10:00:00+00"),  # no offset: the session zone's (UTC)
        (struct.pack(">qi", 3_723_000_001, 19_815), 1, "01:02:03.000001-05:30:15"),
        (struct.pack(">qi", 0, -7200), 1, "00:00:00+02"),
    ],
)
def test_timetz_params_keep_their_offset(con, raw, fmt, spelling):
    """West of UTC too (DuckDB refuses an aware datetime.time with a negative offset)."""
    value = decode_param(raw, oids.TIMETZ, fmt)
    got = _seam.submit(con, "SELECT $1::VARCHAR, typeof($1)", [value], "rows").fetchall()
    assert got == [(spelling, "TIME WITH TIME ZONE")]


@pytest.mark.parametrize(
    ("raw", "fmt", "sqlstate"),
    [(b"25:00:00+02", 0, "22008"), (b"10:00:00+16", 0, "22009"), (struct.pack(">qi", 0, 60_000), 1, "22009")],
)
def test_timetz_param_errors(raw, fmt, sqlstate):
    with pytest.raises(ParamError) as e:
        decode_param(raw, oids.TIMETZ, fmt)
    assert e.value.sqlstate == sqlstate
