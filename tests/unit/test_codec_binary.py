"""Binary-format DataRows from real DuckDB results, against struct packing and PostgreSQL 15's bytes."""

from __future__ import annotations

import struct
import uuid
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest
from duckdb import _seam

from engine.codec import EncodeError, RowEncoder, binary_supported, pg_type_for_duckdb
from engine.codec.numeric import numeric_recv, numeric_send
from pgwire import types as oids


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def parse_rows(data: bytes) -> list[list[bytes | None]]:
    rows, i = [], 0
    while i < len(data):
        assert data[i : i + 1] == b"D"
        (length,) = struct.unpack_from(">i", data, i + 1)
        (ncols,) = struct.unpack_from(">h", data, i + 5)
        j, row = i + 7, []
        for _ in range(ncols):
            (n,) = struct.unpack_from(">i", data, j)
            j += 4
            row.append(None if n < 0 else data[j : j + n])
            j += max(n, 0)
        assert j == i + 1 + length
        rows.append(row)
        i = j
    return rows


def encode(con: duckdb.DuckDBPyConnection, sql: str, batch_size: int = 2048) -> list[list[bytes | None]]:
    types = [pg_type_for_duckdb(str(t)) for t in con.sql(sql).types]
    enc = RowEncoder(types, [1] * len(types))
    reader = _seam.submit(con, sql, None, "stream", batch_size).arrow_reader()
    return parse_rows(b"".join(enc.encode(b) for b in reader))


def one(con: duckdb.DuckDBPyConnection, sql: str) -> list[bytes | None]:
    return encode(con, sql)[0]


def test_integers_and_floats(con):
    row = one(con, "SELECT (-2)::SMALLINT, 2147483647::INTEGER, (-5)::BIGINT, 1.5::FLOAT, 0.1::DOUBLE, true, false,"
              " 200::UTINYINT, 4000000000::UINTEGER, NULL::INTEGER")  # fmt: skip
    assert row == [
        struct.pack(">h", -2),
        struct.pack(">i", 2147483647),
        struct.pack(">q", -5),
        b"?\xc0\x00\x00",  # PostgreSQL's float4 1.5
        struct.pack(">d", 0.1),
        b"\x01",
        b"\x00",
        struct.pack(">h", 200),
        struct.pack(">q", 4000000000),
        None,
    ]


def test_text_bytea_json_uuid(con):
    row = one(con, "SELECT 'héllo', ''::VARCHAR, '\\x00\\xFF'::BLOB, '{\"a\": 1}'::JSON,"
              " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID")  # fmt: skip
    assert row == ["héllo".encode(), b"", b"\x00\xff", b'{"a": 1}',
                   b"\xa0\xee\xbc\x99\x9c\x0bN\xf8\xbbmk\xb9\xbd8\n\x11"]  # fmt: skip


def test_uuid_column_with_nulls(con):
    rows = encode(
        con, "SELECT x FROM (VALUES (uuid()), (NULL), ('00000000-0000-0000-0000-0000000000ff'::UUID)) t(x)"
    )
    assert len(rows[0][0]) == 16
    assert rows[1] == [None]
    assert rows[2] == [uuid.UUID(int=255).bytes]


def test_temporal_matches_postgres(con):
    row = one(con, "SELECT DATE '2000-01-01', DATE '1999-12-31', DATE 'infinity', DATE '-infinity',"
              " TIME '01:02:03.5', TIMESTAMP '2000-01-01 00:00:01', TIMESTAMP 'infinity', TIMESTAMP '-infinity',"
              " TIMESTAMPTZ '2000-01-01 00:00:01+00', INTERVAL '1 year 2 months 3 days 04:05:06.5'")  # fmt: skip
    assert row == [
        b"\x00\x00\x00\x00",
        b"\xff\xff\xff\xff",
        b"\x7f\xff\xff\xff",
        b"\x80\x00\x00\x00",
        b"\x00\x00\x00\x00\xdd\xf0\x19\xe0",
        b"\x00\x00\x00\x00\x00\x0fB@",
        b"\x7f\xff\xff\xff\xff\xff\xff\xff",
        b"\x80\x00\x00\x00\x00\x00\x00\x00",
        b"\x00\x00\x00\x00\x00\x0fB@",
        b"\x00\x00\x00\x03l\x93a\xa0\x00\x00\x00\x03\x00\x00\x00\x0e",
    ]


