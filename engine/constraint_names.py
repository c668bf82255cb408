"""The names given to PRIMARY KEY, UNIQUE and CHECK constraints, which DuckDB does not keep.

`CREATE TABLE t (id int CONSTRAINT t_key PRIMARY KEY, v int CONSTRAINT v_pos CHECK (v > 0))` and
`ALTER TABLE t ADD CONSTRAINT uq UNIQUE (v)`: DuckDB takes the constraints and drops their names
(duckdb_constraints() names them t_id_pkey, t_v_check). Applications and ORMs match a violation's
constraint name (Django, SQLAlchemy), and tools read pg_constraint.conname. So the names are kept
in a hidden table of the PDB's own DuckDB file, `__duckcdb.constraint_names`, as the foreign keys
are (engine.foreign_keys): one row per named constraint, the constraint found again by its kind
and DuckDB's text of it (duckdb_constraints().constraint_text, e.g. `CHECK((v > 0))`).

pgcompat.constraint_names reads which constraints of a statement are named (the n-th of its kind
in the statement's text, which is DuckDB's order); here they are recorded when the statement has
run, followed through renames and column changes, and forgotten with their table. Readers:
engine.constraint_errors (a violation's constraint) and the catalog emulation (pg_constraint,
information_schema) through the session macro MACRO. Temporary tables' names are not kept (the
hidden table is the PDB's): they keep PostgreSQL's default names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb

from pgwire.errors import DbError

TABLE = '"__duckcdb"."constraint_names"'
CREATE = (
    'CREATE SCHEMA IF NOT EXISTS "__duckcdb"',
    f"CREATE TABLE IF NOT EXISTS {TABLE}(schema_name VARCHAR NOT NULL, table_name VARCHAR NOT NULL,"
    " kind VARCHAR NOT NULL, text VARCHAR NOT NULL, name VARCHAR NOT NULL)",
)
KINDS = ("PRIMARY KEY", "UNIQUE", "CHECK")
_CONSTRAINTS = (
    "SELECT constraint_type, constraint_text FROM duckdb_constraints() WHERE database_name = current_database()"
    " AND schema_name = ? AND lower(table_name) = lower(?) AND constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'CHECK')"
    " ORDER BY constraint_index"
)
_OF_TABLE = f"SELECT kind, text, name FROM {TABLE} WHERE schema_name = ? AND lower(table_name) = lower(?)"

Run = Callable[..., Any]


def install(con: duckdb.DuckDBPyConnection) -> None:
    """The hidden table, in a PDB opened read-write (idempotent)."""
    for sql in CREATE:
        con.execute(sql)


def _constraints(run: Run, schema: str, table: str) -> list[tuple[str, str]]:
    return [(str(k), str(t)) for k, t in run(_CONSTRAINTS, [schema, table]).fetchall()]


def names_of(run: Run, schema: str, table: str) -> dict[tuple[str, str], str]:
    """(kind, DuckDB's text) -> the name given, for one table (empty where the hidden table is missing:
    a PDB opened read-only before its first read-write open since this came)."""
    try:
        rows = run(_OF_TABLE, [schema, table]).fetchall()
    except duckdb.CatalogException:
        return {}
    out: dict[tuple[str, str], str] = {}
    for kind, text, name in rows:
        out.setdefault((str(kind), str(text)), str(name))
    return out


def record(run: Run, schema: str, table: str, named: list[dict[str, Any]], last: bool = False) -> None:
    """The names of a table's constraints just made: each {kind, ordinal, name}, the ordinal-th
    constraint of its kind in DuckDB's order (last: the last of its kind, ALTER TABLE ADD)."""
    if not named:
        return
    _refuse_taken(run, schema, table, named, last)
    by_kind: dict[str, list[str]] = {}
    for kind, text in _constraints(run, schema, table):
        by_kind.setdefault(kind, []).append(text)
    stored = run(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ?"
        " AND lower(table_name) = lower(?)",
        [schema, table],
    ).fetchall()
    stored_name = str(stored[0][0]) if stored else table
    for n in named:
        texts = by_kind.get(n["kind"], [])
        at = len(texts) if last else int(n["ordinal"])
        if not 0 < at <= len(texts):
            continue
        run(
            f"INSERT INTO {TABLE} (schema_name, table_name, kind, text, name) VALUES (?, ?, ?, ?, ?)",
            [schema, stored_name, n["kind"], texts[at - 1], n["name"]],
        )


