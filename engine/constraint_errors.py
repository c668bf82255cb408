"""Unique and check violations in PostgreSQL's words, with the fields drivers expose.

DuckDB says `Duplicate key "id: 1" violates primary key constraint.` and `CHECK constraint failed
on table "t" with expression CHECK((n > 0))`; PostgreSQL says `duplicate key value violates unique
constraint "t_pkey"` with the detail `Key (id)=(1) already exists.`, and `new row for relation "t"
violates check constraint "t_n_check"`, and names the constraint, table and schema in the
ErrorResponse's fields (psycopg's diag, node-postgres' error.constraint): ORMs and applications
branch on the constraint's name. The constraint is found in the catalog (duckdb_constraints) and
named as it was given (engine.constraint_names: DuckDB keeps no given name), else as PostgreSQL
names an unnamed one: t_pkey, t_col_key, t_col_check, t_check for a check of several columns.

A check's or NOT NULL's violation also gets PostgreSQL's detail `Failing row contains (...)`
where the row is known for sure (failing_row), computed on the failure path only.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from engine import codec, constraint_names, foreign_keys
from engine.codec import _arrow as A
from engine.codec.text import text_of
from pgwire.errors import DbError
from pgwire.types import JSONB_CHECK_IN_SQL, LENGTH_CHECK_IN_SQL

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


def _schema_of(con: Any, table: str) -> str:
    """The schema of a table DuckDB's check message names without one: main, or the one other
    schema that has a table of that name."""
    try:
        cur = con.cursor()
        try:
            rows = cur.execute(
                "SELECT DISTINCT schema_name FROM duckdb_tables() WHERE database_name = current_database()"
                " AND table_name = ?",
                [table],
            ).fetchall()
        finally:
            cur.close()
    except duckdb.Error:
        return "main"
    schemas = [str(r[0]) for r in rows]
    return schemas[0] if len(schemas) == 1 else "main"


def _namer(cur: Any, schema: str, table: str) -> Any:
    """The name of a constraint of the table: the one given it (engine.constraint_names), else the
    one PostgreSQL gives an unnamed one."""
    given = constraint_names.names_of(lambda sql, values: cur.execute(sql, values), schema, table)

    def name(kind: str, text: str, columns: list[str], duckdb_name: str) -> str:
        return given.get((kind, text)) or constraint_names.default_name(table, kind, columns, duckdb_name)

    return name


def _objects(schema: str, table: str, constraint: str) -> dict[str, str]:
    named = {"schema": "public" if schema == "main" else schema, "table": table}
    return {**named, "constraint": constraint} if constraint else named


def postgres_constraint_error(
    con: Any, err: DbError, sql: str | None, values: Any = None, alone: bool = False
) -> DbError:
    """err (23505 / 23514 from DuckDB) as PostgreSQL words it, where the catalog says which
    constraint it is; err as it is otherwise. sql: the statement that failed (its target table),
    values: its parameters', alone: whether it ran alone in its transaction (a failed check's row,
    failing_row)."""
    message = _strip(err.message)
    check = _CHECK.match(message)
    duplicate = _DUPLICATE.match(message) or _DUPLICATE_IN_STATEMENT.match(message)
    if check is None and duplicate is None:
        return err
    if check is not None:
        schema, table = _schema_of(con, check.group("table")), check.group("table")
    else:
        target = foreign_keys.target_of(sql).table if sql else None
        if target is None:
            return err
        schema, table = target
    try:
        cur = con.cursor()  # (a connection of its own: the failed transaction may be aborted)
        try:
            rows = cur.execute(_CONSTRAINTS, [schema, table]).fetchall()
            _name = _namer(cur, schema, table)
        finally:
            cur.close()
    except duckdb.Error:
        return err
    if check is not None:
        for kind, text, columns, given in rows:
            if kind == "CHECK" and text == check.group("text"):
                name = _name(kind, text, list(columns), given)
                condition = f"NOT coalesce({text[len('CHECK') :]}, true)"
                return DbError(
                    "23514",
                    f'new row for relation "{table}" violates check constraint "{name}"',
                    detail=failing_row(con, sql, values, schema, table, condition, alone),
                    objects=_objects(schema, table, name),
                )
        return err
    assert duplicate is not None
    kind_word = duplicate.groupdict().get("kind")
    found: list[tuple[str, list[str], str]] = []  # (constraint, columns, values)
    for kind, text, columns, given in rows:
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
        found.append((_name(kind, text, columns, given), columns, values))
    if not found and kind_word:
        found = _renamed_key(rows, kind_word, duplicate.group("pairs"), _name)
        if len(found) > 1:
            found = [f for f in found if _holds(con, schema, table, f[1], f[2])]
    if len(found) != 1:  # (two keys the values could be: DuckDB's words, the table named)
        return DbError("23505", message, objects=_objects(schema, table, "")) if found else err
    name, columns, values = found[0]
    return DbError(
        "23505",
        f'duplicate key value violates unique constraint "{name}"',
        detail=f"Key ({', '.join(columns)})=({values}) already exists.",
        objects=_objects(schema, table, name),
    )


def _renamed_key(rows: list[Any], kind_word: str, pairs: str, name: Any) -> list[tuple[str, list[str], str]]:
    """The key a duplicate names by columns no longer there (DuckDB's message keeps a column's name
    from before ALTER TABLE ... RENAME COLUMN): the keys of that kind and of as many columns."""
    found = []
    for kind, text, columns, given in rows:
        if kind == "CHECK" or (kind_word == "primary key") != (kind == "PRIMARY KEY"):
            continue
        m = re.fullmatch(", ".join(r"[^:,]+: (.*)" for _ in columns), pairs, re.S)
        if m is not None:
            found.append((name(kind, text, list(columns), given), list(columns), ", ".join(m.groups())))
    return found


def _holds(con: Any, schema: str, table: str, columns: list[str], value: str) -> bool:
    """Whether a committed row has this one-column key's value (which of several keys a duplicate is)."""
    if len(columns) != 1:
        return False
    try:
        cur = con.cursor()
        try:
            q = f"SELECT count(*) FROM {foreign_keys.qualified(schema, table)} WHERE CAST({foreign_keys.quote(columns[0])} AS VARCHAR) = ?"
            return bool(cur.execute(q, [value]).fetchall()[0][0])
        finally:
            cur.close()
    except duckdb.Error:
        return False


