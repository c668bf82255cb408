"""Sans-I/O PostgreSQL v3 wire codec: bytes in, message objects out; messages in, bytes out.

Nothing here touches a socket, so the protocol is unit-testable and the engine can reuse
the serializers to build wire-ready replies.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

PROTOCOL_V3 = 196608
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102

# A message bigger than this ends the connection: no client sends one, and it bounds memory.
MAX_MESSAGE_BYTES = 1 << 30
MAX_STARTUP_BYTES = 10_000


class ProtocolViolation(Exception):
    """The peer sent bytes that are not the protocol; the connection cannot go on."""

    sqlstate = "08P01"


# ---------------------------------------------------------------- frontend messages


@dataclass(slots=True)
class SSLRequest:
    pass


@dataclass(slots=True)
class GSSENCRequest:
    pass


@dataclass(slots=True)
class CancelRequest:
    pid: int
    key: int


@dataclass(slots=True)
class StartupMessage:
    version: int
    params: dict[str, str]


@dataclass(slots=True)
class Query:
    sql: str


@dataclass(slots=True)
class Parse:
    name: str
    sql: str
    param_oids: list[int]


@dataclass(slots=True)
class Bind:
    portal: str
    statement: str
    param_formats: list[int]
    params: list[bytes | None]
    result_formats: list[int]


@dataclass(slots=True)
class Describe:
    kind: str  # 'S' statement or 'P' portal
    name: str


@dataclass(slots=True)
class Execute:
    portal: str
    max_rows: int


@dataclass(slots=True)
class Close:
    kind: str
    name: str


@dataclass(slots=True)
class Sync:
    pass


@dataclass(slots=True)
class Flush:
    pass


@dataclass(slots=True)
class Terminate:
    pass


@dataclass(slots=True)
class CopyData:
    data: bytes


@dataclass(slots=True)
class CopyDone:
    pass


@dataclass(slots=True)
class CopyFail:
    message: str


@dataclass(slots=True)
class AuthResponse:
    """'p': password, SASLInitialResponse or SASLResponse; meaning depends on the auth stage."""

    data: bytes


@dataclass(slots=True)
class FunctionCall:
    pass


FrontendMessage = (
    SSLRequest
    | GSSENCRequest
    | CancelRequest
    | StartupMessage
    | Query
    | Parse
    | Bind
    | Describe
    | Execute
    | Close
    | Sync
    | Flush
    | Terminate
    | CopyData
    | CopyDone
    | CopyFail
    | AuthResponse
    | FunctionCall
)


class _Reader:
    """Cursor over one message body."""

    __slots__ = ("buf", "pos")

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self.pos = 0

    def int16(self) -> int:
        (v,) = struct.unpack_from("!h", self.buf, self.pos)
        self.pos += 2
        return v

    def int32(self) -> int:
        (v,) = struct.unpack_from("!i", self.buf, self.pos)
        self.pos += 4
        return v

    def cstr(self) -> str:
        end = self.buf.find(b"\0", self.pos)
        if end < 0:
            raise ProtocolViolation("unterminated string in message")
        s = self.buf[self.pos : end].decode("utf-8", "strict")
        self.pos = end + 1
        return s

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.buf):
            raise ProtocolViolation("message field runs past the end of the message")
        b = self.buf[self.pos : self.pos + n]
        self.pos += n
        return b

    def rest(self) -> bytes:
        b = self.buf[self.pos :]
        self.pos = len(self.buf)
        return b


def _decode_startup(body: bytes) -> FrontendMessage:
    r = _Reader(body)
    code = r.int32()
    if code == SSL_REQUEST:
        return SSLRequest()
    if code == GSSENC_REQUEST:
        return GSSENCRequest()
    if code == CANCEL_REQUEST:
        pid = r.int32()
        key = r.int32()
        return CancelRequest(pid, key)
    if code >> 16 != 3:
        raise ProtocolViolation(f"unsupported frontend protocol {code >> 16}.{code & 0xFFFF}")
    params: dict[str, str] = {}
    while r.pos < len(body):
        k = r.cstr()
        if not k:
            break
        params[k] = r.cstr()
    return StartupMessage(code, params)


def _decode_bind(r: _Reader) -> Bind:
    portal = r.cstr()
    stmt = r.cstr()
    pf = [r.int16() for _ in range(r.int16())]
    params: list[bytes | None] = []
    for _ in range(r.int16()):
        n = r.int32()
        params.append(None if n == -1 else r.take(n))
    rf = [r.int16() for _ in range(r.int16())]
    return Bind(portal, stmt, pf, params, rf)


def _decode_parse(r: _Reader) -> Parse:
    name = r.cstr()
    sql = r.cstr()
    oids = [r.int32() & 0xFFFFFFFF for _ in range(r.int16())]
    return Parse(name, sql, oids)


_DECODERS = {
    b"Q": lambda r: Query(r.cstr()),
    b"P": _decode_parse,
    b"B": _decode_bind,
    b"D": lambda r: Describe(r.take(1).decode(), r.cstr()),
    b"E": lambda r: Execute(r.cstr(), r.int32()),
    b"C": lambda r: Close(r.take(1).decode(), r.cstr()),
    b"S": lambda r: Sync(),
    b"H": lambda r: Flush(),
    b"X": lambda r: Terminate(),
    b"d": lambda r: CopyData(r.rest()),
    b"c": lambda r: CopyDone(),
    b"f": lambda r: CopyFail(r.cstr()),
    b"p": lambda r: AuthResponse(r.rest()),
    b"F": lambda r: FunctionCall(),
}


@dataclass
class FrontendParser:
    """Incremental parser of what a client sends. `startup` is True until the StartupMessage."""

    startup: bool = True
    _buf: bytearray = field(default_factory=bytearray)

    def feed(self, data: bytes) -> list[FrontendMessage]:
        self._buf += data
        out: list[FrontendMessage] = []
        buf = self._buf
        pos = 0
        while True:
            if self.startup:
                if len(buf) - pos < 4:
                    break
                (n,) = struct.unpack_from("!i", buf, pos)
                if n < 8 or n > MAX_STARTUP_BYTES:
                    raise ProtocolViolation(f"invalid startup packet length {n}")
                if len(buf) - pos < n:
                    break
                msg = _decode_startup(bytes(buf[pos + 4 : pos + n]))
                pos += n
                if isinstance(msg, StartupMessage):
                    self.startup = False
                out.append(msg)
                if isinstance(msg, CancelRequest):
                    break
            else:
                if len(buf) - pos < 5:
                    break
                kind = bytes(buf[pos : pos + 1])
                (n,) = struct.unpack_from("!i", buf, pos + 1)
                if n < 4 or n > MAX_MESSAGE_BYTES:
                    raise ProtocolViolation(f"invalid message length {n}")
                if len(buf) - pos < n + 1:
                    break
                decode = _DECODERS.get(kind)
                if decode is None:
                    raise ProtocolViolation(f"invalid frontend message type {kind!r}")
                body = bytes(buf[pos + 5 : pos + 1 + n])
                pos += n + 1
                try:
                    out.append(decode(_Reader(body)))
                except (struct.error, UnicodeDecodeError) as e:
                    raise ProtocolViolation(f"malformed {kind.decode()} message: {e}") from e
        del buf[:pos]
        return out


# ---------------------------------------------------------------- backend messages


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


def _fields(
    severity: str, sqlstate: str, message: str, detail: str | None, hint: str | None, position: int | None
) -> bytes:
    parts = [b"S" + _cstr(severity), b"V" + _cstr(severity), b"C" + _cstr(sqlstate), b"M" + _cstr(message)]
    if detail:
        parts.append(b"D" + _cstr(detail))
    if hint:
        parts.append(b"H" + _cstr(hint))
    if position:
        parts.append(b"P" + _cstr(str(position)))
    return b"".join(parts) + b"\0"


def error_response(
    sqlstate: str,
    message: str,
    *,
    severity: str = "ERROR",
    detail: str | None = None,
    hint: str | None = None,
    position: int | None = None,
) -> bytes:
    return _msg(b"E", _fields(severity, sqlstate, message, detail, hint, position))


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


# ---------------------------------------------------------------- backend parsing (tests, engine replies)


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
