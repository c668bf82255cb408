"""Constraint names, failing rows and IF [NOT] EXISTS notices as PostgreSQL 15 gives them (issue 14:
real tools run unmodified): each test runs the same statements on DuckCDB and on a real
PostgreSQL 15 and compares what a driver sees (SQLSTATE, message, detail, the constraint, table,
schema and column fields, notices, command tags, catalog rows)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import psycopg
import pytest

from tests.pg15 import pg15  # noqa: F401  (the PostgreSQL 15 beside us)

Step = str | tuple[str, Sequence[Any]]


def _answers(con: psycopg.Connection, steps: Sequence[Step], block: bool = False) -> list[tuple]:
    """What a client sees of each step: its tag and rows and notices, or its error's fields."""
    notices: list[tuple[str | None, str | None]] = []
    con.add_notice_handler(lambda n: notices.append((n.sqlstate, n.message_primary)))
    out: list[tuple] = []
    for step in steps:
        sql, params = (step, None) if isinstance(step, str) else step
        notices.clear()
        if block:
            con.execute("begin")
        try:
            cur = con.execute(sql, params)
            rows = cur.fetchall() if cur.description else None
            out.append(("ok", cur.statusmessage, rows, list(notices)))
        except psycopg.Error as e:
            d = e.diag
            out.append(
                (
                    e.sqlstate,
                    d.message_primary,
                    d.message_detail,
                    d.constraint_name,
                    d.table_name,
                    d.schema_name,
                    d.column_name,
                )  # fmt: skip
            )
        if block:
            con.execute("rollback" if out[-1][0] != "ok" else "commit")
    return out


def _same(
    conn: psycopg.Connection,
    theirs_server: Any,
    steps: Callable[[str], Sequence[Step]],
    t: str,
    block: bool = False,
) -> None:
    with psycopg.connect(theirs_server.dsn(), autocommit=True) as theirs:
        ours_out = _answers(conn, steps(t), block)
        theirs_out = _answers(theirs, steps(t), block)
    for i, (a, b) in enumerate(zip(ours_out, theirs_out, strict=True)):
        assert a == b, f"step {i} {steps(t)[i]!r}: DuckCDB {a} != PostgreSQL {b}"


def _named(t: str) -> list[Step]:
    return [
        f"drop table if exists {t}_c",
        f"drop table if exists {t}",
        f"create table {t} (id int constraint {t}_k primary key, v int constraint {t}_pos check (v > 0),"
        f" w text, constraint {t}_uq unique (v), check (w <> 'bad'))",
        f"insert into {t} values (1, 1, 'a')",
        f"insert into {t} values (1, 2, 'b')",  # the primary key, by its given name
        f"insert into {t} values (2, 1, 'b')",  # the unique constraint
        f"insert into {t} values (3, -1, 'c')",  # the check
        f"insert into {t} values (4, 4, 'bad')",  # an unnamed check: PostgreSQL's name
        f"select conname, contype, pg_get_constraintdef(oid) from pg_constraint where conrelid = '{t}'::regclass"
        " and contype <> 'c' order by 1",
        f"select conname from pg_constraint where conrelid = '{t}'::regclass order by 1",
        "select constraint_name, constraint_type from information_schema.table_constraints"
        f" where table_name = '{t}' and constraint_name not like '%not_null' order by 1",
        "select constraint_name, column_name, ordinal_position from information_schema.key_column_usage"
        f" where table_name = '{t}' order by 1, 3",
        f"select indexname from pg_indexes where tablename = '{t}' order by 1",
        f"alter table {t} add constraint {t}_wu unique (w)",
        f"insert into {t} values (5, 5, 'a')",
        f"alter table {t} rename constraint {t}_pos to {t}_positive",
        f"alter table {t} rename constraint {t}_pos to {t}_p2",  # 42704
        f"alter table {t} rename constraint {t}_uq to {t}_positive",  # 42710
        f"insert into {t} values (6, -6, 'f')",
        f"alter table {t} rename column v to vv",
        f"insert into {t} values (7, -7, 'g')",
        f"insert into {t} values (8, 1, 'h')",
        f"alter table {t} rename to {t}_r",
        f"insert into {t}_r values (9, -9, 'i')",
        f"alter table {t}_r rename to {t}",
        f"alter table {t} drop constraint {t}_nonesuch",
        f"alter table {t} drop constraint if exists {t}_nonesuch",
        f"alter table {t} drop constraint {t}_uq",
        f"insert into {t} values (10, 1, 'j')",  # the unique constraint is gone
        f"alter table {t} drop constraint {t}_positive",
        f"insert into {t} values (11, -11, 'k')",  # the check is gone
        f"alter table {t} drop constraint {t}_check",  # the unnamed one, by PostgreSQL's name
        f"insert into {t} values (12, 12, 'bad')",
        f"create table {t}_c (id int, pid int references {t} (id))",
        f"alter table {t} drop constraint {t}_k",  # a foreign key depends on it
        f"alter table {t} drop constraint {t}_k cascade",
        f"insert into {t} values (1, 13, 'm')",  # the key is gone
        f"insert into {t} values (null, 14, 'n')",  # its column stays NOT NULL
        f"select conname, contype from pg_constraint where conrelid in ('{t}'::regclass, '{t}_c'::regclass) order by 1",
        f"select id, vv, w from {t} order by id, vv",
        f"drop table {t}_c",
        f"drop table {t}",
        # the same table again without names: PostgreSQL's (nothing left of the dropped table's)
        f"create table {t} (id int primary key, v int check (v > 0), unique (v))",
        f"insert into {t} values (1, -1)",
        f"insert into {t} values (1, 1)",
        f"insert into {t} values (1, 2)",
        f"select conname from pg_constraint where conrelid = '{t}'::regclass order by 1",
        f"drop table {t}",
    ]


