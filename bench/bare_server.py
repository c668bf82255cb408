"""The control of issue 18's point-query target: the barest PostgreSQL-wire server in Python over
DuckDB. One thread, no TLS, no authentication, no policies, no governance, simple protocol only,
every column sent as text. What it reaches beside DuckDB in-process is the most any Python server
on this machine can reach; DuckCDB's figure is read against it (bench/run.py).

    .venv/bin/python bench/bare_server.py DB_FILE PORT
"""

from __future__ import annotations

import socket
import struct
import sys

import duckdb

_SSL_REQUEST = 80877103


def _msg(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!I", len(body) + 4) + body


def _serve(con: duckdb.DuckDBPyConnection, client: socket.socket) -> None:
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = client.makefile("rb")
    (n,) = struct.unpack("!I", f.read(4))
    body = f.read(n - 4)
    if struct.unpack("!I", body[:4])[0] == _SSL_REQUEST:
        client.sendall(b"N")
        (n,) = struct.unpack("!I", f.read(4))
        f.read(n - 4)
    client.sendall(
        _msg(b"R", struct.pack("!I", 0)) + _msg(b"S", b"server_version\x0015\x00") + _msg(b"Z", b"I")
    )
    while True:
        head = f.read(5)
        if len(head) < 5 or head[:1] == b"X":
            return
        (n,) = struct.unpack("!I", head[1:])
        sql = f.read(n - 4)[:-1].decode()
        cur = con.execute(sql)
        names = [d[0] for d in cur.description or []]
        rows = cur.fetchall()
        fields = b"".join(
            name.encode() + b"\x00" + struct.pack("!IhIhih", 0, 0, 25, -1, -1, 0) for name in names
        )
        out = [_msg(b"T", struct.pack("!H", len(names)) + fields)]
        for row in rows:
            cells = [struct.pack("!H", len(row))]
            for v in row:
                if v is None:
                    cells.append(b"\xff\xff\xff\xff")
                else:
                    b = str(v).encode()
                    cells.append(struct.pack("!I", len(b)) + b)
            out.append(_msg(b"D", b"".join(cells)))
        out.append(_msg(b"C", f"SELECT {len(rows)}".encode() + b"\x00") + _msg(b"Z", b"I"))
        client.sendall(b"".join(out))


def main() -> None:
    con = duckdb.connect(sys.argv[1], read_only=True)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", int(sys.argv[2])))
    srv.listen()
    while True:
        client, _ = srv.accept()
        try:
            _serve(con, client)
        except (OSError, struct.error, duckdb.Error):  # a client gone mid-message (a port probe)
            pass
        finally:
            client.close()


if __name__ == "__main__":
    main()
