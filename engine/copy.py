"""COPY FROM STDIN and COPY TO STDOUT inside an engine session."""

from __future__ import annotations

import struct
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from engine import codec, declared, foreign_keys
from engine.codec.copy import DATETIME_OIDS, pg_datetime_texts
from engine.codec.pgarray import ArraySyntaxError, parse_array_text
from engine.session import EngineSession, copy_key
from pgwire import backend
from pgwire.errors import DbError
from pgwire.oracle import ora
from pgwire.types import BYTEA, UNCONSTRAINED_NUMERIC, UNCONSTRAINED_NUMERIC_SCALE, require_exact_numeric

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
    """COPY FROM STDIN into a table, fed the client's CopyData as it arrives: start() answers with
    CopyInResponse, feed() takes each chunk (inserting whole lines every COPY_CHUNK_BYTES), finish()
    inserts the rest and answers CommandComplete. An error while loading is kept and raised at the
    end, as PostgreSQL reads the whole stream before it answers."""

    def __init__(self, session: EngineSession, spec: dict[str, Any]) -> None:
        session.require_passed(copy_key(spec))
        self.s = session
        self.spec = spec
        self.count = 0
        self.cols: list[tuple[str, codec.PgType, str]] = []
        self.binary = spec["format"] == "binary"
        self.data = bytearray()
        self.stored: dict[str, str] = {}
        self.error: BaseException | None = None
        self.first = True
        self.fk: tuple[tuple[foreign_keys.ForeignKey, ...], tuple[str, str]] | None = None
        self.own_tx = False  # a transaction of its own, for the foreign-key check at the end

    def start(self) -> bytes:
        s = self.s
        s._check_aborted("copy")
        if s.read_only_tx or (s.status == "I" and s.default_read_only):
            raise DbError("25006", "cannot execute COPY FROM in a read-only transaction")
        if s.storage_full():
            raise ora(65114, "STORAGE MAXSIZE reached")
        s._release_stream()
        self.cols = _target_columns(s, self.spec)
        self.stored = s.stored_columns(str(self.spec["table"]))  # char(n) trimmed, jsonb as jsonb's text
        s.claim_write()
        fks = s._fks()
        if fks:
            table = foreign_keys.split_name(str(self.spec["table"]))
            if any(fk.child == table for fk in fks):
                # checked once the rows are in, all of them or none (engine.foreign_keys)
                self.fk = (fks, table)
                if s.status == "I" and not s._in_implicit:
                    s.con.execute("BEGIN TRANSACTION")
                    self.own_tx = True
        return backend.copy_in_response(self.binary, len(self.cols))

    def abort(self) -> None:
        """The COPY failed: the transaction of its own goes."""
        if self.own_tx:
            self.own_tx = False
            self.s.con.execute("ROLLBACK")

    def feed(self, chunk: bytes) -> None:
        if self.error is not None:
            return
        self.data += chunk
        if len(self.data) >= COPY_CHUNK_BYTES and not self.binary:
            # Insert whole lines only; the rest waits for more data.
            cut = self.data.rfind(b"\n") + 1
            if cut > 0:
                try:
                    self._insert(bytes(self.data[:cut]), self.cols, self.first)
                except Exception as e:
                    self.error = e
                self.first = False
                del self.data[:cut]

    def fail(self, message: str) -> DbError:
        self.abort()
        return DbError("57014", f"COPY from stdin failed: {message}")

    def finish(self) -> bytes:
        try:
            if self.error is not None:
                raise self.error
            self._insert(bytes(self.data), self.cols, self.first)
            self.data.clear()
            if self.fk is not None:
                s = self.s
                enforcer = foreign_keys.Enforcer(
                    self.fk[0],
                    lambda sql, v=None: s.con.execute(sql, v) if v else s.con.execute(sql),
                    s._fk_deferred,
                )
                enforcer.after("copy", foreign_keys.Target(self.fk[1]))
                s._fk_pending += enforcer.pending
            if self.own_tx:
                self.own_tx = False
                self.s.con.execute("COMMIT")
        except BaseException:
            self.abort()
            raise
        self.s._end_of_statement()
        return backend.command_complete(f"COPY {self.count}")

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
        for k, (col, (_, ptype, dtype)) in enumerate(zip(table.columns, cols, strict=True)):
            if dtype == UNCONSTRAINED_NUMERIC:
                _check_exact_numeric(col)
            if dtype.endswith("[]") and spec["format"] != "binary" and pa.types.is_string(col.type):
                table = table.set_column(k, table.column_names[k], _array_texts(col))
            elif dtype == "BLOB" and pa.types.is_string(col.type):
                table = table.set_column(k, table.column_names[k], _bytea_texts(col))
            elif ptype.oid in DATETIME_OIDS and pa.types.is_string(col.type):
                texts = pg_datetime_texts(col, ptype.oid, self.s.timezone)
                table = table.set_column(k, table.column_names[k], texts)
        con = self.s.con
        view = f"__duckcdb_copy_{self.s.id}"
        names = table.column_names
        wrap = {"char": "rtrim(CAST({} AS VARCHAR))", "jsonb": "pg_jsonb(CAST({} AS VARCHAR))"}
        select = ", ".join(
            wrap[self.stored[name.lower()]].format(_quote_ident(src))
            if name.lower() in self.stored
            else f"CAST({_quote_ident(src)} AS {dtype})"
            for src, (name, _, dtype) in zip(names, cols, strict=True)
        )
        target = ", ".join(_quote_ident(n) for n, _, _ in cols)
        con.register(view, table)
        try:
            con.execute(f"INSERT INTO {spec['table']} ({target}) SELECT {select} FROM {view}")
        finally:
            con.unregister(view)
        self.count += table.num_rows