def test_timestamp_units_and_negative_interval(con):
    row = one(con, "SELECT TIMESTAMP_MS '2000-01-01 00:00:00.5', TIMESTAMP_NS '1999-12-31 23:59:59.999999999',"
              " INTERVAL '-1 month -2 days -00:00:03'")  # fmt: skip
    assert row == [struct.pack(">q", 500_000), struct.pack(">q", -1), struct.pack(">qii", -3_000_000, -2, -1)]


# (DuckDB expression, PostgreSQL 15's numeric_send bytes)
NUMERIC_CASES = [
    ("1.25::DECIMAL(10,2)", b"\x00\x02\x00\x00\x00\x00\x00\x02\x00\x01\t\xc4"),
    ("(-123.456)::DECIMAL(10,3)", b"\x00\x02\x00\x00@\x00\x00\x03\x00{\x11\xd0"),
    ("0::DECIMAL(10,0)", b"\x00\x00\x00\x00\x00\x00\x00\x00"),
    ("12345678901234567890::HUGEINT", b"\x00\x05\x00\x04\x00\x00\x00\x00\x04\xd2\x16.#4\r\x80\x1e\xd2"),
    ("0.0001::DECIMAL(10,4)", b"\x00\x01\xff\xff\x00\x00\x00\x04\x00\x01"),
    ("100000000000000000000::HUGEINT", b"\x00\x01\x00\x05\x00\x00\x00\x00\x00\x01"),
    ("(-0.0000010)::DECIMAL(10,7)", b"\x00\x01\xff\xfe@\x00\x00\x07\x00d"),
]


@pytest.mark.parametrize(("expr", "expected"), NUMERIC_CASES)
def test_numeric_matches_postgres(con, expr, expected):
    assert one(con, f"SELECT {expr}") == [expected]


def test_numeric_roundtrip_and_ubigint(con):
    for text in ["0.00", "-1", "99999999.9999", "1E+30", "-0.000000000000000000001", "123456789.123456789"]:
        d = Decimal(text)
        assert numeric_recv(numeric_send(d)) == d
    assert one(con, "SELECT 18446744073709551615::UBIGINT") == [numeric_send(Decimal(18446744073709551615))]


@pytest.mark.parametrize(
    ("precision", "scale"), [(4, 0), (9, 3), (10, 2), (17, 9), (18, 0), (18, 7), (18, 18), (30, 5)]
)
def test_vectorized_numeric_matches_reference(precision, scale):
    import random

    from engine.codec.numeric import numeric_binary

    rng = random.Random(precision * 100 + scale)
    values = [
        Decimal(rng.randint(-(10**precision) + 1, 10**precision - 1)).scaleb(-scale) for _ in range(500)
    ]
    arr = pa.array([None, Decimal(0).scaleb(-scale), *values], pa.decimal128(precision, scale))
    for a in (arr, arr.slice(5, 200)):
        assert numeric_binary(a).to_pylist() == [
            None if v is None else numeric_send(v, scale) for v in a.to_pylist()
        ]


def test_arrays_match_postgres(con):
    row = one(con, "SELECT [1, 2, NULL]::INTEGER[], [[1, 2], [3, 4]]::BIGINT[][], ['a', NULL]::VARCHAR[],"
              " []::INTEGER[], NULL::INTEGER[]")  # fmt: skip
    assert row == [
        b"\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x17\x00\x00\x00\x03\x00\x00\x00\x01\x00\x00\x00\x04\x00"
        b"\x00\x00\x01\x00\x00\x00\x04\x00\x00\x00\x02\xff\xff\xff\xff",
        b"\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x14\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x02\x00"
        b"\x00\x00\x01\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"
        b"\x00\x02\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00"
        b"\x04",
        # text[] with element OID 25, as PostgreSQL sends it; DuckDB VARCHAR is described as text.
        b"\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x19\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x01a\xff\xff"
        b"\xff\xff",
        b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x17",
        None,
    ]


def test_array_rows_slice_correctly(con):
    rows = encode(con, "SELECT [i, i + 1] FROM range(40) r(i)", batch_size=7)
    assert rows[39] == [struct.pack(">iiiiiiqiq", 1, 0, 20, 2, 1, 8, 39, 8, 40)]


