"""Results with TIME WITH TIME ZONE columns, read with their UTC offsets.

DuckDB's Arrow export of a TIMETZ gives the local time alone (the offset is lost: '10:20:30+02'
would print as 10:20:30+00, a quiet wrong value), and its lossless Arrow mode changes HUGEINT and
UUID columns as well. So a statement whose result has a timetz column is run to a kept result
(its rows, once) and read back through a SELECT that gives each timetz value as the struct
{us: local microseconds since midnight, tz: offset in seconds east of UTC}; the timetz encoders
(engine.codec.temporal / binary) write PostgreSQL's text and binary forms from it.

Which statements: those whose columns are known to hold a timetz (Parse's bind, a cursor's), and,
when the columns are not known yet (the simple protocol), those that name timetz, TIME WITH
TIME ZONE or current_time, or a table or view that has a timetz column (read from the catalog once
per catalog stamp, at the first statement that may return rows: ~2 ms with 200 tables; a PDB
without any answers from a cache). Those are bound first (nothing runs) to see whether a timetz
column is really there. Every other statement pays a regular expression. A timetz that comes
some other way is refused by the encoders (XX000), never printed without its offset.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import duckdb
from duckdb import _seam

from pgwire import types as oids
from pgwire.errors import DbError

TIMETZ = "TIME WITH TIME ZONE"
_MENTIONS = re.compile(r"timetz|time\s+with\s+time\s+zone|current_time\b", re.IGNORECASE)
# How a statement that returns rows (other than by RETURNING) may start.
_ROWS_FROM = ("select", "with", "table", "values", "(", "from", "show", "describe", "summarize", "pivot",
              "unpivot", "explain", "execute", "call", "pragma", "--", "/*")  # fmt: skip
_RELATIONS = (
    "SELECT DISTINCT lower(table_name) FROM duckdb_columns() WHERE contains(data_type, 'TIME WITH TIME ZONE')"
)


def has_timetz(types: Sequence[Any]) -> bool:
    """Whether any of these DuckDB types (or their text) holds a TIME WITH TIME ZONE."""
    return any(TIMETZ in str(t) for t in types)


def columns_have_timetz(columns: Sequence[tuple[str, oids.PgType]] | None) -> bool:
    """Of described columns (PostgreSQL types): a timetz or timetz[] among them."""
    return bool(columns) and any(t.oid in (oids.TIMETZ, oids.TIMETZ_ARRAY) for _, t in columns or ())


def columns_have_records(columns: Sequence[tuple[str, oids.PgType]]) -> bool:
    """Of described columns: a record (a DuckDB STRUCT), whose fields may hold a timetz."""
    return any(t.oid in (oids.RECORD, oids.RECORD_ARRAY) for _, t in columns)


class Relations:
    """One session's view of which tables and views have timetz columns, per catalog stamp."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._stamp: Any = None
        self._names: frozenset[str] = frozenset()

    def may_return(self, sql: str, stamp: Any) -> bool:
        """Whether the statement may have a timetz result column (cheap; bind to be sure)."""
        if _MENTIONS.search(sql):
            return True
        low = sql.lower()
        if not low.lstrip().startswith(_ROWS_FROM) and "returning" not in low:
            return False  # DDL, SET, a write without RETURNING: no rows (no catalog read either)
        if stamp != self._stamp:
            try:
                self._names = frozenset(str(r[0]) for r in self.con.execute(_RELATIONS).fetchall())
            except duckdb.Error:
                self._names = frozenset()
            self._stamp = stamp
        if not self._names:
            return False
        return any(n in low for n in self._names)


def _offset_struct(ref: str) -> str:
    return (
        f"CASE WHEN {ref} IS NULL THEN NULL ELSE"
        f" {{'us': epoch_us({ref}), 'tz': CAST(extract('timezone' FROM {ref}) AS INTEGER)}} END"
    )


def _projection(i: int, duck_type: str) -> str:
    ref = f"c{i}"
    t = duck_type.strip().upper()
    if t == TIMETZ:
        return _offset_struct(ref)
    if t == TIMETZ + "[]":
        return f"list_transform({ref}, lambda x: {_offset_struct('x')})"
    if TIMETZ in t:
        # inside a struct, a map or a multi-dimensional array: no way to keep its offset here
        raise DbError(
            "0A000", f"a {duck_type.lower()} result column is not supported (time with time zone inside)"
        )
    return ref


class KeptResult:
    """A statement's rows kept by DuckDB and read back with their timetz offsets; the handle
    keeps the rows alive for as long as the reader reads them."""

    def __init__(self, con: duckdb.DuckDBPyConnection, sql: str, values: Any, batch_rows: int) -> None:
        # the projection first (from a bind: nothing runs), so that a type it cannot read is
        # refused before the statement has written anything
        types = [str(t) for t in _seam.bind(con, sql, values=values or None).types]
        cols = ", ".join(f"{_projection(i, t)} AS c{i}" for i, t in enumerate(types))
        res = _seam.submit(con, sql, values or None, "rows")
        self.return_type = res.return_type
        self.description = res.description
        if self.return_type != "query_result" or [str(d[1]) for d in self.description] != types:
            res.close()
            raise DbError(
                "XX000", "internal error: a timetz result run did not return the rows it was bound for"
            )
        aliases = ", ".join(f"c{i}" for i in range(len(types)))
        self._handle = _seam.register_collection(con, res)
        self._res = _seam.submit(
            con, f"SELECT {cols} FROM {self._handle.name} AS k({aliases})", None, "stream", batch_rows
        )

    def arrow_reader(self) -> Any:  # noqa: ANN401
        return _KeepingReader(self._res.arrow_reader(), self._handle)


class _KeepingReader:
    """A RecordBatchReader that holds the kept rows' handle until it is closed."""

    def __init__(self, reader: Any, handle: Any) -> None:  # noqa: ANN401
        self._reader = reader
        self._handle = handle

    def read_next_batch(self) -> Any:  # noqa: ANN401
        return self._reader.read_next_batch()

    def read_all(self) -> Any:  # noqa: ANN401
        return self._reader.read_all()

    def __iter__(self) -> Any:  # noqa: ANN401
        return iter(self._reader)

    def close(self) -> None:
        self._reader.close()
        self._handle = None
