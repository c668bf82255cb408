"""A logging TCP proxy for the PostgreSQL v3 protocol, put between a tool and the server.

The server logs no statements, and each tool logs SQL its own way (or not at all), so the tool
tests connect through this proxy: it forwards bytes unchanged in both directions and records every
statement a client sent (simple Query, Parse) and every ErrorResponse it got back, with the
statement that error answered. `first_error()` is then the first statement the server refused,
whichever tool sent it, and `report()` says so in the test's failure message.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections import deque
from dataclasses import dataclass, field

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102


@dataclass
class WireError:
    conn: int
    statement: str
    sqlstate: str
    severity: str
    message: str

    def __str__(self) -> str:
        sql = " ".join(self.statement.split())
        return f"{self.sqlstate} {self.message}  <-  {sql[:600]}"


@dataclass
class _Conn:
    id: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    # What the client sent and the server has not answered yet, oldest first:
    # ("Q", sql) simple query, ("P", sql) parse, ("X", sql) execute, ("S", "") sync.
    pending: deque[tuple[str, str]] = field(default_factory=deque)
    statements: dict[str, str] = field(default_factory=dict)  # prepared statement name -> sql
    portals: dict[str, str] = field(default_factory=dict)  # portal name -> sql
    parse_frontend: bool = True
    parse_backend: bool = True
    awaiting_ssl_answer: bool = False


class WireLog:
    """Listens on 127.0.0.1:<ephemeral>, forwards to 127.0.0.1:target_port."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.statements: list[tuple[int, str]] = []
        self.errors: list[WireError] = []
        self._since = (0, 0)  # what report() and first_error() skip: (statements, errors) of earlier tests
        self._lock = threading.Lock()
        self._next_id = 0
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name=f"wirelog-{self.port}", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ results

    def start_test(self) -> None:
        """From now on report() and first_error() only look at what comes next."""
        with self._lock:
            self._since = (len(self.statements), len(self.errors))

    def first_error(self, ignore: tuple[str, ...] = ()) -> WireError | None:
        """The first error whose statement contains none of `ignore` (case-insensitive)."""
        for e in self.errors[self._since[1] :]:
            if not any(s.lower() in e.statement.lower() for s in ignore):
                return e
        return None

    def report(self, limit: int = 5) -> str:
        with self._lock:
            errs = self.errors[self._since[1] :]
            n = len(self.statements) - self._since[0]
        lines = [f"wirelog: {n} statements sent, {len(errs)} errors"]
        lines += [f"  [{e.conn}] {e}" for e in errs[:limit]]
        return "\n".join(lines)

    def close(self) -> None:
        self._closed = True
        try:
            self.sock.close()
        except OSError:
            pass

    # ------------------------------------------------------------------ plumbing

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=30)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._next_id += 1
                conn = _Conn(self._next_id)
            for src, dst, fn in ((client, upstream, self._frontend), (upstream, client, self._backend)):
                threading.Thread(target=self._pump, args=(src, dst, conn, fn), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, conn: _Conn, parse) -> None:
        buf = b""
        first = True
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                buf += data
                try:
                    buf, first = parse(conn, buf, first)
                except Exception:  # a parser bug must never break the connection
                    conn.parse_frontend = conn.parse_backend = False
                    buf = b""
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            src.close()

    # ------------------------------------------------------------------ frontend messages

    def _frontend(self, conn: _Conn, buf: bytes, first: bool) -> tuple[bytes, bool]:
        with conn.lock:
            while conn.parse_frontend:
                if first:
                    if len(buf) < 8:
                        return buf, first
                    (n,) = struct.unpack("!i", buf[:4])
                    if len(buf) < n:
                        return buf, first
                    (code,) = struct.unpack("!i", buf[4:8])
                    buf = buf[n:]
                    if code in (SSL_REQUEST, GSSENC_REQUEST):
                        conn.awaiting_ssl_answer = True
                        continue
                    if code == CANCEL_REQUEST:
                        conn.parse_frontend = conn.parse_backend = False
                        return b"", first
                    first = False
                    continue
                if len(buf) < 5:
                    return buf, first
                kind = buf[:1]
                (n,) = struct.unpack("!i", buf[1:5])
                if len(buf) < n + 1:
                    return buf, first
                body, buf = buf[5 : n + 1], buf[n + 1 :]
                self._on_frontend(conn, kind, body)
            return b"", first

    def _on_frontend(self, conn: _Conn, kind: bytes, body: bytes) -> None:
        if kind == b"Q":
            sql = body[:-1].decode(errors="replace")
            conn.pending.append(("Q", sql))
            self._record(conn, sql)
        elif kind == b"P":
            name, rest = _cstr(body)
            sql, _ = _cstr(rest)
            conn.statements[name] = sql
            conn.pending.append(("P", sql))
            self._record(conn, sql)
        elif kind == b"B":
            portal, rest = _cstr(body)
            stmt, _ = _cstr(rest)
            conn.portals[portal] = conn.statements.get(stmt, f"<statement {stmt!r}>")
            conn.pending.append(("B", conn.portals[portal]))
        elif kind == b"E":
            portal, _ = _cstr(body)
            conn.pending.append(("X", conn.portals.get(portal, f"<portal {portal!r}>")))
        elif kind == b"S":
            conn.pending.append(("S", ""))

    def _record(self, conn: _Conn, sql: str) -> None:
        with self._lock:
            self.statements.append((conn.id, sql))

    # ------------------------------------------------------------------ backend messages

    def _backend(self, conn: _Conn, buf: bytes, first: bool) -> tuple[bytes, bool]:
        with conn.lock:
            while conn.parse_backend:
                if conn.awaiting_ssl_answer:
                    if not buf:
                        return buf, first
                    conn.awaiting_ssl_answer = False
                    if buf[:1] != b"N":  # TLS from here on: nothing more to read
                        conn.parse_frontend = conn.parse_backend = False
                        return b"", first
                    buf = buf[1:]
                    continue
                if len(buf) < 5:
                    return buf, first
                kind = buf[:1]
                (n,) = struct.unpack("!i", buf[1:5])
                if len(buf) < n + 1:
                    return buf, first
                body, buf = buf[5 : n + 1], buf[n + 1 :]
                self._on_backend(conn, kind, body)
            return b"", first

    def _on_backend(self, conn: _Conn, kind: bytes, body: bytes) -> None:
        pending = conn.pending
        if pending and _COMPLETES.get(kind) == pending[0][0]:
            pending.popleft()
        elif kind == b"Z":  # ReadyForQuery: everything up to the Sync or Query is answered
            while pending:
                k, _ = pending.popleft()
                if k in ("Q", "S"):
                    break
        elif kind == b"E":
            fields = _error_fields(body)
            statement = "<startup>"
            for k, sql in pending:
                if k != "S":
                    statement = sql
                    break
            err = WireError(
                conn.id, statement, fields.get("C", "?"), fields.get("S", "?"), fields.get("M", "")
            )
            with self._lock:
                self.errors.append(err)
            # In the extended protocol the server skips to the next Sync after an error.
            if pending and pending[0][0] != "Q":
                while pending and pending[0][0] != "S":
                    pending.popleft()


# The reply that completes each pending frontend message (ParseComplete, BindComplete, the end of an Execute).
_COMPLETES = {b"1": "P", b"2": "B", b"C": "X", b"I": "X", b"s": "X"}


def _cstr(b: bytes) -> tuple[str, bytes]:
    i = b.index(b"\0")
    return b[:i].decode(errors="replace"), b[i + 1 :]


def _error_fields(body: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    while body and body[:1] != b"\0":
        code = body[:1].decode()
        value, body = _cstr(body[1:])
        out[code] = value
    return out
