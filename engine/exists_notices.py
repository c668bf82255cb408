"""PostgreSQL's notices of CREATE ... IF NOT EXISTS of an object that is there, and of DROP ... IF
EXISTS of one that is not: `relation "t" already exists, skipping` (42P07), `schema "s" already
exists, skipping` (42P06), `table "t" does not exist, skipping` (00000). DuckDB does nothing, and
says nothing; psql prints PostgreSQL's, migration tools log them.

Read before the statement runs (the DDL path only: `notices` is called for DDL and looks at its
text first), sent when it has succeeded. A CREATE TABLE AS is engine.declared's (the count of
its tag says whether it made the table).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine import declared

_NAME = r'(?:"(?:[^"]|"")+"|[^\s.(),;"]+)'
_QUALIFIED = rf"({_NAME}(?:\s*\.\s*{_NAME})?)"
_CREATE = re.compile(
    r"^\s*CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(TEMP|TEMPORARY|UNLOGGED)\s+)?(TABLE|SEQUENCE)\s+IF\s+NOT\s+EXISTS\s+"
    + _QUALIFIED
    + r"\s*(\(|$|;|\s(?!\s*AS\b))",
    re.I,
)
_CREATE_INDEX = re.compile(
    r"^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?IF\s+NOT\s+EXISTS\s+" + _QUALIFIED + r"\s", re.I
)
_CREATE_SCHEMA = re.compile(r"^\s*CREATE\s+SCHEMA\s+IF\s+NOT\s+EXISTS\s+(" + _NAME + r")", re.I)
_DROP = re.compile(
    r"^\s*DROP\s+(TABLE|VIEW|INDEX|SEQUENCE|SCHEMA)\s+(?:CONCURRENTLY\s+)?IF\s+EXISTS\s+"
    + _QUALIFIED
    + r"\s*(?:CASCADE|RESTRICT)?\s*;?\s*$",
    re.I,
)
_CATALOG = {
    "TABLE": ("duckdb_tables()", "table_name"),
    "VIEW": ("duckdb_views()", "view_name"),
    "INDEX": ("duckdb_indexes()", "index_name"),
    "SEQUENCE": ("duckdb_sequences()", "sequence_name"),
}

Run = Callable[..., Any]


def _parts(text: str) -> list[str]:
    """The parts of a (qualified) name as PostgreSQL reads them: quoted as written, bare in lower case."""
    found = re.findall(r'"((?:[^"]|"")*)"|([^\s."]+)', text)
    return [q.replace('""', '"') if q else bare.lower() for q, bare in found]


def _exists(run: Run, kind: str, parts: list[str], temp: bool) -> bool | None:
    """Whether the object is there (None: its schema is not)."""
    if kind == "SCHEMA":
        row = run(
            "SELECT count(*) FROM duckdb_schemas() WHERE database_name = current_database() AND schema_name = ?",
            [parts[-1]],
        ).fetchall()
        return bool(row and row[0][0])
    view, column = _CATALOG[kind]
    name = parts[-1]
    if len(parts) == 2:
        schema = "main" if parts[0] == "public" else parts[0]
        if schema in ("pg_temp", "temp"):
            where, args = "database_name = 'temp'", []
        else:
            there = run(
                "SELECT count(*) FROM duckdb_schemas() WHERE database_name = current_database() AND schema_name = ?",
                [schema],
            ).fetchall()
            if not (there and there[0][0]):
                return None
            where, args = "database_name = current_database() AND schema_name = ?", [schema]
    elif temp:
        where, args = "database_name = 'temp'", []
    else:
        where, args = (
            "((database_name = current_database() AND schema_name = current_schema()) OR database_name = 'temp')",
            [],
        )
    row = run(
        f"SELECT count(*) FROM {view} WHERE {where} AND lower({column}) = lower(?)", [*args, name]
    ).fetchall()
    return bool(row and row[0][0])


def _one(run: Run, sql: str) -> tuple[str, str] | None:
    m = _CREATE.match(sql)
    if m is not None and declared.table_as(sql) is None:
        kind, parts = m.group(2).upper(), _parts(m.group(3))
        temp = (m.group(1) or "").upper() in ("TEMP", "TEMPORARY")
        there = _exists(run, kind, parts, temp)
        return (f'relation "{parts[-1]}" already exists, skipping', "42P07") if there else None
    m = _CREATE_INDEX.match(sql)
    if m is not None:
        parts = _parts(m.group(1))
        there = _exists(run, "INDEX", parts, False)
        return (f'relation "{parts[-1]}" already exists, skipping', "42P07") if there else None
    m = _CREATE_SCHEMA.match(sql)
    if m is not None:
        parts = _parts(m.group(1))
        there = _exists(run, "SCHEMA", parts, False)
        return (f'schema "{parts[-1]}" already exists, skipping', "42P06") if there else None
    m = _DROP.match(sql)
    if m is not None:
        kind, parts = m.group(1).upper(), _parts(m.group(2))
        there = _exists(run, kind, parts, False)
        if there is None:
            return f'schema "{parts[0]}" does not exist, skipping', "00000"
        return None if there else (f'{kind.lower()} "{parts[-1]}" does not exist, skipping', "00000")
    return None


def notices(run: Run, sqls: list[str]) -> list[tuple[str, str]]:
    """(message, SQLSTATE) of the notices PostgreSQL sends for these statements (one DDL statement
    and, for a DROP of several objects, the DROPs before it), read before they run."""
    if "EXISTS" not in sqls[-1].upper():
        return []
    if not re.match(r"\s*DROP\s", sqls[-1], re.I):
        sqls = sqls[-1:]
    out = []
    for sql in sqls:
        got = _one(run, sql)
        if got is not None:
            out.append(got)
    return out