# A column default a failing row may show (evaluated again on a copy: a constant, never a
# sequence's nextval or the clock, which would not be the value PostgreSQL's row had).
_CONSTANT_DEFAULT = re.compile(
    r"NULL|true|false|-?\d+(?:\.\d+)?|'(?:[^']|'')*'|CAST\('(?:[^']|'')*' AS [A-Z0-9_ (),]+\)", re.I
)
_COLUMNS = (
    "SELECT column_name, data_type, column_default FROM duckdb_columns() WHERE database_name = current_database()"
    " AND schema_name = ? AND lower(table_name) = lower(?) ORDER BY column_index"
)
_TABLE_SQL = (
    "SELECT sql FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ?"
    " AND lower(table_name) = lower(?)"
)
_ROW_COPY = "__duckcdb_failing_row"
_MAX_FIELD = 64  # PostgreSQL's ExecBuildSlotValueDescription clips each value at 64 bytes


def _statement(sql: str, alone: bool) -> exp.Insert | exp.Update | None:
    """sql when its rows can be made again: INSERT ... VALUES (its rows are its own), and where
    the statement ran alone in its transaction (what another connection reads is what it read)
    INSERT ... SELECT and UPDATE of one table. Not ON CONFLICT DO UPDATE (whose row may be the
    updated one), nor a WITH."""
    try:
        tree = sqlglot.parse_one(sql, dialect="duckdb")
    except sqlglot.errors.SqlglotError:
        return None
    if tree.args.get("with"):
        return None
    if isinstance(tree, exp.Insert):
        conflict = tree.args.get("conflict")
        if conflict is not None and not conflict.sql(dialect="duckdb").upper().endswith("DO NOTHING"):
            return None
        if isinstance(tree.expression, exp.Values) or (alone and isinstance(tree.expression, exp.Query)):
            return tree
        return None
    if (
        isinstance(tree, exp.Update)
        and alone
        and not tree.args.get("from")
        and isinstance(tree.this, exp.Table)
    ):
        return tree
    return None


def _clipped(text: str) -> str:
    raw = text.encode()
    if len(raw) <= _MAX_FIELD:
        return text
    return raw[:_MAX_FIELD].decode(errors="ignore") + "..."


