"""COPY FROM STDIN and COPY TO STDOUT inside an engine session."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from engine import codec
from engine.session import EngineSession
from pgwire import backend, channel
from pgwire.errors import DbError
from pgwire.oracle import ora

# COPY data held in memory before it is parsed and inserted; bigger loads go in several inserts.
COPY_CHUNK_BYTES = 32 * 1024 * 1024


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _target_columns(s: EngineSession, spec: dict[str, Any]) -> list[tuple[str, codec.PgType, str]]:
    """(name, PG type, DuckDB type) of the columns COPY fills, in the order the data has them."""
    rows = s.con.execute(f"DESCRIBE {spec['table']}").fetchall()
    described = [(r[0], str(r[1])) for r in rows]
    if not spec["columns"]:
        return [(n, codec.pg_type_for_duckdb(t), t) for n, t in described]
    by_name = {n.lower(): (n, t) for n, t in described}
    out = []
    for col in spec["columns"]:
        key = col[1:-1] if col.startswith('"') else col.lower()
        found = by_name.get(key.lower())
        if found is None:
            raise DbError("42703", f'column "{key}" of relation "{spec["table"]}" does not exist')
        out.append((found[0], codec.pg_type_for_duckdb(found[1]), found[1]))
    return out


class CopyIn:
    """Receives the client's COPY data (relayed by the proxy) and inserts it in chunks."""

    def __init__(
        self,
        session: EngineSession,
        spec: dict[str, Any],
        sock: socket.socket,
        recv_frame: Callable[[socket.socket], tuple[bytes, bytes]],
    ) -> None:
        self.s = session
        self.spec = spec
        self.sock = sock
        self.recv_frame = recv_frame
        self.count = 0

    def run(self, emit: Callable[[bytes], None]) -> None:
        s = self.s
        s._check_aborted("copy")
        if s.storage_full():
            raise ora(65114, "STORAGE MAXSIZE reached")
        s._release_stream()
        cols = _target_columns(s, self.spec)
        binary = self.spec["format"] == "binary"
        self.sock.sendall(channel.frame(channel.WIRE, backend.copy_in_response(binary, len(cols))))
        self.sock.sendall(channel.pack_json(channel.COPY_IN, {}))
        data = bytearray()
        error: BaseException | None = None
        first = True
        while True:
            kind, payload = self.recv_frame(self.sock)
            if kind == channel.COPY_CHUNK:
                if error is None:
                    data += payload
                    if len(data) >= COPY_CHUNK_BYTES and not binary:
                        # Insert whole lines only; the rest waits for more data.
                        cut = data.rfind(b"\n") + 1
                        if cut > 0:
                            try:
                                self._insert(bytes(data[:cut]), cols, first)
                            except Exception as e:
                                error = e
                            first = False
                            del data[:cut]
                continue
            header, _ = channel.unpack_request(payload)
            op = header["ops"][0]
            if op["op"] == "copy_fail":
                raise DbError("57014", f"COPY from stdin failed: {op.get('message', '')}")
            break
        if error is not None:
            raise error
        self._insert(bytes(data), cols, first)
        emit(backend.command_complete(f"COPY {self.count}"))

    def _insert(self, data: bytes, cols: list[tuple[str, codec.PgType, str]], first: bool) -> None:
        spec = self.spec
        if not data:
            return
        table = codec.copy_in_to_arrow(
            data,
            [(n, t) for n, t, _ in cols],
            spec["format"],
            spec["delimiter"],
            spec["null"],
            spec["quote"],
            spec["escape"],
            spec["header"] and first,
        )
        if table.num_rows == 0:
            return
        con = self.s.con
        view = f"__duckcdb_copy_{self.s.id}"
        names = table.column_names
        select = ", ".join(
            f"CAST({_quote_ident(src)} AS {dtype})" for src, (_, _, dtype) in zip(names, cols, strict=True)
        )
        target = ", ".join(_quote_ident(n) for n, _, _ in cols)
        con.register(view, table)
        try:
            con.execute(f"INSERT INTO {spec['table']} ({target}) SELECT {select} FROM {view}")
        finally:
            con.unregister(view)
        self.count += table.num_rows


def copy_out(s: EngineSession, spec: dict[str, Any], emit: Callable[[bytes], None]) -> None:
    s._check_aborted("copy")
    if spec["format"] == "binary":
        raise DbError("0A000", "COPY TO STDOUT in binary format is not supported; use text or csv")
    if spec["query"]:
        sql = spec["query"]
    else:
        cols = ", ".join(spec["columns"]) if spec["columns"] else "*"
        sql = f"SELECT {cols} FROM {spec['table']}"
    res = s._run(sql, None)
    names = [d[0] for d in res.description]
    types = [codec.pg_type_for_duckdb(str(d[1])) for d in res.description]
    reader = res.arrow_reader()
    try:
        csv = spec["format"] == "csv"
        delim = spec["delimiter"] or ("," if csv else "\t")
        null = spec["null"] if spec["null"] is not None else ("" if csv else "\\N")
        enc = codec.RowEncoder(types, [0] * len(types), s.timezone)
        emit(backend.copy_out_response(False, len(types)))
        if spec["header"] and csv:
            emit(backend.copy_data((delim.join(names) + "\n").encode()))
        n = 0
        for batch in reader:
            if batch.num_rows:
                emit(backend.copy_data(enc.encode_text_copy(batch, csv, delim, null, spec["quote"])))
                n += batch.num_rows
        emit(backend.COPY_DONE)
        emit(backend.command_complete(f"COPY {n}"))
    finally:
        reader.close()