def test_named_constraints_as_postgresql(conn, table_name, pg15) -> None:  # noqa: F811
    """CONSTRAINT names of CREATE TABLE and ALTER TABLE ADD: violations, pg_constraint,
    information_schema and indexes name them as given; RENAME CONSTRAINT, renamed columns and
    tables, DROP CONSTRAINT (of a named or unnamed one, refused while a foreign key depends on
    it, CASCADE), and a table made again under the same name without names."""
    _same(conn, pg15, _named, table_name)


def _taken(t: str) -> list[Step]:
    return [
        f"create table {t} (a int constraint {t}_x check (a > 0), b int constraint {t}_x check (b > 0))",
        f"create table {t} (a int constraint {t}_u unique, b int constraint {t}_u unique)",
        f"create table {t} (a int constraint {t}_k unique, b int constraint {t}_c check (b > 0))",
        f"alter table {t} add constraint {t}_k unique (b)",
        f"alter table {t} add constraint {t}_c unique (b)",
        f"alter table {t} add constraint {t}_n unique (b)",
        f"select conname from pg_constraint where conrelid = '{t}'::regclass order by 1",
        f"create schema {t}_s",
        f'create table {t}_s.x (id int constraint {t}_sk primary key, v int constraint "{t} V" check (v > 0))',
        f"insert into {t}_s.x values (1, 1)",
        f"insert into {t}_s.x values (1, 1)",
        f"insert into {t}_s.x values (2, -2)",  # a check of a table in another schema
        f"drop table {t}_s.x",
        f"drop schema {t}_s",
        f"drop table {t}",
    ]


def test_names_given_twice_and_other_schemas(conn, table_name, pg15) -> None:  # noqa: F811
    """A name given twice (PostgreSQL's 42P07 for an index's, 42710 for a check's), and a quoted
    name of a table in another schema."""
    _same(conn, pg15, _taken, table_name)


