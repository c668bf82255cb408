"""One client session inside an engine: its own DuckDB connection, statements, portals, transaction.

The proxy sends a request of ops (the extended-protocol messages up to a Sync, or the statements
of a simple Query); the session answers with wire-ready PostgreSQL messages. Rows are encoded
column-wise by engine.codec and never touched one by one here.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import duckdb
import pyarrow as pa
from duckdb import _seam

from engine import alter as alter_table
from engine import (
    bpchar,
    codec,
    constraint_ddl,
    constraint_errors,
    constraint_names,
    cursors,
    declared,
    exists_notices,
    foreign_keys,
    grouping,
    inserts,
    jsonb,
    param_types,
    pgdates,
    pgmath,
    shadows,
    timetz,
)
from engine.codec import values as codec_values
from engine.errors import to_db_error
from engine.threads import WorkerThreads, learn_quick, learn_quick_by_wall, timed_by_wall
from engine.write_gate import WriteGate
from pgwire import backend, faults
from pgwire.control import LOCK_NOWAIT, LOCK_SKIP
from pgwire.errors import DbError
from pgwire.oracle import ora
from pgwire.tags import COUNTED, LOCK_TABLE, SELECT_INTO
from pgwire.types import BPCHAR, TEXT, UNCONSTRAINED_NUMERIC, VARCHAR, declared_params, require_exact_numeric

BATCH_ROWS = 65536
# Bytes of DataRows gathered before they are handed to the proxy.
FLUSH_BYTES = 256 * 1024
# A SELECT whose runs return at most SMALL_ROWS rows of plain types fetches them as Python values
# (engine.codec.values): cheaper than an Arrow stream for a point query. Rows beyond go in chunks.
SMALL_ROWS = 16
# When EngineSession.run_fast sends the RowDescription
DESCRIBE_FIRST = "first"
DESCRIBE_WITH_ROWS = "with rows"
SMALL_CHUNK = 1024
# Kinds that change neither what names resolve to nor the types behind them (_names).
_NAME_NEUTRAL = frozenset(
    {
        "select",
        "insert",
        "update",
        "delete",
        "merge",
        "begin",
        "commit",
        "savepoint",
        "release",
        "show",
        "explain",
    }
)
_NAMES_CHANGED = itertools.count(1)
# Statements kept for the savepoint emulation of one transaction.
MAX_REPLAY = 10_000

_ARROW_TYPES = {
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "VARCHAR": pa.string(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us"),
    "DECIMAL(18,2)": pa.decimal128(18, 2),  # money, sent as text
}

# Statements that can make the PDB's files bigger: refused once STORAGE MAXSIZE is reached.
_NAMES_DROPPED = ("DROP TABLE", "DROP SCHEMA")  # (engine.constraint_names: their tables' names forgotten)
_WITH_NO_DATA = re.compile(r"\bWITH\s+NO\s+DATA\s*;?\s*$", re.I)
_EXECUTE_NAME = re.compile(r'^\s*EXECUTE\s+("(?:[^"]|"")+"|\w+)', re.I)
# Statements that change the catalog: DDL, and SELECT ... INTO (a CREATE TABLE AS, pgcompat.syntax).
_CREATING_KINDS = frozenset({"ddl", SELECT_INTO})
GROWING_KINDS = frozenset({"insert", "update", "merge", "ddl", "copy", "other", "select_into"})
SHRINKING_TAGS = ("DROP", "TRUNCATE", "ALTER", "DELETE")

TXN_KINDS = frozenset({"begin", "commit", "rollback", "savepoint", "release", "rollback_to"})
# INSERT ... ON CONFLICT DO UPDATE / INSERT OR REPLACE: may change a referenced key
# statements whose RETURNING columns may be a table's declared ones (engine.declared.returning_query)
_RETURNING_KINDS = frozenset({"insert", "update", "delete"})
# statements engine.declared.jsonb_calls reads (an UPDATE / DELETE / INSERT / MERGE as the SELECT of what it
# reads; a CREATE TABLE AS, one of _CREATING_KINDS, its query)
_JSONB_READ_KINDS = frozenset({"select", "update", "delete", "insert", "merge"})
_UPSERT = re.compile(r"\bON\s+CONFLICT\b|\bOR\s+REPLACE\b", re.I)


# the session's TEMP macros: engine.pgmath's and engine.jsonb's (both named __pg_...)
_PG_MACROS = pgmath.MACROS + "\n" + pgdates.MACROS + "\n" + jsonb.MACROS


@dataclass
class Prepared:
    sql: str
    kind: str
    tag: str
    param_types: list[codec.PgType]
    columns: list[tuple[str, codec.PgType]] | None  # None: the statement returns no rows
    pre: list[str] = field(default_factory=list)  # run first, in the same transaction
    notices: list[str] = field(default_factory=list)  # sent before the statement runs
    untyped: list[int] = field(default_factory=list)  # parameters neither the client nor DuckDB typed
    names: list[str | None] | None = None  # PostgreSQL's column names where DuckDB's differ
    deferred: bool = False  # result columns known only once parameter values are bound
    # (deferred) the statement with its parameters typed by their operands, which binds without
    # values: what a statement-level Describe reads (engine.param_types)
    typed_probe: str | None = None
    used_params: list[str] | None = None  # $n DuckDB sees when a rewrite dropped some; None: all
    numeric_untyped: bool | None = None  # learnt at the first execution: those parameters are numbers
    read_only: bool | None = None  # BEGIN ... READ ONLY / READ WRITE (None: the session's default)
    isolation: str | None = None  # BEGIN ISOLATION LEVEL ... (None: the session's default)
    writes: bool = False  # takes the PDB's write gate (engine.write_gate)
    lock: str = ""  # SELECT ... FOR UPDATE: "wait", "nowait" or "skip" (SKIP LOCKED)
    exact_numeric: list[int] = field(default_factory=list)  # parameters DuckDB binds to unconstrained numeric
    # parameters declared text that DuckDB binds to a date/time type: (index, that type's OID)
    dated_text: list[tuple[int, int]] = field(default_factory=list)
    alter: dict[str, Any] | None = None  # an ALTER TABLE planned when it runs (engine.alter)
    # What earlier runs of this statement (or of its shape: the same text but for its numbers)
    # taught: "small" = few rows of plain types, fetched as Python values (_run_small).
    hint: dict[str, Any] = field(default_factory=dict)
    # pgcompat.rewrite's text without jsonb's dispatch (None: none), and the dispatched one: sql
    # is one of them at each run, plain while the PDB has no JSON column (EngineSession._choose)
    plain: str | None = None
    dispatched: str = ""
    # DuckDB's parse of sql, kept from a small SELECT's second run (_parsed_run): a statement run
    # again and again is parsed once, as a prepared statement is. (text, parse): sql may change
    # (_choose), the parse is used only for the text it was made of.
    parsed: tuple[str, Any] | None = None
    # run_fast's framing of the result, by the Bind's result formats: (columns it was made for,
    # expanded formats, DataRow framer, RowDescription)
    framing: dict[tuple[int, ...], tuple[Any, list[int], Any, bytes]] = field(default_factory=dict)
    # (DDL count, names) when columns were read: a Bind after DDL or SET reads them again
    # (_revalidate), as PostgreSQL revalidates a cached plan
    columns_stamp: tuple[int, str] | None = None


# The parameter types a simple-protocol text's numbers may become (_learn_simple): their values.
_INTEGER_RANGES = {
    "TINYINT": (-(2**7), 2**7 - 1),
    "SMALLINT": (-(2**15), 2**15 - 1),
    "INTEGER": (-(2**31), 2**31 - 1),
    "BIGINT": (-(2**63), 2**63 - 1),
}


class _ConnectionResult:
    """A parsed statement's run leaves its rows on the connection (DuckDB's execute takes a parse,
    _seam.submit only a text): read as _seam's results are."""

    __slots__ = ("con",)

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    @property
    def return_type(self) -> str:
        return "query_result" if self.con.description is not None else "nothing"

    @property
    def description(self) -> Any:
        return self.con.description

    def fetchmany(self, n: int) -> list[tuple[Any, ...]]:
        return self.con.fetchmany(n)

    def close(self) -> None:
        pass  # (the connection's next statement replaces its rows)


@dataclass
class Portal:
    prepared: Prepared
    values: list[Any]
    formats: list[int]
    encoder: codec.RowEncoder | None = None
    reader: Any = None  # pyarrow RecordBatchReader while streaming
    pending: list[pa.RecordBatch] = field(default_factory=list)
    sent: int = 0
    started: bool = False
    done: bool = False
    # what ran for it when a rewrite or a plan put statements around it (replayed in its stead)
    ran: list[tuple[str, list[Any]]] = field(default_factory=list)
    small: Any = None  # the rows-format result of a small-result run (_run_small)
    framer: Callable[[Any], bytes] | None = None  # its DataRow framer (engine.codec.values)
    scroll: bool = False  # a SCROLL cursor's: its rows are kept (rows) and it has a position
    rows: pa.Table | None = None
    position: int = 0


def _duckdb_values(portal: Portal) -> list[Any] | dict[str, Any]:
    """The portal's parameter values as DuckDB binds them (numbers where text cannot bind)."""
    p = portal.prepared
    values = _as_numbers(portal.values, p.untyped) if p.numeric_untyped else portal.values
    return _for_duckdb(p, values)


def _expand_formats(formats: list[int], n: int) -> list[int]:
    if not formats:
        return [0] * n
    if len(formats) == 1:
        return formats * n
    if len(formats) != n:
        raise DbError("08P01", f"bind message has {len(formats)} result formats but query has {n} columns")
    return list(formats)


def _columns_from_description(
    description: list[tuple], names: list[str | None] | None = None, origins: declared.Origins | None = None
) -> list[tuple[str, codec.PgType]]:
    cols = [(d[0], codec.pg_type_for_duckdb(str(d[1]))) for d in description]
    return _renamed(declared.apply([d[0] for d in description], cols, origins), names)


def _for_duckdb(p: Prepared, values: list[Any]) -> list[Any] | dict[str, Any]:
    """Parameter values as DuckDB takes them: by number when a rewrite dropped some."""
    if p.used_params is None:
        return values
    return {k: values[int(k) - 1] for k in p.used_params}


def _sig_columns(
    sig: Any, names: list[str | None] | None, origins: Callable[[], declared.Origins | None] | None = None
) -> list[tuple[str, codec.PgType]] | None:
    """Result columns of a bound statement; None while unresolved parameters leave them unknown
    (DuckDB then reports one column "unknown" of type UNKNOWN). origins: asked only when a
    column is text or JSON (engine.declared)."""
    if len(sig.names) == 1 and sig.names[0] == "unknown" and str(sig.types[0]) == "UNKNOWN":
        return None
    cols = [(n, codec.pg_type_for_duckdb(str(t))) for n, t in zip(sig.names, sig.types, strict=True)]
    if origins is not None and any(t.oid in declared.ASKED for _, t in cols):
        cols = declared.apply(sig.names, cols, origins())
    return _renamed(cols, names)


def _renamed(
    cols: list[tuple[str, codec.PgType]], names: list[str | None] | None
) -> list[tuple[str, codec.PgType]]:
    """Columns with PostgreSQL's names (from the proxy's analysis) where it knows them."""
    if not names or len(names) != len(cols):
        return cols
    return [(n if n is not None else c, t) for (c, t), n in zip(cols, names, strict=True)]


def _row_description(columns: list[tuple[str, codec.PgType]], formats: list[int]) -> bytes:
    if sum(len(n) for n, _ in columns) > 1024:  # long names: not worth keeping
        return _row_description_of.__wrapped__(tuple(columns), tuple(formats))
    return _row_description_of(tuple(columns), tuple(formats))


@lru_cache(maxsize=1024)
def _row_description_of(columns: tuple[tuple[str, codec.PgType], ...], formats: tuple[int, ...]) -> bytes:
    return backend.row_description(
        [
            backend.Column(
                name, t.oid, t.typlen, t.typmod, f if codec.binary_supported(t.oid) or f == 0 else 0
            )
            for (name, t), f in zip(columns, formats, strict=True)
        ]
    )


def _effective_formats(columns: list[tuple[str, codec.PgType]], formats: list[int]) -> list[int]:
    # Types without a binary encoder go out as text; RowDescription says so.
    return [
        f if f == 0 or codec.binary_supported(t.oid) else 0
        for (_, t), f in zip(columns, formats, strict=True)
    ]


