"""ALTER TABLE where DuckDB's own refuses what PostgreSQL does, planned against the catalog as it
is when the statement runs (pgcompat.alter reads the statement and says what it changes):

- an ALTER of a table with indexes (DuckDB alters no table that has one: 2BP01): the table's
  indexes are dropped, the table altered and the indexes made again, in the statement's
  transaction (for a column's type or a dropped column, the table is made again without them
  first). A renamed column or table is renamed in the indexes too; an index on a dropped
  column goes with it, as in PostgreSQL.

Foreign keys are the engine's own (engine.foreign_keys: ADD / DROP CONSTRAINT, renames followed),
not DuckDB's. Tables made before that with DuckDB's own foreign keys keep them: the tables whose
keys reference the one altered are copied aside and made again after it (`plan`). DuckDB does not
keep constraint names (engine.constraint_names does), nor do comments on a table made again
survive. DROP CONSTRAINT of a PRIMARY KEY, UNIQUE or CHECK makes the table again without it
(`without_constraint`).

Every statement runs in the session's transaction (an implicit one outside a block): an
error leaves the table as it was.
"""

from __future__ import annotations

import re
from typing import Any

from pgwire.errors import DbError
from pgwire.types import JSONB_CHECK_SHAPE, LENGTH_CHECK_SHAPE

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


_CHILDREN = (
    "SELECT DISTINCT schema_name, table_name FROM duckdb_constraints() WHERE database_name = current_database() "
    "AND constraint_type = 'FOREIGN KEY' AND lower(referenced_table) = lower(?) AND lower(table_name) <> lower(?) "
    "ORDER BY 1, 2"
)


def plan(con: Any, spec: dict[str, Any], sql: str) -> list[str]:
    """The statements that do what the ALTER TABLE `sql` does in PostgreSQL, in order. Tables
    whose foreign keys reference this one are set aside first (copied, dropped) and made again
    after it, their keys following a renamed column or table."""
    schema, table = str(spec["schema"]), str(spec["table"])
    children = [(str(a), str(b)) for a, b in con.execute(_CHILDREN, [table, table]).fetchall()]
    if not children:
        return _own_plan(con, spec, sql, schema, table)
    before: list[str] = []
    after: list[str] = []
    for c_schema, c_table in children:
        c_indexes = _indexes(con, c_schema, c_table)
        create = _definition(con, c_schema, c_table)[1]
        target, scratch = _names(c_schema, c_table)
        before += [
            f"CREATE TEMPORARY TABLE {scratch} AS SELECT * FROM {target}",
            *(f"DROP INDEX {quote(c_schema)}.{quote(n)}" for n, _ in c_indexes),
            f"DROP TABLE {target}",
        ]
        after += [
            f"CREATE TABLE {target}{_references_followed(create[create.index('(') :], table, spec)}",
            f"INSERT INTO {target} SELECT * FROM {scratch}",
            f"DROP TABLE {scratch}",
            *(_remade_index(n, s, c_schema, c_table, None) for n, s in c_indexes),
        ]
    return [*before, *_own_plan(con, spec, sql, schema, table), *after]


def _references_followed(body: str, table: str, spec: dict[str, Any]) -> str:
    """A child's definition with its REFERENCES to `table` following a renamed column or table."""
    renamed = spec.get("rename_column")
    new_table = spec.get("rename_table")
    ref = re.compile(rf'(REFERENCES\s+)("?{re.escape(table)}"?)(\s*\()([^)]*)(\))', re.I)

    def follow(m: re.Match[str]) -> str:
        cols = _column(renamed[0]).sub(quote(renamed[1]), m.group(4)) if renamed else m.group(4)
        return (
            m.group(1) + (quote(str(new_table)) if new_table else m.group(2)) + m.group(3) + cols + m.group(5)
        )

    return ref.sub(follow, body)


