"""What a PostgreSQL v3 client sends, sans-I/O: the message types, the server's incremental
parser (bytes in, messages out) and the client's encoders (messages in, bytes out).

Nothing here touches a socket (as h11 does for HTTP), so the protocol is unit-testable and
fuzzable, and tests build their messages with the same code the server parses them with.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from pgwire.errors import ProtocolViolation


class MessageTooLarge(ProtocolViolation):
    """A declared message length beyond the limit: refused before its body is read."""

    sqlstate = "54000"


PROTOCOL_V3 = 196608
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102

# A message bigger than this ends the connection: no client sends one, and it bounds memory
# (the server's configured maximum, [server] max_message_bytes, is usually lower).
MAX_MESSAGE_BYTES = 1 << 30
MAX_STARTUP_BYTES = 10_000
# Before authentication a client may send only these: password/SASL messages and Terminate.
AUTH_MESSAGES = frozenset({b"p", b"X"})


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


@dataclass(slots=True)
class Undecodable:
    """A well-framed Query or Parse whose text is not valid UTF-8: the statement's error (22021),
    not the connection's, as in PostgreSQL."""

    kind: str  # "Q" or "P"
    byte: int  # the first invalid byte
    body: bytes  # as received (a message read ahead of a handoff is passed on as it came)

    @property
    def message(self) -> str:
        return f'invalid byte sequence for encoding "UTF8": 0x{self.byte:02x}'


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
    | Undecodable
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

    def count16(self) -> int:
        """A count of items: unsigned, as libpq writes it (up to 65,535 parameters)."""
        (v,) = struct.unpack_from("!H", self.buf, self.pos)
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

    def text(self, errors: str = "replace") -> str:
        """A string whose invalid UTF-8 is not the message's error (names, the startup packet)."""
        end = self.buf.find(b"\0", self.pos)
        if end < 0:
            raise ProtocolViolation("unterminated string in message")
        s = self.buf[self.pos : end].decode("utf-8", errors)
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
        k = r.text()
        if not k:
            break
        # PostgreSQL takes these as bytes: invalid UTF-8 names no user or database, and
        # application_name keeps its bytes to be cleaned to ASCII (pgcompat.params).
        params[k] = r.text("surrogateescape" if k == "application_name" else "replace")
    return StartupMessage(code, params)


def _decode_bind(r: _Reader) -> Bind:
    portal = r.cstr()
    stmt = r.cstr()
    pf = [r.int16() for _ in range(r.count16())]
    params: list[bytes | None] = []
    for _ in range(r.count16()):
        n = r.int32()
        params.append(None if n == -1 else r.take(n))
    rf = [r.int16() for _ in range(r.count16())]
    return Bind(portal, stmt, pf, params, rf)


def _decode_parse(r: _Reader) -> Parse:
    name = r.cstr()
    sql = r.cstr()
    oids = [r.int32() & 0xFFFFFFFF for _ in range(r.count16())]
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
    # The biggest message accepted (its declared length): small before authentication, so that a
    # stranger cannot make the server buffer much; refused from the header, before any body.
    max_message: int = MAX_MESSAGE_BYTES
    # The message types accepted now (None: all); another is refused from its header.
    accept: frozenset[bytes] | None = None
    _buf: bytearray = field(default_factory=bytearray)

    def pending(self) -> bytes:
        """Bytes received that do not make a whole message yet."""
        return bytes(self._buf)

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
                try:
                    msg = _decode_startup(bytes(buf[pos + 4 : pos + n]))
                except struct.error as e:
                    raise ProtocolViolation(f"invalid startup packet: {e}") from e
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
                decode = _DECODERS.get(kind)
                if decode is None or (self.accept is not None and kind not in self.accept):
                    raise ProtocolViolation(f"invalid frontend message type {ord(kind)} here")
                (n,) = struct.unpack_from("!i", buf, pos + 1)
                if n < 4:
                    raise ProtocolViolation(f"invalid message length {n}")
                if n > self.max_message:
                    raise MessageTooLarge(f"message of {n} bytes exceeds the limit of {self.max_message}")
                if len(buf) - pos < n + 1:
                    break
                body = bytes(buf[pos + 5 : pos + 1 + n])
                pos += n + 1
                try:
                    out.append(decode(_Reader(body)))
                except UnicodeDecodeError as e:
                    if kind not in (b"Q", b"P"):
                        raise ProtocolViolation(f"malformed {kind.decode()} message: {e}") from e
                    out.append(Undecodable(kind.decode(), e.object[e.start], body))
                except struct.error as e:
                    raise ProtocolViolation(f"malformed {kind.decode()} message: {e}") from e
        del buf[:pos]
        return out


# ---------------------------------------------------------------- client side: encoders


def _msg(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def _cstr(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape") + b"\0"


def _int16s(values: list[int]) -> bytes:
    return struct.pack(f"!H{len(values)}h", len(values), *values)


def encode(msg: FrontendMessage) -> bytes:
    """The bytes a client sends for msg (the inverse of FrontendParser.feed)."""
    if isinstance(msg, StartupMessage):
        body = struct.pack("!i", msg.version) + b"".join(_cstr(k) + _cstr(v) for k, v in msg.params.items())
        body += b"\0"
        return struct.pack("!i", len(body) + 4) + body
    if isinstance(msg, SSLRequest):
        return struct.pack("!ii", 8, SSL_REQUEST)
    if isinstance(msg, GSSENCRequest):
        return struct.pack("!ii", 8, GSSENC_REQUEST)
    if isinstance(msg, CancelRequest):
        return struct.pack("!iiii", 16, CANCEL_REQUEST, msg.pid, msg.key)
    if isinstance(msg, Undecodable):
        return _msg(msg.kind.encode(), msg.body)
    if isinstance(msg, Query):
        return _msg(b"Q", _cstr(msg.sql))
    if isinstance(msg, Parse):
        oids = struct.pack(f"!H{len(msg.param_oids)}I", len(msg.param_oids), *msg.param_oids)
        return _msg(b"P", _cstr(msg.name) + _cstr(msg.sql) + oids)
    if isinstance(msg, Bind):
        parts = [_cstr(msg.portal), _cstr(msg.statement), _int16s(msg.param_formats)]
        parts.append(struct.pack("!H", len(msg.params)))
        for v in msg.params:
            parts.append(b"\xff\xff\xff\xff" if v is None else struct.pack("!i", len(v)) + v)
        parts.append(_int16s(msg.result_formats))
        return _msg(b"B", b"".join(parts))
    if isinstance(msg, Describe):
        return _msg(b"D", msg.kind.encode() + _cstr(msg.name))
    if isinstance(msg, Execute):
        return _msg(b"E", _cstr(msg.portal) + struct.pack("!i", msg.max_rows))
    if isinstance(msg, Close):
        return _msg(b"C", msg.kind.encode() + _cstr(msg.name))
    if isinstance(msg, CopyData):
        return _msg(b"d", msg.data)
    if isinstance(msg, CopyFail):
        return _msg(b"f", _cstr(msg.message))
    if isinstance(msg, AuthResponse):
        return _msg(b"p", msg.data)
    simple = {Sync: b"S", Flush: b"H", Terminate: b"X", CopyDone: b"c", FunctionCall: b"F"}
    return _msg(simple[type(msg)], b"")
