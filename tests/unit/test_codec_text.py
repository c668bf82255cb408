"""Text-format DataRows from real DuckDB results, against strings PostgreSQL 15 prints."""

from __future__ import annotations

import math
import struct

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from duckdb import _seam

from engine.codec import RowEncoder, pg_type_for_duckdb
from engine.codec.floats import float_text


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def parse_rows(data: bytes) -> list[list[bytes | None]]:
    rows, i = [], 0
    while i < len(data):
        assert data[i : i + 1] == b"D"
        (length,) = struct.unpack_from(">i", data, i + 1)
        end = i + 1 + length
        (ncols,) = struct.unpack_from(">h", data, i + 5)
        j, row = i + 7, []
        for _ in range(ncols):
            (n,) = struct.unpack_from(">i", data, j)
            j += 4
            row.append(None if n < 0 else data[j : j + n])
            j += max(n, 0)
        assert j == end
        rows.append(row)
        i = end
    return rows


def encode(
    con: duckdb.DuckDBPyConnection, sql: str, fmt: int = 0, tz: str = "UTC", batch_size: int = 2048
) -> list:
    types = [pg_type_for_duckdb(str(t)) for t in con.sql(sql).types]
    enc = RowEncoder(types, [fmt] * len(types), tz)
    reader = _seam.submit(con, sql, None, "stream", batch_size).arrow_reader()
    return parse_rows(b"".join(enc.encode(b) for b in reader))


def column(con: duckdb.DuckDBPyConnection, values_sql: str, tz: str = "UTC") -> list[str | None]:
    rows = encode(con, f"SELECT x FROM (VALUES {values_sql}) t(x)", tz=tz)
    return [None if r[0] is None else r[0].decode() for r in rows]


def test_integers(con):
    rows = encode(con, "SELECT 1::SMALLINT, (-2)::INTEGER, (-9223372036854775807 - 1)::BIGINT, NULL::INTEGER, (-128)::TINYINT,"
                  " 255::UTINYINT, 65535::USMALLINT, 4294967295::UINTEGER, 18446744073709551615::UBIGINT,"
                  " (-170141183460469231731687303715884105727)::HUGEINT")  # fmt: skip
    assert rows == [[b"1", b"-2", b"-9223372036854775808", None, b"-128", b"255", b"65535", b"4294967295",
                     b"18446744073709551615", b"-170141183460469231731687303715884105727"]]  # fmt: skip


# (DuckDB literal, what PostgreSQL 15 prints for float8)
FLOAT8_CASES = [
    ("0.1", "0.1"), ("1e20", "1e+20"), ("1e15", "1e+15"), ("1e14", "100000000000000"),
    ("123456789012345", "123456789012345"), ("1234567890123456", "1.234567890123456e+15"), ("0.0001", "0.0001"),
    ("0.00001", "1e-05"), ("0.00012345", "0.00012345"), ("-1.5", "-1.5"), ("'Infinity'", "Infinity"),
    ("'-Infinity'", "-Infinity"), ("'NaN'", "NaN"), ("0", "0"), ("'-0'", "-0"),
    ("1.7976931348623157e308", "1.7976931348623157e+308"), ("5e-324", "5e-324"), ("100", "100"),
    ("1.5e300", "1.5e+300"), ("2.5e-5", "2.5e-05"), ("12345.678", "12345.678"),
]  # fmt: skip
FLOAT4_CASES = [
    ("0.1", "0.1"), ("1e20", "1e+20"), ("1e6", "1e+06"), ("123456", "123456"), ("1234567", "1.234567e+06"),
    ("12345678", "1.2345678e+07"), ("1e5", "100000"), ("0.0001", "0.0001"), ("0.00001", "1e-05"),
    ("3.4028235e38", "3.4028235e+38"), ("'NaN'", "NaN"), ("'-0'", "-0"), ("16777216", "1.6777216e+07"),
    ("1.1", "1.1"), ("3.14159", "3.14159"), ("'-Infinity'", "-Infinity"),
]  # fmt: skip


