"""The engine's own wall against SQL hidden in strings (issue 13): what DuckDB itself can refuse.

DuckDB has no switch that disables a function, and system functions cannot be dropped. But it
resolves an unqualified name in `temp` first, whatever the arity: a TEMP macro of the same name
on each session's connection refuses every call of these built-ins, in any case or quoting, as
`main.x`, in method syntax, in CTEs, views and the built-in macros that call them
(histogram_values calls query_table). It does not stop `system.main.x(...)`, which names the
built-in directly, nor a tenant dropping the macro: the proxy's allow-list refuses both (it
judges the last part of a dotted name, and no macro may be created or dropped under a built-in's
name). So this wall backs the allow-list up; it is not the rule.

Not shadowed: what our own SQL calls on session connections (the catalog emulation reads
current_setting, duckdb_databases() and pragma_database_size()).
"""

from __future__ import annotations

import duckdb

# Table functions that run SQL or read a table named in a string, hang on a table name
# (summary), or change the engine behind the lockdown profile (checkpoint). Kept short: the 14
# macros cost ~2 ms at every session start (bench/RESULTS.md); what only reveals the engine
# (duckdb_settings, ...) is left to the proxy's allow-list and DuckDB's sandbox.
TABLE_FUNCTIONS = (
    "query", "query_table", "json_execute_serialized_sql", "histogram", "histogram_values",
    "destroy_external_resource", "create_external_resource", "duckdb_table_sample",
    "pragma_storage_info", "summary", "checkpoint", "force_checkpoint",
)  # fmt: skip
# Scalar functions: plans SQL in a string (any table's columns), base-table statistics.
SCALAR_FUNCTIONS = ("json_serialize_plan", "stats")

# The end of the error a shadow raises (engine.errors maps it to 42501).
REFUSED = "is not allowed in this engine"
_PARAMS = ", ".join(f"a{i} := NULL" for i in range(4))


def _statement() -> str:
    out = []
    for name in TABLE_FUNCTIONS:
        refused = f"{name}() {REFUSED}"
        out.append(
            f"CREATE OR REPLACE TEMP MACRO {name}({_PARAMS}) AS TABLE SELECT error('{refused}') AS refused;"
        )
    for name in SCALAR_FUNCTIONS:
        out.append(f"CREATE OR REPLACE TEMP MACRO {name}({_PARAMS}) AS error('{name}() {REFUSED}');")
    return "\n".join(["BEGIN;", *out, "COMMIT;"])  # one transaction: half the cost of 14


_STATEMENT = _statement()


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Shadow the dangerous built-ins on one session's connection (one statement)."""
    con.execute(_STATEMENT)
