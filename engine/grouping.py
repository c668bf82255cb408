"""GROUP BY a table's primary key (pgcompat.grouping): the statement's other text, whose GROUP BY
also names the key's dependent columns, runs when the grouped columns cover the primary key of
every table whose columns it adds; otherwise the statement runs as written (42803, as in
PostgreSQL)."""

from __future__ import annotations

from typing import Any

# (a temporary table, database temp, comes first, as in PostgreSQL's search path)
_PRIMARY_KEY = (
    "SELECT constraint_column_names FROM duckdb_constraints() WHERE database_name IN (current_database(), 'temp') "
    "AND constraint_type = 'PRIMARY KEY' AND schema_name = ? AND lower(table_name) = lower(?) "
    "ORDER BY database_name = 'temp' DESC"
)


_COLUMNS = (
    "SELECT column_name FROM duckdb_columns() WHERE database_name = (SELECT database_name FROM duckdb_tables() "
    "WHERE database_name IN (current_database(), 'temp') AND schema_name = ? AND lower(table_name) = lower(?) "
    "ORDER BY database_name = 'temp' DESC LIMIT 1) AND schema_name = ? AND lower(table_name) = lower(?)"
)


def choose(con: Any, sql: str, grouping: dict[str, Any] | None) -> str:
    if not grouping:
        return sql
    for schema, table, grouped in grouping["keys"]:
        rows = con.execute(_PRIMARY_KEY, [schema, table]).fetchall()
        row = rows[0] if rows else None
        have = {str(c).lower() for c in grouped}
        if row is None or not {str(c).lower() for c in row[0]} <= have:
            return sql
    if "more" not in grouping:
        return str(grouping["sql"])
    # unqualified names (one table): those of the statement's other names that are its columns
    schema, table, _ = grouping["keys"][0]
    columns = {str(r[0]).lower() for r in con.execute(_COLUMNS, [schema, table, schema, table]).fetchall()}
    more = [c for c in grouping["more"] if c.lower() in columns]
    if not more:
        return sql
    added = ", ".join('"' + c.replace('"', '""') + '"' for c in more)
    return f"{grouping['sql']}, {added}{grouping['rest']}"