def _refuse_taken(run: Run, schema: str, table: str, named: list[dict[str, Any]], last: bool) -> None:
    """PostgreSQL's errors for a name given twice: a PRIMARY KEY's or UNIQUE's is its index's, a
    relation's name (42P07); a check's is the table's constraint's (42710)."""
    seen: dict[str, str] = {}
    if last:  # ALTER TABLE ... ADD: the table's constraints are there already (and the new one)
        given = names_of(run, schema, table)
        for kind, text, cols, duck_name, stored in _all(run, schema, table)[:-1]:
            seen[_given_or_default(run, schema, table, kind, text, cols, duck_name, stored, given)] = kind
    for n in named:
        before = seen.get(n["name"])
        if before is not None:
            if n["kind"] != "CHECK" and before != "CHECK":
                raise DbError("42P07", f'relation "{n["name"]}" already exists')
            if n["kind"] == "CHECK" and before == "CHECK" and not last:
                raise DbError("42710", f'check constraint "{n["name"]}" already exists')
            raise DbError("42710", f'constraint "{n["name"]}" for relation "{table}" already exists')
        seen[n["name"]] = n["kind"]


def forget_table(run: Run, schema: str, table: str) -> None:
    """A table made or dropped: no name left over under its name."""
    run(f"DELETE FROM {TABLE} WHERE schema_name = ? AND lower(table_name) = lower(?)", [schema, table])


def forget_schemas(run: Run) -> None:
    """After DROP SCHEMA: the names of the tables that went with it."""
    schemas = "(SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database())"
    run(f"DELETE FROM {TABLE} WHERE schema_name NOT IN {schemas}")


def any_kept(run: Run) -> bool:
    try:
        return bool(run(f"SELECT 1 FROM {TABLE} LIMIT 1").fetchall())
    except duckdb.CatalogException:
        return False


def before_alter(run: Run, schema: str, table: str) -> list[tuple[str, str]] | None:
    """The table's constraints before an ALTER TABLE, where it has named ones (None: it has none)."""
    if not names_of(run, schema, table):
        return None
    return _constraints(run, schema, table)


def follow_alter(run: Run, spec: dict[str, Any], before: list[tuple[str, str]]) -> None:
    """The names after an ALTER TABLE of a table with named constraints: its new name; the texts a
    renamed column changed (the constraints in the same order); those of constraints gone with a
    dropped column forgotten."""
    schema, table = str(spec["schema"]), str(spec["table"])
    if spec.get("rename_table"):
        new = str(spec["rename_table"])
        run(
            f"UPDATE {TABLE} SET table_name = ? WHERE schema_name = ? AND lower(table_name) = lower(?)",
            [new, schema, table],
        )
        table = new
    after = _constraints(run, schema, table)
    if len(after) == len(before) and [k for k, _ in after] == [k for k, _ in before]:
        moved = {b: a[1] for b, a in zip(before, after, strict=True) if b != a}
        if not moved:
            return
        rows = run(_OF_TABLE, [schema, table]).fetchall()
        forget_table(run, schema, table)
        for kind, text, name in rows:
            run(
                f"INSERT INTO {TABLE} (schema_name, table_name, kind, text, name) VALUES (?, ?, ?, ?, ?)",
                [schema, table, kind, moved.get((str(kind), str(text)), text), name],
            )
        return
    for kind, text in set(before) - set(after):
        forget(run, schema, table, kind, text)


_ALL = (
    "SELECT constraint_type, constraint_text, constraint_column_names, constraint_name, table_name"
    " FROM duckdb_constraints() WHERE database_name = CASE WHEN ? THEN 'temp' ELSE current_database() END"
    " AND schema_name = ? AND lower(table_name) = lower(?) AND constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'CHECK')"
    " ORDER BY constraint_index"
)


