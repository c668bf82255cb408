"""What a PostgreSQL v3 server sends, sans-I/O: builders of each message (server side) and a
parser of the server's byte stream into messages (client side: tests, tools, the proxy where it
inspects a reply).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

# ---------------------------------------------------------------- server side: builders


def _msg(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def _cstr(s: str) -> bytes:
    return s.encode() + b"\0"


def auth_ok() -> bytes:
    return _msg(b"R", struct.pack("!i", 0))


def auth_cleartext() -> bytes:
    return _msg(b"R", struct.pack("!i", 3))


def auth_md5(salt: bytes) -> bytes:
    return _msg(b"R", struct.pack("!i", 5) + salt)


def auth_sasl(mechanisms: list[str]) -> bytes:
    return _msg(b"R", struct.pack("!i", 10) + b"".join(_cstr(m) for m in mechanisms) + b"\0")


def auth_sasl_continue(data: bytes) -> bytes:
    return _msg(b"R", struct.pack("!i", 11) + data)


def auth_sasl_final(data: bytes) -> bytes:
    return _msg(b"R", struct.pack("!i", 12) + data)


def parameter_status(name: str, value: str) -> bytes:
    return _msg(b"S", _cstr(name) + _cstr(value))


def backend_key_data(pid: int, key: int) -> bytes:
    return _msg(b"K", struct.pack("!ii", pid, key))


def ready_for_query(status: str) -> bytes:
    return _msg(b"Z", status.encode())


def command_complete(tag: str) -> bytes:
    return _msg(b"C", _cstr(tag))


def notification_response(pid: int, channel: str, payload: str) -> bytes:
    """NotificationResponse ('A'): a NOTIFY on a channel this session listens to."""
    return _msg(b"A", struct.pack(">i", pid) + _cstr(channel) + _cstr(payload))


def empty_query_response() -> bytes:
    return b"I\x00\x00\x00\x04"


PARSE_COMPLETE = b"1\x00\x00\x00\x04"
BIND_COMPLETE = b"2\x00\x00\x00\x04"
CLOSE_COMPLETE = b"3\x00\x00\x00\x04"
NO_DATA = b"n\x00\x00\x00\x04"
PORTAL_SUSPENDED = b"s\x00\x00\x00\x04"
COPY_DONE = b"c\x00\x00\x00\x04"
SSL_NO = b"N"
SSL_YES = b"S"


@dataclass(slots=True)
class Column:
    """One field of a RowDescription."""

    name: str
    type_oid: int
    type_len: int = -1
    type_mod: int = -1
    format: int = 0
    table_oid: int = 0
    column_no: int = 0


def row_description(columns: list[Column]) -> bytes:
    parts = [struct.pack("!h", len(columns))]
    for c in columns:
        parts.append(_cstr(c.name))
        parts.append(
            struct.pack("!ihihih", c.table_oid, c.column_no, c.type_oid, c.type_len, c.type_mod, c.format)
        )
    return _msg(b"T", b"".join(parts))


def parameter_description(oids: list[int]) -> bytes:
    return _msg(b"t", struct.pack("!h", len(oids)) + b"".join(struct.pack("!I", o) for o in oids))


def data_row(values: list[bytes | None]) -> bytes:
    """One DataRow from already-encoded values; for the few rows the proxy answers itself."""
    parts = [struct.pack("!h", len(values))]
    for v in values:
        if v is None:
            parts.append(b"\xff\xff\xff\xff")
        else:
            parts.append(struct.pack("!i", len(v)))
            parts.append(v)
    return _msg(b"D", b"".join(parts))


def text_rows(rows: list[tuple[object, ...]]) -> bytes:
    """DataRows in text format for small proxy-side results (SHOW PDBS and the like)."""
    return b"".join(data_row([None if v is None else str(v).encode() for v in row]) for row in rows)


# ErrorResponse fields naming the object at fault (drivers expose them: psycopg's Diagnostic,
# node-postgres' error.table): schema, table, column, data type, constraint.
DIAGNOSTIC_FIELDS = {"schema": b"s", "table": b"t", "column": b"c", "datatype": b"d", "constraint": b"n"}


def _fields(
    severity: str,
    sqlstate: str,
    message: str,
    detail: str | None,
    hint: str | None,
    position: int | None,
    objects: dict[str, str] | None = None,
) -> bytes:
    parts = [b"S" + _cstr(severity), b"V" + _cstr(severity), b"C" + _cstr(sqlstate), b"M" + _cstr(message)]
    if detail:
        parts.append(b"D" + _cstr(detail))
    if hint:
        parts.append(b"H" + _cstr(hint))
    if position:
        parts.append(b"P" + _cstr(str(position)))
    for name, value in (objects or {}).items():
        code = DIAGNOSTIC_FIELDS.get(name)
        if code is not None and value:
            parts.append(code + _cstr(value))
    return b"".join(parts) + b"\0"


def error_response(
    sqlstate: str,
    message: str,
    *,
    severity: str = "ERROR",
    detail: str | None = None,
    hint: str | None = None,
    position: int | None = None,
    objects: dict[str, str] | None = None,
) -> bytes:
    return _msg(b"E", _fields(severity, sqlstate, message, detail, hint, position, objects))


def notice_response(
    message: str, *, sqlstate: str = "00000", severity: str = "NOTICE", detail: str | None = None
) -> bytes:
    return _msg(b"N", _fields(severity, sqlstate, message, detail, None, None))


def copy_in_response(binary: bool, ncols: int) -> bytes:
    fmt = 1 if binary else 0
    return _msg(b"G", struct.pack("!bh", fmt, ncols) + struct.pack("!h", fmt) * ncols)


def copy_out_response(binary: bool, ncols: int) -> bytes:
    fmt = 1 if binary else 0
    return _msg(b"H", struct.pack("!bh", fmt, ncols) + struct.pack("!h", fmt) * ncols)


def copy_data(data: bytes) -> bytes:
    return _msg(b"d", data)


# ---------------------------------------------------------------- client side: parsing


def split_messages(buf: bytes) -> list[tuple[bytes, bytes]]:
    """(type, body) for each complete backend message in buf; used where replies are inspected."""
    out = []
    pos = 0
    while pos + 5 <= len(buf):
        (n,) = struct.unpack_from("!i", buf, pos + 1)
        out.append((buf[pos : pos + 1], buf[pos + 5 : pos + 1 + n]))
        pos += 1 + n
    return out


def parse_error_fields(body: bytes) -> dict[str, str]:
    """Fields of an ErrorResponse/NoticeResponse body keyed by their one-letter code."""
    out = {}
    for part in body.split(b"\0"):
        if part:
            out[part[:1].decode()] = part[1:].decode()
    return out


@dataclass
class BackendParser:
    """Incremental parser of what a server sends: feed bytes, get (type, body) pairs. The
    single-byte answer to an SSLRequest (S or N) is read with expect_ssl_answer first."""

    _buf: bytearray = field(default_factory=bytearray)

    def feed(self, data: bytes) -> list[tuple[bytes, bytes]]:
        self._buf += data
        out = []
        buf, pos = self._buf, 0
        while len(buf) - pos >= 5:
            (n,) = struct.unpack_from("!i", buf, pos + 1)
            if n < 4:
                raise ValueError(f"invalid backend message length {n}")
            if len(buf) - pos < n + 1:
                break
            out.append((bytes(buf[pos : pos + 1]), bytes(buf[pos + 5 : pos + 1 + n])))
            pos += n + 1
        del buf[:pos]
        return out
