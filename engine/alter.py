"""ALTER TABLE where DuckDB's own refuses what PostgreSQL does, planned against the catalog as it
is when the statement runs (pgcompat.alter reads the statement and says what it changes):

- an ALTER of a table with indexes (DuckDB alters no table that has one: 2BP01): the table's
  indexes are dropped, the table altered and the indexes made again, in the statement's
  transaction (for a column's type or a dropped column, the table is made again without them
  first). A renamed column or table is renamed in the indexes too; an index on a dropped
  column goes with it, as in PostgreSQL.
- ADD [CONSTRAINT c] FOREIGN KEY (DuckDB adds no constraint to an existing table): the table is
  made again with the constraint, its rows copied back (and so checked) and its indexes made
  again, in the statement's transaction.

A table other tables' foreign keys reference can be neither altered nor made again, so that
still fails (2BP01), as loudly as before. DuckDB does not keep constraint names, nor do comments
on a table made again survive.

Every statement runs in the session's transaction (an implicit one outside a block): an
error leaves the table as it was.
"""

from __future__ import annotations

import re
from typing import Any

from pgwire.errors import DbError

_INDEXES = (
    "SELECT index_name, sql FROM duckdb_indexes() WHERE database_name = current_database() "
    "AND schema_name = ? AND lower(table_name) = lower(?) AND sql IS NOT NULL ORDER BY index_oid"
)
_TABLE = (
    "SELECT table_name, sql FROM duckdb_tables() WHERE database_name = current_database() "
    "AND schema_name = ? AND lower(table_name) = lower(?)"
)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column(name: str) -> re.Pattern[str]:
    """A column name in an index's expressions, quoted or not (DuckDB folds no case)."""
    n = re.escape(name)
    return re.compile(rf'"{n}"|(?<![\w"]){n}(?![\w"])', re.I)


def _index_body(sql: str) -> str:
    """'(a, lower("b"))' of CREATE [UNIQUE] INDEX i ON t(a, lower("b"));"""
    on = re.search(r"\sON\s", sql, re.I)
    start = sql.index("(", on.end() if on else 0)
    return sql[start:].rstrip().rstrip(";")


def _remade_index(name: str, sql: str, schema: str, table: str, renamed: tuple[str, str] | None) -> str:
    unique = "UNIQUE " if re.match(r"\s*CREATE\s+UNIQUE\s", sql, re.I) else ""
    body = _index_body(sql)
    if renamed is not None:
        body = _column(renamed[0]).sub(quote(renamed[1]), body)
    return f"CREATE {unique}INDEX {quote(name)} ON {quote(schema)}.{quote(table)}{body}"


def plan(con: Any, spec: dict[str, Any], sql: str) -> list[str]:
    """The statements that do what the ALTER TABLE `sql` does in PostgreSQL, in order."""
    schema, table = str(spec["schema"]), str(spec["table"])
    indexes = [(str(n), str(s)) for n, s in con.execute(_INDEXES, [schema, table]).fetchall()]
    if spec.get("foreign_key"):
        return [
            *_made_again(con, schema, table, indexes, str(spec["foreign_key"])),
            *(_remade_index(n, s, schema, _stored_name(con, schema, table), None) for n, s in indexes),
        ]
    if not indexes:
        return [sql]
    renamed = tuple(spec["rename_column"]) if spec.get("rename_column") else None
    dropped = spec.get("drop_column")
    name_now = str(spec.get("rename_table") or _stored_name(con, schema, table))
    if spec.get("fresh"):
        # DuckDB still counts an index dropped in the same transaction against changing or
        # dropping its column: the table is made again without them first.
        before = _made_again(con, schema, table, indexes, "")
    else:
        before = [f"DROP INDEX {quote(schema)}.{quote(n)}" for n, _ in indexes]
    after = [
        _remade_index(n, s, schema, name_now, renamed)  # type: ignore[arg-type]
        for n, s in indexes
        if not (dropped and _column(str(dropped)).search(_index_body(s)))
    ]
    return [*before, sql, *after]


def _stored_name(con: Any, schema: str, table: str) -> str:
    row = con.execute(_TABLE, [schema, table]).fetchone()
    if row is None:
        raise DbError("42P01", f'relation "{table}" does not exist')
    return str(row[0])


def _made_again(
    con: Any, schema: str, table: str, indexes: list[tuple[str, str]], constraint: str
) -> list[str]:
    """The table made again from its definition (with one more constraint), its rows copied back
    (and so checked against it), without its indexes. A copy in a temporary table, not a
    rename: DuckDB's foreign keys keep the name a table was created with."""
    row = con.execute(_TABLE, [schema, table]).fetchone()
    if row is None:
        raise DbError("42P01", f'relation "{table}" does not exist')
    name, create = str(row[0]), str(row[1]).rstrip().rstrip(";").rstrip()
    columns = create[create.index("(") : create.rindex(")")]
    target, scratch = f"{quote(schema)}.{quote(name)}", f"temp.main.{quote('__duckcdb_copy_' + name)}"
    return [
        f"CREATE TEMPORARY TABLE {scratch} AS SELECT * FROM {target}",
        *(f"DROP INDEX {quote(schema)}.{quote(n)}" for n, _ in indexes),
        f"DROP TABLE {target}",
        f"CREATE TABLE {target}{columns}{', ' + constraint if constraint else ''})",
        f"INSERT INTO {target} SELECT * FROM {scratch}",
        f"DROP TABLE {scratch}",
    ]
