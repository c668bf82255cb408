"""Black-box PostgreSQL v3 client pieces for the fuzzer and the pre-authentication tests.

Only real sockets, pgwire.frontend.encode (client messages), pgwire.backend.BackendParser (the
server's replies) and scramp (the client side of SCRAM): no driver, so a test can send any
bytes at any point and read exactly what came back. Nothing here knows the server's internals;
the tests keep working whichever process serves a session after login.
"""

from __future__ import annotations

import hashlib
import os
import socket
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

import scramp

from pgwire import backend, frontend


def msg(kind: bytes, body: bytes) -> bytes:
    """One typed message: kind, int32 length (itself included), body."""
    return kind + struct.pack("!i", len(body) + 4) + body


def startup_packet(params: dict[str, str], version: int = frontend.PROTOCOL_V3) -> bytes:
    return frontend.encode(frontend.StartupMessage(version, params))


def query(sql: str) -> bytes:
    return frontend.encode(frontend.Query(sql))


TERMINATE = frontend.encode(frontend.Terminate())
SYNC = frontend.encode(frontend.Sync())


class LoginFailed(Exception):
    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(f"{fields.get('C')}: {fields.get('M')}")
        self.fields = fields


@dataclass
class Replies:
    """What a server sent back within a bounded time."""

    raw: bytes = b""
    messages: list[tuple[bytes, bytes]] = field(default_factory=list)
    closed: bool = False  # the server closed (or reset) the connection
    parse_error: str | None = None

    def kinds(self) -> str:
        return "".join(k.decode("latin-1") for k, _ in self.messages)

    def errors(self) -> list[dict[str, str]]:
        return [error_fields(b) for k, b in self.messages if k == b"E"]


def error_fields(body: bytes) -> dict[str, str]:
    """ErrorResponse/NoticeResponse fields; strict about the layout (it is the fuzzer's oracle):
    code byte, NUL-terminated UTF-8 value, ..., a final NUL."""
    out: dict[str, str] = {}
    pos = 0
    while True:
        if pos >= len(body):
            raise ValueError(f"error fields not terminated: {body[-40:]!r}")
        code = body[pos : pos + 1]
        if code == b"\0":
            if pos + 1 != len(body):
                raise ValueError(f"bytes after the error fields: {body[pos:][:40]!r}")
            return out
        end = body.find(b"\0", pos + 1)
        if end < 0:
            raise ValueError(f"unterminated error field: {body[pos:][:40]!r}")
        # PostgreSQL itself echoes a client's bytes unchanged (an invalid user name in a startup
        # packet comes back in the message), so values are not required to be UTF-8.
        out[code.decode("ascii")] = body[pos + 1 : end].decode("utf-8", "surrogateescape")
        pos = end + 1


def connect(port: int, timeout: float = 10) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_replies(
    sock: socket.socket,
    parser: backend.BackendParser | None = None,
    *,
    total: float = 2.0,
    idle: float = 0.3,
    until_ready: bool = False,
    until_any: bool = False,
    parse: bool = True,
) -> Replies:
    """Read what the server sends for at most `total` seconds; stop after `idle` seconds of silence
    (or at the first ReadyForQuery when until_ready, the first message when until_any), or when
    the server closes the connection.
    parse=False: only the raw bytes (before authentication they may start with the single-byte
    answers to SSLRequest/GSSENCRequest, which are not messages: see split_preauth)."""
    parser = parser or backend.BackendParser()
    out = Replies()
    deadline = time.monotonic() + total
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left if until_ready or until_any else min(left, idle))
        try:
            data = sock.recv(1 << 16)
        except TimeoutError:
            break
        except (ConnectionResetError, BrokenPipeError):
            out.closed = True
            break
        if not data:
            out.closed = True
            break
        chunks.append(data)
        if parse and out.parse_error is None:
            try:
                out.messages.extend(parser.feed(data))
            except ValueError as e:
                out.parse_error = str(e)
        if until_ready and out.messages and out.messages[-1][0] == b"Z":
            break
        if until_any and out.messages:
            break
    out.raw = b"".join(chunks)
    return out


def split_preauth(raw: bytes) -> tuple[bytes, list[tuple[bytes, bytes]], bytes, str | None]:
    """What a server sent before authentication: (single-byte SSL/GSSENC answers, messages,
    incomplete bytes at the end, parse error)."""
    single = b""
    pos = 0
    while pos < len(raw) and raw[pos : pos + 1] in (b"N", b"S") and not _message_at(raw, pos):
        single += raw[pos : pos + 1]
        pos += 1
    parser = backend.BackendParser()
    try:
        messages = parser.feed(raw[pos:])
    except ValueError as e:
        return single, [], raw[pos:], str(e)
    return single, messages, bytes(parser._buf), None


def _message_at(raw: bytes, pos: int) -> bool:
    if len(raw) - pos < 5:
        return False
    n = int.from_bytes(raw[pos + 1 : pos + 5], "big", signed=True)
    return 4 <= n <= len(raw) - pos - 1


def _expect(
    sock: socket.socket, parser: backend.BackendParser, pending: list[tuple[bytes, bytes]], deadline: float
) -> tuple[bytes, bytes]:
    while not pending:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        data = sock.recv(1 << 16)
        if not data:
            raise ConnectionError("server closed the connection during login")
        pending.extend(parser.feed(data))
    return pending.pop(0)