def failing_row(
    con: Any, sql: str | None, values: Any, schema: str, table: str, condition: str, alone: bool = False
) -> str | None:
    """PostgreSQL's detail `Failing row contains (1, null, abc).` of a CHECK or NOT NULL violation:
    the statement's new rows made again in a temporary copy of the table without its constraints
    (on the failure path only), the first one where `condition` holds
    (of an INSERT ... VALUES; of the others the one row, or nothing: their order is not known),
    each value as PostgreSQL writes it. alone: the statement ran alone in its transaction. None
    where the row is not known for sure (_statement; a default that is not a constant; a char(n)
    or jsonb column)."""
    tree = _statement(sql, alone) if sql else None
    if tree is None:
        return None
    target = tree.this
    named = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else None
    ordered = isinstance(tree, exp.Insert) and isinstance(tree.expression, exp.Values)
    try:
        # alone, the session's own connection (its statement rolled back; the session's macros,
        # which a rewritten statement may call); else one of its own, which reads what is committed
        cur = con if alone else con.cursor()
        try:
            cols = cur.execute(_COLUMNS, [schema, table]).fetchall()
            found = cur.execute(_TABLE_SQL, [schema, table]).fetchall()
            if not cols or not found or re.search(JSONB_CHECK_IN_SQL, found[0][0]):
                return None
            if any(m.group(2) for m in re.finditer(LENGTH_CHECK_IN_SQL, found[0][0])):
                return None  # char(n): PostgreSQL shows it padded
            given = {n.lower() for n in named} if named is not None else None
            defs = []
            for name, typ, default in cols:
                omitted = given is not None and str(name).lower() not in given
                if omitted and default is not None and not _CONSTANT_DEFAULT.fullmatch(str(default)):
                    return None
                tail = f" DEFAULT {default}" if default is not None else ""
                defs.append(f"{foreign_keys.quote(str(name))} {typ}{tail}")
            cur.execute(f"CREATE OR REPLACE TEMPORARY TABLE {_ROW_COPY} ({', '.join(defs)})")
            copy = tree.copy()
            copy.set("returning", None)
            copy.set("conflict", None)  # (DO NOTHING: the copy has no key for a row to conflict on)
            if isinstance(copy, exp.Update):
                # the rows it updates, copied, then updated in the copy
                where = copy.args.get("where")
                source = exp.select("*").from_(tree.this.copy())
                if where is not None:
                    source = source.where(where.this.copy())
                cur.execute(f"INSERT INTO {_ROW_COPY} {source.sql(dialect='duckdb')}", values or None)
                copy.set("where", None)
                alias = target.args.get("alias")
                copy.set("this", exp.to_table(_ROW_COPY))
                if alias is not None:
                    copy.this.set("alias", alias.copy())
            elif isinstance(copy.this, exp.Schema):
                copy.this.set("this", exp.to_table(_ROW_COPY))
            else:
                copy.set("this", exp.to_table(_ROW_COPY))
            cur.execute(copy.sql(dialect="duckdb"), values or None)
            got = cur.sql(f"SELECT * FROM {_ROW_COPY} WHERE {condition} LIMIT 2").to_arrow_table()
        finally:
            if alone:
                cur.execute(f"DROP TABLE IF EXISTS temp.main.{_ROW_COPY}")
            else:
                cur.close()
    except (duckdb.Error, sqlglot.errors.SqlglotError, ValueError, TypeError):
        return None
    if ordered and got.num_rows:
        got = got.slice(0, 1)
    if got.num_rows != 1:
        return None
    texts = []
    for (_, typ, _), column in zip(cols, got.columns, strict=True):
        ctx = codec.EncodeContext(codec.pg_type_for_duckdb(str(typ)))
        text = A.as_string(text_of(column.combine_chunks(), ctx))[0].as_py()
        texts.append("null" if text is None else _clipped(text))
    return f"Failing row contains ({', '.join(texts)})."


def as_postgres(con: Any, err: DbError, sql: str | None, values: Any, alone: bool) -> DbError:
    """A unique, check or NOT NULL violation (23505, 23514, 23502) as PostgreSQL reports it."""
    if err.sqlstate in ("23505", "23514") and not err.objects:
        return postgres_constraint_error(con, err, sql, values, alone)
    if err.sqlstate == "23502" and err.detail is None:
        return not_null_row(con, err, sql, values, alone)
    return err


def not_null_row(con: Any, err: DbError, sql: str | None, values: Any, alone: bool = False) -> DbError:
    """A NOT NULL violation (23502, its table and column named) with PostgreSQL's failing row."""
    table, column = err.objects.get("table"), err.objects.get("column")
    if not table or not column:
        return err
    schema = err.objects.get("schema") or "public"
    schema = "main" if schema == "public" else schema
    detail = failing_row(con, sql, values, schema, table, f"{foreign_keys.quote(column)} IS NULL", alone)
    if detail is None:
        return err
    return DbError(err.sqlstate, err.message, detail=detail, hint=err.hint, objects=err.objects)


def check_name(con: Any, schema: str, table: str, check: str, taken: set[str] | None = None) -> str:
    """The name PostgreSQL gives an unnamed CHECK (...) of a table: t_col_check for one of one
    column, t_check otherwise, a number after it where that is taken (ChooseConstraintName)."""
    base = _check_base(con, schema, table, check)
    name, n = base, 0
    while name in (taken or set()):
        n += 1
        name = f"{base[: 63 - len(str(n))]}{n}"
    return name


def _check_base(con: Any, schema: str, table: str, check: str) -> str:
    rows = con.execute(_COLUMNS, [schema, table]).fetchall()
    columns = {str(r[0]).lower(): str(r[0]) for r in rows}
    try:
        tree = sqlglot.parse_one(check[check.index("(") :], dialect="duckdb")
    except sqlglot.errors.SqlglotError:
        return f"{table}_check"
    used = {c.name.lower() for c in tree.find_all(exp.Column) if c.name.lower() in columns}
    return constraint_names.default_name(
        table, "CHECK", [columns[u] for u in used], f"{table}_{''.join(used)}_check"
    )
