"""CommandComplete tags that carry a row count, by the engine's statement kind: drivers read
row counts from them (INSERT 0 n, UPDATE n, ...)."""

from __future__ import annotations

# The engine's kind for SELECT ... INTO: a CREATE TABLE AS whose tag is PostgreSQL's "SELECT n".
SELECT_INTO = "select_into"
# The engine's kind for LOCK TABLE: a check that the tables exist (and the write gate for the
# modes that keep writers out), tagged "LOCK TABLE".
LOCK_TABLE = "lock_table"

COUNTED = {
    "select": "SELECT",
    "insert": "INSERT 0",
    "update": "UPDATE",
    "delete": "DELETE",
    "merge": "MERGE",
    SELECT_INTO: "SELECT",
}