class DdlCount:
    """How many DDL statements the sessions of one database have run (and transactions holding
    DDL ended): what a session read of the catalog (its tenant macros) is valid for."""

    def __init__(self) -> None:
        self.value = 0

    def bump(self) -> None:
        self.value += 1


_MACROS = (
    "SELECT lower(function_name), function_type, macro_definition FROM duckdb_functions()"
    " WHERE NOT internal AND function_type IN ('macro', 'table_macro')"
)


_PASSED_MAX = 1024  # statement texts a session keeps as passed (the most recent)


def copy_key(spec: dict[str, Any]) -> str:
    """What a COPY's verdict is recorded under (engine.copy checks it)."""
    return f"COPY {spec['direction']} {spec['table'] or ''} {spec['query'] or ''}"


class EngineSession:
    """State of one client session; used from one thread at a time (its connection's thread)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        session_id: int,
        read_only: bool,
        storage_full: Callable[[], bool] = lambda: False,
        gate: WriteGate | None = None,
        ddl: DdlCount | None = None,
        workers: WorkerThreads | None = None,
    ) -> None:
        self.con = con
        self.workers = workers  # the database's DuckDB threads (engine.threads)
        self.gate = gate
        self.lock_timeout_ms = 0  # lock_timeout: how long a writer waits for the gate; 0 = no limit
        self.on_wait: Callable[[bool], None] | None = None  # told when a wait starts and ends
        self._interrupts = 0  # interrupt() calls (a wait for the gate ends at the next one)
        self.default_isolation = "read committed"  # default_transaction_isolation
        self.isolation_tx = "read committed"  # the open transaction's
        self._tx_generation = 0  # the gate's generation when the DuckDB transaction began
        self.ddl = ddl if ddl is not None else DdlCount()
        self._ddl_in_tx = False  # DDL ran in the open transaction: its end is counted too
        self._macros: tuple[int, dict[str, list[str]]] | None = None  # (DdlCount, name -> bodies)
        # The texts the session's policies passed (sandbox, allow-list, privileges, lockdown):
        # nothing else runs here, so a code path that forgets to judge a statement fails closed.
        self._passed: dict[str, None] = {}
        shadows.install(con)  # the engine's wall against SQL in strings (engine.shadows)
        # engine.pgmath's macros, made before the first statement that calls them (~3 ms a
        # session that never needs them does not pay): made and committed, or made inside the
        # DuckDB transaction of this id (gone if it rolls back)
        self._pg_macros = False
        self._pg_macros_tx: int | None = None
        # engine.jsonb's lazy macros: the DdlCount when the PDB's columns were read, whether one
        # is JSON, whether the macros are the typed ones (None: made in a block that may roll back)
        self._jl_stamp: int | None = None
        self._tx_ddl = 0  # the DDL count when the open transaction began (_json_columns)
        self._jl_json = True
        self._jl_typed: bool | None = True
        foreign_keys.session_macro(con)  # what the catalog reads the foreign keys (and constraint names) from
        self._declared = declared.DeclaredTypes(con)  # varchar(n) / char(n) result columns
        self._timetz = timetz.Relations(con)  # tables and views with timetz columns
        # told when a transaction block ends, committed or not (LISTEN/NOTIFY take effect then)
        self.on_transaction_end: Callable[[bool], None] | None = None
        self.storage_full = storage_full
        self.id = session_id
        self.read_only = read_only
        self.status = "I"
        self.statements: dict[str, Prepared] = {}
        self.portals: dict[str, Portal] = {}
        self.timezone = "UTC"
        self.savepoints: list[tuple[str, int]] = []
        self.replay: list[tuple[str, list[Any]]] = []
        self._streaming: Portal | None = None
        # What this session can name: "" while it has changed nothing of its own (no SET, no
        # DDL, no temporary object), so its sessions share what a statement's shape taught; a
        # name of its own once it has (the small-result hints, _small_valid).
        self._names = ""
        self.cursors: dict[str, bool] = {}  # SQL cursor name -> WITH HOLD
        self.cancel_reason = ""  # why the running statement was interrupted (57014's message)
        self.last_error = ""  # SQLSTATE of the last error sent
        self.last_error_message = ""
        self.max_result_bytes = 0  # per response; 0 = unlimited (set by the proxy: tier, PDB, user)
        self.default_read_only = False  # default_transaction_read_only
        self.read_only_tx = False  # the open transaction block is READ ONLY
        self._implicit_ro = False  # a statement outside a block runs in a read-only transaction
        self._in_implicit = False  # the statements of one simple Query run in one transaction
        self._ran_in_tx = 0  # statements run in the open transaction block
        self.current_tag = ""  # the statement running (its error messages name it)
        self.current_sql: str | None = None  # its text (a constraint error names its table)
        self.current_values: Any = None  # its parameters' values (a failed check's row)
        # Transaction blocks begun, committed and rolled back (metering reads them).
        self.txn_begins = 0
        self.txn_commits = 0
        self.txn_rollbacks = 0
        # Foreign keys carried out by the engine (engine.foreign_keys): the PDB's definitions,
        # the checks deferred to COMMIT, SET CONSTRAINTS of the open transaction (None: ALL).
        self.fk_registry: foreign_keys.Registry | None = None
        self._fk_pending: list[tuple[foreign_keys.ForeignKey, bool]] = []
        self._fk_modes: dict[str | None, bool] = {}
        self._fk_notices: list[str | tuple[str, str]] = []  # sent when the statement has run (, SQLSTATE)

    # ------------------------------------------------------------ helpers

    def _release_stream(self) -> None:
        """Materialize a suspended portal's rows: DuckDB runs one result per connection at a time."""
        p = self._streaming
        if p is None:
            return
        self._streaming = None
        if p.reader is not None:
            try:
                p.pending.extend(p.reader.read_all().to_batches())
            finally:
                p.reader.close()
                p.reader = None

    def _drop_stream(self, portal: Portal) -> None:
        """Close a portal's result unread."""
        if self._streaming is portal:
            self._streaming = None
        if portal.reader is not None:
            portal.reader.close()
            portal.reader = None
        portal.pending.clear()

    def _run(
        self,
        sql: str,
        values: list[Any] | dict[str, Any] | None,
        columns: list[tuple[str, codec.PgType]] | None = None,
    ) -> Any:
        """Run one statement to a streamed result; one with timetz result columns (those given,
        else as a bind finds) to a kept result read with their offsets (engine.timetz)."""
        self._release_stream()
        if self._timetz_result(sql, values, columns):
            return timetz.KeptResult(self.con, sql, values, BATCH_ROWS)
        return _seam.submit(self.con, sql, values or None, "stream", BATCH_ROWS)

    def _timetz_result(self, sql: str, values: Any, columns: list[tuple[str, codec.PgType]] | None) -> bool:
        if columns is not None:
            if timetz.columns_have_timetz(columns):
                return True
            if not timetz.columns_have_records(columns):
                return False  # (a record's fields may hold one: the bind says)
        elif not self._timetz.may_return(sql, (self.ddl.value, self._names)):
            return False
        try:
            sig = _seam.bind(self.con, sql, values=values or None)
        except duckdb.Error:
            return False  # (the run reports it)
        return sig.return_type == "query_result" and timetz.has_timetz(sig.types)

    def ensure_pg_macros(self, sql: str) -> None:
        """engine.pgmath's macros on this connection before a statement that calls them runs or
        binds. Outside a transaction they are made in one of their own; inside one they are
        made in it, and made again in a later transaction unless that one was seen to commit."""
        if pgmath.PREFIX not in sql:
            return
        if not self._pg_macros:
            self._release_stream()
            if self.status == "I" and not self._in_implicit and not self._implicit_ro:
                self.con.execute(f"BEGIN;\n{_PG_MACROS}\nCOMMIT;")
                self._pg_macros, self._pg_macros_tx = True, None
                self._jl_typed = True
            else:
                txid = self._txid()
                if self._pg_macros_tx != txid:
                    self.con.execute(_PG_MACROS)
                    self._pg_macros_tx = txid
                    self._jl_typed = True
        if jsonb.LAZY in sql:
            self._lazy_jsonb()

    def _json_columns(self) -> bool:
        """Whether the PDB has a JSON column, as this transaction sees it: read again after DDL
        (a read in a transaction block is valid for the DDL counted when the block began: its
        snapshot may be older than the count)."""
        if self._jl_stamp != self.ddl.value or self._ddl_in_tx:
            autocommit = self.status == "I" and not self._in_implicit and not self._implicit_ro
            stamp = self.ddl.value if autocommit else self._tx_ddl  # (read before the catalog)
            self._release_stream()
            self._jl_json = bool(self.con.execute(jsonb.HAS_JSON).fetchall()[0][0])
            self._jl_stamp = stamp
        return self._jl_json

    def _choose(self, p: Prepared) -> None:
        """The text a statement with one without jsonb's dispatch (pgcompat.rewrite's plain) runs:
        that one while the PDB has no JSON column (the lazy macros would be DuckDB's own
        operators: the same answers, without binding the macros), the dispatched one once it has."""
        if p.plain is not None:
            p.sql = p.dispatched if self._json_columns() else p.plain
        if self._reads_jsonb_calls(p):
            p.sql = self._jsonb_calls(p)
        if p.kind == "select":
            self._outer_aliases(p)

    def _reads_jsonb_calls(self, p: Prepared) -> bool:
        """Whether p's text may be rewritten for its jsonb (engine.declared.jsonb_calls)."""
        return (
            (
                p.kind in _JSONB_READ_KINDS
                or (p.kind in _CREATING_KINDS and declared.table_as(p.sql) is not None)
            )
            and (self._json_columns() or "json" in p.sql or "JSON" in p.sql)  # (else nothing is json)
            and any(m in p.sql for m in declared.JSONB_CALL_MARKS)
        )

    def _outer_aliases(self, p: Prepared) -> None:
        """PostgreSQL's 42703 for a select-list alias named in a subquery of the WHERE
        (engine.declared.outer_alias_refusal): read once per shape and catalog stamp (the shape's
        numbers change no name)."""
        stamp = (self.ddl.value, self._names)
        if p.hint.get("outer_alias") == stamp:
            return
        if declared.may_name_outer_alias(p.sql):
            self._declared.outer_alias_refusal(p.sql, stamp, self._release_stream)
        p.hint["outer_alias"] = stamp

    def _jsonb_calls(self, p: Prepared) -> str:
        """p's text with pg_typeof's typeof() of a jsonb column saying jsonb and jsonb's - of a
        json column refused (engine.declared.jsonb_calls), kept with the statement's shape for
        this catalog stamp."""
        stamp = (self.ddl.value, self._names)
        known = p.hint.get("jsonb_calls")
        if known is not None and known[0] == stamp and p.sql in (known[1], known[2]):
            return str(known[2])
        out = self._declared.jsonb_calls(p.sql, stamp, self._release_stream)
        p.hint["jsonb_calls"] = (stamp, p.sql, out)
        return out

    def _lazy_jsonb(self) -> None:
        """engine.jsonb's lazy macros as the PDB's columns ask: DuckDB's own operators while no
        column is JSON (read again after DDL), the typed macros once one is. Made DuckDB's own
        only in a transaction of their own; made typed at once (inside a transaction block, again
        at each statement until it ends: it may roll back)."""
        self._json_columns()
        if self._jl_typed == self._jl_json:
            return
        self._release_stream()
        if self.status == "I" and not self._in_implicit and not self._implicit_ro:
            self.con.execute(f"BEGIN;\n{jsonb.lazy_macros(self._jl_json)}\nCOMMIT;")
            self._jl_typed = self._jl_json
        elif self._jl_json:
            self.con.execute(jsonb.lazy_macros(True))
            self._jl_typed = None

    def _committing(self) -> bool:
        """Whether the open transaction made the macros (call just before its COMMIT)."""
        return self._pg_macros_tx is not None and self._pg_macros_tx == self._txid()

    def _committed(self, made_here: bool) -> None:
        if made_here:
            self._pg_macros, self._pg_macros_tx = True, None

    def _txid(self) -> int:
        return int(self.con.execute("SELECT txid_current()").fetchall()[0][0])

    def _check_aborted(self, kind: str) -> None:
        if self.status == "E" and kind not in ("rollback", "commit", "rollback_to"):
            raise DbError(
                "25P02", "current transaction is aborted, commands ignored until end of transaction block"
            )

    def interrupt(self, reason: str) -> None:
        """Interrupt what this session runs (from another thread): DuckDB, or a wait for the gate."""
        self.cancel_reason = reason
        self._interrupts += 1
        try:
            self.con.interrupt()
        except duckdb.ConnectionException:  # the session closed meanwhile: nothing runs
            pass

    # ------------------------------------------------------------ the write gate

    def claim_write(self, lock: str = "") -> bool:
        """Take the PDB's write gate before a write (or SELECT ... FOR UPDATE), held to the end
        of the transaction. False: SKIP LOCKED found it taken (the statement finds no rows)."""
        gate = self.gate
        if gate is None or gate.held_by(self.id):
            return True
        if self.read_only or self.read_only_tx:
            if lock:
                raise DbError("25006", "cannot execute SELECT FOR UPDATE in a read-only transaction")
            return True  # the write fails in DuckDB with 25006
        if not gate.try_acquire(self.id):
            if lock == LOCK_SKIP:
                return False
            if lock == LOCK_NOWAIT:
                raise DbError(
                    "55P03", "could not obtain lock on row: another transaction is writing to this database"
                )
            seen = self._interrupts
            timeout = self.lock_timeout_ms / 1000 if self.lock_timeout_ms else None
            if self.on_wait is not None:
                self.on_wait(True)
            try:
                gate.acquire(
                    self.id, timeout, lambda: self.cancel_reason if self._interrupts != seen else None
                )
            finally:
                if self.on_wait is not None:
                    self.on_wait(False)
        self._fresh_snapshot()
        return True

    def _fresh_snapshot(self) -> None:
        """READ COMMITTED: a transaction begun before the last writer committed would conflict
        with its rows (DuckDB aborts it); having written nothing yet, it begins again, so that
        its writes see what is committed now, as PostgreSQL's statements do."""
        gate = self.gate
        if gate is None or self._tx_generation == gate.generation:
            return
        if (self.status == "T" or self._in_implicit) and self.isolation_tx in (
            "read committed",
            "read uncommitted",
        ):
            self._begin_again()
        self._tx_generation = gate.generation

    def _begin_again(self) -> None:
        """The open DuckDB transaction, which has written nothing, begun again: a snapshot of now
        (READ COMMITTED's; the block's mode kept)."""
        self._release_stream()
        self._tx_ddl = self.ddl.value  # (before the snapshot)
        self.con.execute("ROLLBACK")
        self.con.execute("BEGIN TRANSACTION READ ONLY" if self.read_only_tx else "BEGIN TRANSACTION")

    def _read_committed_snapshot(self, portal: Portal) -> None:
        """READ COMMITTED in a transaction block: each statement sees what was committed before
        it began, as in PostgreSQL. DuckDB's transaction keeps the snapshot of its start; a block
        that has only read so far (no write gate, so no write, DDL or lock) begins its DuckDB
        transaction again when a writer has committed since, before the statement runs. Not with
        an open cursor or a suspended portal (each keeps its own snapshot, as PostgreSQL's do),
        nor after a SAVEPOINT (its emulation replays the block). Once the block writes it holds
        the gate: no other writer commits until it ends (claim_write took a fresh snapshot)."""
        gate = self.gate
        if (
            gate is None
            or gate.held_by(self.id)
            or self.isolation_tx not in ("read committed", "read uncommitted")
            or self._in_implicit
            or self.cursors
            or self.savepoints
            or self._streaming is not None
            or any(q is not portal and q.started and not q.done for q in self.portals.values())
        ):
            return
        self._tx_generation = gate.generation
        self._begin_again()

    def _release_gate(self) -> None:
        """The transaction ended: the next writer may go."""
        if self.gate is not None and self.gate.held_by(self.id):
            self.gate.release(self.id)

    def _end_of_statement(self) -> None:
        """A statement outside a transaction block ended: its write gate goes."""
        if self.status == "I" and not self._in_implicit:
            self._release_gate()

    def fail(self, e: BaseException) -> bytes:
        """The ErrorResponse for e; an error inside a transaction block aborts it, as in PostgreSQL."""
        err = to_db_error(e)
        self._fk_notices.clear()  # (the statement's: it has not run)
        if err.sqlstate in ("23505", "23514", "23502"):
            alone = self.status != "T" and not self._in_implicit  # (another connection reads what it read)
            err = constraint_errors.as_postgres(self.con, err, self.current_sql, self.current_values, alone)
        if err.sqlstate == "25006" and self.read_only_tx and "transaction is launched" in err.message:
            verb = self.current_tag or "this statement"
            err = DbError("25006", f"cannot execute {verb} in a read-only transaction")
        if self._implicit_ro:
            try:
                self._end_implicit_ro(False)
            except duckdb.Error:
                pass
        if self.status == "T":
            self.status = "E"
        self._end_of_statement()
        if err.sqlstate == "57014" and self.cancel_reason:
            err = DbError("57014", f"canceling statement due to {self.cancel_reason}")
        self.cancel_reason = ""
        self.last_error = err.sqlstate
        self.last_error_message = err.message
        return err.to_wire()

    # ------------------------------------------------------------ transactions

    def _begin(self, read_only: bool, isolation: str | None = None) -> None:
        self._tx_ddl = self.ddl.value  # (before the snapshot)
        self.con.execute("BEGIN TRANSACTION READ ONLY" if read_only else "BEGIN TRANSACTION")
        self.read_only_tx = read_only
        self.isolation_tx = isolation or self.default_isolation
        self._ran_in_tx = 0
        if self.gate is not None:
            self._tx_generation = self.gate.generation

    def set_transaction_read_only(self, read_only: bool) -> bytes:
        """SET TRANSACTION READ ONLY / READ WRITE: DuckDB fixes a transaction's mode when it
        begins, so it can change only before the block has run a statement (READ WRITE after that
        is PostgreSQL's error too); outside a block it does nothing, with PostgreSQL's warning."""
        self._release_stream()
        if self.status == "I":
            return backend.notice_response(
                "SET TRANSACTION can only be used in transaction blocks", sqlstate="25P01", severity="WARNING"
            )
        if read_only == self.read_only_tx:
            return b""
        if self._ran_in_tx:
            if not read_only:
                raise DbError("25001", "transaction read-write mode must be set before any query")
            raise DbError(
                "0A000",
                "SET TRANSACTION READ ONLY must come before the transaction's first statement in DuckCDB",
            )
        self.con.execute("ROLLBACK")
        self._begin(read_only)
        return b""

    def set_transaction_isolation(self, level: str) -> None:
        """SET TRANSACTION ISOLATION LEVEL: only before the block's first statement."""
        if self._ran_in_tx:
            raise DbError("25001", "SET TRANSACTION ISOLATION LEVEL must be called before any query")
        self.isolation_tx = level

    def _transaction(
        self, kind: str, stmt_text: str, tag: str, read_only: bool | None = None, isolation: str | None = None
    ) -> bytes:
        """BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE/ROLLBACK TO with PostgreSQL's semantics."""
        self._release_stream()
        if kind == "begin":
            if self.status != "I":
                return backend.notice_response(
                    "there is already a transaction in progress", sqlstate="25001", severity="WARNING"
                ) + backend.command_complete("BEGIN")
            self._begin(self.default_read_only if read_only is None else read_only, isolation)
            self.status = "T"
            self.txn_begins += 1
            self.replay.clear()
            self.savepoints.clear()
            return backend.command_complete("BEGIN")
        if kind in ("commit", "rollback"):
            if self.status == "I":
                return backend.notice_response(
                    "there is no transaction in progress", sqlstate="25P01", severity="WARNING"
                ) + backend.command_complete(tag)
            failed = self.status == "E"
            committed = False
            try:
                if kind == "commit" and not failed and self._fk_pending:
                    self._check_deferred(commit=True)
                made_here = kind == "commit" and not failed and self._committing()
                self.con.execute("ROLLBACK" if (kind == "rollback" or failed) else "COMMIT")
                committed = kind == "commit" and not failed
                self._committed(committed and made_here)
                if kind == "rollback" or failed:
                    self.txn_rollbacks += 1
                else:
                    self.txn_commits += 1
            finally:
                if self.on_transaction_end is not None:
                    self.on_transaction_end(committed)
                self.status = "I"
                self.read_only_tx = False
                self._release_gate()
                self.replay.clear()
                self.savepoints.clear()
                self._fk_pending.clear()
                self._fk_modes.clear()
                self._close_portals()
            return backend.command_complete("ROLLBACK" if failed else tag)
        name = _savepoint_name(stmt_text)
        if self.status == "I":
            raise DbError("25P01", f"{kind.upper().replace('_', ' ')} can only be used in transaction blocks")
        if kind == "savepoint":
            self._check_aborted(kind)
            self.savepoints.append((name, len(self.replay)))
            return backend.command_complete("SAVEPOINT")
        idx = next(
            (i for i in range(len(self.savepoints) - 1, -1, -1) if self.savepoints[i][0] == name), None
        )
        if idx is None:
            raise DbError("3B001", f'savepoint "{name}" does not exist')
        if kind == "release":
            self._check_aborted(kind)
            del self.savepoints[idx:]
            return backend.command_complete("RELEASE")
        # ROLLBACK TO: DuckDB has no savepoints, so the transaction is rolled back and the
        # statements that ran before the savepoint are run again in a new transaction.
        keep = self.savepoints[idx][1]
        del self.savepoints[idx + 1 :]
        redo = self.replay[:keep]
        self.con.execute("ROLLBACK")
        self.con.execute("BEGIN TRANSACTION READ ONLY" if self.read_only_tx else "BEGIN TRANSACTION")
        self.status = "T"
        self.replay = []
        try:
            for sql, _ in redo:
                self.ensure_pg_macros(sql)
            for sql, values in redo:
                _seam.submit(self.con, sql, values or None, "rows").fetchall()
                self.replay.append((sql, values))
        except Exception as e:
            self.status = "E"
            raise DbError(
                "40001", f'could not restore the transaction to savepoint "{name}": {to_db_error(e).message}'
            ) from e
        return backend.command_complete("ROLLBACK")

    def _deallocate(self, sql: str) -> bytes:
        """DEALLOCATE [PREPARE] {name | ALL}: protocol-level statements too, as PostgreSQL does."""
        words = sql.replace(";", " ").split()[1:]
        if words and words[0].upper() == "PREPARE":
            words = words[1:]
        if not words or words[0].upper() == "ALL":
            self.statements.clear()
            return backend.command_complete("DEALLOCATE ALL")
        name = words[0].strip('"') if words[0].startswith('"') else words[0].lower()
        if self.statements.pop(name, None) is None:
            self._release_stream()
            self.con.execute(f'DEALLOCATE "{name}"')
        return backend.command_complete("DEALLOCATE")

    def _close_portals(self) -> None:
        """End of a transaction: the unnamed portal and cursors without WITH HOLD go."""
        self._release_stream()
        self.portals.pop("", None)
        for name, hold in list(self.cursors.items()):
            if not hold:
                self.portals.pop(name, None)
                del self.cursors[name]

    # ------------------------------------------------------------ SQL cursors

    def _declare_columns(
        self, d: cursors.Declare, values: list[Any]
    ) -> tuple[list[codec.PgType], list[tuple[str, codec.PgType]] | None]:
        self._release_stream()
        self.ensure_pg_macros(d.query)
        sig = _seam.bind(self.con, d.query, values=values or None)
        ptypes = [codec.pg_type_for_duckdb(str(t)) for _, t in sig.parameters]
        cols = None
        if sig.return_type == "query_result":
            cols = [(n, codec.pg_type_for_duckdb(str(t))) for n, t in zip(sig.names, sig.types, strict=True)]
        return ptypes, cols

    def _cursor_command(
        self, p: Prepared, portal: Portal, emit: Callable[[bytes], None], describe: bool
    ) -> None:
        if p.kind == "declare":
            d = cursors.parse_declare(p.sql)
            if d.name in self.portals:
                raise DbError("42P03", f'cursor "{d.name}" already exists')
            if not d.hold and self.status == "I":
                raise DbError("25P01", "DECLARE CURSOR can only be used in transaction blocks")
            _, cols = self._declare_columns(d, portal.values)
            if cols is None:
                raise DbError("42P11", "cannot open a cursor on a statement that returns no rows")
            inner = Prepared(d.query, "select", "SELECT", [], cols)
            self.portals[d.name] = Portal(
                inner, portal.values, [1 if d.binary else 0] * len(cols), scroll=d.scroll
            )
            self.cursors[d.name] = d.hold
            emit(backend.command_complete("DECLARE CURSOR"))
            return
        if p.kind == "close":
            name = cursors.parse_close(p.sql)
            names = list(self.cursors) if name is None else [name]
            for n in names:
                if n not in self.cursors:
                    raise DbError("34000", f'cursor "{n}" does not exist')
                cur = self.portals.pop(n, None)
                del self.cursors[n]
                if cur is not None and cur is self._streaming:
                    self._release_stream()
            emit(backend.command_complete("CLOSE CURSOR"))
            return
        f = cursors.parse_fetch(p.sql)
        cur = self.portals.get(f.name)
        if cur is None or f.name not in self.cursors:
            raise DbError("34000", f'cursor "{f.name}" does not exist')
        if f.backward and not cur.scroll:
            raise DbError(
                "55000",
                "cursor can only scan forward",
                hint="Declare it with SCROLL option to enable backward scan.",
            )
        if not cur.started:
            self._start(cur)
        if cur.scroll:
            self._scroll_fetch(cur, f, p, portal, emit, describe)
            return
        if f.move:
            moved = 0
            while (f.count is None or moved < f.count) and (batch := self._next_batch(cur)) is not None:
                take = batch.num_rows if f.count is None else min(batch.num_rows, f.count - moved)
                if take < batch.num_rows:
                    cur.pending.insert(0, batch.slice(take))
                moved += take
            emit(backend.command_complete(f"MOVE {moved}"))
            return
        cols, formats = self._fetch_columns(cur, p, portal, emit, describe)
        encoder = codec.RowEncoder([t for _, t in cols], _effective_formats(cols, formats), self.timezone)
        if f.count == 0:
            emit(backend.command_complete("FETCH 0"))
            return
        self._stream_rows(cur, f.count or 0, emit, encoder)
        emit(backend.command_complete(f"FETCH {cur.sent}"))

    def _fetch_columns(
        self, cur: Portal, p: Prepared, portal: Portal, emit: Callable[[bytes], None], describe: bool
    ) -> tuple[list[tuple[str, codec.PgType]], list[int]]:
        """A FETCH's columns and formats (its own Bind's, else the cursor's), described if asked."""
        cols = cur.prepared.columns or []
        formats = (
            portal.formats
            if portal.formats and portal.prepared is p and len(portal.formats) in (1, len(cols))
            else cur.formats
        )
        formats = _expand_formats(formats, len(cols))
        if describe:
            emit(_row_description(cols, formats))
        return cols, formats

    def _scroll_fetch(
        self,
        cur: Portal,
        f: cursors.Fetch,
        p: Prepared,
        portal: Portal,
        emit: Callable[[bytes], None],
        describe: bool,
    ) -> None:
        """FETCH / MOVE on a SCROLL cursor: its rows, read whole at the first one, kept."""
        if cur.rows is None:
            batches = list(cur.pending)
            cur.pending.clear()
            while (batch := self._next_batch(cur)) is not None:
                batches.append(batch)
            schema = batches[0].schema if batches else None
            cur.rows = pa.Table.from_batches(batches, schema) if schema is not None else None
            if cur.rows is None:
                cur.rows = pa.table({n: pa.array([], pa.null()) for n, _ in cur.prepared.columns or []})
        indexes, cur.position = cursors.scroll(cur.position, cur.rows.num_rows, f)
        if f.move:
            emit(backend.command_complete(f"MOVE {len(indexes)}"))
            return
        cols, formats = self._fetch_columns(cur, p, portal, emit, describe)
        if indexes:
            encoder = codec.RowEncoder([t for _, t in cols], _effective_formats(cols, formats), self.timezone)
            for batch in cur.rows.take(pa.array(indexes)).combine_chunks().to_batches():
                emit(encoder.encode(batch))
        emit(backend.command_complete(f"FETCH {len(indexes)}"))

    def _note_replay(self, sql: str, values: list[Any] | None, kind: str) -> None:
        if self.status != "T" or kind == "select":
            return
        if len(self.replay) >= MAX_REPLAY:
            # Too long to replay; savepoints before this point can no longer be restored.
            self.savepoints = [(n, p) for n, p in self.savepoints if p > MAX_REPLAY]
            return
        self.replay.append((sql, list(values or [])))

    # ------------------------------------------------------------ execution

    # ------------------------------------------------------------ foreign keys

    def _fks(self) -> tuple[foreign_keys.ForeignKey, ...]:
        """The PDB's foreign keys as this session's statements must see them: its own uncommitted
        DDL included (read in its transaction), else the committed ones (kept until DDL runs)."""
        if self.fk_registry is None:
            return ()
        if self._ddl_in_tx:
            self._release_stream()
            return foreign_keys.read(self.con)
        return self.fk_registry.committed()

    def _fk_deferred(self, fk: foreign_keys.ForeignKey) -> bool:
        """Whether fk's check waits for COMMIT: only inside a transaction block."""
        if self.status != "T" or not fk.deferrable:
            return False
        mode = self._fk_modes.get(fk.name.lower(), self._fk_modes.get(None))
        return fk.deferred if mode is None else mode

    def _check_deferred(self, commit: bool) -> None:
        """The deferred checks that are due (all of them at COMMIT). A failure at COMMIT rolls
        the transaction back, as PostgreSQL's does."""
        self._release_stream()
        due = [(fk, p) for fk, p in self._fk_pending if commit or not self._fk_deferred(fk)]
        keep = [(fk, p) for fk, p in self._fk_pending if not (commit or not self._fk_deferred(fk))]
        seen: set[tuple[str, str, bool]] = set()
        try:
            for fk, by_parent in due:
                key = (fk.child_table.lower(), fk.name, by_parent)
                if key in seen:
                    continue
                seen.add(key)
                foreign_keys.check(
                    lambda sql, v: self.con.execute(sql, v) if v else self.con.execute(sql), fk, by_parent
                )
        except BaseException:
            if commit:
                self.con.execute("ROLLBACK")
                self.txn_rollbacks += 1
            raise
        self._fk_pending = keep

    def set_constraints(self, names: list[str] | None, deferred: bool) -> bytes:
        """SET CONSTRAINTS {ALL | name, ...} {DEFERRED | IMMEDIATE}, for the open transaction."""
        if self.status == "I":
            return backend.notice_response(
                "SET CONSTRAINTS can only be used in transaction blocks", sqlstate="25P01", severity="WARNING"
            ) + backend.command_complete("SET CONSTRAINTS")
        self._check_aborted("set")
        fks = self._fks()
        if names is None:
            self._fk_modes = {None: deferred}
        else:
            for name in names:
                found = [fk for fk in fks if fk.name.lower() == name.lower()]
                if not found:
                    raise DbError("42704", f'constraint "{name}" does not exist')
                if not all(fk.deferrable for fk in found):
                    raise DbError("55000", f'constraint "{name}" is not deferrable')
                self._fk_modes[name.lower()] = deferred
        if not deferred and self._fk_pending:
            self._check_deferred(commit=False)
        return backend.command_complete("SET CONSTRAINTS")

    def _fk_target(
        self, p: Prepared
    ) -> tuple[tuple[foreign_keys.ForeignKey, ...], foreign_keys.Target | None]:
        """(the PDB's foreign keys, the statement's target) when p must run with them: a write of
        a table a foreign key names, DROP TABLE / TRUNCATE / DROP SCHEMA; else ((), None)."""
        kind = p.kind
        if kind in ("insert", "update", "delete", "merge"):
            fks = self._fks()
            if not fks or not foreign_keys.may_name(fks, p.sql):
                return (), None
            target = foreign_keys.target_of(p.sql)
            table = target.table
            if table is not None and not any(fk.child == table or fk.parent == table for fk in fks):
                return (), None
            return fks, target
        if kind == "ddl" and p.tag in ("DROP TABLE", "TRUNCATE TABLE", "DROP SCHEMA"):
            fks = self._fks()
            return (fks, None) if fks else ((), None)
        return (), None

    def _start_with_pre(
        self,
        portal: Portal,
        fks: tuple[foreign_keys.ForeignKey, ...] = (),
        target: foreign_keys.Target | None = None,
        made: list[str] | None = None,
        named: bool = False,
    ) -> int | None:
        """Run the statements a rewrite put first, then the portal's; atomic as one PostgreSQL
        statement. With foreign keys, their actions and checks around it (engine.foreign_keys).
        made: the statements that stand for a CREATE TABLE AS (engine.declared.made_by_query).
        named: a DROP TABLE / DROP SCHEMA where tables have named constraints (engine.constraint_names)."""
        implicit = self.status == "I" and not self._in_implicit and not self._implicit_ro
        self._release_stream()
        if implicit:
            self.con.execute("BEGIN TRANSACTION")
        p = portal.prepared
        ran: list[tuple[str, list[Any]]] = []
        portal.ran = ran

        def run(sql: str, values: Any = None) -> Any:
            if not sql.startswith("SELECT"):
                ran.append((sql, list(values or [])))
            return self.con.execute(sql, values) if values else self.con.execute(sql)

        try:
            count = None
            if p.alter is not None:
                for sql in p.pre:
                    run(sql)
                self._alter(p, run)
                portal.started = True
            elif p.kind == "ddl" and (fks or named):
                self._drop_with_foreign_keys(p, fks, run, named)
                portal.started = True
            elif made:
                for sql in [*p.pre, *made]:
                    res = run(sql)
                row = res.fetchone()  # the INSERT's rows: the tag's count (SELECT n)
                count = int(row[0]) if row else None
                portal.started = True
            else:
                for sql in p.pre:
                    run(sql)
                enforcer = None
                if fks and target is not None:
                    waiting = frozenset(foreign_keys.key(fk) for fk, _ in self._fk_pending)
                    enforcer = foreign_keys.Enforcer(fks, run, self._fk_deferred, waiting)
                    enforcer.before(p.kind, target, _for_duckdb(p, portal.values))
                ran.append((p.sql, portal.values))
                _, count = self._start(portal)
                if enforcer is not None and target is not None:
                    self._release_stream()  # RETURNING rows read: the statement has run to its end
                    upsert = p.kind == "insert" and _UPSERT.search(p.sql) is not None
                    enforcer.after(p.kind, target, upsert)
                    self._fk_pending += enforcer.pending
            if implicit:
                self._release_stream()
                self.con.execute("COMMIT")
        except BaseException:
            if implicit:
                self._release_stream()
                self.con.execute("ROLLBACK")
            raise
        return count

    def _alter(self, p: Prepared, run: Callable[..., Any]) -> None:
        """An ALTER TABLE planned now (engine.alter), and the foreign keys it adds, drops or renames,
        or a CREATE TABLE with foreign keys (pgcompat.foreign_keys)."""
        spec = p.alter or {}
        fks = self._fks()
        if "create_table" in spec:
            schema, table = spec["create_table"]["schema"], spec["create_table"]["table"]
            existed = foreign_keys._stored_table(run, schema, table) is not None
            run(p.sql)
            if existed:
                return  # CREATE TABLE IF NOT EXISTS of a table that is there: nothing added
            if fks:
                foreign_keys.forget_table(run, schema, table)
            for fk in spec.get("foreign_keys", []):
                foreign_keys.add(run, foreign_keys.read(self.con), schema, table, fk, validate=False)
            constraint_names.forget_table(run, schema, table)
            constraint_names.record(run, schema, table, spec.get("constraint_names", []))
            return
        schema, table = str(spec["schema"]), str(spec["table"])
        if "rename_constraint" in spec:
            constraint_ddl.rename_constraint(run, fks, schema, table, *spec["rename_constraint"])
            return
        if "drop_constraint" in spec:
            if foreign_keys.drop_constraint(run, fks, spec):
                return
            constraint_ddl.drop_constraint(self.con, run, spec, schema, table, p.sql, self._fk_notices)
            return
        if spec.get("add_check"):
            constraint_ddl.add_check(self.con, run, spec, schema, table, p.sql)
            return
        names_before = constraint_names.before_alter(run, schema, table)
        if not spec.get("only_foreign_keys"):
            there = spec.get("then_retype_if_added") and alter_table.has_column(
                self.con, schema, table, spec["then_retype"]["column"]
            )
            for sql in alter_table.plan(self.con, spec, p.sql):
                run(sql)
            if spec.get("then_retype") and not there:  # ADD COLUMN c jsonb: its CHECK (pgcompat.alter)
                retype = {"schema": schema, "table": table, "fresh": True, "retype": spec["then_retype"]}
                for sql in alter_table.plan(self.con, retype, ""):
                    if sql:
                        run(sql)
            if fks and any(spec.get(k) for k in ("rename_table", "rename_column", "drop_column")):
                foreign_keys.follow_alter(run, spec)
        for fk in spec.get("foreign_keys", []):
            foreign_keys.add(run, foreign_keys.read(self.con), schema, table, fk, validate=True)
        if names_before is not None:
            constraint_names.follow_alter(run, spec, names_before)
        if spec.get("add_named"):
            constraint_names.record(run, schema, table, spec["add_named"], last=True)

    def _names_kept(self) -> bool:
        """Whether tables of the PDB have named constraints (a DROP TABLE / DROP SCHEMA forgets theirs)."""
        self._release_stream()
        return constraint_names.any_kept(self.con.execute)

    def _drop_with_foreign_keys(
        self,
        p: Prepared,
        fks: tuple[foreign_keys.ForeignKey, ...],
        run: Callable[..., Any],
        named: bool = False,
    ) -> None:
        """DROP TABLE / TRUNCATE of tables foreign keys name (PostgreSQL's refusals, CASCADE), DROP
        SCHEMA (the foreign keys of its tables go with them)."""
        verb, tables, cascade, statements = foreign_keys.dropped_tables([*p.pre, p.sql])
        if not verb:
            for sql in [*p.pre, p.sql]:
                run(sql)
            if p.tag == "DROP SCHEMA":
                if fks:
                    foreign_keys.forget_schemas(run)
                if named:
                    constraint_names.forget_schemas(run)
            return
        extra = foreign_keys.drop_or_truncate(run, fks, verb, tables, cascade, self._fk_notices)
        for sql in statements:
            run(sql)
        for sql in extra:
            run(sql)
        if named and verb == "drop":
            for schema, table in tables:
                constraint_names.forget_table(run, schema, table)

    def _next_batch(self, portal: Portal) -> pa.RecordBatch | None:
        """The portal's next batch, or None when it has no more rows."""
        if portal.pending:
            return portal.pending.pop(0)
        if portal.reader is None:
            return None
        try:
            return portal.reader.read_next_batch()
        except StopIteration:
            portal.reader.close()
            portal.reader = None
            if self._streaming is portal:
                self._streaming = None
            return None

    def _submit_params(self, portal: Portal) -> Any:
        """Run with the portal's values. A parameter nobody typed (`abalance + $1` with an
        unspecified type) is text, as PostgreSQL's unknown, unless DuckDB cannot bind text there
        and can bind a number: the first execution finds out (binding runs nothing and leaves
        the transaction alone) and the statement remembers."""
        p = portal.prepared
        if p.untyped and p.numeric_untyped is None:
            p.numeric_untyped = False
            numbers = _as_numbers(portal.values, p.untyped)
            if numbers != portal.values:
                self._release_stream()
                try:
                    _seam.bind(self.con, p.sql, values=_for_duckdb(p, portal.values))
                except duckdb.BinderException:
                    try:
                        _seam.bind(self.con, p.sql, values=_for_duckdb(p, numbers))
                        p.numeric_untyped = True
                    except duckdb.Error:
                        pass
        return self._run(p.sql, _duckdb_values(portal), p.columns)

    def _start(self, portal: Portal) -> tuple[str, int | None]:
        """Run the portal's statement. Returns (return_type, changed rows or None)."""
        p = portal.prepared
        origins = self._origins(p) if p.columns is None else None  # (reads the catalog: first)
        res = self._submit_params(portal)
        rt = res.return_type
        if rt == "query_result" and p.columns is None:
            p.columns = _columns_from_description(res.description, p.names, origins)
            portal.formats = _expand_formats(portal.formats, len(p.columns))
        reader = res.arrow_reader()
        portal.started = True
        if rt == "query_result":
            portal.reader = reader
            self._streaming = portal
            return rt, None
        table = reader.read_all()
        reader.close()
        count = int(table.column(0)[0].as_py()) if rt == "changed_rows" and table.num_rows else None
        portal.done = True
        return rt, count

    def _char_semantics(self, sql: str, param_oids: list[int], hint: dict[str, Any] | None = None) -> str:
        """sql with PostgreSQL's char(n) semantics where it reads or writes a char(n) column
        (engine.bpchar); as it is for a PDB without any (a cached answer until its next DDL), and
        for a statement whose shape (hint: its text but for its numbers, which no char(n)
        rewrite depends on) needed none under the same names."""
        stamp = (self.ddl.value, self._names)
        if hint is not None and hint.get("bpchar") == stamp:
            return sql
        tables = self._declared.char_tables(stamp, self._release_stream)
        if not tables:
            return sql
        text = [i + 1 for i, o in enumerate(param_oids) if o == TEXT]
        out = bpchar.rewrite(sql, tables, self._declared.lookup, text, self._release_stream, self._columns_of)
        if out == sql and hint is not None and not text:
            hint["bpchar"] = stamp
        return out

    def _columns_of(self, query: str) -> tuple[str, ...] | None:
        """The columns (lower case) a query gives (its bind), None when DuckDB cannot bind it alone."""
        try:
            return tuple(str(n).lower() for n in _seam.bind(self.con, query).names)
        except duckdb.Error:
            return None

    def stored_columns(self, table: str) -> dict[str, str]:
        """The char(n) and jsonb columns -> "char" / "jsonb" of a table named as SQL writes it
        (COPY FROM's target: engine.bpchar.stored_columns)."""
        if not self._declared.char_tables((self.ddl.value, self._names), self._release_stream):
            return {}
        self._release_stream()
        return bpchar.stored_columns(table, self._declared.lookup)

    def _made_by_query(self, p: Prepared) -> list[str] | None:
        """A CREATE TABLE AS whose new columns are jsonb or varchar(n) / char(n): the statements
        that make it so (engine.declared.made_by_query); None for the others (one cached look at
        a DDL's text)."""
        if p.kind not in _CREATING_KINDS or declared.created_as(p.sql) is None:
            return None
        self._release_stream()
        return declared.made_by_query(self.con, p.sql, lambda q: self._declared_origins("select", q))

    def _declared_origins(self, kind: str, sql: str) -> declared.Origins | None:
        """Which result columns of a SELECT, or of an INSERT / UPDATE / DELETE's RETURNING, are
        varchar(n) / char(n) or jsonb (engine.declared); it may read the catalog, so no result
        of this connection may be pending."""
        if kind != "select":
            query = declared.returning_query(sql) if kind in _RETURNING_KINDS else None
            if query is None:
                return None
            sql = query
        return self._declared.origins(sql, (self.ddl.value, self._names), self._release_stream)

    def _shape_origins(self, kind: str, sql: str, hint: dict[str, Any] | None) -> declared.Origins | None:
        """_declared_origins, kept with the statement's shape (its text but for its numbers,
        which they do not depend on) for as long as the names it reads mean the same."""
        if kind != "select" and kind not in _RETURNING_KINDS:
            return None
        if hint is None:
            return self._declared_origins(kind, sql)
        stamp = (self.ddl.value, self._names)
        known = hint.get("declared")
        if known is not None and known[0] == stamp:
            return known[1]
        origins = self._declared_origins(kind, sql)
        hint["declared"] = (stamp, origins)
        return origins

    def _origins(self, p: Prepared) -> declared.Origins | None:
        """Of a statement about to run whose columns are not known yet (before it runs: this may
        read the catalog)."""
        return self._shape_origins(p.kind, p.sql, p.hint)

    # ------------------------------------------------------------ small results

    def _small_eligible(self, portal: Portal, max_rows: int) -> bool:
        """A plain SELECT whose earlier runs returned a few rows of plain types (hint "small")
        and that runs to its end: fetched as Python values, not as an Arrow stream."""
        p = portal.prepared
        if (
            not self._small_valid(p)
            or max_rows
            or p.kind != "select"
            or p.pre
            or p.alter
            or p.lock
            or p.writes
        ):
            return False
        if p.deferred or (p.untyped and p.numeric_untyped is None):
            return False  # the first run learns how those parameters bind (_submit_params)
        if p.columns is None:
            return True  # typed by this run's description (_start_small checks it)
        return codec_values.encodable(
            [t.oid for _, t in p.columns], _expand_formats(portal.formats, len(p.columns))
        )

    def _small_valid(self, p: Prepared) -> bool:
        """Whether p's hint was learnt under the names this session sees now: no DDL since in
        the PDB, and no SET, DDL or temporary object of this session's own since."""
        return p.hint.get("small") == (self.ddl.value, self._names)

    def _start_small(self, portal: Portal) -> bool:
        """Run the portal's statement for a small result; False (nothing sent, nothing kept) when
        this run's columns are not plain after all (a template whose numbers made a numeric):
        the caller runs it again on the Arrow path, which is the statement's one observed run."""
        p = portal.prepared
        self._release_stream()
        origins = self._origins(p) if p.columns is None else None  # (reads the catalog: first)
        res = self._parsed_run(p, _duckdb_values(portal) or None)
        if res.return_type != "query_result":
            res.close()
            raise DbError("XX000", "internal error: a small-result run returned no rows")
        columns = p.columns or _columns_from_description(res.description, p.names, origins)
        formats = _expand_formats(portal.formats, len(columns))
        widths = tuple([t.typmod - 4 if t.oid == BPCHAR else 0 for _, t in columns])  # char(n): padded
        framer = codec_values.framer_for(tuple([t.oid for _, t in columns]), tuple(formats), widths)
        if framer is None:
            res.close()
            p.hint.pop("small", None)
            return False
        p.columns, portal.formats = columns, formats
        portal.started = True
        portal.small = res
        portal.framer = framer
        return True

    def _parsed_run(self, p: Prepared, values: list[Any] | dict[str, Any] | None) -> Any:
        """Run p's small SELECT for rows: its text at the first run, its parse from the second on
        (DuckDB's parser is a sixth of a point query; a parse binds afresh at each run, so DDL and
        settings since are seen as by a text)."""
        parsed = p.parsed
        if parsed is None or parsed[0] is not p.sql:
            p.parsed = (p.sql, None)
            return _seam.submit(self.con, p.sql, values, "rows")
        if parsed[1] is None:
            statements = self.con.extract_statements(p.sql)
            if len(statements) != 1:
                return _seam.submit(self.con, p.sql, values, "rows")
            parsed = p.parsed = (p.sql, statements[0])
        self.con.execute(parsed[1], values)
        return _ConnectionResult(self.con)

    def _send_small(self, portal: Portal, emit: Callable[[bytes], None]) -> None:
        """The rows of a small-result run. More rows than SMALL_ROWS still all go out (in chunks,
        under MAX_RESULT_SIZE), and the shape is no longer taken for small."""
        p, res, frame = portal.prepared, portal.small, portal.framer
        portal.small = portal.framer = None
        portal.sent = self._small_rows(p, res, frame, emit)

    def _small_rows(
        self, p: Prepared, res: Any, frame: Callable[[Any], bytes] | None, emit: Callable[[bytes], None]
    ) -> int:
        """A small-result run's DataRows; how many were sent."""
        faults.inject("encoder", p.sql)
        try:
            if frame is None:  # (made for these columns and formats)
                raise codec_values.ValueEncodeError("result types are not plain")
            sent = out_bytes = 0
            asked = SMALL_ROWS + 1
            rows = res.fetchmany(asked)
            while rows:
                chunk = frame(rows)
                out_bytes += len(chunk)
                self._check_result_size(out_bytes)
                emit(chunk)
                sent += len(rows)
                if len(rows) < asked:
                    break  # fewer than asked: the result has no more
                p.hint.pop("small", None)
                asked = SMALL_CHUNK
                rows = res.fetchmany(asked)
            return sent
        except codec_values.ValueEncodeError as e:
            p.hint.pop("small", None)
            raise DbError("XX000", f"internal error: {e}") from None
        finally:
            res.close()

    def _learn_small(self, portal: Portal) -> None:
        """After an Arrow-streamed SELECT: a few rows of plain types make its shape small."""
        p = portal.prepared
        if (
            p.kind == "select"
            and portal.sent <= SMALL_ROWS
            and p.columns is not None
            and not self._small_valid(p)
        ):
            fmts = _expand_formats(portal.formats, len(p.columns))
            if codec_values.encodable([t.oid for _, t in p.columns], fmts):
                p.hint["small"] = (self.ddl.value, self._names)

    def _check_result_size(self, out_bytes: int) -> None:
        if self.max_result_bytes and out_bytes > self.max_result_bytes:
            raise DbError(
                "54000",
                f"result too large: more than the {self.max_result_bytes} bytes MAX_RESULT_SIZE allows",
                hint="fetch less (LIMIT, a cursor with FETCH), or ask the DBA to raise MAX_RESULT_SIZE",
            )

    def _encoder(self, portal: Portal) -> codec.RowEncoder:
        if portal.encoder is None:
            cols = portal.prepared.columns or []
            fmts = _effective_formats(cols, portal.formats)
            portal.encoder = codec.RowEncoder([t for _, t in cols], fmts, self.timezone)
        return portal.encoder

    def _stream_rows(
        self,
        portal: Portal,
        max_rows: int,
        emit: Callable[[bytes], None],
        encoder: codec.RowEncoder | None = None,
    ) -> bool:
        """Send up to max_rows rows (0 = all); True when the limit was reached."""
        faults.inject("encoder", portal.prepared.sql)
        enc = encoder or self._encoder(portal)
        buf: list[bytes] = []
        size = 0
        out_bytes = 0  # this response's DataRow bytes (MAX_RESULT_SIZE)
        limit = max_rows if max_rows > 0 else None
        sent = 0
        while (batch := self._next_batch(portal)) is not None:
            if limit is not None and sent + batch.num_rows > limit:
                take = limit - sent
                portal.pending.insert(0, batch.slice(take))
                batch = batch.slice(0, take)
            if batch.num_rows:
                chunk = enc.encode(batch)
                out_bytes += len(chunk)
                self._check_result_size(out_bytes)
                buf.append(chunk)
                size += len(chunk)
                sent += batch.num_rows
            if size >= FLUSH_BYTES:
                emit(b"".join(buf))
                buf, size = [], 0
            if limit is not None and sent >= limit:
                break
        if buf:
            emit(b"".join(buf))
        portal.sent = sent
        # As PostgreSQL: reaching the limit suspends the portal, even when no row is left.
        return limit is not None and sent >= limit

    def _tag(self, p: Prepared, rows: int | None) -> str:
        if p.kind in COUNTED:
            return f"{COUNTED[p.kind]} {rows or 0}"
        if p.kind == "execute":  # (an INSERT ... RETURNING sends rows: tagged INSERT all the same)
            executed = self._executed_tag(p.sql, rows or 0)
            if executed != "EXECUTE":
                return executed
        if p.columns is not None and p.kind != "explain":
            return f"SELECT {rows or 0}"
        return p.tag

    def execute_portal(
        self, portal: Portal, max_rows: int, emit: Callable[[bytes], None], describe: bool
    ) -> None:
        """Run (or go on with) the portal: with the tier's DuckDB threads unless its shape is known
        quick (engine.threads), and what this run took teaches the shape."""
        workers = self.workers
        if workers is None:
            self._execute_portal(portal, max_rows, emit, describe)
            return
        hint = portal.prepared.hint
        began = not portal.started
        held = workers.enter(bool(hint.get("quick")))
        by_wall = timed_by_wall(hint)
        t0 = time.perf_counter() if by_wall else time.thread_time()
        try:
            self._execute_portal(portal, max_rows, emit, describe)
        finally:
            if held:
                workers.leave()
            if by_wall:
                learn_quick_by_wall(hint, began and portal.done, time.perf_counter() - t0)
            else:
                learn_quick(hint, began and portal.done, time.thread_time() - t0)

    def with_workers(self, fn: Callable[[], Any]) -> Any:
        """fn (a COPY) with the tier's DuckDB threads, whatever ran before (engine.threads)."""
        held = self.workers.enter(quick=False) if self.workers is not None else False
        try:
            return fn()
        finally:
            if held and self.workers is not None:
                self.workers.leave()

    def _execute_portal(
        self, portal: Portal, max_rows: int, emit: Callable[[bytes], None], describe: bool
    ) -> None:
        p = portal.prepared
        faults.inject("engine", p.sql)
        faults.slow(p.sql)
        self._check_aborted(p.kind)
        if p.kind in TXN_KINDS:
            emit(self._transaction(p.kind, p.sql, p.tag, p.read_only, p.isolation))
            portal.done = True
            self._count_ddl_end()
            return
        if p.kind == "deallocate":
            emit(self._deallocate(p.sql))
            portal.done = True
            return
        if p.kind in ("declare", "fetch", "move", "close"):
            self._cursor_command(p, portal, emit, describe)
            portal.done = True
            return
        if p.kind == LOCK_TABLE:
            emit(self._lock_table(p))
            portal.done = True
            return
        if portal.done and not portal.pending and portal.reader is None and portal.started:
            emit(backend.command_complete(self._tag(p, 0)))
            return
        count = None
        self.current_tag = p.tag
        self.current_sql = p.sql
        self.current_values = portal.values if p.used_params is None else None
        if p.kind not in _NAME_NEUTRAL:
            self._names = f"{id(self)}:{next(_NAMES_CHANGED)}"
        if not portal.started:
            if self.status == "T" and self.gate is not None and self._tx_generation != self.gate.generation:
                self._read_committed_snapshot(portal)
            self._choose(p)
            self.ensure_pg_macros(p.sql)
            for n in p.notices:
                emit(backend.notice_response(n))
            if p.kind in GROWING_KINDS and not p.tag.startswith(SHRINKING_TAGS) and self.storage_full():
                raise ora(65114, "STORAGE MAXSIZE reached")
            if self.status == "I" and self.default_read_only and not self._in_implicit:
                # default_transaction_read_only: a statement outside a block is a read-only
                # transaction of its own, ended when its rows are (or at Sync, if suspended).
                self._release_stream()
                self._begin(True)
                self._implicit_ro = True
            if (p.writes or p.lock) and not self.claim_write(p.lock):
                # SKIP LOCKED: every row is locked by the writer holding the gate.
                if p.columns is None:
                    self._start(portal)  # only to learn its columns
                    self._drop_stream(portal)
                if describe and p.columns is not None:
                    emit(_row_description(p.columns, portal.formats))
                portal.done = portal.started = True
                self._end_of_statement()
                emit(backend.command_complete(self._tag(p, 0)))
                return
            self.ensure_pg_macros(p.sql)  # (again: a fresh snapshot may have rolled them back)
            if p.kind == "ddl" and "EXISTS" in p.sql.upper():  # (IF [NOT] EXISTS: PostgreSQL's notices)
                self._release_stream()
                self._fk_notices += exists_notices.notices(self.con.execute, [*p.pre, p.sql])
            fks, target = self._fk_target(p)
            made = self._made_by_query(p)
            named = p.kind == "ddl" and p.tag in _NAMES_DROPPED and self._names_kept()
            if p.pre or p.alter or fks or made or named:
                count = self._start_with_pre(portal, fks, target, made, named)
            elif not (self._small_eligible(portal, max_rows) and self._start_small(portal)):
                count = self._start(portal)[1]
            while self._fk_notices:
                n = self._fk_notices.pop(0)
                emit(
                    backend.notice_response(n)
                    if isinstance(n, str)
                    else backend.notice_response(n[0], sqlstate=n[1])
                )
            if p.kind in _CREATING_KINDS:  # (SELECT INTO makes a table too: catalog reads are stale)
                self.ddl.bump()
                self._ddl_in_tx = self.status != "I" or self._in_implicit or self._implicit_ro
            if self.status == "T":
                self._ran_in_tx += 1
                for sql, values in portal.ran or [(p.sql, portal.values)]:
                    self._note_replay(sql, values, p.kind)
            if describe and p.columns is not None:
                emit(_row_description(p.columns, portal.formats))
        if portal.small is not None:
            self._send_small(portal, emit)
            portal.done = True
            self._end_implicit_ro(True)
            self._end_of_statement()
            emit(backend.command_complete(self._tag(p, portal.sent)))
            return
        if p.columns is not None and (portal.reader is not None or portal.pending):
            if self._stream_rows(portal, max_rows, emit):
                emit(backend.PORTAL_SUSPENDED)
                return
            portal.done = True
            self._learn_small(portal)
            self._end_implicit_ro(True)
            self._end_of_statement()
            emit(backend.command_complete(self._tag(p, portal.sent)))
            return
        portal.done = True
        self._end_implicit_ro(True)
        self._end_of_statement()
        tag = self._tag(p, count if count is not None else portal.sent)
        made_as = declared.table_as(p.sql) if tag == "CREATE TABLE" and p.kind == "ddl" else None
        if made_as is not None:
            # CREATE TABLE AS: PostgreSQL's tag counts the rows written ("SELECT n"), none WITH NO
            # DATA or where IF NOT EXISTS found the table (DuckDB: no count), with PG's notice
            if count is None and made_as.if_not_exists:
                emit(
                    backend.notice_response(
                        f'relation "{made_as.last}" already exists, skipping', sqlstate="42P07"
                    )
                )
            tag = "CREATE TABLE AS" if count is None or _WITH_NO_DATA.search(p.sql) else f"SELECT {count}"
        emit(backend.command_complete(tag))

    def _executed_tag(self, sql: str, count: int) -> str:
        """EXECUTE of a SQL-prepared INSERT / UPDATE / DELETE: its statement's tag with the rows it
        changed, as PostgreSQL tags it (DuckDB's text of the prepared statement says which)."""
        m = _EXECUTE_NAME.match(sql)
        if m is None:
            return "EXECUTE"
        name = m.group(1)[1:-1].replace('""', '"') if m.group(1).startswith('"') else m.group(1)
        self._release_stream()
        rows = self.con.execute(
            "SELECT statement FROM duckdb_prepared_statements() WHERE lower(name) = lower($1)", [name]
        ).fetchall()
        word = str(rows[0][0]).lstrip().split(None, 1)[0].lower() if len(rows) == 1 and rows[0][0] else ""
        return f"{COUNTED[word]} {count}" if word in ("insert", "update", "delete") else "EXECUTE"

    def _lock_table(self, p: Prepared) -> bytes:
        """LOCK TABLE (pgcompat.syntax.lock_table): inside a transaction block, as PostgreSQL
        asks; the tables must exist; the modes that keep writers out hold the write gate until
        the transaction ends."""
        if self.status != "T" and not self._in_implicit:
            raise DbError("25P01", "LOCK TABLE can only be used in transaction blocks")
        if p.lock:
            if self.read_only or self.read_only_tx:
                raise DbError("25006", "cannot execute LOCK TABLE in a read-only transaction")
            self.claim_write(p.lock)
        self._release_stream()
        self.con.execute(p.sql).fetchall()
        return backend.command_complete("LOCK TABLE")

    def _end_implicit_ro(self, ok: bool) -> None:
        """End the read-only transaction a statement outside a block ran in."""
        if self._implicit_ro:
            self._implicit_ro = False
            self._release_stream()
            self.con.execute("COMMIT" if ok else "ROLLBACK")
            self.read_only_tx = False
        self._count_ddl_end()

    def _count_ddl_end(self) -> None:
        """A transaction that ran DDL has ended: catalog reads of other sessions are stale."""
        if self._ddl_in_tx and self.status == "I" and not self._in_implicit and not self._implicit_ro:
            self._ddl_in_tx = False
            self.ddl.bump()

    # ------------------------------------------------------------ ops

    def op_query(self, stmts: list[dict[str, Any]], emit: Callable[[bytes], None]) -> bool:
        """Simple protocol: run each statement; stop at the first error. Returns False on error.

        Several statements outside a transaction block run in one implicit transaction, as in
        PostgreSQL: an error rolls back the statements before it in the same message.
        """
        implicit = self.status == "I" and len(stmts) > 1 and not any(s["kind"] in TXN_KINDS for s in stmts)
        if implicit:
            self._release_stream()
            self._begin(self.default_read_only)
            self._in_implicit = True
        ok = True
        for s in stmts:
            try:
                self.require_passed(s["sql"], *s.get("pre", []), *([s["plain"]] if "plain" in s else []))
                sql = s["sql"]
                if s.get("grouping") or s.get("positional"):
                    self.ensure_pg_macros(sql)  # (they bind the statement)
                if s.get("grouping"):
                    self._release_stream()
                    sql = grouping.choose(self.con, sql, s["grouping"])
                if s.get("positional"):
                    self._release_stream()
                    self.ensure_pg_macros(sql)  # (completing binds it)
                    sql = inserts.complete(self.con, sql, s["positional"])
                sql = self._char_semantics(sql, [], s.get("hint"))
                p = Prepared(sql, s["kind"], s["tag"], [], None, s.get("pre", []), s.get("notices", []))
                p.read_only, p.isolation = s.get("read_only"), s.get("isolation")
                p.writes, p.lock = bool(s.get("writes")), s.get("lock", "")
                p.names = s.get("names")
                p.alter = s.get("alter")
                if "plain" in s:
                    p.plain, p.dispatched = self._char_semantics(s["plain"], []), sql
                if "hint" in s:
                    p.hint = s["hint"]  # shared by the statements of one shape
                portal = Portal(p, [], [])
                self.execute_portal(portal, 0, emit, describe=True)
                if "numbered" in s and len(stmts) == 1:
                    self._learn_simple(s, p)
            except Exception as e:  # every engine error becomes an ErrorResponse
                emit(self.fail(e))
                ok = False
                break
        if implicit:
            self._in_implicit = False
            self._release_stream()
            try:
                made_here = ok and self._committing()
                self.con.execute("COMMIT" if ok else "ROLLBACK")
                self._committed(made_here)
            finally:
                self.read_only_tx = False
                self._release_gate()
        self._count_ddl_end()
        return ok

    def op_parse(
        self,
        name: str,
        sql: str,
        kind: str,
        tag: str,
        param_oids: list[int],
        pre: list[str] | None = None,
        notices: list[str] | None = None,
        names: list[str | None] | None = None,
        param_count: int = 0,
        read_only: bool | None = None,
        writes: bool = False,
        lock: str = "",
        isolation: str | None = None,
        alter: dict[str, Any] | None = None,
        group_by: dict[str, Any] | None = None,
        positional: dict[str, Any] | None = None,
        hint: dict[str, Any] | None = None,
        plain: str | None = None,
    ) -> bytes:
        self._check_aborted(kind)
        self.require_passed(sql, *(pre or []), *([plain] if plain is not None else []))
        if name and name in self.statements:
            raise DbError("42P05", f'prepared statement "{name}" already exists')
        if (
            kind in TXN_KINDS
            or kind in ("set", "show", "close", "move", "deallocate", LOCK_TABLE)
            or alter is not None
        ):
            # (an ALTER TABLE planned at run time takes no parameters and returns no rows)
            ptypes = [codec.pg_type(o or codec.oids.TEXT) for o in param_oids]
            prepared = Prepared(sql, kind, tag, ptypes, None, pre or [], notices or [])
            prepared.read_only, prepared.isolation = read_only, isolation
            prepared.alter = alter
            prepared.writes, prepared.lock = writes, lock
            self.statements[name] = prepared
            return backend.PARSE_COMPLETE
        if kind == "declare":
            ptypes, _ = self._declare_columns(cursors.parse_declare(sql), [])
            ptypes = [
                codec.pg_type(o) if o else t
                for o, t in zip(param_oids + [0] * len(ptypes), ptypes, strict=False)
            ]
            self.statements[name] = Prepared(sql, kind, tag, ptypes, None)
            return backend.PARSE_COMPLETE
        if kind == "fetch":
            f = cursors.parse_fetch(sql)
            cur = self.portals.get(f.name)
            cols = cur.prepared.columns if cur is not None else None
            self.statements[name] = Prepared(sql, kind, tag, [], cols)
            return backend.PARSE_COMPLETE
        self._release_stream()
        self.ensure_pg_macros(sql)
        sql = grouping.choose(self.con, sql, group_by)
        sql = inserts.complete(self.con, sql, positional)
        self.ensure_pg_macros(sql)  # (again: completing may call them)
        sql = declared_params(sql, param_oids)  # (after the rewrites' offsets are used)
        sql = self._char_semantics(sql, param_oids, hint)
        chosen = Prepared(sql, kind, tag, [], None)
        if plain is not None:
            chosen.plain = self._char_semantics(declared_params(plain, param_oids), param_oids)
            chosen.dispatched = sql
            self._choose(chosen)
        sig = _seam.bind(self.con, chosen.sql)
        ptypes: list[codec.PgType] = []
        untyped: list[int] = []
        # The client numbers parameters in its own text; a rewrite may have dropped some ($1 of
        # pg_get_constraintdef(oid, $1)): those are accepted and not passed to DuckDB.
        by_id = dict(sig.parameters)
        count = max(param_count, len(param_oids), max((int(k) for k in by_id if k.isdigit()), default=0))
        if set(by_id) != {str(i) for i in range(1, len(by_id) + 1)} or count != len(by_id):
            used = [str(i) for i in range(1, count + 1) if str(i) in by_id]
            params = [(str(i), by_id.get(str(i), "VARCHAR")) for i in range(1, count + 1)]
        else:
            used = None
            params = list(sig.parameters)
        exact: list[int] = []
        dated_text: list[tuple[int, int]] = []
        for i, (_, dtype) in enumerate(params):
            declared = param_oids[i] if i < len(param_oids) else 0
            if str(dtype) == UNCONSTRAINED_NUMERIC:
                exact.append(i)
            if declared:
                ptypes.append(codec.pg_type(declared))
                if declared in _TEXT_OIDS and str(dtype) in _DATED_TYPES:
                    dated_text.append((i, codec.pg_type_for_duckdb(str(dtype)).oid))
            else:
                t = str(dtype)
                unknown = t in ("UNKNOWN", "NULL", "ANY")
                if unknown:
                    untyped.append(i)
                ptypes.append(codec.pg_type(codec.oids.TEXT) if unknown else codec.pg_type_for_duckdb(t))
        probe = None
        if untyped:  # i + $1: the column's type, as PostgreSQL types it
            probe, typed = param_types.operand_types(self.con, chosen.sql, untyped)
            for i, t in typed.items():
                ptypes[i] = codec.pg_type_for_duckdb(t)
                untyped.remove(i)
                if t == UNCONSTRAINED_NUMERIC:
                    exact.append(i)
        cols = None
        deferred = False
        if sig.return_type == "query_result":
            cols = _sig_columns(sig, names, lambda: self._shape_origins(kind, sql, hint))
            deferred = cols is None
        prepared = Prepared(
            chosen.sql, kind, tag, ptypes, cols, pre or [], notices or [], untyped, names=names
        )
        prepared.plain, prepared.dispatched = chosen.plain, chosen.dispatched
        prepared.deferred = deferred
        prepared.typed_probe = probe if deferred else None
        prepared.used_params = used
        prepared.exact_numeric = exact
        prepared.dated_text = dated_text
        prepared.writes, prepared.lock = writes, lock
        if hint is not None:
            prepared.hint = hint
        if cols is not None:
            prepared.columns_stamp = (self.ddl.value, self._names)
        self.statements[name] = prepared
        return backend.PARSE_COMPLETE

    def op_bind(
        self, portal: str, stmt: str, pformats: list[int], params: list[bytes | None], rformats: list[int]
    ) -> bytes:
        p = self.statements.get(stmt)
        if p is None:
            raise DbError("26000", f'prepared statement "{stmt}" does not exist')
        self._check_aborted(p.kind)
        _check_param_count(stmt, p, params)
        values = self._decode_values(p, pformats, params)
        if p.columns_stamp is not None and p.columns_stamp != (self.ddl.value, self._names):
            self._revalidate(p)
        if portal in self.portals and self._streaming is self.portals[portal]:
            self._release_stream()
        if p.deferred:
            # DuckDB types these result columns from the parameter values: bind with them (as
            # numbers where text cannot bind, see _submit_params).
            self._release_stream()
            self._choose(p)
            self.ensure_pg_macros(p.sql)
            try:
                sig = _seam.bind(self.con, p.sql, values=_for_duckdb(p, values) or None)
            except duckdb.BinderException:
                if not p.untyped:
                    raise
                sig = _seam.bind(
                    self.con, p.sql, values=_for_duckdb(p, _as_numbers(values, p.untyped)) or None
                )
                p.numeric_untyped = True
            cols = (
                _sig_columns(sig, p.names, lambda: self._origins(p))
                if sig.return_type == "query_result"
                else None
            )
            p = dataclasses.replace(p, columns=cols, deferred=False)
        ncols = len(p.columns) if p.columns is not None else 0
        self.portals[portal] = Portal(
            p, values, _expand_formats(rformats, ncols) if ncols else list(rformats)
        )
        return backend.BIND_COMPLETE

    def _revalidate(self, p: Prepared) -> None:
        """A prepared statement's result columns after DDL or SET since they were read: the same,
        or PostgreSQL's 0A000 (a driver that described the statement would read the new values
        as the old types)."""
        self._release_stream()
        self._choose(p)
        self.ensure_pg_macros(p.sql)
        sig = _seam.bind(self.con, p.sql)
        cols = (
            _sig_columns(sig, p.names, lambda: self._origins(p))
            if sig.return_type == "query_result"
            else None
        )
        if cols != p.columns:
            raise DbError("0A000", "cached plan must not change result type")
        p.columns_stamp = (self.ddl.value, self._names)

    def _decode_values(self, p: Prepared, pformats: list[int], params: list[bytes | None]) -> list[Any]:
        """A Bind's parameter values as p's types read them (ParamError as PostgreSQL's input)."""
        pf = _expand_formats(pformats, len(params)) if params else []
        values = [
            codec.decode_param(raw, t.oid, f, timezone=self.timezone)
            for raw, t, f in zip(params, p.param_types, pf, strict=True)
        ]
        for i in p.exact_numeric:
            values[i] = _exact_numeric(values[i])
        for i, oid in p.dated_text:  # read as PostgreSQL reads the date/time ('... BC': not a zone)
            if isinstance(values[i], str):
                values[i] = codec.decode_param(values[i].encode(), oid, 0, timezone=self.timezone)
        return values

    # ------------------------------------------------------------ the repeat path

    def fast_statement(self, stmt: str, portal: str, rformats: list[int]) -> Prepared | None:
        """The prepared statement `stmt` when one Bind-Execute-Sync of it into `portal` may take
        the repeat path (fast_bind, run_fast): a SELECT whose shape earlier runs showed small and
        quick, with its parse kept, outside a transaction block and with nothing to run around
        it. Every fact that could change its run is checked here or learnt anew by it."""
        p = self.statements.get(stmt)
        if (
            p is None
            or portal  # (a named portal outlives the cycle: its rows may be asked for again)
            or "" in self.portals
            or self.status != "I"
            or self._in_implicit
            or self._implicit_ro
            or self.default_read_only
            or p.parsed is None
            or p.parsed[1] is None
            or not timed_by_wall(p.hint)
            or not self._small_valid(p)
            or p.kind != "select"
            or p.pre
            or p.alter
            or p.lock
            or p.writes
            or p.notices
            or p.deferred
            or p.plain is not None
            or p.columns is None
            or (p.untyped and p.numeric_untyped is None)
            or self._framing(p, rformats)[2] is None
        ):
            return None
        return p

    def _learn_simple(self, s: dict[str, Any], p: Prepared) -> None:
        """After a small run of a simple-protocol SELECT: its shape's texts may run as one parse
        with their numbers as parameters (session.shape_params's reading, s["numbered"]) when the
        engine ran the text as written and DuckDB infers an integer type for each parameter and
        the same result columns as for the literals (where a literal integer and an integer
        parameter mean the same). Kept in the shape's hint for this DDL count and these names."""
        hint = p.hint
        numbered, values = s["numbered"]
        stamp = (self.ddl.value, self._names)
        known = hint.get("simple")
        if (known is not None and known[1] == stamp) or not self._small_valid(p) or p.columns is None:
            return
        hint.pop("simple", None)
        if p.sql != s["sql"] or p.pre or p.alter or p.plain is not None or p.notices or p.lock or p.writes:
            return
        if self._reads_jsonb_calls(p):
            return  # (its text would be the session's own, _choose: the plan is every session's)
        self._release_stream()
        try:
            literal = _seam.bind(self.con, p.sql)
            bound = _seam.bind(self.con, numbered)
        except duckdb.Error:
            return
        ranges = [_INTEGER_RANGES.get(str(t)) for _, t in bound.parameters]
        if (
            len(ranges) != len(values)
            or None in ranges
            or bound.return_type != "query_result"
            or bound.names != literal.names
            or [str(t) for t in bound.types] != [str(t) for t in literal.types]
        ):
            return
        statements = self.con.extract_statements(numbered)
        if len(statements) != 1:
            return
        plan = Prepared(numbered, p.kind, p.tag, [], p.columns, names=p.names, hint=hint)
        plan.parsed = (numbered, statements[0])
        hint["simple"] = (numbered, stamp, plan, ranges)

    def simple_plan(
        self, sql: str, numbered: str, values: list[int], hint: dict[str, Any]
    ) -> Prepared | None:
        """The statement a simple-protocol text runs on the repeat path (run_fast with values):
        its shape's reading learnt by _learn_simple, still valid, the values in the parameters'
        types, the session outside a transaction block, the shape small and quick."""
        known = hint.get("simple")
        if (
            known is None
            or known[0] != numbered
            or known[1] != (self.ddl.value, self._names)
            or self.status != "I"
            or self._in_implicit
            or self._implicit_ro
            or self.default_read_only
            or not timed_by_wall(hint)
            or hint.get("small") != known[1]
        ):
            return None
        for v, (lo, hi) in zip(values, known[3], strict=True):
            if not lo <= v <= hi:
                return None
        self.require_passed(sql)
        return known[2]

    def fast_bind(self, stmt: str, p: Prepared, pformats: list[int], params: list[bytes | None]) -> list[Any]:
        """op_bind's values of a statement fast_statement chose (no portal is kept)."""
        _check_param_count(stmt, p, params)
        return self._decode_values(p, pformats, params)

    def run_fast(
        self,
        p: Prepared,
        values: list[Any],
        rformats: list[int],
        describe: str,
        emit: Callable[[bytes], None],
    ) -> None:
        """What execute_portal does for a statement fast_statement chose, in one step: with
        DuckDB's quick threads, its parse, its rows framed from Python values; the run teaches
        its shape as any run does (a slower one, or more rows, sends it back to the long path).
        describe: its RowDescription "first" (a Describe of the portal came before the
        Execute), "with rows" (a simple query's, once it runs: none after an error) or ""."""
        faults.inject("engine", p.sql)
        faults.slow(p.sql)
        self.current_tag = p.tag
        self.current_sql = p.sql
        workers = self.workers
        held = workers.enter(True) if workers is not None else False
        t0 = time.perf_counter()
        whole = False
        try:
            self._release_stream()
            self._choose(p)
            self.ensure_pg_macros(p.sql)
            _, _, frame, description = self._framing(p, rformats)
            if describe == DESCRIBE_FIRST:
                emit(description)
            if p.numeric_untyped:
                values = _as_numbers(values, p.untyped)
            res = self._parsed_run(p, _for_duckdb(p, values) or None)
            if describe == DESCRIBE_WITH_ROWS:
                emit(description)
            sent = self._small_rows(p, res, frame, emit)
            whole = True
        finally:
            if held:
                workers.leave()
            learn_quick_by_wall(p.hint, whole, time.perf_counter() - t0)
        self._end_of_statement()
        emit(backend.command_complete(f"SELECT {sent}"))

    @staticmethod
    def _framing(p: Prepared, rformats: list[int]) -> tuple[Any, list[int], Any, bytes]:
        """p's result framed in these formats: made once per formats while p's columns stay."""
        key = tuple(rformats)
        known = p.framing.get(key)
        if known is not None and known[0] is p.columns:
            return known
        columns = p.columns
        assert columns is not None
        formats = _expand_formats(rformats, len(columns))
        frame = codec_values.framer_for(
            tuple([t.oid for _, t in columns]),
            tuple(formats),
            tuple([t.typmod - 4 if t.oid == BPCHAR else 0 for _, t in columns]),
        )
        if len(p.framing) > 8:
            p.framing.clear()
        known = p.framing[key] = (columns, formats, frame, _row_description(columns, formats))
        return known

    def op_describe(self, kind: str, name: str) -> bytes:
        if kind == "S":
            p = self.statements.get(name)
            if p is None:
                raise DbError("26000", f'prepared statement "{name}" does not exist')
            out = backend.parameter_description([t.oid for t in p.param_types])
            if p.deferred:
                # Statement-level Describe has no values: describe with NULLs as the best guess.
                self._release_stream()
                self._choose(p)
                self.ensure_pg_macros(p.sql)
                try:
                    sig = (
                        _seam.bind(self.con, p.typed_probe)
                        if p.typed_probe is not None
                        else _seam.bind(self.con, p.sql, values=_for_duckdb(p, [None] * len(p.param_types)))
                    )
                    cols = _sig_columns(sig, p.names, lambda: self._origins(p))
                except duckdb.Error:
                    cols = None
                return out + (_row_description(cols, [0] * len(cols)) if cols else backend.NO_DATA)
            if p.columns is None:
                return out + backend.NO_DATA
            return out + _row_description(p.columns, [0] * len(p.columns))
        portal = self.portals.get(name)
        if portal is None:
            raise DbError("34000", f'portal "{name}" does not exist')
        p = portal.prepared
        if p.columns is None:
            return backend.NO_DATA
        return _row_description(p.columns, portal.formats)

    def op_execute(self, name: str, max_rows: int, emit: Callable[[bytes], None]) -> None:
        portal = self.portals.get(name)
        if portal is None:
            raise DbError("34000", f'portal "{name}" does not exist')
        self.execute_portal(portal, max_rows, emit, describe=False)

    def op_close(self, kind: str, name: str) -> bytes:
        if kind == "S":
            self.statements.pop(name, None)
        else:
            portal = self.portals.pop(name, None)
            if portal is not None and portal is self._streaming:
                self._streaming = None
                portal.reader.close()
        return backend.CLOSE_COMPLETE

    def op_sync(self) -> None:
        # The unnamed portal does not outlive the implicit transaction of an autocommit Sync.
        self._end_implicit_ro(True)
        self._end_of_statement()
        if self.status == "I":
            p = self.portals.pop("", None)
            if p is not None and p is self._streaming:
                self._streaming = None
                p.reader.close()

    def register_dictionary(self, tables: dict[str, dict[str, Any]]) -> None:
        """Make the container's dictionary views (computed by the proxy) readable in this session.

        They are registered on this session's connection only, so a PDB never sees another's rows.
        """
        self._release_stream()
        for name, t in tables.items():
            cols = [c for c, _ in t["columns"]]
            arrays = []
            for i, (_, dtype) in enumerate(t["columns"]):
                values = [row[i] for row in t["rows"]]
                target = _ARROW_TYPES.get(dtype, pa.string())
                if pa.types.is_timestamp(target):  # sent as ISO text
                    arrays.append(pa.array(values, type=pa.string()).cast(target))
                elif pa.types.is_decimal(target):  # sent as text, never as a float
                    arrays.append(pa.array([None if v is None else Decimal(v) for v in values], type=target))
                else:
                    arrays.append(pa.array(values, type=target))
            self.con.register(name, pa.Table.from_arrays(arrays, names=cols))

    def set_settings(self, values: dict[str, str]) -> None:
        """Session parameters as current_setting() reads them (DuckDB variables pg_<name>, which
        the catalog shim's current_setting reads, its default when unset)."""
        for key, value in values.items():
            name = "pg_" + "".join(ch for ch in key.lower() if ch.isalnum() or ch == "_")
            self.con.execute(f"SET VARIABLE {name} = ?", [str(value)])

    def set_userenv(self, values: dict[str, str]) -> None:
        """SYS_CONTEXT('USERENV', ...) values of this session, as DuckDB variables."""
        for key, value in values.items():
            name = "userenv_" + "".join(ch for ch in key.lower() if ch.isalnum() or ch == "_")
            self.con.execute(f"SET VARIABLE {name} = ?", [str(value)])
        # Oracle's one-row DUAL, which DBAs select from out of habit; this session's only.
        self.con.register("dual", pa.table({"DUMMY": ["X"]}))

    def passed(self, *texts: str) -> None:
        """The policies' verdict on these texts (engine SQL, or a COPY's copy_key): allowed."""
        for text in texts:
            self._passed.pop(text, None)
            self._passed[text] = None
        while len(self._passed) > _PASSED_MAX:
            del self._passed[next(iter(self._passed))]

    def require_passed(self, *texts: str) -> None:
        for text in texts:
            if text not in self._passed:
                raise DbError("42501", "permission denied: the statement was not checked by the policies")

    def macro_bodies(self, names: list[str]) -> dict[str, list[str]] | None:
        """The SQL of the PDB's (and this session's temp) macros of these names, one entry per
        overload: a scalar macro's body as a SELECT, a table macro's query. Read so that a call of
        a tenant macro is judged by what it runs. duckdb_functions() takes ~10 ms: outside a
        transaction block the read is kept until a session of this database runs DDL (or ends
        a transaction that did). None when it cannot be read."""
        autocommit = self.status == "I" and not self._in_implicit and not self._implicit_ro
        cached = self._macros
        if autocommit and cached is not None and cached[0] == self.ddl.value:
            table = cached[1]
        else:
            stamp = self.ddl.value  # read before the catalog: a later change makes it stale
            self._release_stream()
            try:
                rows = self.con.execute(_MACROS).fetchall()
            except duckdb.Error:  # an aborted transaction: nothing known, the call is refused
                return None
            table = {}
            for name, kind, body in rows:
                table.setdefault(name, []).append(body if kind == "table_macro" else f"SELECT {body}")
            # inside a transaction block the read is of its snapshot: not kept
            self._macros = (stamp, table) if autocommit else None
        return {n: table[n] for n in names if n in table}

    def set_timezone(self, tz: str) -> None:
        self._release_stream()
        self.con.execute(f"SET TimeZone = '{tz.replace(chr(39), chr(39) * 2)}'")
        self.timezone = tz

    def close(self) -> None:
        try:
            self._release_stream()
            if self.status != "I":
                self.con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        finally:
            self._release_gate()
        self.con.close()


