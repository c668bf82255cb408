"""Bind parameters: wire bytes (text or binary format) -> Python values DuckDB accepts as parameters.

Representation choices (what DuckDB binds without a CAST unless noted):
  int2/int4/int8/oid -> int, float4/float8 -> float, numeric -> decimal.Decimal, bool -> bool,
  text-like/json/jsonb -> str, bytea -> bytes, uuid -> uuid.UUID, date -> datetime.date,
  time -> datetime.time, timetz -> aware datetime.time, timestamp -> naive datetime,
  timestamptz -> aware datetime (input without an offset is read in the session TimeZone),
  interval -> duckdb IntervalValue (exact months/days/microseconds), arrays -> (nested) lists.
  Values Python's datetime cannot hold ('infinity', BC or year > 9999, 24:00:00) come back as strings
  in DuckDB's spelling, which bind where the statement CASTs the parameter (duckdb_type_for_oid).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from engine.codec.decode_binary import BINARY_DECODERS
from engine.codec.decode_text import TEXT_DECODERS, DecodeContext
from engine.codec.errors import ParamError

_TEXT: dict[int, Callable[[str, DecodeContext], Any]] = dict(TEXT_DECODERS)
_BINARY: dict[int, Callable[[bytes], Any]] = dict(BINARY_DECODERS)
_CONTEXTS: dict[str, DecodeContext] = {}


def register_decoder(oid: int, fmt: int, decoder: Callable[..., Any]) -> None:
    """Install a decoder: text ones take (text, DecodeContext), binary ones take (raw bytes)."""
    (_TEXT if fmt == 0 else _BINARY)[oid] = decoder


def _invalid_utf8(raw: bytes, exc: UnicodeDecodeError) -> ParamError:
    bad = raw[exc.start : exc.start + 2]
    return ParamError(
        "22021", 'invalid byte sequence for encoding "UTF8": ' + " ".join(f"0x{b:02x}" for b in bad)
    )


def decode_param(
    raw: bytes | bytearray | memoryview | None, oid: int, fmt: int, *, timezone: str = "UTC"
) -> object:
    """The Python value of one Bind parameter of type `oid` sent in format `fmt` (None for NULL).

    Unknown/unspecified (0) OIDs in text format give str. Raises ParamError: 22P02/22007/22003/22008
    for bad text input (as PostgreSQL's input functions), 22021 for invalid UTF-8, 08P01 for
    malformed binary input.
    """
    if raw is None:
        return None
    data = bytes(raw)
    if fmt == 0:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _invalid_utf8(data, exc) from None
        if "\x00" in text:
            raise ParamError("22021", 'invalid byte sequence for encoding "UTF8": 0x00')
        dec = _TEXT.get(oid)
        if dec is None:
            return text
        ctx = _CONTEXTS.get(timezone)
        if ctx is None:
            ctx = _CONTEXTS[timezone] = DecodeContext(timezone)
        return dec(text, ctx)
    if fmt != 1:
        raise ParamError("08P01", f"unsupported format code: {fmt}")
    bdec = _BINARY.get(oid)
    if bdec is None:
        if oid == 0:  # unspecified type sent in binary: PostgreSQL reads it as text (unknownrecv)
            bdec = _BINARY[25]
        else:
            raise ParamError("42883", f"no binary input function available for type {oid}")
    try:
        return bdec(data)
    except UnicodeDecodeError as exc:
        raise _invalid_utf8(data, exc) from None
    except (ValueError, struct.error, IndexError, OverflowError) as exc:
        raise ParamError("08P01", f"incorrect binary data format in bind parameter: {exc}") from None
