"""A minimal raw PostgreSQL v3 client for protocol tests that drivers cannot express
(row limits, pipelines that fail midway, malformed messages). It uses real sockets."""

from __future__ import annotations

import socket
import struct

import scramp

from pgwire import backend, frontend


def _msg(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def _cstr(s: str) -> bytes:
    return s.encode() + b"\0"


def parse(name: str, sql: str, oids: list[int] | None = None) -> bytes:
    oids = oids or []
    return _msg(
        b"P",
        _cstr(name)
        + _cstr(sql)
        + struct.pack("!h", len(oids))
        + b"".join(struct.pack("!I", o) for o in oids),
    )


def bind(
    portal: str,
    stmt: str,
    params: list[bytes | None] | None = None,
    pformats: list[int] | None = None,
    rformats: list[int] | None = None,
) -> bytes:
    params = params or []
    pformats = pformats or []
    rformats = rformats or []
    body = (
        _cstr(portal)
        + _cstr(stmt)
        + struct.pack("!h", len(pformats))
        + b"".join(struct.pack("!h", f) for f in pformats)
    )
    body += struct.pack("!h", len(params))
    for p in params:
        body += b"\xff\xff\xff\xff" if p is None else struct.pack("!i", len(p)) + p
    body += struct.pack("!h", len(rformats)) + b"".join(struct.pack("!h", f) for f in rformats)
    return _msg(b"B", body)


def describe(kind: str, name: str) -> bytes:
    return _msg(b"D", kind.encode() + _cstr(name))


def execute(portal: str, max_rows: int = 0) -> bytes:
    return _msg(b"E", _cstr(portal) + struct.pack("!i", max_rows))


def close(kind: str, name: str) -> bytes:
    return _msg(b"C", kind.encode() + _cstr(name))


def query(sql: str) -> bytes:
    return _msg(b"Q", _cstr(sql))


SYNC = _msg(b"S", b"")
FLUSH = _msg(b"H", b"")
TERMINATE = _msg(b"X", b"")


class RawConn:
    def __init__(self, port: int, user: str, password: str, database: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""
        self.params: dict[str, str] = {}
        body = (
            struct.pack("!i", frontend.PROTOCOL_V3)
            + _cstr("user")
            + _cstr(user)
            + _cstr("database")
            + _cstr(database)
            + b"\0"
        )
        self.sock.sendall(struct.pack("!i", len(body) + 4) + body)
        kind, data = self.recv()
        if kind == b"E":
            raise RuntimeError(backend.parse_error_fields(data))
        assert kind == b"R" and struct.unpack("!i", data[:4])[0] == 10, (kind, data)
        client = scramp.ScramClient(["SCRAM-SHA-256"], user, password)
        first = client.get_client_first().encode()
        self.sock.sendall(_msg(b"p", _cstr("SCRAM-SHA-256") + struct.pack("!i", len(first)) + first))
        kind, data = self.recv()
        if kind == b"E":
            raise RuntimeError(backend.parse_error_fields(data))
        client.set_server_first(data[4:].decode())
        self.sock.sendall(_msg(b"p", client.get_client_final().encode()))
        kind, data = self.recv()
        if kind == b"E":
            raise RuntimeError(backend.parse_error_fields(data))
        client.set_server_final(data[4:].decode())
        while True:
            kind, data = self.recv()
            if kind == b"S":
                k, v, _ = data.split(b"\0")
                self.params[k.decode()] = v.decode()
            elif kind == b"K":
                self.pid, self.key = struct.unpack("!ii", data)
            elif kind == b"Z":
                break
            elif kind == b"E":
                raise RuntimeError(backend.parse_error_fields(data))

    def recv(self) -> tuple[bytes, bytes]:
        while True:
            if len(self.buf) >= 5:
                (n,) = struct.unpack_from("!i", self.buf, 1)
                if len(self.buf) >= n + 1:
                    kind, body = self.buf[:1], self.buf[5 : n + 1]
                    self.buf = self.buf[n + 1 :]
                    return kind, body
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk

    def send(self, *msgs: bytes) -> None:
        self.sock.sendall(b"".join(msgs))

    def until_ready(self) -> list[tuple[bytes, bytes]]:
        """Every message up to and including ReadyForQuery."""
        out = []
        while True:
            kind, body = self.recv()
            out.append((kind, body))
            if kind == b"Z":
                return out

    def close(self) -> None:
        try:
            self.sock.sendall(TERMINATE)
        except OSError:
            pass
        self.sock.close()


def kinds(msgs: list[tuple[bytes, bytes]]) -> str:
    return "".join(k.decode() for k, _ in msgs)


def rows(msgs: list[tuple[bytes, bytes]]) -> list[list[bytes | None]]:
    out = []
    for kind, body in msgs:
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


def errors(msgs: list[tuple[bytes, bytes]]) -> list[dict[str, str]]:
    return [backend.parse_error_fields(b) for k, b in msgs if k == b"E"]


def login_error(port: int, user: str, password: str, database: str) -> dict[str, str]:
    """The ErrorResponse fields of a login that must fail (drivers hide the SQLSTATE of those)."""
    try:
        RawConn(port, user, password, database).close()
    except RuntimeError as e:
        return e.args[0]
    raise AssertionError("login succeeded")