def _add_check(t: str) -> list[Step]:
    return [
        f"create table {t} (id int constraint {t}_k primary key, v int, w text)",
        f"create index {t}_w on {t} (w)",
        f"insert into {t} values (1, 5, 'a'), (2, -1, 'b')",
        f"alter table {t} add constraint {t}_pos check (v > 0)",  # a row violates it
        f"alter table {t} add check (v > 0)",  # ... PostgreSQL's name in the error
        f"alter table {t} add check (v > -5)",
        f"alter table {t} add check (v > -6)",  # a name taken: a number after it
        f"alter table {t} add check (v > id - 10)",  # of two columns
        f"alter table {t} add constraint {t}_w_len check (length(w) < 3)",
        f"insert into {t} values (3, 7, 'cccc')",
        f"insert into {t} values (3, -5, 'c')",
        f"select conname, contype from pg_constraint where conrelid = '{t}'::regclass order by 1",
        f"select indexname from pg_indexes where tablename = '{t}' order by 1",
        f"alter table {t} add constraint {t}_w_len check (length(w) < 4)",  # a name taken
        f"alter table {t} drop constraint {t}_w_len",
        f"alter table {t} drop constraint {t}_v_check1",
        f"insert into {t} values (3, 7, 'cccc')",
        f"select id, v, w from {t} order by id",
        f"create table {t}_2 (a int check (a > 0 and a < 10), b int, check (a < b), check (b > 0))",
        f"select conname from pg_constraint where conrelid = '{t}_2'::regclass order by 1",
        f"insert into {t}_2 values (20, 30)",
        f"insert into {t}_2 values (5, 3)",
        f"drop table {t}_2",
        f"drop table {t}",
    ]


def test_add_check_and_names_of_unnamed_checks(conn, table_name, pg15) -> None:  # noqa: F811
    """ALTER TABLE ADD [CONSTRAINT n] CHECK (DuckDB adds none: the table is made again with it),
    refused with PostgreSQL's error when a row violates it; unnamed checks named as PostgreSQL
    names them (t_col_check, t_check, a number where the name is taken)."""
    _same(conn, pg15, _add_check, table_name)


def _failing(t: str) -> list[Step]:
    return [
        f"drop table if exists {t}",
        f"create table {t} (id int, v int check (v > 0), w text not null default 'dflt', n numeric(10,2),"
        " b boolean, d date, s varchar(5))",
        f"insert into {t} values (1, -1, 'abc', 1.5, true, '2024-01-01', 'xy')",
        f"insert into {t} (id, v) values (2, -2)",  # defaults and nulls
        f"insert into {t} (id, v, w) values (3, 1, null)",  # NOT NULL
        f"insert into {t} values (4, 1, 'ok'), (5, -5, 'bad'), (6, -6, 'worse')",  # the first failing row
        f"insert into {t} values (6, -1, repeat('x', 100))",  # a long value, clipped
        f"insert into {t} values (7, -1, 'a,b (c)') returning id",
        (f"insert into {t} values (%s, %s, %s)", (8, -8, "a param")),
        (f"insert into {t} (id, v, w) values (%s, %s, %s)", (9, 9, None)),
        f"insert into {t} select 10, -10, 'selected'",
        f"insert into {t} values (11, 11, 'x')",
        f"update {t} set v = -1 where id = 11",
        f"update {t} as q set v = q.v - 20, w = 'upd' where q.id = 11",
        f"update {t} set w = null where id = 11",
        f"drop table {t}",
    ]


def test_failing_row_of_check_and_not_null_violations(conn, table_name, pg15) -> None:  # noqa: F811
    """A CHECK or NOT NULL violation's detail `Failing row contains (...)`, values as PostgreSQL
    writes them, of INSERT ... VALUES (literals, parameters, defaults, several rows), INSERT ...
    SELECT and UPDATE; in and out of a transaction block (in a block, UPDATE's and INSERT ...
    SELECT's rows are not read again: they give no detail, which is not compared there)."""
    _same(conn, pg15, _failing, table_name)
    with psycopg.connect(pg15.dsn(), autocommit=True) as theirs:
        ours_out = _answers(conn, _failing(table_name), block=True)
        theirs_out = _answers(theirs, _failing(table_name), block=True)
    for i, (a, b) in enumerate(zip(ours_out, theirs_out, strict=True)):
        step = _failing(table_name)[i]
        sql = step if isinstance(step, str) else step[0]
        if a[0] != "ok" and (sql.startswith("update") or " select " in sql):
            assert a[2] is None and a[:2] == b[:2] and a[3:] == b[3:], (sql, a, b)
        else:
            assert a == b, (sql, a, b)


