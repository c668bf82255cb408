"""Relations the session computes for a statement that reads them: what only the process that
serves the sessions knows (each session's current query, its named prepared statements, the
PDBs CDB$ROOT lists). The catalog shim reads them under these names; the session registers them
on its own DuckDB connection just before the statement runs (session.session_tables), so they
hold the statement's own PDB's rows and nothing else.
"""

from __future__ import annotations

ACTIVITY = "__duckcdb_activity"  # pg_stat_activity: the PDB's sessions
PREPARED = "__duckcdb_prepared"  # pg_prepared_statements: the session's protocol-level statements
DATABASES = "__duckcdb_databases"  # pg_database: the PDBs, in CDB$ROOT

# name -> its columns (name, DuckDB type as engine.session.register_dictionary reads it)
COLUMNS: dict[str, list[tuple[str, str]]] = {
    ACTIVITY: [
        ("pid", "INTEGER"),
        ("usename", "VARCHAR"),
        ("application_name", "VARCHAR"),
        ("client_addr", "VARCHAR"),
        ("client_port", "INTEGER"),
        ("backend_start", "VARCHAR"),
        ("xact_start", "VARCHAR"),
        ("query_start", "VARCHAR"),
        ("state_change", "VARCHAR"),
        ("state", "VARCHAR"),
        ("query", "VARCHAR"),
    ],
    PREPARED: [
        ("name", "VARCHAR"),
        ("statement", "VARCHAR"),
        ("prepare_time", "VARCHAR"),
        ("parameter_types", "VARCHAR"),
    ],
    DATABASES: [("datname", "VARCHAR"), ("oid", "BIGINT")],
}


def read_by(engine_sql: str) -> list[str]:
    """The session relations a statement's DuckDB text reads."""
    if "__duckcdb_" not in engine_sql:
        return []
    return [name for name in COLUMNS if name in engine_sql]
