"""The PostgreSQL catalog shim of a session: what psql, JDBC, SQLAlchemy and BI tools ask the
catalog for, as connection-local DuckDB macros and views (kept out of the tenant's schemas).

`install(con)` runs once per session connection, before any client statement.
"""

from __future__ import annotations

import duckdb

SHIM_SQL: list[str] = []


def install(con: duckdb.DuckDBPyConnection) -> None:
    for sql in SHIM_SQL:
        con.execute(sql)