def test_float8_matches_postgres(con):
    values = ", ".join(f"({lit}::DOUBLE)" for lit, _ in FLOAT8_CASES)
    assert column(con, values) == [pg for _, pg in FLOAT8_CASES]


def test_float4_matches_postgres(con):
    values = ", ".join(f"({lit}::FLOAT)" for lit, _ in FLOAT4_CASES)
    assert column(con, values) == [pg for _, pg in FLOAT4_CASES]


def _pg_shortest(digits_exp: str, switch: int) -> str:
    """Reference layout of a shortest-digits scientific string as PostgreSQL prints it."""
    mant, e = digits_exp.split("e")
    exp = int(e)
    neg = mant.startswith("-")
    digits = mant.lstrip("-").replace(".", "")
    if exp < -4 or exp >= switch:
        out = (
            digits[0]
            + ("." + digits[1:] if len(digits) > 1 else "")
            + f"e{'-' if exp < 0 else '+'}{abs(exp):02d}"
        )
    elif exp >= 0:
        whole, frac = digits[: exp + 1].ljust(exp + 1, "0"), digits[exp + 1 :]
        out = whole + ("." + frac if frac else "")
    else:
        out = "0." + "0" * (-exp - 1) + digits
    return ("-" if neg else "") + out


def test_float_random_against_reference():
    rng = np.random.default_rng(7)
    f8 = np.concatenate(
        [10.0 ** rng.uniform(-300, 300, 5000) * rng.choice([-1, 1], 5000), rng.normal(0, 1e6, 2000)]
    )
    got = float_text(pa.array(f8)).to_pylist()
    want = [_pg_shortest(np.format_float_scientific(v, unique=True, trim="-"), 15) for v in f8]
    assert got == want
    f4 = (10.0 ** rng.uniform(-40, 38, 5000)).astype(np.float32)
    got4 = float_text(pa.array(f4)).to_pylist()
    assert got4 == [_pg_shortest(np.format_float_scientific(v, unique=True, trim="-"), 6) for v in f4]


def test_numeric(con):
    rows = encode(con, "SELECT 1.25::DECIMAL(10,2), 123::DECIMAL(10,0), -0.50::DECIMAL(10,2), 0::DECIMAL(10,3),"
                  " 12345678901234567890123456789012345678::DECIMAL(38,0), 0.00000000000000000001::DECIMAL(38,20),"
                  " -0.0000010::DECIMAL(10,7), -12.5::DECIMAL(20,10), NULL::DECIMAL(20,10)")  # fmt: skip
    assert rows == [[b"1.25", b"123", b"-0.50", b"0.000", b"12345678901234567890123456789012345678",
                     b"0.00000000000000000001", b"-0.0000010", b"-12.5000000000", None]]  # fmt: skip


def test_bool_text_bytea_uuid_json(con):
    rows = encode(con, "SELECT * FROM (VALUES (true, 'héllo wörld ☃', '\\x00\\xFF\\x10'::BLOB,"
                  " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID, '{\"a\": [1, 2]}'::JSON),"
                  " (false, '', ''::BLOB, NULL, 'null'::JSON), (NULL, NULL, NULL, NULL, NULL)) t")  # fmt: skip
    assert rows == [
        [
            b"t",
            "héllo wörld ☃".encode(),
            b"\\x00ff10",
            b"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            b'{"a": [1, 2]}',
        ],
        [b"f", b"", b"\\x", None, b"null"],
        [None, None, None, None, None],
    ]


def test_date(con):
    got = column(con, "(DATE '2024-01-02'), (NULL), (DATE '0044-03-15 (BC)'), (DATE '10000-01-01'),"
                 " (DATE 'infinity'), (DATE '-infinity'), (DATE '0001-01-01'), (DATE '0001-12-31 (BC)')")  # fmt: skip
    assert got == ["2024-01-02", None, "0044-03-15 BC", "10000-01-01", "infinity", "-infinity", "0001-01-01",
                   "0001-12-31 BC"]  # fmt: skip


