"""Framing of the proxy <-> engine channel (a unix socket per session), sans-I/O.

A frame is kind (1 byte) + payload length (4 bytes, big-endian) + payload.

proxy -> engine:  REQUEST  JSON header + binary blobs (parameter values, COPY data)
                  COPY_CHUNK raw COPY data from the client
engine -> proxy:  WIRE     PostgreSQL backend messages, forwarded to the client untouched
                  DONE     JSON: end of a request, with the session's transaction status
                  COPY_IN  JSON: the engine awaits COPY_CHUNKs then a copy_done/copy_fail request
"""

from __future__ import annotations

import json
import struct
from typing import Any

REQUEST = b"J"
COPY_CHUNK = b"d"
WIRE = b"W"
DONE = b"Z"
COPY_IN = b"G"

HEADER = struct.Struct("!ci")
MAX_FRAME = 1 << 30


def frame(kind: bytes, payload: bytes) -> bytes:
    return HEADER.pack(kind, len(payload)) + payload


def pack_request(header: dict[str, Any], blobs: list[bytes | None] | None = None) -> bytes:
    """A REQUEST frame: JSON header, then each blob as int32 length (-1 for NULL) + bytes."""
    head = json.dumps(header, separators=(",", ":")).encode()
    parts = [struct.pack("!i", len(head)), head]
    for b in blobs or ():
        if b is None:
            parts.append(b"\xff\xff\xff\xff")
        else:
            parts.append(struct.pack("!i", len(b)))
            parts.append(b)
    return frame(REQUEST, b"".join(parts))


def unpack_request(payload: bytes) -> tuple[dict[str, Any], list[bytes | None]]:
    (n,) = struct.unpack_from("!i", payload, 0)
    header = json.loads(payload[4 : 4 + n])
    blobs: list[bytes | None] = []
    pos = 4 + n
    while pos < len(payload):
        (m,) = struct.unpack_from("!i", payload, pos)
        pos += 4
        if m < 0:
            blobs.append(None)
        else:
            blobs.append(payload[pos : pos + m])
            pos += m
    return header, blobs


def pack_json(kind: bytes, obj: dict[str, Any]) -> bytes:
    return frame(kind, json.dumps(obj, separators=(",", ":")).encode())
