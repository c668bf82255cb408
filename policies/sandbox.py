"""The tenant sandbox: what no tenant statement may do, whatever its lockdown profile.

Checked in the proxy on every statement before any engine sees it; each engine's DuckDB
sandbox (external access off, directories limited to the PDB's folder, configuration locked)
backs every rule up. A refusal is 42501 and is audited with the rule that refused it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pgcompat import params
from pgcompat.analysis import Analysis
from policies import allowed_functions

# Functions that read or list files, or reach the network.
FILE_FUNCTIONS = frozenset(
    {
        "read_csv", "read_csv_auto", "read_parquet", "parquet_scan", "read_json", "read_json_auto",
        "read_json_objects", "read_json_objects_auto", "read_ndjson", "read_ndjson_auto",
        "read_ndjson_objects", "read_text", "read_blob", "glob", "sniff_csv", "parquet_metadata",
        "parquet_schema", "parquet_file_metadata", "parquet_kv_metadata", "parquet_bloom_probe",
        "read_xlsx", "iceberg_scan", "iceberg_metadata", "iceberg_snapshots", "delta_scan",
        "sqlite_scan", "sqlite_attach", "postgres_scan", "postgres_attach", "mysql_scan",
        "read_csv_from", "csv_scan", "json_scan", "read_avro", "httpfs_read",
        "checkpoint_to", "from_csv_auto", "from_parquet",
    }
)  # fmt: skip
# Functions that reveal server paths, settings or other databases.
REVEALING_FUNCTIONS = frozenset(
    {
        "duckdb_databases", "duckdb_settings", "duckdb_extensions", "duckdb_secrets",
        "duckdb_temporary_files", "duckdb_memory", "duckdb_external_file_cache", "duckdb_logs",
        "pragma_database_list", "pragma_database_size", "pragma_storage_info", "pragma_metadata_info",
        "pragma_user_agent", "pragma_platform", "getenv", "which_secret", "duckdb_log_contexts",
    }
)  # fmt: skip
# Statements that reach outside the PDB or change the engine.
FORBIDDEN_COMMANDS = {
    "ATTACH": "ATTACH of another database",
    "DETACH": "DETACH of a database",
    "USE": "USE of another database",
    "INSTALL": "installing extensions",
    "FORCE INSTALL": "installing extensions",
    "LOAD": "loading extensions",
    "EXPORT": "EXPORT DATABASE to files",
    "IMPORT": "IMPORT DATABASE from files",
    "PRAGMA": "PRAGMA (engine settings and internals)",
    "CREATE SECRET": "secrets (credentials for external storage)",
    "CALL": "CALL of engine procedures",
}
# Catalog names a statement may qualify tables with: the PDB's own database and DuckDB's
# built-in ones; any other name is another database.
OWN_CATALOGS = frozenset({"", "data", "temp", "system", "memory", "pg_catalog", "information_schema"})


@dataclass(frozen=True)
class Violation:
    rule: str  # short name, recorded in the audit trail
    message: str


# DuckCDB's own objects inside a PDB's database (the schema __duckcdb of engine.foreign_keys):
# no tenant statement may name them, in any spelling, quoted, in a string or a search_path.
INTERNAL_PREFIX = "__duckcdb"


def check_internal(text: str) -> Violation | None:
    """A statement whose text names DuckCDB's internal objects (refused whatever it does)."""
    if INTERNAL_PREFIX in text.lower():
        return Violation("SANDBOX_INTERNAL", f"names beginning with {INTERNAL_PREFIX} are DuckCDB's own")
    return None


def check(a: Analysis, current: frozenset[str] = frozenset()) -> Violation | None:
    """The first sandbox rule the statement breaks, or None. current: the session's own
    database as a catalog may name it (the PDB's name and the name the client connected with,
    lower-case): PostgreSQL accepts the current database as the catalog part of a name."""
    if a.parse_error is not None:
        return Violation("UNPARSED", a.parse_error)
    for word, what in FORBIDDEN_COMMANDS.items():
        if a.command == word or a.command.startswith(word + " "):
            return Violation("SANDBOX_COMMAND", f"{what} is not allowed")
    if a.kind in ("Attach", "Detach", "Install", "Use", "Pragma"):
        return Violation("SANDBOX_COMMAND", f"{a.kind.upper()} is not allowed")
    files = a.functions & FILE_FUNCTIONS
    if files:
        return Violation(
            "SANDBOX_FILES", f"reading files or URLs ({', '.join(sorted(files))}) is not allowed"
        )
    if a.file_tables:
        return Violation(
            "SANDBOX_FILES", f"reading files or URLs ({', '.join(sorted(a.file_tables))}) is not allowed"
        )
    revealing = a.functions & REVEALING_FUNCTIONS
    if revealing:
        return Violation(
            "SANDBOX_INTERNALS", f"{', '.join(sorted(revealing))} reveals the server and is not allowed"
        )
    for fn, arg in a.string_args:
        if fn == "current_setting" and params.lookup(arg) is None:
            return Violation("SANDBOX_SETTINGS", f'reading the engine setting "{arg}" is not allowed')
    for setting in a.settings:
        if params.lookup(setting) is None and setting not in ("search_path", "schema", "variable"):
            return Violation("SANDBOX_SETTINGS", f'changing the engine setting "{setting}" is not allowed')
    for catalog, _, name in a.tables:
        if catalog not in OWN_CATALOGS and catalog not in current:
            return Violation(
                "SANDBOX_CATALOG", f'"{catalog}" is another database: {catalog}.{name} is not reachable'
            )
    return None


def not_allowed(a: Analysis) -> tuple[frozenset[str], frozenset[str]]:
    """(scalar, table) functions the statement calls that are not on the tenant allow-list."""
    scalar = a.calls - allowed_functions.ALLOWED_CALLS
    table = a.table_calls - allowed_functions.ALLOWED_TABLE_FUNCTIONS
    return frozenset(scalar), frozenset(table)


def check_calls(a: Analysis) -> Violation | None:
    """The tenant allow-list (issue 13): of DuckDB's functions, only those known to read nothing
    but their arguments, whatever the spelling (case, quotes, schema, method syntax). A name
    DuckDB does not have is a tenant macro (the caller judges its bodies), a PostgreSQL name
    that is translated, or an error of DuckDB's (42883). None when every call passes."""
    created = a.creates_function
    if created is not None and allowed_functions.is_builtin(created):
        return Violation(
            "SANDBOX_FUNCTION",
            f'"{created}" is a built-in function: no macro of that name may be created or dropped',
        )
    scalar, table = not_allowed(a)
    refused = sorted(n for n in scalar | table if allowed_functions.is_builtin(n))
    if refused:
        names = ", ".join(f"{n}()" for n in refused)
        return Violation("SANDBOX_FUNCTION", f"function {names} is not allowed")
    for name in sorted(a.loose_calls):
        return Violation("SANDBOX_FUNCTION", f"{name}() takes a string literal as its first argument")
    for _catalog, _schema, name in sorted(a.tables):
        # however qualified: a tenant table of that name is refused too, which costs nothing
        if name in allowed_functions.SYSTEM_VIEWS:
            return Violation("SANDBOX_FUNCTION", f"{name} reveals the engine and is not allowed")
    return None