def has_column(con: Any, schema: str, table: str, column: str) -> bool:
    """Whether the table has the column (ADD COLUMN IF NOT EXISTS: one that is there is left as it is)."""
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name = ? AND lower(table_name) = lower(?)"
            " AND column_name = ? AND database_name = current_database()",
            [schema, table, column],
        ).fetchall()[0][0]
    )


def _indexes(con: Any, schema: str, table: str) -> list[tuple[str, str]]:
    return [(str(n), str(s)) for n, s in con.execute(_INDEXES, [schema, table]).fetchall()]


def _own_plan(con: Any, spec: dict[str, Any], sql: str, schema: str, table: str) -> list[str]:
    indexes = _indexes(con, schema, table)
    if spec.get("retype"):
        retyped = _retyped(con, schema, table, spec["retype"], indexes)
        if retyped is not None:
            return retyped
    dropped = spec.get("drop_column")
    if dropped:
        without = _without_column(con, schema, table, str(dropped), indexes)
        if without is not None:
            return without
    if not indexes:
        return [sql]
    renamed = tuple(spec["rename_column"]) if spec.get("rename_column") else None
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


def _definition(con: Any, schema: str, table: str) -> tuple[str, str]:
    """(stored name, CREATE TABLE statement without its semicolon)."""
    rows = con.execute(_TABLE, [schema, table]).fetchall()
    row = rows[0] if rows else None
    if row is None:
        raise DbError("42P01", f'relation "{table}" does not exist')
    return str(row[0]), str(row[1]).rstrip().rstrip(";").rstrip()


def _names(schema: str, name: str) -> tuple[str, str]:
    """The table's qualified name and its temporary copy's."""
    return f"{quote(schema)}.{quote(name)}", f"temp.main.{quote('__duckcdb_copy_' + name)}"


def _items(body: str) -> list[str]:
    """The top-level items of a CREATE TABLE's parenthesised body (columns and constraints)."""
    items, cur, depth, quote_ch = [], "", 0, ""
    for ch in body:
        if quote_ch:
            cur += ch
            if ch == quote_ch:
                quote_ch = ""
            continue
        if ch in "'\"":
            quote_ch = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if cur.strip():
        items.append(cur.strip())
    return items


_TABLE_CONSTRAINT = re.compile(r"^(UNIQUE|PRIMARY\s+KEY|CHECK|FOREIGN\s+KEY|CONSTRAINT)\b", re.I)


def _without_column(
    con: Any, schema: str, table: str, column: str, indexes: list[tuple[str, str]]
) -> list[str] | None:
    """DROP COLUMN of a table whose own constraints (UNIQUE, PRIMARY KEY) DuckDB keeps as indexes
    it will not drop a column before: the table made again without the column and the table
    constraints that name it (PostgreSQL drops those with it), its other rows copied back.
    None when the table has neither such constraints nor indexes (DuckDB drops the column)."""
    name, create = _definition(con, schema, table)
    body = create[create.index("(") + 1 : create.rindex(")")]
    items = _items(body)
    constraints = [i for i in items if _TABLE_CONSTRAINT.match(i)]
    if not indexes and not any(re.match(r"^(UNIQUE|PRIMARY)", i, re.I) for i in constraints):
        return None
    named = _column(column)
    columns = [i for i in items if not _TABLE_CONSTRAINT.match(i)]
    kept = [i for i in columns if not named.match(i)]
    if len(kept) == len(columns):
        return None  # no such column: DuckDB says so
    kept += [i for i in constraints if not named.search(i)]
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = ? "
        "AND table_name = ? ORDER BY column_index",
        [schema, name],
    ).fetchall()
    names = ", ".join(quote(str(r[0])) for r in rows if str(r[0]).lower() != column.lower())
    target, scratch = _names(schema, name)
    return [
        f"CREATE TEMPORARY TABLE {scratch} AS SELECT * FROM {target}",
        *(f"DROP INDEX {quote(schema)}.{quote(n)}" for n, _ in indexes),
        f"DROP TABLE {target}",
        f"CREATE TABLE {target}({', '.join(kept)})",
        f"INSERT INTO {target} SELECT {names} FROM {scratch}",
        f"DROP TABLE {scratch}",
        *(_remade_index(n, s, schema, name, None) for n, s in indexes if not named.search(_index_body(s))),
    ]