# Text parameters DuckDB would cast to a date/time type itself (reading ' BC' as a zone, cutting
# a 7th fractional digit): the codec's date/time input reads them as PostgreSQL does.
_TEXT_OIDS = frozenset({TEXT, VARCHAR, BPCHAR})
_RETURNING_KINDS = frozenset({"insert", "update", "delete"})
_DATED_TYPES = frozenset(
    {
        "DATE",
        "TIMESTAMP",
        "TIMESTAMP_S",
        "TIMESTAMP_MS",
        "TIMESTAMP_NS",
        "TIMESTAMP WITH TIME ZONE",
        "TIME",
        "TIME WITH TIME ZONE",
    }
)


def _exact_numeric(value: Any) -> Any:
    """A parameter bound to an unconstrained numeric: refused (22003) where DuckDB would round
    it; a float goes as its shortest decimal text (DuckDB's DOUBLE cast invents digits)."""
    if isinstance(value, float) and math.isfinite(value):
        value = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            return value  # DuckDB's cast says what is wrong with it
    if isinstance(value, Decimal):
        require_exact_numeric(value)
    return value


def _as_numbers(values: list[Any], positions: list[int]) -> list[Any]:
    """values with the numeric-looking strings at positions turned into int or Decimal."""
    out = list(values)
    for i in positions:
        v = out[i] if i < len(out) else None
        if isinstance(v, str):
            try:
                out[i] = int(v)
            except ValueError:
                try:
                    out[i] = Decimal(v)
                except InvalidOperation:
                    pass
    return out


def _check_param_count(stmt: str, p: Prepared, params: list[bytes | None]) -> None:
    if len(params) != len(p.param_types):
        raise DbError(
            "08P01",
            f'bind message supplies {len(params)} parameters, but prepared statement "{stmt}" requires {len(p.param_types)}',
        )


def _savepoint_name(text: str) -> str:
    words = text.replace(";", " ").split()
    name = words[-1] if words else ""
    if name.startswith('"') and name.endswith('"'):
        return name[1:-1]
    return name.lower()
