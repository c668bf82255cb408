"""The small-result path (engine.codec.values) gives the Arrow encoders' bytes, value for value.

Both read the same real DuckDB result: once in the rows format (Python values), once as an Arrow
stream (engine.codec.RowEncoder, the definition of each type's wire form).
"""

from __future__ import annotations

import duckdb
import pytest
from duckdb import _seam
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.codec import RowEncoder
from engine.codec import values as codec_values
from engine.session import _columns_from_description
from pgwire.types import numeric_typmod, pg_type

COLUMNS = [("BOOLEAN", st.booleans()), ("SMALLINT", st.integers(-(2**15), 2**15 - 1))]
COLUMNS += [("INTEGER", st.integers(-(2**31), 2**31 - 1)), ("BIGINT", st.integers(-(2**63), 2**63 - 1))]
COLUMNS += [("VARCHAR", st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=40))]
COLUMNS += [("HUGEINT", st.integers(-(2**127) + 1, 2**127 - 1))]


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _both(con: duckdb.DuckDBPyConnection, sql: str, values: list, fmt: int) -> tuple[bytes, bytes]:
    res = _seam.submit(con, sql, values, "stream", 1024)
    cols = _columns_from_description(res.description)
    reader = res.arrow_reader()
    enc = RowEncoder([t for _, t in cols], [fmt] * len(cols))
    arrow = b"".join(enc.encode(b) for b in reader)
    reader.close()
    res = _seam.submit(con, sql, values, "rows")
    oids = [t.oid for _, t in cols]
    assert codec_values.encodable(oids, [fmt] * len(cols))
    plain = codec_values.row_framer(oids, [fmt] * len(cols))(res.fetchall())
    res.close()
    return arrow, plain


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_same_bytes_as_the_arrow_encoders(con: duckdb.DuckDBPyConnection, data: st.DataObject) -> None:
    picked = data.draw(st.lists(st.sampled_from(range(len(COLUMNS))), min_size=1, max_size=4))
    fmt = data.draw(st.sampled_from([0, 1]))
    if fmt == 1:
        picked = [i for i in picked if COLUMNS[i][0] != "HUGEINT"] or [0]  # numeric: text only
    nrows = data.draw(st.integers(1, 3))
    values, selects = [], []
    for _ in range(nrows):
        cells = []
        for c, i in enumerate(picked):
            name, strategy = COLUMNS[i]
            v = data.draw(st.none() | strategy)
            values.append(v)
            cells.append(f"${len(values)}::{name} AS c{c}")
        selects.append("SELECT " + ", ".join(cells))
    arrow, plain = _both(con, " UNION ALL ".join(selects), values, fmt)
    assert plain == arrow


def test_other_types_are_not_encodable_and_odd_values_refused() -> None:
    assert not codec_values.encodable([1700], [1])  # numeric in binary
    assert not codec_values.encodable([1082], [0])  # date
    frame = codec_values.row_framer([1700], [0])
    assert frame([(12345678901234567890123,)]).endswith(b"12345678901234567890123")
    # a bare numeric's Decimal: its own digits, as engine.codec.numeric sends them; a numeric(p,s)
    # column (typmod) is not plain (its scale's zeros are part of its text)
    dec = __import__("decimal").Decimal
    assert frame([(dec("1.5000000000"),), (dec("-0E-10"),), (dec("100.0000000000"),)]) == b"".join(
        frame([(v,)]) for v in ("1.5", "0", "100")
    )
    assert codec_values.plain_columns([pg_type(1700)], [0])
    assert not codec_values.plain_columns([pg_type(1700, numeric_typmod(10, 2))], [0])
    with pytest.raises(codec_values.ValueEncodeError):
        codec_values.row_framer([23], [1])([("x",)])


def test_bignum_integers_beyond_hugeint(con: duckdb.DuckDBPyConnection) -> None:
    """An integer literal wider than HUGEINT is DuckDB's BIGNUM: numeric text and binary, both paths."""
    from engine.codec.numeric import numeric_recv

    big, neg = 1234567890123456789012345678901234567890, -98765432109876543210987654321098765432109876
    sql = f"SELECT {big} AS a, {neg}::BIGNUM AS b, NULL::BIGNUM AS c, 0::BIGNUM AS d, -1::BIGNUM AS e"
    arrow, plain = _both(con, sql, [], 0)
    assert arrow == plain
    assert arrow.count(str(big).encode()) == 1 and str(neg).encode() in arrow
    res = _seam.submit(con, sql, [], "stream", 1024)
    cols = _columns_from_description(res.description)
    reader = res.arrow_reader()
    data = RowEncoder([t for _, t in cols], [1] * len(cols)).encode(reader.read_next_batch())
    reader.close()
    cells, i = [], 7
    while i < len(data):
        n = int.from_bytes(data[i : i + 4], "big", signed=True)
        cells.append(None if n < 0 else numeric_recv(data[i + 4 : i + 4 + n]))
        i += 4 + max(n, 0)
    assert cells == [big, neg, None, 0, -1]