_LENGTH_CHECK = re.compile(r"\s*CHECK\(" + LENGTH_CHECK_SHAPE + r"\)")
# What may follow a column's type in DuckDB's definition of it.
_AFTER_TYPE = re.compile(
    r"\s+(NOT\s+NULL|NULL|DEFAULT|CHECK|PRIMARY|UNIQUE|REFERENCES|COLLATE|GENERATED)\b", re.I
)


def _is_length_of(item: str, column: str) -> bool:
    """Whether a table constraint is the CHECK that stands for the column's declared type: its
    length (varchar(n), char(n)) or jsonb (pgwire.types)."""
    m = re.fullmatch(r"CHECK\(" + LENGTH_CHECK_SHAPE + r"\)", item.strip())
    if m is None:
        m = re.fullmatch(r"CHECK\(" + JSONB_CHECK_SHAPE + r"\)", item.strip())
        if m is None:
            return False
        named = m.group(1)
    else:
        named = m.group(1) or m.group(2)
    return named.strip('"').replace('""', '"').lower() == column.lower()


def _retyped(
    con: Any, schema: str, table: str, retype: dict[str, str], indexes: list[tuple[str, str]]
) -> list[str] | None:
    """ALTER COLUMN c TYPE t of a column with a length (DuckDB changes no type under a CHECK) or to
    varchar(n) / char(n) (DuckDB adds no CHECK to a table): the table made again with the column
    of the new type and its length CHECK, NOT NULL and DEFAULT kept, its rows cast (or computed
    USING the expression) and checked. None when DuckDB can do it itself."""
    column, new_type, check = retype["column"], retype["type"], retype["check"]
    name, create = _definition(con, schema, table)
    items = _items(create[create.index("(") + 1 : create.rindex(")")])
    named = _column(column)
    at = next((k for k, i in enumerate(items) if not _TABLE_CONSTRAINT.match(i) and named.match(i)), None)
    # DuckDB writes a column's CHECK as a table constraint: the column's length is one of those
    lengths = [k for k, i in enumerate(items) if _is_length_of(i, column)]
    if at is None or not (check or lengths):
        return None
    head = named.match(items[at])
    rest = items[at][head.end() if head else 0 :]
    after = _AFTER_TYPE.search(rest)
    rest = _LENGTH_CHECK.sub("", rest[after.start() :] if after else "")
    items[at] = f"{quote(column)} {new_type}{rest}{' ' + check if check else ''}"
    items = [i for k, i in enumerate(items) if k not in lengths]
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = ? "
        "AND table_name = ? ORDER BY column_index",
        [schema, name],
    ).fetchall()
    value = f"CAST({retype['using'] or quote(column)} AS {new_type})"
    if check and "AS BPCHAR)" in check:
        value = f"rtrim({value})"  # char(n): kept without trailing blanks (engine.bpchar)
    cols = ", ".join(value if str(r[0]).lower() == column.lower() else quote(str(r[0])) for r in rows)
    target, scratch = _names(schema, name)
    return [
        f"CREATE TEMPORARY TABLE {scratch} AS SELECT * FROM {target}",
        *(f"DROP INDEX {quote(schema)}.{quote(n)}" for n, _ in indexes),
        f"DROP TABLE {target}",
        f"CREATE TABLE {target}({', '.join(items)})",
        f"INSERT INTO {target} SELECT {cols} FROM {scratch}",
        f"DROP TABLE {scratch}",
        *(_remade_index(n, s, schema, name, None) for n, s in indexes),
    ]