def _all(run: Run, schema: str, table: str, temp: bool = False) -> list[tuple[str, str, list[str], str, str]]:
    rows = run(_ALL, [temp, schema, table]).fetchall()
    return [(str(k), str(t), [str(c) for c in cols], str(n), str(st)) for k, t, cols, n, st in rows]


def _given_or_default(
    run: Run,
    schema: str,
    table: str,
    kind: str,
    text: str,
    cols: list[str],
    duck_name: str,
    stored: str,
    given: dict[tuple[str, str], str] | None = None,
) -> str:
    given = names_of(run, schema, table) if given is None else given
    return given.get((kind, text)) or default_name(stored, kind, cols, duck_name)


def taken_names(run: Run, schema: str, table: str) -> set[str]:
    """The names of the table's PRIMARY KEY, UNIQUE and CHECK constraints, given or PostgreSQL's."""
    given = names_of(run, schema, table)
    return {_given_or_default(run, schema, table, *row, given) for row in _all(run, schema, table)}


def find(
    run: Run, schema: str, table: str, name: str, temp: bool = False
) -> tuple[str, str, list[str]] | None:
    """The PRIMARY KEY, UNIQUE or CHECK constraint of the table of that name, (kind, DuckDB's text,
    columns): a given name, or the name PostgreSQL gives an unnamed one (default_name). temp: of
    a temporary table (whose given names are not kept)."""
    given = {} if temp else names_of(run, schema, table)
    for kind, text, cols, duck_name, stored in _all(run, schema, table, temp):
        if _given_or_default(run, schema, table, kind, text, cols, duck_name, stored, given) == name:
            return kind, text, cols
    return None


def rename(run: Run, schema: str, table: str, kind: str, text: str, name: str) -> None:
    """A constraint's new name (ALTER TABLE ... RENAME CONSTRAINT)."""
    forget(run, schema, table, kind, text)
    stored = run(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ?"
        " AND lower(table_name) = lower(?)",
        [schema, table],
    ).fetchall()
    run(
        f"INSERT INTO {TABLE} (schema_name, table_name, kind, text, name) VALUES (?, ?, ?, ?, ?)",
        [schema, str(stored[0][0]) if stored else table, kind, text, name],
    )


def forget(run: Run, schema: str, table: str, kind: str, text: str) -> None:
    """A constraint dropped."""
    run(
        f"DELETE FROM {TABLE} WHERE schema_name = ? AND lower(table_name) = lower(?) AND kind = ? AND text = ?",
        [schema, table, kind, text],
    )


def default_name(table: str, kind: str, columns: list[str], duckdb_name: str) -> str:
    """The name PostgreSQL gives an unnamed constraint, from DuckDB's (t_col_key): t_pkey for a
    primary key, t_col_check for a check of one column, t_check for one of several."""
    if kind == "PRIMARY KEY":
        return f"{table}_pkey"
    if kind == "CHECK":
        distinct = list(dict.fromkeys(columns))  # (DuckDB lists a column once per mention)
        return f"{table}_{distinct[0]}_check" if len(distinct) == 1 else f"{table}_check"
    return duckdb_name


# The catalog emulation (pgcompat.shim) reads the names through this macro of each session's
# connection, which reads nothing in a PDB opened read-only before the hidden table was made.
MACRO = "__duckcdb_constraint_names"
_EMPTY = (
    "SELECT NULL::VARCHAR AS schema_name, NULL::VARCHAR AS table_name, NULL::VARCHAR AS kind,"
    " NULL::VARCHAR AS text, NULL::VARCHAR AS name WHERE false"
)


def session_macro(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute(f"SELECT 1 FROM {TABLE} LIMIT 0")
        body = f"SELECT * FROM {TABLE}"
    except duckdb.CatalogException:
        body = _EMPTY
    con.execute(f"CREATE OR REPLACE TEMP MACRO {MACRO}() AS TABLE {body}")
