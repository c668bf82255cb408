"""ALTER TABLE of PRIMARY KEY, UNIQUE and CHECK constraints where DuckDB has no statement of its own:
DROP CONSTRAINT (the table made again without it, engine.alter.without_constraint), ADD [CONSTRAINT
n] CHECK (made again with it, engine.alter.with_check) and RENAME CONSTRAINT (of a name the engine
keeps: engine.constraint_names, engine.foreign_keys), with PostgreSQL's errors. The DDL path of
engine.session's ALTER TABLE (EngineSession._alter) only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine import alter as alter_table
from engine import constraint_errors, constraint_names, foreign_keys
from pgwire.errors import DbError

Run = Callable[..., Any]
_CASCADE_AT_END = re.compile(r"\bCASCADE\s*;?\s*$", re.I)


def temporary_table(run: Run, schema: str, table: str) -> bool:
    return bool(
        run(
            "SELECT 1 FROM duckdb_tables() WHERE database_name = 'temp' AND schema_name = ?"
            " AND lower(table_name) = lower(?)",
            [schema, table],
        ).fetchall()
    )


def drop_constraint(
    con: Any, run: Run, spec: dict[str, Any], schema: str, table: str, sql: str, notices: list[Any]
) -> None:
    """ALTER TABLE t DROP CONSTRAINT n of a PRIMARY KEY, UNIQUE or CHECK constraint (DuckDB drops
    none: the table is made again without it), refused while a foreign key references the key
    (dropped too with CASCADE), as in PostgreSQL; of none, 42704 (a notice IF EXISTS). (A foreign
    key's is engine.foreign_keys.drop_constraint's.) notices: where the statement's notices go."""
    name = str(spec["drop_constraint"])
    if foreign_keys._stored_table(run, schema, table) is None:
        if not temporary_table(run, schema, table):
            raise DbError("42P01", f'relation "{table}" does not exist')
        if constraint_names.find(run, schema, table, name, temp=True) is not None:
            raise DbError(
                "0A000", f'ALTER TABLE ... DROP CONSTRAINT "{name}" of a temporary table is not supported'
            )
        found = None
    else:
        found = constraint_names.find(run, schema, table, name)
    if found is None:
        if not spec.get("if_exists"):
            raise DbError("42704", f'constraint "{name}" of relation "{table}" does not exist')
        notices.append(f'constraint "{name}" of relation "{table}" does not exist, skipping')
        return
    kind, text, columns = found
    key = sorted(c.lower() for c in columns)
    here = (schema, table.lower())
    dependent = [
        fk
        for fk in foreign_keys.read(con)
        if kind != "CHECK" and fk.parent == here and sorted(c.lower() for c in fk.parent_cols) == key
    ]
    if dependent and not _CASCADE_AT_END.search(sql):
        fk = dependent[0]
        raise DbError(
            "2BP01",
            f"cannot drop constraint {name} on table {table} because other objects depend on it",
            detail=f"constraint {fk.name} on table {fk.child_table} depends on index {name}",
            hint="Use DROP ... CASCADE to drop the dependent objects too.",
        )
    for fk in dependent:
        foreign_keys.drop_constraint(
            run, (fk,), {"schema": fk.child_schema, "table": fk.child_table, "drop_constraint": fk.name}
        )
        notices.append(f"drop cascades to constraint {fk.name} on table {fk.child_table}")
    for statement in alter_table.without_constraint(con, schema, table, kind, text, columns):
        run(statement)
    constraint_names.forget(run, schema, table, kind, text)


def add_check(con: Any, run: Run, spec: dict[str, Any], schema: str, table: str, sql: str) -> None:
    """ALTER TABLE t ADD [CONSTRAINT n] CHECK (...): refused with PostgreSQL's error when a row
    violates it, else the table made again with it and its name kept (an unnamed one's as
    PostgreSQL names it: DuckDB's would not be told from another's)."""
    stored = foreign_keys._stored_table(run, schema, table)
    if stored is None:
        run(sql)  # (a temporary table or none: DuckDB's answer)
        return
    check = str(spec["add_check"])
    given = spec.get("add_named") or []
    if not given:
        taken = constraint_names.taken_names(run, schema, stored)
        given = [{"kind": "CHECK", "name": constraint_errors.check_name(con, schema, stored, check, taken)}]
    name = given[0]["name"]
    expr = check[check.index("(") :]
    bad = run(
        f"SELECT 1 FROM {foreign_keys.qualified(schema, stored)} WHERE NOT coalesce({expr}, true) LIMIT 1"
    )
    if bad.fetchall():
        if spec.get("not_valid"):
            raise DbError(
                "0A000",
                "ADD CONSTRAINT ... NOT VALID: DuckCDB checks the rows already there, and one violates it",
            )
        raise DbError(
            "23514",
            f'check constraint "{name}" of relation "{stored}" is violated by some row',
            objects={"schema": "public" if schema == "main" else schema, "table": stored, "constraint": name},
        )
    for statement in alter_table.with_check(con, schema, stored, check):
        run(statement)
    constraint_names.record(run, schema, stored, given, last=True)


def rename_constraint(
    run: Run, fks: tuple[foreign_keys.ForeignKey, ...], schema: str, table: str, old: str, new: str
) -> None:
    """ALTER TABLE t RENAME CONSTRAINT a TO b (DuckDB has none): the name the engine keeps, a
    foreign key's (engine.foreign_keys) or another constraint's (engine.constraint_names)."""
    if foreign_keys._stored_table(run, schema, table) is None:
        if temporary_table(run, schema, table):
            raise DbError("0A000", "ALTER TABLE ... RENAME CONSTRAINT of a temporary table is not supported")
        raise DbError("42P01", f'relation "{table}" does not exist')
    mine = [fk for fk in fks if fk.child == (schema, table.lower())]
    taken = any(fk.name == new for fk in mine) or constraint_names.find(run, schema, table, new) is not None
    fk = next((fk for fk in mine if fk.name == old), None)
    found = None if fk is not None else constraint_names.find(run, schema, table, old)
    if fk is None and found is None:
        raise DbError("42704", f'constraint "{old}" for table "{table}" does not exist')
    if taken:
        raise DbError("42710", f'constraint "{new}" for relation "{table}" already exists')
    if fk is not None:
        run(
            f"UPDATE {foreign_keys.TABLE} SET name = ? WHERE child_schema = ? AND lower(child_table) = ? AND name = ?",
            [new, fk.child_schema, fk.child_table.lower(), fk.name],
        )
    elif found is not None:
        constraint_names.rename(run, schema, table, found[0], found[1], new)
