"""A PDB's DuckDB database as its engine opens it: explicit limits, the sandbox on, configuration
locked; and what the container asks of the running database (new limits, its buffer memory, a
checkpoint, the storage check, a consistent copy)."""

from __future__ import annotations

import os
import threading
from typing import Any

import duckdb

from engine import constraint_names, foreign_keys, jsonb, pgmath
from engine.session import DdlCount
from engine.threads import WorkerThreads
from engine.write_gate import WriteGate
from pgwire.control import EngineSpec
from pgwire.errors import DbError

# Spec fields the supervisor may change while the engine runs -> the DuckDB setting each one is.
# They stay changeable after the configuration is locked; tenants' SQL never reaches them
# (the policies refuse engine settings, and engine.governed refuses them again here).
GOVERNED_SETTINGS = {
    "memory_limit": "memory_limit",
    "threads": "threads",
    "max_temp_size": "max_temp_directory_size",
}


def open_database(spec: EngineSpec) -> duckdb.DuckDBPyConnection:
    """The PDB's DuckDB with explicit limits and the sandbox on, configuration locked."""
    os.makedirs(spec.temp_dir, exist_ok=True)
    config: dict[str, Any] = {
        "memory_limit": spec.memory_limit,
        "threads": spec.threads,
        "temp_directory": spec.temp_dir,
        "max_temp_directory_size": spec.max_temp_size,
        "integer_division": True,  # PostgreSQL: 7/2 = 3
        "default_null_order": "nulls_last_on_asc_first_on_desc",  # PostgreSQL's NULL ordering
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "access_mode": "READ_ONLY" if spec.read_only else "READ_WRITE",
        # An unbound identifier in a table function's arguments stays an error, never a string:
        # query_table(secret_t), pragma_table_info(t) and summary(t) (which never ends) name a
        # table the proxy's analysis sees as a column. Locked with the configuration.
        "table_function_identifier_conversion": "DISABLE_IMPLICIT_STRING",
    }
    con = duckdb.connect(spec.db_path, config=config)
    pgmath.register(con)
    allowed = spec.allowed_dir.rstrip("/") + "/"
    con.execute(f"SET allowed_directories = ['{allowed}']")
    con.execute("SET enable_external_access = false")
    con.execute("SET allow_community_extensions = false")
    configs = ", ".join(f"'{n}'" for n in ["TimeZone", "search_path", "schema", *GOVERNED_SETTINGS.values()])
    con.execute(f"SET allowed_configs = [{configs}]")
    con.execute("SET lock_configuration = true")
    return con


class Database:
    """The open database of one PDB, shared by its sessions (each has its own cursor)."""

    def __init__(self, spec: EngineSpec) -> None:
        self.spec = spec
        self.con = open_database(spec)
        jsonb.register(self.con)  # pg_jsonb and the jsonb functions (pgcompat.jsonb)
        self._lock = threading.Lock()
        # DuckDB's threads: the tier's while a statement may use them, 1 while only quick ones run
        self.workers = WorkerThreads(self.con.cursor(), spec.threads)
        self.gate = WriteGate()  # one writer at a time (engine.write_gate)
        self.ddl = DdlCount()  # shared by its sessions (engine.session.EngineSession.macro_bodies)
        if not spec.read_only:
            foreign_keys.install(self.con)  # the hidden table of foreign keys (engine.foreign_keys)
            constraint_names.install(self.con)  # ... and of constraints' names (engine.constraint_names)
        self.fk_registry = foreign_keys.Registry(self.cursor, self.ddl)
        self.builtin_named_macros = self._builtin_named_macros()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            return self.con.cursor()

    def _builtin_named_macros(self) -> frozenset[str]:
        """The PDB's macros named like a built-in function, which they shadow (DuckDB resolves
        the search path before the system catalog). None can be created any more (the proxy
        refuses it to tenants); those made before are judged by their bodies at every call."""
        rows = self.con.execute(
            "SELECT DISTINCT lower(f.function_name) FROM duckdb_functions() f"
            " WHERE NOT f.internal AND f.database_name <> 'temp'"
            " AND lower(f.function_name) IN (SELECT lower(function_name) FROM duckdb_functions() WHERE internal)"
        ).fetchall()
        return frozenset(r[0] for r in rows)

    def set_limits(self, limits: dict[str, Any]) -> None:
        """New limits from the supervisor, applied to the running database (no session is dropped)."""
        if "max_size" in limits:
            self.spec.max_size = limits["max_size"]
        for key, setting in GOVERNED_SETTINGS.items():
            if key in limits and limits[key] is not None:
                value = limits[key]
                if key == "threads":
                    self.workers.set_tier(int(value))
                    self.spec.threads = int(value)
                    continue
                literal = "'" + str(value).replace("'", "") + "'"
                with self._lock:
                    self.con.execute(f"SET GLOBAL {setting} = {literal}")
                setattr(self.spec, key, value)

    def storage_full(self) -> bool:
        """Whether the PDB's files have reached STORAGE MAXSIZE (writes are then refused)."""
        limit = self.spec.max_size
        if limit is None:
            return False
        used = 0
        for path in (self.spec.db_path, self.spec.db_path + ".wal"):
            try:
                used += os.stat(path).st_size
            except OSError:
                pass
        return used >= limit

    def memory_by_kind(self) -> list[list[Any]]:
        """DuckDB's buffer memory by kind: [tag, bytes in memory, bytes spilled]."""
        rows = self.cursor().execute(
            "SELECT tag, memory_usage_bytes, temporary_storage_bytes FROM duckdb_memory() ORDER BY tag"
        )
        return [list(r) for r in rows.fetchall()]

    def checkpoint(self) -> None:
        with self._lock:
            self.con.execute("CHECKPOINT")

    def clone_to(self, path: str, schema_only: bool) -> None:
        """A transactionally consistent copy of this database into a new file in its own folder.

        COPY FROM DATABASE reads one snapshot, so writers go on and no half-committed
        transaction is copied (a hot clone). The proxy moves the file into the new PDB.
        """
        if os.path.dirname(os.path.abspath(path)) != os.path.abspath(self.spec.allowed_dir):
            raise DbError("42501", "a clone is written into the PDB's own folder only")
        con = self.cursor()
        try:
            current = con.execute("SELECT current_database()").fetchone()[0]
            lit = path.replace("'", "''")
            con.execute(f"ATTACH '{lit}' AS __duckcdb_clone")
            try:
                opts = " (SCHEMA)" if schema_only else ""
                con.execute(f'COPY FROM DATABASE "{current}" TO __duckcdb_clone{opts}')
                if schema_only:  # foreign keys are schema, kept as rows (engine.foreign_keys)
                    for table in (foreign_keys.TABLE, constraint_names.TABLE):
                        con.execute(f'INSERT INTO __duckcdb_clone.{table} SELECT * FROM "{current}".{table}')
            finally:
                con.execute("DETACH __duckcdb_clone")
        finally:
            con.close()
