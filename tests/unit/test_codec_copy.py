"""COPY TO (RowEncoder.encode_text_copy: one CopyData per row) against PostgreSQL 15's output, and COPY FROM parsing."""

from __future__ import annotations

import datetime as dt
import struct
from decimal import Decimal

import pyarrow as pa
import pytest

from engine.codec import CopyError, RowEncoder, copy_in_to_arrow
from engine.codec.numeric import numeric_send
from pgwire import types as oids

# The rows of PostgreSQL's `ct` table used to capture the expected outputs below.
ROWS = [
    ("x\ty\\z\nw\rv", 1, None),
    ("", None, "a,b"),
    ("\\N", 2, 'q"q'),
    ("\b\fv", 3, "\\."),
    ("NULL", 4, "line\nbreak"),
]
TYPES = [oids.pg_type(oids.TEXT), oids.pg_type(oids.INT4), oids.pg_type(oids.TEXT)]
COLUMNS = [("a", TYPES[0]), ("b", TYPES[1]), ("c", TYPES[2])]

PG_TEXT = b'x\\ty\\\\z\\nw\\rv\t1\t\\N\n\t\\N\ta,b\n\\\\N\t2\tq"q\n\\b\\fv\t3\t\\\\.\nNULL\t4\tline\\nbreak\n'
PG_CSV = b'"x\ty\\z\nw\rv",1,\n"",,"a,b"\n\\N,2,"q""q"\n\b\x0cv,3,\\.\nNULL,4,"line\nbreak"\n'
PG_CSV_NULL = b'"x\ty\\z\nw\rv",1,NULL\n,NULL,"a,b"\n\\N,2,"q""q"\n\b\x0cv,3,\\.\n"NULL",4,"line\nbreak"\n'
PG_TEXT_COMMA = b'x\\ty\\\\z\\nw\\rv,1,\\N\n,\\N,a\\,b\n\\\\N,2,q"q\n\\b\\fv,3,\\\\.\nNULL,4,line\\nbreak\n'


def copy_text(enc: RowEncoder, b: pa.RecordBatch, **kw: object) -> bytes:
    """encode_text_copy's output unframed, checking that each row is a CopyData message of its own."""
    data = enc.encode_text_copy(b, **kw)  # type: ignore[arg-type]
    rows, pos = [], 0
    while pos < len(data):
        assert data[pos : pos + 1] == b"d"
        (n,) = struct.unpack_from("!i", data, pos + 1)
        rows.append(data[pos + 5 : pos + 1 + n])
        pos += 1 + n
    assert len(rows) == b.num_rows and all(r.endswith(b"\n") for r in rows)
    return b"".join(rows)


def batch() -> pa.RecordBatch:
    cols = list(zip(*ROWS, strict=True))
    return pa.record_batch(
        [pa.array(cols[0], pa.string()), pa.array(cols[1], pa.int32()), pa.array(cols[2], pa.string())],
        names=["a", "b", "c"],
    )


@pytest.mark.parametrize(
    ("csv", "delimiter", "null", "expected"),
    [
        (False, "\t", "\\N", PG_TEXT),
        (True, ",", "", PG_CSV),
        (True, ",", "NULL", PG_CSV_NULL),
        (False, ",", "\\N", PG_TEXT_COMMA),
    ],
)
def test_copy_out_matches_postgres(csv, delimiter, null, expected):
    enc = RowEncoder(TYPES, [0, 0, 0])
    assert copy_text(enc, batch(), csv=csv, delimiter=delimiter, null=null) == expected
    # a sliced batch gives the matching lines
    lines = expected.split(b"\n") if not csv else None
    if lines is not None:
        assert (
            copy_text(enc, batch().slice(2, 2), csv=csv, delimiter=delimiter, null=null)
            == b"\n".join(lines[2:4]) + b"\n"
        )


def test_copy_out_single_column_end_marker_is_quoted():
    enc = RowEncoder([oids.pg_type(oids.TEXT)], [0])
    b = pa.record_batch([pa.array(["\\.", "\\.x"])], names=["a"])
    assert copy_text(enc, b, csv=True, delimiter=",", null="") == b'"\\."\n\\.x\n'


def test_copy_out_typed_values():
    enc = RowEncoder(
        [oids.pg_type(oids.FLOAT8), oids.pg_type(oids.DATE), oids.pg_type(oids.INT4_ARRAY)], [0, 0, 0]
    )
    b = pa.record_batch(
        [
            pa.array([1e20, None]),
            pa.array([19724, 0], pa.date32()),
            pa.array([[1, None], []], pa.list_(pa.int32())),
        ],
        names=["f", "d", "a"],
    )
    assert copy_text(enc, b, csv=False, delimiter="\t", null="\\N") == (
        b"1e+20\t2024-01-02\t{1,NULL}\n\\N\t1970-01-01\t{}\n"
    )
    assert (
        copy_text(enc, b, csv=True, delimiter=",", null="")
        == b'1e+20,2024-01-02,"{1,NULL}"\n,1970-01-01,{}\n'
    )


def as_rows(table: pa.Table) -> list[tuple]:
    return [tuple(r.values()) for r in table.to_pylist()]


def text_rows() -> list[tuple]:
    return [tuple(None if v is None else str(v) for v in row) for row in ROWS]


def test_copy_in_text_roundtrips_postgres_output():
    assert as_rows(copy_in_to_arrow(PG_TEXT + b"\\.\n", COLUMNS, "text", None, None)) == text_rows()
    assert as_rows(copy_in_to_arrow(PG_TEXT_COMMA, COLUMNS, "text", ",", None)) == text_rows()