def _bytea_texts(col: pa.ChunkedArray) -> pa.Array:
    """A bytea column of COPY's text or CSV (\\x0001ff, or the escape format) as its bytes:
    DuckDB's cast of text to BLOB reads \\x01 escapes byte by byte, not PostgreSQL's hex."""
    return pa.array(
        [None if v is None else codec.decode_param(v.encode(), BYTEA, 0) for v in col.to_pylist()],
        type=pa.binary(),
    )


def _array_texts(col: pa.ChunkedArray) -> pa.Array:
    """An array column of COPY's text or CSV ({1,2,3}, {"a b",NULL}) as lists of element texts,
    which DuckDB casts to the column's element type."""
    out = []
    for v in col.to_pylist():
        if v is None:
            out.append(None)
            continue
        try:
            items = parse_array_text(v, lambda x: x)
        except ArraySyntaxError:
            raise DbError("22P02", f'malformed array literal: "{v}"') from None
        if any(isinstance(x, list) for x in items):
            raise DbError("0A000", f'multidimensional arrays are not supported by COPY here: "{v}"')
        out.append(items)
    return pa.array(out, type=pa.list_(pa.string()))


# A fraction longer than an unconstrained numeric keeps (a nonzero digit after the 10th place),
# or an exponent (checked one by one).
_LONG_FRACTION = rf"\.\d{{{UNCONSTRAINED_NUMERIC_SCALE}}}\d*[1-9]|[eE]"


def _check_exact_numeric(col: pa.ChunkedArray) -> None:
    """COPY into an unconstrained numeric column: values DuckDB would round are refused (22003)."""
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        values = [v for v in col.to_pylist() if isinstance(v, Decimal)]
    else:
        suspects = col.filter(pc.fill_null(pc.match_substring_regex(col, _LONG_FRACTION), False))
        values = []
        for text in suspects.to_pylist():
            try:
                values.append(Decimal(text.strip()))
            except InvalidOperation:
                continue  # DuckDB's cast reports it (22P02)
    for v in values:
        require_exact_numeric(v)


# Binary COPY's file header (signature, flags, header extension length) and trailer.
BINARY_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
BINARY_COPY_TRAILER = b"\xff\xff"


def copy_out(s: EngineSession, spec: dict[str, Any], emit: Callable[[bytes], None]) -> None:
    s._check_aborted("copy")
    s.require_passed(copy_key(spec))
    if spec["query"]:
        sql = spec["query"]
    else:
        cols = ", ".join(spec["columns"]) if spec["columns"] else "*"
        sql = f"SELECT {cols} FROM {spec['table']}"
    s.ensure_pg_macros(sql)
    sql = s._char_semantics(sql, [])
    origins = s._declared_origins("select", sql)  # char(n) padded, jsonb in jsonb's text (engine.declared)
    res = s._run(sql, None)
    names = [d[0] for d in res.description]
    described = [(str(d[0]), codec.pg_type_for_duckdb(str(d[1]))) for d in res.description]
    types = [t for _, t in declared.apply(names, described, origins)]
    reader = res.arrow_reader()
    try:
        if spec["format"] == "binary":
            _binary_out(types, reader, emit)
            return
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
                emit(enc.encode_text_copy(batch, csv, delim, null, spec["quote"]))
                n += batch.num_rows
        emit(backend.COPY_DONE)
        emit(backend.command_complete(f"COPY {n}"))
    finally:
        reader.close()


def _binary_out(types: list[codec.PgType], reader: Any, emit: Callable[[bytes], None]) -> None:
    """COPY TO STDOUT (FORMAT binary): one CopyData per tuple, the header in front of the first
    message and the trailer in the last, as PostgreSQL sends them (psycopg expects that)."""
    for t in types:
        if not codec.binary_supported(t.oid):
            raise DbError("0A000", f"COPY TO STDOUT in binary format does not support type {t.name} yet")
    enc = codec.RowEncoder(types, [1] * len(types))
    emit(backend.copy_out_response(True, len(types)))
    head = BINARY_COPY_HEADER
    n = 0
    for batch in reader:
        if batch.num_rows:
            data = enc.encode(batch, tag=b"d")
            if head:
                (length,) = struct.unpack_from("!i", data, 1)
                data = b"d" + struct.pack("!i", length + len(head)) + head + data[5:]
                head = b""
            emit(data)
            n += batch.num_rows
    emit(backend.copy_data(head + BINARY_COPY_TRAILER))
    emit(backend.COPY_DONE)
    emit(backend.command_complete(f"COPY {n}"))
