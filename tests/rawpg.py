"""A minimal raw PostgreSQL v3 client for protocol tests that drivers cannot express
(row limits, pipelines that fail midway, malformed messages). It uses real sockets."""

from __future__ import annotations

import socket
import struct
from collections import deque

import scramp

from pgwire import backend, frontend


def parse(name: str, sql: str, oids: list[int] | None = None) -> bytes:
    return frontend.encode(frontend.Parse(name, sql, oids or []))


def bind(
    portal: str,
    stmt: str,
    params: list[bytes | None] | None = None,
    pformats: list[int] | None = None,
    rformats: list[int] | None = None,
) -> bytes:
    return frontend.encode(frontend.Bind(portal, stmt, pformats or [], params or [], rformats or []))


def describe(kind: str, name: str) -> bytes:
    return frontend.encode(frontend.Describe(kind, name))


def execute(portal: str, max_rows: int = 0) -> bytes:
    return frontend.encode(frontend.Execute(portal, max_rows))


def close(kind: str, name: str) -> bytes:
    return frontend.encode(frontend.Close(kind, name))


def query(sql: str) -> bytes:
    return frontend.encode(frontend.Query(sql))


SYNC = frontend.encode(frontend.Sync())
FLUSH = frontend.encode(frontend.Flush())
TERMINATE = frontend.encode(frontend.Terminate())


class RawConn:
    def __init__(self, port: int, user: str, password: str, database: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.reader = backend.BackendParser()
        self.pending: deque[tuple[bytes, bytes]] = deque()
        self.params: dict[str, str] = {}
        startup = frontend.StartupMessage(frontend.PROTOCOL_V3, {"user": user, "database": database})
        self.sock.sendall(frontend.encode(startup))
        kind, data = self.recv()
        if kind == b"E":
            raise RuntimeError(backend.parse_error_fields(data))
        assert kind == b"R" and struct.unpack("!i", data[:4])[0] == 10, (kind, data)
        client = scramp.ScramClient(["SCRAM-SHA-256"], user, password)
        first = client.get_client_first().encode()
        sasl_initial = b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first
        self.sock.sendall(frontend.encode(frontend.AuthResponse(sasl_initial)))
        kind, data = self.recv()
        if kind == b"E":
            raise RuntimeError(backend.parse_error_fields(data))
        client.set_server_first(data[4:].decode())
        self.sock.sendall(frontend.encode(frontend.AuthResponse(client.get_client_final().encode())))
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
        while not self.pending:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.pending.extend(self.reader.feed(chunk))
        return self.pending.popleft()

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