@dataclass
class Session:
    """A logged-in raw connection: the socket, its parser and what the login reported."""

    sock: socket.socket
    parser: backend.BackendParser
    params: dict[str, str]
    pid: int = 0
    key: int = 0

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def roundtrip(self, data: bytes, timeout: float = 30) -> Replies:
        self.sock.sendall(data)
        return read_replies(self.sock, self.parser, total=timeout, until_ready=True)

    def close(self) -> None:
        try:
            self.sock.sendall(TERMINATE)
        except OSError:
            pass
        self.sock.close()


def login(
    port: int,
    user: str,
    password: str,
    database: str,
    *,
    extra: dict[str, str] | None = None,
    startup: bytes | None = None,
    timeout: float = 30,
) -> Session:
    """Start up and authenticate (SCRAM-SHA-256, MD5 or cleartext, as the server asks) over a
    fresh socket; returns at the first ReadyForQuery. Raises LoginFailed with the server's fields.
    startup: the exact startup packet to send instead of one built from user, database, extra."""
    sock = connect(port, timeout)
    try:
        if startup is None:
            startup = startup_packet({"user": user, "database": database, **(extra or {})})
        return _login(sock, user, password, startup, timeout)
    except BaseException:
        sock.close()
        raise


def raw_startup(params: list[tuple[bytes, bytes]], version: int = frontend.PROTOCOL_V3) -> bytes:
    """A startup packet from raw bytes (for names that are not valid UTF-8)."""
    body = struct.pack("!i", version) + b"".join(k + b"\0" + v + b"\0" for k, v in params) + b"\0"
    return struct.pack("!i", len(body) + 4) + body


def _login(sock: socket.socket, user: str, password: str, startup: bytes, timeout: float) -> Session:
    deadline = time.monotonic() + timeout
    parser = backend.BackendParser()
    sock.sendall(startup)
    scram: scramp.ScramClient | None = None
    params: dict[str, str] = {}
    pid = key = 0
    pending: list[tuple[bytes, bytes]] = []
    while True:
        kind, body = _expect(sock, parser, pending, deadline)
        if kind == b"E":
            raise LoginFailed(error_fields(body))
        if kind == b"R":
            (code,) = struct.unpack_from("!i", body)
            if code == 0:
                continue
            if code == 3:
                sock.sendall(msg(b"p", password.encode() + b"\0"))
            elif code == 5:
                inner = hashlib.md5((password + user).encode()).hexdigest()
                outer = "md5" + hashlib.md5(inner.encode() + body[4:8]).hexdigest()
                sock.sendall(msg(b"p", outer.encode() + b"\0"))
            elif code == 10:
                # the server takes the user from the startup packet (libpq sends n= empty, scramp refuses it)
                scram = scramp.ScramClient(["SCRAM-SHA-256"], user or "client", password)
                first = scram.get_client_first().encode()
                sock.sendall(msg(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first))
            elif code == 11:
                assert scram is not None
                scram.set_server_first(body[4:].decode())
                sock.sendall(msg(b"p", scram.get_client_final().encode()))
            elif code == 12:
                assert scram is not None
                scram.set_server_final(body[4:].decode())
            else:
                raise AssertionError(f"unexpected authentication request {code}")
        elif kind == b"S":
            k, v, _ = body.split(b"\0")
            params[k.decode()] = v.decode()
        elif kind == b"K":
            pid, key = struct.unpack("!ii", body)
        elif kind == b"Z":
            assert not pending, pending
            return Session(sock, parser, params, pid, key)


def login_error(port: int, user: str, password: str, database: str) -> dict[str, str]:
    """The ErrorResponse fields of a login that must fail."""
    try:
        login(port, user, password, database).close()
    except LoginFailed as e:
        return e.fields
    raise AssertionError(f"login of {user} to {database} succeeded")


def rows(messages: list[tuple[bytes, bytes]]) -> list[list[bytes | None]]:
    out = []
    for kind, body in messages:
        if kind != b"D":
            continue
        (n,) = struct.unpack_from("!h", body, 0)
        pos = 2
        row: list[bytes | None] = []
        for _ in range(n):
            (ln,) = struct.unpack_from("!i", body, pos)
            pos += 4
            if ln < 0:
                row.append(None)
            else:
                row.append(body[pos : pos + ln])
                pos += ln
        out.append(row)
    return out


# ---------------------------------------------------------------- the server's processes


def _status_kb(pid: int, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def rss_kb(pid: int) -> int:
    """VmRSS of a process, in KiB (0 when it is gone)."""
    return _status_kb(pid, "VmRSS")


def children(pid: int) -> list[int]:
    """Every descendant of pid (engines, and whatever the server runs)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*") if Path(f"/proc/{p}/task").exists() else []:
            try:
                kids = (task / "children").read_text().split()
            except OSError:
                continue
            for k in kids:
                out.append(int(k))
                todo.append(int(k))
    return out


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


@dataclass
class Memory:
    proxy_kb: int
    children_kb: int

    @classmethod
    def of(cls, pid: int) -> Memory:
        return cls(rss_kb(pid), sum(rss_kb(c) for c in children(pid)))
