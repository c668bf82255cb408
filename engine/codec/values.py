"""Python values (DuckDB's rows format) -> DataRow messages, for results of a few plain types.

A point query's row costs less to fetch as Python values than as an Arrow stream, and integers,
text and booleans have one obvious wire form each, so a handful of rows is framed here without
Arrow. The Arrow encoders (engine.codec.registry) stay the definition of every type's wire form:
tests check that both give the same bytes, and any value this module does not know is refused
(ValueEncodeError), never guessed.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from engine.codec.registry import TEXT_FORMAT
from pgwire import types as oids

_ROW_HEAD = struct.Struct(">cih")
_LEN = struct.Struct(">i")
_NULL = b"\xff\xff\xff\xff"

# Types whose values arrive as Python bool, int or str and whose binary form is fixed. Not
# NUMERIC: its columns are DECIMALs (Python Decimal, the bare numeric's display rules) as often as
# HUGEINTs; they stay with the Arrow encoders.
_BINARY: dict[int, Callable[[Any], bytes]] = {
    oids.BOOL: lambda v: b"\x01" if v else b"\x00",
    oids.INT2: struct.Struct(">h").pack,
    oids.INT4: struct.Struct(">i").pack,
    oids.INT8: struct.Struct(">q").pack,
    oids.TEXT: str.encode,
    oids.VARCHAR: str.encode,
    oids.BPCHAR: str.encode,
}
PLAIN_OIDS = frozenset(_BINARY)


class ValueEncodeError(Exception):
    """A value of a type this module does not encode (the caller asked for the wrong path)."""


def _text(v: Any) -> bytes:  # noqa: ANN401
    t = type(v)
    if t is str:
        return v.encode()
    if t is bool:
        return b"t" if v else b"f"
    if t is int:
        return str(v).encode()
    raise ValueEncodeError(f"no plain text form for a {t.__name__} value")


def _binary(fn: Callable[[Any], bytes], py: type) -> Callable[[Any], bytes]:
    def enc(v: Any) -> bytes:  # noqa: ANN401
        if type(v) is not py:
            raise ValueEncodeError(f"no plain binary form for a {type(v).__name__} value")
        return fn(v)

    return enc


_PY_TYPE = {oids.BOOL: bool, oids.TEXT: str, oids.VARCHAR: str, oids.BPCHAR: str}


def encodable(pg_oids: Sequence[int], formats: Sequence[int]) -> bool:
    """Whether rows of these column types and formats can go through row_framer()."""
    return all(o in PLAIN_OIDS for o in pg_oids) and len(pg_oids) == len(formats)


def _padded(enc: Callable[[Any], bytes], n: int) -> Callable[[Any], bytes]:
    """char(n): the value blank-padded to n (engine.codec.text.bpchar_padded)."""

    def pad(v: Any) -> bytes:  # noqa: ANN401
        return enc(v.ljust(n) if type(v) is str else v)

    return pad


@lru_cache(maxsize=256)
def framer_for(
    pg_oids: tuple[int, ...], formats: tuple[int, ...], widths: tuple[int, ...] = ()
) -> Callable[[Sequence[tuple]], bytes] | None:
    """row_framer() of these column types, formats and char(n) widths, made once for each (a point
    query's statements all frame the same columns); None when they are not encodable()."""
    if not encodable(pg_oids, formats):
        return None
    return row_framer(pg_oids, formats, widths)


def row_framer(
    pg_oids: Sequence[int], formats: Sequence[int], widths: Sequence[int] = ()
) -> Callable[[Sequence[tuple]], bytes]:
    """A function from rows (tuples of Python values) to their DataRow messages; check encodable()
    first. It raises ValueEncodeError on a value of another Python type than the column's.
    widths: per column, the n of a char(n) (its values are blank-padded to n), else 0."""
    encs = [
        _text if f == TEXT_FORMAT else _binary(_BINARY[o], _PY_TYPE.get(o, int))
        for o, f in zip(pg_oids, formats, strict=True)
    ]
    encs = [_padded(e, w) if w > 0 else e for e, w in zip(encs, list(widths) or [0] * len(encs), strict=True)]
    ncols = len(encs)

    def frame(rows: Sequence[tuple]) -> bytes:
        out = []
        for row in rows:
            parts = []
            size = 6
            for enc, v in zip(encs, row, strict=True):
                if v is None:
                    parts.append(_NULL)
                    size += 4
                else:
                    b = enc(v)
                    parts.append(_LEN.pack(len(b)))
                    parts.append(b)
                    size += 4 + len(b)
            out.append(_ROW_HEAD.pack(b"D", size, ncols))
            out.extend(parts)
        return b"".join(out)

    return frame
