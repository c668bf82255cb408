"""The proxy <-> engine channel, sans-I/O: what the supervisor tells an engine at start
(EngineSpec), and the framing of a session's connection to it (a unix socket per session).

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
from dataclasses import dataclass
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


@dataclass
class EngineSpec:
    """What the supervisor tells an engine: which file, where to listen, which limits."""

    name: str
    db_path: str
    socket_path: str
    token: str
    read_only: bool
    memory_limit: str
    threads: int
    temp_dir: str
    max_temp_size: str
    allowed_dir: str
    max_size: int | None = None  # STORAGE MAXSIZE in bytes; None = unlimited

    @classmethod
    def from_json(cls, text: str) -> EngineSpec:
        return cls(**json.loads(text))
