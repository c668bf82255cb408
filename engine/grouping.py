"""GROUP BY a table's primary key (pgcompat.grouping): the statement's other text, whose GROUP BY
also names the key's dependent columns, runs when the grouped columns cover the primary key of
every table whose columns it adds; otherwise the statement runs as written (42803, as in
PostgreSQL)."""

from __future__ import annotations

from typing import Any

_PRIMARY_KEY = (
    "SELECT constraint_column_names FROM duckdb_constraints() WHERE database_name = current_database() "
    "AND constraint_type = 'PRIMARY KEY' AND schema_name = ? AND lower(table_name) = lower(?)"
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
    return str(grouping["sql"])