def _exists(t: str) -> list[Step]:
    return [
        f"drop table if exists {t}",
        f"drop table if exists {t}",
        f"create table if not exists {t} (id int primary key, v int)",
        f"create table if not exists {t} (a int)",
        f"create table if not exists public.{t} (a int)",
        f"create temp table if not exists {t}_tmp (a int)",
        f"create temp table if not exists {t}_tmp (a int)",
        f"create index if not exists {t}_i on {t} (v)",
        f"create index if not exists {t}_i on {t} (v)",
        f"create unique index if not exists {t}_u on {t} (v)",
        f"create unique index if not exists {t}_u on {t} (v)",
        f"create schema if not exists {t}_s",
        f"create schema if not exists {t}_s",
        f"create sequence if not exists {t}_q",
        f"create sequence if not exists {t}_q",
        f"create table if not exists {t}_s.x (a int)",
        f"create table if not exists {t}_s.x (a int)",
        f"create table if not exists {t}_ctas (a, b) as select 1, 2",
        f"create table if not exists {t}_ctas (a, b) as select 1, 2",
        f"drop table if exists {t}_ctas, {t}_nonesuch, {t}_tmp",
        f"drop table if exists {t}_nonesuch cascade",
        f"drop table if exists {t}_noschema.x",
        f"drop view if exists {t}_v",
        f"drop index if exists {t}_i",
        f"drop index if exists {t}_i",
        f"drop sequence if exists {t}_q",
        f"drop sequence if exists {t}_q",
        f"drop table if exists {t}_s.x",
        f"drop schema if exists {t}_s",
        f"drop schema if exists {t}_s",
        f"create view if not exists {t}_v as select 1",  # not PostgreSQL's grammar
        f"drop table {t}",
    ]


def test_if_not_exists_and_if_exists_notices(conn, table_name, pg15) -> None:  # noqa: F811
    """CREATE ... IF NOT EXISTS of a table, index, schema or sequence that is there, and DROP ...
    IF EXISTS of one that is not: PostgreSQL's notices with their SQLSTATEs, and the tags."""
    _same(conn, pg15, _exists, table_name)


def test_named_constraints_go_with_clones(server, root, table_name) -> None:
    """The names are schema, kept in the PDB's own file: a clone with its rows and one without
    (NO DATA) name the source's constraints as given."""
    from tests.conftest import PDB_PASSWORD

    src, full, empty = (f"CN{table_name[2:8].upper()}{k}" for k in ("S", "F", "E"))
    root.execute(f'CREATE PLUGGABLE DATABASE {src} ADMIN USER pdbadmin IDENTIFIED BY "{PDB_PASSWORD}"')
    root.execute(f"ALTER PLUGGABLE DATABASE {src} OPEN")
    try:
        with server.connect(src, "pdbadmin", PDB_PASSWORD, autocommit=True) as c:
            c.execute(
                "create table k (id int constraint k_given primary key, v int constraint v_given check (v > 0))"
            )
            c.execute("insert into k values (1, 1)")
        root.execute(f"CREATE PLUGGABLE DATABASE {full} FROM {src}")
        root.execute(f"CREATE PLUGGABLE DATABASE {empty} FROM {src} NO DATA")
        for name in (full, empty):
            root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
            with server.connect(name, "pdbadmin", PDB_PASSWORD, autocommit=True) as c:
                c.execute("insert into k values (1, 1) on conflict do nothing")
                with pytest.raises(psycopg.errors.UniqueViolation) as dup:
                    c.execute("insert into k values (1, 1)")
                assert dup.value.diag.constraint_name == "k_given"
                with pytest.raises(psycopg.errors.CheckViolation) as bad:
                    c.execute("insert into k values (2, -2)")
                assert bad.value.diag.constraint_name == "v_given"
                assert bad.value.diag.message_detail == "Failing row contains (2, -2)."
                assert c.execute(
                    "select conname from pg_constraint where conrelid = 'k'::regclass order by 1"
                ).fetchall() == [
                    ("k_given",),
                    ("v_given",),
                ]
    finally:
        for name in (full, empty, src):
            try:
                root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")
            except psycopg.Error:
                pass
            try:
                root.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")
            except psycopg.Error:
                pass