def test_jsonb_and_binary_supported():
    enc = RowEncoder([oids.pg_type(oids.JSONB)], [1])
    rows = parse_rows(enc.encode(pa.record_batch([pa.array(['{"a": 1}', None])], names=["j"])))
    assert rows == [[b'\x01{"a": 1}'], [None]]
    for oid in (
        oids.INT4,
        oids.NUMERIC,
        oids.UUID,
        oids.INTERVAL,
        oids.INT4_ARRAY,
        oids.TEXT_ARRAY,
        oids.JSONB,
    ):
        assert binary_supported(oid)
    assert binary_supported(oids.TIMETZ)
    assert not binary_supported(oids.RECORD)
    assert not binary_supported(12345)


def test_unsupported_binary_falls_back_to_text():
    enc = RowEncoder([oids.pg_type(oids.RECORD)], [1])
    assert enc.formats == [0]


def test_timetz_text_and_binary_from_its_offset_struct():
    """engine.timetz reads a timetz as {us, tz}: PostgreSQL's timetz_out and timetz_send."""
    day = 86_400_000_000
    arr = pa.array(
        [
            {"us": 37_230_500_000, "tz": 7200},
            None,
            {"us": day, "tz": -3600},
            {"us": 1, "tz": -(5 * 3600 + 30 * 60 + 15)},
        ],
        pa.struct([("us", pa.int64()), ("tz", pa.int32())]),
    )
    lists = pa.array([[arr[0].as_py(), None]] * 4, pa.list_(arr.type))
    batch = pa.record_batch([arr, lists], names=["t", "a"])
    types = [oids.pg_type(oids.TIMETZ), oids.pg_type(oids.TIMETZ_ARRAY)]
    text = parse_rows(RowEncoder(types, [0, 0]).encode(batch))
    assert [r[0] for r in text] == [b"10:20:30.5+02", None, b"24:00:00-01", b"00:00:00.000001-05:30:15"]
    assert text[0][1] == b"{10:20:30.5+02,NULL}"
    binary = parse_rows(RowEncoder(types, [1, 1]).encode(batch))
    assert [r[0] for r in binary] == [
        struct.pack(">qi", 37_230_500_000, -7200),
        None,
        struct.pack(">qi", day, 3600),
        struct.pack(">qi", 1, 5 * 3600 + 30 * 60 + 15),
    ]
    assert binary[0][1][:12] == struct.pack(">iii", 1, 1, oids.TIMETZ)


def test_timetz_without_its_offset_is_refused():
    """A timetz that arrives as a bare time (DuckDB's Arrow form) is never printed as +00."""
    batch = pa.record_batch([pa.array([1_000_000], pa.time64("us"))], names=["t"])
    for fmt in (0, 1):
        with pytest.raises(EncodeError):
            RowEncoder([oids.pg_type(oids.TIMETZ)], [fmt]).encode(batch)


def test_sliced_batch_with_nulls(con):
    sql = "SELECT CASE WHEN i % 2 = 0 THEN NULL ELSE i END::INTEGER, (i * 1.5)::DOUBLE FROM range(100) r(i)"
    batch = _seam.submit(con, sql, None, "arrow").arrow_table().combine_chunks().to_batches()[0]
    types = [pg_type_for_duckdb(str(t)) for t in con.sql(sql).types]
    rows = parse_rows(RowEncoder(types, [1, 1]).encode(batch.slice(31, 40)))
    assert len(rows) == 40
    assert rows[0] == [struct.pack(">i", 31), struct.pack(">d", 46.5)]
    assert rows[1] == [None, struct.pack(">d", 48.0)]
    assert rows[39] == [None, struct.pack(">d", 70 * 1.5)]


def test_mixed_formats_per_column(con):
    sql = "SELECT 7::INTEGER, 7::INTEGER"
    types = [pg_type_for_duckdb(str(t)) for t in con.sql(sql).types]
    batch = _seam.submit(con, sql, None, "arrow").arrow_table().to_batches()[0]
    assert parse_rows(RowEncoder(types, [0, 1]).encode(batch)) == [[b"7", b"\x00\x00\x00\x07"]]