def test_copy_in_csv_roundtrips_postgres_output():
    assert as_rows(copy_in_to_arrow(PG_CSV, COLUMNS, "csv", None, None)) == text_rows()
    assert as_rows(copy_in_to_arrow(PG_CSV_NULL, COLUMNS, "csv", ",", "NULL")) == text_rows()


def test_copy_in_text_escapes_and_crlf():
    data = b"a\\\tb\t1\t\\101\\x41\\x4g\\1017\\q\r\nc\\\nd\t\\N\t\\\\\r\n"
    got = as_rows(copy_in_to_arrow(data, COLUMNS, "text", None, None))
    assert got == [("a\tb", "1", "AA\x04gA7q"), ("c\nd", None, "\\")]


def test_copy_in_fast_path_and_unicode():
    data = "é\t1\t\\N\n\t2\tx y\n".encode()
    assert as_rows(copy_in_to_arrow(data, COLUMNS, "text", None, None)) == [
        ("é", "1", None),
        ("", "2", "x y"),
    ]


def test_copy_in_header_and_end_marker():
    data = b"a,b,c\n1,2,3\n\\.\ngarbage\n"
    assert as_rows(copy_in_to_arrow(data, COLUMNS, "csv", None, None, header=True)) == [("1", "2", "3")]
    assert copy_in_to_arrow(b"", COLUMNS, "text", None, None).num_rows == 0
    assert copy_in_to_arrow(b"\\.\n", COLUMNS, "text", None, None).num_rows == 0


def test_copy_in_single_column_empty_lines():
    cols = COLUMNS[:1]
    assert as_rows(copy_in_to_arrow(b"\n\nx\n", cols, "text", None, None)) == [("",), ("",), ("x",)]
    assert as_rows(copy_in_to_arrow(b'\n""\n', cols, "csv", None, None)) == [(None,), ("",)]


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"a\t1\n", "text", 'missing data for column "c"'),
        (b"a\t1\tb\tc\n", "text", "extra data after last expected column"),
        (b"\n", "text", 'missing data for column "b"'),
        (b"a,1\n", "csv", 'missing data for column "c"'),
        (b"a,1,2,3\n", "csv", "extra data after last expected column"),
    ],
)
def test_copy_in_column_count_errors(data, fmt, message):
    with pytest.raises(CopyError) as info:
        copy_in_to_arrow(data, COLUMNS, fmt, None, None)
    assert info.value.sqlstate == "22P04"
    assert str(info.value) == message


def test_copy_in_invalid_utf8_after_unescape():
    with pytest.raises(CopyError) as info:
        copy_in_to_arrow(b"\\377\t1\tx\n", COLUMNS, "text", None, None)
    assert info.value.sqlstate == "22021"


def _binary_copy(rows: list[list[bytes | None]]) -> bytes:
    out = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
    for row in rows:
        out += struct.pack(">h", len(row))
        for v in row:
            out += struct.pack(">i", -1) if v is None else struct.pack(">i", len(v)) + v
    return out + struct.pack(">h", -1)


def test_copy_in_binary_typed():
    cols = [
        ("i", oids.pg_type(oids.INT4)),
        ("t", oids.pg_type(oids.TEXT)),
        ("n", oids.pg_type(oids.NUMERIC, (10 << 16 | 2) + 4)),
        ("d", oids.pg_type(oids.DATE)),
        ("ts", oids.pg_type(oids.TIMESTAMPTZ)),
        ("iv", oids.pg_type(oids.INTERVAL)),
        ("a", oids.pg_type(oids.INT4_ARRAY)),
    ]
    arr = struct.pack(">iiiii", 1, 0, 23, 2, 1) + struct.pack(">ii", 4, 5) + struct.pack(">ii", 4, 6)
    data = _binary_copy(
        [
            [struct.pack(">i", 7), "ü".encode(), numeric_send(Decimal("1.25")), struct.pack(">i", 1),
             struct.pack(">q", 1_000_000), struct.pack(">qii", 1, 2, 3), arr],
            [None, None, None, None, None, None, None],
        ]
    )  # fmt: skip
    table = copy_in_to_arrow(data, cols, "binary", None, None)
    assert table.schema.types == [pa.int32(), pa.string(), pa.decimal128(10, 2), pa.date32(),
                                  pa.timestamp("us", tz="UTC"), pa.month_day_nano_interval(),
                                  pa.list_(pa.int32())]  # fmt: skip
    first = table.to_pylist()[0]
    assert first["i"] == 7 and first["t"] == "ü" and first["n"] == Decimal("1.25")
    assert first["d"] == dt.date(2000, 1, 2)
    assert first["ts"] == dt.datetime(2000, 1, 1, 0, 0, 1, tzinfo=dt.UTC)
    assert (first["iv"].months, first["iv"].days, first["iv"].nanoseconds) == (3, 2, 1000)
    assert first["a"] == [5, 6]
    assert set(table.to_pylist()[1].values()) == {None}


@pytest.mark.parametrize(
    "data",
    [
        b"NOTCOPY",
        _binary_copy([[struct.pack(">i", 1)]]),  # one field, three expected
        _binary_copy([[struct.pack(">i", 1), b"x", b"\x00\x01"]])[:-4],  # truncated
        _binary_copy([[struct.pack(">h", 1), b"x", None]]),  # int4 field of 2 bytes
    ],
)
def test_copy_in_binary_malformed(data):
    with pytest.raises(CopyError) as info:
        copy_in_to_arrow(data, COLUMNS, "binary", None, None)
    assert info.value.sqlstate == "22P04"
