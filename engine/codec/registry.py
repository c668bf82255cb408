"""The encoder registry: (PostgreSQL type OID, format code) -> encoder, like psycopg's adapters.

An encoder takes an Arrow array and an EncodeContext and returns an Arrow binary/string array of
the wire bytes of each value (nulls stay null). Text format falls back to the generic Arrow-type
driven text for any OID; binary format exists only for the OIDs registered here.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa

from engine.codec.binary import BINARY_ENCODERS
from engine.codec.text import EncodeContext, text_of
from pgwire import types as oids

Encoder = Callable[[pa.Array, EncodeContext], pa.Array]

TEXT_FORMAT = 0
BINARY_FORMAT = 1

_ENCODERS: dict[tuple[int, int], Encoder] = {}


def register_encoder(oid: int, fmt: int, encoder: Encoder) -> None:
    """Install (or replace) the encoder for values of `oid` sent in format `fmt`."""
    _ENCODERS[(oid, fmt)] = encoder


def binary_supported(oid: int) -> bool:
    """Whether values of this type can be sent in binary; otherwise the caller must ask for text."""
    return (oid, BINARY_FORMAT) in _ENCODERS


def get_encoder(oid: int, fmt: int) -> Encoder:
    """The encoder for (oid, fmt); unknown binary types get the text encoder (check binary_supported)."""
    enc = _ENCODERS.get((oid, fmt))
    if enc is None:
        enc = _ENCODERS.get((oid, TEXT_FORMAT), text_of)
    return enc


for _oid in oids.PG_TYPE_NAMES:
    register_encoder(_oid, TEXT_FORMAT, text_of)
for _oid, _enc in BINARY_ENCODERS.items():
    register_encoder(_oid, BINARY_FORMAT, _enc)
