"""Micro-benchmark of RowEncoder (not a test): python -m engine.codec._bench"""

from __future__ import annotations

import time

import duckdb
from duckdb import _seam

from engine.codec.rows import RowEncoder
from pgwire.types import pg_type_for_duckdb

ROWS = 1_000_000
SQL = (
    "SELECT (i * 7919 % 2000003 - 1000000)::INTEGER AS i, 'name_' || (i * 31 % 100003)::VARCHAR AS t,"
    " (i * 0.37 - 12345.5)::DOUBLE AS d, DATE '1990-01-01' + (i % 12000)::INTEGER AS dt FROM range({n}) r(i)"
)


def _table(con: duckdb.DuckDBPyConnection, n: int):  # noqa: ANN202
    return _seam.submit(con, SQL.format(n=n), None, "arrow").arrow_table().combine_chunks()


def main() -> None:
    con = duckdb.connect()
    rel = con.sql(SQL.format(n=1))
    types = [pg_type_for_duckdb(str(t)) for t in rel.types]
    big = _table(con, ROWS).to_batches(max_chunksize=ROWS)[0]
    one = _table(con, 1).to_batches()[0]
    for fmt, label in ((0, "text"), (1, "binary")):
        enc = RowEncoder(types, [fmt] * len(types))
        enc.encode(big.slice(0, 1000))  # warm up
        best = min(_timed(enc.encode, big) for _ in range(3))
        cells = big.num_rows * big.num_columns
        print(f"{label:6s} 1M x 4: {best:.3f} s  {cells / best / 1e6:.2f} M cells/s")
        k = 2000
        t0 = time.perf_counter()
        for _ in range(k):
            enc.encode(one)
        print(f"{label:6s} 1-row batch: {(time.perf_counter() - t0) / k * 1e6:.1f} us")
    enc = RowEncoder(types, [0] * len(types))
    best = min(_timed(lambda b: enc.encode_text_copy(b, False, "\t", "\\N"), big) for _ in range(3))
    print(f"copy   1M x 4: {best:.3f} s  {big.num_rows * 4 / best / 1e6:.2f} M cells/s")


def _timed(fn, arg) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    fn(arg)
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