def test_time(con):
    got = column(con, "(TIME '01:02:03.5'), (NULL), (TIME '00:00:00'), (TIME '23:59:59.999999'), (TIME '24:00:00'),"
                 " (TIME '01:02:03.00001')")  # fmt: skip
    assert got == ["01:02:03.5", None, "00:00:00", "23:59:59.999999", "24:00:00", "01:02:03.00001"]


def test_timestamp(con):
    got = column(con, "(TIMESTAMP '2024-01-02 03:04:05.5'), (NULL), (TIMESTAMP '2024-01-02 03:04:05'),"
                 " (TIMESTAMP '0044-03-15 (BC) 01:00:00'), (TIMESTAMP 'infinity'), (TIMESTAMP '-infinity'),"
                 " (TIMESTAMP '10000-01-01 00:00:00'), (TIMESTAMP '1969-12-31 23:59:59.999999')")  # fmt: skip
    assert got == ["2024-01-02 03:04:05.5", None, "2024-01-02 03:04:05", "0044-03-15 01:00:00 BC", "infinity",
                   "-infinity", "10000-01-01 00:00:00", "1969-12-31 23:59:59.999999"]  # fmt: skip


def test_timestamp_other_units(con):
    rows = encode(con, "SELECT TIMESTAMP_MS '2024-01-02 03:04:05.120', TIMESTAMP_S '2024-01-02 03:04:05',"
                  " TIMESTAMP_NS '2024-01-02 03:04:05.123456789'")  # fmt: skip
    assert rows == [[b"2024-01-02 03:04:05.12", b"2024-01-02 03:04:05", b"2024-01-02 03:04:05.123456"]]


TZ_VALUES = ("(TIMESTAMPTZ '2024-01-02 03:04:05.5+00'), (NULL), (TIMESTAMPTZ '2024-07-02 03:04:05+00'),"
             " (TIMESTAMPTZ '1800-01-01 00:00:00+00'), (TIMESTAMPTZ 'infinity'),"
             " (TIMESTAMPTZ '0044-03-15 (BC) 01:00:00+00')")  # fmt: skip


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("UTC", ["2024-01-02 03:04:05.5+00", None, "2024-07-02 03:04:05+00", "1800-01-01 00:00:00+00", "infinity",
                 "0044-03-15 01:00:00+00 BC"]),
        ("America/New_York", ["2024-01-01 22:04:05.5-05", None, "2024-07-01 23:04:05-04",
                              "1799-12-31 19:03:58-04:56:02", "infinity", "0044-03-14 20:03:58-04:56:02 BC"]),
        ("Asia/Kolkata", ["2024-01-02 08:34:05.5+05:30", None, "2024-07-02 08:34:05+05:30",
                          "1800-01-01 05:53:28+05:53:28", "infinity", "0044-03-15 06:53:28+05:53:28 BC"]),
        ("Europe/Amsterdam", ["2024-01-02 04:04:05.5+01", None, "2024-07-02 05:04:05+02",
                              "1800-01-01 00:19:32+00:19:32", "infinity", "0044-03-15 01:19:32+00:19:32 BC"]),
    ],
)  # fmt: skip
def test_timestamptz_in_session_zone(con, tz, expected):
    assert column(con, TZ_VALUES, tz=tz) == expected


def test_interval(con):
    got = column(con, "(INTERVAL '1 day 2 hours'), (NULL), (INTERVAL '3 months 2 days'), (INTERVAL '14 months'),"
                 " (INTERVAL '-1 second'), (INTERVAL '0 seconds'), (INTERVAL '1 day -2 hours'),"
                 " (INTERVAL '-14 months 3 days -04:05:06.5'), (INTERVAL '100 hours'), (INTERVAL '-1 day 1 second'),"
                 " (INTERVAL '0.000001 seconds'), (INTERVAL '1 month'), (INTERVAL '-1 month'), (INTERVAL '11 months'),"
                 " (INTERVAL '2 years'), (INTERVAL '-1 day')")  # fmt: skip
    assert got == ["1 day 02:00:00", None, "3 mons 2 days", "1 year 2 mons", "-00:00:01", "00:00:00",
                   "1 day -02:00:00", "-1 years -2 mons +3 days -04:05:06.5", "100:00:00", "-1 days +00:00:01",
                   "00:00:00.000001", "1 mon", "-1 mons", "11 mons", "2 years", "-1 days"]  # fmt: skip


