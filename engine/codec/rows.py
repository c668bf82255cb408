"""RowEncoder: whole RecordBatches -> concatenated DataRow messages (and COPY TO text/CSV lines).

Each column is encoded to an Arrow binary array of wire values; the length words and the
'D' + length + column-count headers are numpy big-endian arrays; one Arrow element-wise join then
lays every row out contiguously, so no Python code runs per row or per value.
"""

from __future__ import annotations

import struct

import numpy as np
import pyarrow as pa

from engine.codec import _arrow as A
from engine.codec.copy_out import copy_lines
from engine.codec.registry import TEXT_FORMAT, binary_supported, get_encoder
from engine.codec.text import EncodeContext
from pgwire.types import PgType

_HEADER = np.dtype([("tag", "u1"), ("length", ">i4"), ("ncols", ">i2")])
_SMALL = 16  # batches up to this many rows are framed in Python (cheaper than ~20 numpy calls)
_INT32 = struct.Struct(">i")
_ROW_HEAD = struct.Struct(">cih")
_NULL_CELL = b"\xff\xff\xff\xff"
# Arrow binary offsets are int32: keep one join's output well under 2 GiB.
_MAX_JOIN_BYTES = 1 << 30


class RowEncoder:
    """Encodes batches of one result shape; build once per portal/statement."""

    def __init__(self, pg_types: list[PgType], formats: list[int], timezone: str = "UTC") -> None:
        if len(pg_types) != len(formats):
            raise ValueError("one format code per column is required")
        self.pg_types = list(pg_types)
        # A binary request for a type without a binary encoder cannot be honoured: callers check
        # binary_supported() when building RowDescription; here such columns go out as text.
        self.formats = [
            f if f == TEXT_FORMAT or binary_supported(t.oid) else TEXT_FORMAT
            for t, f in zip(pg_types, formats, strict=True)
        ]
        self.timezone = timezone
        self._contexts = [EncodeContext(t, timezone) for t in self.pg_types]
        self._encoders = [get_encoder(t.oid, f) for t, f in zip(self.pg_types, self.formats, strict=True)]
        self._text_encoders = [get_encoder(t.oid, TEXT_FORMAT) for t in self.pg_types]

    def _check(self, batch: pa.RecordBatch) -> None:
        if batch.num_columns != len(self._encoders):
            raise ValueError(f"batch has {batch.num_columns} columns, encoder expects {len(self._encoders)}")

    def encode(self, batch: pa.RecordBatch, tag: bytes = b"D") -> bytes:
        """All rows of `batch` as consecutive DataRow messages (b'' for an empty batch). With tag
        b"d", CopyData messages of binary COPY: a binary COPY tuple is a DataRow's body."""
        self._check(batch)
        n = batch.num_rows
        if n == 0:
            return b""
        cells = [
            enc(batch.column(i), ctx)
            for i, (enc, ctx) in enumerate(zip(self._encoders, self._contexts, strict=True))
        ]
        return self._assemble(cells, n, tag)

    def _assemble(self, cells: list[pa.Array], n: int, tag: bytes = b"D") -> bytes:
        if n <= _SMALL:
            return _assemble_small(cells, n, tag)
        cells = [A.as_binary(c) for c in cells]
        msg_len = np.full(n, 6, dtype=np.int64)  # length word + column count
        pieces: list[pa.Array] = []
        for cell in cells:
            lens = np.diff(A.offsets(cell)).astype(np.int64)
            vm = A.valid_mask(cell)
            if vm is not None:
                lens = np.where(vm, lens, -1)
                msg_len += 4 + np.maximum(lens, 0)
            else:
                msg_len += 4 + lens
            pieces.append(A.fixed_binary(lens.astype(">i4").view(np.uint8), 4, None, n))
            pieces.append(cell)
        total = int(msg_len.sum()) + n
        if total > _MAX_JOIN_BYTES and n > 1:
            half = n // 2
            return self._assemble([c.slice(0, half) for c in cells], half, tag) + self._assemble(
                [c.slice(half) for c in cells], n - half, tag
            )
        header = np.empty(n, dtype=_HEADER)
        header["tag"] = ord(tag)
        header["length"] = msg_len
        header["ncols"] = len(cells)
        pieces.insert(0, A.fixed_binary(header.view(np.uint8), 7, None, n))
        if any(p.type == pa.large_binary() for p in pieces):
            pieces = [A.cast(p, pa.large_binary()) for p in pieces]
        rows = A.join(*pieces, null_as=b"")
        offs = A.offsets(rows)
        return _prefix(rows, int(offs[-1]), int(offs[0]))

    def encode_text_copy(
        self,
        batch: pa.RecordBatch,
        csv: bool,
        delimiter: str,
        null: str,
        quote: str = '"',
        escape: str | None = None,
    ) -> bytes:
        """COPY TO STDOUT of `batch` (text or CSV format): one CopyData message per row, as
        PostgreSQL sends them (clients such as psycopg's copy.rows() read a message as a row)."""
        self._check(batch)
        if batch.num_rows == 0:
            return b""
        texts = [
            A.as_string(enc(batch.column(i), ctx))
            for i, (enc, ctx) in enumerate(zip(self._text_encoders, self._contexts, strict=True))
        ]
        return _copy_data_each(
            A.as_binary(copy_lines(texts, batch.num_rows, csv, delimiter, null, quote, escape))
        )


def _assemble_small(cells: list[pa.Array], n: int, tag: bytes = b"D") -> bytes:
    """Framing for tiny batches (point queries), where numpy/Arrow call overhead would dominate.

    The values were already encoded vectorized; this only slices them out, so it loops over at
    most _SMALL rows.
    """
    cols = []
    for cell in cells:
        bufs = cell.buffers()
        offs = A.offsets(cell).tolist()
        raw = b"" if bufs[2] is None else memoryview(bufs[2])
        vm = A.valid_mask(cell)
        cols.append((offs, raw, None if vm is None else vm.tolist()))
    ncols = len(cells)
    out = []
    for i in range(n):
        parts = []
        for offs, raw, valid in cols:
            if valid is not None and not valid[i]:
                parts.append(_NULL_CELL)
            else:
                value = raw[offs[i] : offs[i + 1]]
                parts.append(_INT32.pack(len(value)))
                parts.append(value)
        body = b"".join(parts)
        out.append(_ROW_HEAD.pack(tag, len(body) + 6, ncols))
        out.append(body)
    return b"".join(out)


_COPY_DATA_HEAD = np.dtype([("kind", "S1"), ("length", ">i4")])


def _copy_data_each(lines: pa.Array) -> bytes:
    """CopyData framing of each value of a binary array, vectorized: 'd', int32 length, value."""
    n = len(lines)
    heads = np.empty(n, dtype=_COPY_DATA_HEAD)
    heads["kind"] = b"d"
    heads["length"] = np.diff(A.offsets(lines)) + 4
    framed = A.join(A.fixed_binary(heads.view(np.uint8), _COPY_DATA_HEAD.itemsize, None, n), lines)
    offs = A.offsets(framed)
    return _prefix(framed, int(offs[-1]), int(offs[0]))


def _prefix(arr: pa.Array, end: int, start: int = 0) -> bytes:
    buf = arr.buffers()[2]
    if buf is None:
        return b""
    return buf.slice(start, end - start).to_pybytes()
