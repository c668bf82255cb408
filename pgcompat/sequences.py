"""SELECT last_value, is_called FROM seq: a PostgreSQL sequence read as a one-row relation.

DuckDB's sequences are no relations; pg_dump reads each one so (then writes setval(...)), as do
migration tools that check where a sequence stands. The statement of that shape (a select list
of the sequence relation's columns, FROM one name, nothing else) reads duckdb_sequences()
instead; a name that is no sequence of the PDB is PostgreSQL's 42P01.
"""

from __future__ import annotations

import re

from pgcompat.shim.relations import CUR
from pgcompat.tokens import literal

_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
# PostgreSQL's columns of a sequence relation -> their value from duckdb_sequences(): a sequence
# nextval never touched stands at its start, not called.
_COLUMNS = {
    "last_value": "coalesce(last_value, start_value)",
    "log_cnt": "CAST(0 AS BIGINT)",
    "is_called": "last_value IS NOT NULL",
}
_STATE = re.compile(
    rf"^\s*SELECT\s+(?P<cols>[a-z_]+(?:\s*,\s*[a-z_]+)*)\s+FROM\s+(?:(?P<schema>{_IDENT})\s*\.\s*)?(?P<name>{_IDENT})\s*$",
    re.I | re.S,
)


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()


def sequence_state(text: str) -> str | None:
    """The DuckDB SELECT for `SELECT last_value, is_called FROM [schema.]seq`, else None."""
    m = _STATE.match(text)
    if m is None:
        return None
    cols = [c.strip().lower() for c in m.group("cols").split(",")]
    if any(c not in _COLUMNS for c in cols):
        return None
    schema = _unquote(m.group("schema")) if m.group("schema") else None
    name = _unquote(m.group("name"))
    where = f"database_name = {CUR} AND sequence_name = {literal(name)}"
    if schema is not None:
        where += f" AND schema_name = {literal('main' if schema == 'public' else schema)}"
    else:
        where += " AND schema_name = current_schema()"
    shown = f"{schema}.{name}" if schema else name
    missing = literal(f'relation "{shown}" does not exist')
    items = ", ".join(f"{_COLUMNS[c]} AS {c}" for c in cols)
    return (
        f"SELECT {items} FROM duckdb_sequences() WHERE {where} "
        f"UNION ALL SELECT {', '.join('error(' + missing + ')' if i == 0 else 'NULL' for i in range(len(cols)))} "
        f"WHERE NOT EXISTS (SELECT 1 FROM duckdb_sequences() WHERE {where})"
    )