def test_arrays(con):
    rows = encode(con, "SELECT [1, 2, NULL], ['a b', 'x\"y', NULL, 'NULL', '', 'a,b', 'a\\b', '{', ' ', 'é', 'null',"
                  " 'Null', 'ab', 'a;b', '(', ')', ''''], [[1, 2], [3, 4]], []::INTEGER[], [1.5, NULL]::DOUBLE[],"
                  " [true, false], [DATE '2024-01-02'], [TIMESTAMP '2024-01-02 03:04:05.5'], ['\\x01'::BLOB],"
                  " [1.5::DECIMAL(10,1)], ['{\"a\": 1}'::JSON], [' a'], ['a' || chr(9) || 'b'], NULL::INTEGER[],"
                  " [INTERVAL '1 day', INTERVAL '-1 month'], [TIME '01:02:03.5'], [true, NULL],"
                  " [1e20, 'NaN', 'Infinity']::DOUBLE[], ['a' || chr(11) || 'b'], [1, 2, 3]::INTEGER[3]")  # fmt: skip
    assert [None if v is None else v.decode() for v in rows[0]] == [
        "{1,2,NULL}",
        '{"a b","x\\"y",NULL,"NULL","","a,b","a\\\\b","{"," ",é,"null","Null",ab,a;b,(,),\'}',
        "{{1,2},{3,4}}",
        "{}",
        "{1.5,NULL}",
        "{t,f}",
        "{2024-01-02}",
        '{"2024-01-02 03:04:05.5"}',
        '{"\\\\x01"}',
        "{1.5}",
        '{"{\\"a\\": 1}"}',
        '{" a"}',
        '{"a\tb"}',
        None,
        '{"1 day","-1 mons"}',
        "{01:02:03.5}",
        "{t,NULL}",
        "{1e+20,NaN,Infinity}",
        '{"a\x0bb"}',
        "{1,2,3}",
    ]


def test_nested_list_with_null_inner_and_sliced(con):
    sql = "SELECT x FROM (VALUES ([[1, NULL], NULL]), ([]), ([[], [5]])) t(x)"
    assert [r[0] for r in encode(con, sql)] == [b"{{1,NULL},NULL}", b"{}", b"{{},{5}}"]


def test_enum_and_map_fall_back_to_text_and_struct_is_a_record(con):
    rows = encode(
        con, "SELECT 'b'::ENUM('a', 'b'), {'a': 1, 'b': 'x'}, MAP {'k': 1}, ['x']::ENUM('x', 'y')[]"
    )
    # ENUM and MAP: the text DuckDB's own CAST(... AS VARCHAR) gives; a STRUCT: record_out's
    assert rows == [[b"b", b"(1,x)", b"{k=1}", b"{x}"]]
    nested = "SELECT {'a': 1, 'b': 'x', 'c': NULL, 'd': [1, 2], 'e': ['p q'], 'f': {'g': 2}}, [{'a': 'x'}], [row(1, 'a b')]"
    # as PostgreSQL prints row(1, 'x', NULL, array[1,2], array['p q'], row(2)), array[row('x')], ...
    assert encode(con, nested)[0] == [b'(1,x,,"{1,2}","{""p q""}","(2)")', b"{(x)}", b'{"(1,\\"a b\\")"}']
    assert encode(con, "SELECT MAP {'k': 1, 'z': NULL}")[0] == [b"{k=1, z=NULL}"]


