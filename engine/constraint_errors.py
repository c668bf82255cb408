"""Unique and check violations in PostgreSQL's words, with the fields drivers expose.

DuckDB says `Duplicate key "id: 1" violates primary key constraint.` and `CHECK constraint failed
on table "t" with expression CHECK((n > 0))`; PostgreSQL says `duplicate key value violates unique
constraint "t_pkey"` with the detail `Key (id)=(1) already exists.`, and `new row for relation "t"
violates check constraint "t_n_check"`, and names the constraint, table and schema in the
ErrorResponse's fields (psycopg's diag, node-postgres' error.constraint): ORMs and applications
branch on the constraint's name. The constraint is found in the catalog (duckdb_constraints) and
named as PostgreSQL names an unnamed one (DuckDB keeps no given name): t_pkey, t_col_key,
t_col_check, t_check for a check of several columns.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb

from engine import foreign_keys
from pgwire.errors import DbError

_DUPLICATE = re.compile(
    r'^Duplicate key "(?P<pairs>.*)" violates (?P<kind>primary key|unique) constraint\.?$', re.S
)
_DUPLICATE_IN_STATEMENT = re.compile(
    r'^PRIMARY KEY or UNIQUE constraint violation: duplicate key "(?P<values>.*)"$', re.S
)
_CHECK = re.compile(
    r'^CHECK constraint failed on table "(?P<table>[^"]+)" with expression (?P<text>CHECK\(.*\))$', re.S
)
_CONSTRAINTS = (
    "SELECT constraint_type, constraint_text, constraint_column_names, constraint_name FROM duckdb_constraints()"
    " WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2"
    " AND constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'CHECK') ORDER BY constraint_index"
)


def _strip(message: str) -> str:
    return message.split("Constraint Error: ", 1)[-1].strip()


def _name(table: str, kind: str, columns: list[str], given: str) -> str:
    if kind == "PRIMARY KEY":
        return f"{table}_pkey"
    if kind == "CHECK" and len(columns) != 1:
        return f"{table}_check"
    return given


def _objects(schema: str, table: str, constraint: str) -> dict[str, str]:
    named = {"schema": "public" if schema == "main" else schema, "table": table}
    return {**named, "constraint": constraint} if constraint else named


def postgres_constraint_error(con: Any, err: DbError, sql: str | None) -> DbError:
    """err (23505 / 23514 from DuckDB) as PostgreSQL words it, where the catalog says which
    constraint it is; err as it is otherwise. sql: the statement that failed (its target table)."""
    message = _strip(err.message)
    check = _CHECK.match(message)
    duplicate = _DUPLICATE.match(message) or _DUPLICATE_IN_STATEMENT.match(message)
    if check is None and duplicate is None:
        return err
    if check is not None:
        schema, table = "main", check.group("table")
    else:
        target = foreign_keys.target_of(sql).table if sql else None
        if target is None:
            return err
        schema, table = target
    try:
        cur = con.cursor()  # (a connection of its own: the failed transaction may be aborted)
        try:
            rows = cur.execute(_CONSTRAINTS, [schema, table]).fetchall()
        finally:
            cur.close()
    except duckdb.Error:
        return err
    if check is not None:
        for kind, text, columns, given in rows:
            if kind == "CHECK" and text == check.group("text"):
                name = _name(table, kind, list(columns), given)
                return DbError(
                    "23514",
                    f'new row for relation "{table}" violates check constraint "{name}"',
                    objects=_objects(schema, table, name),
                )
        return err
    assert duplicate is not None
    kind_word = duplicate.groupdict().get("kind")
    found: list[tuple[str, list[str], str]] = []  # (constraint, columns, values)
    for kind, _, columns, given in rows:
        if kind == "CHECK" or (kind_word and (kind_word == "primary key") != (kind == "PRIMARY KEY")):
            continue
        columns = list(columns)
        if kind_word:  # "a: 1, b: x" names each column
            pattern = ", ".join(f"{re.escape(c)}: (.*)" for c in columns)
            m = re.fullmatch(pattern, duplicate.group("pairs"), re.S)
            if m is None:
                continue
            values = ", ".join(m.groups())
        else:  # "1, x": the values alone (two rows of one statement); the key of as many columns
            values = duplicate.group("values")
            if values.count(", ") != len(columns) - 1:
                continue
        found.append((_name(table, kind, columns, given), columns, values))
    if len(found) != 1:  # (two keys the values could be: DuckDB's words, the table named)
        return DbError("23505", message, objects=_objects(schema, table, "")) if found else err
    name, columns, values = found[0]
    return DbError(
        "23505",
        f'duplicate key value violates unique constraint "{name}"',
        detail=f"Key ({', '.join(columns)})=({values}) already exists.",
        objects=_objects(schema, table, name),
    )