def _stored_name(con: Any, schema: str, table: str) -> str:
    return _definition(con, schema, table)[0]


def _made_again(
    con: Any, schema: str, table: str, indexes: list[tuple[str, str]], constraint: str
) -> list[str]:
    """The table made again from its definition (with one more constraint, if any), its rows
    copied back (and so checked against it), without its indexes. A copy in a temporary table, not a
    rename: DuckDB's foreign keys keep the name a table was created with."""
    name, create = _definition(con, schema, table)
    columns = create[create.index("(") : create.rindex(")")]
    target, scratch = _names(schema, name)
    return [
        f"CREATE TEMPORARY TABLE {scratch} AS SELECT * FROM {target}",
        *(f"DROP INDEX {quote(schema)}.{quote(n)}" for n, _ in indexes),
        f"DROP TABLE {target}",
        f"CREATE TABLE {target}{columns}{', ' + constraint if constraint else ''})",
        f"INSERT INTO {target} SELECT * FROM {scratch}",
        f"DROP TABLE {scratch}",
    ]


def without_constraint(
    con: Any, schema: str, table: str, kind: str, text: str, columns: list[str]
) -> list[str]:
    """ALTER TABLE t DROP CONSTRAINT of a PRIMARY KEY, UNIQUE or CHECK constraint (DuckDB drops
    none): the table made again without it (DuckDB's text of it, `text`, is one item of the
    table's definition, or a column's PRIMARY KEY / UNIQUE), its rows copied back, its indexes made
    again. The columns of a primary key stay NOT NULL, as in PostgreSQL."""
    name, create = _definition(con, schema, table)
    items = _items(create[create.index("(") + 1 : create.rindex(")")])
    at = next((k for k, i in enumerate(items) if i == text), None)
    if at is not None:
        del items[at]
    elif kind in ("PRIMARY KEY", "UNIQUE") and len(columns) == 1:
        named = _column(columns[0])
        col = next(
            (k for k, i in enumerate(items) if not _TABLE_CONSTRAINT.match(i) and named.match(i)), None
        )
        word = re.compile(r"\s+PRIMARY\s+KEY\b" if kind == "PRIMARY KEY" else r"\s+UNIQUE\b", re.I)
        if col is None or not word.search(items[col]):
            raise DbError("0A000", "DuckCDB cannot find this constraint in the table's definition to drop it")
        items[col] = word.sub("", items[col], count=1)
    else:
        raise DbError("0A000", "DuckCDB cannot find this constraint in the table's definition to drop it")
    if kind == "PRIMARY KEY":
        for c in columns:
            named = _column(c)
            for k, i in enumerate(items):
                if (
                    not _TABLE_CONSTRAINT.match(i)
                    and named.match(i)
                    and not re.search(r"\bNOT\s+NULL\b", i, re.I)
                ):
                    items[k] = f"{i} NOT NULL"
    indexes = _indexes(con, schema, table)
    target, scratch = _names(schema, name)
    return [
        f"CREATE TEMPORARY TABLE {scratch} AS SELECT * FROM {target}",
        *(f"DROP INDEX {quote(schema)}.{quote(n)}" for n, _ in indexes),
        f"DROP TABLE {target}",
        f"CREATE TABLE {target}({', '.join(items)})",
        f"INSERT INTO {target} SELECT * FROM {scratch}",
        f"DROP TABLE {scratch}",
        *(_remade_index(n, s, schema, name, None) for n, s in indexes),
    ]


def with_check(con: Any, schema: str, table: str, check: str) -> list[str]:
    """ALTER TABLE t ADD CHECK (...) (DuckDB adds none): the table made again with it, its rows
    copied back (and so checked), its indexes made again."""
    indexes = _indexes(con, schema, table)
    name = _definition(con, schema, table)[0]
    return [
        *_made_again(con, schema, table, indexes, check),
        *(_remade_index(n, s, schema, name, None) for n, s in indexes),
    ]