def test_columns_cast_to_varchar_pass_through(con):
    from engine.codec import text_cast_required

    for duck in ("BIT", "TIME WITH TIME ZONE", "BIGNUM", "MAP(VARCHAR, INTEGER)", "UNION(n INTEGER)"):
        assert text_cast_required(duck)
    for duck in (
        "INTEGER",
        "VARCHAR[]",
        "ENUM('a', 'b')",
        "TIMESTAMP WITH TIME ZONE",
        "DECIMAL(10,2)",
        "BIGINT",
        "STRUCT(a INTEGER)",  # a record, encoded here
    ):
        assert not text_cast_required(duck)
    sql = "SELECT '0101'::BIT::VARCHAR, TIMETZ '01:02:03+05'::VARCHAR, '1000000000000000000000000000000'::BIGNUM::VARCHAR"
    types = [pg_type_for_duckdb(t) for t in ("BIT", "TIME WITH TIME ZONE", "BIGNUM")]
    batch = _seam.submit(con, sql, None, "arrow").arrow_table().to_batches()[0]
    assert parse_rows(RowEncoder(types, [0, 0, 0]).encode(batch)) == [
        [b"0101", b"01:02:03+05", b"1000000000000000000000000000000"]
    ]


def test_sliced_batches_and_multi_batch(con):
    sql = "SELECT i, 'v' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 0.5 END FROM range(10000) r(i)"
    rows = encode(con, sql, batch_size=1000)
    assert len(rows) == 10000
    assert rows[4] == [b"4", b"v4", b"2.0"] or rows[4] == [b"4", b"v4", b"2"]
    assert rows[3] == [b"3", b"v3", None]
    tbl = _seam.submit(con, sql, None, "arrow").arrow_table().combine_chunks()
    batch = tbl.to_batches()[0].slice(4, 3)
    types = [pg_type_for_duckdb(str(t)) for t in con.sql(sql).types]
    enc = RowEncoder(types, [0, 0, 0])
    expected_third = [v.decode() if v is not None else None for v in (rows[4][2], rows[5][2], rows[6][2])]
    got = parse_rows(enc.encode(batch))
    assert [r[0] for r in got] == [b"4", b"5", b"6"]
    assert [None if r[2] is None else r[2].decode() for r in got] == expected_third
    # a big slice goes through the vectorized (non-small-batch) path too
    big = parse_rows(enc.encode(tbl.to_batches()[0].slice(100, 500)))
    assert big == rows[100:600]


def test_empty_batch_and_decimal_column_value(con):
    types = [pg_type_for_duckdb("INTEGER")]
    empty = pa.record_batch([pa.array([], pa.int32())], names=["a"])
    assert RowEncoder(types, [0]).encode(empty) == b""
    assert RowEncoder(types, [1]).encode(empty) == b""
    rows = encode(con, "SELECT (i * 0.37 - 12345.5)::DOUBLE FROM range(3) r(i)")
    assert [r[0] for r in rows] == [b"-12345.5", b"-12345.13", b"-12344.76"]


def test_row_message_framing(con):
    data = RowEncoder([pg_type_for_duckdb("INTEGER"), pg_type_for_duckdb("VARCHAR")], [0, 0]).encode(
        pa.record_batch([pa.array([7, None], pa.int32()), pa.array(["ab", ""])], names=["a", "b"])
    )
    assert data == (b"D" + struct.pack(">ihi", 4 + 2 + 4 + 1 + 4 + 2, 2, 1) + b"7" + struct.pack(">i", 2) + b"ab"
                    + b"D" + struct.pack(">ihii", 4 + 2 + 4 + 4, 2, -1, 0))  # fmt: skip


def test_wrong_column_count_rejected():
    enc = RowEncoder([pg_type_for_duckdb("INTEGER")], [0])
    with pytest.raises(ValueError, match="columns"):
        enc.encode(pa.record_batch([pa.array([1]), pa.array([2])], names=["a", "b"]))


def test_float_text_keeps_nulls_on_slices():
    arr = pa.array([1e20, None, 0.5, 1e-7, None, math.pi])
    assert float_text(arr).to_pylist() == ["1e+20", None, "0.5", "1e-07", None, "3.141592653589793"]
    assert float_text(arr.slice(1, 3)).to_pylist() == [None, "0.5", "1e-07"]
